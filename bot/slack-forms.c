/*
 * slack-forms.c: the interaction thread of the report form
 * (bot/slack-forms.h).
 */
#include "common.h"
#include "bot/slack-forms.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "bot/access.h"
#include "bot/builtin.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "bot/slack-api.h"
#include "bot/slack-form.h"
#include "bot/slack-view-json.h"
#include "commands/args.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "store/history.h"

#define QUEUE_MAX 256   /* tasks waiting; more are dropped (a trigger lives 3 s anyway) */

enum task_kind { TASK_OPEN, TASK_OPEN_RUN, TASK_UPDATE, TASK_TELL };

/* One thing for the thread to do; owns its strings. */
struct task {
	enum task_kind kind;
	char *trigger_id, *user, *channel, *response_url, *report;
	char *view_id, *hash;    /* TASK_UPDATE */
	char *text;              /* TASK_TELL */
	int64_t run_id;          /* TASK_OPEN_RUN: the run whose arguments fill the form */
	struct strlist prefill;
	int64_t queued_ms;
	struct task *next;
};

struct slack_forms {
	struct app *app;
	const struct delivery *delivery;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct task *head, *tail;   /* under lock */
	size_t n;
	bool stopping;
	atomic_int stop;            /* ends a call in progress */
};

static void task_free(struct task *t)
{
	if (!t)
		return;
	free(t->trigger_id);
	free(t->user);
	free(t->channel);
	free(t->response_url);
	free(t->report);
	free(t->view_id);
	free(t->hash);
	free(t->text);
	strlist_release(&t->prefill);
	free(t);
}

static struct task *task_new(enum task_kind kind, const char *user, const char *channel)
{
	struct task *t = xcalloc(1, sizeof(*t));
	t->kind = kind;
	t->user = xstrdup(user);
	t->channel = xstrdup(channel);
	strlist_init(&t->prefill);
	t->queued_ms = now_ms_monotonic();
	return t;
}

