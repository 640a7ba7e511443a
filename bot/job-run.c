/*
 * job-run.c: a worker's steps for one job (bot/job-run.h). Knows the
 * history store, the report executor and the job's delivery, nothing of
 * Slack or schedules: a scheduled run's extra rules live in its delivery
 * (bot/schedule-delivery.c).
 */
#include "common.h"
#include "bot/job-run.h"

#include <sys/statvfs.h>

#include "bot/app.h"
#include "common/log.h"
#include "bot/builtin.h"
#include "common/strbuf.h"
#include "store/results.h"

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

/*
 * Expired result files (data_dir/results, [output] keep_hours) are swept by
 * the worker that starts the first report after start and then the first
 * one an hour or more after the last sweep: files are only made by reports,
 * so sweeping as they start bounds the disk they take, and it keeps the
 * network thread and the timer free of file work.
 */
#define SWEEP_EVERY_MS (3600 * INT64_C(1000))
static atomic_llong last_sweep_ms;   /* monotonic; 0: not yet in this process */

static void sweep_if_due(struct app *app)
{
	long long now = now_ms_monotonic(), last = atomic_load(&last_sweep_ms);
	if (last && now - last < SWEEP_EVERY_MS)
		return;
	if (!atomic_compare_exchange_strong(&last_sweep_ms, &last, now ? now : 1))
		return;   /* another worker sweeps */
	int removed = 0;
	char *cause = NULL;
	if (results_sweep(app->cfg.data_dir, (int64_t)app->cfg.keep_hours * 3600 * 1000, now_ms_wall(),
			  &removed, &cause) < 0) {
		log_warn("results: sweep failed: %s", cause);
		free(cause);
	} else if (removed) {
		log_info("results: removed %d expired result%s (older than %d h)", removed,
			 removed == 1 ? "" : "s", app->cfg.keep_hours);
	}
}

/* The run's result files in data_dir/results/RUN_ID (store/results.h):
 * NAME.csv, and NAME.csv.gz unless gzip is off. */
static int open_result_files(struct app *app, const struct job *job, struct result_files *rf,
			     char **cause)
{
	sweep_if_due(app);
	char *name = invocation_filename(&job->inv);
	int rc = results_create(rf, app->cfg.data_dir, job->run_id, name, app->cfg.gzip_over >= 0, cause);
	free(name);
	return rc;
}

/*
 * The history is the truth: a run is recorded before anything of it
 * reaches the person, and a run whose status cannot be written is told to
 * the person as a failure of the bot, never delivered as if all was well.
 *
 *   claim (reserved -> queued) and mark running: when either cannot be
 *     written the report is not run; the person hears why.
 *   a failed run: its final status is written, then it is told (with a
 *     note when the write failed).
 *   a good run: "delivering" (with rows and bytes) is written, then the
 *     file is posted, then the final status (ok, skipped, or error when
 *     the post failed). When "delivering" cannot be written the file is
 *     not posted: the run fails; when the final status cannot be written
 *     after the post, the person is told that too.
 */

/* A run the history could not take: the error the person reads. Caller
 * frees. */
static char *unrecorded_error(const char *doing, const char *cause)
{
	return xasprintf("the bot could not record this run in its history, so it %s: %s", doing,
			 cause ? cause : "unknown error");
}

/* Write a final status; -1 with *cause (logged) when it cannot be. */
static int record_finish(struct app *app, const struct job *job, const struct report_result *res,
			 char **cause)
{
	if (history_finish_run(app->history, job->run_id, res->status, res->rows, res->bytes,
			       res->duration_ms, res->error, cause) == 0)
		return 0;
	log_error("history: cannot record the end of run %lld (%s): %s", (long long)job->run_id,
		  run_status_name(res->status), *cause);
	return -1;
}

/* A failed run: record it first, then it is told; a note for the person
 * when it could not be recorded (unless its error says so already). */
static void record_failure(struct app *app, const struct job *job, struct report_result *res,
			   bool said)
{
	char *cause = NULL;
	if (record_finish(app, job, res, &cause) < 0 && !said) {
		char *error = xasprintf("%s (and the bot could not record this in its history: %s)",
					res->error ? res->error : run_status_name(res->status), cause);
		free(res->error);
		res->error = error;
	}
	free(cause);
}

/* A report that could not write its CSV for want of space: say in the log
 * which disk is full. */
