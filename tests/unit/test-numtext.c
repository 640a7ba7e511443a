/*
 * test-numtext.c: counts, sizes and durations as messages print them
 * (common/numtext.c), one test per rule.
 */
#include "common.h"
#include "common/numtext.h"
#include "common/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>

static void thousands(int64_t n, const char *want)
{
	struct strbuf sb;
	strbuf_init(&sb);
	numtext_add_thousands(&sb, n);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void duration(int64_t ms, const char *want)
{
	struct strbuf sb;
	strbuf_init(&sb);
	numtext_add_duration(&sb, ms);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void size(int64_t bytes, const char *want)
{
	struct strbuf sb;
	strbuf_init(&sb);
	numtext_add_size(&sb, bytes);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_size_units(void **state)
{
	(void)state;
	size(0, "0 bytes");
	size(1023, "1023 bytes");
	size(1024, "1.0 KiB");
	size(100 * 1024, "100 KiB");
	size(3670016, "3.5 MiB");
	size(1024LL * 1024 * 1024, "1.0 GiB");
	size(5LL * 1024 * 1024 * 1024 * 1024 * 1024, "5120 TiB");   /* TiB is the largest unit */
}

static void test_comma_every_three_digits(void **state)
{
	(void)state;
	thousands(0, "0");
	thousands(999, "999");
	thousands(1000, "1,000");
	thousands(1234567, "1,234,567");
	thousands(100000, "100,000");
}

static void test_negative_and_extremes(void **state)
{
	(void)state;
	thousands(-1234, "-1,234");
	thousands(INT64_MAX, "9,223,372,036,854,775,807");
	thousands(INT64_MIN, "-9,223,372,036,854,775,808");
}

static void test_duration_units(void **state)
{
	(void)state;
	duration(0, "0 ms");
	duration(999, "999 ms");
	duration(1000, "1.0 s");
	duration(2500, "2.5 s");
	duration(59999, "60.0 s");
	duration(60000, "1 min 0 s");
	duration(192000, "3 min 12 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comma_every_three_digits),
		cmocka_unit_test(test_negative_and_extremes),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_size_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
