/*
 * schedule-service.c: glue between bot/schedule-timer.c (when), dispatch (what) and
 * the worker (skip_empty, only_changed, retries, failure posts).
 */
#include "common.h"
#include "bot/schedule-service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bot/dispatch.h"
#include "common/env.h"
#include "common/log.h"
#include "bot/job-pool.h"
#include "bot/schedule-timer.h"
#include "store/schedule-store.h"

struct schedules_ctx {
	struct app *app;
	const struct delivery *delivery;
};

/* One context per process: serve and console each start at most one. */
static struct schedules_ctx schedules_ctx;

/* submit callback: queue the fire exactly as if a person typed its line. */
static int schedules_submit(void *ctx, const struct scheduled_fire *f, char **cause)
{
	struct schedules_ctx *c = ctx;
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
		.delivery = c->delivery,
	};
	struct dispatch_reply reply;

	dispatch_line(c->app, &req, &reply);
	int ret = 0;
	if (!reply.run_id) {
		/* The schedule's text no longer binds (a report renamed, a
		 * param added) or the queue is full: the scheduler logs it
		 * and retries; the channel hears about it through a notice. */
		ret = fail(cause, "%s", reply.text ? reply.text : "the report could not be queued");
		struct job *job = job_new(JOB_NOTICE);
		job->channel_id = xstrdup(f->channel);
		job->user_id = xstrdup("scheduler");
		job->schedule = xstrdup(f->schedule);
		job->delivery = c->delivery;
		job->args_shown = xasprintf("Scheduled report *%s* (`%s %s`) could not start: %s",
					    f->schedule, c->app->cfg.command, f->run,
					    reply.text ? reply.text : "unknown reason");
		if (!c->app->pool || pool_submit(c->app->pool, job, NULL) < 0)
			job_free(job);
	}
	/* No slot update here: a fast run may have ended on a worker already,
	 * and writing "claimed" now would overwrite its outcome. The worker
	 * records the run id with the outcome (schedules_record_outcome). */
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

