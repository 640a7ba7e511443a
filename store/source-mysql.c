/*
 * source-mysql.c: the MySQL/MariaDB data source (libmariadb, mysql.h).
 *
 * One connection per struct source, opened on first use and opened again
 * after it was lost. The session is utf8mb4 and read-only. A statement is a
 * server-side prepared statement with bound parameters; rows are fetched
 * one at a time from the network (no mysql_stmt_store_result), so memory
 * stays flat whatever the row count.
 *
 * Text of each value: the same bytes the `mariadb` client prints with
 * --batch --raw, i.e. what the server's text protocol sends:
 *   integers        decimal, ZEROFILL padded to the display width
 *   FLOAT/DOUBLE    shortest text that reads back (FLOAT: at most 6
 *                   significant digits), in the server's choice of fixed or
 *                   exponent form; a declared scale (FLOAT(7,2)) is fixed
 *   DECIMAL, JSON, ENUM, SET, strings, BLOB/BINARY, GEOMETRY
 *                   the bytes as sent (binary data stays binary)
 *   DATE/DATETIME/TIMESTAMP/TIME
 *                   with exactly the declared fractional digits
 *   YEAR            four digits (a YEAR column is ZEROFILL)
 *   BIT             the unsigned decimal number (what `b+0` prints). The
 *                   client prints the raw bytes, which is unreadable in a CSV
 *                   (b'1' is byte 0x01); this is the one deliberate
 *                   difference.
 *   NULL            a NULL pointer
 *
 * Timeouts and cancellation: timeout_ms is enforced by the server (session
 * max_statement_time on MariaDB, max_execution_time on MySQL) and by a
 * watchdog thread per source, which at the deadline or on source_cancel opens
 * a second short connection and sends KILL QUERY for our connection's
 * thread id. If that fails, or the server does not stop within a few seconds,
 * it shuts the socket down so the worker never hangs; the next run reconnects.
 *
 * A cancel only affects a statement that is running (from the start of
 * source_execute until its result is finished); otherwise it is ignored.
 */
#include "common.h"
#include "store/source-mysql.h"

#include "common/toml.h"
#include "store/mysql-text.h"

#include <errno.h>
#include <float.h>
#include "store/source-watchdog.h"

#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

/* Server errors we classify (some are absent from older headers). */
#define MY_ER_QUERY_INTERRUPTED 1317
#define MY_ER_STATEMENT_TIMEOUT 1969   /* MariaDB max_statement_time */
#define MY_ER_QUERY_TIMEOUT 3024       /* MySQL max_execution_time */
#define MY_ER_CONNECTION_KILLED 1927
#define MY_ER_SERVER_SHUTDOWN 1053
#define MY_ER_PARSE_ERROR 1064

/* Seconds to wait after KILL QUERY before shutting the socket down. */
#define KILL_GRACE_MS 5000

enum col_kind {
	COL_BYTES,      /* copied as sent */
	COL_INT,        /* TINY..LONGLONG */
	COL_YEAR,
	COL_FLOAT,
	COL_DOUBLE,
	COL_TEMPORAL,
	COL_BIT,
};

struct mysql_col {
	enum col_kind kind;
	enum enum_field_types type;
	bool is_unsigned;
	bool zerofill;
	unsigned int decimals;
	unsigned long width;        /* display width, for ZEROFILL */
	char *buf;                  /* COL_BYTES/COL_BIT data; text of the others */
	size_t cap;                 /* usable bytes in buf (one more allocated) */
	union {
		int64_t i64;
		int32_t i32;
		int16_t i16;
		int8_t i8;
		float f;
		double d;
		MYSQL_TIME t;
	} native;
	unsigned long length;
	my_bool is_null;
	my_bool error;
};

struct mysql_source {
	struct source base;         /* first: source.c dispatches through it */
	MYSQL *conn;                /* NULL until connected, or after a loss */
	bool is_mariadb;
	double session_timeout;     /* seconds last set on the server, -1 unknown */

	MYSQL_STMT *stmt;           /* the running statement, or NULL */
	bool stmt_exhausted;        /* the server sent the last row */
	size_t ncols;
	char **colnames;
	struct mysql_col *cols;
	MYSQL_BIND *binds;          /* result binds, one per column */
	const char **vals;
	size_t *lens;

