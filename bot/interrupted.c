/*
 * interrupted.c: runs a crash cut short, told where they were asked, once
 * (bot/interrupted.h).
 */
#include "common.h"
#include "bot/interrupted.h"

#include <time.h>

#include "bot/access.h"
#include "bot/app.h"
#include "bot/job-pool.h"
#include "common/log.h"
#include "common/markup.h"
#include "common/strbuf.h"
#include "store/history.h"
#include "store/schedule-store.h"

#define SCHEDULER_USER "scheduler"    /* the user dispatch records for scheduled runs */

static void mark_told(struct app *app, int64_t id)
{
	char *cause = NULL;
	if (history_mark_interrupted_told(app->history, id, &cause) < 0) {
		log_warn("run %lld: %s", (long long)id, cause);
		free(cause);
	}
}

/* "`monthly` customer=acme month=2024-11 (run 12)" into sb. */
static void add_run(struct strbuf *sb, const struct run_record *r)
{
	strbuf_addf(sb, "`%s`", r->command ? r->command : "?");
	if (r->args && *r->args)
		strbuf_addf(sb, " %s", r->args);
	strbuf_addf(sb, " (run %lld", (long long)r->id);
}

/* When the bot stopped: a run left queued (still waiting for a worker,
 * recorded by the reserve's recorder) never started. */
static const char *stopped_when(const struct run_record *r)
{
	return r->started_ms ? "while it ran" : "before it started";
}

/* May r's report and arguments be named in its channel? See the header. */
static bool public_in_channel(const struct app *app, const struct run_record *r)
{
	struct catalog *cat = app_catalog(app);
	const struct command *cmd = r->command ? catalog_find(cat, r->command) : NULL;
	bool shown = cmd && cmd->nallow == 0 && access_may_run(app->access, cmd, r->user, r->channel, NULL);
	catalog_put(cat);
	return shown;
}

/* Post TEXT through the inner delivery as JOB says (a person: ephemeral;
 * else the channel). */
static int post(const struct interrupted_delivery *d, void *wstate, const struct job *job,
		const char *text, char **cause)
{
	const struct delivery *in = d->inner;
	return in->post_text ? in->post_text(in->ctx, wstate, job, text, cause) : 0;
}

static int tell_scheduled(const struct interrupted_delivery *d, void *wstate, const struct job *job,
			  const struct run_record *r, char **cause)
{
	struct app *app = d->app;
	struct slot_record slot;
	char *schedule = NULL, *why = NULL;
	struct strbuf sb;

	if (schedule_store_slot_of_run(app->history, r->id, &schedule, &slot, &why) < 0) {
		log_warn("run %lld: %s", (long long)r->id, why);
		free(why);
	}
	strbuf_init(&sb);
	if (schedule)
		strbuf_addf(&sb, "Scheduled report *%s*: ", schedule);
	else
		strbuf_adds(&sb, "A scheduled report: ");
	add_run(&sb, r);
	strbuf_addf(&sb, ") was interrupted: the bot stopped %s, so nothing was posted", stopped_when(r));
	if (schedule)
		strbuf_adds(&sb, "; `schedules` shows whether it is retried");
	strbuf_adds(&sb, ".");

	struct job shown = *job;
	shown.schedule = schedule ? schedule : (char *)SCHEDULER_USER;
	shown.user_id = (char *)SCHEDULER_USER;
	int rc = post(d, wstate, &shown, sb.buf, cause);
	strbuf_release(&sb);
	free(schedule);
	return rc;
}

static int tell_person(const struct interrupted_delivery *d, void *wstate, const struct job *job,
		       const struct run_record *r, char **cause)
{
	char when[32];
	struct strbuf sb;
	char *err = NULL;

	local_time_text((time_t)(r->queued_ms / 1000), "%Y-%m-%d %H:%M", when, sizeof(when));
	strbuf_init(&sb);
	add_run(&sb, r);
	strbuf_addf(&sb, "), which you asked for here at %s, was interrupted: the bot stopped %s, "
		    "so no CSV was posted. Ask again when you need it.", when, stopped_when(r));
	struct job asker = *job;
	asker.response_url = NULL;
	int rc = post(d, wstate, &asker, sb.buf, &err);
	strbuf_release(&sb);
	if (rc == 0)
		return 0;

	/* No private way left: the channel, naming only what it may see. */
	log_info("run %lld: the ephemeral notice to %s failed (%s); telling the channel", (long long)r->id,
		 r->user, err ? err : "unknown error");
	free(err);
	strbuf_init(&sb);
	markup_add_user(&sb, r->user);
	if (public_in_channel(d->app, r)) {
		strbuf_adds(&sb, ": ");
		add_run(&sb, r);
		strbuf_adds(&sb, "), which you asked for here,");
	} else {
		strbuf_addf(&sb, ": a report you asked for here (run %lld)", (long long)r->id);
	}
	strbuf_addf(&sb, " was interrupted: the bot stopped %s. Ask again when you need it.",
		    stopped_when(r));
	struct job channel = *job;
	channel.user_id = (char *)SCHEDULER_USER;   /* not a person: a channel message */
	channel.response_url = NULL;
	rc = post(d, wstate, &channel, sb.buf, cause);
	strbuf_release(&sb);
	return rc;
}

