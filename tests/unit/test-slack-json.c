#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "bot/slack-json.h"
#include "common/strbuf.h"

static int parse(const char *s, struct slack_frame *f, char **cause)
{
	return slack_frame_parse(s, strlen(s), f, cause);
}

static void test_hello(void **state)
{
	(void)state;
	struct slack_frame f;
	assert_int_equal(parse("{\"type\":\"hello\",\"num_connections\":2,"
			       "\"connection_info\":{\"app_id\":\"A1\"},"
			       "\"debug_info\":{\"host\":\"h\",\"approximate_connection_time\":18060}}",
			       &f, NULL), 0);
	assert_int_equal(f.type, SLACK_FRAME_HELLO);
	assert_int_equal(f.num_connections, 2);
	assert_int_equal(f.approximate_connection_time, 18060);
	assert_null(f.envelope_id);
	slack_frame_release(&f);
}

static void test_disconnect(void **state)
{
	(void)state;
	const char *reasons[] = { "refresh_requested", "warning", "link_disabled", "too_many_websockets" };
	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		char *s = xasprintf("{\"type\":\"disconnect\",\"reason\":\"%s\",\"debug_info\":{\"host\":\"x\"}}", reasons[i]);
		struct slack_frame f;
		assert_int_equal(parse(s, &f, NULL), 0);
		assert_int_equal(f.type, SLACK_FRAME_DISCONNECT);
		assert_string_equal(f.reason, reasons[i]);
		slack_frame_release(&f);
		free(s);
	}
	struct slack_frame f;
	assert_int_equal(parse("{\"type\":\"disconnect\"}", &f, NULL), 0);
	assert_string_equal(f.reason, "");
	slack_frame_release(&f);
}

static void test_slash(void **state)
{
	(void)state;
	struct slack_frame f;
	assert_int_equal(parse("{\"envelope_id\":\"e-1\",\"type\":\"slash_commands\",\"accepts_response_payload\":true,"
			       "\"payload\":{\"token\":\"t\",\"team_id\":\"T1\",\"channel_id\":\"C1\",\"channel_name\":\"random\","
			       "\"user_id\":\"U1\",\"user_name\":\"ann\",\"command\":\"/report\",\"text\":\"monthly acme 2024-11\","
			       "\"trigger_id\":\"1.2.x\",\"response_url\":\"https://hooks/x\"}}", &f, NULL), 0);
	assert_int_equal(f.type, SLACK_FRAME_SLASH_COMMAND);
	assert_string_equal(f.envelope_id, "e-1");
	assert_true(f.accepts_response_payload);
	assert_string_equal(f.command, "/report");
	assert_string_equal(f.text, "monthly acme 2024-11");
	assert_string_equal(f.user_id, "U1");
	assert_string_equal(f.channel_id, "C1");
	assert_string_equal(f.trigger_id, "1.2.x");
	assert_int_equal(f.retry_attempt, 0);
	slack_frame_release(&f);

	/* text absent: empty; the person typed just /report */
	assert_int_equal(parse("{\"envelope_id\":\"e\",\"type\":\"slash_commands\",\"payload\":"
			       "{\"command\":\"/report\",\"user_id\":\"U\",\"channel_id\":\"C\"}}", &f, NULL), 0);
	assert_string_equal(f.text, "");
	slack_frame_release(&f);
}

static void test_slash_missing_fields(void **state)
{
	(void)state;
	const char *bad[] = {
		"{\"envelope_id\":\"e\",\"type\":\"slash_commands\"}",
		"{\"envelope_id\":\"e\",\"type\":\"slash_commands\",\"payload\":[]}",
		"{\"envelope_id\":\"e\",\"type\":\"slash_commands\",\"payload\":{\"user_id\":\"U\",\"channel_id\":\"C\"}}",
		"{\"envelope_id\":\"e\",\"type\":\"slash_commands\",\"payload\":{\"command\":\"/r\",\"channel_id\":\"C\"}}",
		"{\"envelope_id\":\"e\",\"type\":\"slash_commands\",\"payload\":{\"command\":\"/r\",\"user_id\":\"U\"}}",
		"{\"envelope_id\":\"e\",\"type\":\"slash_commands\",\"payload\":{\"command\":5,\"user_id\":\"U\",\"channel_id\":\"C\"}}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct slack_frame f;
		char *cause = NULL;
		assert_int_equal(parse(bad[i], &f, &cause), -1);
		assert_non_null(cause);
		/* the envelope can still be acknowledged */
		assert_string_equal(f.envelope_id, "e");
		free(cause);
		slack_frame_release(&f);
	}
	struct slack_frame f;
	char *cause = NULL;
	assert_int_equal(parse("{\"type\":\"slash_commands\",\"payload\":{}}", &f, &cause), -1);
	assert_null(f.envelope_id);
	assert_non_null(strstr(cause, "envelope_id"));
	free(cause);
	slack_frame_release(&f);
}

