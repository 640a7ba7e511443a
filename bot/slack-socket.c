/*
 * slack-socket.c: Socket Mode over libwebsockets (4.1 API).
 *
 * Threads: the network thread runs lws_service and owns every struct conn;
 * the opener thread only calls apps.connections.open and talks to the
 * network thread through s->lock (want_url / url / fatal) plus
 * lws_cancel_service. slack_socket_stop sets an atomic flag and cancels
 * the service wait.
 *
 * A conn lives from lws_client_connect_via_info until its terminal
 * callback (CONNECTION_ERROR or CLOSED) marks it gone; gone conns are
 * freed by the network thread's tick, never inside a callback, so a
 * pointer held across lws calls stays valid.
 */
#include "common.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "common/backoff.h"
#include "common/env.h"
#include "common/log.h"
#include "bot/slack-api.h"
#include "bot/slack-socket.h"
#include "bot/slack-view-json.h"
#include "common/strbuf.h"

#define FRAME_MAX (16 << 20)          /* a bigger message is dropped */
#define TICK_MAX_MS 200

struct conn {
	struct slack_socket *s;
	struct lws *wsi;
	int id;
	char *host;                  /* for logs; never the ticket */
	struct strbuf rx;
	bool rx_too_big;
	bool established;
	bool hello;
	bool closing;                /* close after the queued acks are out */
	bool gone;                   /* terminal callback seen */
	bool want_ping;
	int64_t created_ms, last_rx_ms, last_ping_ms, close_deadline_ms;
	struct strlist out;          /* queued text frames */
	size_t out_head;
	struct conn *next;
};

struct seen {
	char *key;
	char *reply;                 /* ack text given the first time, or NULL */
	int64_t expires_ms;
};

struct slack_socket {
	struct slack_socket_options opt;
	struct slack_socket_handler handler;
	struct lws_context *ctx;
	lws_sorted_usec_list_t sul;
	struct conn *conns;
	struct conn *active;         /* the socket that last said hello */
	int next_id;
	bool replacing;              /* a refresh is under way: new socket wanted */
	int attempt;                 /* failed connects in a row */
	unsigned seed;               /* jitter, network thread only */
	bool stopping;
	int64_t stop_deadline_ms;
	bool done;
	int exit_code;
	char *exit_cause;

	atomic_int stop_flag;        /* set by slack_socket_stop */
	atomic_long n_connects, n_envelopes, n_duplicates;

	struct seen *seen;
	size_t nseen, seen_alloc;
	const char *frame_data;      /* the frame on_message is reading, for on_interactive */
	size_t frame_len;

	/* shared with the opener, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t opener;
	bool opener_started;
	bool want_url;
	int64_t url_delay_ms;        /* wait this long before asking */
	char *url;                   /* a fresh URL for the network thread */
	char *fatal;                 /* opener gave up: the cause */
	atomic_int opener_stop;
};

/* A millisecond knob: at least MIN, at most a day; DEF when unset or bad. */
static int64_t env_ms(const char *name, int64_t def, int64_t min)
{
	return env_number_or(name, min, 86400000LL, def);
}

void slack_socket_options_from_env(struct slack_socket_options *opt)
{
	opt->ping_interval_ms = env_ms("REPORTBOT_PING_INTERVAL_MS", 5000, 10);
	opt->dead_after_ms = env_ms("REPORTBOT_DEAD_AFTER_MS", 20000, 20);
	opt->reconnect_min_ms = env_ms("REPORTBOT_RECONNECT_MIN_MS", 1000, 1);
	opt->reconnect_max_ms = env_ms("REPORTBOT_RECONNECT_MAX_MS", 60000, 1);
	opt->close_timeout_ms = env_ms("REPORTBOT_CLOSE_TIMEOUT_MS", 1000, 10);
	opt->dedupe_ttl_ms = env_ms("REPORTBOT_DEDUPE_TTL_MS", 600000, 10);
	if (opt->reconnect_max_ms < opt->reconnect_min_ms)
		opt->reconnect_max_ms = opt->reconnect_min_ms;
}

/* ---- the opener thread ---- */

