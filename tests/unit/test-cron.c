#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <cmocka.h>

#include "common/cron.h"

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* "YYYY-MM-DD HH:MM[:SS]+HH:MM" to an instant; the offset disambiguates
 * local times that repeat. */
static time_t parse_instant(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec = 0, oh, om, n = 0;
	char sign;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%d-%d-%d %d:%d%n", &y, &mo, &d, &h, &mi, &n) != 5)
		fail_msg("bad instant '%s' in the test table", s);
	if (s[n] == ':') {
		int m2 = 0;
		if (sscanf(s + n, ":%d%n", &sec, &m2) != 1)
			fail_msg("bad seconds in '%s'", s);
		n += m2;
	}
	if (sscanf(s + n, "%c%d:%d", &sign, &oh, &om) != 3 || (sign != '+' && sign != '-'))
		fail_msg("bad offset in '%s'", s);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	long off = (oh * 3600L + om * 60L) * (sign == '-' ? -1 : 1);
	return t - off;
}

/* The instant in the process zone, in the table's notation. */
static void format_local(time_t t, char *buf, size_t size)
{
	struct tm tm;
	long off;

	assert_non_null(localtime_r(&t, &tm));
	off = tm.tm_gmtoff;
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d%c%02ld:%02ld",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
}

struct next_case {
	const char *tz;
	const char *expr;
	const char *after;
	const char *want;
};