	/* KILL QUERY at the deadline or on source_cancel; its target is the
	 * connection's thread id (as a pointer-sized number, 0 = none). */
	struct watchdog wd;
	int64_t timeout_ms;         /* of the running statement, for messages */
};

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_status;

static void library_init(void)
{
	library_status = mysql_library_init(0, NULL, NULL);
}

static const char *src_name(const struct mysql_source *s)
{
	return s->base.cfg->name ? s->base.cfg->name : "?";
}

static const struct mysql_settings *settings_of(const struct mysql_source *s)
{
	return s->base.cfg->settings;
}

/* ---------------------------------------------------------------------
 * Connections
 */

static void apply_options(MYSQL *m, const struct mysql_settings *cfg, unsigned int io_timeout)
{
	unsigned int ct = cfg->connect_timeout > 0 ? (unsigned int)cfg->connect_timeout : 10;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	if (io_timeout) {
		mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
		mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
	}
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	my_bool off = 0;
	mysql_options(m, MYSQL_OPT_RECONNECT, &off);   /* a silent reconnect would lose READ ONLY */
	my_bool on = 1;
	mysql_options(m, MYSQL_REPORT_DATA_TRUNCATION, &on);
	unsigned int proto = cfg->socket && *cfg->socket ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
	mysql_options(m, MYSQL_OPT_PROTOCOL, &proto);
	if (cfg->tls) {
		my_bool enforce = 1;
		mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
		if (cfg->tls_ca && *cfg->tls_ca)
			mysql_options(m, MYSQL_OPT_SSL_CA, cfg->tls_ca);
		my_bool verify = cfg->tls_verify ? 1 : 0;
		mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
	}
}

static MYSQL *connect_raw(const struct mysql_settings *cfg, bool with_db, unsigned int io_timeout,
			  MYSQL **failed)
{
	*failed = NULL;
	MYSQL *m = mysql_init(NULL);
	if (!m)
		return NULL;
	apply_options(m, cfg, io_timeout);
	const char *host = cfg->host && *cfg->host ? cfg->host : "127.0.0.1";
	const char *sock = cfg->socket && *cfg->socket ? cfg->socket : NULL;
	unsigned int port = cfg->port > 0 ? (unsigned int)cfg->port : 3306;
	if (!mysql_real_connect(m, sock ? "localhost" : host, cfg->user, cfg->password,
				with_db ? cfg->database : NULL, port, sock, 0)) {
		*failed = m;
		return NULL;
	}
	return m;
}

static const char *where(const struct mysql_settings *cfg, char *buf, size_t n)
{
	if (cfg->socket && *cfg->socket)
		snprintf(buf, n, "socket %s", cfg->socket);
	else
		snprintf(buf, n, "%s:%d", cfg->host && *cfg->host ? cfg->host : "127.0.0.1",
			 cfg->port > 0 ? cfg->port : 3306);
	return buf;
}

/* The words for a failed mysql_real_connect; m is closed. */
static enum source_result connect_failure(struct mysql_source *s, MYSQL *m, char **cause)
{
	const struct mysql_settings *cfg = settings_of(s);
	char at[300];
	unsigned int e = m ? mysql_errno(m) : 0;
	enum source_result r = SOURCE_ECONNECT;
	switch (e) {
	case ER_ACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
	case 1698: /* ER_ACCESS_DENIED_NO_PASSWORD_ERROR */
	case 1862: /* ER_MUST_CHANGE_PASSWORD_LOGIN */
		r = SOURCE_EAUTH;
		if (e == ER_DBACCESS_DENIED_ERROR)
			fail(cause, "source '%s': user '%s' may not use database '%s'", src_name(s),
			     cfg->user ? cfg->user : "", cfg->database ? cfg->database : "");
		else
			fail(cause, "source '%s': access denied for user '%s' at %s (wrong user or password)",
			     src_name(s), cfg->user ? cfg->user : "", where(cfg, at, sizeof(at)));
		break;
	case ER_BAD_DB_ERROR:
		fail(cause, "source '%s': unknown database '%s' at %s", src_name(s),
		     cfg->database ? cfg->database : "", where(cfg, at, sizeof(at)));
		break;
	case 0:
		fail(cause, "source '%s': out of memory starting a connection", src_name(s));
		break;
	default:
		fail(cause, "source '%s': cannot connect to the server at %s: %s", src_name(s),
		     where(cfg, at, sizeof(at)), mysql_error(m));
		break;
	}
	mysql_close(m);
	return r;
}