static void *opener_main(void *arg)
{
	struct slack_socket *s = arg;
	struct slack_api *api = NULL;
	char *cause = NULL;
	unsigned seed = (unsigned)now_ms_monotonic() ^ 0x5bd1e995u;
	int fails = 0;
	if (slack_api_new(&api, s->opt.api_url, &cause) < 0) {
		pthread_mutex_lock(&s->lock);
		s->fatal = cause;
		pthread_mutex_unlock(&s->lock);
		lws_cancel_service(s->ctx);
		return NULL;
	}
	slack_api_set_stop(api, &s->opener_stop);

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!atomic_load(&s->opener_stop) && !s->want_url)
			pthread_cond_wait(&s->cond, &s->lock);
		if (atomic_load(&s->opener_stop))
			break;
		if (s->url_delay_ms > 0) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			int64_t ns = ts.tv_nsec + (s->url_delay_ms % 1000) * 1000000LL;
			ts.tv_sec += (time_t)(s->url_delay_ms / 1000 + ns / 1000000000LL);
			ts.tv_nsec = (long)(ns % 1000000000LL);
			int64_t end = now_ms_monotonic() + s->url_delay_ms;
			while (!atomic_load(&s->opener_stop) && now_ms_monotonic() < end)
				pthread_cond_timedwait(&s->cond, &s->lock, &ts);
			s->url_delay_ms = 0;
			if (atomic_load(&s->opener_stop))
				break;
		}
		pthread_mutex_unlock(&s->lock);

		char *url = NULL;
		cause = NULL;
		int rc = slack_connections_open(api, s->opt.app_token, &url, &cause);
		const char *code = slack_api_last_error(api);
		int retry_after = slack_api_last_retry_after(api);

		pthread_mutex_lock(&s->lock);
		if (rc < 0 && atomic_load(&s->opener_stop)) {
			free(cause);
			break;
		}
		if (rc == 0) {
			fails = 0;
			free(s->url);
			s->url = url;
			s->want_url = false;
			pthread_mutex_unlock(&s->lock);
			lws_cancel_service(s->ctx);
			pthread_mutex_lock(&s->lock);
		} else if (slack_error_is_auth(code)) {
			free(s->fatal);
			s->fatal = xasprintf("apps.connections.open: %s (check SLACK_APP_TOKEN: an xapp- token with connections:write)",
					     cause);
			s->want_url = false;
			pthread_mutex_unlock(&s->lock);
			lws_cancel_service(s->ctx);
			pthread_mutex_lock(&s->lock);
		} else {
			/* keep asking, after Retry-After or a growing backoff */
			int64_t d = backoff_delay(s->opt.reconnect_min_ms, s->opt.reconnect_max_ms, fails, &seed);
			if (retry_after > 0)
				d = (int64_t)retry_after * 1000;
			if (fails < 30)
				fails++;
			s->url_delay_ms = d;
			log_warn("slack: cannot open a Socket Mode connection: %s; trying again in %lld ms",
				 cause ? cause : "unknown error", (long long)d);
		}
		free(cause);
		cause = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	slack_api_free(api);
	return NULL;
}

