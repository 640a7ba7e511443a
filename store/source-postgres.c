/*
 * source-postgres.c: the PostgreSQL data source (libpq), and what speaks
 * its protocol.
 *
 * One connection per struct source, opened on first use and opened again
 * after it was lost. The session is UTF-8 with default_transaction_read_only
 * on, DateStyle ISO, IntervalStyle postgres and bytea_output hex; every run
 * is one transaction, BEGIN READ ONLY … ROLLBACK, so neither a write nor a
 * SET of the report outlives it.
 *
 * Parameters: the command layer writes each placeholder as '?'; they become
 * $1, $2, … (pg_numbered_sql) and are sent apart from the statement
 * (PQsendQueryParams) as text of unknown type, so the server types each one
 * from where it stands, as it would a quoted literal. Nothing is pasted.
 *
 * Rows: the text format, i.e. exactly the bytes `psql --csv` prints (t/f,
 * numeric exact, ISO dates, intervals, arrays, json, bytea as \x…). They
 * stream in single-row mode, one PGresult per row, freed at the next row:
 * memory is flat. A server-side cursor fetched in batches (DECLARE … CURSOR,
 * FETCH FORWARD 1000 or 10000; commit 2f64fff) was measured against it on
 * 5M rows (bench/postgres): single-row mode 6.0 s median wall, the cursor
 * 8.2 s (1.37x slower) though it spends less client CPU (1.5 s against
 * 2.3 s), because the server waits for each FETCH while single-row mode
 * keeps it sending. A cursor also takes only SELECT and VALUES.
 *
 * Timeouts and cancellation: timeout_ms is enforced by the server (SET
 * LOCAL statement_timeout) and by a watchdog thread per source, which at the
 * deadline or on source_cancel sends a cancel request (PQcancel) for the
 * running query. If that fails, or the server does not stop within a few
 * seconds, it shuts the socket down so the worker never hangs; the next run
 * reconnects. A cancel only affects a statement that is running.
 */
#include "common.h"
#include "store/source-postgres.h"

#include "common/sql-lex.h"
#include "common/strbuf.h"
#include "common/toml.h"

#include "store/source-watchdog.h"

#include <libpq-fe.h>

/* Milliseconds to wait after a cancel request before shutting the socket down. */
#define CANCEL_GRACE_MS 5000

struct pg_source {
	struct source base;         /* first: source.c dispatches through it */
	PGconn *conn;               /* NULL until connected, or after a loss */

	/* The running statement. */
	bool in_tx;                 /* BEGIN READ ONLY sent, ROLLBACK owed */
	bool busy;                  /* a result is being read (PQgetResult owed) */
	PGresult *res;              /* the current row's result (single-row), or NULL */
	bool row_pending;           /* res holds a row execute read, not yet given */
	size_t ncols;
	char **colnames;
	const char **vals;
	size_t *lens;

	/* A cancel request at the deadline or on source_cancel; its target is
	 * the connection's PGcancel (owned here, freed on drop_connection). */
	struct watchdog wd;
	int64_t timeout_ms;         /* of the running statement, for messages */
};

static const char *src_name(const struct pg_source *s)
{
	return s->base.cfg->name ? s->base.cfg->name : "?";
}

static const struct pg_settings *settings_of(const struct pg_source *s)
{
	return s->base.cfg->settings;
}

/* ---------------------------------------------------------------------
 * Placeholders: '?' to $N, lexed as the command layer lexes (common/sql-lex.h)
 */

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

char *pg_numbered_sql(const char *sql, size_t *nparams, char **cause)
{
	size_t len = strlen(sql);
	struct strbuf out;
	strbuf_init(&out);
	*nparams = 0;
	size_t i = 0;
	while (i < len) {
		char c = sql[i];
		size_t start = i;
		size_t past_comment = sql_skip_comment(sql, len, i, NULL);
		if (c == '\'' || c == '"' || c == '`') {
			i = sql_skip_quoted(sql, len, i, NULL);
		} else if (past_comment > i) {
			i = past_comment;
		} else if (c == '?') {
			(*nparams)++;
			strbuf_addf(&out, "$%zu", *nparams);
			i++;
			continue;
		} else if (c == '$' && i + 1 < len && sql[i + 1] >= '0' && sql[i + 1] <= '9' &&
			   (i == 0 || !ident_char(sql[i - 1]))) {
			strbuf_release(&out);
			fail(cause, "the statement holds a positional parameter $%c; parameters are "
			     "written :name", sql[i + 1]);
			return NULL;
		} else {
			i++;
		}
		strbuf_add(&out, sql + start, i - start);
	}
	return strbuf_detach(&out);
}

