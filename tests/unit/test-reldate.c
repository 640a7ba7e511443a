/* test-reldate: calendar rules and relative words in a chosen time zone. */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <time.h>

#include "commands/reldate.h"

/* Instants in UTC. */
#define T_2024_11_30_1530Z ((time_t)1732980600)   /* Tokyo: 2024-12-01 00:30 */
#define T_2024_11_30_1459Z ((time_t)1732978799)   /* Tokyo: 2024-11-30 23:59:59 */
#define T_2024_12_31_1500Z ((time_t)1735657200)   /* Tokyo: 2025-01-01 00:00 */
#define T_2024_03_01_0300Z ((time_t)1709262000)
#define T_2023_03_01_0300Z ((time_t)1677639600)
#define T_2025_01_01_0030Z ((time_t)1735691400)

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static char *date_of(const char *word, time_t now)
{
	static char buf[RELDATE_BUFSZ];
	struct reldate d;
	assert_int_equal(reldate_parse_date(word, now, &d), RELDATE_OK);
	reldate_format_date(&d, buf);
	return buf;
}

static char *month_of(const char *word, time_t now)
{
	static char buf[RELDATE_BUFSZ];
	int y, m;
	assert_int_equal(reldate_parse_month(word, now, &y, &m), RELDATE_OK);
	reldate_format_month(y, m, buf);
	return buf;
}

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(reldate_is_leap(2024));
	assert_true(reldate_is_leap(2000));
	assert_false(reldate_is_leap(1900));
	assert_false(reldate_is_leap(2023));
	assert_int_equal(reldate_days_in_month(2024, 2), 29);
	assert_int_equal(reldate_days_in_month(2023, 2), 28);
	assert_int_equal(reldate_days_in_month(2100, 2), 28);
	assert_int_equal(reldate_days_in_month(2024, 4), 30);
	assert_int_equal(reldate_days_in_month(2024, 12), 31);
	assert_int_equal(reldate_days_in_month(2024, 13), 0);
	assert_int_equal(reldate_days_in_month(2024, 0), 0);
}

static void test_parse_date_calendar(void **state)
{
	(void)state;
	struct reldate d;
	assert_int_equal(reldate_parse_date("2024-02-29", 0, &d), RELDATE_OK);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);
	assert_int_equal(reldate_parse_date("2023-02-29", 0, &d), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_date("1900-02-29", 0, &d), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_date("2000-02-29", 0, &d), RELDATE_OK);
	assert_int_equal(reldate_parse_date("2024-04-31", 0, &d), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_date("2024-13-01", 0, &d), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_date("2024-00-10", 0, &d), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_date("2024-01-00", 0, &d), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_date("0000-01-01", 0, &d), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_date("2024-1-01", 0, &d), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_date("2024/01/01", 0, &d), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_date("2024-01-01x", 0, &d), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_date(" 2024-01-01", 0, &d), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_date("+024-01-01", 0, &d), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_date("", 0, &d), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_date("tomorrow", 0, &d), RELDATE_ESYNTAX);
}

static void test_parse_month_forms(void **state)
{
	(void)state;
	int y, m;
	assert_int_equal(reldate_parse_month("2024-11", 0, &y, &m), RELDATE_OK);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 11);
	assert_int_equal(reldate_parse_month("2024-13", 0, &y, &m), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_month("2024-00", 0, &y, &m), RELDATE_ECALENDAR);
	assert_int_equal(reldate_parse_month("2024-1", 0, &y, &m), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_month("2024-11-01", 0, &y, &m), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_month("next", 0, &y, &m), RELDATE_ESYNTAX);
	assert_int_equal(reldate_parse_month("", 0, &y, &m), RELDATE_ESYNTAX);
}

static void test_month_range(void **state)
{
	(void)state;
	char s[RELDATE_BUFSZ], e[RELDATE_BUFSZ];
	reldate_month_range(2024, 11, s, e);
	assert_string_equal(s, "2024-11-01");
	assert_string_equal(e, "2024-12-01");
	reldate_month_range(2024, 12, s, e);
	assert_string_equal(s, "2024-12-01");
	assert_string_equal(e, "2025-01-01");
	reldate_month_range(2024, 2, s, e);
	assert_string_equal(e, "2024-03-01");
}

