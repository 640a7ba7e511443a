/*
 * The driver at run time: a 1M-row result streamed with flat memory,
 * timeouts and cancellation (KILL QUERY, nothing left in the processlist),
 * a result abandoned half-way, a lost connection mid-result, a server
 * restart between runs, the read-only session, and each failure's words.
 */
#include "common.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/mysql/helpers.h"

/* 10^10 rows of arithmetic: runs for minutes unless stopped. */
#define SLOW_AGGREGATE "SELECT SUM(a.seq * b.seq) FROM seq_1_to_100000 a, seq_1_to_100000 b"
#define SLOW_STREAM "SELECT a.seq, b.seq FROM seq_1_to_100000 a, seq_1_to_100000 b"

static void open_source(struct source_config *cfg, struct source **src)
{
	char *cause = NULL;
	enum source_result r = source_open(src, cfg, &cause);
	if (r != SOURCE_OK)
		fail_msg("open: %s", cause ? cause : "?");
}

/* SELECT 1 works on src. */
static void assert_usable(struct source *src)
{
	struct strbuf got;
	strbuf_init(&got);
	char *cause = NULL;
	enum source_result r = driver_query(src, "SELECT 1, CONNECTION_ID() > 0", NULL, 0, 5000, &got, &cause);
	if (r != SOURCE_DONE)
		fail_msg("source not usable: %s: %s", source_strerror(r), cause ? cause : "");
	assert_string_equal(got.buf, "1\t1\n");
	strbuf_release(&got);
	free(cause);
}

/* Queries of report_ro still running on the server, other than Sleep;
 * polls a little since a killed query takes a moment to unwind. */
static long leftover_queries(void)
{
	long n = -1;
	for (int i = 0; i < 50; i++) {
		n = admin_scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'report_ro' "
				 "AND COMMAND NOT IN ('Sleep', 'Daemon')");
		if (n == 0)
			return 0;
		usleep(100 * 1000);
	}
	return n;
}

static void test_stream_million_rows(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "stream");
	open_source(&cfg.base, &src);
	char *cause = NULL;
	assert_int_equal(source_execute(src, "SELECT seq, CONCAT('row-', seq, '-', REPEAT('x', seq % 50)), "
				       "seq * 1.5, '2024-01-01' + INTERVAL (seq % 1000) MINUTE, "
				       "IF(seq % 3 = 0, NULL, seq / 7e0) FROM seq_1_to_1000000",
				       NULL, 0, 0, &cause), SOURCE_OK);
	struct source_row row;
	long rows = 0, rss_early = 0;
	uint64_t sum = 0;
	enum source_result r;
	while ((r = source_next(src, &row, &cause)) == SOURCE_ROW) {
		rows++;
		char *end;
		sum += (uint64_t)strtoll(row.vals[0], &end, 10);
		if (rows == 50000)
			rss_early = peak_rss_kb();
	}
	assert_int_equal(r, SOURCE_DONE);
	assert_int_equal(rows, 1000000);
	assert_true(sum == 500000500000ULL);
	long rss_end = peak_rss_kb();
	fprintf(stderr, "peak rss after 50k rows %ld KiB, after 1M rows %ld KiB\n", rss_early, rss_end);
	/* Flat: the last 950k rows add (almost) nothing. */
	assert_true(rss_end - rss_early < 2048);
	source_close(src);
}

static void test_timeout(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "timeouts");
	open_source(&cfg.base, &src);
	char *cause = NULL;
	int64_t t0 = now_ms_monotonic();
	enum source_result r = source_execute(src, SLOW_AGGREGATE, NULL, 0, 1000, &cause);
	if (r == SOURCE_OK) {
		struct source_row row;
		r = source_next(src, &row, &cause);
	}
	int64_t took = now_ms_monotonic() - t0;
	assert_int_equal(r, SOURCE_ETIMEOUT);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "source 'timeouts'"));
	assert_non_null(strstr(cause, "timeout of 1 s"));
	assert_null(strstr(cause, "SELECT"));
	assert_true(took >= 900 && took < 4000);
	free(cause);
	assert_int_equal(leftover_queries(), 0);
	assert_usable(src);
	/* The past timeout does not colour a later check's failure. */
	cause = NULL;
	struct strbuf ignored;
	strbuf_init(&ignored);
	assert_int_equal(driver_query(src, SLOW_AGGREGATE, NULL, 0, 500, &ignored, &cause), SOURCE_ETIMEOUT);
	strbuf_release(&ignored);
	free(cause);
	cause = NULL;
	assert_int_equal(source_check(src, "SELECT nope FROM events", 0, &cause), SOURCE_EQUERY);
	assert_non_null(strstr(cause, "Unknown column"));
	free(cause);

	/* A timeout while rows stream: the server is told to stop. */
	cause = NULL;
	t0 = now_ms_monotonic();
	assert_int_equal(source_execute(src, SLOW_STREAM, NULL, 0, 1000, &cause), SOURCE_OK);
	struct source_row row;
	long rows = 0;
	while ((r = source_next(src, &row, &cause)) == SOURCE_ROW) {
		if (++rows % 100000 == 0)
			usleep(50 * 1000);   /* a slow reader */
	}
	took = now_ms_monotonic() - t0;
	assert_int_equal(r, SOURCE_ETIMEOUT);
	assert_true(rows > 0);
	assert_true(took < 4000);
	free(cause);
	assert_int_equal(leftover_queries(), 0);
	assert_usable(src);
	assert_usable(src);
	source_close(src);
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

