#include "common.h"
#include "store/source-sqlite.h"
#include "store/csv.h"
#include "common/strbuf.h"

#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

/* A temporary directory holding test.db, made with a writable connection. */
struct fixture {
	char dir[64];
	char *path;
	struct source_config cfg;
	struct sqlite_settings set;
	struct source *src;
};

static void db_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("setup sql failed: %s", err);
	sqlite3_close(db);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-source-sqlite.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = xasprintf("%s/test.db", f->dir);
	db_exec(f->path,
		"CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n);"
		"INSERT INTO t VALUES (42, 3.5, 'héllo', x'00ff41', NULL);"
		"INSERT INTO t VALUES (-9223372036854775808, 1.0, '', x'', NULL);"
		"INSERT INTO t VALUES (9223372036854775807, 0.1, '日本🎉', NULL, 1e300);"
		"CREATE TABLE users(name TEXT, secret TEXT);"
		"INSERT INTO users VALUES ('alice', 's1'), ('bob', 's2');");
	f->cfg.name = xstrdup("demo");
	f->cfg.driver = &source_driver_sqlite;
	f->cfg.settings = &f->set;
	f->set.path = xstrdup(f->path);
	char *cause = NULL;
	enum source_result r = source_open(&f->src, &f->cfg, &cause);
	if (r != SOURCE_OK)
		fail_msg("open: %s", cause);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	source_close(f->src);
	char *cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->path);
	free(f->cfg.name);
	free(f->set.path);
	free(f);
	return 0;
}

/* Execute and expect success, failing the test with the cause otherwise. */
static void exec_ok(struct source *src, const char *sql, const struct bind_value *b, size_t nb)
{
	char *cause = NULL;
	enum source_result r = source_execute(src, sql, b, nb, 0, &cause);
	if (r != SOURCE_OK)
		fail_msg("execute: %s (%s)", source_strerror(r), cause ? cause : "");
}

static void next_row(struct source *src, struct source_row *row)
{
	char *cause = NULL;
	enum source_result r = source_next(src, row, &cause);
	if (r != SOURCE_ROW)
		fail_msg("next: %s (%s)", source_strerror(r), cause ? cause : "");
}

static void assert_val(const struct source_row *row, size_t i, const char *want, size_t wantlen)
{
	assert_non_null(row->vals[i]);
	assert_int_equal(row->lens[i], wantlen);
	assert_memory_equal(row->vals[i], want, wantlen);
}

static void assert_done(struct source *src)
{
	struct source_row row;
	char *cause = NULL;
	assert_int_equal(source_next(src, &row, &cause), SOURCE_DONE);
	assert_null(cause);
}

static void test_every_type(void **state)
{
	struct fixture *f = *state;
	struct source_row row;
	exec_ok(f->src, "SELECT i, r, s, b, n FROM t ORDER BY rowid", NULL, 0);
	assert_int_equal(source_ncols(f->src), 5);

	next_row(f->src, &row);
	assert_int_equal(row.ncols, 5);
	assert_val(&row, 0, "42", 2);
	assert_val(&row, 1, "3.5", 3);
	assert_val(&row, 2, "héllo", strlen("héllo"));
	assert_val(&row, 3, "\x00\xff\x41", 3);       /* blob: raw bytes */
	assert_null(row.vals[4]);                     /* NULL */

	next_row(f->src, &row);
	assert_val(&row, 0, "-9223372036854775808", 20);
	assert_val(&row, 1, "1.0", 3);
	assert_val(&row, 2, "", 0);                   /* empty text is not NULL */
	assert_val(&row, 3, "", 0);                   /* nor is an empty blob */
	assert_null(row.vals[4]);

	next_row(f->src, &row);
	assert_val(&row, 0, "9223372036854775807", 19);
	assert_val(&row, 1, "0.1", 3);
	assert_val(&row, 2, "日本🎉", strlen("日本🎉"));
	assert_null(row.vals[3]);
	assert_val(&row, 4, "1.0e+300", 8);

	assert_done(f->src);
	assert_done(f->src);       /* DONE again, not an error */
}

