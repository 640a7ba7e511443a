/*
 * fuzz-schedule-slots.c: the scheduler's slot logic, driven without its
 * thread: schedules added and removed, ticks at made-up times (forward,
 * far forward, a little back), outcomes reported, in any order, across
 * a DST change. Whatever happens:
 *   - a submitted slot is a whole minute, never in the future;
 *   - a slot's first attempt is submitted at most once, even after its
 *     schedule is removed and added again (the store remembers claims);
 *   - attempt n > 1 follows a reported failure of attempt n - 1, and
 *     never goes past max_attempts.
 */
#include "common.h"

#include <unistd.h>

#include "bot/schedule-timer.h"
#include "common/log.h"
#include "store/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIRES 512

struct fire {
	char name[8];
	int64_t slot_ms;
	int attempt, max_attempts;
	bool failed;        /* we reported it failed */
	bool reported;      /* its outcome was reported (once, as a worker does) */
};

struct state {
	time_t now;
	struct fire fires[MAX_FIRES];
	size_t n;
	bool full;          /* fires[] is full: every submit fails from then on */
};

static struct fire *find(struct state *st, const char *name, int64_t slot_ms, int attempt)
{
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->fires[i].name, name) && st->fires[i].slot_ms == slot_ms
		    && st->fires[i].attempt == attempt)
			return &st->fires[i];
	return NULL;
}

static int on_submit(void *ctx, const struct scheduled_fire *f, char **cause)
{
	struct state *st = ctx;
	if (st->full || st->n == MAX_FIRES) {
		st->full = true;   /* a failed submit may be retried: no more checks */
		*cause = xstrdup("queue full");
		return -1;
	}
	if (f->slot_ms % 60000 != 0 || f->slot_ms > (int64_t)st->now * 1000)
		abort();   /* not a minute, or in the future */
	if (f->attempt < 1 || f->attempt > f->max_attempts)
		abort();
	if (find(st, f->schedule, f->slot_ms, f->attempt))
		abort();   /* the same attempt of a slot twice */
	if (f->attempt > 1) {
		struct fire *prev = find(st, f->schedule, f->slot_ms, f->attempt - 1);
		if (!prev || !prev->failed)
			abort();   /* a retry nobody asked for */
	}
	struct fire *r = &st->fires[st->n++];
	snprintf(r->name, sizeof(r->name), "%s", f->schedule);
	r->slot_ms = f->slot_ms;
	r->attempt = f->attempt;
	r->max_attempts = f->max_attempts;
	r->failed = false;
	r->reported = false;
	return 0;
}

static const char *const crons[] = {
	"* * * * *", "*/5 * * * *", "30 2 * * *", "0 9 * * 1-5", "15 3 * * *",
	"0 0 1 * *", "59 23 31 12 *", "*/7 1-3 * 3,10 0",
};

static char path[64];   /* DIR/history.db, DIR made once per process */

static void remove_store(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", ".lock" };
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

static void remove_dir(void)
{
	remove_store();
	char *slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		rmdir(path);
	}
}

static struct history *open_store(void)
{
	remove_store();
	struct history *h = NULL;
	char *cause = NULL;
	if (history_open(&h, path, &cause) < 0)
		abort();
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!*path) {
		/* tmpfs when there is one: a fresh store per input */
		char dir[] = "/dev/shm/fuzz-schedule-XXXXXX";
		if (access("/dev/shm", W_OK) != 0)
			memcpy(dir, "/tmp/fuzz-schedule-XXXXXX", sizeof("/tmp/fuzz-schedule-XXXXXX"));
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/history.db", dir);
		atexit(remove_dir);
		log_set_quiet(true);
	}
	if (size < 4)
		return 0;
	setenv("TZ", data[0] & 1 ? "Europe/Berlin" : "UTC", 1);
	tzset();

	static struct state st;
	memset(&st, 0, sizeof(st));
	/* 2024-03-31 00:00 UTC, an hour before Berlin's spring change, plus
	 * up to ~half a year in steps the input picks */
	st.now = 1711843200 + (time_t)data[1] * 86400 * (data[0] & 2 ? 1 : 0) + data[2] * 60;

	struct history *h = open_store();
	struct scheduler_options opt = {
		.catch_up_seconds = (data[3] & 7) * 600,
		.retries = (data[3] >> 3) & 3,
		.retry_backoff_seconds = 30 + (data[3] >> 5) * 60,
		.submit = on_submit,
		.submit_ctx = &st,
	};
	struct scheduler *s = NULL;
	char *cause = NULL;
	if (scheduler_new(&s, h, &opt, &cause) < 0)
		abort();

	for (size_t i = 4; i + 1 < size; i += 2) {
		uint8_t op = data[i], arg = data[i + 1];
		char name[8];
		snprintf(name, sizeof(name), "s%d", arg % 3);
		switch (op % 5) {
		case 0: {   /* add */
			struct schedule_def def = {
				.name = name, .cron = (char *)crons[(arg >> 2) % ARRAY_SIZE(crons)],
				.run = (char *)"r", .channel = (char *)"C1",
				.from_config = op & 0x80,
				.created_ms = op & 0x40 ? ((int64_t)st.now - arg * 60) * 1000 : 0,
			};
			if (scheduler_add(s, &def, &cause) < 0) {
				free(cause);
				cause = NULL;
			}
			break;
		}
		case 1:     /* remove */
			if (scheduler_remove(s, name, &cause) < 0) {
				free(cause);
				cause = NULL;
			}
			break;
		case 2:     /* time passes: minutes, hours, or a step back */
			if (op & 0x80)
				st.now -= arg % 90;
			else
				st.now += (time_t)arg * (op & 0x40 ? 3600 : 60) / 4 + 1;
			scheduler_tick(s, st.now);
			break;
		case 3:     /* the outcome of a submitted attempt */
		case 4: {
			if (!st.n)
				break;
			struct fire *f = &st.fires[arg % st.n];
			if (f->reported)
				break;
			f->reported = true;
			bool ok = op & 0x20;
			if (!ok)
				f->failed = true;
			if (op % 5 == 3)
				scheduler_report_result(s, f->name, f->slot_ms, ok, ok ? NULL : "fuzz");
			else
				scheduler_report_outcome(s, f->name, f->slot_ms, ok ? SLOT_SKIPPED : SLOT_ERROR,
							 0, NULL, NULL);
			break;
		}
		}
	}
	scheduler_free(s);
	history_close(h);
	return 0;
}
