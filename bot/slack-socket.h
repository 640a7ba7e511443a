/*
 * slack-socket.h: the Socket Mode connection (libwebsockets), run on one
 * network thread.
 *
 * Every connect uses a fresh URL from apps.connections.open, fetched on a
 * small helper thread (the "opener") with its own curl handle, so a slow
 * or rate-limited Slack never blocks the lws loop; the opener hands the
 * URL back and wakes the loop with lws_cancel_service. The first URL comes
 * the same way: there is one connect path.
 *
 * Envelopes are parsed on the network thread, deduplicated (envelope_id,
 * and event_id / trigger_id of a retry, kept for dedupe_ttl_ms), given to
 * the handler, and acknowledged at once with the handler's reply as the
 * payload. Pings go out every ping_interval_ms; a socket with no frame and
 * no pong for dead_after_ms is dropped and replaced. `disconnect` with
 * refresh_requested or warning opens the new socket first and closes the
 * old one after the new one says hello; link_disabled stops the loop.
 */
#ifndef SLACK_SOCKET_H
#define SLACK_SOCKET_H

#include "common.h"
#include "bot/slack-json.h"

struct slack_socket;

struct slack_socket_handler {
	void *ctx;
	/* A new slash command or interactive envelope (block_actions,
	 * view_submission, view_closed; never a duplicate), on the network
	 * thread; must not block. Returns the ack payload text (caller frees)
	 * or NULL; *blocks (NULL at entry) may receive the JSON text of a
	 * blocks array for the payload (caller frees). A duplicate is acked
	 * with the text alone. */
	char *(*on_envelope)(void *ctx, const struct slack_frame *f, char **blocks);
	/* An envelope from inside a modal (block_actions in a view,
	 * view_submission, view_closed), new, on the network thread; must not
	 * block. data/len: the frame as read. Returns the ack payload as a
	 * JSON object text (e.g. a response_action; caller frees) or NULL for
	 * none. May be NULL. */
	char *(*on_interactive)(void *ctx, const struct slack_frame *f, const char *data, size_t len);
};

struct slack_socket_options {
	const char *api_url;          /* borrowed for the socket's life */
	const char *app_token;        /* borrowed; secret */
	int64_t ping_interval_ms;     /* REPORTBOT_PING_INTERVAL_MS, default 5000 */
	int64_t dead_after_ms;        /* REPORTBOT_DEAD_AFTER_MS, default 20000 */
	int64_t reconnect_min_ms;     /* REPORTBOT_RECONNECT_MIN_MS, default 1000 */
	int64_t reconnect_max_ms;     /* REPORTBOT_RECONNECT_MAX_MS, default 60000 */
	int64_t close_timeout_ms;     /* REPORTBOT_CLOSE_TIMEOUT_MS, default 1000 */
	int64_t dedupe_ttl_ms;        /* REPORTBOT_DEDUPE_TTL_MS, default 600000 */
};

/* Defaults, then the REPORTBOT_* environment variables above. */
void slack_socket_options_from_env(struct slack_socket_options *opt);

int slack_socket_new(struct slack_socket **out, const struct slack_socket_options *opt,
		     const struct slack_socket_handler *handler, char **cause);
void slack_socket_free(struct slack_socket *s);   /* NULL ok; after run returned */

/*
 * Connect and serve until slack_socket_stop or a fatal condition. Returns
 * 0 after a requested stop (sockets closed cleanly), 1 when Slack refuses
 * for good (link_disabled, a bad app token), 2 for a local failure;
 * *cause says why when not 0.
 */
int slack_socket_run(struct slack_socket *s, char **cause);

/* Ask the loop to stop taking envelopes and close its sockets. Safe from
 * any thread (not from a signal handler). */
void slack_socket_stop(struct slack_socket *s);

/* Counters for tests and logs (read on any thread). */
struct slack_socket_stats {
	long connects;       /* sockets that said hello */
	long envelopes;      /* envelopes acknowledged */
	long duplicates;     /* of which duplicates, not handed on */
};
void slack_socket_stats(struct slack_socket *s, struct slack_socket_stats *out);

#endif
