/*
 * slack-actions.c: the buttons on reportbot's messages, as Block Kit JSON
 * (bot/slack-actions.h).
 */
#include "common.h"
#include "bot/slack-actions.h"

#include <jansson.h>

#include "bot/slack-json.h"
#include "bot/slack-text.h"
#include "common/strbuf.h"

#define SECTION_TEXT_MAX 3000   /* Slack's limit on a section's text */

static json_t *string_of(const char *text)
{
	char *v = slack_json_valid_utf8(text);
	json_t *j = json_string(v);
	free(v);
	return j ? j : json_string("");
}

/* A section whose mrkdwn text is text prepared for Slack, then tail
 * (already Slack markup, or NULL) after it. */
static json_t *section(const char *text, const char *tail)
{
	size_t room = SECTION_TEXT_MAX - (tail ? strlen(tail) : 0);
	char *t = slack_text_prepare(text ? text : "", room);
	char *all = xasprintf("%s%s", t, tail ? tail : "");
	json_t *obj = json_pack("{s:s, s:{s:s, s:o}}", "type", "section", "text", "type", "mrkdwn",
				"text", string_of(all));
	free(all);
	free(t);
	return obj;
}

static json_t *button(const char *label, const char *action_id, int64_t run_id, const char *style)
{
	char value[32];
	snprintf(value, sizeof(value), "%lld", (long long)run_id);
	json_t *b = json_pack("{s:s, s:{s:s, s:s, s:b}, s:s, s:s}", "type", "button", "text", "type",
			      "plain_text", "text", label, "emoji", 0, "action_id", action_id, "value", value);
	if (style)
		json_object_set_new(b, "style", json_string(style));
	return b;
}

/* An actions block holding the given buttons (stolen). */
static json_t *actions(json_t *b1, json_t *b2)
{
	json_t *els = json_array();
	json_array_append_new(els, b1);
	if (b2)
		json_array_append_new(els, b2);
	return json_pack("{s:s, s:o}", "type", "actions", "elements", els);
}

static char *blocks2(json_t *a, json_t *b)
{
	json_t *arr = json_array();
	json_array_append_new(arr, a);
	if (b)
		json_array_append_new(arr, b);
	return slack_json_dump(arr);
}

char *slack_actions_result(int64_t run_id, bool has_params)
{
	return slack_json_dump(actions(button("Run again", SLACK_ACTION_RERUN, run_id, NULL),
			    has_params ? button("Change arguments", SLACK_ACTION_EDIT, run_id, NULL) : NULL));
}

char *slack_actions_running(const char *text, int64_t run_id)
{
	return blocks2(section(text, NULL), actions(button("Cancel", SLACK_ACTION_CANCEL, run_id, "danger"), NULL));
}

char *slack_actions_failed(const char *text, int64_t run_id, bool retry_upload)
{
	json_t *again = button("Try again", SLACK_ACTION_RERUN, run_id, retry_upload ? NULL : "primary");
	json_t *act = retry_upload
		? actions(button("Retry upload", SLACK_ACTION_RESEND, run_id, "primary"), again)
		: actions(again, NULL);
	return blocks2(section(text, NULL), act);
}

/* A permalink Slack's <URL|label> can carry: http(s), no space, no
 * control character, none of < > |. */
static bool linkable(const char *url)
{
	if (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("<>|", *p))
			return false;
	return strlen(url) < 1000;
}

char *slack_actions_done(const char *text, const char *permalink)
{
	char *tail = NULL;
	if (linkable(permalink)) {
		/* & in an address is sent as &amp; inside Slack's markup */
		struct strbuf sb;
		strbuf_init(&sb);
		strbuf_adds(&sb, " <");
		for (const char *p = permalink; *p; p++) {
			if (*p == '&')
				strbuf_adds(&sb, "&amp;");
			else
				strbuf_addc(&sb, *p);
		}
		strbuf_adds(&sb, "|open the result>");
		tail = strbuf_detach(&sb);
	}
	char *out = blocks2(section(text, tail), NULL);
	free(tail);
	return out;
}