static void test_events_and_interactive(void **state)
{
	(void)state;
	struct slack_frame f;
	assert_int_equal(parse("{\"envelope_id\":\"e2\",\"type\":\"events_api\",\"retry_attempt\":2,\"retry_reason\":\"timeout\","
			       "\"payload\":{\"type\":\"event_callback\",\"event_id\":\"Ev1\",\"event\":{\"type\":\"app_mention\"}}}",
			       &f, NULL), 0);
	assert_int_equal(f.type, SLACK_FRAME_EVENTS_API);
	assert_int_equal(f.retry_attempt, 2);
	assert_string_equal(f.retry_reason, "timeout");
	assert_string_equal(f.event_id, "Ev1");
	assert_string_equal(f.event_type, "app_mention");
	slack_frame_release(&f);

	/* an interactive type we do not read is acknowledged, not an error */
	assert_int_equal(parse("{\"envelope_id\":\"e3\",\"type\":\"interactive\",\"payload\":{\"type\":\"shortcut\"}}",
			       &f, NULL), 0);
	assert_int_equal(f.type, SLACK_FRAME_INTERACTIVE);
	assert_string_equal(f.interactive_type, "shortcut");
	assert_null(f.interaction);
	slack_frame_release(&f);

	/* unknown types are not errors */
	assert_int_equal(parse("{\"envelope_id\":\"e4\",\"type\":\"something_new\",\"payload\":{}}", &f, NULL), 0);
	assert_int_equal(f.type, SLACK_FRAME_OTHER);
	assert_string_equal(f.envelope_id, "e4");
	assert_string_equal(f.type_name, "something_new");
	slack_frame_release(&f);
	assert_int_equal(parse("{}", &f, NULL), 0);
	assert_int_equal(f.type, SLACK_FRAME_OTHER);
	slack_frame_release(&f);

	/* silly retry_attempt values are clamped */
	assert_int_equal(parse("{\"envelope_id\":\"e\",\"type\":\"events_api\",\"retry_attempt\":-5}", &f, NULL), 0);
	assert_int_equal(f.retry_attempt, 0);
	slack_frame_release(&f);
	assert_int_equal(parse("{\"envelope_id\":\"e\",\"type\":\"events_api\",\"retry_attempt\":1e300}", &f, NULL), 0);
	assert_int_equal(f.retry_attempt, 0);
	slack_frame_release(&f);
}

static void test_malformed(void **state)
{
	(void)state;
	const char *bad[] = { "", "{", "[]", "\"hello\"", "42", "null", "{\"type\":\"hello\"", "{\"a\":1} x",
			      "{\"type\":\"hello\",\"x\":\"\\u0000\"}" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct slack_frame f;
		char *cause = NULL;
		assert_int_equal(parse(bad[i], &f, &cause), -1);
		assert_non_null(cause);
		free(cause);
		slack_frame_release(&f);
	}
	/* bytes after a NUL are still data: the length is what counts */
	struct slack_frame f;
	assert_int_equal(slack_frame_parse("{}\0{", 4, &f, NULL), -1);
	slack_frame_release(&f);
	slack_frame_release(NULL);
}

static void test_huge_text(void **state)
{
	(void)state;
	size_t n = 200000;
	char *big = xmalloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	char *s = xasprintf("{\"envelope_id\":\"e\",\"type\":\"slash_commands\",\"payload\":"
			    "{\"command\":\"/report\",\"user_id\":\"U\",\"channel_id\":\"C\",\"text\":\"%s\"}}", big);
	struct slack_frame f;
	assert_int_equal(parse(s, &f, NULL), 0);
	assert_int_equal(strlen(f.text), n);
	slack_frame_release(&f);

	/* an ack of a huge reply is cut to Slack's limit */
	char *ack = slack_json_ack("e", big);
	assert_true(strlen(ack) < SLACK_TEXT_MAX + 200);
	assert_non_null(strstr(ack, "(cut)"));
	free(ack);
	free(s);
	free(big);
}

