/*
 * fuzz-socket-frame.c: Socket Mode frame handling as the network thread
 * does it: parse, recover what jansson rejects, the reply and the ack.
 *
 * The first byte picks a mode. Mode 0: the rest is a whole frame; whatever
 * the parse says, a recovered envelope_id gives an ack that is JSON naming
 * that same id. Mode 1: the rest is placed, with '"' made '\'', between the
 * quotes of payload.text of a well-formed slash command; such a frame
 * must always give back its envelope_id, user and channel, and be answered
 * (run, or told what could not be read). Mode 2: the same inside the
 * value of a button in a well-formed block_actions click: the envelope,
 * the user and the action_id always come back, and its ack is JSON.
 */
#include "common.h"

#include <jansson.h>

#include "bot/slack-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The ack for f as slack-socket.c builds it; checks it is JSON with f's id. */
static void check_ack(const struct slack_frame *f, bool parsed)
{
	char *reply = parsed ? NULL : slack_frame_unreadable_reply(f);
	char *ack = slack_json_ack(f->envelope_id, reply);
	json_error_t jerr;
	json_t *root = json_loads(ack, 0, &jerr);
	if (!root)
		abort();   /* an ack Slack cannot read */
	const char *id = json_string_value(json_object_get(root, "envelope_id"));
	if (!id || (json_string_length(json_object_get(root, "envelope_id")) == strlen(f->envelope_id)
		    && strcmp(id, f->envelope_id) != 0 && !strstr(id, "\xEF\xBF\xBD")))
		abort();   /* acked under another id */
	json_decref(root);
	free(ack);
	free(reply);
}

static void whole_frame(const char *data, size_t size)
{
	struct slack_frame f;
	char *cause = NULL;
	int rc = slack_frame_parse(data, size, &f, &cause);
	if (rc < 0 && !cause)
		abort();
	if (rc < 0 && f.unreadable && !f.envelope_id)
		abort();   /* told what was unreadable but nothing to ack */
	if (f.envelope_id)
		check_ack(&f, rc == 0);
	free(cause);
	slack_frame_release(&f);
}

static void inside_text(const char *data, size_t size)
{
	char *raw = xmalloc(size + 1);
	for (size_t i = 0; i < size; i++)
		raw[i] = data[i] == '"' ? '\'' : data[i];
	/* a trailing odd backslash would escape the closing quote */
	size_t slashes = 0;
	while (slashes < size && raw[size - 1 - slashes] == '\\')
		slashes++;
	size_t n = slashes % 2 ? size - 1 : size;
	static const char head[] = "{\"envelope_id\":\"E-1\",\"type\":\"slash_commands\","
		"\"accepts_response_payload\":true,\"payload\":{\"command\":\"/report\","
		"\"user_id\":\"U1\",\"channel_id\":\"C1\",\"text\":\"";
	static const char tail[] = "\",\"trigger_id\":\"1.2\"}}";
	size_t len = sizeof(head) - 1 + n + sizeof(tail) - 1;
	char *frame = xmalloc(len);
	memcpy(frame, head, sizeof(head) - 1);
	memcpy(frame + sizeof(head) - 1, raw, n);
	memcpy(frame + sizeof(head) - 1 + n, tail, sizeof(tail) - 1);

	struct slack_frame f;
	char *cause = NULL;
	int rc = slack_frame_parse(frame, len, &f, &cause);
	if (!f.envelope_id || strcmp(f.envelope_id, "E-1") || !f.user_id || strcmp(f.user_id, "U1")
	    || !f.channel_id || strcmp(f.channel_id, "C1") || f.type != SLACK_FRAME_SLASH_COMMAND)
		abort();   /* an envelope lost to what is inside its text */
	if (rc < 0 && !f.unreadable)
		abort();   /* failed without words for the person */
	if (rc == 0) {
		/* read whole: the text unescapes without harm */
		char *typed = slack_text_unescape(f.text);
		if (strlen(typed) > strlen(f.text))
			abort();
		free(typed);
	}
	check_ack(&f, rc == 0);
	free(cause);
	slack_frame_release(&f);
	free(frame);
	free(raw);
}

/* data (quotes made ', no trailing odd backslash) between head and tail;
 * *len gets the frame's length. Caller frees. */
static char *frame_around(const char *head, const char *data, size_t size, const char *tail, size_t *len)
{
	char *raw = xmalloc(size + 1);
	for (size_t i = 0; i < size; i++)
		raw[i] = data[i] == '"' ? '\'' : data[i];
	size_t slashes = 0;
	while (slashes < size && raw[size - 1 - slashes] == '\\')
		slashes++;
	size_t n = slashes % 2 ? size - 1 : size;
	size_t hl = strlen(head), tl = strlen(tail);
	*len = hl + n + tl;
	char *frame = xmalloc(*len);
	memcpy(frame, head, hl);
	memcpy(frame + hl, raw, n);
	memcpy(frame + hl + n, tail, tl);
	free(raw);
	return frame;
}

static void inside_click(const char *data, size_t size)
{
	size_t len;
	char *frame = frame_around("{\"envelope_id\":\"E-2\",\"type\":\"interactive\",\"payload\":{"
				   "\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"channel\":{\"id\":\"C1\"},"
				   "\"container\":{\"type\":\"message\",\"is_ephemeral\":true},"
				   "\"response_url\":\"https://hooks/r\",\"actions\":[{\"action_id\":\"reportbot_rerun\","
				   "\"type\":\"button\",\"value\":\"", data, size, "\"}]}}", &len);
	struct slack_frame f;
	char *cause = NULL;
	int rc = slack_frame_parse(frame, len, &f, &cause);
	if (!f.envelope_id || strcmp(f.envelope_id, "E-2") || !f.user_id || strcmp(f.user_id, "U1")
	    || f.type != SLACK_FRAME_INTERACTIVE || !f.interaction || !f.interaction->action_id
	    || strcmp(f.interaction->action_id, "reportbot_rerun") || !f.interaction->is_ephemeral)
		abort();   /* a click lost to what is inside its value */
	if (rc < 0 && !f.unreadable)
		abort();
	check_ack(&f, rc == 0);
	free(cause);
	slack_frame_release(&f);
	free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 3 == 2)
		inside_click((const char *)data + 1, size - 1);
	else if (data[0] & 1)
		inside_text((const char *)data + 1, size - 1);
	else
		whole_frame((const char *)data + 1, size - 1);
	return 0;
}