/* ---------------------------------------------------------------------
 * Connections
 */

static const char *where(const struct pg_settings *cfg, char *buf, size_t n)
{
	const char *host = cfg->host && *cfg->host ? cfg->host : "127.0.0.1";
	int port = cfg->port > 0 ? cfg->port : 5432;
	if (host[0] == '/')
		snprintf(buf, n, "socket directory %s (port %d)", host, port);
	else
		snprintf(buf, n, "%s:%d", host, port);
	return buf;
}

/* libpq's message, first line, without its "connection to server at … failed: ". */
static void short_message(const char *msg, char *buf, size_t n)
{
	const char *p = msg ? msg : "";
	const char *f = strstr(p, " failed: ");
	if (f && strncmp(p, "connection to server", 20) == 0)
		p = f + 9;
	while (*p == ' ')
		p++;
	if (strncmp(p, "FATAL:  ", 8) == 0)
		p += 8;
	size_t k = strcspn(p, "\n");
	if (k >= n)
		k = n - 1;
	memcpy(buf, p, k);
	buf[k] = '\0';
}

/* The words for a failed connection attempt; conn is finished. */
static enum source_result connect_failure(struct pg_source *s, PGconn *conn, char **cause)
{
	const struct pg_settings *cfg = settings_of(s);
	char at[300], msg[400];
	const char *user = cfg->user ? cfg->user : "";
	const char *db = cfg->database ? cfg->database : "";
	const char *e = conn ? PQerrorMessage(conn) : NULL;
	enum source_result r = SOURCE_ECONNECT;
	short_message(e, msg, sizeof(msg));
	if (!conn) {
		fail(cause, "source '%s': out of memory starting a connection", src_name(s));
	} else if (strstr(msg, "password authentication failed") || strstr(msg, "no password supplied") ||
		   strstr(msg, "authentication failed for user") ||
		   (strstr(msg, "role \"") && strstr(msg, "\" does not exist"))) {
		r = SOURCE_EAUTH;
		fail(cause, "source '%s': access denied for user '%s' at %s (wrong user or password)",
		     src_name(s), user, where(cfg, at, sizeof(at)));
	} else if (strstr(msg, "permission denied for database") ||
		   strstr(msg, "no pg_hba.conf entry")) {
		r = SOURCE_EAUTH;
		fail(cause, "source '%s': user '%s' may not use database '%s' at %s", src_name(s), user, db,
		     where(cfg, at, sizeof(at)));
	} else if (strstr(msg, "database \"") && strstr(msg, "\" does not exist")) {
		fail(cause, "source '%s': unknown database '%s' at %s", src_name(s), db,
		     where(cfg, at, sizeof(at)));
	} else {
		fail(cause, "source '%s': cannot connect to the server at %s: %s", src_name(s),
		     where(cfg, at, sizeof(at)), msg);
	}
	PQfinish(conn);
	return r;
}

static void drop_connection(struct pg_source *s)
{
	/* Forget the socket and the canceller first, after any cancel in
	 * flight: the watchdog must never use them once they are gone. */
	PGcancel *c = watchdog_detach(&s->wd);
	if (c)
		PQfreeCancel(c);
	PQclear(s->res);
	s->res = NULL;
	s->row_pending = false;
	s->busy = false;
	s->in_tx = false;
	if (s->conn) {
		PQfinish(s->conn);
		s->conn = NULL;
	}
}

