#include "common.h"

#include <ctype.h>
#include <jansson.h>

#include "bot/slack-json.h"
#include "common/strbuf.h"
#include "commands/utf8.h"

/* ---- reading ---- */

static char *dup_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* A string member of a JSON object and the field that gets a copy of it. */
struct str_member {
	const char *key;
	char **field;      /* set to an owned copy, or NULL when absent */
};

static void dup_members(json_t *obj, const struct str_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*m[i].field = dup_str(obj, m[i].key);
}

static int64_t get_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d > -1e15 && d < 1e15)
			return (int64_t)d;
	}
	return 0;
}

static int clamp_int(int64_t v)
{
	if (v < 0)
		return 0;
	if (v > 1000000)
		return 1000000;
	return (int)v;
}

const char *slack_frame_type_name(enum slack_frame_type t)
{
	switch (t) {
	case SLACK_FRAME_HELLO: return "hello";
	case SLACK_FRAME_DISCONNECT: return "disconnect";
	case SLACK_FRAME_SLASH_COMMAND: return "slash_commands";
	case SLACK_FRAME_EVENTS_API: return "events_api";
	case SLACK_FRAME_INTERACTIVE: return "interactive";
	case SLACK_FRAME_OTHER: break;
	}
	return "other";
}

static void interaction_free(struct slack_interaction *in)
{
	if (!in)
		return;
	free(in->action_id);
	free(in->block_id);
	free(in->action_type);
	free(in->value);
	free(in->container_type);
	free(in->message_ts);
	free(in->view_id);
	free(in->callback_id);
	free(in->private_metadata);
	free(in->view_hash);
	for (size_t i = 0; i < in->nvalues; i++) {
		struct slack_view_value *v = &in->values[i];
		free(v->block_id);
		free(v->action_id);
		free(v->type);
		free(v->value);
		strlist_release(&v->selected);
	}
	free(in->values);
	free(in);
}

