/*
 * schedule-delivery.c: the delivery of scheduled runs, around the inner
 * one (bot/schedule-delivery.h): skip_empty, only_changed, the slot's
 * outcome, the retry note and the alert channel.
 */
#include "common.h"
#include "bot/schedule-delivery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/schedule-timer.h"
#include "common/log.h"

/* data_dir/schedules/NAME.csv: the last CSV posted, for only_changed. */
static char *last_posted_path(const struct schedule_delivery *sd, const char *schedule)
{
	return xasprintf("%s/schedules/%s.csv", sd->data_dir, schedule);
}

void schedule_delivery_forget(const struct schedule_delivery *sd, const char *schedule)
{
	char *last = last_posted_path(sd, schedule);
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

/* skip_empty and only_changed: whether a good result should be held back. */
static bool hold_back(const struct schedule_delivery *sd, const struct job *job,
		      const struct report_result *res, const char *csv_path)
{
	if (job->skip_empty && res->rows == 0) {
		log_info("schedule %s: no rows, not posted (skip_empty)", job->schedule);
		return true;
	}
	if (job->only_changed) {
		char *last = last_posted_path(sd, job->schedule);
		int same = same_bytes(last, csv_path);
		free(last);
		if (same) {
			log_info("schedule %s: same CSV as last posted, not posted (only_changed)",
				 job->schedule);
			return true;
		}
	}
	return false;
}

/* Keep a copy of what was posted, for only_changed next time. */
static void keep_posted(const struct schedule_delivery *sd, const struct job *job, const char *csv_path)
{
	char *dir = xasprintf("%s/schedules", sd->data_dir);
	char *last = last_posted_path(sd, job->schedule);
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

/* Whether the shutdown cut this run short (bot/job-pool.c). */
static bool stopping(const struct job *job)
{
	return atomic_load(&job->cancel_requested) == JOB_CANCEL_SHUTDOWN;
}

/*
 * Record the slot's outcome with the timer. Returns an allocated note for
 * the person when a retry is scheduled ("will retry at 09:05:00 (attempt
 * 2 of 3)"), else NULL.
 */
static char *record_outcome(const struct schedule_delivery *sd, const struct job *job,
			    enum slot_status st, const char *error)
{
	time_t retry_at = 0;

	if (!sd->timer)
		return NULL;
	int r = scheduler_report_outcome(sd->timer, job->schedule, job->slot_ms, st, job->run_id,
					 error, &retry_at);
	/* After the slot is written: tests wait for this line before reading
	 * /report schedules, people read it in the log. */
	char slot_text[32];
	local_time_text((time_t)(job->slot_ms / 1000), "%Y-%m-%d %H:%M", slot_text, sizeof(slot_text));
	log_info("schedule %s: slot %s recorded %s (run %lld)", job->schedule, slot_text,
		 r == 1 ? "retrying" : slot_status_name(st), (long long)job->run_id);
	if (r != 1)
		return NULL;
	char when[32];
	local_time_text(retry_at, "%H:%M:%S", when, sizeof(when));
	/* The retry is kept in the store: a stop does not lose it, but a bot
	 * that is down then runs it when it is back. */
	if (stopping(job))
		return xasprintf("will retry at %s (attempt %d of %d), or when the bot is back if it is "
				 "still down then", when, job->attempt + 1, sd->max_attempts);
	return xasprintf("will retry at %s (attempt %d of %d)", when, job->attempt + 1, sd->max_attempts);
}

/*
 * A failed run (res->status is not ok): record the slot, tell the channel
 * with the retry note, and the alert channel when no retry is left.
 * Returns what the inner post returned.
 */
static int post_failure(const struct schedule_delivery *sd, void *wstate, const struct job *job,
			const struct report_result *res, char **cause)
{
	const struct delivery *in = sd->inner;
	char *note = record_outcome(sd, job, SLOT_ERROR, res->error);
	const char *error = res->error ? res->error : run_status_name(res->status);
	if (res->status == RUN_CANCELLED && stopping(job))
		error = "the bot shut down before it finished";
	char *why = xasprintf("Scheduled report *%s* failed: %s%s%s", job->schedule, error,
			      note ? "; " : "", note ? note : "");
	struct report_result shown = *res;
	shown.error = why;
	int rc = in->post_result ? in->post_result(in->ctx, wstate, job, &shown, NULL, cause) : 0;

	/* The alert channel hears of failures for good, not of each retry. */
	if (!note && sd->alert_channel && in->post_text &&
	    (!job->channel_id || strcmp(sd->alert_channel, job->channel_id))) {
		struct job alert = *job;
		char *err = NULL;
		alert.channel_id = (char *)sd->alert_channel;
		if (in->post_text(in->ctx, wstate, &alert, why, &err) < 0) {
			log_warn("could not post a reply to %s: %s", sd->alert_channel,
				 err ? err : "unknown error");
			free(err);
		}
	}
	free(why);
	free(note);
	return rc;
}

static int sched_post_result(void *ctx, void *wstate, const struct job *job,
			     const struct report_result *res, const char *csv_path, char **cause)
{
	const struct schedule_delivery *sd = ctx;
	const struct delivery *in = sd->inner;

	if (res->status == RUN_SKIPPED) {
		free(record_outcome(sd, job, SLOT_SKIPPED, res->error));
		return DELIVERY_HELD;
	}
	if (res->status != RUN_OK)
		return post_failure(sd, wstate, job, res, cause);
	if (hold_back(sd, job, res, csv_path)) {
		free(record_outcome(sd, job, SLOT_SKIPPED, res->error));
		return DELIVERY_HELD;
	}

	char *err = NULL;
	if (!in->post_result || in->post_result(in->ctx, wstate, job, res, csv_path, &err) >= 0) {
		if (job->only_changed && csv_path)
			keep_posted(sd, job, csv_path);
		free(record_outcome(sd, job, SLOT_OK, res->error));
		return 0;
	}
	/* The CSV was made but not delivered: a failure like any other, told
	 * with the retry note; the run becomes an error with the same words
	 * (bot/job-run.c). */
	struct report_result failed = *res;
	char *err2 = NULL;
	failed.status = RUN_ERROR;
	failed.error = delivery_failure_error(err);
	if (post_failure(sd, wstate, job, &failed, &err2) < 0) {
		log_warn("run %lld: delivery failed: %s", (long long)job->run_id, err2 ? err2 : "unknown error");
		free(err2);
	}
	free(failed.error);
	if (cause)
		*cause = err;
	else
		free(err);
	return -1;
}

static int sched_post_text(void *ctx, void *wstate, const struct job *job, const char *text, char **cause)
{
	const struct schedule_delivery *sd = ctx;
	const struct delivery *in = sd->inner;
	return in->post_text ? in->post_text(in->ctx, wstate, job, text, cause) : 0;
}

/* The inner delivery's worker state serves the wrapper too. */
static void *sched_worker_init(void *ctx)
{
	const struct schedule_delivery *sd = ctx;
	return sd->inner->worker_init ? sd->inner->worker_init(sd->inner->ctx) : NULL;
}

static void sched_worker_free(void *ctx, void *wstate)
{
	const struct schedule_delivery *sd = ctx;
	if (sd->inner->worker_free)
		sd->inner->worker_free(sd->inner->ctx, wstate);
}

void schedule_delivery_init(struct schedule_delivery *sd, const struct delivery *inner,
			    struct scheduler *timer, const char *data_dir,
			    const char *alert_channel, int max_attempts)
{
	memset(sd, 0, sizeof(*sd));
	sd->inner = inner;
	sd->timer = timer;
	sd->data_dir = data_dir;
	sd->alert_channel = alert_channel;
	sd->max_attempts = max_attempts;
	sd->delivery.ctx = sd;
	sd->delivery.worker_init = sched_worker_init;
	sd->delivery.worker_free = sched_worker_free;
	sd->delivery.post_text = sched_post_text;
	sd->delivery.post_result = sched_post_result;
}