/* The session settings every run relies on. */
static const char session_sql[] =
	"SET default_transaction_read_only = on; SET DateStyle = 'ISO, MDY'; "
	"SET IntervalStyle = 'postgres'; SET bytea_output = 'hex'";

static enum source_result ensure_connected(struct pg_source *s, char **cause)
{
	if (s->conn)
		return SOURCE_OK;
	const struct pg_settings *cfg = settings_of(s);
	char port[16], ct[16];
	snprintf(port, sizeof(port), "%d", cfg->port > 0 ? cfg->port : 5432);
	snprintf(ct, sizeof(ct), "%d", cfg->connect_timeout > 0 ? cfg->connect_timeout : 10);
	const char *keys[12], *vals[12];
	size_t n = 0;
#define KV(k, v) do { const char *v_ = (v); if (v_ && *v_) { keys[n] = (k); vals[n] = v_; n++; } } while (0)
	KV("host", cfg->host && *cfg->host ? cfg->host : "127.0.0.1");
	KV("port", port);
	KV("user", cfg->user);
	KV("password", cfg->password);
	KV("dbname", cfg->database);
	KV("connect_timeout", ct);
	KV("sslmode", cfg->sslmode);
	KV("sslrootcert", cfg->sslrootcert);
	KV("application_name", "reportbot");
	KV("client_encoding", "UTF8");
#undef KV
	keys[n] = NULL;
	vals[n] = NULL;
	/* expand_dbname 0: a database name is a name, never a conninfo. */
	PGconn *c = PQconnectdbParams(keys, vals, 0);
	if (!c || PQstatus(c) != CONNECTION_OK)
		return connect_failure(s, c, cause);
	PGresult *res = PQexec(c, session_sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char msg[400];
		short_message(PQresultErrorMessage(res), msg, sizeof(msg));
		fail(cause, "source '%s': cannot prepare the read-only session: %s", src_name(s), msg);
		PQclear(res);
		PQfinish(c);
		return SOURCE_ECONNECT;
	}
	PQclear(res);
	s->conn = c;
	PGcancel *canceller = PQgetCancel(c);
	watchdog_attach(&s->wd, canceller, PQsocket(c));
	return SOURCE_OK;
}

/* ---------------------------------------------------------------------
 * The watchdog: a cancel request at the deadline or on source_cancel
 */