static void test_cancel(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "cancels");
	open_source(&cfg.base, &src);
	char *cause = NULL;

	/* Cancelled while the server computes (execute is blocked). */
	struct canceller c = { src, 500 };
	pthread_t th;
	pthread_create(&th, NULL, cancel_later, &c);
	int64_t t0 = now_ms_monotonic();
	enum source_result r = source_execute(src, SLOW_AGGREGATE, NULL, 0, 60000, &cause);
	if (r == SOURCE_OK) {
		struct source_row row;
		r = source_next(src, &row, &cause);
	}
	int64_t took = now_ms_monotonic() - t0;
	pthread_join(th, NULL);
	assert_int_equal(r, SOURCE_ECANCELLED);
	assert_non_null(strstr(cause, "source 'cancels': the query was cancelled"));
	assert_true(took < 3000);
	free(cause);
	cause = NULL;
	assert_int_equal(leftover_queries(), 0);
	assert_usable(src);

	/* Cancelled while rows stream, no timeout at all. */
	assert_int_equal(source_execute(src, SLOW_STREAM, NULL, 0, 0, &cause), SOURCE_OK);
	struct source_row row;
	long rows = 0;
	c.delay_ms = 300;
	pthread_create(&th, NULL, cancel_later, &c);
	t0 = now_ms_monotonic();
	while ((r = source_next(src, &row, &cause)) == SOURCE_ROW)
		rows++;
	took = now_ms_monotonic() - t0;
	pthread_join(th, NULL);
	assert_int_equal(r, SOURCE_ECANCELLED);
	assert_true(rows > 0);
	assert_true(took < 3000);
	free(cause);
	cause = NULL;
	assert_int_equal(leftover_queries(), 0);
	assert_usable(src);

	/* A cancel with nothing running does not touch the next run. */
	source_cancel(src);
	assert_usable(src);
	source_close(src);
}

/* Results left half-read: the next statement (and close) must not wait for
 * the rest, and must not be hit by the kill that stopped it. */
static void test_abandoned_result(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "abandon");
	open_source(&cfg.base, &src);
	char *cause = NULL;
	for (int i = 0; i < 20; i++) {
		const char *sql = i % 2 ? SLOW_STREAM : "SELECT seq FROM seq_1_to_100000";
		assert_int_equal(source_execute(src, sql, NULL, 0, 0, &cause), SOURCE_OK);
		struct source_row row;
		for (int k = 0; k < 10 + i * 97; k++)
			assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
		int64_t t0 = now_ms_monotonic();
		assert_usable(src);
		assert_true(now_ms_monotonic() - t0 < 3000);
	}
	assert_int_equal(leftover_queries(), 0);
	/* Close in the middle of a stream. */
	assert_int_equal(source_execute(src, SLOW_STREAM, NULL, 0, 0, &cause), SOURCE_OK);
	struct source_row row;
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
	source_close(src);
	assert_int_equal(leftover_queries(), 0);
}

static void test_lost_connection_mid_result(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "lost");
	open_source(&cfg.base, &src);
	char *cause = NULL;
	assert_int_equal(source_execute(src, SLOW_STREAM, NULL, 0, 0, &cause), SOURCE_OK);
	struct source_row row;
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
	long id = admin_scalar("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'report_ro' "
			       "AND INFO LIKE 'SELECT a.seq%'");
	assert_true(id > 0);
	char kill[64];
	snprintf(kill, sizeof(kill), "KILL CONNECTION %ld", id);
	assert_int_equal(admin_exec(kill), 0);
	enum source_result r;
	long rows = 0;
	while ((r = source_next(src, &row, &cause)) == SOURCE_ROW)
		rows++;
	if (r != SOURCE_ECONNECT)
		fail_msg("after KILL CONNECTION: %s: %s", source_strerror(r), cause ? cause : "");
	assert_string_equal(cause, "source 'lost': lost the connection to the server while reading the result");
	free(cause);
	/* The next run connects again by itself. */
	assert_usable(src);
	source_close(src);
}