void slack_frame_release(struct slack_frame *f)
{
	if (!f)
		return;
	interaction_free(f->interaction);
	f->interaction = NULL;
	char **strs[] = {
		&f->type_name, &f->envelope_id, &f->retry_reason, &f->reason,
		&f->command, &f->text, &f->user_id, &f->user_name,
		&f->channel_id, &f->channel_name, &f->team_id, &f->trigger_id,
		&f->response_url, &f->event_id, &f->event_type,
		&f->interactive_type, &f->unreadable,
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	memset(f, 0, sizeof(*f));
}

static int parse_slash(json_t *payload, struct slack_frame *f, char **cause)
{
	if (!json_is_object(payload))
		return fail(cause, "slash command envelope %s has no payload object", f->envelope_id);
	const struct str_member members[] = {
		{ "command", &f->command }, { "text", &f->text },
		{ "user_id", &f->user_id }, { "user_name", &f->user_name },
		{ "channel_id", &f->channel_id }, { "channel_name", &f->channel_name },
		{ "team_id", &f->team_id }, { "trigger_id", &f->trigger_id },
		{ "response_url", &f->response_url },
	};
	dup_members(payload, members, ARRAY_SIZE(members));
	if (!f->text)
		f->text = xstrdup("");
	const char *missing = !f->command ? "command"
		: !f->user_id ? "user_id"
		: !f->channel_id ? "channel_id" : NULL;
	if (missing)
		return fail(cause, "slash command envelope %s has no payload.%s", f->envelope_id, missing);
	return 0;
}

/* obj.key.sub as an owned string, or NULL. */
static char *dup_sub(json_t *obj, const char *key, const char *sub)
{
	json_t *o = json_object_get(obj, key);
	return json_is_object(o) ? dup_str(o, sub) : NULL;
}

/* What one input of a modal holds, by the element's type: value,
 * selected_option.value, selected_date, ... (the first present). */
static void view_value_from(json_t *el, struct slack_view_value *v)
{
	static const char *const plain[] = {
		"value", "selected_date", "selected_time", "selected_date_time", "selected_user",
		"selected_conversation", "selected_channel",
	};
	v->type = dup_str(el, "type");
	for (size_t i = 0; i < ARRAY_SIZE(plain) && !v->value; i++) {
		json_t *x = json_object_get(el, plain[i]);
		if (json_is_string(x))
			v->value = xstrdup(json_string_value(x));
		else if (json_is_integer(x))   /* selected_date_time is a number */
			v->value = xasprintf("%lld", (long long)json_integer_value(x));
	}
	if (!v->value)
		v->value = dup_sub(el, "selected_option", "value");
	static const char *const multi[] = {
		"selected_options", "selected_users", "selected_conversations", "selected_channels",
	};
	for (size_t i = 0; i < ARRAY_SIZE(multi); i++) {
		json_t *arr = json_object_get(el, multi[i]);
		if (!json_is_array(arr))
			continue;
		size_t k;
		json_t *o;
		json_array_foreach(arr, k, o) {
			if (json_is_string(o))
				strlist_push(&v->selected, xstrdup(json_string_value(o)));
			else if (json_is_object(o) && json_is_string(json_object_get(o, "value")))
				strlist_push(&v->selected, dup_str(o, "value"));
		}
	}
}

/* view.state.values {block_id: {action_id: element}} into in->values,
 * at most SLACK_VIEW_VALUES_MAX. */
static void view_values_from(json_t *view, struct slack_interaction *in)
{
	json_t *state = json_object_get(view, "state");
	json_t *values = json_is_object(state) ? json_object_get(state, "values") : NULL;
	if (!json_is_object(values))
		return;
	const char *block_id, *action_id;
	json_t *block, *el;
	json_object_foreach(values, block_id, block) {
		if (!json_is_object(block))
			continue;
		json_object_foreach(block, action_id, el) {
			if (!json_is_object(el) || in->nvalues >= SLACK_VIEW_VALUES_MAX)
				continue;
			in->values = xrealloc(in->values, (in->nvalues + 1) * sizeof(*in->values));
			struct slack_view_value *v = &in->values[in->nvalues++];
			memset(v, 0, sizeof(*v));
			strlist_init(&v->selected);
			v->block_id = xstrdup(block_id);
			v->action_id = xstrdup(action_id);
			view_value_from(el, v);
		}
	}
}

/* payload.type block_actions, view_submission or view_closed. */
static int parse_interactive(json_t *payload, struct slack_frame *f, char **cause)
{
	if (!json_is_object(payload))
		return fail(cause, "interactive envelope %s has no payload object", f->envelope_id);
	f->interactive_type = dup_str(payload, "type");
	const char *type = f->interactive_type ? f->interactive_type : "";
	bool actions = !strcmp(type, "block_actions");
	bool view = !strcmp(type, "view_submission") || !strcmp(type, "view_closed");
	if (!actions && !view)
		return 0;   /* shortcut, message_action, ...: acknowledged, not read */

	struct slack_interaction *in = xcalloc(1, sizeof(*in));
	f->interaction = in;
	f->user_id = dup_sub(payload, "user", "id");
	f->user_name = dup_sub(payload, "user", "username");
	f->team_id = dup_sub(payload, "team", "id");
	f->trigger_id = dup_str(payload, "trigger_id");
	f->response_url = dup_str(payload, "response_url");
	f->channel_id = dup_sub(payload, "channel", "id");
	json_t *container = json_object_get(payload, "container");
	if (json_is_object(container)) {
		in->container_type = dup_str(container, "type");
		in->message_ts = dup_str(container, "message_ts");
		in->is_ephemeral = json_is_true(json_object_get(container, "is_ephemeral"));
		if (!f->channel_id)
			f->channel_id = dup_str(container, "channel_id");
	}
	json_t *v = json_object_get(payload, "view");
	if (json_is_object(v)) {
		in->view_id = dup_str(v, "id");
		in->callback_id = dup_str(v, "callback_id");
		in->private_metadata = dup_str(v, "private_metadata");
		in->view_hash = dup_str(v, "hash");
		if (!strcmp(type, "view_submission"))
			view_values_from(v, in);
	}
	if (!f->user_id)
		return fail(cause, "interactive envelope %s (%s) has no payload.user.id", f->envelope_id, type);
	if (actions) {
		json_t *list = json_object_get(payload, "actions");
		json_t *a = json_is_array(list) ? json_array_get(list, 0) : NULL;
		if (json_is_object(a)) {
			in->action_id = dup_str(a, "action_id");
			in->block_id = dup_str(a, "block_id");
			in->action_type = dup_str(a, "type");
			in->value = dup_str(a, "value");
		}
		if (!in->action_id)
			return fail(cause, "interactive envelope %s (block_actions) has no payload.actions[0].action_id",
				    f->envelope_id);
	} else if (!in->view_id) {
		return fail(cause, "interactive envelope %s (%s) has no payload.view.id", f->envelope_id, type);
	}
	return 0;
}

/* The fields of a parsed frame from its JSON tree. */
static int frame_from_tree(json_t *root, struct slack_frame *f, char **cause)
{
	if (!json_is_object(root))
		return fail(cause, "frame is not a JSON object");
	f->type_name = dup_str(root, "type");
	f->envelope_id = dup_str(root, "envelope_id");
	f->retry_attempt = clamp_int(get_int(root, "retry_attempt"));
	f->retry_reason = dup_str(root, "retry_reason");
	f->accepts_response_payload = json_is_true(json_object_get(root, "accepts_response_payload"));

	const char *type = f->type_name ? f->type_name : "";
	json_t *payload = json_object_get(root, "payload");
	if (!strcmp(type, "hello")) {
		f->type = SLACK_FRAME_HELLO;
		f->num_connections = clamp_int(get_int(root, "num_connections"));
		json_t *dbg = json_object_get(root, "debug_info");
		if (json_is_object(dbg))
			f->approximate_connection_time = get_int(dbg, "approximate_connection_time");
		return 0;
	}
	if (!strcmp(type, "disconnect")) {
		f->type = SLACK_FRAME_DISCONNECT;
		f->reason = dup_str(root, "reason");
		if (!f->reason)
			f->reason = xstrdup("");
		return 0;
	}
	if (!strcmp(type, "slash_commands"))
		f->type = SLACK_FRAME_SLASH_COMMAND;
	else if (!strcmp(type, "events_api"))
		f->type = SLACK_FRAME_EVENTS_API;
	else if (!strcmp(type, "interactive"))
		f->type = SLACK_FRAME_INTERACTIVE;
	else
		f->type = SLACK_FRAME_OTHER;

	if (f->type != SLACK_FRAME_OTHER && !f->envelope_id)
		return fail(cause, "%s envelope has no envelope_id", type);
	switch (f->type) {
	case SLACK_FRAME_SLASH_COMMAND:
		return parse_slash(payload, f, cause);
	case SLACK_FRAME_EVENTS_API:
		if (json_is_object(payload)) {
			f->event_id = dup_str(payload, "event_id");
			json_t *ev = json_object_get(payload, "event");
			if (json_is_object(ev))
				f->event_type = dup_str(ev, "type");
		}
		break;
	case SLACK_FRAME_INTERACTIVE:
		return parse_interactive(payload, f, cause);
	default:
		break;
	}
	return 0;
}

/* ---- recovery of frames jansson rejects whole ---- */

/* What a repair replaced: the first instance of each kind, in words. */
struct repair {
	char *nul;          /* "\u0000" */
	char *surrogate;    /* "\ud800" as sent */
	char *bad_utf8;     /* "0xff" */
	char *control;      /* "0x01" */
	char *escape;       /* "\q" or "\ followed by 0x80" */
};

static void repair_release(struct repair *r)
{
	free(r->nul);
	free(r->surrogate);
	free(r->bad_utf8);
	free(r->control);
	free(r->escape);
	memset(r, 0, sizeof(*r));
}

static void note_first(char **slot, char *words)
{
	if (*slot)
		free(words);
	else
		*slot = words;
}

/* Value of 4 hex digits at p, or -1. */
static long hex4(const char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static const char replacement[] = "\\uFFFD";   /* U+FFFD as a JSON escape */

/* One escape at s[i] == '\\' inside a string (n bytes in all): appended
 * to out as it is, or as U+FFFD when JSON or jansson cannot take it.
 * Returns the bytes consumed. */
static size_t repair_escape(const char *s, size_t i, size_t n, struct strbuf *out, struct repair *r)
{
	if (i + 1 >= n) {
		strbuf_addc(out, '\\');   /* the document ends inside a string: left to jansson */
		return 1;
	}
	char e = s[i + 1];
	if (e && strchr("\"\\/bfnrt", e)) {
		strbuf_add(out, s + i, 2);
		return 2;
	}
	if (e != 'u' || i + 6 > n || hex4(s + i + 2) < 0) {
		unsigned char c = (unsigned char)e;
		note_first(&r->escape, c > 0x20 && c < 0x7f ? xasprintf("\\%c", c)
			   : xasprintf("\\ followed by byte 0x%02x", c));
		strbuf_adds(out, replacement);
		return 2;
	}
	long cp = hex4(s + i + 2);
	if (cp == 0) {
		note_first(&r->nul, xstrndup(s + i, 6));
		strbuf_adds(out, replacement);
		return 6;
	}
	if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u') {
		long lo = hex4(s + i + 8);
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			strbuf_add(out, s + i, 12);   /* a whole pair */
			return 12;
		}
	}
	if (cp >= 0xD800 && cp <= 0xDFFF) {
		note_first(&r->surrogate, xstrndup(s + i, 6));
		strbuf_adds(out, replacement);
		return 6;
	}
	strbuf_add(out, s + i, 6);
	return 6;
}

