/* test-slack-actions.c: the buttons' Block Kit JSON (bot/slack-actions.h). */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>

#include "bot/slack-actions.h"

/* The buttons of every actions block in blocks (an array or one block),
 * as "action_id=value" joined by ' '. Caller frees. */
static char *buttons_of(const char *json)
{
	json_t *root = json_loads(json, 0, NULL);
	assert_non_null(root);
	json_t *arr = json_is_array(root) ? json_incref(root) : json_pack("[O]", root);
	char *out = xstrdup("");
	size_t i, k;
	json_t *b, *el;
	json_array_foreach(arr, i, b) {
		if (strcmp(json_string_value(json_object_get(b, "type")), "actions"))
			continue;
		json_array_foreach(json_object_get(b, "elements"), k, el) {
			assert_string_equal(json_string_value(json_object_get(el, "type")), "button");
			assert_string_equal(json_string_value(json_object_get(json_object_get(el, "text"), "type")), "plain_text");
			const char *id = json_string_value(json_object_get(el, "action_id"));
			const char *v = json_string_value(json_object_get(el, "value"));
			assert_true(strlen(id) <= SLACK_ACTION_ID_MAX);
			assert_true(strlen(v) <= SLACK_ACTION_VALUE_MAX);
			char *prev = out;
			out = xasprintf("%s%s%s=%s", prev, *prev ? " " : "", id, v);
			free(prev);
		}
	}
	json_decref(arr);
	json_decref(root);
	return out;
}

/* The mrkdwn text of the first section. Caller frees. */
static char *section_text(const char *json)
{
	json_t *root = json_loads(json, 0, NULL);
	json_t *s = json_array_get(root, 0);
	assert_string_equal(json_string_value(json_object_get(s, "type")), "section");
	json_t *t = json_object_get(s, "text");
	assert_string_equal(json_string_value(json_object_get(t, "type")), "mrkdwn");
	char *out = xstrdup(json_string_value(json_object_get(t, "text")));
	json_decref(root);
	return out;
}

static void test_result(void **state)
{
	(void)state;
	char *j = slack_actions_result(42, true);
	char *b = buttons_of(j);
	assert_string_equal(b, "reportbot_rerun=42 reportbot_edit=42");
	assert_non_null(strstr(j, "\"Run again\""));
	assert_non_null(strstr(j, "\"Change arguments\""));
	free(b);
	free(j);
	/* no parameters: nothing to change */
	j = slack_actions_result(9000000000000LL, false);
	b = buttons_of(j);
	assert_string_equal(b, "reportbot_rerun=9000000000000");
	free(b);
	free(j);
}

static void test_running(void **state)
{
	(void)state;
	char *j = slack_actions_running("Running `monthly <!here> & co` as run 7", 7);
	char *b = buttons_of(j);
	assert_string_equal(b, "reportbot_cancel=7");
	char *t = section_text(j);
	/* text is escaped: a typed <!here> stays text */
	assert_string_equal(t, "Running `monthly &lt;!here&gt; &amp; co` as run 7");
	assert_non_null(strstr(j, "\"style\":\"danger\""));
	free(t);
	free(b);
	free(j);
}

static void test_failed(void **state)
{
	(void)state;
	char *j = slack_actions_failed("`broken` failed (run 3): no such table", 3, false);
	char *b = buttons_of(j);
	assert_string_equal(b, "reportbot_rerun=3");
	assert_non_null(strstr(j, "\"Try again\""));
	free(b);
	free(j);
	j = slack_actions_failed("could not be posted", 4, true);
	b = buttons_of(j);
	assert_string_equal(b, "reportbot_resend=4 reportbot_rerun=4");
	assert_non_null(strstr(j, "\"Retry upload\""));
	free(b);
	free(j);
}

static void test_section_cut(void **state)
{
	(void)state;
	char *long_text = xmalloc(10001);
	memset(long_text, 'x', 10000);
	long_text[10000] = '\0';
	char *j = slack_actions_failed(long_text, 1, false);
	char *t = section_text(j);
	assert_true(strlen(t) <= 3000);
	free(t);
	free(j);
	j = slack_actions_done(long_text, "https://t.slack.com/files/U/F1/a.csv");
	t = section_text(j);
	assert_true(strlen(t) <= 3000);
	assert_non_null(strstr(t, "<https://t.slack.com/files/U/F1/a.csv|open the result>"));
	free(t);
	free(j);
	free(long_text);
}

static void test_done(void **state)
{
	(void)state;
	char *j = slack_actions_done("`monthly`: 3 rows (run 5)", "https://t.slack.com/files/U/F1/a.csv?x=1&y=2");
	char *t = section_text(j);
	assert_string_equal(t, "`monthly`: 3 rows (run 5) <https://t.slack.com/files/U/F1/a.csv?x=1&amp;y=2|open the result>");
	char *b = buttons_of(j);
	assert_string_equal(b, "");   /* the view ends in one line, no button */
	free(b);
	free(t);
	free(j);
	/* no link, or one that would break Slack's <URL|label> */
	static const char *const bad[] = {
		NULL, "", "ftp://x/y", "https://x/a b", "https://x/a|b", "https://x/<b>", "javascript:alert(1)",
		"https://x/\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		j = slack_actions_done("done", bad[i]);
		t = section_text(j);
		assert_string_equal(t, "done");
		free(t);
		free(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_section_cut),
		cmocka_unit_test(test_done),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
