#include "common.h"

#include <ctype.h>
#include <curl/curl.h>
#include <sys/stat.h>
#include <time.h>

#include "common/backoff.h"
#include "common/env.h"
#include "common/log.h"
#include "bot/slack-api.h"
#include "common/strbuf.h"

#define RESPONSE_MAX (4 << 20)        /* a Web API answer is never this big */
#define RETRY_AFTER_MAX_S 300
#define BACKOFF_CAP_MS 30000

struct slack_api {
	CURL *curl;
	char *base;                   /* ends with '/' */
	const atomic_int *stop;
	struct strbuf body;           /* the last response body */
	long status;
	int retry_after;              /* from the last response, seconds */
	int last_retry_after;         /* last 429 of the last call */
	char last_error[64];
	char *last_permalink;         /* of the last file uploaded, or NULL */
	char errbuf[CURL_ERROR_SIZE];
	int retries;
	int64_t backoff_ms;
	long timeout_ms;
	unsigned seed;
};

int slack_api_global_init(char **cause)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		return fail(cause, "cannot initialise libcurl: %s", curl_easy_strerror(rc));
	return 0;
}

int slack_api_new(struct slack_api **out, const char *api_url, char **cause)
{
	*out = NULL;
	if (!api_url || !*api_url)
		return fail(cause, "slack api_url is empty");
	struct slack_api *api = xcalloc(1, sizeof(*api));
	api->curl = curl_easy_init();
	if (!api->curl) {
		free(api);
		return fail(cause, "cannot create a curl handle");
	}
	size_t n = strlen(api_url);
	api->base = api_url[n - 1] == '/' ? xstrdup(api_url) : xasprintf("%s/", api_url);
	strbuf_init(&api->body);
	api->retries = (int)env_number_or("REPORTBOT_HTTP_RETRIES", 0, 20, 4);
	api->backoff_ms = env_number_or("REPORTBOT_HTTP_BACKOFF_MS", 1, 600000, 500);
	api->timeout_ms = (long)env_number_or("REPORTBOT_HTTP_TIMEOUT_MS", 100, 3600000, 30000);
	api->seed = (unsigned)now_ms_monotonic() ^ (unsigned)(uintptr_t)api;
	*out = api;
	return 0;
}

void slack_api_free(struct slack_api *api)
{
	if (!api)
		return;
	curl_easy_cleanup(api->curl);
	strbuf_release(&api->body);
	free(api->base);
	free(api->last_permalink);
	free(api);
}

void slack_api_set_stop(struct slack_api *api, const atomic_int *stop)
{
	api->stop = stop;
}

const char *slack_api_last_error(const struct slack_api *api)
{
	return api->last_error;
}

const char *slack_api_last_permalink(const struct slack_api *api)
{
	return api->last_permalink;
}

int slack_api_last_retry_after(const struct slack_api *api)
{
	return api->last_retry_after;
}

static void set_last_error(struct slack_api *api, const char *code)
{
	snprintf(api->last_error, sizeof(api->last_error), "%s", code ? code : "");
}

static bool stopped(const struct slack_api *api)
{
	return api->stop && atomic_load(api->stop);
}

/* Sleep ms, waking early when stop is set. Returns -1 if stopped. */
static int sleep_ms(struct slack_api *api, int64_t ms)
{
	int64_t end = now_ms_monotonic() + ms;
	for (;;) {
		if (stopped(api))
			return -1;
		int64_t left = end - now_ms_monotonic();
		if (left <= 0)
			return 0;
		if (left > 50)
			left = 50;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)left * 1000000L };
		nanosleep(&ts, NULL);
	}
}

char *slack_redact(const char *s)
{
	if (!s)
		return NULL;
	struct strbuf sb;
	strbuf_init(&sb);
	const char *p = s;
	while (*p) {
		size_t prefix = 0;
		if (!strncmp(p, "xapp-", 5))
			prefix = 5;
		else if (!strncmp(p, "xox", 3) && p[3] && isalpha((unsigned char)p[3]) && p[4] == '-')
			prefix = 5;
		if (prefix) {
			const char *q = p + prefix;
			while (isalnum((unsigned char)*q) || *q == '-')
				q++;
			strbuf_adds(&sb, "[token]");
			p = q;
			continue;
		}
		strbuf_addc(&sb, *p++);
	}
	return strbuf_detach(&sb);
}

/* fail() with ERR (may be NULL) stripped of anything that looks like a token. */
static void fail_redacted(char **cause, const char *err)
{
	char *clean = slack_redact(err ? err : "unknown error");
	fail(cause, "%s", clean);
	free(clean);
}