/*
 * A copy of the n bytes at s in which every piece inside a JSON string
 * that jansson would reject the whole document for becomes U+FFFD; r says
 * what was replaced. Bytes outside strings are copied as they are.
 */
static void repair_frame(const char *s, size_t n, struct strbuf *out, struct repair *r)
{
	bool in_string = false;
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!in_string) {
			in_string = c == '"';
			strbuf_addc(out, (char)c);
			i++;
		} else if (c == '"') {
			in_string = false;
			strbuf_addc(out, '"');
			i++;
		} else if (c == '\\') {
			i += repair_escape(s, i, n, out, r);
		} else if (c < 0x20) {
			note_first(&r->control, xasprintf("0x%02x", c));
			strbuf_adds(out, replacement);
			i++;
		} else {
			size_t len = utf8_seq_len((const unsigned char *)s + i, n - i);
			if (len == 0) {
				note_first(&r->bad_utf8, xasprintf("0x%02x", c));
				strbuf_adds(out, replacement);
				i++;
			} else {
				strbuf_add(out, s + i, len);
				i += len;
			}
		}
	}
}

/* What the repair replaced, in words for the person. Caller frees. */
static char *repair_words(const struct repair *r)
{
	struct strbuf sb;
	strbuf_init(&sb);
	const char *sep = "it contains ";
	if (r->nul) {
		strbuf_addf(&sb, "%sa character Slack sent as %s", sep, r->nul);
		sep = ", and ";
	}
	if (r->surrogate) {
		strbuf_addf(&sb, "%sa character Slack sent as %s (half of a UTF-16 pair)", sep, r->surrogate);
		sep = ", and ";
	}
	if (r->bad_utf8) {
		strbuf_addf(&sb, "%sbytes that are not UTF-8 (%s)", sep, r->bad_utf8);
		sep = ", and ";
	}
	if (r->control) {
		strbuf_addf(&sb, "%sa raw control character (%s)", sep, r->control);
		sep = ", and ";
	}
	if (r->escape)
		strbuf_addf(&sb, "%san escape JSON does not allow (%s)", sep, r->escape);
	return strbuf_detach(&sb);
}

