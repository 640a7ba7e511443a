/*
 * slack-json.h: the JSON of Slack, with no I/O, so unit tests and the
 * fuzzer reach all of it.
 *
 *  - Socket Mode frames (hello, disconnect, envelopes) -> struct slack_frame
 *  - the acknowledgement of an envelope
 *  - request bodies for the Web API methods the bot calls
 *  - Web API responses -> struct slack_response, errors -> plain words
 *
 * Every string in a parsed struct is owned by it and freed by its
 * *_release function (which accepts a zeroed struct). Every char *
 * returned by a builder belongs to the caller.
 */
#ifndef SLACK_JSON_H
#define SLACK_JSON_H

#include "common.h"
#include "bot/slack-text.h"   /* slack_text_prepare */

#include <jansson.h>

/* Longest message text we send; Slack asks for at most 4,000 characters. */
#define SLACK_TEXT_MAX 3900

enum slack_frame_type {
	SLACK_FRAME_OTHER,           /* valid JSON, a type we do not handle */
	SLACK_FRAME_HELLO,
	SLACK_FRAME_DISCONNECT,
	SLACK_FRAME_SLASH_COMMAND,   /* envelope type "slash_commands" */
	SLACK_FRAME_EVENTS_API,      /* envelope type "events_api" */
	SLACK_FRAME_INTERACTIVE,     /* envelope type "interactive" */
};

/* One input of a submitted modal (view.state.values), flattened. */
struct slack_view_value {
	char *block_id;
	char *action_id;
	char *type;                  /* "plain_text_input", "static_select", ... */
	char *value;                 /* value, selected_option.value, selected_date,
	                              * selected_time, selected_user, ...; NULL when none */
	struct strlist selected;     /* multi selects: each selected value */
};

#define SLACK_VIEW_VALUES_MAX 100   /* a modal holds at most 100 blocks */

/* What an interactive envelope adds (payload.type block_actions,
 * view_submission or view_closed). Owned by its frame. */
struct slack_interaction {
	/* block_actions: the first of actions[] (a click sends one) */
	char *action_id;             /* never NULL for block_actions */
	char *block_id;
	char *action_type;           /* "button", ... */
	char *value;                 /* the button's value, NULL when none */
	/* where the element was: container */
	char *container_type;        /* "message", "view", "message_attachment" */
	char *message_ts;            /* container.message_ts */
	bool is_ephemeral;           /* container.is_ephemeral */
	/* view_submission, view_closed, and block_actions in a modal */
	char *view_id;               /* never NULL for view_submission / view_closed */
	char *callback_id;
	char *private_metadata;
	char *view_hash;
	struct slack_view_value *values;   /* view_submission: state.values */
	size_t nvalues;
};

struct slack_frame {
	enum slack_frame_type type;
	char *type_name;             /* "type" as sent, or NULL */

	/* envelopes (any frame with an envelope_id) */
	char *envelope_id;           /* NULL when absent */
	int retry_attempt;           /* 0 when absent */
	char *retry_reason;
	bool accepts_response_payload;

	/* hello */
	int num_connections;
	int64_t approximate_connection_time;   /* seconds, 0 when absent */

	/* disconnect */
	char *reason;                /* "refresh_requested", "warning", ... */

	/* slash_commands payload */
	char *command;               /* "/report" */
	char *text;                  /* what the person typed after it; "" if absent */
	char *user_id;
	char *user_name;
	char *channel_id;
	char *channel_name;
	char *team_id;
	char *trigger_id;
	char *response_url;

	/* events_api payload */
	char *event_id;
	char *event_type;            /* payload.event.type */

	/* interactive payload: payload.type, and for block_actions,
	 * view_submission and view_closed the fields below, with user_id,
	 * user_name, team_id, trigger_id and response_url above filled from
	 * payload.user.id, .user.username, .team.id, .trigger_id and
	 * .response_url, and channel_id from payload.channel.id (else
	 * container.channel_id; NULL in a modal) */
	char *interactive_type;      /* "block_actions", "view_submission", ... */
	struct slack_interaction *interaction;   /* NULL unless one of those three */

	/* Set when the frame could not be read whole (parse returned -1) but
	 * its envelope_id was recovered: what was wrong, in words for the
	 * person ("it contains a character Slack sent as \u0000"). */
	char *unreadable;
};

/*
 * Parse one Socket Mode text frame. Returns -1 with *cause when data is
 * not a JSON object, or when an envelope lacks what its type needs
 * (envelope_id always; command, user_id and channel_id for a slash
 * command; a payload object for an interactive envelope, and
 * payload.user.id with, for block_actions, actions[0].action_id, for
 * view_submission and view_closed, view.id). A frame that fails may still have f->envelope_id set, so
 * the caller can acknowledge it anyway; release f in every case.
 *
 * A frame jansson rejects whole for what is inside a string (\u0000, a
 * lone surrogate such as \ud800, bytes that are not UTF-8, a raw control
 * character, an unknown escape) is read again with each such piece
 * replaced by U+FFFD: it still returns -1, with every field recovered
 * and f->unreadable saying what was replaced.
 */
