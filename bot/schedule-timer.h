/*
 * schedule-timer.h: when scheduled reports are due, decided against the
 * schedule store so each slot (schedule name + scheduled minute) runs at
 * most once, across restarts.
 *
 * Independent of Slack, the worker pool and the config loader: it takes
 * plain schedule_defs and hands each due slot to a submit callback (which
 * queues the report like a person's). The clock is injectable, so tests
 * drive scheduler_tick with made-up times and never wait.
 *
 * The rules (docs/schedules.md says the same for people):
 *   - Each tick, every slot of a schedule in (last seen, now] is dealt
 *     with once: the latest runs when it is at most max(catch-up window,
 *     SCHEDULER_GRACE) old, every older one is recorded "missed" (at most
 *     SCHEDULER_MAX_MISSED of them per tick). So a schedule never runs
 *     more than once per tick: no backlog flood after downtime.
 *   - On the first tick after start, "last seen" is the schedule's latest
 *     slot in the store. A schedule with no slot there yet looks back to
 *     its creation (Slack-made ones, def.created_ms), or, for a config
 *     schedule, only SCHEDULER_GRACE: it may have been added to the file
 *     just now, and a new schedule does not run at once for a slot from
 *     before the bot knew it.
 *   - To run a slot the scheduler first claims it in the store
 *     (schedule_store_claim); a slot already claimed is never submitted.
 *   - A failed attempt (scheduler_report_result with ok false, or a
 *     submit that fails) with attempts left is retried by a later tick,
 *     same slot, attempt + 1, after retry_backoff seconds doubling each
 *     time; the slot shows "retrying". The last failure leaves "error".
 *   - Retries survive a stop: the store keeps each slot's attempt and
 *     its time. On the first tick a slot still "retrying" is retried at
 *     its time (at once if that passed), and a slot still "claimed" (the
 *     process stopped while its attempt ran: a crash) is retried at once
 *     as attempt + 1. Either is given up as "error" instead, and handed
 *     to the gave_up callback, when no attempt is left or its time (the
 *     retry's, or the cut attempt's start) is older than the catch-up
 *     window (at least SCHEDULER_GRACE).
 *
 * Thread safety: every function may be called from any thread (one mutex
 * inside); submit is called without that mutex held, so it may call back
 * into the scheduler.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <time.h>

#include "common.h"
#include "store/history.h"
#include "store/schedule-store.h"

/* A slot at most this old always runs, whatever the catch-up window, so a
 * tick a little late (a busy machine) never turns a slot into a miss. */
#define SCHEDULER_GRACE 60
/* The most missed slots one tick records per schedule (the latest ones). */
#define SCHEDULER_MAX_MISSED 100

struct schedule_def {
	char *name;           /* letters, digits, '-', '_', '.'; up to 64 */
	char *cron;           /* common/cron.h syntax, in the process time zone */
	char *run;            /* what a person would type after /report */
	char *channel;
	bool skip_empty;
	bool only_changed;
	bool from_config;     /* true: cannot be removed from Slack */
	int64_t created_ms;   /* Slack-made: slots before this never run; 0 unknown */
};

/* One slot to run, handed to submit. Strings are borrowed for the call. */
struct scheduled_fire {
	const char *schedule;
	const char *run;
	const char *channel;
	bool skip_empty;
	bool only_changed;
	int64_t slot_ms;      /* the scheduled minute, ms since the epoch */
	int attempt;          /* 1 for the first try */
	int max_attempts;     /* 1 + retries */
	bool late;            /* a slot caught up on start, later than its time */
};

