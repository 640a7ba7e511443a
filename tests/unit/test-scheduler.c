#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "bot/schedule-delivery.h"
#include "bot/schedule-timer.h"
#include "store/history.h"
#include "store/schedule-store.h"

/* A fake clock, and a submit that records what it was given. */
struct fire_rec {
	char name[64];
	int64_t slot_ms;
	int attempt;
	int max_attempts;
	bool late;
};

struct fixture {
	char dir[64];
	char *path;
	struct history *h;
	time_t now;
	struct fire_rec fires[256];
	size_t nfires;
	int submit_fails;          /* fail this many submits next */
	struct fire_rec gave_up[16];   /* slots given up at start (gave_up callback) */
	char gave_up_why[16][256];
	size_t ngave_up;
};

static time_t fake_clock(void *ctx)
{
	return ((struct fixture *)ctx)->now;
}

static int record_submit(void *ctx, const struct scheduled_fire *f, char **cause)
{
	struct fixture *fx = ctx;
	struct fire_rec *r;

	if (fx->submit_fails > 0) {
		fx->submit_fails--;
		*cause = xstrdup("the queue is full");
		return -1;
	}
	assert_true(fx->nfires < ARRAY_SIZE(fx->fires));
	r = &fx->fires[fx->nfires++];
	snprintf(r->name, sizeof(r->name), "%s", f->schedule);
	r->slot_ms = f->slot_ms;
	r->attempt = f->attempt;
	r->max_attempts = f->max_attempts;
	r->late = f->late;
	assert_non_null(f->run);
	assert_non_null(f->channel);
	return 0;
}

static void record_gave_up(void *ctx, const struct scheduled_fire *f, const char *why)
{
	struct fixture *fx = ctx;
	assert_true(fx->ngave_up < ARRAY_SIZE(fx->gave_up));
	struct fire_rec *r = &fx->gave_up[fx->ngave_up];
	snprintf(r->name, sizeof(r->name), "%s", f->schedule);
	r->slot_ms = f->slot_ms;
	r->attempt = f->attempt;
	r->max_attempts = f->max_attempts;
	snprintf(fx->gave_up_why[fx->ngave_up], sizeof(fx->gave_up_why[0]), "%s", why);
	fx->ngave_up++;
}

/* Local time in the test zone (Asia/Tokyo, no DST) to an instant. */
static time_t at(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec) < 5)
		fail_msg("bad time '%s' in the test", s);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static int64_t ms(const char *s)
{
	return (int64_t)at(s) * 1000;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *cause = NULL;

	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	log_set_quiet(true);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-scheduler-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/history.db", f->dir);
	if (history_open(&f->h, f->path, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const suffixes[] = { "", "-wal", "-shm", ".lock" };

	history_close(f->h);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		char *p = xasprintf("%s%s", f->path, suffixes[i]);
		unlink(p);
		free(p);
	}
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* A scheduler on the fixture's store with one schedule. */
static struct scheduler *make(struct fixture *f, int catch_up, int retries, int backoff,
			      const char *name, const char *cron, bool from_config, int64_t created_ms)
{
	struct scheduler_options opt = {
		.catch_up_seconds = catch_up,
		.retries = retries,
		.retry_backoff_seconds = backoff,
		.clock = fake_clock,
		.clock_ctx = f,
		.submit = record_submit,
		.submit_ctx = f,
		.gave_up = record_gave_up,
	};
	struct schedule_def def = {
		.name = (char *)name, .cron = (char *)cron, .run = (char *)"usage-all last",
		.channel = (char *)"C0123456789", .from_config = from_config,
		.created_ms = created_ms,
	};
	struct scheduler *s = NULL;
	char *cause = NULL;

	if (scheduler_new(&s, f->h, &opt, &cause) < 0 || scheduler_add(s, &def, &cause) < 0)
		fail_msg("make: %s", cause);
	return s;
}

static int tick_at(struct scheduler *s, struct fixture *f, const char *when)
{
	f->now = at(when);
	return scheduler_tick(s, f->now);
}

static enum slot_status slot_status_of(struct fixture *f, const char *name, const char *when)
{
	struct slot_record r;
	char *cause = NULL;
	int rc = schedule_store_get_slot(f->h, name, ms(when), &r, &cause);

	if (rc < 0)
		fail_msg("%s", cause);
	if (rc == 1)
		return (enum slot_status)-1;
	return r.status;
}

/* The slot fires at its minute, once, and the next wakeup is that minute. */
static void test_fire_at_minute(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);

	f->now = at("2024-11-01 08:59:30");
	assert_true(scheduler_next_wakeup(s) <= f->now);   /* not started: tick now */
	assert_int_equal(scheduler_tick(s, f->now), 0);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-01 09:00:00"));
	assert_int_equal(tick_at(s, f, "2024-11-01 08:59:59"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	assert_int_equal(f->nfires, 1);
	assert_string_equal(f->fires[0].name, "daily");
	assert_int_equal(f->fires[0].slot_ms, ms("2024-11-01 09:00"));
	assert_int_equal(f->fires[0].attempt, 1);
	assert_int_equal(f->fires[0].max_attempts, 3);
	assert_false(f->fires[0].late);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_CLAIMED);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:01"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 12:00:00"), 0);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-02 09:00:00"));
	assert_int_equal(f->nfires, 1);
	assert_int_equal(scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), true, NULL), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_OK);
	scheduler_free(s);
}