int slack_frame_parse(const char *data, size_t len, struct slack_frame *f, char **cause)
{
	memset(f, 0, sizeof(*f));
	json_error_t jerr;
	json_t *root = json_loadb(data, len, 0, &jerr);
	if (root) {
		int rc = frame_from_tree(root, f, cause);
		json_decref(root);
		if (rc < 0 && f->envelope_id)
			f->unreadable = xstrdup("it lacks a field Slack always sends");
		return rc;
	}
	/* Read it again with what cannot be read replaced, so the envelope
	 * is still acknowledged and the person told. */
	struct strbuf fixed;
	struct repair r;
	strbuf_init(&fixed);
	memset(&r, 0, sizeof(r));
	repair_frame(data, len, &fixed, &r);
	json_error_t jerr2;
	root = (r.nul || r.surrogate || r.bad_utf8 || r.control || r.escape)
		? json_loadb(fixed.buf, fixed.len, 0, &jerr2) : NULL;
	if (root) {
		frame_from_tree(root, f, NULL);
		if (f->envelope_id) {
			free(f->unreadable);
			f->unreadable = repair_words(&r);
		}
		json_decref(root);
	}
	strbuf_release(&fixed);
	repair_release(&r);
	return fail(cause, "frame is not JSON: %s at byte %d", jerr.text, jerr.position);
}