struct scheduler_options {
	int catch_up_seconds;        /* see the rules above; 0 = only the grace */
	int retries;                 /* extra attempts after a failure */
	int retry_backoff_seconds;   /* delay before the first retry, doubling */
	/* Now, in seconds since the epoch; NULL means time(NULL) + clock_offset. */
	time_t (*clock)(void *ctx);
	/* With the default clock: seconds added to the real time, so tests of
	 * the running loop can stand just before a minute (the loop's sleeps
	 * are shifted by the same amount). 0 in production. */
	time_t clock_offset;
	void *clock_ctx;
	/* Queue the run; must not block. On -1, *cause (allocated) says why;
	 * that counts as a failed attempt. */
	int (*submit)(void *ctx, const struct scheduled_fire *f, char **cause);
	void *submit_ctx;
	/* Optional, called with submit_ctx: a slot a stopped process left
	 * unsettled was given up on the first tick (recorded "error"); f is
	 * the slot with its last attempt, WHY the reason in words. Called
	 * without the scheduler's lock; must not block. */
	void (*gave_up)(void *ctx, const struct scheduled_fire *f, const char *why);
};

struct scheduler;

/* STORE is borrowed and must outlive the scheduler. */
int scheduler_new(struct scheduler **out, struct history *store,
		  const struct scheduler_options *opt, char **cause);
void scheduler_free(struct scheduler *s);   /* stops the loop; NULL ok */

/* Add a copy of DEF. Fails with a cause naming the problem for a bad
 * name, cron text (cron_parse's message), empty run or channel, or a name
 * in use. Slots of a new schedule are considered from the next tick. */
int scheduler_add(struct scheduler *s, const struct schedule_def *def, char **cause);
/* Forget NAME. Fails for an unknown name and for a config schedule. */
int scheduler_remove(struct scheduler *s, const char *name, char **cause);
/* A copy of NAME's definition into *out (release with
 * schedule_def_release); -1 for an unknown name. */
int scheduler_get(struct scheduler *s, const char *name, struct schedule_def *out, char **cause);

/*
 * Deal with everything due at NOW: claim and submit due slots, record
 * missed ones, submit due retries. Returns the number of attempts
 * submitted, or -1 when the store failed (logged; the next tick tries
 * again).
 */
int scheduler_tick(struct scheduler *s, time_t now);

/* The scheduler's idea of now (the clock option, or the real time plus
 * clock_offset), for stamping Slack-made schedules. */
time_t scheduler_time(struct scheduler *s);

/* When the next tick has something to do: the earliest next slot or
 * retry; a time at or before now if a tick is due at once (a schedule not
 * started yet); -1 when nothing is scheduled. */
time_t scheduler_next_wakeup(struct scheduler *s);

/*
 * The outcome of attempt at slot (NAME, SLOT_MS), from the worker.
 * ok: the slot becomes "ok". Not ok: with attempts left the slot becomes
 * "retrying" and *retry_at (may be NULL) gets when; else "error". CAUSE
 * (may be NULL) is logged. Returns 1 when a retry is scheduled, 0 when the
 * slot is done, -1 on a store error.
 */
int scheduler_report_result(struct scheduler *s, const char *name, int64_t slot_ms,
			    bool ok, const char *cause);
/* Like scheduler_report_result with the final status spelled out
 * (SLOT_OK, SLOT_SKIPPED or SLOT_ERROR) and the run id to record (0 keeps
 * it). */
int scheduler_report_outcome(struct scheduler *s, const char *name, int64_t slot_ms,
			     enum slot_status status, int64_t run_id, const char *cause,
			     time_t *retry_at);

/* What `/report schedules` shows, one per schedule, by name. */
struct schedule_info {
	struct schedule_def def;     /* owned copies */
	time_t next;                 /* next slot, -1 if none */
	bool has_last;
	struct slot_record last;     /* the latest slot that was not missed */
	int64_t missed;              /* slots missed since that one, plus those
	                              * missed just before a catch-up run by this process */
	time_t retry_at;             /* a pending retry, 0 if none */
};
int scheduler_list(struct scheduler *s, struct schedule_info **out, size_t *n, char **cause);
void schedule_infos_free(struct schedule_info *v, size_t n);
void schedule_def_release(struct schedule_def *d);   /* frees the strings */

/*
 * The real loop: a thread that ticks, then sleeps on a condition variable
 * until scheduler_next_wakeup (woken early by add, remove and a scheduled
 * retry). Uses CLOCK_REALTIME, so use it with the default clock only.
 */
int scheduler_start(struct scheduler *s, char **cause);
void scheduler_stop(struct scheduler *s);    /* joins; no-op if not started */

#endif
