/*
 * source-trino.c: the Trino data source, over Trino's HTTP client protocol
 * (https://trino.io/docs/current/develop/client-protocol.html) with libcurl
 * and jansson.
 *
 * A statement is a POST of its text to /v1/statement; the answer is a
 * QueryResults document, and the client GETs its `nextUri` until a
 * document comes without one. A document may carry `columns`, a page of
 * `data` rows, or an `error`; while the query is queued it carries neither.
 * Rows are handed out from one page at a time: the page is parsed when it
 * arrives, its rows are given one by one, and it is freed before the next
 * page is asked for, so memory is bounded by the largest page (max_page_mb)
 * whatever the row count.
 *
 * Parameters are never pasted into the statement: the statement is sent
 * prepared, in the X-Trino-Prepared-Statement header (name=URL-encoded
 * text), and the body is `EXECUTE reportbot USING lit, ...` with the
 * literals of store/trino-text.h. `check` sends DESCRIBE INPUT (how many
 * parameters) and DESCRIBE OUTPUT (the result's columns) of the same
 * prepared statement, so the cluster analyses it without running it.
 *
 * Headers: X-Trino-User, X-Trino-Source (reportbot), X-Trino-Catalog and
 * X-Trino-Schema from the config, X-Trino-Time-Zone from the process time
 * zone (bot.timezone, made the process's TZ by timezone_apply before any
 * source opens). Basic auth (password_env) only over https: the config
 * refuses a password without tls.
 *
 * Read-only: Trino has no session-wide read-only switch, so each statement
 * (the report's, and check's DESCRIBEs) runs in a transaction of its own,
 * `START TRANSACTION READ ONLY` before it and COMMIT after it (ROLLBACK when
 * it failed, was stopped or was left half read). The protocol carries the
 * transaction in headers: the answer to START TRANSACTION holds
 * X-Trino-Started-Transaction-Id, and every POST until the end sends it
 * back in X-Trino-Transaction-Id (NONE outside a transaction, which also
 * tells the server this client follows transactions, as the Trino CLI
 * does); GETs of nextUri need no headers. Inside the transaction the
 * cluster itself refuses any write with READ_ONLY_VIOLATION, whatever the
 * statement looks like (EXPLAIN ANALYZE INSERT, a procedure, ...). Before
 * that, trino_statement_reads refuses a statement that does not start like
 * a read (SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN, TABLE) without
 * sending it, so `check` catches a write too. A COMMIT or ROLLBACK that
 * fails is only logged: the transaction wrote nothing, and the cluster
 * drops an idle one by itself (transaction.idle-timeout).
 *
 * HTTP 429, 502, 503 and 504 are retried with common/backoff.h (a 429's
 * Retry-After is honoured). Timeout, cancel, shutdown and a half-read
 * result (max_rows) send DELETE to the current nextUri so the cluster stops
 * the query. source_cancel may come from any thread: it marks the
 * statement, wakes a retry wait, and sends the DELETE itself on its own
 * curl handle; the worker's transfer is cut by the progress callback.
 */
#include "common.h"
#include "store/source-trino.h"

#include "common/backoff.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/toml.h"
#include "store/trino-text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#define PREPARED_NAME "reportbot"
#define MAX_RETRIES 8            /* attempts of one request after a 429/5xx */
#define RETRY_BASE_MS 100
#define RETRY_CAP_MS 5000
#define RETRY_AFTER_CAP_MS 30000
#define DELETE_TIMEOUT_MS 5000
#define END_TIMEOUT_MS 5000      /* a COMMIT or ROLLBACK, to its last document */

enum stop_reason { STOP_NONE = 0, STOP_TIMEOUT = 1, STOP_CANCEL = 2 };

struct trino_source {
	struct source base;          /* first: source.c dispatches through it */
	CURL *curl;                  /* the worker's handle */
	char *base_url;              /* http(s)://host:port */
	char *time_zone;             /* X-Trino-Time-Zone, or NULL */
	char errbuf[CURL_ERROR_SIZE];
	struct strbuf body;          /* the answer being read; capacity kept */
	size_t body_cap;             /* max_page_mb in bytes */
	bool body_too_big;
	long retry_after_s;          /* Retry-After of the last answer, or -1 */
	char *started_txn;           /* X-Trino-Started-Transaction-Id of the last answer; owned */
	char *txn_id;                /* the running statement's read-only transaction; owned */
	bool succeeded;              /* the statement was read to its end: COMMIT, not ROLLBACK */
	unsigned seed;               /* backoff jitter */

	/* The running statement (worker thread only). */
	json_t *page;                /* the page rows are read from, or NULL */
	const json_t *data;          /* its `data`, borrowed from page */
	size_t row;                  /* next row of data */
	bool finished;               /* the last document had no nextUri */
	bool has_columns;
	size_t ncols;
	char **colnames;
	json_t **types;              /* typeSignature of each column; owned refs */
	bool *plain;                 /* column values are strings given as sent */
	struct strbuf *cells;        /* formatted text of each column */
	const char **vals;
	size_t *lens;
	int64_t deadline;            /* monotonic ms, 0 = none */
	int64_t timeout_ms;