char *slack_frame_unreadable_reply(const struct slack_frame *f)
{
	if (f->type != SLACK_FRAME_SLASH_COMMAND)
		return NULL;
	return xasprintf("Sorry, I could not read that command (%s). Please type it again.",
			 f->unreadable ? f->unreadable : "Slack sent it in a form I cannot read");
}

/* ---- writing ---- */

char *slack_json_dump(json_t *root)
{
	char *s = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(root);
	if (!s)
		abort();
	char *out = xstrdup(s);
	free(s);
	return out;
}

/* A JSON string from text that may not be valid UTF-8: bad bytes become
 * U+FFFD so a message is never lost to one stray byte. */
static json_t *json_text(const char *text)
{
	if (!text)
		text = "";
	json_t *s = json_string(text);
	if (s)
		return s;
	struct strbuf sb;
	strbuf_init(&sb);
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		size_t n = 0;
		if (*p < 0x80)
			n = 1;
		else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
			n = 2;
		else if ((*p & 0xF0) == 0xE0)
			n = 3;
		else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
			n = 4;
		bool okseq = n > 0;
		for (size_t i = 1; okseq && i < n; i++)
			okseq = (p[i] & 0xC0) == 0x80;
		if (okseq && n > 1) {
			json_t *probe = json_stringn((const char *)p, n);
			okseq = probe != NULL;
			json_decref(probe);
		}
		if (okseq) {
			strbuf_add(&sb, p, n);
			p += n;
		} else {
			strbuf_adds(&sb, "\xEF\xBF\xBD");
			p++;
		}
	}
	s = json_string(sb.buf);
	strbuf_release(&sb);
	return s ? s : json_string("");
}

static json_t *prepared_text(const char *text)
{
	char *t = slack_text_prepare(text, SLACK_TEXT_MAX);
	json_t *j = json_text(t);
	free(t);
	return j;
}

char *slack_json_ack(const char *envelope_id, const char *text)
{
	json_t *root = json_object();
	json_object_set_new(root, "envelope_id", json_text(envelope_id));
	if (text) {
		json_t *payload = json_object();
		json_object_set_new(payload, "text", prepared_text(text));
		json_object_set_new(payload, "response_type", json_string("ephemeral"));
		json_object_set_new(root, "payload", payload);
	}
	return slack_json_dump(root);
}

char *slack_json_valid_utf8(const char *text)
{
	json_t *j = json_text(text);
	char *out = xstrdup(json_string_value(j));
	json_decref(j);
	return out;
}