/* Ask the opener for a fresh URL after delay_ms (network thread). */
static void request_url(struct slack_socket *s, int64_t delay_ms)
{
	pthread_mutex_lock(&s->lock);
	if (!s->want_url) {
		s->want_url = true;
		s->url_delay_ms = delay_ms;
	}
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Backoff before a reconnect after s->attempt failures in a row:
 * reconnect_min_ms doubling, capped at reconnect_max_ms, jittered between
 * half and all of it. */
static int64_t reconnect_delay(struct slack_socket *s)
{
	return backoff_delay(s->opt.reconnect_min_ms, s->opt.reconnect_max_ms, s->attempt, &s->seed);
}

/* ---- connections ---- */

static void conn_free(struct conn *c)
{
	strbuf_release(&c->rx);
	strlist_release(&c->out);
	free(c->host);
	free(c);
}

static size_t live_conns(struct slack_socket *s)
{
	size_t n = 0;
	for (struct conn *c = s->conns; c; c = c->next)
		if (!c->gone)
			n++;
	return n;
}

/* A socket ended (refused, dropped, killed, or closed by us). Decide
 * whether another is needed: not while stopping, not when a replacement
 * is already connecting, not when another socket serves and no refresh
 * is under way. Failures before hello grow the backoff. */
static void conn_lost(struct slack_socket *s, struct conn *c, const char *why)
{
	if (c->gone)
		return;
	c->gone = true;
	c->wsi = NULL;
	if (s->active == c)
		s->active = NULL;
	if (s->stopping) {
		log_info("slack: socket %d closed (%s)", c->id, why);
		return;
	}
	bool serving = false, pending = false;
	for (struct conn *o = s->conns; o; o = o->next) {
		if (o->gone || o->closing)
			continue;
		if (o->hello)
			serving = true;
		else
			pending = true;
	}
	if (!c->hello)
		s->attempt++;
	if (pending || (serving && !s->replacing)) {
		log_info("slack: socket %d closed (%s)", c->id, why);
		return;
	}
	int64_t d = reconnect_delay(s);
	log_warn("slack: socket %d %s (%s); connecting again in %lld ms", c->id,
		 c->hello ? "lost" : "failed", why, (long long)d);
	request_url(s, d);
}

static void conn_queue(struct conn *c, char *text)
{
	strlist_push(&c->out, text);
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
}

static void conn_close(struct conn *c, int64_t now)
{
	if (c->gone || c->closing)
		return;
	c->closing = true;
	c->close_deadline_ms = now + c->s->opt.close_timeout_ms;
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
}

static void conn_kill(struct conn *c)
{
	if (!c->gone && c->wsi)
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static const lws_retry_bo_t no_lws_validity = {
	/* we ping and judge liveness ourselves */
	.secs_since_valid_ping = 0xffff,
	.secs_since_valid_hangup = 0xffff,
};

static void connect_url(struct slack_socket *s, const char *url)
{
	char *buf = xstrdup(url);
	const char *prot = NULL, *addr = NULL, *path = NULL;
	int port = 0;
	if (lws_parse_uri(buf, &prot, &addr, &port, &path) || !addr || !*addr) {
		log_error("slack: apps.connections.open gave a URL that cannot be parsed");
		free(buf);
		s->attempt++;
		request_url(s, reconnect_delay(s));
		return;
	}
	bool tls = !strcmp(prot, "wss") || !strcmp(prot, "https");
	if (!tls && strcmp(prot, "ws") && strcmp(prot, "http")) {
		log_error("slack: apps.connections.open gave a %s:// URL; accepted: wss://, ws://", prot);
		free(buf);
		s->attempt++;
		request_url(s, reconnect_delay(s));
		return;
	}
	struct conn *c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->id = ++s->next_id;
	c->host = xasprintf("%s:%d", addr, port);
	strbuf_init(&c->rx);
	strlist_init(&c->out);
	c->created_ms = now_ms_monotonic();
	c->next = s->conns;
	s->conns = c;

	char *fullpath = xasprintf("/%s", path ? path : "");
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = s->ctx;
	ci.address = addr;
	ci.port = port;
	ci.path = fullpath;
	ci.host = addr;
	ci.origin = addr;
	ci.ssl_connection = tls ? LCCSCF_USE_SSL : 0;
	ci.local_protocol_name = "slack-socket-mode";
	ci.opaque_user_data = c;
	ci.pwsi = &c->wsi;
	ci.retry_and_idle_policy = &no_lws_validity;
	log_info("slack: socket %d connecting to %s://%s", c->id, tls ? "wss" : "ws", c->host);
	struct lws *wsi = lws_client_connect_via_info(&ci);
	free(fullpath);
	free(buf);
	if (!wsi && !c->gone) {
		c->wsi = NULL;
		conn_lost(s, c, "connect failed at once");
	}
}

/* ---- dedupe ---- */

static struct seen *seen_find(struct slack_socket *s, const char *key)
{
	for (size_t i = 0; i < s->nseen; i++)
		if (!strcmp(s->seen[i].key, key))
			return &s->seen[i];
	return NULL;
}

static void seen_add(struct slack_socket *s, char *key, const char *reply, int64_t now)
{
	if (s->nseen == s->seen_alloc) {
		s->seen_alloc = s->seen_alloc ? 2 * s->seen_alloc : 64;
		s->seen = xrealloc(s->seen, s->seen_alloc * sizeof(*s->seen));
	}
	s->seen[s->nseen].key = key;
	s->seen[s->nseen].reply = xstrdup(reply);
	s->seen[s->nseen].expires_ms = now + s->opt.dedupe_ttl_ms;
	s->nseen++;
}

static void seen_expire(struct slack_socket *s, int64_t now)
{
	size_t j = 0;
	for (size_t i = 0; i < s->nseen; i++) {
		if (s->seen[i].expires_ms <= now) {
			free(s->seen[i].key);
			free(s->seen[i].reply);
		} else {
			s->seen[j++] = s->seen[i];
		}
	}
	s->nseen = j;
}

/* The keys an envelope is known by: its envelope_id, and for a retry the
 * event or trigger it carries (a retry may come with a new envelope_id). */
static size_t envelope_keys(const struct slack_frame *f, char *keys[3])
{
	size_t n = 0;
	keys[n++] = xasprintf("e:%s", f->envelope_id);
	if (f->event_id)
		keys[n++] = xasprintf("v:%s", f->event_id);
	if (f->trigger_id)
		keys[n++] = xasprintf("t:%s", f->trigger_id);
	return n;
}

/* ---- frames ---- */

static void on_hello(struct slack_socket *s, struct conn *c, const struct slack_frame *f)
{
	c->hello = true;
	s->attempt = 0;
	atomic_fetch_add(&s->n_connects, 1);
	struct conn *old = s->active;
	s->active = c;
	s->replacing = false;
	log_info("slack: socket %d connected (%d connection%s open, refresh expected in %llds)", c->id,
		 f->num_connections, f->num_connections == 1 ? "" : "s",
		 (long long)f->approximate_connection_time);
	if (f->num_connections > 3)
		log_warn("slack: Slack counts %d open connections for this app; stray bot processes may be taking envelopes",
			 f->num_connections);
	if (old && old != c) {
		log_info("slack: closing the replaced socket %d", old->id);
		conn_close(old, now_ms_monotonic());
	}
}

static void on_disconnect(struct slack_socket *s, struct conn *c, const struct slack_frame *f)
{
	const char *reason = f->reason;
	if (!strcmp(reason, "link_disabled")) {
		log_error("slack: Socket Mode is turned off for this app (disconnect: link_disabled); stopping");
		if (!s->exit_cause) {
			s->exit_code = 1;
			s->exit_cause = xstrdup("Slack turned Socket Mode off for this app (disconnect reason "
						"link_disabled): turn Socket Mode on in the app settings, then start reportbot again");
		}
		atomic_store(&s->stop_flag, 1);
		return;
	}
	if (!strcmp(reason, "refresh_requested") || !strcmp(reason, "warning")) {
		log_info("slack: socket %d: disconnect (%s); opening a new socket before closing it", c->id, reason);
		if (c == s->active && !s->replacing && !s->stopping) {
			s->replacing = true;
			request_url(s, 0);
		}
		return;
	}
	/* too_many_websockets and anything new: close it, reconnect with
	 * backoff once it is gone (conn_lost) */
	log_warn("slack: socket %d: disconnect (%s); reconnecting with backoff", c->id, *reason ? reason : "no reason");
	s->attempt++;
	if (c == s->active)
		s->active = NULL;
	conn_close(c, now_ms_monotonic());
}

static void on_envelope(struct slack_socket *s, struct conn *c, const struct slack_frame *f)
{
	int64_t now = now_ms_monotonic();
	char *keys[3];
	size_t nkeys = envelope_keys(f, keys);
	struct seen *dup = seen_find(s, keys[0]);
	for (size_t i = 1; !dup && i < nkeys && f->retry_attempt > 0; i++)
		dup = seen_find(s, keys[i]);
	/* a retry without a new id is caught above; a first delivery may still
	 * share a trigger with an earlier one only by a Slack fault, so the
	 * secondary keys are consulted for retries only */
	char *reply = NULL, *blocks = NULL;
	char *payload = NULL;        /* a form's answer (bot/slack-forms.h): a JSON object */
	if (dup) {
		atomic_fetch_add(&s->n_duplicates, 1);
		log_info("slack: envelope %s (retry %d) was seen before; acknowledged, not run again",
			 f->envelope_id, f->retry_attempt);
		reply = xstrdup(dup->reply);
		for (size_t i = 0; i < nkeys; i++)
			free(keys[i]);
	} else {
		if (f->unreadable) {
			/* acknowledged, and the person told what could not be read */
			reply = slack_frame_unreadable_reply(f);
		} else if (s->stopping) {
			if (f->type == SLACK_FRAME_SLASH_COMMAND)
				reply = xstrdup("reportbot is restarting; please try again in a minute");
		} else if (f->type == SLACK_FRAME_SLASH_COMMAND
			   || (f->type == SLACK_FRAME_INTERACTIVE && f->interaction && !f->interaction->view_id)) {
			/* slash commands and buttons on messages go the same way, on this thread */
			reply = s->handler.on_envelope(s->handler.ctx, f, &blocks);
		} else if (f->type == SLACK_FRAME_INTERACTIVE && f->interaction && s->handler.on_interactive &&
			   s->frame_data) {
			/* inside a modal (the report form): its picker and its submission */
			payload = s->handler.on_interactive(s->handler.ctx, f, s->frame_data, s->frame_len);
		} else {
			log_info("slack: %s envelope %s acknowledged and ignored (%s)",
				 slack_frame_type_name(f->type), f->envelope_id,
				 f->type_name ? f->type_name : "no type");
		}
		for (size_t i = 0; i < nkeys; i++)
			seen_add(s, keys[i], reply, now);
	}
	char *ack = payload ? slack_view_ack(f->envelope_id, payload) : NULL;
	if (!ack)
		ack = slack_json_ack_blocks(f->envelope_id, reply, blocks);
	free(blocks);
	free(payload);
	free(reply);
	conn_queue(c, ack);
	atomic_fetch_add(&s->n_envelopes, 1);
}

static void on_message(struct slack_socket *s, struct conn *c, const char *data, size_t len)
{
	struct slack_frame f;
	char *cause = NULL;
	if (slack_frame_parse(data, len, &f, &cause) < 0) {
		log_warn("slack: socket %d: unreadable frame (%zu bytes): %s%s%s", c->id, len, cause,
			 f.unreadable ? "; recovered envelope " : "", f.unreadable ? f.envelope_id : "");
		if (f.envelope_id) {
			/* acknowledge so Slack does not retry what we cannot read */
			if (!f.unreadable)
				f.unreadable = xstrdup("Slack sent it in a form I cannot read");
			on_envelope(s, c, &f);
		}
		free(cause);
		slack_frame_release(&f);
		return;
	}
	if (f.type == SLACK_FRAME_HELLO)
		on_hello(s, c, &f);
	else if (f.type == SLACK_FRAME_DISCONNECT)
		on_disconnect(s, c, &f);
	else if (f.envelope_id) {
		s->frame_data = data;
		s->frame_len = len;
		on_envelope(s, c, &f);
		s->frame_data = NULL;
	}
	else
		log_debug("slack: socket %d: frame of type %s ignored", c->id, f.type_name ? f.type_name : "(none)");
	slack_frame_release(&f);
}

/* ---- the lws callback ---- */

static int write_next(struct conn *c)
{
	unsigned char buf[LWS_PRE + 64];
	if (c->want_ping) {
		c->want_ping = false;
		int n = snprintf((char *)buf + LWS_PRE, sizeof(buf) - LWS_PRE, "rb%lld",
				 (long long)now_ms_monotonic());
		c->last_ping_ms = now_ms_monotonic();
		if (lws_write(c->wsi, buf + LWS_PRE, (size_t)n, LWS_WRITE_PING) < n)
			return -1;
	}
	/* as many queued acks as the socket takes without blocking */
	while (c->out_head < c->out.n) {
		if (lws_send_pipe_choked(c->wsi))
			break;
		char *text = c->out.v[c->out_head];
		size_t len = strlen(text);
		unsigned char *frame = xmalloc(LWS_PRE + len);
		memcpy(frame + LWS_PRE, text, len);
		int n = lws_write(c->wsi, frame + LWS_PRE, len, LWS_WRITE_TEXT);
		free(frame);
		free(text);
		c->out.v[c->out_head++] = NULL;
		if (c->out_head == c->out.n) {
			strlist_release(&c->out);
			c->out_head = 0;
		}
		if (n < (int)len)
			return -1;
	}
	if (c->want_ping || c->out_head < c->out.n) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->closing) {
		static const char bye[] = "bye";
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)bye, sizeof(bye) - 1);
		return -1;
	}
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user;
	struct conn *c = wsi ? lws_get_opaque_user_data(wsi) : NULL;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c) {
			char *why = slack_redact(in ? (const char *)in : "connection refused");
			lws_set_opaque_user_data(wsi, NULL);
			conn_lost(c->s, c, why);
			free(why);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (!c)
			return -1;
		c->established = true;
		c->last_rx_ms = now_ms_monotonic();
		/* start the liveness clock with our own first ping */
		c->want_ping = true;
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!c)
			return -1;
		c->last_rx_ms = now_ms_monotonic();
		if (lws_is_first_fragment(wsi)) {
			strbuf_reset(&c->rx);
			c->rx_too_big = false;
		}
		if (!c->rx_too_big) {
			if (c->rx.len + len > FRAME_MAX) {
				log_warn("slack: socket %d: message over %d bytes dropped", c->id, FRAME_MAX);
				c->rx_too_big = true;
				strbuf_release(&c->rx);
				strbuf_init(&c->rx);
			} else {
				strbuf_add(&c->rx, in, len);
			}
		}
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			if (!c->rx_too_big)
				on_message(c->s, c, c->rx.buf, c->rx.len);
			strbuf_reset(&c->rx);
			c->rx_too_big = false;
			if (c->rx.alloc > 1 << 20) {
				strbuf_release(&c->rx);
				strbuf_init(&c->rx);
			}
		}
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		if (c)
			c->last_rx_ms = now_ms_monotonic();
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!c || c->gone)
			return -1;
		return write_next(c);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (c)
			log_info("slack: socket %d: Slack closed it", c->id);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (c) {
			lws_set_opaque_user_data(wsi, NULL);
			conn_lost(c->s, c, c->closing ? "closed by us" : "closed");
		}
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		/* woken by the opener or by stop; poll_shared runs once
		 * lws_service returns */
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ "slack-socket-mode", callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void lws_log_emit(int level, const char *line)
{
	char *clean = slack_redact(line);
	size_t n = strlen(clean);
	while (n && (clean[n - 1] == '\n' || clean[n - 1] == '\r'))
		clean[--n] = '\0';
	if (level & LLL_ERR)
		log_warn("lws: %s", clean);
	else
		log_debug("lws: %s", clean);
	free(clean);
}