	/* Shared with source_cancel. */
	pthread_mutex_t lock;
	pthread_cond_t cond;         /* a retry waits here; cancel wakes it */
	char *next_uri;              /* the query's current nextUri, or NULL */
	bool active;                 /* a statement is running */
	bool delete_sent;            /* the cluster was told to stop it */
	atomic_int reason;           /* enum stop_reason */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_status;

static void curl_init_once(void)
{
	curl_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static const char *src_name(const struct trino_source *s)
{
	return s->base.cfg->name ? s->base.cfg->name : "?";
}

static const struct trino_settings *settings_of(const struct trino_source *s)
{
	return s->base.cfg->settings;
}

/* ---------------------------------------------------------------------
 * HTTP
 */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct trino_source *s = arg;
	size_t n = size * nmemb;
	if (s->body.len + n > s->body_cap) {
		s->body_too_big = true;
		return 0;   /* CURLE_WRITE_ERROR */
	}
	strbuf_add(&s->body, ptr, n);
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct trino_source *s = arg;
	size_t n = size * nmemb;
	static const char started[] = "x-trino-started-transaction-id:";
	if (n > sizeof(started) - 1 && strncasecmp(ptr, started, sizeof(started) - 1) == 0) {
		const char *v = ptr + sizeof(started) - 1, *end = ptr + n;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
			end--;
		free(s->started_txn);
		s->started_txn = end > v ? xstrndup(v, (size_t)(end - v)) : NULL;
		return n;
	}
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
		char tmp[32];
		size_t k = n - (sizeof(name) - 1);
		if (k >= sizeof(tmp))
			k = sizeof(tmp) - 1;
		memcpy(tmp, ptr + sizeof(name) - 1, k);
		tmp[k] = '\0';
		char *end;
		long v = strtol(tmp, &end, 10);
		if (end != tmp && v >= 0)
			s->retry_after_s = v;
	}
	return n;
}

/* Cut the transfer at the deadline or on cancel. */
static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	struct trino_source *s = arg;
	if (atomic_load(&s->reason) != STOP_NONE)
		return 1;
	if (s->deadline > 0 && now_ms_monotonic() >= s->deadline) {
		int none = STOP_NONE;
		atomic_compare_exchange_strong(&s->reason, &none, STOP_TIMEOUT);
		return 1;
	}
	return 0;
}

/* Options every request shares: TLS, basic auth, connect timeout. */
static void common_options(CURL *c, const struct trino_settings *cfg)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(cfg->connect_timeout > 0 ? cfg->connect_timeout : 10));
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, cfg->tls ? "https" : "http");
	if (cfg->tls) {
		if (cfg->tls_ca && *cfg->tls_ca)
			curl_easy_setopt(c, CURLOPT_CAINFO, cfg->tls_ca);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, cfg->tls_verify ? 1L : 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, cfg->tls_verify ? 2L : 0L);
		if (cfg->password) {
			/* basic auth only ever over TLS (config validation) */
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user);
			curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password);
		}
	}
}

/* DELETE URI on a handle of its own (any thread): the cluster stops the
 * query. Best effort; returns the HTTP status or -1. */
static long send_delete(const struct trino_settings *cfg, const char *uri)
{
	CURL *c = curl_easy_init();
	if (!c)
		return -1;
	common_options(c, cfg);
	curl_easy_setopt(c, CURLOPT_URL, uri);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)DELETE_TIMEOUT_MS);
	long status = -1;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

static void set_next_uri(struct trino_source *s, const char *uri)
{
	char *copy = uri ? xstrdup(uri) : NULL;
	pthread_mutex_lock(&s->lock);
	free(s->next_uri);
	s->next_uri = copy;
	pthread_mutex_unlock(&s->lock);
}

/* Tell the cluster to stop the current query, once. Worker thread. */
static void stop_on_cluster(struct trino_source *s)
{
	pthread_mutex_lock(&s->lock);
	char *uri = !s->delete_sent && s->next_uri ? xstrdup(s->next_uri) : NULL;
	if (uri)
		s->delete_sent = true;
	pthread_mutex_unlock(&s->lock);
	if (uri) {
		long st = send_delete(settings_of(s), uri);
		log_debug("source '%s': DELETE of the running query answered %ld", src_name(s), st);
		free(uri);
	}
}