/* The blocks array in JSON text, or NULL when absent or not an array. */
static json_t *blocks_from(const char *blocks)
{
	if (!blocks)
		return NULL;
	json_t *b = json_loads(blocks, 0, NULL);
	if (json_is_array(b))
		return b;
	json_decref(b);
	return NULL;
}

char *slack_json_ack_blocks(const char *envelope_id, const char *text, const char *blocks)
{
	json_t *b = blocks_from(blocks);
	if (!b || !text) {
		json_decref(b);
		return slack_json_ack(envelope_id, text);
	}
	json_t *root = json_object();
	json_object_set_new(root, "envelope_id", json_text(envelope_id));
	json_t *payload = json_object();
	json_object_set_new(payload, "text", prepared_text(text));
	json_object_set_new(payload, "blocks", b);
	json_object_set_new(payload, "response_type", json_string("ephemeral"));
	json_object_set_new(root, "payload", payload);
	return slack_json_dump(root);
}

char *slack_json_response_blocks(const char *text, const char *blocks, bool replace_original)
{
	json_t *root = json_object();
	json_object_set_new(root, "text", prepared_text(text));
	json_t *b = blocks_from(blocks);
	if (b)
		json_object_set_new(root, "blocks", b);
	json_object_set_new(root, "response_type", json_string("ephemeral"));
	json_object_set_new(root, "replace_original", json_boolean(replace_original));
	return slack_json_dump(root);
}

char *slack_json_post_ephemeral_blocks(const char *channel, const char *user, const char *text,
				       const char *blocks)
{
	json_t *root = json_object();
	json_object_set_new(root, "channel", json_text(channel));
	json_object_set_new(root, "user", json_text(user));
	json_object_set_new(root, "text", prepared_text(text));
	json_t *b = blocks_from(blocks);
	if (b)
		json_object_set_new(root, "blocks", b);
	return slack_json_dump(root);
}

char *slack_json_post_message(const char *channel, const char *text)
{
	json_t *root = json_object();
	json_object_set_new(root, "channel", json_text(channel));
	json_object_set_new(root, "text", prepared_text(text));
	return slack_json_dump(root);
}

char *slack_json_post_ephemeral(const char *channel, const char *user, const char *text)
{
	json_t *root = json_object();
	json_object_set_new(root, "channel", json_text(channel));
	json_object_set_new(root, "user", json_text(user));
	json_object_set_new(root, "text", prepared_text(text));
	return slack_json_dump(root);
}

char *slack_json_response(const char *text)
{
	json_t *root = json_object();
	json_object_set_new(root, "text", prepared_text(text));
	json_object_set_new(root, "response_type", json_string("ephemeral"));
	json_object_set_new(root, "replace_original", json_false());
	return slack_json_dump(root);
}

char *slack_json_get_upload_url(const char *filename, int64_t length)
{
	json_t *root = json_object();
	json_object_set_new(root, "filename", json_text(filename));
	json_object_set_new(root, "length", json_integer((json_int_t)length));
	return slack_json_dump(root);
}

char *slack_json_complete_upload(const char *file_id, const char *title,
				 const char *channel_id, const char *initial_comment)
{
	json_t *root = json_object();
	json_t *files = json_array();
	json_t *file = json_object();
	json_object_set_new(file, "id", json_text(file_id));
	json_object_set_new(file, "title", json_text(title ? title : file_id));
	json_array_append_new(files, file);
	json_object_set_new(root, "files", files);
	if (channel_id)
		json_object_set_new(root, "channel_id", json_text(channel_id));
	if (initial_comment)
		json_object_set_new(root, "initial_comment", prepared_text(initial_comment));
	return slack_json_dump(root);
}

