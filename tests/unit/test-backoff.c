/*
 * test-backoff.c: backoff_delay, the one retry-delay rule.
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/backoff.h"

static void test_doubles_without_jitter(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(500, 30000, 0, NULL), 500);
	assert_int_equal(backoff_delay(500, 30000, 1, NULL), 1000);
	assert_int_equal(backoff_delay(500, 30000, 2, NULL), 2000);
	assert_int_equal(backoff_delay(500, 30000, 5, NULL), 16000);
}

static void test_capped(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(500, 30000, 6, NULL), 30000);
	assert_int_equal(backoff_delay(500, 30000, 1000000, NULL), 30000);
	/* a base above the cap is cut to the cap */
	assert_int_equal(backoff_delay(600000, 30000, 0, NULL), 30000);
	/* large numbers do not overflow */
	assert_int_equal(backoff_delay(INT64_MAX / 2, INT64_MAX, 100, NULL), INT64_MAX);
	assert_int_equal(backoff_delay(60, 24 * 3600, 40, NULL), 24 * 3600);
}

static void test_odd_inputs(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(0, 100, 3, NULL), 0);
	assert_int_equal(backoff_delay(-5, 100, 3, NULL), 0);
	assert_int_equal(backoff_delay(10, 100, -1, NULL), 10);
	unsigned seed = 1;
	assert_int_equal(backoff_delay(1, 100, 0, &seed), 0);  /* half of 1 is 0 */
}

static void test_jitter_between_half_and_all(void **state)
{
	(void)state;
	unsigned seed = 12345;
	bool low = false, high = false;
	for (int i = 0; i < 2000; i++) {
		int attempt = i % 8;
		int64_t d = backoff_delay(1000, 60000, attempt, NULL);
		int64_t j = backoff_delay(1000, 60000, attempt, &seed);
		assert_true(j >= d / 2);
		assert_true(j <= d);
		if (j < d * 3 / 4)
			low = true;
		if (j > d * 3 / 4)
			high = true;
	}
	assert_true(low && high);
}

static void test_same_seed_same_delays(void **state)
{
	(void)state;
	unsigned a = 7, b = 7;
	for (int i = 0; i < 10; i++)
		assert_int_equal(backoff_delay(100, 10000, i, &a), backoff_delay(100, 10000, i, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles_without_jitter),
		cmocka_unit_test(test_capped),
		cmocka_unit_test(test_odd_inputs),
		cmocka_unit_test(test_jitter_between_half_and_all),
		cmocka_unit_test(test_same_seed_same_delays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