static enum source_result stopped(struct trino_source *s, char **cause)
{
	stop_on_cluster(s);
	s->finished = true;
	if (atomic_load(&s->reason) == STOP_TIMEOUT) {
		fail(cause, "source '%s': the query ran longer than its timeout of %lld s and was "
		     "stopped on the cluster", src_name(s), (long long)(s->timeout_ms / 1000));
		return SOURCE_ETIMEOUT;
	}
	fail(cause, "source '%s': the query was cancelled and stopped on the cluster", src_name(s));
	return SOURCE_ECANCELLED;
}

/* Wait MS, or less when cancelled. false: cancelled or past the deadline. */
static bool retry_wait(struct trino_source *s, int64_t ms)
{
	int64_t until = now_ms_monotonic() + ms;
	if (s->deadline > 0 && until >= s->deadline) {
		until = s->deadline;
	}
	pthread_mutex_lock(&s->lock);
	while (atomic_load(&s->reason) == STOP_NONE && now_ms_monotonic() < until) {
		struct timespec ts = { .tv_sec = (time_t)(until / 1000), .tv_nsec = (long)(until % 1000) * 1000000L };
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	if (atomic_load(&s->reason) != STOP_NONE)
		return false;
	if (s->deadline > 0 && now_ms_monotonic() >= s->deadline) {
		int none = STOP_NONE;
		atomic_compare_exchange_strong(&s->reason, &none, STOP_TIMEOUT);
		return false;
	}
	return true;
}

static bool retryable(long status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

/*
 * One request: POST BODY to /v1/statement (BODY not NULL, PREPARED the
 * statement for the header or NULL) or GET URL. On SOURCE_OK s->body holds
 * a 200 answer. 429/502/503/504 are retried. ENDING (a COMMIT or ROLLBACK)
 * goes on whatever the stop reason and the deadline, within END_TIMEOUT_MS
 * and without retries: it is owed even to a cancelled statement.
 */
static enum source_result http_call(struct trino_source *s, const char *url, const char *body,
				    const char *prepared, bool ending, char **cause)
{
	const struct trino_settings *cfg = settings_of(s);
	struct curl_slist *h = NULL;
	struct strbuf line;
	strbuf_init(&line);
	if (body) {
		h = curl_slist_append(h, "Content-Type: text/plain; charset=utf-8");
		strbuf_addf(&line, "X-Trino-User: %s", cfg->user);
		h = curl_slist_append(h, line.buf);
		h = curl_slist_append(h, "X-Trino-Source: reportbot");
		if (cfg->catalog) {
			strbuf_reset(&line);
			strbuf_addf(&line, "X-Trino-Catalog: %s", cfg->catalog);
			h = curl_slist_append(h, line.buf);
		}
		if (cfg->schema) {
			strbuf_reset(&line);
			strbuf_addf(&line, "X-Trino-Schema: %s", cfg->schema);
			h = curl_slist_append(h, line.buf);
		}
		if (s->time_zone) {
			strbuf_reset(&line);
			strbuf_addf(&line, "X-Trino-Time-Zone: %s", s->time_zone);
			h = curl_slist_append(h, line.buf);
		}
		strbuf_reset(&line);
		strbuf_addf(&line, "X-Trino-Transaction-Id: %s", s->txn_id ? s->txn_id : "NONE");
		h = curl_slist_append(h, line.buf);
		if (prepared) {
			strbuf_reset(&line);
			strbuf_adds(&line, "X-Trino-Prepared-Statement: " PREPARED_NAME "=");
			trino_url_encode(&line, prepared);
			h = curl_slist_append(h, line.buf);
		}
	}
	h = curl_slist_append(h, "Expect:");
	strbuf_release(&line);

	enum source_result r = SOURCE_OK;
	char *target = body ? xasprintf("%s/v1/statement", s->base_url) : xstrdup(url);
	for (int attempt = 0;; attempt++) {
		if (!ending && atomic_load(&s->reason) != STOP_NONE) {
			r = stopped(s, cause);
			break;
		}
		CURL *c = s->curl;
		curl_easy_reset(c);
		common_options(c, cfg);
		curl_easy_setopt(c, CURLOPT_URL, target);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
		if (!ending) {
			curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
			curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
			curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
		}
		if (body) {
			curl_easy_setopt(c, CURLOPT_POST, 1L);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		}
		if (ending) {
			curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)END_TIMEOUT_MS);
		} else if (s->deadline > 0) {
			int64_t left = s->deadline - now_ms_monotonic();
			curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left > 1 ? left : 1));
		}
		s->errbuf[0] = '\0';
		strbuf_reset(&s->body);
		s->body_too_big = false;
		s->retry_after_s = -1;
		free(s->started_txn);
		s->started_txn = NULL;

		CURLcode rc = curl_easy_perform(c);
		if (!ending && (rc == CURLE_ABORTED_BY_CALLBACK ||
		    (rc == CURLE_OPERATION_TIMEDOUT && s->deadline > 0 && now_ms_monotonic() >= s->deadline))) {
			int none = STOP_NONE;
			atomic_compare_exchange_strong(&s->reason, &none, STOP_TIMEOUT);
			r = stopped(s, cause);
			break;
		}
		if (rc == CURLE_WRITE_ERROR && s->body_too_big) {
			fail(cause, "source '%s': Trino sent a page of results larger than max_page_mb = %d; "
			     "raise it in [sources.%s]", src_name(s), cfg->max_page_mb, src_name(s));
			r = SOURCE_EQUERY;
			break;
		}
		if (rc != CURLE_OK) {
			fail(cause, "source '%s': cannot reach Trino at %s: %s", src_name(s), s->base_url,
			     s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
			r = SOURCE_ECONNECT;
			break;
		}
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200)
			break;
		if (retryable(status) && attempt < MAX_RETRIES && !ending) {
			int64_t ms = backoff_delay(RETRY_BASE_MS, RETRY_CAP_MS, attempt, &s->seed);
			if (status == 429 && s->retry_after_s >= 0) {
				int64_t ra = s->retry_after_s * 1000;
				ms = ra > RETRY_AFTER_CAP_MS ? RETRY_AFTER_CAP_MS : ra;
			}
			log_debug("source '%s': Trino answered HTTP %ld; retry %d in %lld ms", src_name(s),
				  status, attempt + 1, (long long)ms);
			if (!retry_wait(s, ms)) {
				r = stopped(s, cause);
				break;
			}
			continue;
		}
		if (status == 401 || status == 403) {
			fail(cause, "source '%s': Trino at %s refused user '%s' (HTTP %ld: wrong user or password, "
			     "or the user may not connect)", src_name(s), s->base_url, cfg->user, status);
			r = SOURCE_EAUTH;
		} else if (retryable(status)) {
			fail(cause, "source '%s': Trino at %s is busy or unreachable behind its gateway "
			     "(HTTP %ld, %d attempts)", src_name(s), s->base_url, status, attempt + 1);
			r = SOURCE_ECONNECT;
		} else if (!body && (status == 404 || status == 410)) {
			fail(cause, "source '%s': the query is gone from the cluster (HTTP %ld)", src_name(s), status);
			r = SOURCE_EQUERY;
		} else {
			fail(cause, "source '%s': Trino at %s answered HTTP %ld", src_name(s), s->base_url, status);
			r = SOURCE_EQUERY;
		}
		break;
	}
	free(target);
	curl_slist_free_all(h);
	return r;
}