/* Reals print as the sqlite3 shell prints them ("%!.15g"). */
static void test_real_formatting(void **state)
{
	struct fixture *f = *state;
	struct source_row row;
	static const struct {
		const char *expr, *want;
	} cases[] = {
		{ "1.0", "1.0" },
		{ "0.1", "0.1" },
		{ "1e300", "1.0e+300" },
		{ "3.141592653589793", "3.14159265358979" },
		{ "1.0/3", "0.333333333333333" },
		{ "2.5e-7", "2.5e-07" },
		{ "100.0", "100.0" },
		{ "123456789012345678.0", "1.23456789012346e+17" },
		{ "-0.0", "0.0" },
		{ "-2.75", "-2.75" },
		{ "0", "0" },
		{ "-17", "-17" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *sql = xasprintf("SELECT %s", cases[i].expr);
		exec_ok(f->src, sql, NULL, 0);
		free(sql);
		next_row(f->src, &row);
		assert_non_null(row.vals[0]);
		char *got = xstrndup(row.vals[0], row.lens[0]);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", cases[i].expr, got, cases[i].want);
		free(got);
	}
}

/* Our CSV of a result equals the sqlite3 shell's `.mode csv` (CRLF; plain
 * `sqlite3 -csv` ends lines with LF) for the same query. The values avoid
 * what the shell quotes and RFC 4180 does not need quoted: spaces, single
 * quotes, control and non-ASCII bytes, empty strings. */
static void test_same_csv_as_shell(void **state)
{
	struct fixture *f = *state;
	if (access("/usr/bin/sqlite3", X_OK) != 0)
		skip();
	db_exec(f->path,
		"CREATE TABLE m(id INTEGER, v REAL, label TEXT, note TEXT);"
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 500)"
		" INSERT INTO m SELECT x, x / 7.0, 'row_' || x,"
		" CASE x % 5 WHEN 0 THEN NULL WHEN 1 THEN 'a,b' WHEN 2 THEN 'say\"hi\"'"
		" WHEN 3 THEN 'two' || char(10) || 'lines' ELSE 'plain' END FROM c;");
	const char *sql = "SELECT id, v, label, note, id * 1.5 AS x, -id AS neg FROM m ORDER BY id";

	char *out = xasprintf("%s/ours.csv", f->dir);
	FILE *fp = fopen(out, "w");
	assert_non_null(fp);
	struct csv_writer *w = xmalloc(sizeof(*w));
	csv_init(w, fileno(fp));
	exec_ok(f->src, sql, NULL, 0);
	const char *names[16];
	size_t n = source_ncols(f->src);
	for (size_t i = 0; i < n; i++)
		names[i] = source_colname(f->src, i);
	assert_int_equal(csv_write_header(w, n, names), 0);
	struct source_row row;
	char *cause = NULL;
	enum source_result r;
	while ((r = source_next(f->src, &row, &cause)) == SOURCE_ROW)
		assert_int_equal(csv_write_row(w, row.ncols, row.vals, row.lens), 0);
	assert_int_equal(r, SOURCE_DONE);
	assert_int_equal(csv_flush(w, NULL), 0);
	assert_int_equal(w->rows, 500);
	free(w);
	fclose(fp);

	char *cmd = xasprintf("/usr/bin/sqlite3 -header -cmd '.mode csv' '%s' '%s' > '%s/shell.csv' && "
			      "cmp -s '%s' '%s/shell.csv'", f->path, sql, f->dir, out, f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(out);
}

static void test_binding(void **state)
{
	struct fixture *f = *state;
	struct source_row row;
	const char *evil = "' OR 1=1 --";
	struct bind_value b[] = {
		{ .kind = BIND_TEXT, .text = evil },
		{ .kind = BIND_INT, .i = INT64_C(-1234567890123) },
		{ .kind = BIND_TEXT, .text = NULL },
		{ .kind = BIND_TEXT, .text = "7" },
	};
	exec_ok(f->src, "SELECT ?, ?, ?, typeof(?)", b, 4);
	next_row(f->src, &row);
	assert_val(&row, 0, evil, strlen(evil));
	assert_val(&row, 1, "-1234567890123", 14);
	assert_null(row.vals[2]);
	assert_val(&row, 3, "text", 4);       /* text stays text */
	assert_done(f->src);

	/* The classic injection finds nobody. */
	struct bind_value who = { .kind = BIND_TEXT, .text = evil };
	exec_ok(f->src, "SELECT secret FROM users WHERE name = ?", &who, 1);
	assert_done(f->src);
	who.text = "bob";
	exec_ok(f->src, "SELECT secret FROM users WHERE name = ?", &who, 1);
	next_row(f->src, &row);
	assert_val(&row, 0, "s2", 2);
	assert_done(f->src);

	/* The caller's buffer may change once execute returned. */
	char buf[8];
	snprintf(buf, sizeof(buf), "alice");
	struct bind_value tmp = { .kind = BIND_TEXT, .text = buf };
	exec_ok(f->src, "SELECT secret FROM users WHERE name = ?", &tmp, 1);
	snprintf(buf, sizeof(buf), "bob");
	next_row(f->src, &row);
	assert_val(&row, 0, "s1", 2);
}

static void test_bind_count(void **state)
{
	struct fixture *f = *state;
	struct bind_value b = { .kind = BIND_INT, .i = 1 };
	char *cause = NULL;
	assert_int_equal(source_execute(f->src, "SELECT ?, ?", &b, 1, 0, &cause), SOURCE_EBIND);
	assert_non_null(strstr(cause, "demo"));
	assert_non_null(strstr(cause, "2 parameters"));
	free(cause);
	cause = NULL;
	assert_int_equal(source_execute(f->src, "SELECT 1", &b, 1, 0, &cause), SOURCE_EBIND);
	free(cause);
	/* After a failed execute there is no statement to read. */
	struct source_row row;
	cause = NULL;
	assert_int_equal(source_next(f->src, &row, &cause), SOURCE_EQUERY);
	free(cause);
	assert_int_equal(source_ncols(f->src), 0);
}

#define ENDLESS "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) "

static void test_timeout_in_execute(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	int64_t t0 = now_ms_monotonic();
	enum source_result r = source_execute(f->src, ENDLESS "SELECT count(*) FROM c", NULL, 0, 200, &cause);
	int64_t took = now_ms_monotonic() - t0;
	assert_int_equal(r, SOURCE_ETIMEOUT);
	assert_true(took >= 190 && took < 3000);
	assert_non_null(strstr(cause, "timeout"));
	assert_null(strstr(cause, "RECURSIVE"));
	free(cause);
	/* The connection is still good for the next run. */
	struct source_row row;
	exec_ok(f->src, "SELECT 5", NULL, 0);
	next_row(f->src, &row);
	assert_val(&row, 0, "5", 1);
}

static void test_timeout_while_streaming(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	assert_int_equal(source_execute(f->src, ENDLESS "SELECT x FROM c", NULL, 0, 150, &cause), SOURCE_OK);
	struct source_row row;
	enum source_result r;
	uint64_t n = 0;
	int64_t t0 = now_ms_monotonic();
	while ((r = source_next(f->src, &row, &cause)) == SOURCE_ROW)
		n++;
	assert_int_equal(r, SOURCE_ETIMEOUT);
	assert_true(n > 0);
	assert_true(now_ms_monotonic() - t0 < 3000);
	free(cause);
}

struct canceller {
	struct source *src;
	int delay_ms;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;
	usleep((useconds_t)c->delay_ms * 1000);
	source_cancel(c->src);
	return NULL;
}

static void test_cancel_from_thread(void **state)
{
	struct fixture *f = *state;
	struct canceller c = { f->src, 150 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &c), 0);
	char *cause = NULL;
	/* No timeout: only the cancel can stop it. */
	enum source_result r = source_execute(f->src, ENDLESS "SELECT count(*) FROM c", NULL, 0, 0, &cause);
	pthread_join(t, NULL);
	assert_int_equal(r, SOURCE_ECANCELLED);
	assert_non_null(strstr(cause, "cancelled"));
	free(cause);

	/* Cancel while rows stream. */
	cause = NULL;
	assert_int_equal(source_execute(f->src, ENDLESS "SELECT x FROM c", NULL, 0, 0, &cause), SOURCE_OK);
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &c), 0);
	struct source_row row;
	while ((r = source_next(f->src, &row, &cause)) == SOURCE_ROW)
		;
	pthread_join(t, NULL);
	assert_int_equal(r, SOURCE_ECANCELLED);
	free(cause);

	/* A later execute starts afresh. */
	exec_ok(f->src, "SELECT 1", NULL, 0);
	next_row(f->src, &row);
	assert_done(f->src);
}

