/*
 * builtin-resend.c: `/report resend RUN_ID` (also the "Retry upload"
 * button): the result file of run RUN_ID, still kept in data_dir
 * (store/results.h), uploaded again here, without a query and without a
 * new run in the history.
 *
 * Who may: as rerun (bot/builtin-rerun.c): anyone who could see the run
 * and may run its report here, since the file is that report's output
 * for those arguments and they could make it again themselves.
 */
#include "common.h"
#include "bot/builtin.h"

#include "bot/app.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "common/log.h"
#include "store/history.h"
#include "store/results.h"

static int resend_now(struct app *app, const struct dispatch_request *req,
		      char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	(void)req;
	(void)argc;
	(void)parsed;
	int64_t id;
	if (builtin_parse_run_id(argv[0], &id) < 0) {
		strbuf_addf(out, "resend: '%s' is not a run id; use the number the bot gave when the run "
			    "started, e.g. `%s resend 42`", argv[0], app->cfg.command);
		return -1;
	}
	return 0;
}

/* The kept file of rec through the job's delivery, as the run's own post. */
static int post_kept(struct app *app, const struct job *asker, const struct command *cmd,
		     const struct run_record *rec, const char *path, const char *name, char **cause)
{
	const struct delivery *d = asker->delivery;
	if (!d || !d->post_result)
		return fail(cause, "nothing here can post a file");
	struct job *job = job_new(JOB_REPORT);
	struct strlist words;
	strlist_init(&words);
	int rc = builtin_split_run_args(rec, &words, cause);
	if (rc == 0)
		rc = args_bind_as(cmd, app->cfg.command, words.v, words.n, time(NULL), &job->inv, cause);
	if (rc == 0) {
		job->run_id = rec->id;
		job->args_shown = xstrdup(rec->args ? rec->args : "");
		job->user_id = xstrdup(asker->user_id);
		job->channel_id = xstrdup(asker->channel_id);
		job->response_url = xstrdup(asker->response_url);
		job->queued_ms = asker->queued_ms;
		job->delivery = d;
		struct report_result res;
		memset(&res, 0, sizeof(res));
		res.status = RUN_OK;
		res.rows = rec->rows;
		res.bytes = rec->bytes;
		res.duration_ms = rec->duration_ms;
		size_t n = strlen(name);
		res.gzipped = n > 3 && strcmp(name + n - 3, ".gz") == 0;   /* posted as NAME.csv.gz again */
		void *ws = d->worker_init ? d->worker_init(d->ctx) : NULL;
		rc = d->post_result(d->ctx, ws, job, &res, path, cause);
		if (d->worker_free)
			d->worker_free(d->ctx, ws);
		report_result_release(&res);
	}
	strlist_release(&words);
	job_free(job);
	return rc < 0 ? -1 : 0;
}

static void resend_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	struct run_record rec;
	struct catalog *cat = NULL;
	const struct command *cmd = NULL;
	char *path = NULL, *name = NULL, *cause = NULL;
	int found;

	if (builtin_find_run(app, job, "resend", &rec, &cat, &cmd, out) < 0)
		return;
	if (rec.status != RUN_OK && rec.status != RUN_ERROR && rec.status != RUN_SKIPPED) {
		strbuf_addf(out, "resend: run %lld made no file (it is %s)", (long long)rec.id,
			    run_status_name(rec.status));
	} else if ((found = results_find(app->cfg.data_dir, rec.id, &path, &name, &cause)) < 0) {
		strbuf_addf(out, "resend: %s", cause);
	} else if (found == RESULTS_NONE) {
		strbuf_addf(out, "resend: the file of run %lld is not kept any more (files are kept %d h); "
			    "`%s rerun %lld` runs the report again", (long long)rec.id, app->cfg.keep_hours,
			    app->cfg.command, (long long)rec.id);
	} else if (found == RESULTS_BUSY) {
		strbuf_addf(out, "resend: run %lld is still writing or posting its file; try again in a moment",
			    (long long)rec.id);
	} else if (post_kept(app, job, cmd, &rec, path, name, &cause) < 0) {
		strbuf_addf(out, "resend: the file of run %lld could not be posted again: %s", (long long)rec.id,
			    cause ? cause : "unknown error");
	} else {
		log_info("resend: run %lld's file (%s) posted again for %s", (long long)rec.id, name, job->user_id);
	}
	free(cause);
	free(path);
	free(name);
	history_record_release(&rec);
	catalog_put(cat);
}

const struct builtin builtin_resend = {
	.name = "resend",
	.args_usage = "RUN_ID",
	.summary = "upload the kept file of run RUN_ID again, without running it",
	.min_args = 1,
	.max_args = 1,
	.exec_now = resend_now,
	.exec_worker = resend_worker,
};