/* ---------------------------------------------------------------------
 * Query documents
 */

static enum source_result trino_error(struct trino_source *s, const json_t *err, char **cause)
{
	const char *name = json_string_value(json_object_get(err, "errorName"));
	const char *msg = json_string_value(json_object_get(err, "message"));
	name = name ? name : "UNKNOWN";
	msg = msg ? msg : "no message";
	if (atomic_load(&s->reason) != STOP_NONE)
		return stopped(s, cause);
	if (strcmp(name, "EXCEEDED_TIME_LIMIT") == 0) {
		fail(cause, "source '%s': the cluster stopped the query at its time limit (Trino %s: %s)",
		     src_name(s), name, msg);
		return SOURCE_ETIMEOUT;
	}
	if (strcmp(name, "USER_CANCELED") == 0) {
		fail(cause, "source '%s': the query was cancelled on the cluster (Trino %s: %s)",
		     src_name(s), name, msg);
		return SOURCE_ECANCELLED;
	}
	static const struct { const char *name, *words; } plain[] = {
		{ "COLUMN_NOT_FOUND", "unknown column" },
		{ "TABLE_NOT_FOUND", "unknown table" },
		{ "SCHEMA_NOT_FOUND", "unknown schema" },
		{ "CATALOG_NOT_FOUND", "unknown catalog" },
		{ "FUNCTION_NOT_FOUND", "unknown function" },
		{ "SYNTAX_ERROR", "syntax error" },
		{ "TYPE_MISMATCH", "a value of the wrong type" },
		{ "PERMISSION_DENIED", "the user may not do this" },
		{ "READ_ONLY_VIOLATION", "the source is read-only; a report may not change data" },
		{ "INVALID_PARAMETER_USAGE", "the parameters do not fit the statement" },
		{ "EXCEEDED_GLOBAL_MEMORY_LIMIT", "the cluster ran out of memory for the query" },
	};
	const char *words = "the query failed";
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		if (strcmp(name, plain[i].name) == 0)
			words = plain[i].words;
	fail(cause, "source '%s': %s (Trino %s: %s)", src_name(s), words, name, msg);
	return strcmp(name, "INVALID_PARAMETER_USAGE") == 0 ? SOURCE_EBIND : SOURCE_EQUERY;
}