/* The watchdog's stop: target is the connection's PGcancel. */
static int send_cancel(void *driver, void *target)
{
	(void)driver;
	char err[256];
	return PQcancel(target, err, (int)sizeof(err)) ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * Errors in words: never the SQL, never the password
 */

static enum source_result kill_result(struct pg_source *s, int reason, char **cause)
{
	return watchdog_result(src_name(s), reason, s->timeout_ms, cause);
}

/* Line of the 1-based character position pos in sql (0 when unknown). */
static long line_of(const char *sql, const char *pos)
{
	long p = pos ? strtol(pos, NULL, 10) : 0;
	if (p <= 0 || !sql)
		return 0;
	long line = 1, chars = 0;
	for (const unsigned char *c = (const unsigned char *)sql; *c && chars < p - 1; c++) {
		if ((*c & 0xC0) != 0x80)
			chars++;
		if (*c == '\n')
			line++;
	}
	return line;
}

/*
 * Words for a failed result (res may be NULL: the connection's error).
 * *lost says the connection is gone. The server's primary message names a
 * column or a type, never the statement; its position becomes a line.
 */
static enum source_result result_failure(struct pg_source *s, const PGresult *res, const char *sql,
					 bool *lost, char **cause)
{
	*lost = !s->conn || PQstatus(s->conn) != CONNECTION_OK;
	int reason = watchdog_reason(&s->wd);
	if (reason != WATCHDOG_NONE)
		return kill_result(s, reason, cause);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[400];
	if (!primary) {
		short_message(res ? PQresultErrorMessage(res) : s->conn ? PQerrorMessage(s->conn) : "", msg,
			      sizeof(msg));
		primary = msg;
	}
	if (!state)
		state = "";
	if (*lost || strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
		*lost = true;
		fail(cause, "source '%s': lost the connection to the server (%s)", src_name(s),
		     *primary ? primary : "no reason given");
		return SOURCE_ECONNECT;
	}
	if (strcmp(state, "57014") == 0) {
		if (strstr(primary, "statement timeout"))
			return kill_result(s, WATCHDOG_TIMEOUT, cause);
		fail(cause, "source '%s': the query was cancelled on the server", src_name(s));
		return SOURCE_EQUERY;
	}
	if (strcmp(state, "25006") == 0) {
		fail(cause, "source '%s': the session is read-only; a report cannot change data", src_name(s));
		return SOURCE_EQUERY;
	}
	if (strcmp(state, "42601") == 0) {
		long line = line_of(sql, res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL);
		if (line > 0)
			fail(cause, "source '%s': SQL syntax error at line %ld of the statement (%s)", src_name(s),
			     line, primary);
		else
			fail(cause, "source '%s': SQL syntax error in the statement (%s)", src_name(s), primary);
		return SOURCE_EQUERY;
	}
	if (strcmp(state, "42501") == 0) {
		fail(cause, "source '%s': the user may not read this: %s", src_name(s), primary);
		return SOURCE_EQUERY;
	}
	if (strcmp(state, "42P18") == 0) {
		fail(cause, "source '%s': the server cannot tell the type of a parameter (%s); give it "
		     "one with a cast, e.g. :name::text or :name::date", src_name(s), primary);
		return SOURCE_EBIND;
	}
	if (strncmp(state, "22", 2) == 0 || strcmp(state, "42P08") == 0) {
		fail(cause, "source '%s': a value does not fit the query: %s", src_name(s), primary);
		return SOURCE_EBIND;
	}
	fail(cause, "source '%s': the query failed: %s (SQLSTATE %s)", src_name(s), primary, state);
	return SOURCE_EQUERY;
}

/* Run a command that returns no rows; 0 or -1 with the result in *failed. */
static int simple(struct pg_source *s, const char *sql, PGresult **failed)
{
	*failed = NULL;
	PGresult *res = PQexec(s->conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return 0;
	}
	*failed = res;
	return -1;
}

/* ---------------------------------------------------------------------
 * Statement state
 */

static void free_result_state(struct pg_source *s)
{
	for (size_t i = 0; i < s->ncols; i++)
		free(s->colnames[i]);
	free(s->colnames);
	free(s->vals);
	free(s->lens);
	s->colnames = NULL;
	s->vals = NULL;
	s->lens = NULL;
	s->ncols = 0;
}

/*
 * End the running statement: a result abandoned half-way is cancelled and
 * drained, the transaction rolled back. When any of that fails the
 * connection is dropped and the next run connects again.
 */
static void finish_statement(struct pg_source *s, bool conn_lost)
{
	PQclear(s->res);
	s->res = NULL;
	s->row_pending = false;
	if (!conn_lost && s->conn && s->busy) {
		if (watchdog_reason(&s->wd) == WATCHDOG_NONE && watchdog_stop_now(&s->wd))
			conn_lost = true;
		PGresult *r;
		while (!conn_lost && (r = PQgetResult(s->conn)) != NULL)
			PQclear(r);
	}
	s->busy = false;
	watchdog_disarm(&s->wd);
	if (!conn_lost && s->conn && s->in_tx) {
		PGresult *failed;
		if (simple(s, "ROLLBACK", &failed))
			conn_lost = true;
		PQclear(failed);
	}
	s->in_tx = false;
	if (conn_lost || (s->conn && PQstatus(s->conn) != CONNECTION_OK))
		drop_connection(s);
}

static void take_columns(struct pg_source *s, const PGresult *res)
{
	s->ncols = (size_t)PQnfields(res);
	s->colnames = xcalloc(s->ncols ? s->ncols : 1, sizeof(*s->colnames));
	s->vals = xcalloc(s->ncols ? s->ncols : 1, sizeof(*s->vals));
	s->lens = xcalloc(s->ncols ? s->ncols : 1, sizeof(*s->lens));
	for (size_t i = 0; i < s->ncols; i++)
		s->colnames[i] = xstrdup(PQfname(res, (int)i));
}

/* ---------------------------------------------------------------------
 * Driver entry points
 */

static enum source_result pg_open(struct source **out, const struct source_config *cfg, char **cause)
{
	(void)cause;
	struct pg_source *s = xcalloc(1, sizeof(*s));
	s->base.cfg = cfg;
	watchdog_init(&s->wd, send_cancel, s, CANCEL_GRACE_MS);
	*out = &s->base;
	return SOURCE_OK;
}

/*
 * Connect if needed and open the run's transaction with its timeout.
 * *lost: the connection turned out to be dead (safe to retry: nothing ran).
 */
static enum source_result begin(struct pg_source *s, int64_t timeout_ms, bool *lost, char **cause)
{
	*lost = false;
	enum source_result r = ensure_connected(s, cause);
	if (r != SOURCE_OK)
		return r;
	char q[128];
	if (timeout_ms > 0)
		snprintf(q, sizeof(q), "BEGIN READ ONLY; SET LOCAL statement_timeout = %lld",
			 (long long)timeout_ms);
	else
		snprintf(q, sizeof(q), "BEGIN READ ONLY");
	PGresult *failed;
	if (simple(s, q, &failed) == 0) {
		s->in_tx = true;
		return SOURCE_OK;
	}
	r = result_failure(s, failed, NULL, lost, cause);
	PQclear(failed);
	return r;
}

/* begin, reconnecting once when a kept connection turns out dead. */
static enum source_result begin_retry(struct pg_source *s, int64_t timeout_ms, char **cause)
{
	for (int attempt = 0;; attempt++) {
		bool fresh = s->conn == NULL;
		bool lost;
		enum source_result r = begin(s, timeout_ms, &lost, cause);
		if (r == SOURCE_OK)
			return r;
		if (lost)
			drop_connection(s);
		if (lost && !fresh && attempt == 0 && watchdog_reason(&s->wd) == WATCHDOG_NONE) {
			if (cause) {
				free(*cause);
				*cause = NULL;
			}
			continue;
		}
		return r;
	}
}

/* pg_numbered_sql, its refusal worded for source S. */
static char *numbered_sql(struct pg_source *s, const char *sql, size_t *nparams, char **cause)
{
	char *numbered = pg_numbered_sql(sql, nparams, cause);
	if (!numbered) {
		char *why = cause ? *cause : NULL;
		if (cause)
			*cause = NULL;
		fail(cause, "source '%s': %s", src_name(s), why ? why : "bad statement");
		free(why);
	}
	return numbered;
}

static enum source_result pg_execute(struct source *base, const char *sql, const struct bind_value *binds,
				     size_t nbinds, int64_t timeout_ms, char **cause)
{
	struct pg_source *s = (struct pg_source *)base;
	bool lost = false;
	finish_statement(s, false);
	free_result_state(s);
	size_t want = 0;
	char *numbered = numbered_sql(s, sql, &want, cause);
	if (!numbered)
		return SOURCE_EQUERY;
	if (want != nbinds) {
		free(numbered);
		return source_bind_mismatch(base, want, nbinds, cause);
	}
	if (watchdog_start(&s->wd, src_name(s), cause)) {
		free(numbered);
		return SOURCE_EQUERY;
	}
	s->timeout_ms = timeout_ms;
	watchdog_arm(&s->wd, timeout_ms);

	enum source_result r = begin_retry(s, timeout_ms, cause);
	if (r != SOURCE_OK) {
		free(numbered);
		finish_statement(s, true);
		return r;
	}
	/* Timed out or cancelled while connecting: do not start it. */
	int reason = watchdog_reason(&s->wd);
	if (reason != WATCHDOG_NONE) {
		free(numbered);
		finish_statement(s, false);
		return kill_result(s, reason, cause);
	}

	const char **values = xcalloc(nbinds ? nbinds : 1, sizeof(*values));
	char (*ints)[24] = xcalloc(nbinds ? nbinds : 1, sizeof(*ints));
	for (size_t i = 0; i < nbinds; i++) {
		if (binds[i].kind == BIND_INT) {
			snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)binds[i].i);
			values[i] = ints[i];
		} else {
			values[i] = binds[i].text ? binds[i].text : "";
		}
	}
	int sent = PQsendQueryParams(s->conn, numbered, (int)nbinds, NULL, values, NULL, NULL, 0);
	free(values);
	free(ints);
	if (!sent) {
		r = result_failure(s, NULL, numbered, &lost, cause);
		goto fail_stmt;
	}
	s->busy = true;
	PQsetSingleRowMode(s->conn);
	/* The first result: the first row, or the whole (empty) answer. */
	PGresult *res = PQgetResult(s->conn);
	switch (PQresultStatus(res)) {
	case PGRES_SINGLE_TUPLE:
		take_columns(s, res);
		s->res = res;
		s->row_pending = true;
		break;
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		take_columns(s, res);
		PQclear(res);
		while ((res = PQgetResult(s->conn)) != NULL)
			PQclear(res);
		s->busy = false;
		break;
	default:
		r = result_failure(s, res, numbered, &lost, cause);
		PQclear(res);
		goto fail_stmt;
	}
	free(numbered);
	return SOURCE_OK;

