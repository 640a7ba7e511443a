/*
 * dispatch.c: the one path from typed text to a reply and maybe a job.
 * Only memory work happens here (parse, validate, queue), so Slack can
 * use it on the network thread before the ack.
 */
#include "common.h"
#include "bot/dispatch.h"

#include <time.h>

#include "bot/access.h"
#include "common/log.h"
#include "bot/job-pool.h"
#include "bot/job-run.h"
#include "bot/builtin.h"
#include "common/markup.h"
#include "bot/slack-actions.h"
#include "common/strbuf.h"
#include "commands/fold.h"

void dispatch_reply_release(struct dispatch_reply *reply)
{
	free(reply->text);
	reply->text = NULL;
	free(reply->form_report);
	reply->form_report = NULL;
}

static void reply_mistake(struct dispatch_reply *reply, char *text)
{
	reply->text = text;
	reply->mistake = true;
}

static void builtin_usage(const char *slash, const struct builtin *b, struct strbuf *out)
{
	strbuf_addf(out, "usage: `%s %s%s%s` (%s)", slash, b->name, *b->args_usage ? " " : "",
		    b->args_usage, b->summary);
}

static struct job *job_for(const struct dispatch_request *req, enum job_kind kind)
{
	struct job *job = job_new(kind);
	job->user_id = xstrdup(req->user_id ? req->user_id : "console");
	job->channel_id = xstrdup(req->channel_id);
	job->response_url = xstrdup(req->response_url);
	job->replace_original = req->replace_original && req->response_url;
	job->schedule = xstrdup(req->schedule);
	job->slot_ms = req->slot_ms;
	job->attempt = req->attempt > 0 ? req->attempt : 1;
	job->skip_empty = req->skip_empty;
	job->only_changed = req->only_changed;
	job->queued_ms = now_ms_wall();
	job->delivery = req->delivery;
	return job;
}

static void dispatch_builtin(struct app *app, const struct dispatch_request *req,
			     const struct builtin *b, char *const *argv, size_t argc,
			     struct dispatch_reply *reply)
{
	struct strbuf out;
	char *cause = NULL;
	void *parsed = NULL;

	strbuf_init(&out);
	if (argc < b->min_args || argc > b->max_args) {
		builtin_usage(app->cfg.command, b, &out);
		reply_mistake(reply, strbuf_detach(&out));
		return;
	}
	int r = b->exec_now ? b->exec_now(app, req, argv, argc, &parsed, &out) : 0;
	if (r < 0 || !b->exec_worker) {
		if (parsed && b->free_parsed)
			b->free_parsed(parsed);
		parsed = NULL;
	}
	if (r < 0) {
		reply_mistake(reply, strbuf_detach(&out));
		return;
	}
	if (b->exec_worker) {
		struct job *job = job_for(req, JOB_BUILTIN);
		/* a typed built-in that acks nothing has no message to replace */
		job->replace_original = job->replace_original && (req->from_click || out.len > 0);
		job->builtin = b;
		job->parsed = parsed;
		for (size_t i = 0; i < argc; i++)
			strlist_push(&job->words, xstrdup(argv[i]));
		if (!app->pool || pool_submit(app->pool, job, &cause) < 0) {
			job_free(job);
			strbuf_reset(&out);
			strbuf_addf(&out, "%s", cause ? cause : "no worker pool");
			free(cause);
			reply_mistake(reply, strbuf_detach(&out));
			return;
		}
	}
	reply->text = out.len ? strbuf_detach(&out) : NULL;
	strbuf_release(&out);
}