static void free_columns(struct trino_source *s)
{
	for (size_t i = 0; i < s->ncols; i++) {
		free(s->colnames[i]);
		json_decref(s->types[i]);
		strbuf_release(&s->cells[i]);
	}
	free(s->colnames);
	free(s->types);
	free(s->plain);
	free(s->cells);
	free(s->vals);
	free(s->lens);
	s->colnames = NULL;
	s->types = NULL;
	s->plain = NULL;
	s->cells = NULL;
	s->vals = NULL;
	s->lens = NULL;
	s->ncols = 0;
	s->has_columns = false;
}

static const char *const plain_types[] = {
	"varchar", "char", "json", "time", "time with time zone", "timestamp",
	"timestamp with time zone", "date", "interval year to month",
	"interval day to second", "ipaddress", "uuid", "decimal",
};

static void take_columns(struct trino_source *s, const json_t *cols)
{
	size_t n = json_array_size(cols);
	s->ncols = n;
	s->has_columns = true;
	s->colnames = xcalloc(n ? n : 1, sizeof(*s->colnames));
	s->types = xcalloc(n ? n : 1, sizeof(*s->types));
	s->plain = xcalloc(n ? n : 1, sizeof(*s->plain));
	s->cells = xcalloc(n ? n : 1, sizeof(*s->cells));
	s->vals = xcalloc(n ? n : 1, sizeof(*s->vals));
	s->lens = xcalloc(n ? n : 1, sizeof(*s->lens));
	for (size_t i = 0; i < n; i++) {
		const json_t *c = json_array_get(cols, i);
		const char *name = json_string_value(json_object_get(c, "name"));
		s->colnames[i] = xstrdup(name ? name : "");
		json_t *sig = json_object_get(c, "typeSignature");
		s->types[i] = sig ? json_incref(sig) : json_object();
		const char *raw = json_string_value(json_object_get(s->types[i], "rawType"));
		for (size_t k = 0; raw && k < ARRAY_SIZE(plain_types); k++)
			if (strcmp(raw, plain_types[k]) == 0)
				s->plain[i] = true;
		strbuf_init(&s->cells[i]);
	}
}

static void drop_page(struct trino_source *s)
{
	json_decref(s->page);
	s->page = NULL;
	s->data = NULL;
	s->row = 0;
}

/*
 * Read the document in s->body: an error ends the statement; columns are
 * kept; a page of rows becomes the current page; nextUri moves on.
 */
static enum source_result take_document(struct trino_source *s, char **cause)
{
	json_error_t jerr;
	json_t *doc = json_loadb(s->body.buf, s->body.len, JSON_ALLOW_NUL, &jerr);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		fail(cause, "source '%s': Trino sent a document that is not JSON (%s)", src_name(s),
		     doc ? "not an object" : jerr.text);
		stop_on_cluster(s);
		s->finished = true;
		return SOURCE_EQUERY;
	}
	const json_t *err = json_object_get(doc, "error");
	const char *next = json_string_value(json_object_get(doc, "nextUri"));
	set_next_uri(s, next);
	s->finished = next == NULL;
	if (err && !json_is_null(err)) {
		enum source_result r = trino_error(s, err, cause);
		json_decref(doc);
		s->finished = true;
		return r;
	}
	const json_t *cols = json_object_get(doc, "columns");
	if (!s->has_columns && json_is_array(cols))
		take_columns(s, cols);
	const json_t *data = json_object_get(doc, "data");
	if (json_is_array(data) && json_array_size(data) > 0) {
		s->page = doc;
		s->data = data;
		s->row = 0;
	} else {
		json_decref(doc);
	}
	return SOURCE_OK;
}

/* GET the next document. */
static enum source_result advance(struct trino_source *s, char **cause)
{
	pthread_mutex_lock(&s->lock);
	char *uri = s->next_uri ? xstrdup(s->next_uri) : NULL;
	pthread_mutex_unlock(&s->lock);
	if (!uri) {
		s->finished = true;
		return SOURCE_OK;
	}
	enum source_result r = http_call(s, uri, NULL, NULL, false, cause);
	free(uri);
	if (r != SOURCE_OK) {
		s->finished = true;
		return r;
	}
	return take_document(s, cause);
}

/*
 * Run SQL, a statement with no rows (START TRANSACTION, COMMIT, ROLLBACK),
 * to its last document. *txn (may be NULL) gets the transaction id the
 * cluster started, if one of the answers carried it (owned). ENDING as for
 * http_call. A failure: *cause says what WHAT could not do.
 */