static void test_server_restart(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "restart");
	open_source(&cfg.base, &src);
	assert_usable(src);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "tests/mysql/server.sh restart '%s'", facts()->dir);
	assert_int_equal(system(cmd), 0);
	/* The kept connection is dead; the run reconnects and succeeds. */
	assert_usable(src);
	assert_usable(src);
	source_close(src);
}

/* Each failure: the result code, words naming the source, no password. */
static void expect_failure(struct source_config *cfg, const char *sql, enum source_result want,
			   const char *words)
{
	struct source *src;
	open_source(cfg, &src);
	char *cause = NULL;
	struct strbuf got;
	strbuf_init(&got);
	enum source_result r = driver_query(src, sql, NULL, 0, 5000, &got, &cause);
	if (r != want)
		fail_msg("%s: got %s (%s), want %s", sql, source_strerror(r), cause ? cause : "",
			 source_strerror(want));
	assert_non_null(cause);
	if (!strstr(cause, words))
		fail_msg("cause '%s' lacks '%s'", cause, words);
	assert_non_null(strstr(cause, "source 'bad'"));
	assert_null(strstr(cause, facts()->password));
	assert_null(strstr(cause, facts()->admin_password));
	const struct mysql_settings *set = cfg->settings;
	if (set->password && *set->password)
		assert_null(strstr(cause, set->password));
	fprintf(stderr, "  %s -> %s\n", source_strerror(r), cause);
	free(cause);
	strbuf_release(&got);
	source_close(src);
}

static void test_failures(void **state)
{
	(void)state;
	struct mysql_test_config cfg;

	test_config(&cfg, "bad");
	cfg.set.port = 9;   /* nothing listens there */
	expect_failure(&cfg.base, "SELECT 1", SOURCE_ECONNECT, "cannot connect to the server at 127.0.0.1:9");

	test_config(&cfg, "bad");
	cfg.set.socket = (char *)"/nonexistent/mysqld.sock";
	expect_failure(&cfg.base, "SELECT 1", SOURCE_ECONNECT, "cannot connect to the server at socket /nonexistent/mysqld.sock");

	test_config(&cfg, "bad");
	cfg.set.password = (char *)"not-the-password-s3cret";
	expect_failure(&cfg.base, "SELECT 1", SOURCE_EAUTH, "access denied for user 'report_ro'");

	test_config(&cfg, "bad");
	cfg.set.user = (char *)"nobody";
	expect_failure(&cfg.base, "SELECT 1", SOURCE_EAUTH, "access denied for user 'nobody'");

	test_config(&cfg, "bad");
	cfg.set.database = (char *)"no_such_db";
	expect_failure(&cfg.base, "SELECT 1", SOURCE_EAUTH, "may not use database 'no_such_db'");

	admin_config(&cfg, "bad");
	cfg.set.database = (char *)"no_such_db";
	expect_failure(&cfg.base, "SELECT 1", SOURCE_ECONNECT, "unknown database 'no_such_db'");

	if (facts()->tls_other_ca) {
		/* A certificate signed by a CA we do not trust. */
		test_config(&cfg, "bad");
		cfg.set.tls = true;
		cfg.set.tls_ca = facts()->tls_other_ca;
		expect_failure(&cfg.base, "SELECT 1", SOURCE_ECONNECT, "cannot connect to the server at 127.0.0.1");
	}

	test_config(&cfg, "bad");
	expect_failure(&cfg.base, "SELEC customer\nFROM events", SOURCE_EQUERY, "SQL syntax error at line 1 of the statement");
	expect_failure(&cfg.base, "SELECT customer\nFROM events\nWHERE secret_column_x = 1 ORDER BY", SOURCE_EQUERY,
		       "SQL syntax error at line 3");
	expect_failure(&cfg.base, "SELECT nme FROM events", SOURCE_EQUERY, "Unknown column 'nme'");
	expect_failure(&cfg.base, "SELECT * FROM no_table", SOURCE_EQUERY, "doesn't exist");
	expect_failure(&cfg.base, "SELECT * FROM mysql.user", SOURCE_EQUERY, "denied");
	expect_failure(&cfg.base, "SELECT 1 FROM DUAL WHERE 1 = (SELECT seq FROM seq_1_to_2)", SOURCE_EQUERY,
		       "Subquery returns more than 1 row");

	/* Even a user who may write cannot: the session is read-only. */
	admin_config(&cfg, "bad");
	expect_failure(&cfg.base, "INSERT INTO events VALUES (99999, 'a', '2024-01-01', NULL, NULL)", SOURCE_EQUERY,
		       "read-only");
	expect_failure(&cfg.base, "UPDATE events SET kind = 'x'", SOURCE_EQUERY, "read-only");
	assert_int_equal(admin_scalar("SELECT COUNT(*) FROM events"), 2000);
}

