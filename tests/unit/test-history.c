#include "common.h"
#include "store/history.h"
#include "store/history-db.h"

#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
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
	struct run_record r = {
		.id = id,
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
				      "cancelled", "interrupted", "skipped" };
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
	assert_int_equal(pragma_int(f->h, "PRAGMA user_version"), 1);
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
				      "INSERT INTO schedule_slots VALUES ('monthly', 1700000000000, 1, 'ok');"
				      "INSERT INTO schedules VALUES ('monthly', '0 9 1 * *', 'usage-all last', "
				      "'C1', 0, 1, 'U1', 1700000000000);"
				      "INSERT INTO last_posted VALUES ('monthly', 'abc', 1);",
				      NULL, NULL, NULL), SQLITE_OK);
	/* (schedule, slot_ms) is the key: a slot runs once. */
	assert_int_not_equal(sqlite3_exec(history_db(f->h),
					  "INSERT INTO schedule_slots VALUES ('monthly', 1700000000000, 2, 'ok')",
					  NULL, NULL, NULL), SQLITE_OK);
	history_unlock(f->h);

	/* Reopening keeps version and data. */
	add(f->h, 0, "kept");
	history_close(f->h);
	open_ok(f);
	assert_int_equal(pragma_int(f->h, "PRAGMA user_version"), 1);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(pragma_int(f->h, "SELECT count(*) FROM schedules"), 1);
}

static void test_add_and_get(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	int64_t max = -1;
	assert_int_equal(history_max_id(f->h, &max, NULL), 0);
	assert_int_equal(max, 0);

	int64_t a = add(f->h, 0, "monthly");
	assert_true(a > 0);
	int64_t b = add(f->h, 41, "weekly");
	assert_int_equal(b, 41);
	int64_t c = add(f->h, 0, "daily");
	assert_int_equal(c, 42);        /* after the largest id */
	assert_int_equal(history_max_id(f->h, &max, NULL), 0);
	assert_int_equal(max, 42);

	/* An id handed out twice is an error that names it. */
	struct run_record dup = { .id = 41, .command = (char *)"x", .status = RUN_QUEUED };
	int64_t got = 0;
	assert_int_equal(history_add_run(f->h, &dup, &got, &cause), -1);
	assert_non_null(strstr(cause, "41"));
	free(cause);
	cause = NULL;

	struct run_record r;
	assert_int_equal(history_get(f->h, 41, &r, &cause), 0);
	assert_int_equal(r.id, 41);
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
	assert_int_equal(status_of(f->h, queued), RUN_INTERRUPTED);
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
	int64_t max;
	assert_int_equal(history_max_id(f->h, &max, NULL), 0);
	assert_int_equal(max, THREADS * PER_THREAD);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