static enum source_result run_to_end(struct trino_source *s, const char *sql, bool ending, const char *what,
				     char **txn, char **cause)
{
	enum source_result r = http_call(s, NULL, sql, NULL, ending, cause);
	for (;;) {
		if (r != SOURCE_OK)
			return r;
		if (txn && s->started_txn) {
			free(*txn);
			*txn = s->started_txn;
			s->started_txn = NULL;
		}
		json_t *doc = json_loadb(s->body.buf, s->body.len, JSON_ALLOW_NUL, NULL);
		const json_t *err = json_object_get(doc, "error");
		if (!json_is_object(doc) || (err && !json_is_null(err))) {
			const char *name = json_string_value(json_object_get(err, "errorName"));
			const char *msg = json_string_value(json_object_get(err, "message"));
			fail(cause, "source '%s': Trino could not %s (Trino %s: %s)", src_name(s), what,
			     name ? name : "UNKNOWN", doc ? (msg ? msg : "no message") : "the answer is not JSON");
			json_decref(doc);
			return SOURCE_EQUERY;
		}
		const char *next = json_string_value(json_object_get(doc, "nextUri"));
		char *uri = next ? xstrdup(next) : NULL;
		json_decref(doc);
		if (!uri)
			return SOURCE_OK;
		r = http_call(s, uri, NULL, NULL, ending, cause);
		free(uri);
	}
}

/* Open the read-only transaction the next statement runs in. */
static enum source_result begin_read_only(struct trino_source *s, char **cause)
{
	char *txn = NULL;
	enum source_result r = run_to_end(s, "START TRANSACTION READ ONLY", false,
					  "start a read-only transaction", &txn, cause);
	if (r == SOURCE_OK && !txn) {
		fail(cause, "source '%s': Trino at %s started no transaction (no X-Trino-Started-Transaction-Id "
		     "in its answer), so the report cannot be kept read-only", src_name(s), s->base_url);
		r = SOURCE_EQUERY;
	}
	if (r != SOURCE_OK) {
		free(txn);
		return r;
	}
	s->txn_id = txn;
	return SOURCE_OK;
}

/* End the statement's transaction: COMMIT after a statement read to its
 * end, ROLLBACK otherwise. A failure is only logged (see the top). */
static void end_read_only(struct trino_source *s, bool commit)
{
	if (!s->txn_id)
		return;
	char *why = NULL;
	if (run_to_end(s, commit ? "COMMIT" : "ROLLBACK", true, commit ? "commit" : "roll back", NULL, &why) != SOURCE_OK) {
		log_warn("%s; the cluster drops the idle read-only transaction by itself", why);
		free(why);
	}
	free(s->txn_id);
	s->txn_id = NULL;
}

/* The statement is over or abandoned: stop it on the cluster if it still
 * runs there, forget its rows, end its transaction. */
static void finish_statement(struct trino_source *s)
{
	if (!s->finished)
		stop_on_cluster(s);
	drop_page(s);
	free_columns(s);
	s->finished = true;
	set_next_uri(s, NULL);
	pthread_mutex_lock(&s->lock);
	s->active = false;
	pthread_mutex_unlock(&s->lock);
	s->deadline = 0;
	end_read_only(s, s->succeeded);
	s->succeeded = false;
}

/* Trino refuses a trailing ';': the statement without it (owned). */
static char *statement_text(const char *sql)
{
	size_t n = strlen(sql);
	while (n && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' ||
		     sql[n - 1] == '\t' || sql[n - 1] == '\r'))
		n--;
	return xstrndup(sql, n);
}

/*
 * Start BODY (with PREPARED in the header when not NULL) and read documents
 * until the columns are known, a page of rows arrived, or the query ended.
 */
static enum source_result start(struct trino_source *s, const char *body, const char *prepared,
				int64_t timeout_ms, char **cause)
{
	finish_statement(s);
	pthread_mutex_lock(&s->lock);
	s->active = true;
	s->delete_sent = false;
	atomic_store(&s->reason, STOP_NONE);
	pthread_mutex_unlock(&s->lock);
	s->timeout_ms = timeout_ms;
	s->deadline = timeout_ms > 0 ? now_ms_monotonic() + timeout_ms : 0;
	s->finished = false;

	enum source_result r = begin_read_only(s, cause);
	if (r == SOURCE_OK)
		r = http_call(s, NULL, body, prepared, false, cause);
	if (r == SOURCE_OK)
		r = take_document(s, cause);
	while (r == SOURCE_OK && !s->page && !s->finished && !s->has_columns)
		r = advance(s, cause);
	if (r != SOURCE_OK)
		finish_statement(s);
	return r;
}

/* ---------------------------------------------------------------------
 * Driver entry points
 */