static void test_ack(void **state)
{
	(void)state;
	char *a = slack_json_ack("e-1", NULL);
	assert_string_equal(a, "{\"envelope_id\":\"e-1\"}");
	free(a);
	a = slack_json_ack("e-1", "run #12 queued: a <b> & \"c\"");
	assert_string_equal(a, "{\"envelope_id\":\"e-1\",\"payload\":{\"text\":\"run #12 queued: a &lt;b&gt; &amp; \\\"c\\\"\","
			    "\"response_type\":\"ephemeral\"}}");
	free(a);
	/* invalid UTF-8 does not lose the message */
	a = slack_json_ack("e", "bad \xff byte");
	assert_non_null(strstr(a, "bad \\uFFFD byte"));
	free(a);
}

static void test_text_prepare(void **state)
{
	(void)state;
	char *t = slack_text_prepare("a&b", 100);
	assert_string_equal(t, "a&amp;b");
	free(t);
	/* only the bot's own references are markup (tests/unit/test-slack-text.c) */
	t = slack_text_prepare("run it in \x01<#C0123> or <@U1>, not <b> <#> <!here>", 200);
	assert_string_equal(t, "run it in <#C0123> or &lt;@U1&gt;, not &lt;b&gt; &lt;#&gt; &lt;!here&gt;");
	free(t);
	/* a cut never splits a UTF-8 sequence */
	char buf[64];
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 15; i++)
		memcpy(buf + i * 3, "\xe6\x97\xa5", 3);
	for (size_t max = 12; max < 40; max++) {
		t = slack_text_prepare(buf, max);
		char *msg = slack_json_post_message("C", t);
		assert_null(strstr(msg, "uFFFD"));
		free(msg);
		assert_true(strlen(t) <= max);
		free(t);
	}
}

static void test_builders(void **state)
{
	(void)state;
	char *s = slack_json_post_message("C1", "hi");
	assert_string_equal(s, "{\"channel\":\"C1\",\"text\":\"hi\"}");
	free(s);
	s = slack_json_post_ephemeral("C1", "U1", "hi");
	assert_string_equal(s, "{\"channel\":\"C1\",\"user\":\"U1\",\"text\":\"hi\"}");
	free(s);
	s = slack_json_response("invite \x01<@U1> & retry, not <@U2>");
	assert_string_equal(s, "{\"text\":\"invite <@U1> &amp; retry, not &lt;@U2&gt;\",\"response_type\":\"ephemeral\","
			    "\"replace_original\":false}");
	free(s);
	s = slack_json_get_upload_url("monthly-acme-2024-11.csv", 1234);
	assert_string_equal(s, "{\"filename\":\"monthly-acme-2024-11.csv\",\"length\":1234}");
	free(s);
	s = slack_json_complete_upload("F1", "t.csv", "C1", "monthly: 3 rows");
	assert_string_equal(s, "{\"files\":[{\"id\":\"F1\",\"title\":\"t.csv\"}],\"channel_id\":\"C1\","
			    "\"initial_comment\":\"monthly: 3 rows\"}");
	free(s);
	s = slack_json_complete_upload("F1", NULL, NULL, NULL);
	assert_string_equal(s, "{\"files\":[{\"id\":\"F1\",\"title\":\"F1\"}]}");
	free(s);
}