static const struct next_case next_cases[] = {
	/* plain monthly, and strictly after */
	{ "Asia/Tokyo", "0 9 1 * *", "2024-11-15 12:00+09:00", "2024-12-01 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 1 * *", "2024-12-01 09:00+09:00", "2025-01-01 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 1 * *", "2024-12-01 08:59:59+09:00", "2024-12-01 09:00+09:00" },
	{ "Asia/Tokyo", "* * * * *", "2024-06-01 10:00:30+09:00", "2024-06-01 10:01+09:00" },
	{ "Asia/Tokyo", "* * * * *", "2024-06-01 10:00+09:00", "2024-06-01 10:01+09:00" },
	/* year rollover */
	{ "Asia/Tokyo", "59 23 31 12 *", "2024-12-31 23:59+09:00", "2025-12-31 23:59+09:00" },
	{ "Asia/Tokyo", "0 0 * * *", "2024-12-31 23:59+09:00", "2025-01-01 00:00+09:00" },
	{ "UTC", "30 6 1 1 *", "2024-01-01 06:30+00:00", "2025-01-01 06:30+00:00" },
	/* month ends: the 31st skips short months */
	{ "Asia/Tokyo", "0 0 31 * *", "2024-01-31 00:00+09:00", "2024-03-31 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 31 * *", "2024-04-01 00:00+09:00", "2024-05-31 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 31 * *", "2024-05-31 00:00+09:00", "2024-07-31 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 31 * *", "2024-07-31 00:00+09:00", "2024-08-31 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 31 * *", "2024-08-31 00:00+09:00", "2024-10-31 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 30 * *", "2024-01-30 00:00+09:00", "2024-03-30 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 29,30,31 * *", "2023-01-31 00:00+09:00", "2023-03-29 00:00+09:00" },
	/* Feb 29: leap years only, and 2100 is not one */
	{ "Asia/Tokyo", "0 12 29 2 *", "2023-06-01 00:00+09:00", "2024-02-29 12:00+09:00" },
	{ "Asia/Tokyo", "0 12 29 2 *", "2024-02-29 12:00+09:00", "2028-02-29 12:00+09:00" },
	{ "Asia/Tokyo", "0 12 29 2 *", "2096-03-01 00:00+09:00", "2104-02-29 12:00+09:00" },
	{ "Asia/Tokyo", "0 0 28-31 2 *", "2023-02-28 00:00+09:00", "2024-02-28 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 28-31 2 *", "2024-02-28 00:00+09:00", "2024-02-29 00:00+09:00" },
	/* Feb 29 that must also be a Sunday (AND: day-of-week starts with '*') */
	{ "UTC", "0 0 29 2 */7", "2004-03-01 00:00+00:00", "2032-02-29 00:00+00:00" },
	/* day-of-month with day-of-week: either matches */
	{ "Asia/Tokyo", "0 9 13 * FRI", "2024-09-01 00:00+09:00", "2024-09-06 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 13 * FRI", "2024-09-06 09:00+09:00", "2024-09-13 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 13 * FRI", "2024-09-27 09:00+09:00", "2024-10-04 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 13 * FRI", "2024-10-11 09:00+09:00", "2024-10-13 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 1 * MON", "2024-09-24 00:00+09:00", "2024-09-30 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 1 * MON", "2024-09-30 09:00+09:00", "2024-10-01 09:00+09:00" },
	/* only one restricted: that one alone decides */
	{ "Asia/Tokyo", "0 9 13 * *", "2024-09-01 00:00+09:00", "2024-09-13 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 * * MON", "2024-09-04 00:00+09:00", "2024-09-09 09:00+09:00" },
	/* a day-of-month starting with '*' counts as unrestricted: both must match */
	{ "Asia/Tokyo", "0 9 */10 * MON", "2023-12-31 00:00+09:00", "2024-01-01 09:00+09:00" },
	{ "Asia/Tokyo", "0 9 */10 * MON", "2024-01-01 09:00+09:00", "2024-03-11 09:00+09:00" },
	/* steps and ranges */
	{ "Asia/Tokyo", "*/15 * * * *", "2024-06-01 10:07+09:00", "2024-06-01 10:15+09:00" },
	{ "Asia/Tokyo", "*/15 * * * *", "2024-06-01 10:45+09:00", "2024-06-01 11:00+09:00" },
	{ "Asia/Tokyo", "1-10/3 * * * *", "2024-06-01 10:04+09:00", "2024-06-01 10:07+09:00" },
	{ "Asia/Tokyo", "1-10/3 * * * *", "2024-06-01 10:10+09:00", "2024-06-01 11:01+09:00" },
	{ "Asia/Tokyo", "5/20 * * * *", "2024-06-01 10:26+09:00", "2024-06-01 10:45+09:00" },
	{ "Asia/Tokyo", "5/20 * * * *", "2024-06-01 10:45+09:00", "2024-06-01 11:05+09:00" },
	{ "Asia/Tokyo", "0 9-17/4 * * MON-FRI", "2024-09-06 13:00+09:00", "2024-09-06 17:00+09:00" },
	{ "Asia/Tokyo", "0 9-17/4 * * MON-FRI", "2024-09-06 17:00+09:00", "2024-09-09 09:00+09:00" },
	{ "Asia/Tokyo", "30 8,12 * * *", "2024-06-01 12:30+09:00", "2024-06-02 08:30+09:00" },
	{ "Asia/Tokyo", "0 0 1 */3 *", "2024-01-01 00:00+09:00", "2024-04-01 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 1 1,6-7,12 *", "2024-07-01 00:00+09:00", "2024-12-01 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 1-7 * 1", "2024-09-03 00:00+09:00", "2024-09-04 00:00+09:00" },
	/* names, any case; 0 and 7 are Sunday; FRI-SUN ends on Sunday */
	{ "Asia/Tokyo", "0 0 1 jan,Jul *", "2024-02-01 00:00+09:00", "2024-07-01 00:00+09:00" },
	{ "Asia/Tokyo", "0 0 1 JUL-aug *", "2024-07-01 00:00+09:00", "2024-08-01 00:00+09:00" },
	{ "Asia/Tokyo", "0 6 * * sat-sun", "2024-09-09 00:00+09:00", "2024-09-14 06:00+09:00" },
	{ "Asia/Tokyo", "0 6 * * sat-sun", "2024-09-14 06:00+09:00", "2024-09-15 06:00+09:00" },
	{ "Asia/Tokyo", "0 6 * * 7", "2024-09-09 00:00+09:00", "2024-09-15 06:00+09:00" },
	{ "Asia/Tokyo", "0 6 * * 0", "2024-09-09 00:00+09:00", "2024-09-15 06:00+09:00" },
	{ "Asia/Tokyo", "0 6 * * 5-7", "2024-09-14 07:00+09:00", "2024-09-15 06:00+09:00" },
	{ "Asia/Tokyo", "0 6 * * Tue,thu", "2024-09-10 06:00+09:00", "2024-09-12 06:00+09:00" },
	/* the @-forms */
	{ "Asia/Tokyo", "@hourly", "2024-06-01 10:00+09:00", "2024-06-01 11:00+09:00" },
	{ "Asia/Tokyo", "@daily", "2024-12-31 23:59+09:00", "2025-01-01 00:00+09:00" },
	{ "Asia/Tokyo", "@midnight", "2024-06-01 00:00+09:00", "2024-06-02 00:00+09:00" },
	{ "Asia/Tokyo", "@weekly", "2024-09-04 12:00+09:00", "2024-09-08 00:00+09:00" },
	{ "Asia/Tokyo", "@monthly", "2024-01-31 00:00+09:00", "2024-02-01 00:00+09:00" },
	{ "Asia/Tokyo", "@yearly", "2024-06-01 00:00+09:00", "2025-01-01 00:00+09:00" },
	{ "Asia/Tokyo", "@ANNUALLY", "2024-01-01 00:00+09:00", "2025-01-01 00:00+09:00" },
	{ "Asia/Tokyo", "  0\t9 1 *  *  ", "2024-11-15 12:00+09:00", "2024-12-01 09:00+09:00" },
	/* New York, spring forward 2024-03-10 02:00 EST -> 03:00 EDT:
	 * a skipped time fires once right after the gap */
	{ "America/New_York", "30 2 * * *", "2024-03-09 02:30-05:00", "2024-03-10 03:00-04:00" },
	{ "America/New_York", "30 2 * * *", "2024-03-10 03:00-04:00", "2024-03-11 02:30-04:00" },
	{ "America/New_York", "30 2 10 3 *", "2024-03-01 00:00-05:00", "2024-03-10 03:00-04:00" },
	{ "America/New_York", "30 2 10 3 *", "2024-03-10 03:00-04:00", "2025-03-10 02:30-04:00" },
	{ "America/New_York", "*/15 2 * * *", "2024-03-10 01:59-05:00", "2024-03-10 03:00-04:00" },
	{ "America/New_York", "*/15 2 * * *", "2024-03-10 03:00-04:00", "2024-03-11 02:00-04:00" },
	{ "America/New_York", "*/30 * * * *", "2024-03-10 01:30-05:00", "2024-03-10 03:00-04:00" },
	{ "America/New_York", "*/30 * * * *", "2024-03-10 03:00-04:00", "2024-03-10 03:30-04:00" },
	{ "America/New_York", "0 3 * * *", "2024-03-10 01:59-05:00", "2024-03-10 03:00-04:00" },
	{ "America/New_York", "0 9 * * *", "2024-03-09 09:00-05:00", "2024-03-10 09:00-04:00" },
	/* fall back 2024-11-03 02:00 EDT -> 01:00 EST: a repeated time fires once */
	{ "America/New_York", "30 1 * * *", "2024-11-02 01:30-04:00", "2024-11-03 01:30-04:00" },
	{ "America/New_York", "30 1 * * *", "2024-11-03 01:30-04:00", "2024-11-04 01:30-05:00" },
	{ "America/New_York", "30 1 * * *", "2024-11-03 01:10-05:00", "2024-11-04 01:30-05:00" },
	{ "America/New_York", "0 * * * *", "2024-11-03 00:30-04:00", "2024-11-03 01:00-04:00" },
	{ "America/New_York", "0 * * * *", "2024-11-03 01:00-04:00", "2024-11-03 02:00-05:00" },
	{ "America/New_York", "0 2 * * *", "2024-11-03 01:59-04:00", "2024-11-03 02:00-05:00" },
	{ "America/New_York", "0 9 * * *", "2024-11-02 09:00-04:00", "2024-11-03 09:00-05:00" },
	{ "America/New_York", "0 9 1 * *", "2024-10-15 00:00-04:00", "2024-11-01 09:00-04:00" },
	{ "America/New_York", "0 9 1 * *", "2024-11-01 09:00-04:00", "2024-12-01 09:00-05:00" },
};