static void test_read_only(void **state)
{
	struct fixture *f = *state;
	static const char *writes[] = {
		"INSERT INTO users VALUES ('mallory', 'x')",
		"DELETE FROM users",
		"CREATE TABLE evil(x)",
		"DROP TABLE users",
		"UPDATE users SET secret = 'x'",
	};
	for (size_t i = 0; i < ARRAY_SIZE(writes); i++) {
		char *cause = NULL;
		enum source_result r = source_execute(f->src, writes[i], NULL, 0, 0, &cause);
		assert_int_equal(r, SOURCE_EQUERY);
		assert_non_null(cause);
		free(cause);
	}
	struct source_row row;
	exec_ok(f->src, "SELECT count(*) FROM users", NULL, 0);
	next_row(f->src, &row);
	assert_val(&row, 0, "2", 1);
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct sqlite_settings set = { 0 };
	struct source_config cfg = { .driver = &source_driver_sqlite, .settings = &set };
	cfg.name = xstrdup("gone");
	set.path = xasprintf("%s/nope.db", f->dir);
	struct source *src = (struct source *)&cfg;      /* must be reset */
	char *cause = NULL;
	assert_int_equal(source_open(&src, &cfg, &cause), SOURCE_ECONNECT);
	assert_null(src);
	assert_non_null(strstr(cause, "gone"));
	assert_non_null(strstr(cause, set.path));
	free(cause);
	struct stat st;
	assert_int_equal(stat(set.path, &st), -1);       /* never created */

	/* A file that is not a database. */
	FILE *fp = fopen(set.path, "w");
	fputs("this is not a database, just some text long enough to have a header of sorts\n", fp);
	fclose(fp);
	cause = NULL;
	assert_int_equal(source_open(&src, &cfg, &cause), SOURCE_ECONNECT);
	assert_non_null(strstr(cause, "not a database"));
	free(cause);
	free(cfg.name);
	free(set.path);
}