/* Driven like the real loop (sleep until the wakeup, tick): every slot of
 * an hour fires once, on time. */
static void test_loop_by_wakeup(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 0, 0, 60, "quarter", "*/15 * * * *", true, 0);
	time_t end = at("2024-11-01 11:00:00");
	int ticks = 0;

	f->now = at("2024-11-01 09:59:00");
	scheduler_tick(s, f->now);
	for (;;) {
		time_t w = scheduler_next_wakeup(s);
		assert_true(w > f->now);
		if (w > end)
			break;
		f->now = w;
		assert_int_equal(scheduler_tick(s, f->now), 1);
		ticks++;
	}
	assert_int_equal(ticks, 5);   /* 10:00 10:15 10:30 10:45 11:00 */
	assert_int_equal(f->nfires, 5);
	assert_int_equal(f->fires[0].slot_ms, ms("2024-11-01 10:00"));
	assert_int_equal(f->fires[4].slot_ms, ms("2024-11-01 11:00"));
	scheduler_free(s);
}

/* A fresh scheduler on the same store right after a fire does not fire
 * that slot again as a new slot: an outcome reported is final, and a slot
 * left claimed (a crash cut its attempt short) is retried as attempt + 1,
 * never as attempt 1 (issue 11). */
static void test_restart_after_fire(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);

	tick_at(s, f, "2024-11-01 08:00:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), true, NULL);
	scheduler_free(s);   /* a stop after the outcome */

	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:02"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:30"), 0);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-02 09:00:00"));
	scheduler_free(s);

	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:10:00"), 0);
	assert_int_equal(f->nfires, 1);
	assert_int_equal(f->ngave_up, 0);
	scheduler_free(s);
}

/* Issue 11: a crash during an attempt leaves the slot claimed; the next
 * start retries it at once as attempt + 1 while attempts are left, and
 * gives it up (error, gave_up) when none is, never leaving it claimed. */
static void test_restart_after_crash_retries(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	struct slot_record r;
	char *cause = NULL;

	tick_at(s, f, "2024-11-01 08:00:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	scheduler_free(s);   /* kill -9 while attempt 1 runs */

	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:40"), 1);
	assert_int_equal(f->nfires, 2);
	assert_int_equal(f->fires[1].slot_ms, ms("2024-11-01 09:00"));
	assert_int_equal(f->fires[1].attempt, 2);
	assert_int_equal(f->fires[1].max_attempts, 3);
	/* claimed again, by attempt 2, since it fired */
	assert_int_equal(schedule_store_get_slot(f->h, "daily", ms("2024-11-01 09:00"), &r, &cause), 0);
	assert_int_equal(r.status, SLOT_CLAIMED);
	assert_int_equal(r.attempt, 2);
	assert_int_equal(r.attempt_ms, ms("2024-11-01 09:00:40"));
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:41"), 0);   /* once */
	scheduler_free(s);   /* and again, during attempt 2 */

	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:05:00"), 1);
	assert_int_equal(f->fires[2].attempt, 3);
	scheduler_free(s);   /* and during the last one */

	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:06:00"), 0);
	assert_int_equal(f->nfires, 3);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_ERROR);
	assert_int_equal(f->ngave_up, 1);
	assert_string_equal(f->gave_up[0].name, "daily");
	assert_int_equal(f->gave_up[0].slot_ms, ms("2024-11-01 09:00"));
	assert_int_equal(f->gave_up[0].attempt, 3);
	assert_non_null(strstr(f->gave_up_why[0], "attempt 3 of 3"));
	assert_non_null(strstr(f->gave_up_why[0], "no attempts are left"));
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-02 09:00:00"));
	scheduler_free(s);

	/* settled: a later start leaves it alone */
	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:07:00"), 0);
	assert_int_equal(f->ngave_up, 1);
	scheduler_free(s);
}