/* ---- the loop ---- */

static void begin_stop(struct slack_socket *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	int64_t now = now_ms_monotonic();
	s->stop_deadline_ms = now + 2 * s->opt.close_timeout_ms + 500;
	log_info("slack: stopping: no new envelopes; closing %zu socket%s", live_conns(s),
		 live_conns(s) == 1 ? "" : "s");
	atomic_store(&s->opener_stop, 1);
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	for (struct conn *c = s->conns; c; c = c->next) {
		if (c->gone)
			continue;
		if (c->established)
			conn_close(c, now);
		else
			conn_kill(c);
	}
}

static void tick(lws_sorted_usec_list_t *sul)
{
	struct slack_socket *s = lws_container_of(sul, struct slack_socket, sul);
	int64_t now = now_ms_monotonic();

	/* free the conns whose wsi is gone */
	struct conn **pp = &s->conns;
	while (*pp) {
		struct conn *c = *pp;
		if (c->gone) {
			*pp = c->next;
			conn_free(c);
		} else {
			pp = &c->next;
		}
	}
	for (struct conn *c = s->conns; c; c = c->next) {
		if (!c->wsi)
			continue;
		if (c->closing) {
			if (now >= c->close_deadline_ms)
				conn_kill(c);
			continue;
		}
		if (!c->established || !c->hello) {
			int64_t limit = s->opt.dead_after_ms > 10000 ? s->opt.dead_after_ms : 10000;
			if (now - c->created_ms > limit) {
				log_warn("slack: socket %d: no hello after %lld ms; giving up on it", c->id,
					 (long long)(now - c->created_ms));
				conn_kill(c);
				continue;
			}
			if (!c->established)
				continue;
		}
		if (now - c->last_rx_ms > s->opt.dead_after_ms) {
			log_warn("slack: socket %d silent for %lld ms (no frame, no pong); replacing it", c->id,
				 (long long)(now - c->last_rx_ms));
			conn_kill(c);
			continue;
		}
		if (now - c->last_ping_ms >= s->opt.ping_interval_ms && !c->want_ping) {
			c->want_ping = true;
			lws_callback_on_writable(c->wsi);
		}
	}
	seen_expire(s, now);
	if (s->stopping && (!live_conns(s) || now >= s->stop_deadline_ms))
		s->done = true;

	int64_t t = s->opt.ping_interval_ms / 4;
	if (t > TICK_MAX_MS)
		t = TICK_MAX_MS;
	if (t < 5)
		t = 5;
	lws_sul_schedule(s->ctx, 0, &s->sul, tick, (lws_usec_t)t * 1000);
}