static void set_thread_facts(struct mysql_source *s)
{
	unsigned long id = s->conn ? mysql_thread_id(s->conn) : 0;
	watchdog_attach(&s->wd, (void *)(uintptr_t)id, s->conn ? (int)mysql_get_socket(s->conn) : -1);
}

static void drop_connection(struct mysql_source *s)
{
	/* Forget the socket before closing it: the watchdog must never shut
	 * down a descriptor number that may already belong to someone else. */
	watchdog_detach(&s->wd);
	if (s->stmt) {
		mysql_stmt_close(s->stmt);
		s->stmt = NULL;
	}
	if (s->conn) {
		mysql_close(s->conn);
		s->conn = NULL;
	}
	s->session_timeout = -1;
}

static bool is_connection_error(unsigned int e)
{
	switch (e) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case MY_ER_CONNECTION_KILLED:
	case MY_ER_SERVER_SHUTDOWN:
	case ER_NET_READ_ERROR:
	case ER_NET_READ_INTERRUPTED:
	case ER_NET_ERROR_ON_WRITE:
	case ER_NET_WRITE_INTERRUPTED:
		return true;
	default:
		return false;
	}
}

static enum source_result ensure_connected(struct mysql_source *s, char **cause)
{
	if (s->conn)
		return SOURCE_OK;
	MYSQL *failed;
	MYSQL *m = connect_raw(settings_of(s), true, 0, &failed);
	if (!m)
		return connect_failure(s, failed, cause);
	s->is_mariadb = mariadb_connection(m) || strstr(mysql_get_server_info(m), "MariaDB");
	if (mysql_query(m, "SET SESSION TRANSACTION READ ONLY")) {
		fail(cause, "source '%s': cannot make the session read-only: %s", src_name(s), mysql_error(m));
		mysql_close(m);
		return SOURCE_ECONNECT;
	}
	s->conn = m;
	s->session_timeout = -1;
	set_thread_facts(s);
	return SOURCE_OK;
}

/* ---------------------------------------------------------------------
 * The watchdog: KILL QUERY at the deadline or on cancel
 */

static int kill_query(const struct mysql_settings *cfg, unsigned long id)
{
	MYSQL *failed;
	MYSQL *m = connect_raw(cfg, false, 5, &failed);
	if (!m) {
		if (failed)
			mysql_close(failed);
		return -1;
	}
	char q[64];
	snprintf(q, sizeof(q), "KILL QUERY %lu", id);
	int rc = mysql_query(m, q) ? -1 : 0;
	/* "Unknown thread id": the connection is already gone; fine. */
	if (rc && mysql_errno(m) == ER_NO_SUCH_THREAD)
		rc = 0;
	mysql_close(m);
	return rc;
}

/* The watchdog's stop: target is the connection's thread id. */
static int stop_query(void *driver, void *target)
{
	struct mysql_source *s = driver;
	return kill_query(settings_of(s), (unsigned long)(uintptr_t)target);
}

/* ---------------------------------------------------------------------
 * Statement state
 */

static void free_result_state(struct mysql_source *s)
{
	for (size_t i = 0; i < s->ncols; i++) {
		free(s->colnames[i]);
		free(s->cols[i].buf);
	}
	free(s->colnames);
	free(s->cols);
	free(s->binds);
	free(s->vals);
	free(s->lens);
	s->colnames = NULL;
	s->cols = NULL;
	s->binds = NULL;
	s->vals = NULL;
	s->lens = NULL;
	s->ncols = 0;
}

/*
 * End the running statement. A result abandoned half-way is killed first so
 * closing it does not read millions of rows. After a lost connection the
 * handle is dropped and the next run connects again.
 */