int schedules_start(struct app *app, const struct delivery *d, bool run, char **cause)
{
	struct scheduler *s = NULL;
	struct stored_schedule *stored = NULL;
	size_t nstored = 0;

	schedules_ctx.app = app;
	schedules_ctx.delivery = d;
	struct scheduler_options opt = {
		.catch_up_seconds = app->cfg.catch_up_minutes * 60,
		.retries = app->cfg.schedule_retries,
		.retry_backoff_seconds = app->cfg.schedule_retry_backoff,
		.submit = schedules_submit,
		.submit_ctx = &schedules_ctx,
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
	if (scheduler_new(&s, app->history, &opt, cause) < 0)
		return -1;
	for (size_t i = 0; i < app->cfg.nschedules; i++) {
		const struct schedule_config *sc = &app->cfg.schedules[i];
		if (add_def(s, sc->name, sc->cron, sc->run, sc->channel, sc->skip_empty,
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
		if (add_def(s, ss->name, ss->cron, ss->run, ss->channel, ss->skip_empty,
			    ss->only_changed, false, ss->created_ms, &why) < 0) {
			log_warn("schedule %s from Slack left out: %s", ss->name, why);
			free(why);
		}
	}
	stored_schedules_free(stored, nstored);
	if (run && scheduler_start(s, cause) < 0)
		goto fail;
	app->scheduler = s;
	return 0;
fail:
	scheduler_free(s);
	return -1;
}

void schedules_stop(struct app *app)
{
	scheduler_free(app->scheduler);
	app->scheduler = NULL;
}

/* data_dir/schedules/NAME.csv: the last CSV posted, for only_changed. */
static char *last_posted_path(struct app *app, const char *schedule)
{
	return xasprintf("%s/schedules/%s.csv", app->cfg.data_dir, schedule);
}

void schedules_forget(struct app *app, const char *schedule)
{
	char *last = last_posted_path(app, schedule);
	if (unlink(last) < 0 && errno != ENOENT)
		log_warn("schedule %s: cannot remove %s: %s", schedule, last, strerror(errno));
	free(last);
}

/* 1 when the two files hold the same bytes, 0 when not (or one is missing). */
static int same_bytes(const char *a, const char *b)
{
	int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
	int same = fa >= 0 && fb >= 0;
	enum { CHUNK = 65536 };
	char *bufa = xmalloc(CHUNK), *bufb = xmalloc(CHUNK);

	while (same) {
		ssize_t na = read(fa, bufa, CHUNK);
		ssize_t nb = na > 0 ? read(fb, bufb, (size_t)na) : read(fb, bufb, 1);
		if (na < 0 || nb < 0 || na != nb || memcmp(bufa, bufb, (size_t)na) != 0)
			same = 0;
		if (na <= 0)
			break;
	}
	free(bufa);
	free(bufb);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

bool schedules_should_post(struct app *app, const struct job *job, struct report_result *res,
			   const char *csv_path)
{
	if (res->status != RUN_OK)
		return true;
	if (job->skip_empty && res->rows == 0) {
		res->status = RUN_SKIPPED;
		log_info("schedule %s: no rows, not posted (skip_empty)", job->schedule);
		return false;
	}
	if (job->only_changed) {
		char *last = last_posted_path(app, job->schedule);
		int same = same_bytes(last, csv_path);
		free(last);
		if (same) {
			res->status = RUN_SKIPPED;
			log_info("schedule %s: same CSV as last posted, not posted (only_changed)",
				 job->schedule);
			return false;
		}
	}
	return true;
}

/* Keep a copy of what was posted, for only_changed next time. */
static void keep_posted(struct app *app, const struct job *job, const char *csv_path)
{
	char *dir = xasprintf("%s/schedules", app->cfg.data_dir);
	char *last = last_posted_path(app, job->schedule);
	char *tmp = xasprintf("%s.tmp", last);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		log_warn("schedule %s: cannot create %s: %s", job->schedule, dir, strerror(errno));
	} else if (link(csv_path, tmp) < 0 && errno != EEXIST) {
		log_warn("schedule %s: cannot keep the posted CSV: %s", job->schedule, strerror(errno));
	} else if (rename(tmp, last) < 0) {
		log_warn("schedule %s: cannot keep the posted CSV: %s", job->schedule, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(last);
	free(dir);
}

char *schedules_record_outcome(struct app *app, const struct job *job,
			       const struct report_result *res, const char *csv_path)
{
	enum slot_status st;
	time_t retry_at = 0;
	char *note = NULL;

	switch (res->status) {
	case RUN_OK:
		st = SLOT_OK;
		if (job->only_changed && csv_path)
			keep_posted(app, job, csv_path);
		break;
	case RUN_SKIPPED:
		st = SLOT_SKIPPED;
		break;
	default:
		st = SLOT_ERROR;
		break;
	}
	if (!app->scheduler)
		return NULL;
	int r = scheduler_report_outcome(app->scheduler, job->schedule, job->slot_ms, st, job->run_id,
					 res->error, &retry_at);
	/* After the slot is written: tests wait for this line before reading
	 * /report schedules, people read it in the log. */
	char slot_text[32];
	local_time_text((time_t)(job->slot_ms / 1000), "%Y-%m-%d %H:%M", slot_text, sizeof(slot_text));
	log_info("schedule %s: slot %s recorded %s (run %lld)", job->schedule, slot_text,
		 r == 1 ? "retrying" : slot_status_name(st), (long long)job->run_id);
	if (r == 1) {
		char when[32];
		local_time_text(retry_at, "%H:%M:%S", when, sizeof(when));
		note = xasprintf("will retry at %s (attempt %d of %d)", when, job->attempt + 1,
				 app->cfg.schedule_retries + 1);
	}
	return note;
}
