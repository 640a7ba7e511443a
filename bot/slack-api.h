/*
 * slack-api.h: the Slack Web API over libcurl, one struct slack_api per
 * thread (it owns a CURL easy handle and is never shared).
 *
 * Every call POSTs JSON to API_URL/METHOD with `Authorization: Bearer
 * TOKEN` and retries HTTP 429 after Retry-After, 5xx and network errors
 * with capped exponential backoff and jitter, a bounded number of times.
 * An `ok:false` answer is an error whose *cause is in plain words (see
 * slack_error_words); the raw code stays available through
 * slack_api_last_error. Tokens never reach a log or a cause.
 *
 * Knobs from the environment, read by slack_api_new: REPORTBOT_HTTP_RETRIES
 * (retries after the first try, default 4), REPORTBOT_HTTP_BACKOFF_MS
 * (first backoff, default 500, doubling, capped at 30 s),
 * REPORTBOT_HTTP_TIMEOUT_MS (one API request, default 30000).
 */
#ifndef SLACK_API_H
#define SLACK_API_H

#include <stdatomic.h>

#include "common.h"
#include "bot/slack-json.h"

struct slack_api;

/* Call once, before any thread starts (curl_global_init). */
int slack_api_global_init(char **cause);

/* api_url ends with '/' (borrowed, copied). */
int slack_api_new(struct slack_api **out, const char *api_url, char **cause);
void slack_api_free(struct slack_api *api);     /* NULL ok */

/* When *stop becomes non-zero, waits and transfers in progress end at
 * once with an error. stop is borrowed and must outlive api. */
void slack_api_set_stop(struct slack_api *api, const atomic_int *stop);

/* The Slack error code of the last failed call ("invalid_auth",
 * "ratelimited", ...), "http" for an unexpected HTTP status, "network"
 * for a transport failure, "" after a success. Borrowed. */
const char *slack_api_last_error(const struct slack_api *api);

/* The permalink Slack gave the file of the last slack_upload_file that
 * succeeded (files.completeUploadExternal's files[0].permalink), or NULL.
 * Borrowed until the next upload. */
const char *slack_api_last_permalink(const struct slack_api *api);

/* Retry-After seconds of the last 429 seen by the last call, else 0. */
int slack_api_last_retry_after(const struct slack_api *api);

/*
 * Call METHOD with body (a JSON object; NULL for none). On ok:true fills
 * *resp (caller releases) and returns 0. Otherwise -1: *cause in plain
 * words, resp released. max_tries overrides the retry count when > 0.
 */
int slack_api_call(struct slack_api *api, const char *token, const char *method,
		   const char *body, int max_tries, struct slack_response *resp, char **cause);

/* usergroups.users.list (scope usergroups:read, form-encoded): the ids of
 * the members of user group usergroup (S…) into *users (caller releases;
 * untouched on failure). */
int slack_usergroup_members(struct slack_api *api, const char *token, const char *usergroup,
			    struct strlist *users, char **cause);

/* auth.test: fills *resp (user_id, user, team). */
int slack_auth_test(struct slack_api *api, const char *token, struct slack_response *resp, char **cause);

/* apps.connections.open with the app token (one try; the caller owns the
 * reconnect policy and reads slack_api_last_retry_after). *url: caller frees. */
int slack_connections_open(struct slack_api *api, const char *app_token, char **url, char **cause);

int slack_post_message(struct slack_api *api, const char *token, const char *channel,
		       const char *text, char **cause);
int slack_post_ephemeral(struct slack_api *api, const char *token, const char *channel,
			 const char *user, const char *text, char **cause);

/* Answer through a slash command's response_url (no token; works where
 * the bot is not a member; Slack keeps it valid for 30 minutes): an
 * ephemeral message to the person. Success is HTTP 200. */
int slack_post_response_url(struct slack_api *api, const char *response_url,
			    const char *text, char **cause);

/* The same with a whole JSON body (slack_json_response_blocks: blocks,
 * replace_original). */
int slack_post_response_json(struct slack_api *api, const char *response_url,
			     const char *body, char **cause);

/*
 * Upload the file at path and share it in channel_id:
 * files.getUploadURLExternal, a streamed raw POST of the file from disk
 * to upload_url (never whole in memory; success is HTTP 200), then
 * files.completeUploadExternal with files [{id,title}], channel_id and
 * initial_comment.
 */
int slack_upload_file(struct slack_api *api, const char *token, const char *path,
		      const char *filename, const char *channel_id,
		      const char *initial_comment, char **cause);

/* The two halves of slack_upload_file (issue 12: the post shares the
 * file with its blocks, and falls back to a thread when they are
 * refused). slack_upload_start: files.getUploadURLExternal and the
 * streamed upload; *file_id (caller frees) names the file, not yet
 * shared. slack_upload_complete: files.completeUploadExternal of file_id
 * in channel_id, with blocks (borrowed; NULL: none) and thread_ts (NULL:
 * none); a refused completion may be tried again, differently. */
int slack_upload_start(struct slack_api *api, const char *token, const char *path,
		       const char *filename, char **file_id, char **cause);
int slack_upload_complete(struct slack_api *api, const char *token, const char *file_id,
			  const char *title, const char *channel_id, json_t *blocks,
			  const char *thread_ts, char **cause);

/* chat.postMessage with blocks (borrowed) and the fallback text, in a
 * thread when thread_ts is not NULL; *ts (caller frees; may be NULL) gets
 * the message's ts, the thread_ts of replies to it. */
int slack_post_message_blocks(struct slack_api *api, const char *token, const char *channel,
		      const char *text, json_t *blocks, const char *thread_ts,
		      char **ts, char **cause);

/* A copy of s with anything that looks like a Slack token (xox?-...,
 * xapp-...) replaced by "[token]". Caller frees; NULL gives NULL. */
char *slack_redact(const char *s);

#endif