static void finish_statement(struct mysql_source *s, bool conn_lost)
{
	if (s->stmt && !conn_lost && !s->stmt_exhausted && s->ncols > 0 &&
	    watchdog_reason(&s->wd) == WATCHDOG_NONE) {
		if (s->wd.target && watchdog_stop_now(&s->wd))
			conn_lost = true;   /* cannot stop it; do not drain, reconnect */
	}
	watchdog_disarm(&s->wd);
	if (conn_lost) {
		drop_connection(s);
		return;
	}
	if (s->stmt) {
		mysql_stmt_close(s->stmt);
		s->stmt = NULL;
		/* Whatever the kill left behind must not fail the next statement. */
		if (s->conn && mysql_errno(s->conn) && is_connection_error(mysql_errno(s->conn)))
			drop_connection(s);
	}
}

static enum source_result kill_result(struct mysql_source *s, int reason, char **cause)
{
	return watchdog_result(src_name(s), reason, s->timeout_ms, cause);
}

/*
 * Words for a failed statement step, never holding the SQL text: a syntax
 * error says where, not what (the server quotes the statement there).
 * *lost says the connection is gone.
 */
static enum source_result classify(struct mysql_source *s, unsigned int e, const char *msg,
				   bool *lost, char **cause)
{
	*lost = is_connection_error(e);
	int reason = watchdog_reason(&s->wd);
	if (reason != WATCHDOG_NONE)
		return kill_result(s, reason, cause);
	if (e == MY_ER_STATEMENT_TIMEOUT || e == MY_ER_QUERY_TIMEOUT)
		return kill_result(s, WATCHDOG_TIMEOUT, cause);
	if (*lost) {
		fail(cause, "source '%s': lost the connection to the server (%s)", src_name(s), msg);
		return SOURCE_ECONNECT;
	}
	switch (e) {
	case MY_ER_QUERY_INTERRUPTED:
		fail(cause, "source '%s': the query was interrupted on the server", src_name(s));
		return SOURCE_EQUERY;
	case MY_ER_PARSE_ERROR: {
		const char *at = strstr(msg, " at line ");
		long line = 0;
		if (at) {
			char *end;
			line = strtol(at + 9, &end, 10);
			if (end == at + 9)
				line = 0;
		}
		if (line > 0)
			fail(cause, "source '%s': SQL syntax error at line %ld of the statement", src_name(s), line);
		else
			fail(cause, "source '%s': SQL syntax error in the statement", src_name(s));
		return SOURCE_EQUERY;
	}
	case 1792: /* ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION */
		fail(cause, "source '%s': the session is read-only; a report cannot change data", src_name(s));
		return SOURCE_EQUERY;
	default:
		fail(cause, "source '%s': the query failed: %s (error %u)", src_name(s), msg, e);
		return SOURCE_EQUERY;
	}
}

static enum source_result stmt_failure(struct mysql_source *s, MYSQL_STMT *st, bool *lost, char **cause)
{
	/* libmariadb leaves some network errors of an unbuffered fetch on
	 * the connection only; no code at all means the link broke. */
	if (mysql_stmt_errno(st))
		return classify(s, mysql_stmt_errno(st), mysql_stmt_error(st), lost, cause);
	if (s->conn && mysql_errno(s->conn))
		return classify(s, mysql_errno(s->conn), mysql_error(s->conn), lost, cause);
	return classify(s, CR_SERVER_LOST, "the connection broke", lost, cause);
}

static enum source_result conn_failure(struct mysql_source *s, bool *lost, char **cause)
{
	return classify(s, mysql_errno(s->conn), mysql_error(s->conn), lost, cause);
}

/* ---------------------------------------------------------------------
 * Columns
 */

static void grow_col(struct mysql_col *c, size_t need)
{
	if (need <= c->cap)
		return;
	size_t cap = c->cap * 2;
	if (cap < need)
		cap = need;
	free(c->buf);
	c->buf = xmalloc(cap + 1);
	c->cap = cap;
}

