/*
 * test-slack-text.c: reply text escaped for Slack (bot/slack-text.h) and
 * the bot's own references (common/markup.h), one test per rule.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "bot/slack-text.h"
#include "common/markup.h"
#include "common/strbuf.h"

static void expect(const char *in, size_t max, const char *want)
{
	char *got = slack_text_prepare(in, max);
	assert_string_equal(got, want);
	free(got);
}

/* Slack's three: & < > become entities, nothing else changes. */
static void test_escapes_three(void **state)
{
	(void)state;
	expect("a & b < c > d", 100, "a &amp; b &lt; c &gt; d");
	expect("*bold* `code` _it_ ~s~ \"q\" 'a' 大和", 100, "*bold* `code` _it_ ~s~ \"q\" 'a' 大和");
	expect("", 100, "");
	expect(NULL, 100, "");
}

/* What a person types is text: never a ping, a mention or a link. */
static void test_typed_markup_is_text(void **state)
{
	(void)state;
	expect("<!channel>", 100, "&lt;!channel&gt;");
	expect("<!here> <!everyone> <!subteam^S0123>", 200,
	       "&lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S0123&gt;");
	expect("<@U0BOB000001>", 100, "&lt;@U0BOB000001&gt;");
	expect("<#C0FINANCE01|finance>", 100, "&lt;#C0FINANCE01|finance&gt;");
	expect("<https://evil|click>", 100, "&lt;https://evil|click&gt;");
	/* an entity typed as text stays the text it was */
	expect("&amp; &lt;!channel&gt;", 100, "&amp;amp; &amp;lt;!channel&amp;gt;");
}

/* The bot's own references are the only markup kept, without the mark. */
static void test_references_kept(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_adds(&sb, "asked by ");
	markup_add_user(&sb, "U0ALICE0001");
	strbuf_adds(&sb, " in ");
	markup_add_channel(&sb, "C0FINANCE01");
	strbuf_adds(&sb, " for <!channel>");
	expect(sb.buf, 200, "asked by <@U0ALICE0001> in <#C0FINANCE01> for &lt;!channel&gt;");
	strbuf_release(&sb);
}

/* An id that is not [A-Z0-9]+ is not marked, so it shows as text. */
static void test_bad_ids_unmarked(void **state)
{
	(void)state;
	const char *bad[] = { "", "u1", "C1> <!channel", "C1|x", "C0123456789012345678901234567890123" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct strbuf sb;
		strbuf_init(&sb);
		markup_add_channel(&sb, bad[i]);
		assert_null(strchr(sb.buf, MARKUP_MARK));
		char *t = slack_text_prepare(sb.buf, 200);
		assert_null(strchr(t, '<'));
		free(t);
		strbuf_release(&sb);
	}
	struct strbuf sb;
	strbuf_init(&sb);
	markup_add_user(&sb, NULL);
	assert_string_equal(sb.buf, "<@>");
	strbuf_release(&sb);
}

/* A mark that does not start a whole reference is dropped, and what
 * follows it is escaped. */
static void test_stray_marks(void **state)
{
	(void)state;
	expect("\x01", 100, "");
	expect("a\x01" "b", 100, "ab");
	expect("\x01<!channel>", 100, "&lt;!channel&gt;");
	expect("\x01<https://evil|click>", 100, "&lt;https://evil|click&gt;");
	expect("\x01<@U1|bob>", 100, "&lt;@U1|bob&gt;");
	expect("\x01<@u1>", 100, "&lt;@u1&gt;");
	expect("\x01<@U1", 100, "&lt;@U1");
	expect("\x01\x01<@U1>", 100, "<@U1>");
	expect("<\x01@U1>", 100, "&lt;@U1&gt;");
}

/* markup_ref_len recognises exactly mark, <, # or @, id, >. */
static void test_ref_len(void **state)
{
	(void)state;
	assert_int_equal(markup_ref_len("\x01<#C1>x"), 6);
	assert_int_equal(markup_ref_len("\x01<@U0BOB000001>"), 15);
	assert_int_equal(markup_ref_len("<@U1>"), 0);
	assert_int_equal(markup_ref_len("\x01<!here>"), 0);
	assert_int_equal(markup_ref_len("\x01<@>"), 0);
	assert_int_equal(markup_ref_len(""), 0);
}

/* Plain outputs drop the marks and keep everything else as typed. */
static void test_plain(void **state)
{
	(void)state;
	char *p = markup_plain("run in \x01<#C1> or <!channel> & \x01");
	assert_string_equal(p, "run in <#C1> or <!channel> & ");
	free(p);
	assert_null(markup_plain(NULL));
}

/* A cut never splits a UTF-8 sequence, an entity or a reference, and
 * says that it cut. */
static void test_cut(void **state)
{
	(void)state;
	static const char note[] = "\n… (cut)";
	char buf[64] = "";
	for (int i = 0; i < 15; i++)
		strcat(buf, "\xe6\x97\xa5");
	for (size_t max = sizeof(note) + 1; max < 60; max++) {
		char *t = slack_text_prepare(buf, max);
		assert_true(strlen(t) <= max);
		size_t body = strlen(t) - (strlen(t) >= strlen(note) && strstr(t, note) ? strlen(note) : 0);
		assert_int_equal(body % 3, 0);
		free(t);
	}
	for (size_t max = sizeof(note) + 1; max < sizeof(note) + 20; max++) {
		char *t = slack_text_prepare("&&&&&&&&&&&&&&&&&&&&", max);
		char *cut = strstr(t, note);
		assert_non_null(cut);
		assert_int_equal((size_t)(cut - t) % 5, 0);
		free(t);
		t = slack_text_prepare("\x01<@U0BOB000001>\x01<@U0BOB000001>", max);
		cut = strstr(t, note);
		assert_non_null(cut);
		assert_int_equal((size_t)(cut - t) % 14, 0);
		free(t);
	}
	expect("short", 100, "short");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_three),
		cmocka_unit_test(test_typed_markup_is_text),
		cmocka_unit_test(test_references_kept),
		cmocka_unit_test(test_bad_ids_unmarked),
		cmocka_unit_test(test_stray_marks),
		cmocka_unit_test(test_ref_len),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
