/*
 * slack-view-json.h: the interactive envelopes a modal form needs, as
 * structs, and the ack that carries a payload (no I/O; unit-tested and
 * fuzzed with the other Slack JSON).
 *
 *  - `block_actions` from a view (a select with dispatch_action) and
 *    `view_submission` / `view_closed`: who, which view (id, hash,
 *    private_metadata) and the values of its input blocks
 *    (`view.state.values`, https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload);
 *  - {"envelope_id":…,"payload":{…}} for a `response_action` answer.
 *
 * Strings in a parsed struct are owned by it; slack_form_event_release
 * frees them (a zeroed struct is fine). Builders return caller-owned text.
 */
#ifndef SLACK_VIEW_JSON_H
#define SLACK_VIEW_JSON_H

#include "common.h"

enum slack_form_event_type {
	SLACK_FORM_EVENT_OTHER,
	SLACK_FORM_EVENT_BLOCK_ACTIONS,
	SLACK_FORM_EVENT_VIEW_SUBMISSION,
	SLACK_FORM_EVENT_VIEW_CLOSED,
};

/* One element of view.state.values: values[block_id][action_id]. */
struct slack_form_value {
	char *block_id;
	char *action_id;
	char *type;                 /* "plain_text_input", "datepicker", ... */
	struct strlist values;      /* value, selected_date, selected_option.value or
	                             * every selected_options[].value; empty when the
	                             * person left it empty (null) */
};

struct slack_form_event {
	enum slack_form_event_type type;
	char *type_name;            /* payload.type as sent */
	char *user_id;              /* payload.user.id */
	char *trigger_id;
	char *view_id;              /* payload.view.id */
	char *view_hash;            /* payload.view.hash */
	char *callback_id;          /* payload.view.callback_id */
	char *private_metadata;     /* payload.view.private_metadata */
	struct slack_form_value *values;   /* payload.view.state.values, flattened */
	size_t nvalues;
	/* block_actions: the first action */
	char *action_id;
	char *block_id;
	char *action_value;         /* selected_option.value, selected_date or value */
};

/* Parse the interactive envelope frame (the whole Socket Mode text frame).
 * -1 with *cause when it is not an object with an object payload, or a
 * view interaction lacks its view.id. Release in every case. */
int slack_form_event_parse(const char *data, size_t len, struct slack_form_event *in, char **cause);
void slack_form_event_release(struct slack_form_event *in);

/* The state value of block_id (any action), or NULL; borrowed. */
const struct slack_form_value *slack_interaction_value(const struct slack_form_event *in,
						       const char *block_id);

/* {"envelope_id":ID} with "payload":PAYLOAD when payload_json (a JSON
 * object as text) is not NULL; NULL when payload_json is not an object. */
char *slack_view_ack(const char *envelope_id, const char *payload_json);

#endif