static void setup_column(struct mysql_col *c, MYSQL_BIND *b, const MYSQL_FIELD *f)
{
	memset(b, 0, sizeof(*b));
	c->type = f->type;
	c->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
	c->zerofill = (f->flags & ZEROFILL_FLAG) != 0;
	c->decimals = f->decimals;
	c->width = f->length;
	size_t cap = 64;
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_YEAR:
		c->kind = f->type == MYSQL_TYPE_YEAR ? COL_YEAR : COL_INT;
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &c->native.i64;
		b->is_unsigned = c->is_unsigned;
		if (c->zerofill && c->width < 256)
			cap = 64 + c->width;
		break;
	case MYSQL_TYPE_FLOAT:
		c->kind = COL_FLOAT;
		b->buffer_type = MYSQL_TYPE_FLOAT;
		b->buffer = &c->native.f;
		cap = 400;
		break;
	case MYSQL_TYPE_DOUBLE:
		c->kind = COL_DOUBLE;
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &c->native.d;
		cap = 400;
		break;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_NEWDATE:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
	case MYSQL_TYPE_TIME:
		c->kind = COL_TEMPORAL;
		if (c->type == MYSQL_TYPE_NEWDATE)
			c->type = MYSQL_TYPE_DATE;
		b->buffer_type = c->type;
		b->buffer = &c->native.t;
		break;
	default:
		/* Strings, DECIMAL, JSON, ENUM, SET, BLOB, GEOMETRY, BIT, NULL:
		 * the bytes as the server sends them. */
		c->kind = f->type == MYSQL_TYPE_BIT ? COL_BIT : COL_BYTES;
		cap = f->length < 16 ? 16 : f->length > 8192 ? 8192 : f->length;
		b->buffer_type = MYSQL_TYPE_BLOB;
		break;
	}
	c->buf = xmalloc(cap + 1);
	c->cap = cap;
	if (c->kind == COL_BYTES || c->kind == COL_BIT) {
		b->buffer = c->buf;
		b->buffer_length = (unsigned long)c->cap;
	}
	b->length = &c->length;
	b->is_null = &c->is_null;
	b->error = &c->error;
}

/* Fetch again, into a bigger buffer, each column the last fetch truncated. */
static int refetch_truncated(struct mysql_source *s)
{
	bool rebind = false;
	for (size_t i = 0; i < s->ncols; i++) {
		struct mysql_col *c = &s->cols[i];
		if (!c->error || c->is_null || (c->kind != COL_BYTES && c->kind != COL_BIT))
			continue;
		size_t need = c->length;
		grow_col(c, need);
		MYSQL_BIND *b = &s->binds[i];
		b->buffer = c->buf;
		b->buffer_length = (unsigned long)c->cap;
		rebind = true;
		if (mysql_stmt_fetch_column(s->stmt, b, (unsigned int)i, 0))
			return -1;
		c->error = 0;
	}
	if (rebind && mysql_stmt_bind_result(s->stmt, s->binds))
		return -1;
	return 0;
}

static void format_row(struct mysql_source *s)
{
	for (size_t i = 0; i < s->ncols; i++) {
		struct mysql_col *c = &s->cols[i];
		if (c->is_null || c->type == MYSQL_TYPE_NULL) {
			s->vals[i] = NULL;
			s->lens[i] = 0;
			continue;
		}
		size_t n = 0;
		switch (c->kind) {
		case COL_BYTES:
			n = c->length < c->cap ? c->length : c->cap;
			break;
		case COL_INT:
		case COL_YEAR:
			/* A YEAR column carries ZEROFILL (0 prints 0000); MIN(year)
			 * does not and prints 0. */
			if (c->zerofill)
				n = mysql_text_padded(c->buf, (uint64_t)c->native.i64, c->width < c->cap - 40 ? c->width : 0);
			else if (c->is_unsigned)
				n = mysql_text_u64(c->buf, (uint64_t)c->native.i64);
			else
				n = mysql_text_i64(c->buf, c->native.i64);
			break;
		case COL_FLOAT:
		case COL_DOUBLE: {
			double v = c->kind == COL_FLOAT ? (double)c->native.f : c->native.d;
			if (c->decimals < 31) {
				int k = snprintf(c->buf, c->cap + 1, "%.*f", (int)c->decimals, v);
				n = k < 0 ? 0 : (size_t)k > c->cap ? c->cap : (size_t)k;
			} else {
				n = mysql_text_double(c->buf, v, c->kind == COL_FLOAT);
			}
			break;
		}
		case COL_TEMPORAL:
			n = mysql_text_temporal(c->buf, &c->native.t, c->type, c->decimals);
			break;
		case COL_BIT: {
			/* Big-endian bytes, at most 8, into their number. */
			size_t len = c->length < c->cap ? c->length : c->cap;
			uint64_t v = 0;
			for (size_t k = 0; k < len; k++)
				v = (v << 8) | (unsigned char)c->buf[k];
			n = mysql_text_u64(c->buf, v);
			break;
		}
		}
		c->buf[n] = '\0';
		s->vals[i] = c->buf;
		s->lens[i] = n;
	}
}