static void test_response(void **state)
{
	(void)state;
	struct slack_response r;
	const char *ok = "{\"ok\":true,\"url\":\"ws://127.0.0.1:1/link\",\"user_id\":\"UB\",\"user\":\"reportbot\"}";
	assert_int_equal(slack_response_parse(ok, strlen(ok), &r, NULL), 0);
	assert_true(r.ok);
	assert_null(r.error);
	assert_string_equal(r.url, "ws://127.0.0.1:1/link");
	assert_string_equal(r.user, "reportbot");
	slack_response_release(&r);

	const char *err = "{\"ok\":false,\"error\":\"invalid_blocks\",\"response_metadata\":{\"messages\":[\"a\",\"b\"]}}";
	assert_int_equal(slack_response_parse(err, strlen(err), &r, NULL), 0);
	assert_false(r.ok);
	assert_string_equal(r.error, "invalid_blocks");
	assert_string_equal(r.detail, "a; b");
	slack_response_release(&r);

	const char *noerr = "{\"ok\":false}";
	assert_int_equal(slack_response_parse(noerr, strlen(noerr), &r, NULL), 0);
	assert_string_equal(r.error, "unknown_error");
	slack_response_release(&r);

	const char *bad[] = { "OK - 12", "{}", "{\"ok\":\"yes\"}", "[true]", "" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *cause = NULL;
		assert_int_equal(slack_response_parse(bad[i], strlen(bad[i]), &r, &cause), -1);
		assert_non_null(cause);
		free(cause);
		slack_response_release(&r);
	}
}

static void test_error_words(void **state)
{
	(void)state;
	char *w = slack_error_words("not_in_channel", NULL);
	assert_non_null(strstr(w, "invite @reportbot"));
	free(w);
	w = slack_error_words("invalid_auth", NULL);
	assert_string_equal(w, "the bot token is not valid");
	free(w);
	w = slack_error_words("missing_scope", "files:write");
	assert_non_null(strstr(w, "files:write"));
	free(w);
	w = slack_error_words("brand_new_error", NULL);
	assert_string_equal(w, "Slack answered brand_new_error");
	free(w);
	w = slack_error_words(NULL, NULL);
	assert_non_null(w);
	free(w);
	assert_true(slack_error_is_auth("invalid_auth"));
	assert_true(slack_error_is_auth("token_revoked"));
	assert_false(slack_error_is_auth("not_in_channel"));
	assert_false(slack_error_is_auth(NULL));
}

/* What the person typed comes back from Slack's escaped form. */
static void test_text_unescape(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "monthly acme last", "monthly acme last" },
		{ "note \"a &amp; b\"", "note \"a & b\"" },
		{ "x &lt;3 &gt;", "x <3 >" },
		{ "&amp;lt;", "&lt;" },
		{ "&amp", "&amp" },
		{ "schedule add w \"0 9 * * 1\" <#C0123456789|general> wau", "schedule add w \"0 9 * * 1\" C0123456789 wau" },
		{ "<#C0123456789>", "C0123456789" },
		{ "<#C012", "<#C012" },
		{ "", "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = slack_text_unescape(cases[i].in);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* A slash command frame whose payload.text is raw (the bytes between the
 * quotes, as sent), with envelope_id last so it is found behind the text. */
static char *slash_with_raw_text(const char *raw)
{
	return xasprintf("{\"type\":\"slash_commands\",\"accepts_response_payload\":true,\"payload\":{"
			 "\"command\":\"/report\",\"text\":\"%s\",\"user_id\":\"U1\",\"channel_id\":\"C1\","
			 "\"trigger_id\":\"1.2.x\",\"response_url\":\"https://hooks/x\"},\"envelope_id\":\"E1\"}", raw);
}

/* Every kind of string content jansson rejects the whole frame for:
 * the envelope is recovered and the person told what it was. */