struct job *dispatch_report_prepare(struct app *app, const struct dispatch_request *req,
				   struct catalog *cat, const struct command *cmd,
				   char *const *argv, size_t argc, struct dispatch_reply *reply)
{
	char *cause = NULL;

	char *why = NULL;
	if (!access_may_run(app->access, cmd, req->user_id, req->channel_id, &why)) {
		reply_mistake(reply, why);
		return NULL;
	}
	struct job *job = job_for(req, JOB_REPORT);
	job->catalog = catalog_get(cat);   /* the run keeps this version of cmd */
	if (args_bind_as(cmd, app->cfg.command, argv, argc, req->now ? req->now : time(NULL),
			 &job->inv, &cause) < 0) {
		job_free(job);
		reply_mistake(reply, cause);
		return NULL;
	}
	job->args_shown = invocation_describe(&job->inv);
	char *shown = xasprintf("%s%s%s", cmd->name, *job->args_shown ? " " : "", job->args_shown);
	/* The id of a history row set aside ahead: from memory, no I/O. */
	int64_t run_id = 0;
	if (app_new_run_id(app, &run_id, &cause) < 0) {
		log_warn("run ids: %s", cause);
		job_free(job);
		reply_mistake(reply, xasprintf("%s not started: %s", shown, cause));
		free(cause);
		free(shown);
		return NULL;
	}
	job->run_id = run_id;
	reply->run_id = run_id;
	reply->text = xasprintf("Running `%s` as run %lld; the CSV will be posted here. "
				"(`%s cancel %lld` stops it)", shown, (long long)run_id,
				app->cfg.command, (long long)run_id);
	free(shown);
	return job;
}

void dispatch_report_submit(struct app *app, struct job *job, struct dispatch_reply *reply)
{
	char *cause = NULL;
	/* Its record, copied before the pool owns the job, goes to the
	 * recorder once it is queued for good (memory only: section 2.1). */
	struct run_record rec;
	job_run_record(app, job, &rec);
	/* Owned copies: once submitted, a worker may run and free the job
	 * before the next line here. */
	rec.command = xstrdup(rec.command);
	rec.args = xstrdup(rec.args);
	rec.user = xstrdup(rec.user);
	rec.channel = xstrdup(rec.channel);
	rec.source = xstrdup(rec.source);
	if (app->pool && pool_submit(app->pool, job, &cause) == 0) {
		history_reserve_record(app->run_ids, &rec);
		history_record_release(&rec);
		return;
	}
	history_record_release(&rec);
	const char *name = job->inv.cmd ? job->inv.cmd->name : "report";
	char *text = xasprintf("%s%s%s not started: %s", name, *job->args_shown ? " " : "", job->args_shown,
			       cause ? cause : "no worker pool");
	app_return_run_id(app, job->run_id);
	job_free(job);
	free(cause);
	dispatch_reply_release(reply);
	reply->run_id = 0;
	reply_mistake(reply, text);
}

void dispatch_report(struct app *app, const struct dispatch_request *req, struct catalog *cat,
		     const struct command *cmd, char *const *argv, size_t argc,
		     struct dispatch_reply *reply)
{
	struct job *job = dispatch_report_prepare(app, req, cat, cmd, argv, argc, reply);
	if (job)
		dispatch_report_submit(app, job, reply);
}

/* `/report NAME` alone for a report with a required param: the form for
 * it, when the person may run it here (else the usual refusal). */
static bool form_wanted(struct app *app, const struct dispatch_request *req,
			const struct command *cmd, struct dispatch_reply *reply)
{
	bool required = false;
	for (size_t i = 0; i < cmd->nparams; i++)
		required = required || !cmd->params[i].def;
	if (!required)
		return false;
	char *why = NULL;
	if (!access_may_run(app->access, cmd, req->user_id, req->channel_id, &why)) {
		reply_mistake(reply, why);
		return true;
	}
	reply->open_form = true;
	reply->form_report = xstrdup(cmd->name);
	return true;
}

