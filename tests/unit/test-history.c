/*
 * test-history.c: the run history store: schema and migrations, status
 * changes, crash recovery, and the run ids set aside ahead
 * (store/history-reserve.h) that let several processes write one history
 * while every announced id stays the id of its row.
 */
#include "common.h"
#include "store/history.h"
#include "store/history-db.h"
#include "store/history-reserve.h"

#include <pthread.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

struct fixture {
	char dir[64];
	char *path;
	struct history *h;
};

static void open_ok(struct fixture *f)
{
	char *cause = NULL;
	if (history_open(&f->h, f->path, &cause) < 0)
		fail_msg("history_open: %s", cause);
	assert_non_null(f->h);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-history.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = xasprintf("%s/history.db", f->dir);
	open_ok(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	history_close(f->h);
	char *cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->path);
	free(f);
	return 0;
}

static int64_t add(struct history *h, int64_t id, const char *command)
{
	(void)id;   /* ids are the database's to choose */
	struct run_record r = {
		.command = (char *)command,
		.args = (char *)"acme 2024-11",
		.user = (char *)"U123",
		.channel = (char *)"C456",
		.source = (char *)"main",
		.queued_ms = 1700000000000,
		.status = RUN_QUEUED,
	};
	int64_t got = -1;
	char *cause = NULL;
	if (history_add_run(h, &r, &got, &cause) < 0)
		fail_msg("history_add_run: %s", cause);
	return got;
}

static enum run_status status_of(struct history *h, int64_t id)
{
	struct run_record r;
	assert_int_equal(history_get(h, id, &r, NULL), 0);
	enum run_status s = r.status;
	history_record_release(&r);
	return s;
}