fail_stmt:
	free(numbered);
	finish_statement(s, lost);
	return r;
}

static size_t pg_ncols(struct source *base)
{
	return ((struct pg_source *)base)->ncols;
}

static const char *pg_colname(struct source *base, size_t i)
{
	struct pg_source *s = (struct pg_source *)base;
	return i < s->ncols ? s->colnames[i] : NULL;
}

static void fill_row(struct pg_source *s, const PGresult *res, int k, struct source_row *row)
{
	for (size_t i = 0; i < s->ncols; i++) {
		if (PQgetisnull(res, k, (int)i)) {
			s->vals[i] = NULL;
			s->lens[i] = 0;
		} else {
			s->vals[i] = PQgetvalue(res, k, (int)i);
			s->lens[i] = (size_t)PQgetlength(res, k, (int)i);
		}
	}
	row->ncols = s->ncols;
	row->vals = s->vals;
	row->lens = s->lens;
}

static enum source_result pg_next(struct source *base, struct source_row *row, char **cause)
{
	struct pg_source *s = (struct pg_source *)base;
	if (s->row_pending) {
		s->row_pending = false;
		fill_row(s, s->res, 0, row);
		return SOURCE_ROW;
	}
	PQclear(s->res);
	s->res = NULL;
	if (!s->busy) {
		int reason = watchdog_reason(&s->wd);
		finish_statement(s, false);
		return reason != WATCHDOG_NONE ? kill_result(s, reason, cause) : SOURCE_DONE;
	}
	PGresult *res = PQgetResult(s->conn);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_SINGLE_TUPLE) {
		s->res = res;
		fill_row(s, res, 0, row);
		return SOURCE_ROW;
	}
	if (st == PGRES_TUPLES_OK) {
		PQclear(res);
		while ((res = PQgetResult(s->conn)) != NULL)
			PQclear(res);
		s->busy = false;
		int reason = watchdog_reason(&s->wd);
		finish_statement(s, false);
		return reason != WATCHDOG_NONE ? kill_result(s, reason, cause) : SOURCE_DONE;
	}
	bool lost;
	enum source_result r = result_failure(s, res, NULL, &lost, cause);
	PQclear(res);
	if (!lost) {
		while ((res = PQgetResult(s->conn)) != NULL)
			PQclear(res);
	}
	s->busy = false;
	finish_statement(s, lost);
	return r;
}