static void test_add_days_and_months(void **state)
{
	(void)state;
	struct reldate d = { 2024, 3, 1 };
	reldate_add_days(&d, -1);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);
	d = (struct reldate){ 2025, 1, 1 };
	reldate_add_days(&d, -1);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 12);
	assert_int_equal(d.day, 31);
	d = (struct reldate){ 2024, 12, 31 };
	reldate_add_days(&d, 1);
	assert_int_equal(d.year, 2025);
	assert_int_equal(d.month, 1);
	assert_int_equal(d.day, 1);
	d = (struct reldate){ 2024, 1, 1 };
	reldate_add_days(&d, 366);
	assert_int_equal(d.year, 2025);
	assert_int_equal(d.month, 1);
	assert_int_equal(d.day, 1);

	int y = 2024, m = 1;
	reldate_add_months(&y, &m, -1);
	assert_int_equal(y, 2023);
	assert_int_equal(m, 12);
	reldate_add_months(&y, &m, 1);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 1);
	reldate_add_months(&y, &m, -25);
	assert_int_equal(y, 2021);
	assert_int_equal(m, 12);
}

static void test_relative_in_utc(void **state)
{
	(void)state;
	set_tz("UTC");
	assert_string_equal(date_of("today", T_2024_11_30_1530Z), "2024-11-30");
	assert_string_equal(date_of("yesterday", T_2024_11_30_1530Z), "2024-11-29");
	assert_string_equal(month_of("this", T_2024_11_30_1530Z), "2024-11");
	assert_string_equal(month_of("last", T_2024_11_30_1530Z), "2024-10");
	/* case does not matter */
	assert_string_equal(date_of("TODAY", T_2024_11_30_1530Z), "2024-11-30");
	assert_string_equal(month_of("Last", T_2024_11_30_1530Z), "2024-10");
}

static void test_relative_in_tokyo(void **state)
{
	(void)state;
	set_tz("Asia/Tokyo");
	/* 15:30 UTC on Nov 30 is already Dec 1 in Tokyo */
	assert_string_equal(date_of("today", T_2024_11_30_1530Z), "2024-12-01");
	assert_string_equal(date_of("yesterday", T_2024_11_30_1530Z), "2024-11-30");
	assert_string_equal(month_of("this", T_2024_11_30_1530Z), "2024-12");
	assert_string_equal(month_of("last", T_2024_11_30_1530Z), "2024-11");
	/* one second before Tokyo midnight */
	assert_string_equal(date_of("today", T_2024_11_30_1459Z), "2024-11-30");
	assert_string_equal(month_of("this", T_2024_11_30_1459Z), "2024-11");
	/* New Year in Tokyo while UTC is still in December */
	assert_string_equal(date_of("today", T_2024_12_31_1500Z), "2025-01-01");
	assert_string_equal(date_of("yesterday", T_2024_12_31_1500Z), "2024-12-31");
	assert_string_equal(month_of("this", T_2024_12_31_1500Z), "2025-01");
	assert_string_equal(month_of("last", T_2024_12_31_1500Z), "2024-12");
	set_tz("UTC");
	assert_string_equal(month_of("last", T_2024_12_31_1500Z), "2024-11");
}

static void test_yesterday_leap_day(void **state)
{
	(void)state;
	set_tz("UTC");
	assert_string_equal(date_of("yesterday", T_2024_03_01_0300Z), "2024-02-29");
	assert_string_equal(date_of("yesterday", T_2023_03_01_0300Z), "2023-02-28");
	assert_string_equal(month_of("last", T_2025_01_01_0030Z), "2024-12");
	assert_string_equal(date_of("yesterday", T_2025_01_01_0030Z), "2024-12-31");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_parse_date_calendar),
		cmocka_unit_test(test_parse_month_forms),
		cmocka_unit_test(test_month_range),
		cmocka_unit_test(test_add_days_and_months),
		cmocka_unit_test(test_relative_in_utc),
		cmocka_unit_test(test_relative_in_tokyo),
		cmocka_unit_test(test_yesterday_leap_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
