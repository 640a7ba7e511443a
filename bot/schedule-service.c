/*
 * schedule-service.c: the schedules wired into the bot
 * (bot/schedule-service.h): the timer (bot/schedule-timer.c, when), dispatch
 * (what), the schedule delivery (bot/schedule-delivery.c, skip_empty,
 * only_changed, outcomes, failure posts) and the store for Slack-made
 * schedules.
 */
#include "common.h"
#include "bot/schedule-service.h"

#include <pthread.h>
#include <time.h>

#include "bot/app.h"
#include "bot/dispatch.h"
#include "common/env.h"
#include "bot/job-pool.h"
#include "bot/schedule-delivery.h"
#include "bot/schedule-timer.h"
#include "common/log.h"
#include "common/markup.h"

struct schedule_service {
	struct app *app;                    /* borrowed */
	struct scheduler *timer;            /* owned */
	struct schedule_delivery delivery;  /* scheduled runs post through it */
	pthread_mutex_t edit_lock;          /* one add/remove at a time, so the
	                                     * timer and the store change together */
};

/* Post TEXT for schedule NAME to CHANNEL through a worker (a notice job,
 * never on this thread); dropped with a log line when the pool refuses. */
static void post_notice(struct schedule_service *svc, const char *channel, const char *name,
			const char *text)
{
	struct job *job = job_new(JOB_NOTICE);
	job->channel_id = xstrdup(channel);
	job->user_id = xstrdup("scheduler");
	job->schedule = xstrdup(name);
	job->delivery = svc->delivery.inner;
	job->args_shown = xstrdup(text);
	if (!svc->app->pool || pool_submit(svc->app->pool, job, NULL) < 0) {
		log_warn("schedule %s: a notice for %s was not posted: the queue did not take it", name, channel);
		job_free(job);
	}
}

/* gave_up callback: a slot a stopped bot left is given up at start; the
 * channel hears why, and the alert channel, as for a failure for good. */
static void schedules_gave_up(void *ctx, const struct scheduled_fire *f, const char *why)
{
	struct schedule_service *svc = ctx;
	const char *alert = svc->app->cfg.alert_channel;
	char slot[32];
	local_time_text((time_t)(f->slot_ms / 1000), "%Y-%m-%d %H:%M", slot, sizeof(slot));
	char *text = xasprintf("Scheduled report *%s* (`%s %s`, slot %s) failed: %s; not retried",
			       f->schedule, svc->app->cfg.command, f->run, slot, why);
	post_notice(svc, f->channel, f->schedule, text);
	if (alert && *alert && strcmp(alert, f->channel) != 0)
		post_notice(svc, alert, f->schedule, text);
	free(text);
}

/* submit callback: queue the fire exactly as if a person typed its line. */
static int schedules_submit(void *ctx, const struct scheduled_fire *f, char **cause)
{
	struct schedule_service *svc = ctx;
	struct app *app = svc->app;
	struct dispatch_request req = {
		.text = f->run,
		.user_id = "scheduler",
		.channel_id = f->channel,
		.schedule = f->schedule,
		.slot_ms = f->slot_ms,
		.now = (time_t)(f->slot_ms / 1000),
		.attempt = f->attempt,
		.skip_empty = f->skip_empty,
		.only_changed = f->only_changed,
		.delivery = &svc->delivery.delivery,
	};
	struct dispatch_reply reply;

	dispatch_line(app, &req, &reply);
	int ret = 0;
	if (!reply.run_id) {
		/* The schedule's text no longer binds (a report renamed, a
		 * param added) or the queue is full: the scheduler logs it
		 * and retries; the channel hears about it through a notice. */
		char *plain = markup_plain(reply.text);   /* for the log */
		ret = fail(cause, "%s", plain ? plain : "the report could not be queued");
		free(plain);
		struct job *job = job_new(JOB_NOTICE);
		job->channel_id = xstrdup(f->channel);
		job->user_id = xstrdup("scheduler");
		job->schedule = xstrdup(f->schedule);
		job->delivery = svc->delivery.inner;
		job->args_shown = xasprintf("Scheduled report *%s* (`%s %s`) could not start: %s",
					    f->schedule, app->cfg.command, f->run,
					    reply.text ? reply.text : "unknown reason");
		if (!app->pool || pool_submit(app->pool, job, NULL) < 0)
			job_free(job);
	}
	/* No status update here: a fast run may have ended on a worker
	 * already, and writing "claimed" now would overwrite its outcome. The
	 * worker records the run id with the outcome (bot/schedule-delivery.c);
	 * until then the claimed slot names its run, so a crash's interrupted
	 * run is told with its schedule (bot/interrupted.c). */
	if (reply.run_id) {
		char *why = NULL;
		if (schedule_store_note_run(app->history, f->schedule, f->slot_ms, reply.run_id, &why) < 0) {
			log_warn("schedule %s: %s", f->schedule, why);
			free(why);
		}
	}
	dispatch_reply_release(&reply);
	return ret;
}

static int add_def(struct scheduler *s, const char *name, const char *cron, const char *run,
		   const char *channel, bool skip_empty, bool only_changed, bool from_config,
		   int64_t created_ms, char **cause)
{
	struct schedule_def def = {
		.name = (char *)name,
		.cron = (char *)cron,
		.run = (char *)run,
		.channel = (char *)channel,
		.skip_empty = skip_empty,
		.only_changed = only_changed,
		.from_config = from_config,
		.created_ms = created_ms,
	};
	return scheduler_add(s, &def, cause);
}