static void enqueue(struct slack_forms *f, struct task *t)
{
	pthread_mutex_lock(&f->lock);
	if (f->stopping || f->n >= QUEUE_MAX) {
		pthread_mutex_unlock(&f->lock);
		log_warn("slack: form task for %s dropped (%s)", t->user ? t->user : "?",
			 f->stopping ? "stopping" : "too many waiting");
		task_free(t);
		return;
	}
	if (f->tail)
		f->tail->next = t;
	else
		f->head = t;
	f->tail = t;
	f->n++;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* ---- on the thread ---- */

static void tell(struct slack_api *api, const struct config *cfg, const struct task *t, const char *text)
{
	char *cause = NULL;
	int rc = -1;
	if (t->response_url)
		rc = slack_post_response_url(api, t->response_url, text, &cause);
	if (rc < 0 && t->channel && t->user) {
		if (cause)
			log_warn("slack: form reply through response_url: %s", cause);
		free(cause);
		cause = NULL;
		rc = slack_post_ephemeral(api, cfg->bot_token, t->channel, t->user, text, &cause);
	}
	if (rc < 0)
		log_warn("slack: cannot tell %s in %s: %s", t->user, t->channel, cause ? cause : "?");
	free(cause);
}

static void do_open(struct slack_forms *f, struct slack_api *api, const struct task *t)
{
	const struct config *cfg = &f->app->cfg;
	struct catalog *cat = app_catalog(f->app);
	struct slack_form_ctx ctx = { .cat = cat, .access = f->app->access, .user = t->user,
				      .channel = t->channel, .slash = cfg->command, .now = time(NULL) };
	const struct command *cmd = t->report ? catalog_find(cat, t->report) : NULL;
	char *view = NULL, *cause = NULL, *why = NULL;
	if (slack_form_view(&ctx, cmd, &t->prefill, &view, &cause) == 0) {
		char *body = slack_form_open_body(t->trigger_id, view);
		struct slack_response r;
		int64_t waited = now_ms_monotonic() - t->queued_ms;
		if (slack_api_call(api, cfg->bot_token, "views.open", body, 2, &r, &cause) == 0) {
			log_info("slack: form opened for %s in %s (%s; waited %lld ms)", t->user, t->channel,
				 t->report ? t->report : "picker", (long long)waited);
			slack_response_release(&r);
		} else {
			const char *code = slack_api_last_error(api);
			log_warn("slack: views.open for %s: %s", t->user, cause);
			why = !strcmp(code, "expired_trigger_id") ?
				xstrdup("it took too long to open (Slack allows 3 seconds)") :
				xasprintf("Slack answered %s", *code ? code : "with an error");
		}
		free(body);
	} else {
		why = cause;
		cause = NULL;
	}
	if (why) {
		struct strbuf sb;
		strbuf_init(&sb);
		strbuf_addf(&sb, "The form could not open: %s. Type `%s NAME ARGS` instead", why, cfg->command);
		if (cmd) {
			strbuf_adds(&sb, ", e.g. `");
			args_example(cmd, cfg->command, time(NULL), SIZE_MAX, &sb);
			strbuf_adds(&sb, "`");
		}
		strbuf_addf(&sb, "; `%s help` lists the reports you may run here.", cfg->command);
		tell(api, cfg, t, sb.buf);
		strbuf_release(&sb);
	}
	free(why);
	free(cause);
	free(view);
	catalog_put(cat);
}

/* "Change arguments": the form of run t->run_id's report, filled with the
 * arguments that run resolved. The run is read here, on the form's
 * thread (never the network thread), with the rules of rerun: a person
 * who may not see the run or run its report here is told so, nothing more. */
static void do_open_run(struct slack_forms *f, struct slack_api *api, struct task *t)
{
	struct job asker = { .user_id = t->user, .channel_id = t->channel };
	char id[32];
	char *argv[1] = { id };
	struct run_record rec;
	struct catalog *cat = NULL;
	const struct command *cmd = NULL;
	struct strbuf out;
	char *cause = NULL;

	snprintf(id, sizeof(id), "%lld", (long long)t->run_id);
	asker.words.v = argv;
	asker.words.n = 1;
	strbuf_init(&out);
	if (builtin_find_run(f->app, &asker, "change arguments", &rec, &cat, &cmd, &out) < 0) {
		tell(api, &f->app->cfg, t, out.buf);
		strbuf_release(&out);
		return;
	}
	if (builtin_split_run_args(&rec, &t->prefill, &cause) < 0) {
		log_warn("slack: form for run %lld: %s", (long long)t->run_id, cause);
		free(cause);
	}
	t->report = xstrdup(cmd->name);
	catalog_put(cat);
	history_record_release(&rec);
	strbuf_release(&out);
	do_open(f, api, t);
}

static void do_update(struct slack_forms *f, struct slack_api *api, const struct task *t)
{
	const struct config *cfg = &f->app->cfg;
	struct catalog *cat = app_catalog(f->app);
	struct slack_form_ctx ctx = { .cat = cat, .access = f->app->access, .user = t->user,
				      .channel = t->channel, .slash = cfg->command, .now = time(NULL) };
	const struct command *cmd = t->report ? catalog_find(cat, t->report) : NULL;
	char *view = NULL, *cause = NULL;
	int built = slack_form_view(&ctx, cmd, NULL, &view, &cause);
	catalog_put(cat);   /* the view is text now */
	if (built < 0) {
		/* a report not in the picker: the person keeps the form as it is */
		log_warn("slack: form for %s not updated: %s", t->user, cause);
		free(cause);
		return;
	}
	char *body = slack_form_update_body(t->view_id, t->hash, view);
	struct slack_response r;
	if (slack_api_call(api, cfg->bot_token, "views.update", body, 2, &r, &cause) == 0) {
		slack_response_release(&r);
	} else if (!strcmp(slack_api_last_error(api), "hash_conflict")) {
		log_info("slack: form %s changed since; the older update was refused", t->view_id);
	} else {
		log_warn("slack: views.update for %s: %s", t->user, cause);
	}
	free(cause);
	free(body);
	free(view);
}

static void *forms_main(void *arg)
{
	struct slack_forms *f = arg;
	struct slack_api *api = NULL;
	char *cause = NULL;
	if (slack_api_new(&api, f->app->cfg.api_url, &cause) < 0) {
		log_error("slack: the form thread cannot make its Web API client: %s", cause);
		free(cause);
	} else {
		slack_api_set_stop(api, &f->stop);
	}
	for (;;) {
		pthread_mutex_lock(&f->lock);
		while (!f->head && !f->stopping)
			pthread_cond_wait(&f->cond, &f->lock);
		if (f->stopping) {
			pthread_mutex_unlock(&f->lock);
			break;
		}
		struct task *t = f->head;
		f->head = t->next;
		if (!f->head)
			f->tail = NULL;
		f->n--;
		pthread_mutex_unlock(&f->lock);
		if (api) {
			if (t->kind == TASK_OPEN)
				do_open(f, api, t);
			else if (t->kind == TASK_OPEN_RUN)
				do_open_run(f, api, t);
			else if (t->kind == TASK_UPDATE)
				do_update(f, api, t);
			else
				tell(api, &f->app->cfg, t, t->text);
		}
		task_free(t);
	}
	slack_api_free(api);
	return NULL;
}

/* ---- the API ---- */

int slack_forms_start(struct slack_forms **out, struct app *app, const struct delivery *delivery,
		      char **cause)
{
	struct slack_forms *f = xcalloc(1, sizeof(*f));
	f->app = app;
	f->delivery = delivery;
	atomic_init(&f->stop, 0);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->thread, NULL, forms_main, f) != 0) {
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->cond);
		free(f);
		*out = NULL;
		return fail(cause, "cannot start the form thread");
	}
	*out = f;
	return 0;
}

void slack_forms_stop(struct slack_forms *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stopping = true;
	atomic_store(&f->stop, 1);
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	while (f->head) {
		struct task *t = f->head;
		f->head = t->next;
		task_free(t);
	}
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f);
}