/* A claimed slot whose attempt started longer ago than the catch-up
 * window is given up, not run; with no retries it is given up too. */
static void test_restart_after_crash_gives_up(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 600, 2, 60, "daily", "0 9 * * *", true, 0);

	tick_at(s, f, "2024-11-01 08:00:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	scheduler_free(s);

	/* 11 minutes later; the window is 10 */
	s = make(f, 600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:11:00"), 0);
	assert_int_equal(f->nfires, 1);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_ERROR);
	assert_int_equal(f->ngave_up, 1);
	assert_non_null(strstr(f->gave_up_why[0], "down too long"));
	scheduler_free(s);

	/* no retries configured: the cut attempt was the last */
	s = make(f, 600, 0, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-02 09:00:00"), 1);
	scheduler_free(s);
	s = make(f, 600, 0, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-02 09:00:30"), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-02 09:00"), SLOT_ERROR);
	assert_int_equal(f->ngave_up, 2);
	assert_non_null(strstr(f->gave_up_why[1], "attempt 1 of 1"));
	scheduler_free(s);
}

/* Down over the slot, back inside the catch-up window: it runs once. */
static void test_restart_missed_inside_window(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);

	tick_at(s, f, "2024-11-01 08:00:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), true, NULL);
	scheduler_free(s);

	/* down from 2024-11-02 08:50 to 09:20 */
	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-02 09:20:00"), 1);
	assert_int_equal(f->nfires, 2);
	assert_int_equal(f->fires[1].slot_ms, ms("2024-11-02 09:00"));
	assert_true(f->fires[1].late);
	assert_int_equal(tick_at(s, f, "2024-11-02 09:20:01"), 0);
	scheduler_report_result(s, "daily", ms("2024-11-02 09:00"), true, NULL);
	scheduler_free(s);

	/* and a restart after the catch-up does not run it again */
	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-02 09:25:00"), 0);
	assert_int_equal(f->nfires, 2);
	scheduler_free(s);
}

/* A catch-up after several slots: the list still counts the misses it
 * came after (they are older than the slot it shows as last). */