/* ---------------------------------------------------------------------
 * Driver entry points
 */

static enum source_result mysql_open(struct source **out, const struct source_config *cfg, char **cause)
{
	*out = NULL;
	pthread_once(&library_once, library_init);
	if (library_status) {
		fail(cause, "source '%s': the mysql client library failed to initialise", cfg->name);
		return SOURCE_ECONNECT;
	}
	struct mysql_source *s = xcalloc(1, sizeof(*s));
	s->base.cfg = cfg;
	s->session_timeout = -1;
	watchdog_init(&s->wd, stop_query, s, KILL_GRACE_MS);
	*out = &s->base;
	return SOURCE_OK;
}

/* Tell the server the statement time limit, when it changed. */
static int set_server_timeout(struct mysql_source *s, int64_t timeout_ms)
{
	double secs = timeout_ms > 0 ? (double)timeout_ms / 1000.0 : 0;
	if (s->session_timeout == secs)
		return 0;
	char q[96];
	if (s->is_mariadb)
		snprintf(q, sizeof(q), "SET SESSION max_statement_time=%.3f", secs);
	else
		snprintf(q, sizeof(q), "SET SESSION max_execution_time=%lld", (long long)(timeout_ms > 0 ? timeout_ms : 0));
	if (mysql_query(s->conn, q))
		return -1;
	s->session_timeout = secs;
	return 0;
}

/*
 * Connect if needed, set the timeout, prepare. *lost: the connection
 * turned out to be dead (safe to retry: nothing ran yet).
 */
static enum source_result prepare(struct mysql_source *s, const char *sql, int64_t timeout_ms,
				  bool *lost, char **cause)
{
	*lost = false;
	enum source_result r = ensure_connected(s, cause);
	if (r != SOURCE_OK)
		return r;
	if (timeout_ms >= 0 && set_server_timeout(s, timeout_ms))
		return conn_failure(s, lost, cause);
	s->stmt = mysql_stmt_init(s->conn);
	if (!s->stmt) {
		fail(cause, "source '%s': out of memory preparing a statement", src_name(s));
		return SOURCE_EQUERY;
	}
	if (mysql_stmt_prepare(s->stmt, sql, (unsigned long)strlen(sql))) {
		r = stmt_failure(s, s->stmt, lost, cause);
		mysql_stmt_close(s->stmt);
		s->stmt = NULL;
		return r;
	}
	return SOURCE_OK;
}