void slack_forms_open_run(struct slack_forms *f, const char *trigger_id, const char *user,
			  const char *channel, const char *response_url, int64_t run_id)
{
	struct task *t = task_new(TASK_OPEN_RUN, user, channel);
	t->trigger_id = xstrdup(trigger_id);
	t->response_url = xstrdup(response_url);
	t->run_id = run_id;
	enqueue(f, t);
}

void slack_forms_open(struct slack_forms *f, const char *trigger_id, const char *user,
		      const char *channel, const char *response_url, const char *report,
		      const struct strlist *prefill)
{
	struct task *t = task_new(TASK_OPEN, user, channel);
	t->trigger_id = xstrdup(trigger_id);
	t->response_url = xstrdup(response_url);
	t->report = xstrdup(report);
	for (size_t i = 0; prefill && i < prefill->n; i++)
		strlist_push(&t->prefill, xstrdup(prefill->v[i]));
	enqueue(f, t);
}

/* The ack payload of a submission: errors, or NULL when the run is queued. */
static char *on_submission(struct slack_forms *f, const struct slack_form_event *in)
{
	struct app *app = f->app;
	const char *slash = app->cfg.command;
	struct slack_form_meta meta;
	char *cause = NULL, *payload = NULL;
	if (slack_form_meta_parse(in->private_metadata, &meta, &cause) < 0) {
		log_warn("slack: form submission from %s: %s", in->user_id, cause);
		payload = slack_form_errors(NULL, in, SIZE_MAX, "This form is broken; close it and type the command again.");
		free(cause);
		return payload;
	}
	struct catalog *cat = app_catalog(app);
	const struct command *cmd = slack_form_chosen(cat, in, &meta);
	char *why = NULL;
	if (!cmd) {
		payload = slack_form_errors(NULL, in, SIZE_MAX, "Choose a report.");
	} else if (!access_may_run(app->access, cmd, in->user_id, meta.channel, &why)) {
		/* asked again: a person may have lost the right since the form opened */
		log_info("slack: form submission of %s from %s in %s refused", cmd->name, in->user_id, meta.channel);
		payload = slack_form_errors(cmd, in, SIZE_MAX, why ? why : "You may not run this report here.");
	} else {
		struct strlist words;
		struct invocation inv;
		size_t at = SIZE_MAX;
		strlist_init(&words);
		slack_form_words(cmd, in, &words);
		if (args_bind_at(cmd, slash, words.v, words.n, time(NULL), &inv, &cause, &at) < 0) {
			payload = slack_form_errors(cmd, in, at, cause);
		} else {
			invocation_release(&inv);
			struct dispatch_request req = { .user_id = in->user_id, .channel_id = meta.channel,
							.delivery = f->delivery };
			struct dispatch_reply reply;
			memset(&reply, 0, sizeof(reply));
			dispatch_report(app, &req, cat, cmd, words.v, words.n, &reply);
			if (reply.mistake) {
				payload = slack_form_errors(cmd, in, SIZE_MAX, reply.text);
			} else {
				log_info("slack: form from %s in %s: queued run %lld", in->user_id, meta.channel,
					 (long long)reply.run_id);
				struct task *t = task_new(TASK_TELL, in->user_id, meta.channel);
				t->text = reply.text;
				reply.text = NULL;
				enqueue(f, t);
			}
			dispatch_reply_release(&reply);
		}
		strlist_release(&words);
	}
	free(why);
	free(cause);
	slack_form_meta_release(&meta);
	catalog_put(cat);
	return payload;
}

char *slack_forms_interaction(struct slack_forms *f, const char *data, size_t len)
{
	struct slack_form_event in;
	char *cause = NULL, *payload = NULL;
	if (slack_form_event_parse(data, len, &in, &cause) < 0) {
		log_warn("slack: interactive envelope not read: %s", cause);
		free(cause);
		slack_form_event_release(&in);
		return NULL;
	}
	if (!in.callback_id || strcmp(in.callback_id, SLACK_FORM_CALLBACK) != 0) {
		slack_form_event_release(&in);   /* not the report form */
		return NULL;
	}
	if (in.type == SLACK_FORM_EVENT_BLOCK_ACTIONS && in.action_id &&
	    !strcmp(in.action_id, SLACK_FORM_PICKER) && in.view_id) {
		struct slack_form_meta meta;
		if (slack_form_meta_parse(in.private_metadata, &meta, &cause) == 0) {
			struct task *t = task_new(TASK_UPDATE, in.user_id, meta.channel);
			t->view_id = xstrdup(in.view_id);
			t->hash = xstrdup(in.view_hash);
			t->report = xstrdup(in.action_value);
			enqueue(f, t);
			slack_form_meta_release(&meta);
		} else {
			log_warn("slack: form choice from %s: %s", in.user_id, cause);
			free(cause);
		}
	} else if (in.type == SLACK_FORM_EVENT_VIEW_SUBMISSION) {
		payload = on_submission(f, &in);
	}
	slack_form_event_release(&in);
	return payload;
}
