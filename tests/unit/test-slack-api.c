#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "bot/slack-api.h"

static void test_redact(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "no secrets here", "no secrets here" },
		{ "Bearer xoxb-123-456-abcDEF done", "Bearer [token] done" },
		{ "xapp-1-A111-222-abc", "[token]" },
		{ "a xoxp-9 b xoxe-1-x c", "a [token] b [token] c" },
		{ "xox-not-a-token xapp", "xox-not-a-token xapp" },
		{ "", "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *r = slack_redact(cases[i][0]);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
	assert_null(slack_redact(NULL));
}

static void test_new(void **state)
{
	(void)state;
	struct slack_api *api = NULL;
	char *cause = NULL;
	assert_int_equal(slack_api_new(&api, "", &cause), -1);
	assert_null(api);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(slack_api_new(&api, "http://127.0.0.1:9/api", NULL), 0);
	assert_string_equal(slack_api_last_error(api), "");
	slack_api_free(api);
	slack_api_free(NULL);
}

/* Nothing listens on port 9: a network error, retried a bounded number of
 * times, reported without the token. */
static void test_unreachable(void **state)
{
	(void)state;
	setenv("REPORTBOT_HTTP_RETRIES", "2", 1);
	setenv("REPORTBOT_HTTP_BACKOFF_MS", "10", 1);
	struct slack_api *api = NULL;
	assert_int_equal(slack_api_new(&api, "http://127.0.0.1:9/api/", NULL), 0);
	struct slack_response r;
	char *cause = NULL;
	int64_t t0 = now_ms_monotonic();
	assert_int_equal(slack_api_call(api, "xoxb-secret-token", "auth.test", NULL, 0, &r, &cause), -1);
	assert_true(now_ms_monotonic() - t0 < 5000);
	assert_string_equal(slack_api_last_error(api), "network");
	assert_non_null(strstr(cause, "cannot reach Slack"));
	assert_null(strstr(cause, "secret"));
	free(cause);
	slack_api_free(api);
	unsetenv("REPORTBOT_HTTP_RETRIES");
	unsetenv("REPORTBOT_HTTP_BACKOFF_MS");
}

/* A stop flag already set ends the call at once, without retry waits. */
static void test_stop(void **state)
{
	(void)state;
	setenv("REPORTBOT_HTTP_BACKOFF_MS", "60000", 1);
	struct slack_api *api = NULL;
	assert_int_equal(slack_api_new(&api, "http://127.0.0.1:9/api/", NULL), 0);
	atomic_int stop;
	atomic_init(&stop, 1);
	slack_api_set_stop(api, &stop);
	struct slack_response r;
	char *cause = NULL;
	int64_t t0 = now_ms_monotonic();
	assert_int_equal(slack_api_call(api, "xoxb-x", "auth.test", NULL, 0, &r, &cause), -1);
	assert_true(now_ms_monotonic() - t0 < 2000);
	free(cause);
	slack_api_free(api);
	unsetenv("REPORTBOT_HTTP_BACKOFF_MS");
}

/* A missing result file is an error naming the file, before any call. */
static void test_upload_missing_file(void **state)
{
	(void)state;
	struct slack_api *api = NULL;
	assert_int_equal(slack_api_new(&api, "http://127.0.0.1:9/api/", NULL), 0);
	char *cause = NULL;
	assert_int_equal(slack_upload_file(api, "xoxb-x", "/nonexistent/run-1.csv", "a.csv", "C1", "c", &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/run-1.csv"));
	free(cause);
	slack_api_free(api);
}

static int setup(void **state)
{
	(void)state;
	return slack_api_global_init(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_upload_missing_file),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