static int64_t pragma_int(struct history *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	history_lock(h);
	assert_int_equal(sqlite3_prepare_v2(history_db(h), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	history_unlock(h);
	return v;
}

static void test_status_names(void **state)
{
	(void)state;
	static const char *want[] = { "queued", "running", "ok", "error", "timeout",
				      "cancelled", "interrupted", "skipped", "reserved", "delivering" };
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_string_equal(run_status_name((enum run_status)i), want[i]);
		enum run_status s;
		assert_int_equal(run_status_from_name(want[i], &s), 0);
		assert_int_equal(s, (enum run_status)i);
	}
	assert_string_equal(run_status_name((enum run_status)99), "unknown");
	enum run_status s;
	assert_int_equal(run_status_from_name("done", &s), -1);
	assert_int_equal(run_status_from_name(NULL, &s), -1);
	history_close(NULL);
}

static void test_schema(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pragma_int(f->h, "PRAGMA user_version"), HISTORY_SCHEMA_VERSION);
	assert_int_equal(pragma_int(f->h, "PRAGMA user_version"), 3);
	static const char *tables[] = { "runs", "schedule_slots", "schedules", "last_posted" };
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		char *sql = xasprintf("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
				      tables[i]);
		assert_int_equal(pragma_int(f->h, sql), 1);
		free(sql);
	}
	/* WAL: the mode is stored in the file. */
	sqlite3_stmt *st = NULL;
	history_lock(f->h);
	assert_int_equal(sqlite3_prepare_v2(history_db(f->h), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	/* The scheduler's tables take rows through the shared connection. */
	assert_int_equal(sqlite3_exec(history_db(f->h),
				      "INSERT INTO schedule_slots (schedule, slot_ms, run_id, status) VALUES ('monthly', 1700000000000, 1, 'ok');"
				      "INSERT INTO schedules VALUES ('monthly', '0 9 1 * *', 'usage-all last', "
				      "'C1', 0, 1, 'U1', 1700000000000);"
				      "INSERT INTO last_posted VALUES ('monthly', 'abc', 1);",
				      NULL, NULL, NULL), SQLITE_OK);
	/* (schedule, slot_ms) is the key: a slot runs once. */
	assert_int_not_equal(sqlite3_exec(history_db(f->h),
					  "INSERT INTO schedule_slots (schedule, slot_ms, run_id, status) VALUES ('monthly', 1700000000000, 2, 'ok')",
					  NULL, NULL, NULL), SQLITE_OK);
	history_unlock(f->h);

	/* Reopening keeps version and data. */
	add(f->h, 0, "kept");
	history_close(f->h);
	open_ok(f);
	assert_int_equal(pragma_int(f->h, "PRAGMA user_version"), 3);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM schedules"), 1);
}

static void test_add_and_get(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;

	int64_t a = add(f->h, 0, "monthly");
	assert_int_equal(a, 1);
	int64_t b = add(f->h, 41, "weekly");   /* a wished-for id is not taken */
	assert_int_equal(b, 2);

	struct run_record r;
	assert_int_equal(history_get(f->h, b, &r, &cause), 0);
	assert_int_equal(r.id, b);
	assert_string_equal(r.command, "weekly");
	assert_string_equal(r.args, "acme 2024-11");
	assert_string_equal(r.user, "U123");
	assert_string_equal(r.channel, "C456");
	assert_string_equal(r.source, "main");
	assert_int_equal(r.queued_ms, 1700000000000);
	assert_int_equal(r.started_ms, 0);
	assert_int_equal(r.finished_ms, 0);
	assert_int_equal(r.status, RUN_QUEUED);
	assert_int_equal(r.rows, 0);
	assert_null(r.error);
	history_record_release(&r);
	history_record_release(&r);     /* released records stay safe */

	/* NULL strings stay NULL; a missing id answers 1. */
	struct run_record bare = { .command = (char *)"bare", .user = (char *)"cli", .status = RUN_QUEUED };
	int64_t d = 0;
	assert_int_equal(history_add_run(f->h, &bare, &d, NULL), 0);
	assert_int_equal(history_get(f->h, d, &r, NULL), 0);
	assert_null(r.channel);
	assert_null(r.args);
	history_record_release(&r);
	assert_int_equal(history_get(f->h, 9999, &r, &cause), 1);
	assert_null(cause);
	assert_null(r.command);
}

static void test_transitions(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	struct run_record r;

	/* queued -> running -> each final status */
	static const enum run_status finals[] = { RUN_OK, RUN_ERROR, RUN_TIMEOUT, RUN_CANCELLED,
						  RUN_INTERRUPTED, RUN_SKIPPED };
	for (size_t i = 0; i < ARRAY_SIZE(finals); i++) {
		int64_t id = add(f->h, 0, "t");
		assert_int_equal(history_mark_running(f->h, id, &cause), 0);
		assert_int_equal(status_of(f->h, id), RUN_RUNNING);
		const char *err = finals[i] == RUN_OK ? NULL : "it went wrong";
		assert_int_equal(history_finish_run(f->h, id, finals[i], 12, 3456, 789, err, &cause), 0);
		assert_int_equal(history_get(f->h, id, &r, NULL), 0);
		assert_int_equal(r.status, finals[i]);
		assert_int_equal(r.rows, 12);
		assert_int_equal(r.bytes, 3456);
		assert_int_equal(r.duration_ms, 789);
		assert_true(r.started_ms > 0);
		assert_true(r.finished_ms >= r.started_ms);
		if (err)
			assert_string_equal(r.error, err);
		else
			assert_null(r.error);
		history_record_release(&r);

		/* A finished run stays finished. */
		assert_int_equal(history_mark_running(f->h, id, &cause), -1);
		assert_non_null(strstr(cause, run_status_name(finals[i])));
		free(cause);
		cause = NULL;
		assert_int_equal(history_finish_run(f->h, id, RUN_OK, 0, 0, 0, NULL, &cause), -1);
		assert_non_null(strstr(cause, "already"));
		free(cause);
		cause = NULL;
	}

	/* queued -> cancelled / skipped without running */
	int64_t q = add(f->h, 0, "t");
	assert_int_equal(history_finish_run(f->h, q, RUN_CANCELLED, 0, 0, 0, "cancelled before it started", NULL), 0);
	assert_int_equal(status_of(f->h, q), RUN_CANCELLED);
	assert_int_equal(history_get(f->h, q, &r, NULL), 0);
	assert_int_equal(r.started_ms, 0);
	history_record_release(&r);

	/* running -> running is refused */
	int64_t run = add(f->h, 0, "t");
	assert_int_equal(history_mark_running(f->h, run, NULL), 0);
	assert_int_equal(history_mark_running(f->h, run, &cause), -1);
	free(cause);
	cause = NULL;

	/* queued / running are not final statuses */
	assert_int_equal(history_finish_run(f->h, run, RUN_QUEUED, 0, 0, 0, NULL, &cause), -1);
	assert_non_null(strstr(cause, "accepted"));
	free(cause);
	cause = NULL;
	assert_int_equal(history_finish_run(f->h, run, RUN_RUNNING, 0, 0, 0, NULL, NULL), -1);
	assert_int_equal(status_of(f->h, run), RUN_RUNNING);

	/* a missing run */
	assert_int_equal(history_mark_running(f->h, 777, &cause), -1);
	assert_non_null(strstr(cause, "no run 777"));
	free(cause);
	cause = NULL;
	assert_int_equal(history_finish_run(f->h, 777, RUN_OK, 0, 0, 0, NULL, &cause), -1);
	assert_non_null(strstr(cause, "no run 777"));
	free(cause);
}

static void test_recent(void **state)
{
	struct fixture *f = *state;
	struct run_record *recs = (struct run_record *)1;
	size_t n = 99;
	assert_int_equal(history_recent(f->h, 10, &recs, &n, NULL), 0);
	assert_int_equal(n, 0);
	history_records_free(recs, n);

	for (int i = 1; i <= 10; i++) {
		char name[16];
		snprintf(name, sizeof(name), "cmd%d", i);
		assert_int_equal(add(f->h, 0, name), i);
	}
	char *cause = NULL;
	assert_int_equal(history_recent(f->h, 3, &recs, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_int_equal(recs[0].id, 10);
	assert_string_equal(recs[0].command, "cmd10");
	assert_int_equal(recs[1].id, 9);
	assert_int_equal(recs[2].id, 8);
	history_records_free(recs, n);

	assert_int_equal(history_recent(f->h, 100, &recs, &n, NULL), 0);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(recs[i].id, 10 - (int64_t)i);
	history_records_free(recs, n);

	assert_int_equal(history_recent(f->h, 0, &recs, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(recs);
	history_records_free(NULL, 0);
}

static void test_crash_recovery(void **state)
{
	struct fixture *f = *state;
	int64_t running = add(f->h, 0, "long");
	assert_int_equal(history_mark_running(f->h, running, NULL), 0);
	int64_t queued = add(f->h, 0, "waiting");
	int64_t done = add(f->h, 0, "done");
	assert_int_equal(history_mark_running(f->h, done, NULL), 0);
	assert_int_equal(history_finish_run(f->h, done, RUN_OK, 1, 2, 3, NULL, NULL), 0);

	/* Another process opening meanwhile (`reportbot history`) must not
	 * touch runs that are still going. */
	struct history *other = NULL;
	assert_int_equal(history_open(&other, f->path, NULL), 0);
	assert_int_equal(status_of(other, running), RUN_RUNNING);
	assert_int_equal(status_of(other, queued), RUN_QUEUED);
	history_close(other);

	/* The process dies: close without finishing. */
	history_close(f->h);
	f->h = NULL;
	open_ok(f);
	struct run_record r;
	assert_int_equal(history_get(f->h, running, &r, NULL), 0);
	assert_int_equal(r.status, RUN_INTERRUPTED);
	assert_string_equal(r.error, "the bot stopped while this ran");
	history_record_release(&r);
	assert_int_equal(history_get(f->h, queued, &r, NULL), 0);
	assert_int_equal(r.status, RUN_INTERRUPTED);
	assert_string_equal(r.error, "the bot stopped before this run started");
	history_record_release(&r);
	assert_int_equal(status_of(f->h, done), RUN_OK);
	assert_int_equal(history_get(f->h, done, &r, NULL), 0);
	assert_null(r.error);
	history_record_release(&r);
	/* An interrupted run cannot be finished later. */
	assert_int_equal(history_finish_run(f->h, running, RUN_OK, 0, 0, 0, NULL, NULL), -1);
}

#define THREADS 4
#define PER_THREAD 150

static void *adder(void *arg)
{
	struct history *h = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		struct run_record r = { .command = (char *)"c", .user = (char *)"u", .status = RUN_QUEUED };
		int64_t id = 0;
		char *cause = NULL;
		if (history_add_run(h, &r, &id, &cause) < 0 || history_mark_running(h, id, &cause) < 0 ||
		    history_finish_run(h, id, RUN_OK, i, i, i, NULL, &cause) < 0) {
			fprintf(stderr, "adder: %s\n", cause);
			free(cause);
			return (void *)1;
		}
		if (i % 50 == 0) {
			struct run_record *recs;
			size_t n;
			if (history_recent(h, 5, &recs, &n, NULL) < 0)
				return (void *)1;
			history_records_free(recs, n);
		}
	}
	return NULL;
}

static void test_concurrent_adds(void **state)
{
	struct fixture *f = *state;
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, adder, f->h), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), THREADS * PER_THREAD);
	assert_int_equal(pragma_int(f->h, "SELECT count(DISTINCT id) FROM runs"), THREADS * PER_THREAD);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'ok'"), THREADS * PER_THREAD);
	assert_int_equal(pragma_int(f->h, "SELECT max(id) FROM runs"), THREADS * PER_THREAD);
}

static void test_missing_directory(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/no/such/dir/history.db", f->dir);
	struct history *h = (struct history *)1;
	char *cause = NULL;
	assert_int_equal(history_open(&h, path, &cause), -1);
	assert_null(h);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "does not exist"));
	assert_non_null(strstr(cause, "no/such/dir"));
	free(cause);
	free(path);

	/* A file where the directory should be. */
	path = xasprintf("%s/history.db/inner.db", f->dir);
	cause = NULL;
	assert_int_equal(history_open(&h, path, &cause), -1);
	assert_non_null(strstr(cause, "not a directory"));
	free(cause);
	free(path);
}