static enum source_result trino_open(struct source **out, const struct source_config *cfg, char **cause)
{
	*out = NULL;
	pthread_once(&curl_once, curl_init_once);
	if (curl_status != CURLE_OK) {
		fail(cause, "source '%s': cannot initialise libcurl: %s", cfg->name, curl_easy_strerror(curl_status));
		return SOURCE_ECONNECT;
	}
	const struct trino_settings *ts = cfg->settings;
	struct trino_source *s = xcalloc(1, sizeof(*s));
	s->base.cfg = cfg;
	s->curl = curl_easy_init();
	if (!s->curl) {
		free(s);
		fail(cause, "source '%s': cannot start an HTTP handle", cfg->name);
		return SOURCE_ECONNECT;
	}
	s->base_url = xasprintf("%s://%s:%d", ts->tls ? "https" : "http",
				ts->host && *ts->host ? ts->host : "127.0.0.1", ts->port > 0 ? ts->port : 8080);
	/* bot.timezone is the process zone (timezone_apply, before any thread) */
	const char *tz = getenv("TZ");
	s->time_zone = tz && *tz ? xstrdup(tz[0] == ':' ? tz + 1 : tz) : NULL;
	strbuf_init(&s->body);
	s->body_cap = (size_t)(ts->max_page_mb > 0 ? ts->max_page_mb : 64) * 1024 * 1024;
	s->seed = (unsigned)now_ms_wall() ^ (unsigned)(uintptr_t)s;
	s->finished = true;
	atomic_init(&s->reason, STOP_NONE);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	*out = &s->base;
	return SOURCE_OK;
}

/* A statement that does not start like a read is refused before it is sent. */
static int refuse_write(struct trino_source *s, const char *sql, char **cause)
{
	char *why = NULL;
	if (trino_statement_reads(sql, &why) == 0)
		return 0;
	fail(cause, "source '%s' is read-only: %s", src_name(s), why);
	free(why);
	return -1;
}

static enum source_result trino_execute(struct source *base, const char *sql, const struct bind_value *binds,
					size_t nbinds, int64_t timeout_ms, char **cause)
{
	struct trino_source *s = (struct trino_source *)base;
	if (refuse_write(s, sql, cause) < 0)
		return SOURCE_EQUERY;
	char *text = statement_text(sql);
	enum source_result r;
	if (nbinds == 0) {
		r = start(s, text, NULL, timeout_ms, cause);
	} else {
		struct strbuf body;
		strbuf_init(&body);
		strbuf_adds(&body, "EXECUTE " PREPARED_NAME " USING ");
		r = SOURCE_OK;
		for (size_t i = 0; i < nbinds && r == SOURCE_OK; i++) {
			char *why = NULL;
			if (i)
				strbuf_adds(&body, ", ");
			if (trino_literal(&body, &binds[i], &why) < 0) {
				fail(cause, "source '%s': parameter %zu: %s", src_name(s), i + 1, why);
				free(why);
				r = SOURCE_EBIND;
			}
		}
		if (r == SOURCE_OK)
			r = start(s, body.buf, text, timeout_ms, cause);
		strbuf_release(&body);
	}
	free(text);
	return r;
}

static size_t trino_ncols(struct source *base)
{
	return ((struct trino_source *)base)->ncols;
}

static const char *trino_colname(struct source *base, size_t i)
{
	struct trino_source *s = (struct trino_source *)base;
	return i < s->ncols ? s->colnames[i] : NULL;
}

static void format_row(struct trino_source *s, const json_t *row)
{
	for (size_t i = 0; i < s->ncols; i++) {
		const json_t *v = json_array_get(row, i);
		if (!v || json_is_null(v)) {
			s->vals[i] = NULL;
			s->lens[i] = 0;
		} else if (s->plain[i] && json_is_string(v)) {
			s->vals[i] = json_string_value(v);
			s->lens[i] = json_string_length(v);
		} else {
			strbuf_reset(&s->cells[i]);
			trino_format_value(&s->cells[i], v, s->types[i]);
			strbuf_addc(&s->cells[i], '\0');
			s->vals[i] = s->cells[i].buf;
			s->lens[i] = s->cells[i].len - 1;
		}
	}
}

static enum source_result trino_next(struct source *base, struct source_row *row, char **cause)
{
	struct trino_source *s = (struct trino_source *)base;
	for (;;) {
		if (atomic_load(&s->reason) != STOP_NONE) {
			enum source_result r = stopped(s, cause);
			finish_statement(s);
			return r;
		}
		if (s->data && s->row < json_array_size(s->data)) {
			format_row(s, json_array_get(s->data, s->row++));
			row->ncols = s->ncols;
			row->vals = s->vals;
			row->lens = s->lens;
			return SOURCE_ROW;
		}
		drop_page(s);
		if (s->finished) {
			s->succeeded = true;
			finish_statement(s);
			return SOURCE_DONE;
		}
		if (s->deadline > 0 && now_ms_monotonic() >= s->deadline) {
			int none = STOP_NONE;
			atomic_compare_exchange_strong(&s->reason, &none, STOP_TIMEOUT);
			continue;
		}
		enum source_result r = advance(s, cause);
		if (r != SOURCE_OK) {
			finish_statement(s);
			return r;
		}
	}
}