char *slack_json_post_blocks(const char *channel, const char *text, json_t *blocks,
			     const char *thread_ts)
{
	json_t *root = json_object();
	json_object_set_new(root, "channel", json_text(channel));
	json_object_set_new(root, "text", prepared_text(text));
	if (blocks)
		json_object_set(root, "blocks", blocks);
	if (thread_ts)
		json_object_set_new(root, "thread_ts", json_text(thread_ts));
	return slack_json_dump(root);
}

char *slack_json_complete_upload_blocks(const char *file_id, const char *title,
					const char *channel_id, json_t *blocks,
					const char *thread_ts)
{
	char *plain = slack_json_complete_upload(file_id, title, channel_id, NULL);
	json_t *root = json_loads(plain, 0, NULL);
	free(plain);
	if (!root)
		abort();
	if (blocks)
		json_object_set(root, "blocks", blocks);
	if (thread_ts)
		json_object_set_new(root, "thread_ts", json_text(thread_ts));
	return slack_json_dump(root);
}

/* ---- responses ---- */

void slack_response_release(struct slack_response *r)
{
	if (!r)
		return;
	free(r->error);
	free(r->warning);
	free(r->detail);
	free(r->needed);
	free(r->url);
	free(r->upload_url);
	free(r->file_id);
	free(r->user_id);
	free(r->user);
	free(r->team);
	free(r->ts);
	free(r->permalink);
	strlist_release(&r->users);
	memset(r, 0, sizeof(*r));
}

int slack_response_parse(const char *data, size_t len, struct slack_response *r, char **cause)
{
	memset(r, 0, sizeof(*r));
	json_error_t jerr;
	json_t *root = json_loadb(data, len, 0, &jerr);
	if (!root)
		return fail(cause, "Slack's answer is not JSON (%s)", jerr.text);
	int rc = 0;
	json_t *ok = json_object_get(root, "ok");
	if (!json_is_object(root) || !json_is_boolean(ok)) {
		rc = fail(cause, "Slack's answer has no \"ok\" field");
		goto out;
	}
	r->ok = json_is_true(ok);
	const struct str_member members[] = {
		{ "error", &r->error }, { "warning", &r->warning }, { "needed", &r->needed },
		{ "url", &r->url }, { "upload_url", &r->upload_url }, { "file_id", &r->file_id },
		{ "user_id", &r->user_id }, { "user", &r->user }, { "team", &r->team },
		{ "ts", &r->ts },
	};
	dup_members(root, members, ARRAY_SIZE(members));
	r->permalink = dup_str(root, "permalink");
	json_t *files = json_object_get(root, "files");
	json_t *file0 = json_is_array(files) ? json_array_get(files, 0) : NULL;
	if (!r->permalink && json_is_object(file0))
		r->permalink = dup_str(file0, "permalink");
	strlist_init(&r->users);
	json_t *users = json_object_get(root, "users");
	if (json_is_array(users)) {
		size_t i;
		json_t *u;
		json_array_foreach(users, i, u)
			if (json_is_string(u))
				strlist_push(&r->users, xstrdup(json_string_value(u)));
	}
	if (!r->ok && !r->error)
		r->error = xstrdup("unknown_error");
	json_t *meta = json_object_get(root, "response_metadata");
	json_t *msgs = json_is_object(meta) ? json_object_get(meta, "messages") : NULL;
	if (json_is_array(msgs) && json_array_size(msgs) > 0) {
		struct strbuf sb;
		strbuf_init(&sb);
		size_t i;
		json_t *m;
		json_array_foreach(msgs, i, m) {
			if (!json_is_string(m))
				continue;
			if (sb.len)
				strbuf_adds(&sb, "; ");
			strbuf_adds(&sb, json_string_value(m));
		}
		r->detail = strbuf_detach(&sb);
	}
out:
	json_decref(root);
	return rc;
}