static void log_full_disk(struct app *app, const struct job *job, const struct report_result *res)
{
	char *dir = xasprintf("%s/results", app->cfg.data_dir);
	struct statvfs sv;
	if (res->status == RUN_ERROR && statvfs(dir, &sv) == 0 &&
	    (uint64_t)sv.f_bavail * sv.f_frsize < 65536)
		log_error("run %lld: the disk holding %s is full (%llu bytes free); its CSV could not be "
			  "written: %s", (long long)job->run_id, dir,
			  (unsigned long long)sv.f_bavail * sv.f_frsize, res->error ? res->error : "");
	free(dir);
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

/* Why a run was cancelled, for the person: by someone, or by the bot's
 * shutdown (then it can be run again once the bot is back). WHEN may be
 * NULL ("before it started"). */
static char *cancelled_text(const struct job *job, const char *when)
{
	if (atomic_load(&job->cancel_requested) == JOB_CANCEL_SHUTDOWN)
		return xasprintf("run %lld was stopped%s%s: the bot shut down; run it again when it is back",
				 (long long)job->run_id, when ? " " : "", when ? when : "");
	return xasprintf("run %lld was cancelled%s%s", (long long)job->run_id, when ? " " : "",
			 when ? when : "");
}

void job_run_record(const struct app *app, const struct job *job, struct run_record *rec)
{
	const struct command *cmd = job->inv.cmd;
	*rec = (struct run_record){
		.id = job->run_id,
		.command = cmd->name,
		.args = job->args_shown,
		.user = job->user_id,
		.channel = job->channel_id,
		.source = cmd->source ? cmd->source : app->cfg.default_source,
		.queued_ms = job->queued_ms,
		.status = RUN_QUEUED,
	};
}

void run_job(struct run_worker *rw, struct job *job)
{
	struct app *app = rw->app;
	struct report_result res;
	char *cause = NULL;
	struct result_files rf = { .dir_fd = -1, .fd = -1, .gz_fd = -1 };
	bool own_file = false;
	int fd = -1;
	bool unrecorded = false;   /* res.error says the history failed */

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
	struct run_record rec;
	job_run_record(app, job, &rec);
	/* The row dispatch set aside: its id is the one the person was told;
	 * the recorder may have made it queued already (the same record).
	 * No row, no run: the person hears that the bot failed. */
	history_reserve_take_over(app->run_ids, job->run_id);   /* the recorder is done with it */
	if (history_claim_run(app->history, &rec, &cause) < 0) {
		log_error("history: cannot record run %lld; not running it: %s", (long long)job->run_id, cause);
		res.status = RUN_ERROR;
		res.error = unrecorded_error("did not run it", cause);
		deliver(rw, job, &res, NULL);
		goto out;
	}

	if (atomic_load(&job->cancel_requested)) {
		res.status = RUN_CANCELLED;
		res.error = cancelled_text(job, "before it started");
		goto failed;
	}
	if (history_mark_running(app->history, job->run_id, &cause) < 0) {
		log_error("history: cannot mark run %lld as running; not running it: %s",
			  (long long)job->run_id, cause);
		res.status = RUN_ERROR;
		res.error = unrecorded_error("did not run it", cause);
		unrecorded = true;
		goto failed;
	}
	log_info("run %lld: %s %s (user %s) started on worker %d", (long long)job->run_id, cmd->name,
		 job->args_shown ? job->args_shown : "", job->user_id, rw->index);

	if (job->delivery && job->delivery->result_fd) {
		fd = job->delivery->result_fd(job->delivery->ctx, job);   /* borrowed; no file kept */
	} else if (open_result_files(app, job, &rf, &cause) == 0) {
		fd = rf.fd;
		own_file = true;
	}
	if (fd < 0) {
		res.status = RUN_ERROR;
		res.error = cause;
		cause = NULL;
		goto failed;
	}
	struct report_watch watch = rw->watch;
	watch.cancelled = &job->cancel_requested;
	struct report_options ro;
	config_report_options(&app->cfg, job->inv.cmd, &ro);
	if (own_file)
		ro.gzip_fd = rf.gz_fd;
	else
		ro.max_file_bytes = 0;   /* `run` writes every byte where it was told */
	report_execute(&ro, &rw->sources, &job->inv, fd, &watch, &res);
	/* Kept for [output] keep_hours (resend), even when the upload fails;
	 * only a result that is not whole is thrown away. */
	if (own_file && res.file_complete)
		results_keep(&rf, res.gzipped);
	else if (own_file)
		results_discard(&rf);
	if (res.status == RUN_CANCELLED && !res.error)
		res.error = cancelled_text(job, NULL);
	if (own_file)
		log_full_disk(app, job, &res);
	if (res.status != RUN_OK)
		goto failed;

	/* Recorded before it is posted: no file reaches a person for a run
	 * the history does not hold. */
	if (history_mark_delivering(app->history, job->run_id, res.rows, res.bytes, res.duration_ms,
				    &cause) < 0) {
		log_error("history: cannot record that run %lld is being delivered; not posting it: %s",
			  (long long)job->run_id, cause);
		res.status = RUN_ERROR;
		res.error = unrecorded_error("did not post its file", cause);
		unrecorded = true;
		goto failed;
	}
	log_info("run %lld: %s, %lld rows, %lld bytes, %lld ms", (long long)job->run_id,
		 run_status_name(res.status), (long long)res.rows, (long long)res.bytes,
		 (long long)res.duration_ms);
	deliver(rw, job, &res, rf.kept);
	if (record_finish(app, job, &res, &cause) < 0) {
		char *text = xasprintf("Run %lld was %s, but the bot could not record that in its history: %s",
				       (long long)job->run_id,
				       res.status == RUN_OK ? "posted" : res.status == RUN_SKIPPED
				       ? "held back" : "not delivered", cause);
		post_text(rw, job, text);
		free(text);
	}
	goto out;

failed:
	log_info("run %lld: %s, %lld rows, %lld bytes, %lld ms", (long long)job->run_id,
		 run_status_name(res.status), (long long)res.rows, (long long)res.bytes,
		 (long long)res.duration_ms);
	record_failure(app, job, &res, unrecorded);
	deliver(rw, job, &res, NULL);
out:
	free(cause);
	results_close(&rf);
	report_result_release(&res);
}
