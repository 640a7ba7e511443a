/*
 * job-run.c: a worker's steps for one job (bot/job-run.h). Knows the
 * history store, the report executor and the job's delivery, nothing of
 * Slack or schedules: a scheduled run's extra rules live in its delivery
 * (bot/schedule-delivery.c).
 */
#include "common.h"
#include "bot/job-run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/app.h"
#include "common/log.h"
#include "bot/builtin.h"
#include "common/strbuf.h"

void run_worker_init(struct run_worker *rw, struct app *app, int index)
{
	memset(rw, 0, sizeof(*rw));
	rw->app = app;
	rw->index = index;
	source_cache_init(&rw->sources);
}

void run_worker_release(struct run_worker *rw)
{
	for (size_t i = 0; i < rw->ndeliveries; i++) {
		const struct delivery *d = rw->deliveries[i].delivery;
		if (d->worker_free)
			d->worker_free(d->ctx, rw->deliveries[i].wstate);
	}
	rw->ndeliveries = 0;
	source_cache_release(&rw->sources);
}

static void *delivery_state(struct run_worker *rw, const struct delivery *d)
{
	for (size_t i = 0; i < rw->ndeliveries; i++)
		if (rw->deliveries[i].delivery == d)
			return rw->deliveries[i].wstate;
	void *ws = d->worker_init ? d->worker_init(d->ctx) : NULL;
	if (rw->ndeliveries < ARRAY_SIZE(rw->deliveries)) {
		rw->deliveries[rw->ndeliveries].delivery = d;
		rw->deliveries[rw->ndeliveries].wstate = ws;
		rw->ndeliveries++;
	}
	return ws;
}

static void post_text(struct run_worker *rw, const struct job *job, const char *text)
{
	const struct delivery *d = job->delivery;
	char *cause = NULL;
	if (!d || !d->post_text)
		return;
	if (d->post_text(d->ctx, delivery_state(rw, d), job, text, &cause) < 0) {
		log_warn("could not post a reply to %s: %s", job->channel_id ? job->channel_id : "console",
			 cause ? cause : "unknown error");
		free(cause);
	}
}

static void run_builtin(struct run_worker *rw, struct job *job)
{
	struct strbuf out;
	strbuf_init(&out);
	job->builtin->exec_worker(rw->app, job, &out);
	if (out.len)   /* a built-in that spoke for itself (rerun) leaves out empty */
		post_text(rw, job, out.buf);
	strbuf_release(&out);
}

/* A private temporary file for the result, in data_dir/tmp. */
static int open_result_file(struct app *app, int64_t run_id, char **path, char **cause)
{
	char *dir = xasprintf("%s/tmp", app->cfg.data_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fail(cause, "cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	*path = xasprintf("%s/run-%lld.csv", dir, (long long)run_id);
	free(dir);
	int fd = open(*path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail(cause, "cannot create %s: %s", *path, strerror(errno));
		free(*path);
		*path = NULL;
	}
	return fd;
}

static void record_finish(struct app *app, const struct job *job, const struct report_result *res)
{
	char *cause = NULL;
	if (history_finish_run(app->history, job->run_id, res->status, res->rows, res->bytes,
			       res->duration_ms, res->error, &cause) < 0) {
		log_error("history: cannot record the end of run %lld: %s", (long long)job->run_id, cause);
		free(cause);
	}
}

/* Hand the outcome to the job's delivery; a failed post turns ok into
 * error, a result held back on purpose (a schedule's skip_empty or
 * only_changed) turns it into skipped. */
static void deliver(struct run_worker *rw, const struct job *job, struct report_result *res,
		    const char *path)
{
	const struct delivery *d = job->delivery;
	char *cause = NULL;

	if (!d || !d->post_result)
		return;
	int rc = d->post_result(d->ctx, delivery_state(rw, d), job, res, path, &cause);
	if (rc == DELIVERY_HELD && res->status == RUN_OK)
		res->status = RUN_SKIPPED;
	if (rc < 0) {
		log_warn("run %lld: delivery failed: %s", (long long)job->run_id,
			 cause ? cause : "unknown error");
		if (res->status == RUN_OK) {
			res->status = RUN_ERROR;
			free(res->error);
			res->error = delivery_failure_error(cause);
		}
	}
	free(cause);
}

void run_job(struct run_worker *rw, struct job *job)
{
	struct app *app = rw->app;
	struct report_result res;
	char *cause = NULL;
	char *path = NULL;
	int fd = -1;

	if (job->kind == JOB_BUILTIN) {
		run_builtin(rw, job);
		return;
	}
	if (job->kind == JOB_NOTICE) {
		post_text(rw, job, job->args_shown);
		return;
	}

	memset(&res, 0, sizeof(res));
	const struct command *cmd = job->inv.cmd;
	struct run_record rec = {
		.id = job->run_id,
		.command = cmd->name,
		.args = job->args_shown,
		.user = job->user_id,
		.channel = job->channel_id,
		.source = cmd->source ? cmd->source : app->cfg.default_source,
		.queued_ms = job->queued_ms,
		.status = RUN_QUEUED,
	};
	/* The row dispatch set aside: its id is the one the person was told. */
	if (history_claim_run(app->history, &rec, &cause) < 0) {
		log_error("history: cannot record run %lld: %s", (long long)job->run_id, cause);
		free(cause);
		cause = NULL;
	}

	if (atomic_load(&job->cancel_requested)) {
		res.status = RUN_CANCELLED;
		res.error = xasprintf("run %lld was cancelled before it started", (long long)job->run_id);
		goto deliver;
	}
	history_mark_running(app->history, job->run_id, NULL);
	log_info("run %lld: %s %s (user %s) started on worker %d", (long long)job->run_id, cmd->name,
		 job->args_shown ? job->args_shown : "", job->user_id, rw->index);

	if (job->delivery && job->delivery->result_fd)
		fd = job->delivery->result_fd(job->delivery->ctx, job);   /* borrowed; path stays NULL */
	else
		fd = open_result_file(app, job->run_id, &path, &cause);
	if (fd < 0) {
		res.status = RUN_ERROR;
		res.error = cause;
		cause = NULL;
		goto deliver;
	}
	struct report_watch watch = rw->watch;
	watch.cancelled = &job->cancel_requested;
	struct report_options ro;
	config_report_options(&app->cfg, job->inv.cmd, &ro);
	report_execute(&ro, &rw->sources, &job->inv, fd, &watch, &res);
	if (path)
		close(fd);
	if (res.status == RUN_CANCELLED && !res.error)
		res.error = xasprintf("run %lld was cancelled", (long long)job->run_id);

deliver:
	log_info("run %lld: %s, %lld rows, %lld bytes, %lld ms", (long long)job->run_id,
		 run_status_name(res.status), (long long)res.rows, (long long)res.bytes,
		 (long long)res.duration_ms);
	deliver(rw, job, &res, path);
	record_finish(app, job, &res);
	if (path) {
		unlink(path);
		free(path);
	}
	report_result_release(&res);
}