static void test_bind_count(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "binds");
	open_source(&cfg.base, &src);
	char *cause = NULL;
	struct bind_value b = { .kind = BIND_TEXT, .text = "acme" };
	assert_int_equal(source_execute(src, "SELECT ?, ?", &b, 1, 0, &cause), SOURCE_EBIND);
	assert_non_null(strstr(cause, "2 parameters but 1 values"));
	free(cause);
	assert_usable(src);
	source_close(src);
}

static void test_check(void **state)
{
	(void)state;
	struct mysql_test_config cfg;
	struct source *src;
	test_config(&cfg, "check");
	open_source(&cfg.base, &src);
	char *cause = NULL;
	assert_int_equal(source_check(src, "SELECT day, COUNT(*) FROM events WHERE customer = ? AND day >= ? GROUP BY day",
				      2, &cause), SOURCE_OK);
	/* the result's columns, known from the prepare (check's `-- chart:`) */
	struct strlist cols;
	strlist_init(&cols);
	assert_int_equal(source_check_columns(src, "SELECT day, COUNT(*) AS n FROM events WHERE customer = ? "
					      "GROUP BY day", 1, &cols, &cause), SOURCE_OK);
	assert_int_equal(cols.n, 2);
	assert_string_equal(cols.v[0], "day");
	assert_string_equal(cols.v[1], "n");
	strlist_release(&cols);
	assert_int_equal(source_check(src, "SELECT dya FROM events WHERE customer = ?", 1, &cause), SOURCE_EQUERY);
	assert_non_null(strstr(cause, "Unknown column 'dya'"));
	free(cause);
	cause = NULL;
	assert_int_equal(source_check(src, "SELECT day FROM events WHERE customer = ?", 2, &cause), SOURCE_EBIND);
	free(cause);
	cause = NULL;
	/* Prepared, never run: the slow query comes back at once. */
	int64_t t0 = now_ms_monotonic();
	assert_int_equal(source_check(src, SLOW_AGGREGATE, 0, &cause), SOURCE_OK);
	assert_true(now_ms_monotonic() - t0 < 1000);
	assert_usable(src);
	source_close(src);

	/* Server unreachable: check says so. */
	test_config(&cfg, "check");
	cfg.set.port = 9;
	open_source(&cfg.base, &src);
	assert_int_equal(source_check(src, "SELECT 1", 0, &cause), SOURCE_ECONNECT);
	free(cause);
	source_close(src);
}

/* The TLS version of the session, "" when the link is plain. */
static void tls_version(struct source_config *cfg, struct strbuf *out)
{
	struct source *src;
	open_source(cfg, &src);
	char *cause = NULL;
	enum source_result r = driver_query(src, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
					    "WHERE VARIABLE_NAME = 'Ssl_version'", NULL, 0, 5000, out, &cause);
	if (r != SOURCE_DONE)
		fail_msg("tls query: %s: %s", source_strerror(r), cause ? cause : "");
	source_close(src);
}

static void test_tls(void **state)
{
	(void)state;
	if (!facts()->tls_ca) {
		fprintf(stderr, "  the server has no TLS (openssl missing when it started)\n");
		skip();
	}
	struct mysql_test_config cfg;
	struct strbuf v;
	strbuf_init(&v);

	/* Verified against the test CA. */
	test_config(&cfg, "tls");
	cfg.set.tls = true;
	cfg.set.tls_ca = facts()->tls_ca;
	cfg.set.tls_verify = true;
	tls_version(&cfg.base, &v);
	assert_non_null(strstr(v.buf, "TLSv1."));

	/* Not verified: any certificate will do. */
	strbuf_reset(&v);
	test_config(&cfg, "tls");
	cfg.set.tls = true;
	cfg.set.tls_verify = false;
	tls_version(&cfg.base, &v);
	assert_non_null(strstr(v.buf, "TLSv1."));

	/* tls = false: a plain link. */
	strbuf_reset(&v);
	test_config(&cfg, "tls");
	tls_version(&cfg.base, &v);
	assert_string_equal(v.buf, "\n");

	/* The KILL QUERY connection uses TLS too: a timeout still works. */
	test_config(&cfg, "tls");
	cfg.set.tls = true;
	cfg.set.tls_ca = facts()->tls_ca;
	struct source *src;
	open_source(&cfg.base, &src);
	char *cause = NULL;
	strbuf_reset(&v);
	assert_int_equal(driver_query(src, SLOW_AGGREGATE, NULL, 0, 800, &v, &cause), SOURCE_ETIMEOUT);
	free(cause);
	assert_int_equal(leftover_queries(), 0);
	assert_usable(src);
	source_close(src);
	strbuf_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_million_rows),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_abandoned_result),
		cmocka_unit_test(test_lost_connection_mid_result),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_bind_count),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_server_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
