/*
 * slack-view-json.c: interactive envelopes of modal forms, and acks with a
 * payload (bot/slack-view-json.h).
 */
#include "common.h"
#include "bot/slack-view-json.h"

#include <jansson.h>

#include "bot/slack-json.h"

static char *dup_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? xstrdup(s) : NULL;
}

static const char *enum_names[] = { "block_actions", "view_submission", "view_closed" };

/* Every value of one state element into v. */
static void element_values(json_t *el, struct slack_form_value *v)
{
	v->type = dup_str(el, "type");
	const char *s;
	if ((s = json_string_value(json_object_get(el, "value"))) && *s)
		strlist_push(&v->values, xstrdup(s));
	if ((s = json_string_value(json_object_get(el, "selected_date"))) && *s)
		strlist_push(&v->values, xstrdup(s));
	json_t *opt = json_object_get(el, "selected_option");
	if (json_is_object(opt) && (s = json_string_value(json_object_get(opt, "value"))))
		strlist_push(&v->values, xstrdup(s));
	json_t *opts = json_object_get(el, "selected_options");
	size_t i;
	json_t *o;
	json_array_foreach(opts, i, o)
		if ((s = json_string_value(json_object_get(o, "value"))))
			strlist_push(&v->values, xstrdup(s));
}

static void state_values(json_t *values, struct slack_form_event *in)
{
	const char *block_id, *action_id;
	json_t *block, *el;
	if (!json_is_object(values))
		return;
	json_object_foreach(values, block_id, block) {
		if (!json_is_object(block))
			continue;
		json_object_foreach(block, action_id, el) {
			if (!json_is_object(el))
				continue;
			in->values = xrealloc(in->values, (in->nvalues + 1) * sizeof(*in->values));
			struct slack_form_value *v = &in->values[in->nvalues++];
			memset(v, 0, sizeof(*v));
			strlist_init(&v->values);
			v->block_id = xstrdup(block_id);
			v->action_id = xstrdup(action_id);
			element_values(el, v);
		}
	}
}

int slack_form_event_parse(const char *data, size_t len, struct slack_form_event *in, char **cause)
{
	memset(in, 0, sizeof(*in));
	json_error_t err;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (!root)
		return fail(cause, "interactive envelope is not JSON: %s (line %d)", err.text, err.line);
	int rc = 0;
	json_t *payload = json_object_get(root, "payload");
	if (!json_is_object(payload)) {
		rc = fail(cause, "interactive envelope has no payload object");
		goto out;
	}
	in->type_name = dup_str(payload, "type");
	for (size_t i = 0; in->type_name && i < ARRAY_SIZE(enum_names); i++)
		if (!strcmp(in->type_name, enum_names[i]))
			in->type = (enum slack_form_event_type)(i + 1);
	json_t *user = json_object_get(payload, "user");
	if (json_is_object(user))
		in->user_id = dup_str(user, "id");
	in->trigger_id = dup_str(payload, "trigger_id");
	json_t *view = json_object_get(payload, "view");
	if (json_is_object(view)) {
		in->view_id = dup_str(view, "id");
		in->view_hash = dup_str(view, "hash");
		in->callback_id = dup_str(view, "callback_id");
		in->private_metadata = dup_str(view, "private_metadata");
		json_t *state = json_object_get(view, "state");
		if (json_is_object(state))
			state_values(json_object_get(state, "values"), in);
	}
	json_t *action = json_array_get(json_object_get(payload, "actions"), 0);
	if (json_is_object(action)) {
		in->action_id = dup_str(action, "action_id");
		in->block_id = dup_str(action, "block_id");
		const char *s;
		json_t *opt = json_object_get(action, "selected_option");
		if (json_is_object(opt) && (s = json_string_value(json_object_get(opt, "value"))))
			in->action_value = xstrdup(s);
		else if ((s = json_string_value(json_object_get(action, "selected_date"))))
			in->action_value = xstrdup(s);
		else
			in->action_value = dup_str(action, "value");
	}
	if (!in->user_id)
		rc = fail(cause, "%s payload has no user.id", in->type_name ? in->type_name : "interactive");
	else if ((in->type == SLACK_FORM_EVENT_VIEW_SUBMISSION || in->type == SLACK_FORM_EVENT_VIEW_CLOSED) &&
		 !in->view_id)
		rc = fail(cause, "%s payload has no view.id", in->type_name);
out:
	json_decref(root);
	return rc;
}

void slack_form_event_release(struct slack_form_event *in)
{
	if (!in)
		return;
	free(in->type_name);
	free(in->user_id);
	free(in->trigger_id);
	free(in->view_id);
	free(in->view_hash);
	free(in->callback_id);
	free(in->private_metadata);
	for (size_t i = 0; i < in->nvalues; i++) {
		free(in->values[i].block_id);
		free(in->values[i].action_id);
		free(in->values[i].type);
		strlist_release(&in->values[i].values);
	}
	free(in->values);
	free(in->action_id);
	free(in->block_id);
	free(in->action_value);
	memset(in, 0, sizeof(*in));
}

const struct slack_form_value *slack_interaction_value(const struct slack_form_event *in,
						       const char *block_id)
{
	for (size_t i = 0; i < in->nvalues; i++)
		if (!strcmp(in->values[i].block_id, block_id))
			return &in->values[i];
	return NULL;
}

char *slack_view_ack(const char *envelope_id, const char *payload_json)
{
	json_t *root = json_object();
	json_object_set_new(root, "envelope_id", json_string(envelope_id ? envelope_id : ""));
	if (payload_json) {
		json_t *p = json_loads(payload_json, 0, NULL);
		if (!json_is_object(p)) {
			json_decref(p);
			json_decref(root);
			return NULL;
		}
		json_object_set_new(root, "payload", p);
	}
	return slack_json_dump(root);
}