static void test_unreadable_recovered(void **state)
{
	(void)state;
	static const struct {
		const char *raw, *words;
	} cases[] = {
		{ "monthly \\u0000 acme", "it contains a character Slack sent as \\u0000" },
		{ "\\u0000", "it contains a character Slack sent as \\u0000" },
		{ "x \\ud800 y", "it contains a character Slack sent as \\ud800 (half of a UTF-16 pair)" },
		{ "x \\uDC00", "it contains a character Slack sent as \\uDC00 (half of a UTF-16 pair)" },
		{ "\\ud800\\u0041", "it contains a character Slack sent as \\ud800" },
		{ "\\ud800\\ud800\\udc00", "it contains a character Slack sent as \\ud800" },
		{ "bad \xff byte", "it contains bytes that are not UTF-8 (0xff)" },
		{ "overlong \xc0\xaf", "it contains bytes that are not UTF-8 (0xc0)" },
		{ "surrogate in UTF-8 \xed\xa0\x80", "it contains bytes that are not UTF-8 (0xed)" },
		{ "cut \xe2\x82", "it contains bytes that are not UTF-8 (0xe2)" },
		{ "raw \x01 control", "it contains a raw control character (0x01)" },
		{ "tab\there", "it contains a raw control character (0x09)" },
		{ "escape \\q", "it contains an escape JSON does not allow (\\q)" },
		{ "short \\u12", "it contains an escape JSON does not allow (\\u)" },
		{ "\\u0000 and \xff", "it contains a character Slack sent as \\u0000, and bytes that are not UTF-8 (0xff)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = slash_with_raw_text(cases[i].raw);
		struct slack_frame f;
		char *cause = NULL;
		assert_int_equal(parse(s, &f, &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "not JSON"));
		assert_int_equal(f.type, SLACK_FRAME_SLASH_COMMAND);
		assert_string_equal(f.envelope_id, "E1");
		assert_string_equal(f.command, "/report");
		assert_string_equal(f.user_id, "U1");
		assert_string_equal(f.channel_id, "C1");
		assert_string_equal(f.trigger_id, "1.2.x");
		assert_string_equal(f.response_url, "https://hooks/x");
		assert_non_null(f.unreadable);
		if (!strstr(f.unreadable, cases[i].words))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, f.unreadable, cases[i].words);
		char *reply = slack_frame_unreadable_reply(&f);
		char *want = xasprintf("Sorry, I could not read that command (%s", cases[i].words);
		assert_non_null(strstr(reply, want));
		/* the ack carries it, and is JSON */
		char *ack = slack_json_ack(f.envelope_id, reply);
		assert_non_null(strstr(ack, "{\"envelope_id\":\"E1\",\"payload\":{\"text\":\"Sorry"));
		free(ack);
		free(want);
		free(reply);
		free(cause);
		slack_frame_release(&f);
		free(s);
	}
}

/* What jansson takes is not touched: a surrogate pair, escapes, UTF-8. */
static void test_readable_untouched(void **state)
{
	(void)state;
	char *s = slash_with_raw_text("\\ud83d\\ude00 \\\" \\\\ \\/ \\n \xc3\xa9 \xf0\x9f\x98\x80");
	struct slack_frame f;
	assert_int_equal(parse(s, &f, NULL), 0);
	assert_string_equal(f.text, "\xf0\x9f\x98\x80 \" \\ / \n \xc3\xa9 \xf0\x9f\x98\x80");
	assert_null(f.unreadable);
	slack_frame_release(&f);
	free(s);
}

/* Other envelope types are recovered and acknowledged without a reply;
 * a frame broken outside its strings is not guessed at. */
static void test_unreadable_other(void **state)
{
	(void)state;
	struct slack_frame f;
	char *cause = NULL;
	assert_int_equal(parse("{\"envelope_id\":\"E2\",\"type\":\"events_api\",\"payload\":{\"event_id\":\"Ev\","
			       "\"event\":{\"type\":\"message\",\"text\":\"\\u0000\"}}}", &f, &cause), -1);
	assert_string_equal(f.envelope_id, "E2");
	assert_string_equal(f.event_id, "Ev");
	assert_non_null(f.unreadable);
	assert_null(slack_frame_unreadable_reply(&f));
	free(cause);
	slack_frame_release(&f);

	/* a missing field: acknowledged with a reply too */
	cause = NULL;
	assert_int_equal(parse("{\"envelope_id\":\"E3\",\"type\":\"slash_commands\",\"payload\":{\"command\":\"/r\","
			       "\"channel_id\":\"C\"}}", &f, &cause), -1);
	assert_string_equal(f.envelope_id, "E3");
	char *reply = slack_frame_unreadable_reply(&f);
	assert_non_null(strstr(reply, "Sorry, I could not read that command"));
	free(reply);
	free(cause);
	slack_frame_release(&f);

	const char *broken[] = {
		"{\"envelope_id\":\"E4\",\"type\":\"slash_commands\",\"payload\":{\"text\":\"\\u0000\"}",
		"{\"envelope_id\":\"E4\" \"type\":\"x\",\"t\":\"\\u0000\"}",
		"{\"envelope_id\":\"E4\",\"t\":\"\\",
		"\xff{\"envelope_id\":\"E4\"}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(broken); i++) {
		cause = NULL;
		assert_int_equal(parse(broken[i], &f, &cause), -1);
		assert_null(f.envelope_id);
		assert_null(f.unreadable);
		free(cause);
		slack_frame_release(&f);
	}
}