int slack_frame_parse(const char *data, size_t len, struct slack_frame *f, char **cause);

/* The ack text for a frame that failed to parse but has an envelope_id:
 * for a slash command, "Sorry, I could not read that command (WHY). …";
 * NULL for other types (they are acknowledged without a payload). Caller
 * frees. */
char *slack_frame_unreadable_reply(const struct slack_frame *f);
void slack_frame_release(struct slack_frame *f);
const char *slack_frame_type_name(enum slack_frame_type t);

/*
 * The acknowledgement of an envelope: {"envelope_id":ID} and, when text is
 * not NULL, "payload":{"text":TEXT,"response_type":"ephemeral"}. Text is
 * escaped for Slack (&, <, >; bot/slack-text.h) and cut at SLACK_TEXT_MAX.
 */
char *slack_json_ack(const char *envelope_id, const char *text);
/* The same with "blocks" too: blocks is the JSON text of a blocks array
 * (bot/slack-actions.h makes them); NULL or unreadable leaves it out. */
char *slack_json_ack_blocks(const char *envelope_id, const char *text, const char *blocks);

/* Request bodies. Text arguments are prepared with slack_text_prepare. */
char *slack_json_post_message(const char *channel, const char *text);
char *slack_json_post_ephemeral(const char *channel, const char *user, const char *text);
/* {"text":TEXT,"response_type":"ephemeral","replace_original":false}: a
 * message posted to a slash command's response_url. */
char *slack_json_response(const char *text);
/* A message to a response_url with blocks (JSON text of an array, or
 * NULL): {"text","blocks","response_type":"ephemeral","replace_original"}.
 * With replace_original the message the response_url belongs to (the
 * ephemeral ack of a slash command, the message a button was on) is
 * replaced. */
char *slack_json_response_blocks(const char *text, const char *blocks, bool replace_original);
/* chat.postEphemeral with blocks (JSON text of an array, or NULL). */
char *slack_json_post_ephemeral_blocks(const char *channel, const char *user, const char *text,
				       const char *blocks);
/* Serializes and frees root (taken); the result is plain ASCII JSON, owned
 * by the caller. Aborts when out of memory. */
char *slack_json_dump(json_t *root);
/* text as it may sit in a JSON string: bytes that are not UTF-8 become
 * U+FFFD. Caller frees. */
char *slack_json_valid_utf8(const char *text);
char *slack_json_get_upload_url(const char *filename, int64_t length);
char *slack_json_complete_upload(const char *file_id, const char *title,
				 const char *channel_id, const char *initial_comment);

/* Request bodies of a result post (issue 12). blocks is borrowed (a JSON
 * array, its texts already prepared: bot/slack-post.h); text is the
 * fallback, prepared here. thread_ts NULL: not in a thread. */
char *slack_json_post_blocks(const char *channel, const char *text, json_t *blocks,
			     const char *thread_ts);
/* files.completeUploadExternal with blocks (never initial_comment, which
 * would make Slack ignore them) and/or thread_ts; either may be NULL. */
char *slack_json_complete_upload_blocks(const char *file_id, const char *title,
					const char *channel_id, json_t *blocks,
					const char *thread_ts);

/* A Web API response. */
struct slack_response {
	bool ok;
	char *error;         /* "not_in_channel", ...; NULL when ok */
	char *warning;
	char *detail;        /* response_metadata.messages joined, or NULL */
	char *needed;        /* missing_scope: the scope needed */
	char *url;           /* apps.connections.open */
	char *upload_url;    /* files.getUploadURLExternal */
	char *file_id;       /* files.getUploadURLExternal */
	char *user_id;       /* auth.test */
	char *user;          /* auth.test: the bot's name */
	char *team;          /* auth.test */
	char *ts;            /* chat.postMessage */
	char *permalink;     /* files.completeUploadExternal: files[0].permalink;
	                      * chat.getPermalink: permalink */
	struct strlist users;  /* usergroups.users.list: the members' ids */
};

/* -1 with *cause when the body is not a JSON object with a boolean "ok". */
int slack_response_parse(const char *data, size_t len, struct slack_response *r, char **cause);
void slack_response_release(struct slack_response *r);

/*
 * What an error code means for a person, in plain words, e.g.
 * "not_in_channel" -> "invite @reportbot to this channel". Unknown codes
 * give "Slack answered ERROR". Caller frees.
 */
char *slack_error_words(const char *error, const char *needed);

/* Slash-command text as the person typed it: Slack sends '&', '<' and '>'
 * as &amp; &lt; &gt;, and channel mentions as <#C0123|name>, which become
 * the bare id. Caller frees. */
char *slack_text_unescape(const char *text);

/* True for errors that retrying will not fix (bad token, revoked, ...). */
bool slack_error_is_auth(const char *error);

#endif