/* Run BODY on the prepared SQL to its end; push column COL of each row. */
static enum source_result describe(struct trino_source *s, const char *body, const char *sql,
				   size_t *nrows, struct strlist *col0, char **cause)
{
	*nrows = 0;
	enum source_result r = start(s, body, sql, 60000, cause);
	struct source_row row;
	while (r == SOURCE_OK && (r = trino_next(&s->base, &row, cause)) == SOURCE_ROW) {
		(*nrows)++;
		if (col0 && row.ncols > 0 && row.vals[0])
			strlist_push(col0, xstrndup(row.vals[0], row.lens[0]));
		r = SOURCE_OK;
	}
	return r == SOURCE_DONE ? SOURCE_OK : r;
}

static enum source_result trino_check(struct source *base, const char *sql, size_t *nparams,
				       struct strlist *columns, char **cause)
{
	struct trino_source *s = (struct trino_source *)base;
	if (refuse_write(s, sql, cause) < 0)
		return SOURCE_EQUERY;
	char *text = statement_text(sql);
	size_t ncols;
	enum source_result r = describe(s, "DESCRIBE INPUT " PREPARED_NAME, text, nparams, NULL, cause);
	if (r == SOURCE_OK)
		r = describe(s, "DESCRIBE OUTPUT " PREPARED_NAME, text, &ncols, columns, cause);
	free(text);
	return r;
}

static void trino_cancel(struct source *base)
{
	struct trino_source *s = (struct trino_source *)base;
	if (!s)
		return;
	char *uri = NULL;
	pthread_mutex_lock(&s->lock);
	if (s->active) {
		int none = STOP_NONE;
		atomic_compare_exchange_strong(&s->reason, &none, STOP_CANCEL);
		if (!s->delete_sent && s->next_uri) {
			uri = xstrdup(s->next_uri);
			s->delete_sent = true;
		}
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	if (uri) {
		send_delete(settings_of(s), uri);
		free(uri);
	}
}

static void trino_close(struct source *base)
{
	struct trino_source *s = (struct trino_source *)base;
	if (!s)
		return;
	finish_statement(s);
	curl_easy_cleanup(s->curl);
	strbuf_release(&s->body);
	free(s->started_txn);
	free(s->base_url);
	free(s->time_zone);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---------------------------------------------------------------------
 * The config keys and the descriptor
 */

#define TRINO_STR(k, f, d) CONFIG_KEY_STR(struct trino_settings, k, f, CONFIG_NONEMPTY, d)

static const struct config_key trino_keys[] = {
	TRINO_STR("host", host, "127.0.0.1"),
	CONFIG_KEY_INT(struct trino_settings, "port", port, 1, 65535, 8080),
	CONFIG_KEY_BOOL(struct trino_settings, "tls", tls, false),
	TRINO_STR("tls_ca", tls_ca, NULL),
	CONFIG_KEY_BOOL(struct trino_settings, "tls_verify", tls_verify, true),
	{ "user", CONFIG_STR, offsetof(struct trino_settings, user), 0, 0, 0,
	  CONFIG_NONEMPTY | CONFIG_REQUIRED, NULL, 0, NULL },
	TRINO_STR("password_env", password_env, NULL),
	TRINO_STR("catalog", catalog, NULL),
	TRINO_STR("schema", schema, NULL),
	CONFIG_KEY_INT(struct trino_settings, "connect_timeout", connect_timeout, 1, 3600, 10),
	CONFIG_KEY_INT(struct trino_settings, "max_page_mb", max_page_mb, 1, 1024, 64),
};

/* A password only over TLS; password_env names a variable that is set. */
static void trino_validate(void *settings, const struct toml_value *t, const char *section,
			   struct config_faults *F)
{
	struct trino_settings *ts = settings;
	const struct toml_value *pv = toml_table_get(t, "password_env");
	if (ts->schema && !ts->catalog) {
		const struct toml_value *sv = toml_table_get(t, "schema");
		config_fault(F, sv->line, sv->column, "[%s] schema = \"%s\" needs catalog: Trino reads a "
			     "schema inside a catalog; add catalog = \"...\"", section, ts->schema);
	}
	if (!ts->password_env)
		return;
	if (!ts->tls) {
		config_fault(F, pv->line, pv->column, "[%s] password_env: a password is sent only over TLS; "
			     "set tls = true (https), or remove password_env", section);
		return;
	}
	source_password_from_env(ts->password_env, t, section, &ts->password, F);
}

static void trino_release(void *settings)
{
	source_password_release(&((struct trino_settings *)settings)->password);
}

const struct source_driver source_driver_trino = {
	.name = "trino",
	.keys = trino_keys,
	.nkeys = ARRAY_SIZE(trino_keys),
	.settings_size = sizeof(struct trino_settings),
	.validate = trino_validate,
	.release = trino_release,
	.open = trino_open,
	.execute = trino_execute,
	.ncols = trino_ncols,
	.colname = trino_colname,
	.next = trino_next,
	.check = trino_check,
	.cancel = trino_cancel,
	.close = trino_close,
};
