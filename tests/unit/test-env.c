/*
 * test-env.c: env_number, the one environment-number parser.
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/env.h"

#define VAR "REPORTBOT_TEST_ENV_NUMBER"

static void test_unset_and_empty(void **state)
{
	(void)state;
	long long v = 42;
	char *cause = NULL;
	unsetenv(VAR);
	assert_int_equal(env_number(VAR, 0, 10, &v, &cause), 0);
	setenv(VAR, "", 1);
	assert_int_equal(env_number(VAR, 0, 10, &v, &cause), 0);
	assert_int_equal(v, 42);
	assert_null(cause);
}

static void test_set(void **state)
{
	(void)state;
	long long v = 0;
	setenv(VAR, "7", 1);
	assert_int_equal(env_number(VAR, 0, 10, &v, NULL), 1);
	assert_int_equal(v, 7);
	setenv(VAR, "-3600", 1);
	assert_int_equal(env_number(VAR, -86400, 86400, &v, NULL), 1);
	assert_int_equal(v, -3600);
	setenv(VAR, "10", 1);
	assert_int_equal(env_number(VAR, 0, 10, &v, NULL), 1);
	assert_int_equal(v, 10);
	setenv(VAR, "0", 1);
	assert_int_equal(env_number(VAR, 0, 10, &v, NULL), 1);
	assert_int_equal(v, 0);
	unsetenv(VAR);
}

static void test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = { "abc", "12x", "1.5", "11", "-1", " ", "99999999999999999999" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		long long v = 5;
		char *cause = NULL;
		setenv(VAR, bad[i], 1);
		assert_int_equal(env_number(VAR, 0, 10, &v, &cause), -1);
		assert_int_equal(v, 5);
		char *want = xasprintf(VAR "='%s' is not a whole number from 0 to 10", bad[i]);
		assert_string_equal(cause, want);
		free(want);
		free(cause);
	}
	/* no cause wanted: still -1 */
	setenv(VAR, "nope", 1);
	long long v = 0;
	assert_int_equal(env_number(VAR, 0, 10, &v, NULL), -1);
	unsetenv(VAR);
}

static void test_or_default(void **state)
{
	(void)state;
	unsetenv(VAR);
	assert_int_equal(env_number_or(VAR, 1, 100, 50), 50);
	setenv(VAR, "", 1);
	assert_int_equal(env_number_or(VAR, 1, 100, 50), 50);
	setenv(VAR, "100", 1);
	assert_int_equal(env_number_or(VAR, 1, 100, 50), 100);
	setenv(VAR, "101", 1);     /* out of range: the default, with a warning */
	assert_int_equal(env_number_or(VAR, 1, 100, 50), 50);
	setenv(VAR, "ten", 1);
	assert_int_equal(env_number_or(VAR, 1, 100, 50), 50);
	unsetenv(VAR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_and_empty),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_or_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