static void test_next_table(void **state)
{
	(void)state;
	size_t i;
	int failures = 0;

	for (i = 0; i < ARRAY_SIZE(next_cases); i++) {
		const struct next_case *tc = &next_cases[i];
		struct cron c;
		char *cause = NULL;
		time_t next = 0;
		char got[64], want[64];

		set_tz(tc->tz);
		if (cron_parse(&c, tc->expr, &cause) < 0) {
			print_error("'%s': parse failed: %s\n", tc->expr, cause);
			free(cause);
			failures++;
			continue;
		}
		if (cron_next(&c, parse_instant(tc->after), &next) < 0) {
			print_error("'%s' after %s (%s): no next fire\n", tc->expr, tc->after, tc->tz);
			failures++;
			continue;
		}
		format_local(next, got, sizeof(got));
		format_local(parse_instant(tc->want), want, sizeof(want));
		if (next != parse_instant(tc->want)) {
			print_error("'%s' after %s (%s): got %s, want %s\n",
				    tc->expr, tc->after, tc->tz, got, want);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* A skipped time fires once: walking a whole spring-forward day gives each
 * instant once, strictly increasing, and no fire lands inside the gap. */
static void test_dst_walk(void **state)
{
	(void)state;
	struct cron c;
	time_t t = parse_instant("2024-03-10 00:00-05:00");
	time_t end = parse_instant("2024-03-10 05:00-04:00");
	int fires = 0;

	set_tz("America/New_York");
	assert_int_equal(cron_parse(&c, "*/10 * * * *", NULL), 0);
	while (t < end) {
		time_t next;
		assert_int_equal(cron_next(&c, t, &next), 0);
		assert_true(next > t);
		t = next;
		fires++;
	}
	/* 00:10-01:50 (11) + 03:00 (02:00-02:50 collapsed into 03:00) + 03:10-04:50 (11)
	 * + 05:00 (the first at or past end) */
	assert_int_equal(fires, 11 + 1 + 11 + 1);

	/* Fall back: 01:00-01:50 happen twice; each fires once. */
	t = parse_instant("2024-11-03 00:00-04:00");
	end = parse_instant("2024-11-03 03:00-05:00");
	fires = 0;
	while (t < end) {
		time_t next;
		assert_int_equal(cron_next(&c, t, &next), 0);
		t = next;
		fires++;
	}
	/* 00:10..00:50 (5), 01:00..01:50 once (6), 02:00..03:00 (7) */
	assert_int_equal(fires, 5 + 6 + 7);
}

/* Far from the start, cron_next still answers at once (skips by month). */
static void test_next_is_fast(void **state)
{
	(void)state;
	struct cron c;
	time_t t = parse_instant("2001-03-01 00:00+00:00"), next;
	int64_t start;
	int i;

	set_tz("America/New_York");
	assert_int_equal(cron_parse(&c, "0 0 29 2 *", NULL), 0);
	start = now_ms_monotonic();
	for (i = 0; i < 200; i++) {
		assert_int_equal(cron_next(&c, t, &next), 0);
		t = next;
	}
	assert_true(now_ms_monotonic() - start < 2000);
	/* 200 leap days after 2001: year 2004 + 4*199, minus the century skips */
	struct tm tm;
	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(tm.tm_mon, 1);
	assert_int_equal(tm.tm_mday, 29);
}

static void test_next_out_of_range(void **state)
{
	(void)state;
	struct cron c;
	time_t next;

	set_tz("UTC");
	assert_int_equal(cron_parse(&c, "* * * * *", NULL), 0);
	assert_int_equal(cron_next(&c, (time_t)INT64_MAX, &next), -1);
	assert_int_equal(cron_next(&c, (time_t)INT64_MIN, &next), -1);
}

struct error_case {
	const char *expr;
	const char *message;
};

static const struct error_case error_cases[] = {
	{ "", "cron: empty expression; expected 5 fields (minute hour day-of-month month "
	      "day-of-week) or one of @hourly @daily @midnight @weekly @monthly @yearly @annually" },
	{ "   ", "cron: empty expression; expected 5 fields (minute hour day-of-month month "
		 "day-of-week) or one of @hourly @daily @midnight @weekly @monthly @yearly @annually" },
	{ "0 9 * *", "cron: expected 5 fields (minute hour day-of-month month day-of-week) "
		     "or one of @hourly @daily @midnight @weekly @monthly @yearly @annually, "
		     "got 4 fields in '0 9 * *'" },
	{ "0 0 9 * * *", "cron: expected 5 fields (minute hour day-of-month month day-of-week) "
			 "or one of @hourly @daily @midnight @weekly @monthly @yearly @annually, "
			 "got 6 fields in '0 0 9 * * *'" },
	{ "daily", "cron: expected 5 fields (minute hour day-of-month month day-of-week) "
		   "or one of @hourly @daily @midnight @weekly @monthly @yearly @annually, "
		   "got 1 field in 'daily'" },
	{ "@reboot", "cron: unknown '@reboot'; accepted: "
		     "@hourly @daily @midnight @weekly @monthly @yearly @annually" },
	{ "@daily 9", "cron: '@daily' takes no other fields in '@daily 9'" },
	{ "60 * * * *", "cron: minute '60' is out of range 0-59 in '60 * * * *'" },
	{ "0 25 * * *", "cron: hour '25' is out of range 0-23 in '0 25 * * *'" },
	{ "0 0 0 * *", "cron: day-of-month '0' is out of range 1-31 in '0 0 0 * *'" },
	{ "0 0 32 * *", "cron: day-of-month '32' is out of range 1-31 in '0 0 32 * *'" },
	{ "0 0 * 13 *", "cron: month '13' is out of range 1-12 in '0 0 * 13 *'" },
	{ "0 0 * 0 *", "cron: month '0' is out of range 1-12 in '0 0 * 0 *'" },
	{ "0 0 * * 8", "cron: day-of-week '8' is out of range 0-7 in '0 0 * * 8'" },
	{ "0 0 * * 99999999999999999999", "cron: day-of-week '99999999999999999999' is out "
					  "of range 0-7 in '0 0 * * 99999999999999999999'" },
	{ "x * * * *", "cron: minute 'x' is not a number 0-59 in 'x * * * *'" },
	{ "0 MON * * *", "cron: hour 'MON' is not a number 0-23 in '0 MON * * *'" },
	{ "0 0 * JANUARY *", "cron: month 'JANUARY' is not a number 1-12 or a name JAN-DEC "
			     "in '0 0 * JANUARY *'" },
	{ "0 0 * * MONDAY", "cron: day-of-week 'MONDAY' is not a number 0-7 or a name SUN-SAT "
			    "in '0 0 * * MONDAY'" },
	{ "0 0 * * MON-XYZ", "cron: day-of-week 'XYZ' is not a number 0-7 or a name SUN-SAT "
			     "in '0 0 * * MON-XYZ'" },
	{ "0 22-2 * * *", "cron: hour range '22-2' runs backwards in '0 22-2 * * *'; ranges "
			  "do not wrap around, use two (e.g. 22-23,0-2)" },
	{ "0 0 * * FRI-MON", "cron: day-of-week range 'FRI-MON' runs backwards in "
			     "'0 0 * * FRI-MON'; ranges do not wrap around, use two (e.g. 5-6,0-1)" },
	{ "*/0 * * * *", "cron: minute step '0' is out of range 1-59 in '*/0 * * * *'" },
	{ "*/60 * * * *", "cron: minute step '60' is out of range 1-59 in '*/60 * * * *'" },
	{ "0 */24 * * *", "cron: hour step '24' is out of range 1-23 in '0 */24 * * *'" },
	{ "*/ * * * *", "cron: minute step '' is out of range 1-59 in '*/ * * * *'" },
	{ "*/x * * * *", "cron: minute step 'x' is not a number 1-59 in '*/x * * * *'" },
	{ "0 0 * * */8", "cron: day-of-week step '8' is out of range 1-7 in '0 0 * * */8'" },
	{ "1,,2 * * * *", "cron: minute has an empty list item in '1,,2 * * * *'; accepted: "
			  "*, N, A-B, */S, A-B/S, N/S and comma lists of these" },
	{ "1, * * * *", "cron: minute has an empty list item in '1, * * * *'; accepted: "
			"*, N, A-B, */S, A-B/S, N/S and comma lists of these" },
	{ "*5 * * * *", "cron: minute '*5' is not valid in '*5 * * * *'; accepted: "
			"*, N, A-B, */S, A-B/S, N/S and comma lists of these" },
	{ "-5 * * * *", "cron: minute '-5' is not valid in '-5 * * * *'; accepted: "
			"*, N, A-B, */S, A-B/S, N/S and comma lists of these" },
	{ "5- * * * *", "cron: minute '5-' is not valid in '5- * * * *'; accepted: "
			"*, N, A-B, */S, A-B/S, N/S and comma lists of these" },
	{ "1-2-3 * * * *", "cron: minute '1-2-3' is not valid in '1-2-3 * * * *'; accepted: "
			   "*, N, A-B, */S, A-B/S, N/S and comma lists of these" },
	{ "0 0 31 2 *", "cron: day-of-month '31' never occurs in month '2' in '0 0 31 2 *'" },
	{ "0 0 30,31 FEB *", "cron: day-of-month '30,31' never occurs in month 'FEB' in "
			     "'0 0 30,31 FEB *'" },
	{ "0 0 31 4,6,9,11 *", "cron: day-of-month '31' never occurs in month '4,6,9,11' in "
			       "'0 0 31 4,6,9,11 *'" },
};

static void test_parse_errors(void **state)
{
	(void)state;
	size_t i;
	int failures = 0;

	for (i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *tc = &error_cases[i];
		struct cron c;
		char *cause = NULL;

		if (cron_parse(&c, tc->expr, &cause) == 0) {
			print_error("'%s': parsed, want error\n", tc->expr);
			failures++;
			continue;
		}
		if (!cause || strcmp(cause, tc->message) != 0) {
			print_error("'%s':\n  got  %s\n  want %s\n", tc->expr,
				    cause ? cause : "(null)", tc->message);
			failures++;
		}
		free(cause);
	}
	assert_int_equal(failures, 0);
	/* A NULL cause is allowed. */
	struct cron c;
	assert_int_equal(cron_parse(&c, "0 25 * * *", NULL), -1);
}

/* Valid forms that are easy to get wrong. */
static void test_parse_accepts(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"0 0 31 2 MON",           /* OR rule: Mondays in February */
		"0 0 29 2 *",
		"0 0 30 1-2 *",
		"59 23 31 12 7",
		"0-59 0-23 1-31 1-12 0-7",
		"*/59 */23 */31 */12 */7",
		"0 0 * * SUN-SAT",
		"0 0 * * 0-7",
		"0 0 * * FRI-SUN",
		"0 0 * * 5-0",
		"00 09 01 01 00",
		"0 0 1 jan-DEC/2 *",
		"@Daily",
	};
	size_t i;
	struct cron c;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		char *cause = NULL;
		if (cron_parse(&c, ok[i], &cause) < 0)
			fail_msg("'%s': %s", ok[i], cause);
	}
	assert_int_equal(cron_parse(&c, "0 0 * * FRI-SUN", NULL), 0);
	assert_int_equal(c.wdays, (1 << 5) | (1 << 6) | (1 << 0));
	assert_int_equal(cron_parse(&c, "0 0 * * 7/2", NULL), 0);   /* N/S from Sunday 7 */
	assert_int_equal(c.wdays, 1 << 0);
	assert_int_equal(cron_parse(&c, "0 0 * * 0-7", NULL), 0);
	assert_int_equal(c.wdays, 0x7f);
	assert_int_equal(cron_parse(&c, "1-10/3 * * * *", NULL), 0);
	assert_true(c.minutes == ((1u << 1) | (1u << 4) | (1u << 7) | (1u << 10)));
	assert_int_equal(cron_parse(&c, "0 0 1 * *", NULL), 0);
	assert_false(c.mday_star);
	assert_true(c.wday_star);
}

/* A failed parse leaves *c untouched. */
static void test_parse_failure_keeps_old(void **state)
{
	(void)state;
	struct cron c, before;

	assert_int_equal(cron_parse(&c, "0 9 1 * *", NULL), 0);
	before = c;
	assert_int_equal(cron_parse(&c, "0 99 1 * *", NULL), -1);
	assert_memory_equal(&c, &before, sizeof(c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_table),
		cmocka_unit_test(test_dst_walk),
		cmocka_unit_test(test_next_is_fast),
		cmocka_unit_test(test_next_out_of_range),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_parse_failure_keeps_old),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
