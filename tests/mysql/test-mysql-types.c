/*
 * Every column type through the driver against the `mariadb` client's own
 * --batch --raw output of the same query, plus NULLs, unicode, binary data,
 * values longer than the first buffer, injection-looking values and lists.
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "tests/mysql/helpers.h"

static struct mysql_test_config cfg;
static struct source *src;

static int setup(void **state)
{
	(void)state;
	test_config(&cfg, "types");
	char *cause = NULL;
	enum source_result r = source_open(&src, &cfg.base, &cause);
	if (r != SOURCE_OK) {
		fprintf(stderr, "open: %s\n", cause ? cause : "?");
		free(cause);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	source_close(src);
	return 0;
}

/* Print the first differing line of two outputs. */
static void show_diff(const char *sql, const struct strbuf *want, const struct strbuf *got)
{
	size_t line = 1, i = 0, start = 0;
	while (i < want->len && i < got->len && want->buf[i] == got->buf[i]) {
		if (want->buf[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	const char *we = memchr(want->buf + start, '\n', want->len - start);
	const char *ge = memchr(got->buf + start, '\n', got->len - start);
	int wl = (int)(we ? (size_t)(we - want->buf) - start : want->len - start);
	int gl = (int)(ge ? (size_t)(ge - got->buf) - start : got->len - start);
	fprintf(stderr, "query: %s\nline %zu differs:\n client: %.*s\n driver: %.*s\n", sql, line, wl,
		want->buf + start, gl, got->buf + start);
}

/* The driver's text for sql must equal the client's, byte for byte. */
static void same_as_client(const char *client_sql, const char *driver_sql)
{
	struct strbuf want, got;
	strbuf_init(&want);
	strbuf_init(&got);
	assert_int_equal(client_query(client_sql, &want), 0);
	char *cause = NULL;
	enum source_result r = driver_query(src, driver_sql, NULL, 0, 0, &got, &cause);
	if (r != SOURCE_DONE)
		fprintf(stderr, "driver: %s: %s\n", source_strerror(r), cause ? cause : "");
	assert_int_equal(r, SOURCE_DONE);
	assert_true(want.len > 0);
	if (want.len != got.len || memcmp(want.buf, got.buf, want.len)) {
		show_diff(driver_sql, &want, &got);
		fail_msg("driver output differs from the mariadb client");
	}
	free(cause);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void same(const char *sql)
{
	same_as_client(sql, sql);
}

static void test_integers(void **state)
{
	(void)state;
	same("SELECT * FROM ints ORDER BY id");
	same("SELECT ti + 0, bu DIV 2, bi DIV 3, iz, y FROM ints WHERE id < 4 ORDER BY id");
	same("SELECT COUNT(*), SUM(i), MAX(bu), MIN(y), CAST(-5 AS UNSIGNED) FROM ints");
}

static void test_numbers(void **state)
{
	(void)state;
	same("SELECT * FROM nums ORDER BY id");
	same("SELECT SUM(d), AVG(d), SUM(dz), AVG(f), AVG(db), SUM(fs), d * 3, d / 7, f * 2, db / 3 "
	     "FROM nums GROUP BY id ORDER BY id");
	same("SELECT 1e20, 1e15, 2e14, 2.5e15, 1e-5, 1e-7, 1.5e-7, 1e-14, 1e-15, 1e-16, 0.1e0 + 0.2e0, "
	     "1/3e0, -1e-10, 123456789012345678e0, 1e100, -0.0e0, PI(), 1e308 * 1.7");
	same("SELECT 1.0, 0.5 * 3, 10 / 4, 1 / 3, CAST(1.23456789 AS DECIMAL(5,3)), ROUND(2.5), -0.000");
}

/* Many doubles over a wide range of magnitudes, as DOUBLE and FLOAT. */
static void test_random_floats(void **state)
{
	(void)state;
	same("SELECT (RAND(42) - 0.5) * POW(10, FLOOR(RAND(7) * 80) - 40) FROM seq_1_to_3000");
	same("SELECT CAST((RAND(3) - 0.5) * POW(10, FLOOR(RAND(9) * 70) - 35) AS FLOAT) FROM seq_1_to_3000");
	same("SELECT seq / 7e0, seq * 1e13 + 0.5, 1e0 / seq, POW(2, CAST(seq AS SIGNED) - 60) FROM seq_1_to_200");
}

static void test_times(void **state)
{
	(void)state;
	same("SELECT * FROM times ORDER BY id");
	same("SELECT DATE(t6), t3 + INTERVAL 1 DAY, TIMEDIFF(t6, t0), CAST(t6 AS TIME(3)), "
	     "CAST(t0 AS DATETIME(2)), tm6 FROM times WHERE id < 4 ORDER BY id");
	same("SELECT DATE '2024-02-29', TIMESTAMP '2024-01-01 10:00:00.25', TIME '-1:02:03', "
	     "MAKETIME(100, 1, 2.5), FROM_UNIXTIME(0), SEC_TO_TIME(90061.5)");
}

static void test_strings(void **state)
{
	(void)state;
	same("SELECT * FROM strs ORDER BY id");
	same("SELECT CONCAT(c, '|', v), LENGTH(b), e + 0, s + 0, JSON_EXTRACT(j, '$.a'), "
	     "HEX(bn), NULL, '' FROM strs ORDER BY id");
	same("SELECT JSON_OBJECT('k', 1.5, 'ja', '日本'), JSON_ARRAY(1, NULL, TRUE)");
}

static void test_unicode(void **state)
{
	(void)state;
	same("SELECT * FROM unicode ORDER BY id");
	struct strbuf got;
	strbuf_init(&got);
	char *cause = NULL;
	assert_int_equal(driver_query(src, "SELECT name FROM unicode WHERE id = 1", NULL, 0, 0, &got, &cause),
			 SOURCE_DONE);
	assert_string_equal(got.buf, "株式会社テスト\n");
	strbuf_reset(&got);
	struct bind_value b = { .kind = BIND_TEXT, .text = "😀🎉 と 𠮷" };
	assert_int_equal(driver_query(src, "SELECT ?, CHAR_LENGTH(?)", (struct bind_value[]){ b, b }, 2, 0,
				      &got, &cause), SOURCE_DONE);
	assert_string_equal(got.buf, "😀🎉 と 𠮷\t6\n");
	strbuf_release(&got);
}

/*
 * BIT: the client prints raw bytes; the driver prints the number, which is
 * what the client prints for b + 0.
 */
static void test_bits(void **state)
{
	(void)state;
	same_as_client("SELECT id, b1 + 0, b8 + 0, b12 + 0, b64 + 0 FROM bits ORDER BY id",
		       "SELECT id, b1, b8, b12, b64 FROM bits ORDER BY id");
}

/* Values far longer than the first buffer: fetched again, whole. */
static void test_long_values(void **state)
{
	(void)state;
	same("SELECT id, LENGTH(data), data, txt FROM big_blob ORDER BY id");
	struct strbuf got;
	strbuf_init(&got);
	char *cause = NULL;
	assert_int_equal(source_execute(src, "SELECT data, txt FROM big_blob WHERE id = 1", NULL, 0, 0, &cause),
			 SOURCE_OK);
	struct source_row row;
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
	assert_int_equal(row.lens[0], 600000);
	assert_int_equal(row.lens[1], 600000);
	for (size_t i = 0; i < 600000; i += 2) {
		assert_int_equal((unsigned char)row.vals[0][i], 0x00);
		assert_int_equal((unsigned char)row.vals[0][i + 1], 0xff);
	}
	assert_memory_equal(row.vals[1], "長い", 6);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_DONE);
	strbuf_release(&got);
}

static void test_nulls(void **state)
{
	(void)state;
	char *cause = NULL;
	assert_int_equal(source_execute(src, "SELECT * FROM strs WHERE id = 4", NULL, 0, 0, &cause), SOURCE_OK);
	struct source_row row;
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
	assert_int_equal(row.ncols, 14);
	assert_non_null(row.vals[0]);
	for (size_t i = 1; i < row.ncols; i++)
		assert_null(row.vals[i]);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_DONE);
	/* An empty string is not NULL. */
	assert_int_equal(source_execute(src, "SELECT '', NULL", NULL, 0, 0, &cause), SOURCE_OK);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
	assert_non_null(row.vals[0]);
	assert_int_equal(row.lens[0], 0);
	assert_null(row.vals[1]);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_DONE);
}

static void test_column_names(void **state)
{
	(void)state;
	char *cause = NULL;
	assert_int_equal(source_execute(src, "SELECT id, customer AS `顧客`, COUNT(*) FROM events GROUP BY id, customer LIMIT 1",
					NULL, 0, 0, &cause), SOURCE_OK);
	assert_int_equal(source_ncols(src), 3);
	assert_string_equal(source_colname(src, 0), "id");
	assert_string_equal(source_colname(src, 1), "顧客");
	assert_string_equal(source_colname(src, 2), "COUNT(*)");
	struct source_row row;
	while (source_next(src, &row, &cause) == SOURCE_ROW)
		;
	/* Names stay readable after the result ended. */
	assert_string_equal(source_colname(src, 1), "顧客");
}

static long count_rows(const char *sql, const struct bind_value *binds, size_t n)
{
	char *cause = NULL;
	struct strbuf got;
	strbuf_init(&got);
	enum source_result r = driver_query(src, sql, binds, n, 0, &got, &cause);
	if (r != SOURCE_DONE)
		fprintf(stderr, "count: %s\n", cause ? cause : "");
	assert_int_equal(r, SOURCE_DONE);
	char *end;
	long v = strtol(got.buf, &end, 10);
	strbuf_release(&got);
	free(cause);
	return v;
}

static void test_injection(void **state)
{
	(void)state;
	static const char *evil[] = {
		"x' OR '1'='1",
		"acme' --",
		"acme'; DROP TABLE events; --",
		"\\' OR 1=1 #",
		"acme\" OR \"\"=\"",
		"%",
		"acme` OR 1=1",
		"?",
		":customer",
	};
	long literal = count_rows("SELECT COUNT(*) FROM events WHERE customer = 'x'' OR ''1''=''1'", NULL, 0);
	assert_int_equal(literal, 400);
	for (size_t i = 0; i < ARRAY_SIZE(evil); i++) {
		struct bind_value b = { .kind = BIND_TEXT, .text = evil[i] };
		long n = count_rows("SELECT COUNT(*) FROM events WHERE customer = ?", &b, 1);
		assert_int_equal(n, i == 0 ? 400 : 0);
		/* And the value comes back unchanged. */
		struct strbuf got;
		strbuf_init(&got);
		char *cause = NULL;
		assert_int_equal(driver_query(src, "SELECT ?", &b, 1, 0, &got, &cause), SOURCE_DONE);
		assert_int_equal(got.len, strlen(evil[i]) + 1);
		assert_memory_equal(got.buf, evil[i], strlen(evil[i]));
		strbuf_release(&got);
	}
	assert_int_equal(count_rows("SELECT COUNT(*) FROM events", NULL, 0), 2000);
}

static void test_lists(void **state)
{
	(void)state;
	/* customer IN (?, ?, ...): one placeholder per value. */
	static const char *names[] = { "acme", "globex", "nobody", "x' OR '1'='1" };
	struct bind_value b[ARRAY_SIZE(names)];
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		b[i] = (struct bind_value){ .kind = BIND_TEXT, .text = names[i] };
	assert_int_equal(count_rows("SELECT COUNT(*) FROM events WHERE customer IN (?, ?, ?, ?)", b, 4), 1200);

	/* 1000 int values. */
	size_t n = 1000;
	struct bind_value *ids = xcalloc(n, sizeof(*ids));
	struct strbuf sql;
	strbuf_init(&sql);
	strbuf_adds(&sql, "SELECT COUNT(*), SUM(id) FROM events WHERE id IN (");
	for (size_t i = 0; i < n; i++) {
		ids[i] = (struct bind_value){ .kind = BIND_INT, .i = (int64_t)(i * 2 + 1) };
		strbuf_adds(&sql, i ? ", ?" : "?");
	}
	strbuf_adds(&sql, ")");
	struct strbuf got;
	strbuf_init(&got);
	char *cause = NULL;
	assert_int_equal(driver_query(src, sql.buf, ids, n, 0, &got, &cause), SOURCE_DONE);
	assert_string_equal(got.buf, "1000\t1000000\n");
	strbuf_release(&got);
	strbuf_release(&sql);
	free(ids);
}

static void test_int_binds(void **state)
{
	(void)state;
	struct bind_value b[] = {
		{ .kind = BIND_INT, .i = INT64_MIN },
		{ .kind = BIND_INT, .i = INT64_MAX },
		{ .kind = BIND_TEXT, .text = "2024-03-01" },
		{ .kind = BIND_TEXT, .text = "2024-04-01" },
	};
	struct strbuf got;
	strbuf_init(&got);
	char *cause = NULL;
	assert_int_equal(driver_query(src, "SELECT ?, ?, COUNT(*) FROM events WHERE day >= ? AND day < ?", b, 4, 0,
				      &got, &cause), SOURCE_DONE);
	struct strbuf want;
	strbuf_init(&want);
	assert_int_equal(client_query("SELECT -9223372036854775808, 9223372036854775807, COUNT(*) FROM events "
				      "WHERE day >= '2024-03-01' AND day < '2024-04-01'", &want), 0);
	assert_string_equal(got.buf, want.buf);
	strbuf_release(&want);
	strbuf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_random_floats),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_bits),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_nulls),
		cmocka_unit_test(test_column_names),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_int_binds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