static void test_newer_schema(void **state)
{
	struct fixture *f = *state;
	history_lock(f->h);
	assert_int_equal(sqlite3_exec(history_db(f->h), "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	history_unlock(f->h);
	history_close(f->h);
	f->h = NULL;
	char *cause = NULL;
	assert_int_equal(history_open(&f->h, f->path, &cause), -1);
	assert_non_null(strstr(cause, "schema version 99"));
	free(cause);
	assert_null(f->h);
}

/* A record of the run someone asked for, under a reserved id. */
static struct run_record asked(int64_t id, const char *command, const char *user)
{
	struct run_record r = {
		.id = id,
		.command = (char *)command,
		.args = (char *)"acme 2024-11",
		.user = (char *)user,
		.channel = (char *)"C456",
		.source = (char *)"main",
		.queued_ms = 1700000000000,
		.status = RUN_QUEUED,
	};
	return r;
}

/* Reserved rows are ids, not runs: never listed, never found; a claim
 * turns one into the run; release deletes only what is still reserved;
 * a deleted id is never given again. */
static void test_reserve_claim_release(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	int64_t ids[3] = { 0 };

	assert_int_equal(history_reserve_ids(f->h, 3, ids, &cause), 0);
	assert_true(ids[0] > 0 && ids[1] == ids[0] + 1 && ids[2] == ids[1] + 1);
	struct run_record r;
	assert_int_equal(history_get(f->h, ids[0], &r, NULL), 1);
	struct run_record *recs;
	size_t n;
	assert_int_equal(history_recent(f->h, 10, &recs, &n, NULL), 0);
	assert_int_equal(n, 0);
	history_records_free(recs, n);
	/* reserved is not a run: it cannot start or finish */
	assert_int_equal(history_mark_running(f->h, ids[0], NULL), -1);
	assert_int_equal(history_finish_run(f->h, ids[0], RUN_OK, 0, 0, 0, NULL, NULL), -1);

	struct run_record want = asked(ids[1], "monthly", "U123");
	assert_int_equal(history_claim_run(f->h, &want, &cause), 0);
	assert_int_equal(history_get(f->h, ids[1], &r, NULL), 0);
	assert_int_equal(r.id, ids[1]);
	assert_string_equal(r.command, "monthly");
	assert_string_equal(r.args, "acme 2024-11");
	assert_string_equal(r.user, "U123");
	assert_string_equal(r.channel, "C456");
	assert_string_equal(r.source, "main");
	assert_int_equal(r.queued_ms, 1700000000000);
	assert_int_equal(r.status, RUN_QUEUED);
	history_record_release(&r);
	assert_int_equal(history_recent(f->h, 10, &recs, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(recs[0].id, ids[1]);
	history_records_free(recs, n);

	/* a queued run not started claims again (the recorder's row); a
	 * started one does not; an id never set aside does not claim */
	assert_int_equal(history_claim_run(f->h, &want, &cause), 0);
	assert_int_equal(history_mark_running(f->h, ids[1], NULL), 0);
	assert_int_equal(history_claim_run(f->h, &want, &cause), -1);
	if (!strstr(cause, "already running"))
		fail_msg("claim of a running run: %s", cause);
	free(cause);
	cause = NULL;
	want.id = 4242;
	assert_int_equal(history_claim_run(f->h, &want, &cause), -1);
	assert_non_null(strstr(cause, "no run 4242"));
	free(cause);
	cause = NULL;

	/* release: the claimed run stays, the unused ids go */
	assert_int_equal(history_release_ids(f->h, ids, 3, &cause), 0);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(status_of(f->h, ids[1]), RUN_RUNNING);
	/* ids[2] was the largest and is gone, yet it is not given again */
	int64_t next = add(f->h, 0, "after");
	assert_true(next > ids[2]);
}

/* Two processes on one history (two connections here): one sets ids
 * aside before it knows its runs, the other (a CLI `run`) writes runs in
 * between; every id the first announced is the row of its run. The old
 * counter (largest id + 1, then INSERT) gave the second the same ids. */
static void test_two_writers_agree(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	struct history *cli = NULL;
	assert_int_equal(history_open(&cli, f->path, &cause), 0);

	struct history_reserve *res = NULL;
	assert_int_equal(history_reserve_open(&res, f->h, 4, false, &cause), 0);
	int64_t announced[4];
	int64_t cli_ids[4];
	for (int i = 0; i < 4; i++) {
		assert_int_equal(history_reserve_take(res, &announced[i], &cause), 0);
		cli_ids[i] = add(cli, 0, "cli-run");
		assert_true(cli_ids[i] != announced[i]);
	}
	for (int i = 0; i < 4; i++) {
		char user[16];
		snprintf(user, sizeof(user), "U%d", i);
		struct run_record want = asked(announced[i], "monthly", user);
		assert_int_equal(history_claim_run(f->h, &want, &cause), 0);
	}
	for (int i = 0; i < 4; i++) {
		struct run_record r;
		char user[16];
		snprintf(user, sizeof(user), "U%d", i);
		assert_int_equal(history_get(cli, announced[i], &r, NULL), 0);
		assert_string_equal(r.command, "monthly");
		assert_string_equal(r.user, user);
		history_record_release(&r);
		assert_int_equal(history_get(f->h, cli_ids[i], &r, NULL), 0);
		assert_string_equal(r.command, "cli-run");
		history_record_release(&r);
	}
	history_reserve_close(res);
	history_close(cli);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'reserved'"), 0);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), 8);
}

/* Wait (bounded) until the reserve holds at least n ids. */
static bool await_count(struct history_reserve *res, size_t n)
{
	for (int i = 0; i < 1000; i++) {
		if (history_reserve_count(res) >= n)
			return true;
		struct timespec ts = { 0, 5 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return false;
}

/* A locked history does not stop take: ids come from memory. When the
 * reserve is empty take says so at once; the filler refills once the lock
 * is gone. A put-back id is taken again first. */
static void test_reserve_take_never_waits(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	struct history_reserve *res = NULL;
	assert_int_equal(history_reserve_open(&res, f->h, 4, true, &cause), 0);
	assert_int_equal(history_reserve_count(res), 4);

	/* another process holds the write lock */
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

	int64_t prev = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 4; i++) {
		int64_t id = 0;
		assert_int_equal(history_reserve_take(res, &id, &cause), 0);
		assert_true(id > prev);
		prev = id;
	}
	int64_t none = 0;
	assert_int_equal(history_reserve_take(res, &none, &cause), -1);
	assert_non_null(strstr(cause, "try again"));
	free(cause);
	cause = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int64_t ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* the history's busy timeout is 30 s: nothing here waited on it */
	assert_true(ms < 1000);

	history_reserve_put_back(res, prev);
	int64_t again = 0;
	assert_int_equal(history_reserve_take(res, &again, &cause), 0);
	assert_int_equal(again, prev);

	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_true(await_count(res, 2));
	int64_t later = 0;
	assert_int_equal(history_reserve_take(res, &later, &cause), 0);
	assert_true(later > prev);
	history_reserve_close(res);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'reserved'"), 5);
	/* the taken ones are the caller's to claim; nothing else is left */
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), 5);
}

/* A process that dies leaves its reserved rows; they are never listed,
 * left alone while another process has the history open, and deleted by
 * the next opener that is alone. */
static void test_reserved_rows_of_a_crash(void **state)
{
	struct fixture *f = *state;
	int64_t ids[3];
	int64_t kept = add(f->h, 0, "kept");
	assert_int_equal(history_reserve_ids(f->h, 3, ids, NULL), 0);

	struct history *other = NULL;
	assert_int_equal(history_open(&other, f->path, NULL), 0);
	assert_int_equal(pragma_int(other, "SELECT count(*) FROM runs WHERE status = 'reserved'"), 3);
	struct run_record *recs;
	size_t n;
	assert_int_equal(history_recent(other, 10, &recs, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(recs[0].id, kept);
	history_records_free(recs, n);
	history_close(other);

	history_close(f->h);   /* dies without releasing */
	f->h = NULL;
	open_ok(f);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'reserved'"), 0);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), 1);
	/* and their ids are not given again */
	assert_true(add(f->h, 0, "next") > ids[2]);
}

#define TAKERS 4
#define TAKES 60

struct taker {
	struct history *h;
	struct history_reserve *res;
	int index;
	int64_t ids[TAKES];
};

/* Take ids as dispatchers do and claim them as workers do. */
static void *taker_main(void *arg)
{
	struct taker *t = arg;
	char user[16];
	snprintf(user, sizeof(user), "U%d", t->index);
	for (int i = 0; i < TAKES; i++) {
		char *cause = NULL;
		int64_t id = 0;
		while (history_reserve_take(t->res, &id, &cause) < 0) {   /* empty: the filler is on it */
			free(cause);
			cause = NULL;
			struct timespec ts = { 0, 1000000L };
			nanosleep(&ts, NULL);
		}
		struct run_record want = asked(id, "monthly", user);
		if (history_claim_run(t->h, &want, &cause) < 0) {
			fprintf(stderr, "taker: %s\n", cause);
			free(cause);
			return (void *)1;
		}
		t->ids[i] = id;
	}
	return NULL;
}

/* Threads take and claim while the filler refills: every id once, every
 * row the run of its taker. */
static void test_reserve_concurrent(void **state)
{
	struct fixture *f = *state;
	struct history_reserve *res = NULL;
	assert_int_equal(history_reserve_open(&res, f->h, 8, true, NULL), 0);
	struct taker t[TAKERS];
	pthread_t th[TAKERS];
	for (int i = 0; i < TAKERS; i++) {
		t[i] = (struct taker){ .h = f->h, .res = res, .index = i };
		assert_int_equal(pthread_create(&th[i], NULL, taker_main, &t[i]), 0);
	}
	for (int i = 0; i < TAKERS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	history_reserve_close(res);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), TAKERS * TAKES);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'queued'"), TAKERS * TAKES);
	for (int i = 0; i < TAKERS; i++) {
		char user[16];
		snprintf(user, sizeof(user), "U%d", i);
		for (int k = 0; k < TAKES; k++) {
			struct run_record r;
			assert_int_equal(history_get(f->h, t[i].ids[k], &r, NULL), 0);
			assert_string_equal(r.user, user);
			history_record_release(&r);
		}
	}
}

/* The recorder's write and the worker's claim, in either order: the
 * claim takes a row the recorder made queued; the recorder never
 * touches a row a worker has claimed, started or finished. */
static void test_record_queued_either_order(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	int64_t ids[3];
	struct run_record r;

	assert_int_equal(history_reserve_ids(f->h, 3, ids, NULL), 0);
	/* recorder first: queued with the asker's record, then the claim */
	struct run_record want = asked(ids[0], "monthly", "U123");
	assert_int_equal(history_record_queued(f->h, &want, &cause), 0);
	assert_int_equal(history_get(f->h, ids[0], &r, NULL), 0);
	assert_int_equal(r.status, RUN_QUEUED);
	assert_string_equal(r.command, "monthly");
	assert_string_equal(r.args, "acme 2024-11");
	assert_string_equal(r.user, "U123");
	assert_string_equal(r.channel, "C456");
	assert_int_equal(r.queued_ms, 1700000000000);
	history_record_release(&r);
	assert_int_equal(history_claim_run(f->h, &want, &cause), 0);
	assert_int_equal(history_mark_running(f->h, ids[0], NULL), 0);
	assert_int_equal(history_record_queued(f->h, &want, &cause), 1);   /* late: nothing */
	assert_int_equal(status_of(f->h, ids[0]), RUN_RUNNING);

	/* claim first: a late record changes nothing, even once finished */
	want = asked(ids[1], "weekly", "U777");
	assert_int_equal(history_claim_run(f->h, &want, &cause), 0);
	struct run_record late = asked(ids[1], "forged", "U000");
	assert_int_equal(history_record_queued(f->h, &late, &cause), 1);
	assert_int_equal(history_mark_running(f->h, ids[1], NULL), 0);
	assert_int_equal(history_finish_run(f->h, ids[1], RUN_OK, 1, 2, 3, NULL, NULL), 0);
	assert_int_equal(history_record_queued(f->h, &late, &cause), 1);
	assert_int_equal(history_get(f->h, ids[1], &r, NULL), 0);
	assert_int_equal(r.status, RUN_OK);
	assert_string_equal(r.command, "weekly");
	history_record_release(&r);

	/* an id never set aside is not recorded */
	want.id = 4242;
	assert_int_equal(history_record_queued(f->h, &want, &cause), 1);
	assert_int_equal(history_get(f->h, 4242, &r, NULL), 1);
	history_record_release(&r);
	assert_null(cause);
}

/* A worker takes its run over before it claims: once take_over returns
 * the recorder is done with that id (dropped or written, never later),
 * so a claim that then fails is not followed by a late queued row. */
static void test_take_over_ends_the_record(void **state)
{
	struct fixture *f = *state;
	struct history_reserve *res = NULL;
	char *cause = NULL;

	assert_int_equal(history_reserve_open(&res, f->h, 64, true, NULL), 0);
	for (int i = 0; i < 32; i++) {
		int64_t id = 0;
		assert_int_equal(history_reserve_take(res, &id, &cause), 0);
		struct run_record want = asked(id, "monthly", "U123");
		history_reserve_record(res, &want);
		history_reserve_take_over(res, id);
		assert_int_equal(history_reserve_records_pending(res), 0);
		enum run_status s = RUN_ERROR;
		char *sql = xasprintf("SELECT status = 'queued' FROM runs WHERE id = %lld", (long long)id);
		s = pragma_int(f->h, sql) ? RUN_QUEUED : RUN_RESERVED;
		free(sql);
		/* a record written first: the claim takes its row; else the row
		 * is still only reserved and the claim takes that */
		assert_true(s == RUN_QUEUED || s == RUN_RESERVED);
		assert_int_equal(history_claim_run(f->h, &want, &cause), 0);
		assert_int_equal(history_mark_running(f->h, id, NULL), 0);
	}
	history_reserve_close(res);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'running'"), 32);
}

/* Wait (bounded) until the reserve has written every record it was given. */
static bool await_recorded(struct history_reserve *res)
{
	for (int i = 0; i < 2000; i++) {
		if (history_reserve_records_pending(res) == 0)
			return true;
		struct timespec ts = { 0, 5 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return false;
}

#define RACERS 4
#define RACES 50

struct racer {
	struct history *h;
	struct history_reserve *res;
	int index;
	int64_t ids[RACES];
};

/* Take an id, hand its record to the recorder as dispatch does, and
 * (every other run) claim, start and finish it at once as a worker does,
 * racing the recorder; the others stay waiting in the queue. */
static void *racer_main(void *arg)
{
	struct racer *t = arg;
	char user[16];
	snprintf(user, sizeof(user), "U%d", t->index);
	for (int i = 0; i < RACES; i++) {
		char *cause = NULL;
		int64_t id = 0;
		while (history_reserve_take(t->res, &id, &cause) < 0) {   /* empty: the filler is on it */
			free(cause);
			cause = NULL;
			struct timespec ts = { 0, 1000000L };
			nanosleep(&ts, NULL);
		}
		struct run_record want = asked(id, "monthly", user);
		history_reserve_record(t->res, &want);
		t->ids[i] = id;
		if (i % 2)
			continue;
		history_reserve_take_over(t->res, id);   /* as run_job does before its claim */
		if (history_claim_run(t->h, &want, &cause) < 0 || history_mark_running(t->h, id, &cause) < 0 ||
		    history_finish_run(t->h, id, RUN_OK, 1, 1, 1, NULL, &cause) < 0) {
			fprintf(stderr, "racer: run %lld: %s\n", (long long)id, cause);
			free(cause);
			return (void *)1;
		}
	}
	return NULL;
}

/* Dispatchers hand records to the recorder while workers claim: every
 * claimed run ends ok (a late record never brings it back to queued),
 * every run left in the queue is in the history as queued with its
 * asker's record, and a crash then marks those interrupted, to be told. */
static void test_recorder_races_claims(void **state)
{
	struct fixture *f = *state;
	struct history_reserve *res = NULL;
	assert_int_equal(history_reserve_open(&res, f->h, 8, true, NULL), 0);
	struct racer t[RACERS];
	pthread_t th[RACERS];
	for (int i = 0; i < RACERS; i++) {
		t[i] = (struct racer){ .h = f->h, .res = res, .index = i };
		assert_int_equal(pthread_create(&th[i], NULL, racer_main, &t[i]), 0);
	}
	for (int i = 0; i < RACERS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	assert_true(await_recorded(res));
	for (int i = 0; i < RACERS; i++) {
		char user[16];
		snprintf(user, sizeof(user), "U%d", i);
		for (int k = 0; k < RACES; k++) {
			struct run_record r;
			assert_int_equal(history_get(f->h, t[i].ids[k], &r, NULL), 0);
			assert_int_equal(r.status, k % 2 ? RUN_QUEUED : RUN_OK);
			assert_string_equal(r.user, user);
			assert_string_equal(r.command, "monthly");
			history_record_release(&r);
		}
	}
	history_reserve_close(res);

	/* the process dies with half of them still queued */
	history_close(f->h);
	f->h = NULL;
	open_ok(f);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'interrupted'"),
			 RACERS * RACES / 2);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs WHERE status = 'ok'"), RACERS * RACES / 2);
	struct run_record *recs = NULL;
	size_t n = 0;
	assert_int_equal(history_list_interrupted(f->h, 1000, &recs, &n, NULL), 0);
	assert_int_equal(n, RACERS * RACES / 2);
	assert_string_equal(recs[0].error, "the bot stopped before this run started");
	assert_int_equal(recs[0].started_ms, 0);
	assert_string_equal(recs[0].args, "acme 2024-11");
	history_records_free(recs, n);
}

/* A version-1 history (ids chosen as max + 1) migrates to version 2:
 * its runs kept, their ids unchanged, a deleted id never given again. */
static void test_migration_from_v1(void **state)
{
	struct fixture *f = *state;
	history_close(f->h);
	f->h = NULL;
	unlink(f->path);
	char *wal = xasprintf("%s-wal", f->path);
	unlink(wal);
	free(wal);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE runs (id INTEGER PRIMARY KEY, command TEXT, args TEXT, user TEXT, channel TEXT,"
		" source TEXT, queued_ms INTEGER NOT NULL DEFAULT 0, started_ms INTEGER NOT NULL DEFAULT 0,"
		" finished_ms INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, rows INTEGER NOT NULL DEFAULT 0,"
		" bytes INTEGER NOT NULL DEFAULT 0, duration_ms INTEGER NOT NULL DEFAULT 0, error TEXT);"
		"CREATE INDEX runs_status ON runs(status);"
		"CREATE TABLE schedule_slots (schedule TEXT, slot_ms INTEGER, run_id INTEGER, status TEXT,"
		" PRIMARY KEY (schedule, slot_ms));"
		"CREATE TABLE schedules (name TEXT PRIMARY KEY, cron TEXT, run TEXT, channel TEXT,"
		" skip_empty INTEGER, only_changed INTEGER, created_by TEXT, created_ms INTEGER);"
		"CREATE TABLE last_posted (schedule TEXT PRIMARY KEY, sha256 TEXT, run_id INTEGER);"
		"INSERT INTO runs (id, command, user, status, queued_ms) VALUES (7, 'old', 'U1', 'ok', 5),"
		" (9, 'newest', 'U2', 'error', 6);"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	open_ok(f);
	assert_int_equal(pragma_int(f->h, "PRAGMA user_version"), 3);
	assert_int_equal(status_of(f->h, 7), RUN_OK);
	assert_int_equal(status_of(f->h, 9), RUN_ERROR);
	history_lock(f->h);
	assert_int_equal(sqlite3_exec(history_db(f->h), "DELETE FROM runs WHERE id = 9", NULL, NULL, NULL),
			 SQLITE_OK);
	history_unlock(f->h);
	assert_int_equal(add(f->h, 0, "after"), 10);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM sqlite_master WHERE name = 'runs_queued'"), 1);
}

/* A made result is "delivering" until its post is done: the status is
 * written before the file reaches anyone, and only from running. */
static void test_delivering(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	struct run_record r;

	int64_t id = add(f->h, 0, "t");
	assert_int_equal(history_mark_delivering(f->h, id, 1, 2, 3, &cause), -1);   /* queued */
	assert_non_null(strstr(cause, "already queued"));
	free(cause);
	cause = NULL;
	assert_int_equal(history_mark_running(f->h, id, NULL), 0);
	assert_int_equal(history_mark_delivering(f->h, id, 12, 3456, 789, &cause), 0);
	assert_int_equal(history_get(f->h, id, &r, NULL), 0);
	assert_int_equal(r.status, RUN_DELIVERING);
	assert_int_equal(r.rows, 12);
	assert_int_equal(r.bytes, 3456);
	assert_int_equal(r.finished_ms, 0);
	history_record_release(&r);
	/* delivering is no final status; the final one follows it */
	assert_int_equal(history_finish_run(f->h, id, RUN_DELIVERING, 0, 0, 0, NULL, &cause), -1);
	assert_non_null(strstr(cause, "accepted"));
	free(cause);
	cause = NULL;
	assert_int_equal(history_finish_run(f->h, id, RUN_OK, 12, 3456, 789, NULL, &cause), 0);
	assert_int_equal(status_of(f->h, id), RUN_OK);
	assert_int_equal(history_mark_delivering(f->h, id, 1, 1, 1, &cause), -1);
	free(cause);
	cause = NULL;

	/* A crash while delivering: interrupted, saying the file may be out. */
	int64_t d = add(f->h, 0, "t");
	assert_int_equal(history_mark_running(f->h, d, NULL), 0);
	assert_int_equal(history_mark_delivering(f->h, d, 5, 50, 7, NULL), 0);
	history_close(f->h);
	f->h = NULL;
	open_ok(f);
	assert_int_equal(history_get(f->h, d, &r, NULL), 0);
	assert_int_equal(r.status, RUN_INTERRUPTED);
	assert_non_null(strstr(r.error, "may have been posted"));
	assert_int_equal(r.rows, 5);
	history_record_release(&r);
}

/* Milliseconds since T0. */
static int64_t ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Writers wait for another process's lock up to the busy timeout (30 s
 * by default, REPORTBOT_HISTORY_BUSY_MS), then fail naming the file. */
static void test_busy_fails_loudly(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;

	unsetenv("REPORTBOT_HISTORY_BUSY_MS");
	assert_int_equal(history_db_busy_timeout_ms(), 30000);
	setenv("REPORTBOT_HISTORY_BUSY_MS", "400", 1);
	assert_int_equal(history_db_busy_timeout_ms(), 400);
	history_close(f->h);
	f->h = NULL;
	open_ok(f);
	unsetenv("REPORTBOT_HISTORY_BUSY_MS");
	int64_t id = add(f->h, 0, "t");

	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(history_mark_running(f->h, id, &cause), -1);
	int64_t waited = ms_since(&t0);
	assert_true(waited >= 350);
	assert_true(waited < 5000);
	assert_non_null(strstr(cause, "database is locked"));
	assert_non_null(strstr(cause, f->path));
	assert_non_null(strstr(cause, "0.4 s"));
	free(cause);
	cause = NULL;
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	/* let go: the same write goes through */
	assert_int_equal(history_mark_running(f->h, id, &cause), 0);
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	return (unsigned)(st.st_mode & 07777);
}

/* history.db, its -wal and -shm and the lock file are 0600; older ones of
 * ours are narrowed, and a -shm of ours left read-only is made writable. */
static void test_file_modes(void **state)
{
	struct fixture *f = *state;
	char *wal = xasprintf("%s-wal", f->path);
	char *shm = xasprintf("%s-shm", f->path);
	char *lock = xasprintf("%s.lock", f->path);

	add(f->h, 0, "t");   /* the WAL and shm exist while it is open */
	assert_int_equal(mode_of(f->path), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	assert_int_equal(mode_of(lock), 0600);

	/* Made 0644 by an older reportbot, and a -shm left read-only. */
	struct history *keep = NULL;   /* keeps the -wal and -shm on disk */
	assert_int_equal(history_open(&keep, f->path, NULL), 0);
	history_close(f->h);
	f->h = NULL;
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(chmod(wal, 0644), 0);
	assert_int_equal(chmod(shm, 0444), 0);
	assert_int_equal(chmod(lock, 0644), 0);
	open_ok(f);
	assert_int_equal(mode_of(f->path), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	assert_int_equal(mode_of(lock), 0600);
	add(f->h, 0, "t");
	history_close(keep);
	free(wal);
	free(shm);
	free(lock);
}

/* A -shm or -wal that cannot be opened for writing is named, with the
 * fix; here one that is a directory, which no uid can write. */
static void test_unwritable_side_file(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	struct history *h = NULL;
	history_close(f->h);
	f->h = NULL;
	char *shm = xasprintf("%s-shm", f->path);
	assert_int_equal(mkdir(shm, 0700), 0);
	assert_int_equal(history_open(&h, f->path, &cause), -1);
	assert_null(h);
	assert_non_null(strstr(cause, shm));
	assert_non_null(strstr(cause, "remove it while no reportbot runs"));
	free(cause);
	cause = NULL;
	assert_int_equal(rmdir(shm), 0);
	free(shm);

	char *wal = xasprintf("%s-wal", f->path);
	assert_int_equal(mkdir(wal, 0700), 0);
	assert_int_equal(history_open(&h, f->path, &cause), -1);
	assert_non_null(strstr(cause, wal));
	assert_non_null(strstr(cause, "do not remove it"));
	free(cause);
	assert_int_equal(rmdir(wal), 0);
	free(wal);
	open_ok(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_adds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_claim_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_writers_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_take_never_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserved_rows_of_a_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_queued_either_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recorder_races_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_over_ends_the_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_fails_loudly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_side_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