/* ---- curl callbacks ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct slack_api *api = ud;
	size_t n = size * nmemb;
	if (api->body.len + n > RESPONSE_MAX)
		return 0;    /* aborts the transfer */
	strbuf_add(&api->body, data, n);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct slack_api *api = ud;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && !strncasecmp(data, name, sizeof(name) - 1)) {
		char tmp[32];
		size_t len = n - (sizeof(name) - 1);
		if (len >= sizeof(tmp))
			len = sizeof(tmp) - 1;
		memcpy(tmp, data + sizeof(name) - 1, len);
		tmp[len] = '\0';
		char *p = tmp;
		while (*p == ' ' || *p == '\t')
			p++;
		char *end;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (!errno && end != p && v >= 0)
			api->retry_after = v > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : (int)v;
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stopped(ud) ? 1 : 0;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
	FILE *f = ud;
	size_t n = fread(buf, 1, size * nitems, f);
	if (n == 0 && ferror(f))
		return CURL_READFUNC_ABORT;
	return n;
}

/* Options common to every request; the handle is reset first so a
 * previous upload's read function never leaks into a JSON call. */
static void prepare(struct slack_api *api, const char *url)
{
	CURL *c = api->curl;
	curl_easy_reset(c);
	strbuf_reset(&api->body);
	api->status = 0;
	api->retry_after = -1;
	api->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, api->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, api);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, api);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, api);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "reportbot/0.1 (+libcurl)");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	/* libcurl has its own CA path; honour OpenSSL's variable as the
	 * websocket (lws over OpenSSL) does, so one setting covers both */
	const char *ca = getenv("SSL_CERT_FILE");
	if (ca && *ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
}

/* Perform; 0 when an HTTP status came back, -1 on a transport failure
 * (*cause says which, without any header content). */
static int perform(struct slack_api *api, const char *what, char **cause)
{
	CURLcode rc = curl_easy_perform(api->curl);
	if (rc != CURLE_OK) {
		if (stopped(api))
			return fail(cause, "%s: stopped", what);
		char *detail = slack_redact(api->errbuf[0] ? api->errbuf : curl_easy_strerror(rc));
		fail(cause, "%s: cannot reach Slack: %s", what, detail);
		free(detail);
		return -1;
	}
	curl_easy_getinfo(api->curl, CURLINFO_RESPONSE_CODE, &api->status);
	return 0;
}