static enum source_result pg_check(struct source *base, const char *sql, size_t *nparams,
				   struct strlist *columns, char **cause)
{
	struct pg_source *s = (struct pg_source *)base;
	finish_statement(s, false);
	free_result_state(s);
	watchdog_clear_reason(&s->wd);   /* a past run's timeout is not ours */
	char *numbered = numbered_sql(s, sql, nparams, cause);
	if (!numbered)
		return SOURCE_EQUERY;
	enum source_result r = SOURCE_OK;
	bool lost = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		bool fresh = s->conn == NULL;
		r = ensure_connected(s, cause);
		if (r != SOURCE_OK)
			break;
		/* The unnamed statement: prepared, described, replaced by the next. */
		PGresult *res = PQprepare(s->conn, "", numbered, 0, NULL);
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			res = PQdescribePrepared(s->conn, "");
		}
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			*nparams = (size_t)PQnparams(res);   /* the server's count is the one that binds */
			for (int i = 0; columns && i < PQnfields(res); i++)
				strlist_push(columns, xstrdup(PQfname(res, i)));
			PQclear(res);
			r = SOURCE_OK;
			break;
		}
		r = result_failure(s, res, numbered, &lost, cause);
		PQclear(res);
		if (!lost)
			break;
		drop_connection(s);
		if (fresh || attempt > 0)
			break;
		if (cause) {
			free(*cause);
			*cause = NULL;
		}
	}
	free(numbered);
	return r;
}

