/*
 * test-mysql-text.c: MySQL values as the `mariadb` client prints them,
 * without a server. Expected strings were read from `mariadb --batch --raw`
 * against MariaDB 10.11 (SELECT CAST(v AS DOUBLE), CAST(v AS FLOAT), ...);
 * tests/mysql/test-mysql-types.c compares thousands more against a live
 * server.
 */
#include "common.h"
#include "store/mysql-text.h"

#include <setjmp.h>
#include <cmocka.h>

static void check_double(double v, bool is_float, const char *want)
{
	char out[64];
	size_t n = mysql_text_double(out, v, is_float);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_doubles(void **state)
{
	(void)state;
	check_double(0.1, false, "0.1");
	check_double(1e15, false, "1e15");
	check_double(1e16, false, "1e16");
	check_double(123456789012345678.0, false, "1.2345678901234568e17");
	check_double(1e-5, false, "0.00001");
	check_double(0.0001, false, "0.0001");
	check_double(1.5e-30, false, "1.5e-30");
	check_double(-2.5, false, "-2.5");
	check_double(3.0, false, "3");
	check_double(1e308, false, "1e308");
	check_double(0.0, false, "0");
}

static void test_floats(void **state)
{
	(void)state;
	check_double((double)0.1f, true, "0.1");
	check_double((double)123456789012345678.0f, true, "1.23457e17");
	check_double((double)-2.5f, true, "-2.5");
	check_double((double)3.4028234663852886e38f, true, "3.40282e38");
}

static MYSQL_TIME when(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, unsigned long us)
{
	MYSQL_TIME t;
	memset(&t, 0, sizeof(t));
	t.year = y;
	t.month = mo;
	t.day = d;
	t.hour = h;
	t.minute = mi;
	t.second = s;
	t.second_part = us;
	return t;
}

static void test_temporal(void **state)
{
	char out[64];
	(void)state;
	MYSQL_TIME t = when(2024, 2, 29, 13, 5, 9, 123456);
	mysql_text_temporal(out, &t, MYSQL_TYPE_DATETIME, 3);
	assert_string_equal(out, "2024-02-29 13:05:09.123");
	t = when(2024, 1, 2, 3, 4, 5, 0);
	mysql_text_temporal(out, &t, MYSQL_TYPE_DATETIME, 6);
	assert_string_equal(out, "2024-01-02 03:04:05.000000");
	mysql_text_temporal(out, &t, MYSQL_TYPE_DATE, 0);
	assert_string_equal(out, "2024-01-02");
	mysql_text_temporal(out, &t, MYSQL_TYPE_TIMESTAMP, 0);
	assert_string_equal(out, "2024-01-02 03:04:05");
	/* TIME keeps hours past 24 (days folded in) and its sign */
	t = when(0, 0, 34, 22, 59, 59, 0);
	t.neg = 1;
	mysql_text_temporal(out, &t, MYSQL_TYPE_TIME, 0);
	assert_string_equal(out, "-838:59:59");
}

static void test_integers(void **state)
{
	char out[32];
	(void)state;
	out[mysql_text_i64(out, INT64_MIN)] = '\0';
	assert_string_equal(out, "-9223372036854775808");
	out[mysql_text_u64(out, UINT64_MAX)] = '\0';
	assert_string_equal(out, "18446744073709551615");
	out[mysql_text_padded(out, 42, 5)] = '\0';
	assert_string_equal(out, "00042");
	out[mysql_text_padded(out, 123456, 3)] = '\0';
	assert_string_equal(out, "123456");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_temporal),
		cmocka_unit_test(test_integers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
