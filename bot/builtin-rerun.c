/*
 * builtin-rerun.c: `/report rerun RUN_ID` (also the "Run again" and "Try
 * again" buttons) and the "Change arguments" button.
 *
 * rerun runs the report of run RUN_ID again with the arguments that run
 * resolved, as the history keeps them ("customer=acme month=2024-11"): a
 * `last` month stays the month it was. Who may: anyone who could see the
 * run in `history` (its asker, an admin, or someone who may run its
 * report in the run's channel) and who may run that report here, asked
 * of bot/access.h as for a typed command. Anyone else is told there is no
 * such run, and learns nothing of it.
 */
#include "common.h"
#include "bot/builtin.h"

#include "bot/access.h"
#include "bot/app.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "common/log.h"
#include "common/markup.h"
#include "store/history.h"

int builtin_parse_run_id(const char *s, int64_t *id)
{
	char *end;
	if (*s == '#')
		s++;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1)
		return -1;
	*id = v;
	return 0;
}

/* `rerun ID`, `resend ID`: the id checked in memory. */
static int run_id_now(struct app *app, const struct dispatch_request *req,
		      char *const *argv, size_t argc, void **parsed, struct strbuf *out, const char *verb)
{
	(void)req;
	(void)argc;
	(void)parsed;
	int64_t id;
	if (builtin_parse_run_id(argv[0], &id) < 0) {
		strbuf_addf(out, "%s: '%s' is not a run id; use the number the bot gave when the run "
			    "started (`%s history` lists them), e.g. `%s %s 42`", verb, argv[0],
			    app->cfg.command, app->cfg.command, verb);
		return -1;
	}
	return 0;
}

int builtin_find_run(struct app *app, const struct job *job, const char *verb,
		     struct run_record *rec, struct catalog **cat, const struct command **cmd,
		     struct strbuf *out)
{
	int64_t id = 0;
	char *cause = NULL;
	*cat = NULL;
	builtin_parse_run_id(job->words.v[0], &id);   /* checked by exec_now */
	memset(rec, 0, sizeof(*rec));
	int rc = history_get(app->history, id, rec, &cause);
	if (rc < 0) {
		strbuf_addf(out, "%s: could not read the run history: %s", verb, cause);
		free(cause);
		return -1;
	}
	bool admin = access_is_admin(app->access, job->user_id);
	*cat = app_catalog(app);
	*cmd = rc == 0 && rec->command ? catalog_find(*cat, rec->command) : NULL;
	bool own = rc == 0 && rec->user && job->user_id && !strcmp(rec->user, job->user_id);
	bool seen = rc == 0 && (admin || own
				|| (*cmd && access_may_run(app->access, *cmd, job->user_id, rec->channel, NULL)));
	if (!seen) {
		strbuf_addf(out, "%s: there is no run %lld that you may see (`%s history` lists yours "
			    "and this channel's)", verb, (long long)id, app->cfg.command);
		goto refused;
	}
	if (!*cmd) {
		strbuf_addf(out, "%s: run %lld was of the report `%s`, which no longer exists", verb,
			    (long long)id, rec->command ? rec->command : "?");
		goto refused;
	}
	char *why = NULL;
	if (!access_may_run(app->access, *cmd, job->user_id, job->channel_id, &why)) {
		strbuf_addf(out, "%s: %s", verb, why);
		free(why);
		goto refused;
	}
	return 0;
refused:
	history_record_release(rec);
	catalog_put(*cat);
	*cat = NULL;
	*cmd = NULL;
	return -1;
}

int builtin_split_run_args(const struct run_record *rec, struct strlist *words, char **cause)
{
	/* stored text, never a reference */
	char *plain = markup_plain(rec->args ? rec->args : "");
	int rc = args_split(plain, words, cause);
	free(plain);
	return rc;
}

/* A text through the job's delivery now, from this worker (the worker's
 * own delivery state belongs to job-run.c: this one is made for it). */
static void post_now(const struct job *job, const char *text)
{
	const struct delivery *d = job->delivery;
	char *cause = NULL;
	if (!d || !d->post_text)
		return;
	void *ws = d->worker_init ? d->worker_init(d->ctx) : NULL;
	if (d->post_text(d->ctx, ws, job, text, &cause) < 0) {
		log_warn("rerun: could not tell %s: %s", job->user_id, cause ? cause : "unknown error");
		free(cause);
	}
	if (d->worker_free)
		d->worker_free(d->ctx, ws);
}

static int rerun_now(struct app *app, const struct dispatch_request *req,
		     char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	return run_id_now(app, req, argv, argc, parsed, out, "rerun");
}

static void rerun_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	struct run_record rec;
	struct catalog *cat = NULL;
	const struct command *cmd = NULL;
	struct strlist words;
	char *cause = NULL;

	if (builtin_find_run(app, job, "rerun", &rec, &cat, &cmd, out) < 0)
		return;
	strlist_init(&words);
	if (builtin_split_run_args(&rec, &words, &cause) < 0) {
		strbuf_addf(out, "rerun: the arguments of run %lld cannot be read again (%s)",
			    (long long)rec.id, cause);
		free(cause);
		goto out;
	}
	struct dispatch_request req = {
		.user_id = job->user_id,
		.channel_id = job->channel_id,
		.response_url = job->response_url,
		.replace_original = job->replace_original,
		.delivery = job->delivery,
	};
	struct dispatch_reply reply;
	memset(&reply, 0, sizeof(reply));
	struct job *next = dispatch_report_prepare(app, &req, cat, cmd, words.v, words.n, &reply);
	if (!next) {
		strbuf_addf(out, "rerun: %s", reply.text);
		dispatch_reply_release(&reply);
		goto out;
	}
	/* said before the run may start, so its end replaces this, never
	 * the other way round */
	char *said = xasprintf("Run %lld again: %s", (long long)rec.id, reply.text);
	post_now(job, said);
	free(said);
	dispatch_report_submit(app, next, &reply);
	if (reply.mistake)
		strbuf_addf(out, "rerun: %s", reply.text);
	log_info("rerun: run %lld again as run %lld for %s", (long long)rec.id, (long long)reply.run_id,
		 job->user_id);
	dispatch_reply_release(&reply);
out:
	strlist_release(&words);
	history_record_release(&rec);
	catalog_put(cat);
}

const struct builtin builtin_rerun = {
	.name = "rerun",
	.args_usage = "RUN_ID",
	.summary = "run a report again with the arguments run RUN_ID resolved (a `last` month stays that month)",
	.min_args = 1,
	.max_args = 1,
	.exec_now = rerun_now,
	.exec_worker = rerun_worker,
};

/* "Change arguments": the line to edit, until a form exists. */
static void edit_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	struct run_record rec;
	struct catalog *cat = NULL;
	const struct command *cmd = NULL;
	if (builtin_find_run(app, job, "change arguments", &rec, &cat, &cmd, out) < 0)
		return;
	char *args = markup_plain(rec.args ? rec.args : "");
	strbuf_addf(out, "Edit and send this to run `%s` with other arguments:\n```%s %s%s%s```",
		    cmd->name, app->cfg.command, cmd->name, *args ? " " : "", args);
	free(args);
	history_record_release(&rec);
	catalog_put(cat);
}

const struct builtin builtin_rerun_edit = {
	.name = "edit",
	.args_usage = "RUN_ID",
	.summary = "the line of run RUN_ID to edit (the \"Change arguments\" button)",
	.min_args = 1,
	.max_args = 1,
	.exec_now = rerun_now,
	.exec_worker = edit_worker,
};