static void test_catch_up_lists_misses(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 60, "hourly", "0 * * * *", true, 0);
	struct schedule_info *info = NULL;
	size_t n = 0;
	char *cause = NULL;

	tick_at(s, f, "2024-11-01 08:30:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	scheduler_report_result(s, "hourly", ms("2024-11-01 09:00"), true, NULL);
	scheduler_free(s);

	/* down from 09:10 to 11:30: 10:00 missed, 11:00 caught up */
	s = make(f, 3600, 2, 60, "hourly", "0 * * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 11:30:00"), 1);
	assert_int_equal(f->fires[f->nfires - 1].slot_ms, ms("2024-11-01 11:00"));
	assert_int_equal(slot_status_of(f, "hourly", "2024-11-01 10:00"), SLOT_MISSED);
	scheduler_report_result(s, "hourly", ms("2024-11-01 11:00"), true, NULL);
	assert_int_equal(scheduler_list(s, &info, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(info[0].last.slot_ms, ms("2024-11-01 11:00"));
	assert_int_equal(info[0].last.status, SLOT_OK);
	assert_int_equal(info[0].missed, 1);
	schedule_infos_free(info, n);
	scheduler_free(s);
}

/* Back after the window: the slot is recorded missed and not run. */
static void test_restart_missed_outside_window(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	struct schedule_info *info = NULL;
	size_t n = 0;
	char *cause = NULL;

	tick_at(s, f, "2024-11-01 08:00:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), true, NULL);
	scheduler_free(s);

	s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-02 10:00:01"), 0);
	assert_int_equal(f->nfires, 1);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-02 09:00"), SLOT_MISSED);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-03 09:00:00"));

	assert_int_equal(scheduler_list(s, &info, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(info[0].def.name, "daily");
	assert_true(info[0].def.from_config);
	assert_int_equal(info[0].next, at("2024-11-03 09:00:00"));
	assert_true(info[0].has_last);
	assert_int_equal(info[0].last.slot_ms, ms("2024-11-01 09:00"));
	assert_int_equal(info[0].last.status, SLOT_OK);
	assert_int_equal(info[0].missed, 1);
	assert_int_equal(info[0].retry_at, 0);
	schedule_infos_free(info, n);

	/* the next slot runs as usual */
	assert_int_equal(tick_at(s, f, "2024-11-03 09:00:00"), 1);
	scheduler_free(s);
}

/* Several slots missed: at most one run, the rest recorded; a long
 * downtime records a bounded number and is quick. */
static void test_no_backlog_flood(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 0, 60, "tenmin", "*/10 * * * *", true, 0);
	int64_t count = 0, start;
	char *cause = NULL;

	tick_at(s, f, "2024-11-01 09:59:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 10:00:00"), 1);
	scheduler_free(s);

	assert_int_equal(f->nfires, 1);
	/* down until 12:05: 10:10 .. 12:00 are 12 slots; 12:00 runs */
	s = make(f, 3600, 0, 60, "tenmin", "*/10 * * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 12:05:00"), 1);
	assert_int_equal(f->fires[1].slot_ms, ms("2024-11-01 12:00"));
	assert_int_equal(schedule_store_count_slots(f->h, "tenmin", SLOT_MISSED, 0, &count, &cause), 0);
	assert_int_equal(count, 11);
	assert_int_equal(slot_status_of(f, "tenmin", "2024-11-01 10:10"), SLOT_MISSED);
	assert_int_equal(slot_status_of(f, "tenmin", "2024-11-01 11:50"), SLOT_MISSED);
	assert_int_equal(tick_at(s, f, "2024-11-01 12:09:59"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 12:10:00"), 1);
	scheduler_free(s);

	/* a month down with a schedule every minute */
	s = make(f, 0, 0, 60, "minutely", "* * * * *", true, 0);
	tick_at(s, f, "2024-10-01 00:00:00");
	scheduler_free(s);
	assert_int_equal(f->nfires, 4);   /* 2024-10-01 00:00 */
	s = make(f, 0, 0, 60, "minutely", "* * * * *", true, 0);
	start = now_ms_monotonic();
	assert_int_equal(tick_at(s, f, "2024-11-01 00:00:30"), 1);
	assert_true(now_ms_monotonic() - start < 3000);
	assert_int_equal(f->fires[4].slot_ms, ms("2024-11-01 00:00"));
	assert_int_equal(schedule_store_count_slots(f->h, "minutely", SLOT_MISSED, 0, &count, &cause), 0);
	assert_int_equal(count, SCHEDULER_MAX_MISSED);
	assert_int_equal(slot_status_of(f, "minutely", "2024-10-31 23:59"), SLOT_MISSED);
	scheduler_free(s);
}

/* A schedule the store has never seen: a config one neither catches up
 * nor records misses from before the bot knew it (beyond the grace); a
 * Slack-made one looks back to its creation, not before. */
static void test_new_schedules(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s;
	int64_t count = -1;
	char *cause = NULL;

	s = make(f, 3600, 0, 60, "cfg", "*/10 * * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:31:30"), 0);
	assert_int_equal(schedule_store_count_slots(f->h, "cfg", SLOT_MISSED, 0, &count, &cause), 0);
	assert_int_equal(count, 0);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-01 09:40:00"));
	scheduler_free(s);

	/* within the grace it still runs, even with no catch-up window */
	s = make(f, 0, 0, 60, "cfg1", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:59"), 1);
	assert_false(f->fires[0].late);
	scheduler_free(s);

	/* made at 08:00, the bot down from 08:30 to 09:30: 09:00 catches up */
	s = make(f, 3600, 0, 60, "made", "0 9 * * *", false, ms("2024-11-01 08:00"));
	assert_int_equal(tick_at(s, f, "2024-11-01 09:30:00"), 1);
	assert_true(f->fires[1].late);
	scheduler_free(s);

	s = make(f, 3600, 0, 60, "slack", "0 9 * * *", false, ms("2024-11-01 09:10"));
	assert_int_equal(tick_at(s, f, "2024-11-01 09:30:00"), 0);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-02 09:00:00"));
	scheduler_free(s);
	s = make(f, 3600, 0, 60, "slack2", "*/5 * * * *", false, ms("2024-11-01 09:10"));
	assert_int_equal(tick_at(s, f, "2024-11-01 09:12:00"), 1);   /* 09:10 is not before it */
	assert_int_equal(f->fires[f->nfires - 1].slot_ms, ms("2024-11-01 09:10"));
	scheduler_free(s);
}

/* Failures retry with doubling backoff, same slot, attempt + 1. */
static void test_retries_with_backoff(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 60, "daily", "0 9 * * *", true, 0);
	struct schedule_info *info = NULL;
	size_t n;
	char *cause = NULL;
	time_t retry_at = 0;

	tick_at(s, f, "2024-11-01 08:00:00");
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);

	f->now = at("2024-11-01 09:00:10");
	assert_int_equal(scheduler_report_outcome(s, "daily", ms("2024-11-01 09:00"), SLOT_ERROR, 17,
						  "database gone", &retry_at), 1);
	assert_int_equal(retry_at, at("2024-11-01 09:01:10"));
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_RETRYING);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-01 09:01:10"));
	assert_int_equal(scheduler_list(s, &info, &n, &cause), 0);
	assert_int_equal(info[0].retry_at, at("2024-11-01 09:01:10"));
	assert_int_equal(info[0].last.status, SLOT_RETRYING);
	assert_int_equal(info[0].last.run_id, 17);
	schedule_infos_free(info, n);

	assert_int_equal(tick_at(s, f, "2024-11-01 09:01:09"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:01:10"), 1);
	assert_int_equal(f->fires[1].slot_ms, ms("2024-11-01 09:00"));
	assert_int_equal(f->fires[1].attempt, 2);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:01:11"), 0);   /* once */

	f->now = at("2024-11-01 09:01:20");
	assert_int_equal(scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), false, "again"), 1);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-01 09:03:20"));   /* 120 s */
	assert_int_equal(tick_at(s, f, "2024-11-01 09:03:19"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:03:20"), 1);
	assert_int_equal(f->fires[2].attempt, 3);

	f->now = at("2024-11-01 09:03:30");
	assert_int_equal(scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), false, "still"), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_ERROR);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-02 09:00:00"));
	assert_int_equal(tick_at(s, f, "2024-11-01 12:00:00"), 0);
	assert_int_equal(f->nfires, 3);

	/* next day: fails once, then succeeds */
	assert_int_equal(tick_at(s, f, "2024-11-02 09:00:00"), 1);
	f->now = at("2024-11-02 09:00:05");
	assert_int_equal(scheduler_report_result(s, "daily", ms("2024-11-02 09:00"), false, "x"), 1);
	assert_int_equal(tick_at(s, f, "2024-11-02 09:01:05"), 1);
	assert_int_equal(scheduler_report_outcome(s, "daily", ms("2024-11-02 09:00"), SLOT_SKIPPED, 0,
						  NULL, NULL), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-02 09:00"), SLOT_SKIPPED);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-03 09:00:00"));
	scheduler_free(s);
}