static bool retryable_status(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

/* Wait before the next try after a failure; -1 when stopped. */
static int wait_retry(struct slack_api *api, int attempt, const char *what)
{
	int64_t ms;
	if (api->status == 429 && api->retry_after >= 0)
		ms = (int64_t)api->retry_after * 1000;
	else
		ms = backoff_delay(api->backoff_ms, BACKOFF_CAP_MS, attempt, &api->seed);
	log_info("slack: %s: %s; retrying in %lld ms", what,
		 api->status ? (api->status == 429 ? "rate limited (429)" : "server error") : "network error",
		 (long long)ms);
	return sleep_ms(api, ms);
}

/* One HTTP request of a call path, as send_request tries it. */
struct request {
	const char *what;               /* method, "response_url", "file upload": logs, causes */
	const char *url;                /* borrowed */
	struct curl_slist *headers;     /* borrowed */
	int tries;                      /* at least 1 */
	/* Sets the body options on the freshly reset handle before each try;
	 * -1 with *err ends the request at once, without a retry. */
	int (*set_body)(struct slack_api *api, void *ctx, char **err);
	void *ctx;
};

/*
 * The one retry loop every Web API path goes through: send REQ up to
 * req->tries times, trying again after a network error, HTTP 429 (after
 * its Retry-After) or 5xx with backoff between tries, and never once
 * stopped. The last error and Retry-After start empty. Returns 0 when Slack answered HTTP 200 (the body is in
 * api->body). Otherwise -1 with the last error set: "network" and *err
 * (caller frees) for a transport failure, or "http" and *err NULL when
 * Slack answered another status (api->status), for the caller to word.
 */
static int send_request(struct slack_api *api, const struct request *req, char **err)
{
	*err = NULL;
	set_last_error(api, "");
	api->last_retry_after = 0;
	for (int attempt = 0; attempt < req->tries; attempt++) {
		bool last = attempt + 1 >= req->tries;
		free(*err);
		*err = NULL;
		prepare(api, req->url);
		curl_easy_setopt(api->curl, CURLOPT_HTTPHEADER, req->headers);
		if (req->set_body(api, req->ctx, err) < 0)
			return -1;
		if (perform(api, req->what, err) < 0) {
			set_last_error(api, "network");
			if (stopped(api) || last || wait_retry(api, attempt, req->what) < 0)
				return -1;
			continue;
		}
		if (api->status == 200)
			return 0;
		set_last_error(api, "http");
		if (api->status == 429)
			api->last_retry_after = api->retry_after > 0 ? api->retry_after : 0;
		if (!retryable_status(api->status) || last || wait_retry(api, attempt, req->what) < 0)
			return -1;
	}
	return -1;
}

/* set_body for a JSON POST: CTX is the body text, borrowed. */
static int set_json_body(struct slack_api *api, void *ctx, char **err)
{
	(void)err;
	curl_easy_setopt(api->curl, CURLOPT_POSTFIELDS, (const char *)ctx);
	curl_easy_setopt(api->curl, CURLOPT_TIMEOUT_MS, api->timeout_ms);
	return 0;
}

#define CONTENT_JSON "Content-Type: application/json; charset=utf-8"
#define CONTENT_FORM "Content-Type: application/x-www-form-urlencoded"

/* A POST of BODY to URL through send_request; headers say CONTENT_TYPE
 * (a whole header line), plus AUTH when not NULL. */
static int send_body(struct slack_api *api, const char *what, const char *url, const char *auth,
		     const char *content_type, const char *body, int tries, char **err)
{
	struct curl_slist *hdr = NULL;
	if (auth)
		hdr = curl_slist_append(hdr, auth);
	hdr = curl_slist_append(hdr, content_type);
	hdr = curl_slist_append(hdr, "Expect:");
	struct request req = {
		.what = what, .url = url, .headers = hdr, .tries = tries,
		.set_body = set_json_body, .ctx = (void *)body,
	};
	int rc = send_request(api, &req, err);
	curl_slist_free_all(hdr);
	return rc;
}

/* A JSON POST: send_body with the JSON content type. */
static int send_json(struct slack_api *api, const char *what, const char *url, const char *auth,
		     const char *body, int tries, char **err)
{
	return send_body(api, what, url, auth, CONTENT_JSON, body, tries, err);
}

/* The cause for a call that ended without HTTP 200 and without a
 * transport failure: Slack answered api->status. */
static char *http_refusal(const struct slack_api *api, const char *what)
{
	return xasprintf("%s: Slack answered HTTP %ld", what, api->status);
}

/* slack_api_call with the body's content type (a whole header line). */
static int api_call(struct slack_api *api, const char *token, const char *method, const char *content_type,
		    const char *body, int max_tries, struct slack_response *resp, char **cause)
{
	memset(resp, 0, sizeof(*resp));
	char *url = xasprintf("%s%s", api->base, method);
	char *auth = xasprintf("Authorization: Bearer %s", token ? token : "");
	int tries = max_tries > 0 ? max_tries : api->retries + 1;
	int rc = -1;
	char *err = NULL;
	int64_t t0 = now_ms_monotonic();

	if (send_body(api, method, url, auth, content_type, body ? body : "{}", tries, &err) < 0) {
		if (!err && api->status == 429) {
			set_last_error(api, "ratelimited");
			err = xasprintf("%s: %s", method, "Slack is rate limiting the bot; try again in a minute");
		} else if (!err) {
			err = http_refusal(api, method);
		}
		goto out;
	}
	char *perr = NULL;
	if (slack_response_parse(api->body.buf, api->body.len, resp, &perr) < 0) {
		set_last_error(api, "http");
		err = xasprintf("%s: %s", method, perr);
		free(perr);
		goto out;
	}
	if (!resp->ok) {
		set_last_error(api, resp->error);
		err = slack_error_words(resp->error, resp->needed);
		log_warn("slack: %s failed: %s%s%s", method, resp->error,
			 resp->detail ? ": " : "", resp->detail ? resp->detail : "");
		slack_response_release(resp);
		goto out;
	}
	if (resp->warning)
		log_debug("slack: %s warning: %s", method, resp->warning);
	rc = 0;
out:
	log_debug("slack: %s %s in %lld ms", method, rc == 0 ? "ok" : api->last_error,
		  (long long)(now_ms_monotonic() - t0));
	/* the header held the token: wipe it before freeing */
	memset(auth, 0, strlen(auth));
	free(auth);
	free(url);
	if (rc < 0)
		fail_redacted(cause, err);
	free(err);
	return rc;
}

int slack_api_call(struct slack_api *api, const char *token, const char *method,
		   const char *body, int max_tries, struct slack_response *resp, char **cause)
{
	return api_call(api, token, method, CONTENT_JSON, body, max_tries, resp, cause);
}

int slack_usergroup_members(struct slack_api *api, const char *token, const char *usergroup,
			    struct strlist *users, char **cause)
{
	/* usergroups.users.list takes no JSON body (Slack's method page):
	 * its arguments go form-encoded. */
	char *enc = curl_easy_escape(api->curl, usergroup, 0);
	if (!enc)
		return fail(cause, "usergroups.users.list: out of memory");
	char *body = xasprintf("usergroup=%s", enc);
	curl_free(enc);
	struct slack_response r;
	int rc = api_call(api, token, "usergroups.users.list", CONTENT_FORM, body, 0, &r, cause);
	free(body);
	if (rc < 0)
		return -1;
	*users = r.users;
	strlist_init(&r.users);
	slack_response_release(&r);
	return 0;
}

int slack_auth_test(struct slack_api *api, const char *token, struct slack_response *resp, char **cause)
{
	return slack_api_call(api, token, "auth.test", NULL, 0, resp, cause);
}

int slack_connections_open(struct slack_api *api, const char *app_token, char **url, char **cause)
{
	struct slack_response r;
	*url = NULL;
	if (slack_api_call(api, app_token, "apps.connections.open", NULL, 1, &r, cause) < 0)
		return -1;
	if (!r.url || !*r.url) {
		slack_response_release(&r);
		set_last_error(api, "http");
		return fail(cause, "apps.connections.open answered without a url");
	}
	*url = r.url;
	r.url = NULL;
	slack_response_release(&r);
	return 0;
}

int slack_post_message(struct slack_api *api, const char *token, const char *channel,
		       const char *text, char **cause)
{
	char *body = slack_json_post_message(channel, text);
	struct slack_response r;
	int rc = slack_api_call(api, token, "chat.postMessage", body, 0, &r, cause);
	free(body);
	if (rc == 0)
		slack_response_release(&r);
	return rc;
}

int slack_post_ephemeral(struct slack_api *api, const char *token, const char *channel,
			 const char *user, const char *text, char **cause)
{
	char *body = slack_json_post_ephemeral(channel, user, text);
	struct slack_response r;
	int rc = slack_api_call(api, token, "chat.postEphemeral", body, 0, &r, cause);
	free(body);
	if (rc == 0)
		slack_response_release(&r);
	return rc;
}

int slack_post_response_url(struct slack_api *api, const char *response_url,
			    const char *text, char **cause)
{
	char *body = slack_json_response(text);
	int rc = slack_post_response_json(api, response_url, body, cause);
	free(body);
	return rc;
}

int slack_post_response_json(struct slack_api *api, const char *response_url,
			     const char *body, char **cause)
{
	if (!response_url || (strncmp(response_url, "https://", 8) && strncmp(response_url, "http://", 7)))
		return fail(cause, "no usable response_url");
	char *err = NULL;
	int rc = send_json(api, "response_url", response_url, NULL, body, 2, &err);
	if (rc < 0 && !err)
		err = http_refusal(api, "response_url");
	if (rc < 0)
		fail_redacted(cause, err);
	free(err);
	return rc;
}

/* The file put_file streams, rewound before each try. */
struct upload_body {
	FILE *f;
	const char *path;
	int64_t size;
};

/* set_body for the raw upload: CTX is a struct upload_body. */
static int set_file_body(struct slack_api *api, void *ctx, char **err)
{
	struct upload_body *u = ctx;
	if (fseek(u->f, 0, SEEK_SET) < 0)
		return fail(err, "cannot rewind %s: %s", u->path, strerror(errno));
	curl_easy_setopt(api->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(api->curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(api->curl, CURLOPT_READDATA, u->f);
	curl_easy_setopt(api->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u->size);
	/* no total timeout for a big file, but a stalled one fails */
	curl_easy_setopt(api->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(api->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	return 0;
}

/* POST the file's bytes to upload_url as a raw body, streamed from disk. */
static int put_file(struct slack_api *api, const char *upload_url, const char *path,
		    int64_t size, char **cause)
{
	struct upload_body u = { .f = fopen(path, "rb"), .path = path, .size = size };
	if (!u.f)
		return fail(cause, "cannot open the result file %s: %s", path, strerror(errno));
	struct curl_slist *hdr = NULL;
	hdr = curl_slist_append(hdr, "Content-Type: application/octet-stream");
	hdr = curl_slist_append(hdr, "Expect:");
	struct request req = {
		.what = "file upload", .url = upload_url, .headers = hdr, .tries = api->retries + 1,
		.set_body = set_file_body, .ctx = &u,
	};
	char *err = NULL;
	int rc = send_request(api, &req, &err);
	fclose(u.f);
	curl_slist_free_all(hdr);
	if (rc < 0 && !err)
		err = xasprintf("the file upload was refused (HTTP %ld)", api->status);
	if (rc < 0)
		fail_redacted(cause, err);
	free(err);
	return rc;
}

/* ---- the result post (issue 12) ---- */

/* getUploadURLExternal, then the bytes: *file_id (owned by the caller) and
 * *size of the uploaded file. */
static int upload_start(struct slack_api *api, const char *token, const char *path,
			const char *filename, char **file_id, int64_t *size, char **cause)
{
	struct stat st;
	*file_id = NULL;
	if (stat(path, &st) < 0)
		return fail(cause, "cannot read the result file %s: %s", path, strerror(errno));
	char *body = slack_json_get_upload_url(filename, (int64_t)st.st_size);
	struct slack_response r;
	int rc = slack_api_call(api, token, "files.getUploadURLExternal", body, 0, &r, cause);
	free(body);
	if (rc < 0)
		return -1;
	if (!r.upload_url || !r.file_id) {
		slack_response_release(&r);
		return fail(cause, "files.getUploadURLExternal answered without upload_url or file_id");
	}
	char *upload_url = r.upload_url, *id = r.file_id;
	r.upload_url = r.file_id = NULL;
	slack_response_release(&r);
	rc = put_file(api, upload_url, path, (int64_t)st.st_size, cause);
	free(upload_url);
	if (rc < 0) {
		free(id);
		return -1;
	}
	*file_id = id;
	*size = (int64_t)st.st_size;
	return 0;
}

int slack_upload_start(struct slack_api *api, const char *token, const char *path,
		       const char *filename, char **file_id, char **cause)
{
	int64_t size;
	return upload_start(api, token, path, filename, file_id, &size, cause);
}

/* files.completeUploadExternal with BODY (freed here); keeps the file's
 * permalink in api->last_permalink (the asker's "done" line links it). */
static int complete_upload(struct slack_api *api, const char *token, char *body, char **cause)
{
	struct slack_response r;
	int rc = slack_api_call(api, token, "files.completeUploadExternal", body, 0, &r, cause);
	free(body);
	free(api->last_permalink);
	api->last_permalink = NULL;
	if (rc == 0) {
		api->last_permalink = r.permalink;   /* taken */
		r.permalink = NULL;
		slack_response_release(&r);
	}
	return rc;
}

int slack_upload_file(struct slack_api *api, const char *token, const char *path,
		      const char *filename, const char *channel_id,
		      const char *initial_comment, char **cause)
{
	int64_t t0 = now_ms_monotonic();
	char *file_id = NULL;
	int64_t size = 0;
	if (upload_start(api, token, path, filename, &file_id, &size, cause) < 0)
		return -1;
	int rc = complete_upload(api, token,
				 slack_json_complete_upload(file_id, filename, channel_id, initial_comment),
				 cause);
	if (rc == 0)
		log_debug("slack: uploaded %s (%lld bytes) to %s in %lld ms", filename,
			  (long long)size, channel_id ? channel_id : "-",
			  (long long)(now_ms_monotonic() - t0));
	free(file_id);
	return rc;
}

int slack_upload_complete(struct slack_api *api, const char *token, const char *file_id,
			  const char *title, const char *channel_id, json_t *blocks,
			  const char *thread_ts, char **cause)
{
	return complete_upload(api, token,
			       slack_json_complete_upload_blocks(file_id, title, channel_id, blocks, thread_ts),
			       cause);
}

int slack_post_message_blocks(struct slack_api *api, const char *token, const char *channel,
		      const char *text, json_t *blocks, const char *thread_ts,
		      char **ts, char **cause)
{
	if (ts)
		*ts = NULL;
	char *body = slack_json_post_blocks(channel, text, blocks, thread_ts);
	struct slack_response r;
	int rc = slack_api_call(api, token, "chat.postMessage", body, 0, &r, cause);
	free(body);
	if (rc == 0) {
		if (ts) {
			*ts = r.ts;
			r.ts = NULL;
		}
		slack_response_release(&r);
	}
	return rc;
}