/* A click as Slack sends it (block_actions, docs.slack.dev interaction payloads). */
static const char click[] =
	"{\"envelope_id\":\"e5\",\"type\":\"interactive\",\"accepts_response_payload\":false,\"payload\":{"
	"\"type\":\"block_actions\",\"user\":{\"id\":\"U1\",\"username\":\"ann\",\"name\":\"ann\",\"team_id\":\"T1\"},"
	"\"api_app_id\":\"A1\",\"token\":\"t\",\"container\":{\"type\":\"message\",\"message_ts\":\"1700.1\","
	"\"channel_id\":\"C9\",\"is_ephemeral\":true},\"trigger_id\":\"1.2.x\",\"team\":{\"id\":\"T1\",\"domain\":\"d\"},"
	"\"channel\":{\"id\":\"C1\",\"name\":\"reports\"},\"response_url\":\"https://hooks/r\","
	"\"actions\":[{\"type\":\"button\",\"action_id\":\"reportbot_rerun\",\"block_id\":\"b1\",\"value\":\"42\","
	"\"action_ts\":\"1700.2\"},{\"type\":\"button\",\"action_id\":\"second\"}]}}";

static void test_block_actions(void **state)
{
	(void)state;
	struct slack_frame f;
	assert_int_equal(parse(click, &f, NULL), 0);
	assert_int_equal(f.type, SLACK_FRAME_INTERACTIVE);
	assert_string_equal(f.interactive_type, "block_actions");
	assert_non_null(f.interaction);
	assert_string_equal(f.user_id, "U1");
	assert_string_equal(f.user_name, "ann");
	assert_string_equal(f.team_id, "T1");
	assert_string_equal(f.channel_id, "C1");          /* channel.id before container.channel_id */
	assert_string_equal(f.trigger_id, "1.2.x");
	assert_string_equal(f.response_url, "https://hooks/r");
	assert_string_equal(f.interaction->action_id, "reportbot_rerun");   /* the first action */
	assert_string_equal(f.interaction->block_id, "b1");
	assert_string_equal(f.interaction->action_type, "button");
	assert_string_equal(f.interaction->value, "42");
	assert_string_equal(f.interaction->container_type, "message");
	assert_string_equal(f.interaction->message_ts, "1700.1");
	assert_true(f.interaction->is_ephemeral);
	assert_null(f.interaction->view_id);
	slack_frame_release(&f);

	/* no channel object: container.channel_id; no value: NULL; not ephemeral */
	assert_int_equal(parse("{\"envelope_id\":\"e6\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\","
			       "\"user\":{\"id\":\"U2\"},\"container\":{\"type\":\"message\",\"channel_id\":\"C9\"},"
			       "\"actions\":[{\"action_id\":\"x\"}]}}", &f, NULL), 0);
	assert_string_equal(f.channel_id, "C9");
	assert_null(f.interaction->value);
	assert_false(f.interaction->is_ephemeral);
	assert_null(f.response_url);
	slack_frame_release(&f);
}

/* What a click needs, or the frame is refused (and still acknowledged). */
static void test_block_actions_missing(void **state)
{
	(void)state;
	static const char *const bad[] = {
		/* no payload object */
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":[]}",
		/* no user */
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\",\"actions\":[{\"action_id\":\"a\"}]}}",
		/* user without id */
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\",\"user\":{\"name\":\"x\"},"
		"\"actions\":[{\"action_id\":\"a\"}]}}",
		/* no actions, empty actions, an action without action_id, an action_id not a string */
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\",\"user\":{\"id\":\"U\"}}}",
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\",\"user\":{\"id\":\"U\"},\"actions\":[]}}",
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\",\"user\":{\"id\":\"U\"},\"actions\":[{\"value\":\"1\"}]}}",
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\",\"user\":{\"id\":\"U\"},\"actions\":[{\"action_id\":7}]}}",
		/* a view without an id */
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"view_submission\",\"user\":{\"id\":\"U\"},\"view\":{}}}",
		"{\"envelope_id\":\"e\",\"type\":\"interactive\",\"payload\":{\"type\":\"view_closed\",\"user\":{\"id\":\"U\"}}}",
		/* no envelope id */
		"{\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\",\"user\":{\"id\":\"U\"},\"actions\":[{\"action_id\":\"a\"}]}}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct slack_frame f;
		char *cause = NULL;
		assert_int_equal(parse(bad[i], &f, &cause), -1);
		assert_non_null(cause);
		if (i + 1 < ARRAY_SIZE(bad)) {
			assert_string_equal(f.envelope_id, "e");   /* still acknowledged */
			assert_non_null(f.unreadable);
			assert_null(slack_frame_unreadable_reply(&f));   /* acked without a payload */
		}
		free(cause);
		slack_frame_release(&f);
	}
}