/* A submit that fails (queue full) counts as a failed attempt. */
static void test_submit_failure_retries(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 1, 30, "daily", "0 9 * * *", true, 0);

	tick_at(s, f, "2024-11-01 08:00:00");
	f->submit_fails = 1;
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_RETRYING);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-01 09:00:30"));
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:30"), 1);
	assert_int_equal(f->fires[0].attempt, 2);
	assert_int_equal(f->fires[0].max_attempts, 2);

	/* no retries left: the failed submit is final */
	f->submit_fails = 1;
	assert_int_equal(tick_at(s, f, "2024-11-02 09:00:00"), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-02 09:00"), SLOT_RETRYING);
	f->submit_fails = 1;
	assert_int_equal(tick_at(s, f, "2024-11-02 09:00:30"), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-02 09:00"), SLOT_ERROR);
	scheduler_free(s);
}

/* Issue 11: a retry promised before a stop happens after the restart,
 * at its time: the slot stays "retrying" with its attempt and time, the
 * list shows it, and it fires once as the promised attempt. */
static void test_restart_keeps_retry(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 2, 600, "daily", "0 9 * * *", true, 0);
	struct schedule_info *info = NULL;
	struct slot_record r;
	size_t n;
	char *cause = NULL;
	time_t retry_at = 0;

	tick_at(s, f, "2024-11-01 08:00:00");
	tick_at(s, f, "2024-11-01 09:00:00");
	f->now = at("2024-11-01 09:00:10");
	assert_int_equal(scheduler_report_outcome(s, "daily", ms("2024-11-01 09:00"), SLOT_ERROR, 21,
						  "cancelled at shutdown", &retry_at), 1);
	assert_int_equal(retry_at, at("2024-11-01 09:10:10"));
	assert_int_equal(schedule_store_get_slot(f->h, "daily", ms("2024-11-01 09:00"), &r, &cause), 0);
	assert_int_equal(r.status, SLOT_RETRYING);
	assert_int_equal(r.attempt, 2);
	assert_int_equal(r.attempt_ms, ms("2024-11-01 09:10:10"));
	scheduler_free(s);   /* SIGTERM: the promise is in the store */

	s = make(f, 3600, 2, 600, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:05:00"), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_RETRYING);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-01 09:10:10"));
	assert_int_equal(scheduler_list(s, &info, &n, &cause), 0);
	assert_int_equal(info[0].retry_at, at("2024-11-01 09:10:10"));
	assert_int_equal(info[0].last.status, SLOT_RETRYING);
	schedule_infos_free(info, n);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:10:09"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:10:10"), 1);
	assert_int_equal(f->nfires, 2);
	assert_int_equal(f->fires[1].slot_ms, ms("2024-11-01 09:00"));
	assert_int_equal(f->fires[1].attempt, 2);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:10:11"), 0);   /* once */
	assert_int_equal(scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), true, NULL), 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_OK);
	assert_int_equal(f->ngave_up, 0);
	scheduler_free(s);
}