static const struct {
	const char *code;
	const char *words;
} error_words[] = {
	{ "not_in_channel", "invite @reportbot to this channel (/invite @reportbot), then try again" },
	{ "channel_not_found", "the channel was not found, or the bot cannot see it; invite @reportbot to it" },
	{ "is_archived", "the channel is archived" },
	{ "invalid_auth", "the bot token is not valid" },
	{ "not_authed", "no token was sent to Slack; set SLACK_BOT_TOKEN and SLACK_APP_TOKEN" },
	{ "token_revoked", "the token has been revoked; install the app again and use the new token" },
	{ "token_expired", "the token has expired" },
	{ "account_inactive", "the token belongs to a deleted user or a disabled app" },
	{ "missing_scope", "the app lacks a permission (scope)" },
	{ "no_such_subteam", "there is no such Slack user group (check the S… id in [access.groups])" },
	{ "plan_upgrade_required", "this Slack workspace's plan has no user groups" },
	{ "no_permission", "the app lacks the permission to do this" },
	{ "ratelimited", "Slack is rate limiting the bot; try again in a minute" },
	{ "rate_limited", "the bot posted too many messages; try again in a minute" },
	{ "msg_too_long", "the message is too long for Slack" },
	{ "user_not_in_channel", "you are not a member of this channel" },
	{ "file_uploads_disabled", "file uploads are disabled in this workspace" },
	{ "file_upload_size_restricted", "the file is larger than this workspace allows" },
	{ "storage_limit_reached", "the workspace has reached its file storage limit" },
	{ "file_not_found", "Slack lost the uploaded file; run the report again" },
	{ "missing_argument", "Slack refused the upload (the file may be empty)" },
	{ "team_disabled", "the workspace is disabled" },
	{ "user_removed_from_team", "the bot was removed from the workspace" },
	{ "missing_args", "the app-level token (SLACK_APP_TOKEN, xapp-...) is missing" },
	{ "not_allowed_token_type", "a token of the wrong kind was used: SLACK_APP_TOKEN must be an xapp- token, SLACK_BOT_TOKEN an xoxb- token" },
	{ "internal_error", "Slack had an internal error; try again" },
	{ "fatal_error", "Slack had an internal error; try again" },
	{ "service_unavailable", "Slack is unavailable right now; try again" },
	{ "request_timeout", "Slack timed out; try again" },
};

char *slack_error_words(const char *error, const char *needed)
{
	if (!error)
		error = "unknown_error";
	for (size_t i = 0; i < ARRAY_SIZE(error_words); i++) {
		if (strcmp(error, error_words[i].code))
			continue;
		if (!strcmp(error, "missing_scope") && needed)
			return xasprintf("%s: add %s in the app's OAuth settings and reinstall", error_words[i].words, needed);
		return xstrdup(error_words[i].words);
	}
	return xasprintf("Slack answered %s", error);
}

bool slack_error_is_auth(const char *error)
{
	static const char *const codes[] = {
		"invalid_auth", "not_authed", "token_revoked", "token_expired",
		"account_inactive", "team_disabled", "user_removed_from_team",
		"missing_args", "not_allowed_token_type",
	};
	if (!error)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (!strcmp(error, codes[i]))
			return true;
	return false;
}

char *slack_text_unescape(const char *text)
{
	static const struct {
		const char *entity;
		char c;
	} entities[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' } };
	size_t n = strlen(text);
	char *out = xmalloc(n + 1), *o = out;
	const char *p = text;

	while (*p) {
		/* <#C0123|general> or <#C0123> -> C0123 */
		if (p[0] == '<' && p[1] == '#') {
			const char *end = strchr(p, '>');
			if (end) {
				const char *bar = memchr(p, '|', (size_t)(end - p));
				const char *stop = bar ? bar : end;
				memcpy(o, p + 2, (size_t)(stop - p - 2));
				o += stop - p - 2;
				p = end + 1;
				continue;
			}
		}
		size_t i;
		for (i = 0; i < ARRAY_SIZE(entities); i++) {
			size_t len = strlen(entities[i].entity);
			if (strncmp(p, entities[i].entity, len) == 0) {
				*o++ = entities[i].c;
				p += len;
				break;
			}
		}
		if (i == ARRAY_SIZE(entities))
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}