/* post_text of the notice job: TEXT is ignored, the run is read again
 * from the history (the truth), told, and marked told. */
static int idl_post_text(void *ctx, void *wstate, const struct job *job, const char *text, char **cause)
{
	const struct interrupted_delivery *d = ctx;
	struct run_record r;
	char *why = NULL;
	int rc;

	(void)text;
	rc = history_get(d->app->history, job->run_id, &r, &why);
	if (rc != 0 || r.status != RUN_INTERRUPTED || !r.channel) {
		if (rc < 0) {
			fail(cause, "run %lld: %s", (long long)job->run_id, why);
			free(why);
		} else {
			mark_told(d->app, job->run_id);
		}
		history_record_release(&r);
		return rc < 0 ? -1 : 0;
	}
	if (r.user && strcmp(r.user, SCHEDULER_USER) == 0)
		rc = tell_scheduled(d, wstate, job, &r, cause);
	else if (access_is_person(r.user))
		rc = tell_person(d, wstate, job, &r, cause);
	else
		rc = 0;   /* the operator's own run (console): nobody in Slack asked */
	if (rc == 0)
		log_info("run %lld: its interruption was told in %s", (long long)r.id, r.channel);
	mark_told(d->app, r.id);
	history_record_release(&r);
	return rc;
}

static void *idl_worker_init(void *ctx)
{
	const struct interrupted_delivery *d = ctx;
	return d->inner->worker_init ? d->inner->worker_init(d->inner->ctx) : NULL;
}

static void idl_worker_free(void *ctx, void *wstate)
{
	const struct interrupted_delivery *d = ctx;
	if (d->inner->worker_free)
		d->inner->worker_free(d->inner->ctx, wstate);
}

void interrupted_delivery_init(struct interrupted_delivery *d, struct app *app,
			       const struct delivery *inner)
{
	memset(d, 0, sizeof(*d));
	d->app = app;
	d->inner = inner;
	d->delivery.ctx = d;
	d->delivery.worker_init = idl_worker_init;
	d->delivery.worker_free = idl_worker_free;
	d->delivery.post_text = idl_post_text;
}

int interrupted_announce(struct interrupted_delivery *d, char **cause)
{
	struct app *app = d->app;
	struct run_record *recs = NULL;
	size_t n = 0;
	int queued = 0;

	if (history_list_interrupted(app->history, INTERRUPTED_MAX + 1, &recs, &n, cause) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct run_record *r = &recs[i];
		if (!r->channel || i >= INTERRUPTED_MAX) {
			if (r->channel)
				log_warn("run %lld (%s) was interrupted; more than %d were, so it is not told",
					 (long long)r->id, r->command ? r->command : "?", INTERRUPTED_MAX);
			mark_told(app, r->id);
			continue;
		}
		struct job *job = job_new(JOB_NOTICE);
		job->run_id = r->id;
		job->channel_id = xstrdup(r->channel);
		job->user_id = xstrdup(r->user ? r->user : SCHEDULER_USER);
		job->delivery = &d->delivery;
		if (!app->pool || pool_submit(app->pool, job, NULL) < 0) {
			log_warn("run %lld (%s) was interrupted; the queue did not take its notice, so it is "
				 "not told", (long long)r->id, r->command ? r->command : "?");
			job_free(job);
			mark_told(app, r->id);
			continue;
		}
		log_info("run %lld (%s %s, asked by %s in %s) was interrupted when the bot stopped; telling it",
			 (long long)r->id, r->command ? r->command : "?", r->args ? r->args : "",
			 r->user ? r->user : "?", r->channel);
		queued++;
	}
	history_records_free(recs, n);
	if (queued == 0)
		log_info("interrupted runs: none to tell");
	return queued;
}