/* After each service pass: take what the opener and stop left us. */
static void poll_shared(struct slack_socket *s)
{
	if (atomic_load(&s->stop_flag) && !s->stopping)
		begin_stop(s);
	pthread_mutex_lock(&s->lock);
	char *url = s->url;
	char *fatal = s->fatal;
	s->url = NULL;
	s->fatal = NULL;
	pthread_mutex_unlock(&s->lock);
	if (fatal) {
		log_error("slack: %s", fatal);
		if (!s->exit_cause) {
			s->exit_code = 1;
			s->exit_cause = fatal;
		} else {
			free(fatal);
		}
		atomic_store(&s->stop_flag, 1);
		begin_stop(s);
	}
	if (url) {
		if (!s->stopping)
			connect_url(s, url);
		free(url);
	}
}

int slack_socket_new(struct slack_socket **out, const struct slack_socket_options *opt,
		     const struct slack_socket_handler *handler, char **cause)
{
	*out = NULL;
	if (!opt->app_token || !*opt->app_token)
		return fail(cause, "no app-level token: set SLACK_APP_TOKEN (xapp-...) or slack.app_token");
	struct slack_socket *s = xcalloc(1, sizeof(*s));
	s->opt = *opt;
	s->handler = *handler;
	s->seed = (unsigned)now_ms_monotonic() ^ (unsigned)(uintptr_t)s;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	atomic_init(&s->stop_flag, 0);
	atomic_init(&s->opener_stop, 0);
	atomic_init(&s->n_connects, 0);
	atomic_init(&s->n_envelopes, 0);
	atomic_init(&s->n_duplicates, 0);

	lws_set_log_level(LLL_ERR, lws_log_emit);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.user = s;
	s->ctx = lws_create_context(&info);
	if (!s->ctx) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
		free(s);
		return fail(cause, "cannot create the libwebsockets context");
	}
	*out = s;
	return 0;
}