void dispatch_line(struct app *app, const struct dispatch_request *req, struct dispatch_reply *reply)
{
	struct strlist words;
	char *cause = NULL;
	const char *slash = app->cfg.command;
	struct catalog *cat = NULL;   /* the snapshot this line reads, once found */

	memset(reply, 0, sizeof(*reply));
	strlist_init(&words);
	/* typed text never carries the mark of the bot's own references */
	char *typed = markup_plain(req->text ? req->text : "");
	int split = args_split(typed, &words, &cause);
	free(typed);
	if (split < 0) {
		reply_mistake(reply, cause);
		goto out;
	}
	if (!words.n && req->forms) {
		reply->open_form = true;   /* `/report` alone: the form */
		goto out;
	}
	if (!words.n) {
		dispatch_builtin(app, req, &builtin_help, NULL, 0, reply);
		goto out;
	}
	fold_width_inplace(words.v[0]);   /* ｈｅｌｐ is help */
	const char *name = words.v[0];
	const struct builtin *b = builtin_find(name);
	if (b) {
		dispatch_builtin(app, req, b, words.v + 1, words.n - 1, reply);
		goto out;
	}
	cat = app_catalog(app);
	const struct command *cmd = catalog_find(cat, name);
	if (cmd && words.n == 1 && req->forms && form_wanted(app, req, cmd, reply))
		goto out;
	if (cmd) {
		dispatch_report(app, req, cat, cmd, words.v + 1, words.n - 1, reply);
		goto out;
	}

	const char *builtin_names[16];
	size_t nb = 0;
	for (size_t i = 0; i < builtin_count && nb < ARRAY_SIZE(builtin_names); i++)
		builtin_names[nb++] = builtin_table[i]->name;
	const char *near = catalog_closest(cat, name, builtin_names, nb);
	const struct command *near_cmd = near ? catalog_find(cat, near) : NULL;
	if (near_cmd && !access_may_run(app->access, near_cmd, req->user_id, req->channel_id, NULL))
		near = NULL;   /* never name a report the person may not run */
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_addf(&sb, "There is no command '%.64s'.", name);
	if (near)
		strbuf_addf(&sb, " Did you mean `%s %s`?", slash, near);
	strbuf_addf(&sb, " `%s help` lists every command.", slash);
	reply_mistake(reply, strbuf_detach(&sb));
out:
	catalog_put(cat);
	strlist_release(&words);
}

/* Queue text to the person who clicked: the ack of a click shows nothing. */
static void tell_clicker(struct app *app, const struct dispatch_request *req, const char *text)
{
	char *cause = NULL;
	struct dispatch_request r = *req;
	r.replace_original = false;   /* a new ephemeral: the clicked message stays */
	struct job *job = job_for(&r, JOB_NOTICE);
	job->args_shown = xstrdup(text);
	if (!app->pool || pool_submit(app->pool, job, &cause) < 0) {
		log_warn("slack: the answer to %s's click was dropped: %s", req->user_id,
			 cause ? cause : "no worker pool");
		job_free(job);
		free(cause);
	}
}

void dispatch_action(struct app *app, const struct dispatch_request *req, const char *action_id,
		     const char *value, struct dispatch_reply *reply)
{
	static const struct {
		const char *action_id;
		const struct builtin *builtin;
		bool replaces;     /* its answer takes the clicked ephemeral's place */
	} actions[] = {
		{ SLACK_ACTION_RERUN, &builtin_rerun, true },
		{ SLACK_ACTION_EDIT, &builtin_rerun_edit, false },
		{ SLACK_ACTION_CANCEL, &builtin_cancel, false },
		{ SLACK_ACTION_RESEND, &builtin_resend, false },
	};
	memset(reply, 0, sizeof(*reply));
	struct dispatch_request r = *req;
	r.text = NULL;
	r.from_click = true;
	const struct builtin *b = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(actions) && action_id; i++) {
		if (!strcmp(action_id, actions[i].action_id)) {
			b = actions[i].builtin;
			r.replace_original = req->replace_original && actions[i].replaces;
		}
	}
	if (!b) {
		reply_mistake(reply, xasprintf("That button is not one of reportbot's (%.64s); "
					       "`%s help` lists what it can do.", action_id ? action_id : "none",
					       app->cfg.command));
	} else {
		/* the value came from outside: plain text, one word */
		char *word = markup_plain(value ? value : "");
		char *argv[1] = { word };
		dispatch_builtin(app, &r, b, argv, 1, reply);
		free(word);
	}
	if (reply->text && reply->mistake)
		tell_clicker(app, &r, reply->text);
}