static void test_zero_rows(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->src, "SELECT name, secret FROM users WHERE 0", NULL, 0);
	assert_int_equal(source_ncols(f->src), 2);
	assert_string_equal(source_colname(f->src, 0), "name");
	assert_string_equal(source_colname(f->src, 1), "secret");
	assert_done(f->src);
	/* Column names outlive the last row. */
	assert_string_equal(source_colname(f->src, 1), "secret");
}

static void test_column_names(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->src, "SELECT 1 AS one, 'x' AS \"two words\", count(*) FROM users", NULL, 0);
	assert_int_equal(source_ncols(f->src), 3);
	assert_string_equal(source_colname(f->src, 0), "one");
	assert_string_equal(source_colname(f->src, 1), "two words");
	assert_string_equal(source_colname(f->src, 2), "count(*)");
	assert_null(source_colname(f->src, 3));
}

static void test_check(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	assert_int_equal(source_check(f->src, "SELECT name FROM users WHERE name = ? AND secret = ?", 2, &cause),
			 SOURCE_OK);
	assert_null(cause);
	{
		/* the result's columns, known from the prepare (check's `-- chart:`) */
		struct strlist cols;
		strlist_init(&cols);
		assert_int_equal(source_check_columns(f->src, "SELECT name, count(*) AS n FROM users WHERE name = ?",
						      1, &cols, &cause), SOURCE_OK);
		assert_int_equal(cols.n, 2);
		assert_string_equal(cols.v[0], "name");
		assert_string_equal(cols.v[1], "n");
		strlist_release(&cols);
	}
	assert_int_equal(source_check(f->src, "SELECT name FROM users WHERE name = ?", 2, &cause), SOURCE_EBIND);
	assert_non_null(strstr(cause, "1 parameters"));
	free(cause);
	cause = NULL;
	assert_int_equal(source_check(f->src, "SELECT /*MARKER_SQL*/ nosuch FROM users", 0, &cause), SOURCE_EQUERY);
	assert_non_null(strstr(cause, "no such column"));
	assert_non_null(strstr(cause, "demo"));
	assert_null(strstr(cause, "MARKER_SQL"));       /* the SQL text stays out */
	free(cause);
	cause = NULL;
	assert_int_equal(source_check(f->src, "SELECT 1; SELECT 2", 0, &cause), SOURCE_EQUERY);
	assert_non_null(strstr(cause, "more than one statement"));
	free(cause);
	cause = NULL;
	assert_int_equal(source_check(f->src, "DELETE FROM users", 0, &cause), SOURCE_EQUERY);
	free(cause);
	/* Trailing semicolons and comments are fine. */
	assert_int_equal(source_check(f->src, "SELECT 1; -- done\n;", 0, NULL), SOURCE_OK);
	cause = NULL;
	assert_int_equal(source_check(f->src, "  -- only a comment\n", 0, &cause), SOURCE_EQUERY);
	free(cause);
	/* check leaves a running statement alone. */
	exec_ok(f->src, "SELECT name FROM users ORDER BY name", NULL, 0);
	assert_int_equal(source_check(f->src, "SELECT 1", 0, NULL), SOURCE_OK);
	struct source_row row;
	next_row(f->src, &row);
	assert_val(&row, 0, "alice", 5);
}