int slack_socket_run(struct slack_socket *s, char **cause)
{
	if (pthread_create(&s->opener, NULL, opener_main, s) != 0) {
		fail(cause, "cannot start the connection thread");
		return 2;
	}
	s->opener_started = true;
	request_url(s, 0);
	lws_sul_schedule(s->ctx, 0, &s->sul, tick, 10 * 1000);
	while (!s->done) {
		if (lws_service(s->ctx, 0) < 0) {
			if (!s->exit_cause) {
				s->exit_code = 2;
				s->exit_cause = xstrdup("the websocket service loop failed");
			}
			break;
		}
		poll_shared(s);
	}
	lws_sul_cancel(&s->sul);
	atomic_store(&s->opener_stop, 1);
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->opener, NULL);
	s->opener_started = false;
	if (s->exit_code && cause)
		*cause = xstrdup(s->exit_cause);
	return s->exit_code;
}

void slack_socket_stop(struct slack_socket *s)
{
	atomic_store(&s->stop_flag, 1);
	lws_cancel_service(s->ctx);
}

void slack_socket_stats(struct slack_socket *s, struct slack_socket_stats *out)
{
	out->connects = atomic_load(&s->n_connects);
	out->envelopes = atomic_load(&s->n_envelopes);
	out->duplicates = atomic_load(&s->n_duplicates);
}

void slack_socket_free(struct slack_socket *s)
{
	if (!s)
		return;
	if (s->opener_started) {
		atomic_store(&s->opener_stop, 1);
		pthread_mutex_lock(&s->lock);
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->opener, NULL);
	}
	lws_context_destroy(s->ctx);
	while (s->conns) {
		struct conn *c = s->conns;
		s->conns = c->next;
		conn_free(c);
	}
	seen_expire(s, INT64_MAX);
	free(s->seen);
	free(s->url);
	free(s->fatal);
	free(s->exit_cause);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