/* Back after the promised time: the retry runs at once inside the
 * catch-up window, and is given up (error, gave_up) outside it. */
static void test_restart_late_retry(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 600, 2, 60, "daily", "0 9 * * *", true, 0);

	tick_at(s, f, "2024-11-01 08:00:00");
	tick_at(s, f, "2024-11-01 09:00:00");
	f->now = at("2024-11-01 09:00:10");
	assert_int_equal(scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), false, "x"), 1);
	scheduler_free(s);

	/* due 09:01:10, back at 09:05: runs on the first tick */
	s = make(f, 600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:05:00"), 1);
	assert_int_equal(f->fires[1].attempt, 2);
	f->now = at("2024-11-01 09:05:05");
	assert_int_equal(scheduler_report_result(s, "daily", ms("2024-11-01 09:00"), false, "y"), 1);
	scheduler_free(s);

	/* attempt 3 due 09:07:05; back at 09:20, past the 10-minute window */
	s = make(f, 600, 2, 60, "daily", "0 9 * * *", true, 0);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:20:00"), 0);
	assert_int_equal(f->nfires, 2);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_ERROR);
	assert_int_equal(f->ngave_up, 1);
	assert_int_equal(f->gave_up[0].attempt, 3);
	assert_non_null(strstr(f->gave_up_why[0], "attempt 3 of 3 was due at"));
	assert_non_null(strstr(f->gave_up_why[0], "too long ago"));
	scheduler_free(s);
}