static void test_runtime_error(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	assert_int_equal(source_execute(f->src, "SELECT abs(-9223372036854775807 - 1)", NULL, 0, 0, &cause),
			 SOURCE_EQUERY);
	assert_non_null(strstr(cause, "integer overflow"));
	free(cause);
}

static void test_reexecute_midway(void **state)
{
	struct fixture *f = *state;
	struct source_row row;
	exec_ok(f->src, ENDLESS "SELECT x FROM c", NULL, 0);
	next_row(f->src, &row);
	next_row(f->src, &row);
	assert_val(&row, 0, "2", 1);
	exec_ok(f->src, "SELECT 'again'", NULL, 0);
	next_row(f->src, &row);
	assert_val(&row, 0, "again", 5);
	assert_done(f->src);
}

static void test_strerror_and_null(void **state)
{
	(void)state;
	static const enum source_result all[] = {
		SOURCE_OK, SOURCE_ROW, SOURCE_DONE, SOURCE_ECONNECT, SOURCE_EQUERY,
		SOURCE_ETIMEOUT, SOURCE_ECANCELLED, SOURCE_EAUTH, SOURCE_EBIND,
	};
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		const char *w = source_strerror(all[i]);
		assert_non_null(w);
		assert_true(strlen(w) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(w, source_strerror(all[j]));
	}
	assert_non_null(source_strerror((enum source_result)-99));
	source_close(NULL);
	source_cancel(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_formatting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_csv_as_shell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_in_execute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_while_streaming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_from_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_column_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reexecute_midway, setup, teardown),
		cmocka_unit_test(test_strerror_and_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