static void test_view_submission(void **state)
{
	(void)state;
	struct slack_frame f;
	assert_int_equal(parse("{\"envelope_id\":\"e7\",\"type\":\"interactive\",\"payload\":{\"type\":\"view_submission\","
			       "\"user\":{\"id\":\"U1\"},\"team\":{\"id\":\"T1\"},\"trigger_id\":\"t\",\"view\":{\"id\":\"V1\","
			       "\"type\":\"modal\",\"callback_id\":\"report_form\",\"private_metadata\":\"{\\\"cmd\\\":\\\"monthly\\\"}\","
			       "\"hash\":\"h1\",\"state\":{\"values\":{"
			       "\"b_customer\":{\"customer\":{\"type\":\"plain_text_input\",\"value\":\"acme\"}},"
			       "\"b_month\":{\"month\":{\"type\":\"static_select\",\"selected_option\":{\"text\":{\"type\":\"plain_text\",\"text\":\"Nov\"},\"value\":\"2024-11\"}}},"
			       "\"b_day\":{\"day\":{\"type\":\"datepicker\",\"selected_date\":\"2024-11-02\"}},"
			       "\"b_n\":{\"n\":{\"type\":\"number_input\",\"value\":\"12\"}},"
			       "\"b_tags\":{\"tags\":{\"type\":\"multi_static_select\",\"selected_options\":[{\"value\":\"a\"},{\"value\":\"b,c\"}]}},"
			       "\"b_empty\":{\"empty\":{\"type\":\"plain_text_input\",\"value\":null}},"
			       "\"b_junk\":7}}}}}", &f, NULL), 0);
	const struct slack_interaction *in = f.interaction;
	assert_non_null(in);
	assert_null(in->action_id);
	assert_string_equal(f.user_id, "U1");
	assert_string_equal(in->view_id, "V1");
	assert_string_equal(in->callback_id, "report_form");
	assert_string_equal(in->private_metadata, "{\"cmd\":\"monthly\"}");
	assert_string_equal(in->view_hash, "h1");
	assert_int_equal(in->nvalues, 6);
	static const struct {
		const char *block, *action, *type, *value;
	} want[] = {
		{ "b_customer", "customer", "plain_text_input", "acme" },
		{ "b_month", "month", "static_select", "2024-11" },
		{ "b_day", "day", "datepicker", "2024-11-02" },
		{ "b_n", "n", "number_input", "12" },
		{ "b_tags", "tags", "multi_static_select", NULL },
		{ "b_empty", "empty", "plain_text_input", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		bool found = false;
		for (size_t k = 0; k < in->nvalues; k++) {
			const struct slack_view_value *v = &in->values[k];
			if (strcmp(v->block_id, want[i].block))
				continue;
			found = true;
			assert_string_equal(v->action_id, want[i].action);
			assert_string_equal(v->type, want[i].type);
			if (want[i].value)
				assert_string_equal(v->value, want[i].value);
			else
				assert_null(v->value);
			if (!strcmp(v->block_id, "b_tags")) {
				assert_int_equal(v->selected.n, 2);
				assert_string_equal(v->selected.v[1], "b,c");
			}
		}
		assert_true(found);
	}
	slack_frame_release(&f);

	/* view_closed: the view, no values */
	assert_int_equal(parse("{\"envelope_id\":\"e8\",\"type\":\"interactive\",\"payload\":{\"type\":\"view_closed\","
			       "\"user\":{\"id\":\"U1\"},\"view\":{\"id\":\"V2\",\"callback_id\":\"c\",\"state\":{\"values\":"
			       "{\"b\":{\"a\":{\"type\":\"plain_text_input\",\"value\":\"x\"}}}}},\"is_cleared\":false}}", &f, NULL), 0);
	assert_string_equal(f.interaction->view_id, "V2");
	assert_int_equal(f.interaction->nvalues, 0);
	slack_frame_release(&f);
}

/* At most SLACK_VIEW_VALUES_MAX inputs are kept. */
static void test_view_values_capped(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_adds(&sb, "{\"envelope_id\":\"e9\",\"type\":\"interactive\",\"payload\":{\"type\":\"view_submission\","
		    "\"user\":{\"id\":\"U1\"},\"view\":{\"id\":\"V\",\"state\":{\"values\":{");
	for (int i = 0; i < SLACK_VIEW_VALUES_MAX + 20; i++)
		strbuf_addf(&sb, "%s\"b%d\":{\"a\":{\"type\":\"plain_text_input\",\"value\":\"%d\"}}", i ? "," : "", i, i);
	strbuf_adds(&sb, "}}}}}");
	struct slack_frame f;
	assert_int_equal(parse(sb.buf, &f, NULL), 0);
	assert_int_equal(f.interaction->nvalues, SLACK_VIEW_VALUES_MAX);
	slack_frame_release(&f);
	strbuf_release(&sb);
}

static void test_ack_and_response_blocks(void **state)
{
	(void)state;
	char *a = slack_json_ack_blocks("e1", "Running <x>", "[{\"type\":\"divider\"}]");
	assert_string_equal(a, "{\"envelope_id\":\"e1\",\"payload\":{\"text\":\"Running &lt;x&gt;\","
			    "\"blocks\":[{\"type\":\"divider\"}],\"response_type\":\"ephemeral\"}}");
	free(a);
	/* blocks that are not an array are left out; no text, no payload */
	a = slack_json_ack_blocks("e1", "t", "{\"type\":\"divider\"}");
	assert_null(strstr(a, "blocks"));
	free(a);
	a = slack_json_ack_blocks("e1", NULL, "[]");
	assert_string_equal(a, "{\"envelope_id\":\"e1\"}");
	free(a);
	char *r = slack_json_response_blocks("done", "[]", true);
	assert_string_equal(r, "{\"text\":\"done\",\"blocks\":[],\"response_type\":\"ephemeral\",\"replace_original\":true}");
	free(r);
	r = slack_json_response_blocks("x", NULL, false);
	assert_string_equal(r, "{\"text\":\"x\",\"response_type\":\"ephemeral\",\"replace_original\":false}");
	free(r);
	r = slack_json_post_ephemeral_blocks("C1", "U1", "t", "[{\"type\":\"divider\"}]");
	assert_string_equal(r, "{\"channel\":\"C1\",\"user\":\"U1\",\"text\":\"t\",\"blocks\":[{\"type\":\"divider\"}]}");
	free(r);
	char *v = slack_json_valid_utf8("a\xff" "b");
	assert_string_equal(v, "a\xEF\xBF\xBD" "b");
	free(v);
}

static void test_permalink(void **state)
{
	(void)state;
	struct slack_response r;
	const char *body = "{\"ok\":true,\"files\":[{\"id\":\"F1\",\"permalink\":\"https://t.slack.com/files/U/F1/a.csv\"}]}";
	assert_int_equal(slack_response_parse(body, strlen(body), &r, NULL), 0);
	assert_string_equal(r.permalink, "https://t.slack.com/files/U/F1/a.csv");
	slack_response_release(&r);
	body = "{\"ok\":true,\"channel\":\"C1\",\"permalink\":\"https://t.slack.com/archives/C1/p1\"}";
	assert_int_equal(slack_response_parse(body, strlen(body), &r, NULL), 0);
	assert_string_equal(r.permalink, "https://t.slack.com/archives/C1/p1");
	slack_response_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_disconnect),
		cmocka_unit_test(test_slash),
		cmocka_unit_test(test_slash_missing_fields),
		cmocka_unit_test(test_events_and_interactive),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_huge_text),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_text_prepare),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_error_words),
		cmocka_unit_test(test_text_unescape),
		cmocka_unit_test(test_unreadable_recovered),
		cmocka_unit_test(test_readable_untouched),
		cmocka_unit_test(test_unreadable_other),
		cmocka_unit_test(test_block_actions),
		cmocka_unit_test(test_block_actions_missing),
		cmocka_unit_test(test_view_submission),
		cmocka_unit_test(test_view_values_capped),
		cmocka_unit_test(test_ack_and_response_blocks),
		cmocka_unit_test(test_permalink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