static void pg_cancel(struct source *base)
{
	struct pg_source *s = (struct pg_source *)base;
	if (!s)
		return;
	watchdog_cancel(&s->wd);
}

static void pg_close_source(struct source *base)
{
	struct pg_source *s = (struct pg_source *)base;
	if (!s)
		return;
	finish_statement(s, false);
	free_result_state(s);
	drop_connection(s);
	watchdog_destroy(&s->wd);
	free(s);
}

/* ---------------------------------------------------------------------
 * The config keys and the descriptor
 */

#define PG_STR(k, f, d) CONFIG_KEY_STR(struct pg_settings, k, f, CONFIG_NONEMPTY, d)

static const struct config_key pg_keys[] = {
	PG_STR("host", host, "127.0.0.1"),
	CONFIG_KEY_INT(struct pg_settings, "port", port, 1, 65535, 5432),
	{ "user", CONFIG_STR, offsetof(struct pg_settings, user), 0, 0, 0,
	  CONFIG_NONEMPTY | CONFIG_REQUIRED, NULL, 0, NULL },
	PG_STR("password_env", password_env, NULL),
	{ "database", CONFIG_STR, offsetof(struct pg_settings, database), 0, 0, 0,
	  CONFIG_NONEMPTY | CONFIG_REQUIRED, NULL, 0, NULL },
	CONFIG_KEY_INT(struct pg_settings, "connect_timeout", connect_timeout, 1, 3600, 10),
	PG_STR("sslmode", sslmode, "prefer"),
	PG_STR("sslrootcert", sslrootcert, NULL),
};

static const char *const sslmodes[] = { "disable", "allow", "prefer", "require", "verify-ca", "verify-full" };

/* password_env names a variable that must be set; sslmode is one of libpq's. */
static void pg_validate(void *settings, const struct toml_value *t, const char *section,
			struct config_faults *F)
{
	struct pg_settings *ps = settings;
	if (ps->sslmode) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(sslmodes); i++)
			known = known || strcmp(ps->sslmode, sslmodes[i]) == 0;
		const struct toml_value *v = toml_table_get(t, "sslmode");
		if (!known && v) {
			char *names = config_join(sslmodes, ARRAY_SIZE(sslmodes));
			config_fault(F, v->line, v->column, "[%s] sslmode = \"%s\": unknown mode; accepted: %s",
				     section, ps->sslmode, names);
			free(names);
		}
	}
	if (!ps->password_env)
		return;
	source_password_from_env(ps->password_env, t, section, &ps->password, F);
}

static void pg_release(void *settings)
{
	source_password_release(&((struct pg_settings *)settings)->password);
}

const struct source_driver source_driver_postgres = {
	.name = "postgres",
	.keys = pg_keys,
	.nkeys = ARRAY_SIZE(pg_keys),
	.settings_size = sizeof(struct pg_settings),
	.validate = pg_validate,
	.release = pg_release,
	.open = pg_open,
	.execute = pg_execute,
	.ncols = pg_ncols,
	.colname = pg_colname,
	.next = pg_next,
	.check = pg_check,
	.cancel = pg_cancel,
	.close = pg_close_source,
};