static void service_free(struct schedule_service *svc)
{
	if (!svc)
		return;
	scheduler_free(svc->timer);
	pthread_mutex_destroy(&svc->edit_lock);
	free(svc);
}

int schedules_start(struct app *app, const struct delivery *d, bool run, char **cause)
{
	struct stored_schedule *stored = NULL;
	size_t nstored = 0;
	struct schedule_service *svc;

	struct scheduler_options opt = {
		.catch_up_seconds = app->cfg.catch_up_minutes * 60,
		.retries = app->cfg.schedule_retries,
		.retry_backoff_seconds = app->cfg.schedule_retry_backoff,
		.submit = schedules_submit,
		.gave_up = schedules_gave_up,
	};
	/* Test hook (documented in docs/schedules.md): shift the scheduler's
	 * clock so integration tests need not wait for a real minute. */
	long long v;     /* seconds, at most a century either way */
	int set = env_number("REPORTBOT_CLOCK_OFFSET", -3155760000LL, 3155760000LL, &v, cause);
	if (set < 0)
		return -1;
	if (set) {
		opt.clock_offset = (time_t)v;
		log_warn("scheduler clock shifted by %lld s (REPORTBOT_CLOCK_OFFSET; for tests only)", v);
	}
	svc = xcalloc(1, sizeof(*svc));
	svc->app = app;
	pthread_mutex_init(&svc->edit_lock, NULL);
	opt.submit_ctx = svc;
	if (scheduler_new(&svc->timer, app->history, &opt, cause) < 0)
		goto fail;
	schedule_delivery_init(&svc->delivery, d, svc->timer, app->cfg.data_dir, app->cfg.alert_channel,
			       app->cfg.schedule_retries + 1);
	for (size_t i = 0; i < app->cfg.nschedules; i++) {
		const struct schedule_config *sc = &app->cfg.schedules[i];
		if (add_def(svc->timer, sc->name, sc->cron, sc->run, sc->channel, sc->skip_empty,
			    sc->only_changed, true, 0, cause) < 0)
			goto fail;
	}
	if (schedule_store_list(app->history, &stored, &nstored, cause) < 0)
		goto fail;
	for (size_t i = 0; i < nstored; i++) {
		char *why = NULL;
		const struct stored_schedule *ss = &stored[i];
		/* A Slack-made schedule that clashes with a config one is
		 * skipped with a warning rather than stopping the bot. */
		if (add_def(svc->timer, ss->name, ss->cron, ss->run, ss->channel, ss->skip_empty,
			    ss->only_changed, false, ss->created_ms, &why) < 0) {
			log_warn("schedule %s from Slack left out: %s", ss->name, why);
			free(why);
		}
	}
	stored_schedules_free(stored, nstored);
	if (run && scheduler_start(svc->timer, cause) < 0)
		goto fail;
	app->schedules = svc;
	return 0;
fail:
	service_free(svc);
	return -1;
}

void schedules_stop_firing(struct app *app)
{
	if (app->schedules)
		scheduler_stop(app->schedules->timer);
}

void schedules_stop(struct app *app)
{
	service_free(app->schedules);
	app->schedules = NULL;
}

struct scheduler *schedules_timer(struct schedule_service *svc)
{
	return svc->timer;
}

int schedules_add(struct schedule_service *svc, const struct stored_schedule *ss, char **cause)
{
	struct stored_schedule row = *ss;
	char *why = NULL;

	pthread_mutex_lock(&svc->edit_lock);
	row.created_ms = (int64_t)scheduler_time(svc->timer) * 1000;
	/* The timer refuses a name in use (config ones included) first. */
	int ret = add_def(svc->timer, row.name, row.cron, row.run, row.channel, row.skip_empty,
			  row.only_changed, false, row.created_ms, cause);
	if (ret == 0) {
		int r = schedule_store_add(svc->app->history, &row, &why);
		if (r != 0) {
			scheduler_remove(svc->timer, row.name, NULL);
			ret = fail(cause, "%s", r > 0 ? "a schedule of that name exists already" : why);
		}
	}
	pthread_mutex_unlock(&svc->edit_lock);
	free(why);
	return ret;
}

int schedules_remove(struct schedule_service *svc, const char *name, char **cause)
{
	struct schedule_def def;
	int ret = -1;

	memset(&def, 0, sizeof(def));
	pthread_mutex_lock(&svc->edit_lock);
	/* The timer refuses unknown and config schedules first; on a store
	 * failure it gets the schedule back as it was. */
	if (scheduler_get(svc->timer, name, &def, cause) < 0 ||
	    scheduler_remove(svc->timer, name, cause) < 0)
		goto out;
	if (schedule_store_remove(svc->app->history, name, cause) < 0) {
		char *why = NULL;
		if (scheduler_add(svc->timer, &def, &why) < 0) {
			log_error("schedule %s: removed from the timer only, the store kept it: %s", name, why);
			free(why);
		}
		goto out;
	}
	schedule_delivery_forget(&svc->delivery, name);
	ret = 0;
out:
	pthread_mutex_unlock(&svc->edit_lock);
	schedule_def_release(&def);
	return ret;
}