/* Prepare, reconnecting once when a kept connection turns out dead. */
static enum source_result prepare_retry(struct mysql_source *s, const char *sql, int64_t timeout_ms,
					char **cause)
{
	for (int attempt = 0;; attempt++) {
		bool fresh = s->conn == NULL;
		bool lost;
		enum source_result r = prepare(s, sql, timeout_ms, &lost, cause);
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

static enum source_result mysql_execute(struct source *base, const char *sql, const struct bind_value *binds,
					size_t nbinds, int64_t timeout_ms, char **cause)
{
	struct mysql_source *s = (struct mysql_source *)base;
	bool lost = false;
	if (s->stmt)
		finish_statement(s, false);
	free_result_state(s);
	if (watchdog_start(&s->wd, src_name(s), cause))
		return SOURCE_EQUERY;
	s->timeout_ms = timeout_ms;
	watchdog_arm(&s->wd, timeout_ms);

	enum source_result r = prepare_retry(s, sql, timeout_ms, cause);
	if (r != SOURCE_OK) {
		watchdog_disarm(&s->wd);
		return r;
	}
	/* Timed out or cancelled while connecting: do not start it. */
	int reason = watchdog_reason(&s->wd);
	if (reason != WATCHDOG_NONE) {
		r = kill_result(s, reason, cause);
		goto fail_stmt;
	}
	size_t want = mysql_stmt_param_count(s->stmt);
	if (want != nbinds) {
		r = source_bind_mismatch(base, want, nbinds, cause);
		goto fail_stmt;
	}

	MYSQL_BIND *pb = nbinds ? xcalloc(nbinds, sizeof(*pb)) : NULL;
	unsigned long *plen = nbinds ? xcalloc(nbinds, sizeof(*plen)) : NULL;
	for (size_t i = 0; i < nbinds; i++) {
		if (binds[i].kind == BIND_INT) {
			pb[i].buffer_type = MYSQL_TYPE_LONGLONG;
			pb[i].buffer = (void *)&binds[i].i;
		} else {
			const char *t = binds[i].text ? binds[i].text : "";
			plen[i] = (unsigned long)strlen(t);
			pb[i].buffer_type = MYSQL_TYPE_STRING;
			pb[i].buffer = (void *)t;
			pb[i].buffer_length = plen[i];
			pb[i].length = &plen[i];
		}
	}
	if (nbinds && mysql_stmt_bind_param(s->stmt, pb)) {
		fail(cause, "source '%s': cannot bind the parameters: %s", src_name(s), mysql_stmt_error(s->stmt));
		free(pb);
		free(plen);
		r = SOURCE_EBIND;
		goto fail_stmt;
	}
	int rc = mysql_stmt_execute(s->stmt);
	free(pb);
	free(plen);
	if (rc) {
		r = stmt_failure(s, s->stmt, &lost, cause);
		goto fail_stmt;
	}

	s->stmt_exhausted = false;
	s->ncols = mysql_stmt_field_count(s->stmt);
	if (s->ncols == 0) {
		s->stmt_exhausted = true;
		return SOURCE_OK;
	}
	MYSQL_RES *meta = mysql_stmt_result_metadata(s->stmt);
	if (!meta) {
		s->ncols = 0;
		r = stmt_failure(s, s->stmt, &lost, cause);
		goto fail_stmt;
	}
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	s->colnames = xcalloc(s->ncols, sizeof(*s->colnames));
	s->cols = xcalloc(s->ncols, sizeof(*s->cols));
	s->binds = xcalloc(s->ncols, sizeof(*s->binds));
	s->vals = xcalloc(s->ncols, sizeof(*s->vals));
	s->lens = xcalloc(s->ncols, sizeof(*s->lens));
	for (size_t i = 0; i < s->ncols; i++) {
		s->colnames[i] = xstrndup(fields[i].name, fields[i].name_length);
		setup_column(&s->cols[i], &s->binds[i], &fields[i]);
	}
	mysql_free_result(meta);
	if (mysql_stmt_bind_result(s->stmt, s->binds)) {
		r = stmt_failure(s, s->stmt, &lost, cause);
		goto fail_stmt;
	}
	return SOURCE_OK;

fail_stmt:
	s->stmt_exhausted = true;
	finish_statement(s, lost);
	return r;
}

static size_t mysql_ncols(struct source *base)
{
	return ((struct mysql_source *)base)->ncols;
}

static const char *mysql_colname(struct source *base, size_t i)
{
	struct mysql_source *s = (struct mysql_source *)base;
	return i < s->ncols ? s->colnames[i] : NULL;
}

static enum source_result mysql_next(struct source *base, struct source_row *row, char **cause)
{
	struct mysql_source *s = (struct mysql_source *)base;
	if (!s->stmt)
		return SOURCE_DONE;
	if (s->ncols == 0) {
		finish_statement(s, false);
		return SOURCE_DONE;
	}
	int reason = watchdog_reason(&s->wd);
	if (reason != WATCHDOG_NONE) {
		finish_statement(s, false);
		return kill_result(s, reason, cause);
	}
	int rc = mysql_stmt_fetch(s->stmt);
	if (rc == MYSQL_DATA_TRUNCATED) {
		if (refetch_truncated(s) == 0)
			rc = 0;
		else
			rc = 1;
	}
	if (rc == 0) {
		format_row(s);
		row->ncols = s->ncols;
		row->vals = s->vals;
		row->lens = s->lens;
		return SOURCE_ROW;
	}
	s->stmt_exhausted = true;
	if (rc == MYSQL_NO_DATA) {
		finish_statement(s, false);
		reason = watchdog_reason(&s->wd);
		if (reason != WATCHDOG_NONE)
			return kill_result(s, reason, cause);
		return SOURCE_DONE;
	}
	bool lost;
	enum source_result r = stmt_failure(s, s->stmt, &lost, cause);
	if (r == SOURCE_ECONNECT && cause && *cause) {
		free(*cause);
		*cause = NULL;
		fail(cause, "source '%s': lost the connection to the server while reading the result", src_name(s));
	}
	finish_statement(s, lost);
	return r;
}

static enum source_result mysql_check(struct source *base, const char *sql, size_t *nparams,
				       struct strlist *columns, char **cause)
{
	struct mysql_source *s = (struct mysql_source *)base;
	if (s->stmt)
		finish_statement(s, false);
	free_result_state(s);
	watchdog_clear_reason(&s->wd);   /* a past run's timeout is not ours */
	enum source_result r = prepare_retry(s, sql, -1, cause);
	if (r != SOURCE_OK)
		return r;
	*nparams = mysql_stmt_param_count(s->stmt);
	/* a prepared statement knows its result's columns before it runs */
	MYSQL_RES *meta = columns ? mysql_stmt_result_metadata(s->stmt) : NULL;
	if (meta) {
		unsigned int n = mysql_num_fields(meta);
		MYSQL_FIELD *fields = mysql_fetch_fields(meta);
		for (unsigned int i = 0; i < n; i++)
			strlist_push(columns, xstrndup(fields[i].name, fields[i].name_length));
		mysql_free_result(meta);
	}
	mysql_stmt_close(s->stmt);
	s->stmt = NULL;
	return SOURCE_OK;
}

static void mysql_cancel(struct source *base)
{
	struct mysql_source *s = (struct mysql_source *)base;
	if (!s)
		return;
	watchdog_cancel(&s->wd);
}

static void mysql_close_source(struct source *base)
{
	struct mysql_source *s = (struct mysql_source *)base;
	if (!s)
		return;
	if (s->stmt)
		finish_statement(s, false);
	free_result_state(s);
	drop_connection(s);
	watchdog_destroy(&s->wd);
	free(s);
}

/* ---------------------------------------------------------------------
 * The config keys and the descriptor
 */

#define MYSQL_STR(k, f, d) CONFIG_KEY_STR(struct mysql_settings, k, f, CONFIG_NONEMPTY, d)

static const struct config_key mysql_keys[] = {
	MYSQL_STR("host", host, "127.0.0.1"),
	CONFIG_KEY_INT(struct mysql_settings, "port", port, 1, 65535, 3306),
	MYSQL_STR("socket", socket, NULL),
	{ "user", CONFIG_STR, offsetof(struct mysql_settings, user), 0, 0, 0,
	  CONFIG_NONEMPTY | CONFIG_REQUIRED, NULL, 0, NULL },
	MYSQL_STR("password_env", password_env, NULL),
	{ "database", CONFIG_STR, offsetof(struct mysql_settings, database), 0, 0, 0,
	  CONFIG_NONEMPTY | CONFIG_REQUIRED, NULL, 0, NULL },
	CONFIG_KEY_INT(struct mysql_settings, "connect_timeout", connect_timeout, 1, 3600, 10),
	CONFIG_KEY_BOOL(struct mysql_settings, "tls", tls, false),
	MYSQL_STR("tls_ca", tls_ca, NULL),
	CONFIG_KEY_BOOL(struct mysql_settings, "tls_verify", tls_verify, true),
};

/* password_env names a variable that must be set; its value is the password. */
static void mysql_validate(void *settings, const struct toml_value *t, const char *section,
			   struct config_faults *F)
{
	struct mysql_settings *ms = settings;
	if (!ms->password_env)
		return;
	source_password_from_env(ms->password_env, t, section, &ms->password, F);
}

static void mysql_release(void *settings)
{
	source_password_release(&((struct mysql_settings *)settings)->password);
}

const struct source_driver source_driver_mysql = {
	.name = "mysql",
	.keys = mysql_keys,
	.nkeys = ARRAY_SIZE(mysql_keys),
	.settings_size = sizeof(struct mysql_settings),
	.validate = mysql_validate,
	.release = mysql_release,
	.open = mysql_open,
	.execute = mysql_execute,
	.ncols = mysql_ncols,
	.colname = mysql_colname,
	.next = mysql_next,
	.check = mysql_check,
	.cancel = mysql_cancel,
	.close = mysql_close_source,
};