/* Two schedules, add and remove at run time. */
static void test_add_remove(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 0, 60, "cfg", "0 9 * * *", true, 0);
	struct schedule_def def = {
		.name = (char *)"adhoc", .cron = (char *)"30 9 * * *", .run = (char *)"log today",
		.channel = (char *)"C1", .created_ms = ms("2024-11-01 09:10"),
	};
	char *cause = NULL;
	struct schedule_info *info = NULL;
	size_t n;

	assert_int_equal(tick_at(s, f, "2024-11-01 09:10:00"), 0);   /* new: no catch-up */
	assert_int_equal(scheduler_add(s, &def, &cause), 0);
	assert_true(scheduler_next_wakeup(s) <= f->now);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:10:01"), 0);
	assert_int_equal(scheduler_next_wakeup(s), at("2024-11-01 09:30:00"));
	assert_int_equal(scheduler_list(s, &info, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(info[0].def.name, "adhoc");
	assert_false(info[0].has_last);
	assert_int_equal(info[0].next, at("2024-11-01 09:30:00"));
	assert_string_equal(info[1].def.name, "cfg");
	assert_int_equal(info[1].next, at("2024-11-02 09:00:00"));
	schedule_infos_free(info, n);

	assert_int_equal(tick_at(s, f, "2024-11-01 09:30:00"), 1);
	assert_string_equal(f->fires[0].name, "adhoc");

	assert_int_equal(scheduler_remove(s, "cfg", &cause), -1);
	assert_string_equal(cause, "schedule 'cfg' comes from the config file; remove it there");
	free(cause);
	assert_int_equal(scheduler_remove(s, "nosuch", &cause), -1);
	assert_string_equal(cause, "no schedule named 'nosuch'");
	free(cause);
	assert_int_equal(scheduler_remove(s, "adhoc", &cause), 0);
	/* its in-flight outcome after removal is harmless */
	assert_int_equal(scheduler_report_result(s, "adhoc", ms("2024-11-01 09:30"), false, "x"), 0);
	assert_int_equal(tick_at(s, f, "2024-11-02 09:30:00"), 1);   /* cfg 09:00 only */
	assert_string_equal(f->fires[1].name, "cfg");
	assert_int_equal(f->nfires, 2);
	scheduler_free(s);
}

static void test_add_errors(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 0, 60, "cfg", "0 9 * * *", true, 0);
	static const struct {
		const char *name, *cron, *run, *channel, *message;
	} cases[] = {
		{ "bad", "0 25 * * *", "x", "C1",
		  "schedule 'bad': cron: hour '25' is out of range 0-23 in '0 25 * * *'" },
		{ "bad", NULL, "x", "C1", "schedule 'bad': cron text is missing" },
		{ "a b", "@daily", "x", "C1",
		  "schedule name 'a b' is not valid; use letters, digits, '-', '_' or '.' (up to 64)" },
		{ "", "@daily", "x", "C1",
		  "schedule name is empty; use letters, digits, '-', '_' or '.'" },
		{ "r", "@daily", "", "C1",
		  "schedule 'r': the report to run is empty; give what you would type after the "
		  "slash command, e.g. 'usage-all last'" },
		{ "c", "@daily", "x", "",
		  "schedule 'c': the channel is empty; give a channel id such as C0123456789" },
		{ "cfg", "@daily", "x", "C1",
		  "schedule 'cfg' exists already; remove it first or pick another name" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct schedule_def def = {
			.name = (char *)cases[i].name, .cron = (char *)cases[i].cron,
			.run = (char *)cases[i].run, .channel = (char *)cases[i].channel,
		};
		char *cause = NULL;
		assert_int_equal(scheduler_add(s, &def, &cause), -1);
		assert_string_equal(cause, cases[i].message);
		free(cause);
	}
	scheduler_free(s);
	scheduler_free(NULL);
}

/* The spring-forward gap through the scheduler: 02:30 fires once at 03:00. */
static void test_dst_gap(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s;

	setenv("TZ", "America/New_York", 1);
	tzset();
	s = make(f, 3600, 0, 60, "nightly", "30 2 * * *", true, 0);
	f->now = 1710050400;   /* 2024-03-10 01:00 EST */
	scheduler_tick(s, f->now);
	assert_int_equal(scheduler_next_wakeup(s), 1710054000);   /* 03:00 EDT */
	f->now = 1710054000;
	assert_int_equal(scheduler_tick(s, f->now), 1);
	assert_int_equal(f->fires[0].slot_ms, (int64_t)1710054000 * 1000);
	f->now += 3600;
	assert_int_equal(scheduler_tick(s, f->now), 0);
	scheduler_free(s);
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
}

/* The loop thread starts, wakes on add, and stops promptly. */
static void test_loop_thread(void **state)
{
	struct fixture *f = *state;
	struct scheduler_options opt = {
		.catch_up_seconds = 0, .submit = record_submit, .submit_ctx = f,
	};
	struct schedule_def def = {
		.name = (char *)"yearly", .cron = (char *)"@yearly", .run = (char *)"x",
		.channel = (char *)"C1",
	};
	struct scheduler *s = NULL;
	char *cause = NULL;
	int64_t start;

	assert_int_equal(scheduler_new(&s, f->h, &opt, &cause), 0);
	assert_int_equal(scheduler_next_wakeup(s), -1);
	assert_int_equal(scheduler_start(s, &cause), 0);
	assert_int_equal(scheduler_start(s, &cause), 0);
	assert_int_equal(scheduler_add(s, &def, &cause), 0);
	for (int i = 0; i < 200 && scheduler_next_wakeup(s) <= time(NULL); i++)
		usleep(10000);
	assert_true(scheduler_next_wakeup(s) > time(NULL));   /* the thread ticked */
	start = now_ms_monotonic();
	scheduler_stop(s);
	assert_true(now_ms_monotonic() - start < 1000);
	scheduler_stop(s);
	scheduler_free(s);
}

/* What the inner delivery of a schedule delivery was given. */
struct inner_rec {
	int results, texts;
	char last_error[512];
	char last_text[512];
	char last_channel[32];
};

static int inner_post_result(void *ctx, void *wstate, const struct job *job,
			     const struct report_result *res, const char *csv_path, char **cause)
{
	struct inner_rec *r = ctx;
	(void)wstate;
	(void)job;
	(void)csv_path;
	(void)cause;
	r->results++;
	snprintf(r->last_error, sizeof(r->last_error), "%s", res->error ? res->error : "");
	return 0;
}

static int inner_post_text(void *ctx, void *wstate, const struct job *job, const char *text, char **cause)
{
	struct inner_rec *r = ctx;
	(void)wstate;
	(void)cause;
	r->texts++;
	snprintf(r->last_text, sizeof(r->last_text), "%s", text);
	snprintf(r->last_channel, sizeof(r->last_channel), "%s", job->channel_id);
	return 0;
}

/* The schedule delivery: a failure with a retry left carries the note and
 * leaves the slot retrying; the last failure goes to the alert channel;
 * only_changed keeps the posted CSV and holds back the same one; forget
 * drops it. */
static void test_schedule_delivery(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = make(f, 3600, 1, 60, "daily", "0 9 * * *", true, 0);
	struct inner_rec rec;
	struct delivery inner = { .ctx = &rec, .post_result = inner_post_result, .post_text = inner_post_text };
	struct schedule_delivery sd;
	const struct delivery *d = &sd.delivery;
	struct report_result res;
	struct job *job = job_new(JOB_REPORT);
	char *cause = NULL;

	memset(&rec, 0, sizeof(rec));
	schedule_delivery_init(&sd, &inner, s, f->dir, "C0ALERTS01", 2);
	assert_int_equal(tick_at(s, f, "2024-11-01 09:00:00"), 1);
	job->schedule = xstrdup("daily");
	job->channel_id = xstrdup("C0123456789");
	job->slot_ms = ms("2024-11-01 09:00");
	job->run_id = 7;
	job->only_changed = true;

	memset(&res, 0, sizeof(res));
	res.status = RUN_ERROR;
	res.error = (char *)"boom";
	assert_int_equal(d->post_result(d->ctx, NULL, job, &res, NULL, &cause), 0);
	assert_int_equal(rec.results, 1);
	assert_string_equal(rec.last_error, "Scheduled report *daily* failed: boom; will retry at 09:01:00 "
			    "(attempt 2 of 2)");
	assert_int_equal(rec.texts, 0);
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_RETRYING);

	assert_int_equal(tick_at(s, f, "2024-11-01 09:01:00"), 1);
	job->attempt = 2;
	assert_int_equal(d->post_result(d->ctx, NULL, job, &res, NULL, &cause), 0);
	assert_string_equal(rec.last_error, "Scheduled report *daily* failed: boom");
	assert_int_equal(rec.texts, 1);
	assert_string_equal(rec.last_channel, "C0ALERTS01");
	assert_string_equal(rec.last_text, "Scheduled report *daily* failed: boom");
	assert_int_equal(slot_status_of(f, "daily", "2024-11-01 09:00"), SLOT_ERROR);

	/* only_changed: the first CSV is posted and kept, the same one held */
	char *csv = xasprintf("%s/run.csv", f->dir);
	char *kept = xasprintf("%s/schedules/daily.csv", f->dir);
	char *kept_dir = xasprintf("%s/schedules", f->dir);
	FILE *fp = fopen(csv, "w");
	assert_non_null(fp);
	fputs("n\r\n1\r\n", fp);
	fclose(fp);
	memset(&res, 0, sizeof(res));
	res.status = RUN_OK;
	res.rows = 1;
	assert_int_equal(d->post_result(d->ctx, NULL, job, &res, csv, &cause), 0);
	assert_int_equal(rec.results, 3);
	assert_int_equal(access(kept, F_OK), 0);
	assert_int_equal(d->post_result(d->ctx, NULL, job, &res, csv, &cause), DELIVERY_HELD);
	assert_int_equal(rec.results, 3);
	/* skip_empty holds back an empty result */
	job->only_changed = false;
	job->skip_empty = true;
	res.rows = 0;
	assert_int_equal(d->post_result(d->ctx, NULL, job, &res, csv, &cause), DELIVERY_HELD);
	assert_int_equal(rec.results, 3);

	schedule_delivery_forget(&sd, "daily");
	assert_int_equal(access(kept, F_OK), -1);
	unlink(csv);
	rmdir(kept_dir);
	free(csv);
	free(kept);
	free(kept_dir);
	job_free(job);
	scheduler_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fire_at_minute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_by_wakeup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_fire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_missed_inside_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catch_up_lists_misses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_missed_outside_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_backlog_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_schedules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_with_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_failure_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_late_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_crash_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_crash_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dst_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_delivery, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
