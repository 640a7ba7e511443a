/*
 * source-sqlite.c: the SQLite data source: its config key (path) and its
 * connection.
 *
 * The SQLite driver: a read-only connection (SQLITE_OPEN_READONLY plus
 * PRAGMA query_only) that streams one statement at a time.
 *
 * Values come out as `sqlite3 -csv` prints them: the shell takes
 * sqlite3_column_text() of every column, so reals go through the same call
 * (SQLite's "%!.15g" rendering: 1.0, 0.1, 1.0e+300) and integers are
 * formatted here as plain decimal, which is what that call gives too.
 *
 * Timeouts and cancel: a progress handler runs every SQLITE_PROGRESS_OPS
 * virtual machine steps and stops the statement when the deadline passed or
 * the cancel flag is set; source_cancel also calls sqlite3_interrupt so a
 * statement stuck in one long operation stops too. Both are safe from any
 * thread while the source is open.
 */
#include "common.h"
#include "store/source-sqlite.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/stat.h>

#define SQLITE_BUSY_MS 5000
#define SQLITE_PROGRESS_OPS 1000
#define SQLITE_INT_BUF 24          /* "-9223372036854775808" and a NUL */
#define SQLITE_CLOCK_EVERY 64      /* rows between deadline checks in next */

enum sqlite_state {
	SQLITE_IDLE,        /* no statement */
	SQLITE_PENDING,     /* execute stepped onto the first row; next returns it */
	SQLITE_STEPPING,    /* next steps for the following row */
	SQLITE_FINISHED,    /* SQLITE_DONE seen; column names still available */
};

struct sqlite_source {
	struct source base;          /* first: source.c dispatches through it */
	sqlite3 *db;
	sqlite3_stmt *stmt;
	enum sqlite_state state;
	atomic_bool cancelled;
	atomic_bool timed_out;
	int64_t deadline;            /* monotonic ms; 0 = none */
	uint64_t rows;

	/* The current row, sized for the statement's columns. */
	size_t ncols, cap;
	const char **vals;
	size_t *lens;
	char *ints;                  /* cap * SQLITE_INT_BUF bytes */
};

static const char *sqlite_name(const struct sqlite_source *s)
{
	return s->base.cfg && s->base.cfg->name ? s->base.cfg->name : "?";
}

static int sqlite_progress(void *arg)
{
	struct sqlite_source *s = arg;
	if (atomic_load_explicit(&s->cancelled, memory_order_relaxed))
		return 1;
	if (s->deadline && now_ms_monotonic() >= s->deadline) {
		atomic_store(&s->timed_out, true);
		return 1;
	}
	return 0;
}

/* Map a failed SQLite call to a result and a cause naming the source. */
static enum source_result sqlite_error(struct sqlite_source *s, int rc, const char *what, char **cause)
{
	int primary = rc & 0xff;
	if (primary == SQLITE_INTERRUPT || atomic_load(&s->cancelled) || atomic_load(&s->timed_out)) {
		if (atomic_load(&s->cancelled)) {
			fail(cause, "source '%s': the query was cancelled", sqlite_name(s));
			return SOURCE_ECANCELLED;
		}
		if (atomic_load(&s->timed_out) || (s->deadline && now_ms_monotonic() >= s->deadline)) {
			fail(cause, "source '%s': the query ran longer than its timeout", sqlite_name(s));
			return SOURCE_ETIMEOUT;
		}
	}
	fail(cause, "source '%s': %s: %s", sqlite_name(s), what, sqlite3_errmsg(s->db));
	switch (primary) {
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_NOTADB:
		return SOURCE_ECONNECT;
	case SQLITE_RANGE:
	case SQLITE_TOOBIG:
		return SOURCE_EBIND;
	default:
		return SOURCE_EQUERY;
	}
}

static void sqlite_finalize(struct sqlite_source *s)
{
	sqlite3_finalize(s->stmt);
	s->stmt = NULL;
	s->state = SQLITE_IDLE;
	s->ncols = 0;
}

static enum source_result sqlite_open(struct source **out, const struct source_config *cfg, char **cause)
{
	const char *name = cfg->name ? cfg->name : "?";
	const struct sqlite_settings *set = cfg->settings;
	const char *path = set ? set->path : NULL;
	struct stat st;

	*out = NULL;
	if (!path || !*path) {
		fail(cause, "source '%s': no path given for the sqlite database", name);
		return SOURCE_ECONNECT;
	}
	/* Read-only open never creates a file, but say plainly why it failed. */
	if (stat(path, &st) < 0) {
		fail(cause, "source '%s': cannot open sqlite database '%s': %s", name, path,
		     strerror(errno));
		return SOURCE_ECONNECT;
	}
	if (S_ISDIR(st.st_mode)) {
		fail(cause, "source '%s': sqlite database '%s' is a directory", name, path);
		return SOURCE_ECONNECT;
	}

	struct sqlite_source *s = xcalloc(1, sizeof(*s));
	s->base.cfg = cfg;
	atomic_init(&s->cancelled, false);
	atomic_init(&s->timed_out, false);

	enum source_result r = SOURCE_ECONNECT;
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		fail(cause, "source '%s': cannot open sqlite database '%s': %s", name, path,
		     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, SQLITE_BUSY_MS);
	rc = sqlite3_exec(s->db, "PRAGMA query_only=1", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fail(cause, "source '%s': cannot make '%s' read-only: %s", name, path,
		     sqlite3_errmsg(s->db));
		goto out;
	}
	/* A small fixed page cache: a report streams through the file once, so
	 * more cache buys little and would make memory grow with the result
	 * (the OS page cache still holds the file). */
	sqlite3_exec(s->db, "PRAGMA cache_size=-256", NULL, NULL, NULL);
	/* Reading the schema catches a file that is not a database now,
	 * rather than at the first report. */
	rc = sqlite3_exec(s->db, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fail(cause, "source '%s': cannot read sqlite database '%s': %s", name, path,
		     sqlite3_errmsg(s->db));
		goto out;
	}
	sqlite3_progress_handler(s->db, SQLITE_PROGRESS_OPS, sqlite_progress, s);
	*out = &s->base;
	s = NULL;
	r = SOURCE_OK;
out:
	if (s) {
		sqlite3_close(s->db);
		free(s);
	}
	return r;
}

/*
 * Prepare exactly one statement that only reads. The rest of the text may
 * hold only blanks, comments and semicolons.
 */
static enum source_result sqlite_prepare(struct sqlite_source *s, const char *sql,
					 sqlite3_stmt **out, char **cause)
{
	const char *tail = NULL;
	sqlite3_stmt *stmt = NULL, *extra = NULL;

	*out = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, &tail);
	if (rc != SQLITE_OK)
		return sqlite_error(s, rc, "the query is not valid", cause);
	if (!stmt) {
		fail(cause, "source '%s': the query is empty", sqlite_name(s));
		return SOURCE_EQUERY;
	}
	while (tail && *tail) {
		const char *next = NULL;
		rc = sqlite3_prepare_v2(s->db, tail, -1, &extra, &next);
		if (rc != SQLITE_OK || extra) {
			sqlite3_finalize(extra);
			sqlite3_finalize(stmt);
			fail(cause, "source '%s': the query holds more than one statement; "
			     "a report runs exactly one", sqlite_name(s));
			return SOURCE_EQUERY;
		}
		if (next == tail)
			break;
		tail = next;
	}
	if (!sqlite3_stmt_readonly(stmt)) {
		sqlite3_finalize(stmt);
		fail(cause, "source '%s': the statement would change the database; "
		     "reports may only read", sqlite_name(s));
		return SOURCE_EQUERY;
	}
	*out = stmt;
	return SOURCE_OK;
}

static void sqlite_size_row(struct sqlite_source *s, size_t n)
{
	if (n > s->cap) {
		s->vals = xrealloc(s->vals, n * sizeof(*s->vals));
		s->lens = xrealloc(s->lens, n * sizeof(*s->lens));
		s->ints = xrealloc(s->ints, n * SQLITE_INT_BUF);
		s->cap = n;
	}
	s->ncols = n;
}

/* Decimal text of v at the end of buf[SQLITE_INT_BUF]; *len gets its length. */
static const char *sqlite_format_int(char *buf, int64_t v, size_t *len)
{
	char *end = buf + SQLITE_INT_BUF;
	char *p = end;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	*len = (size_t)(end - p);
	return p;
}

static enum source_result sqlite_fill_row(struct sqlite_source *s, struct source_row *row, char **cause)
{
	for (size_t i = 0; i < s->ncols; i++) {
		int col = (int)i;
		const char *v;
		switch (sqlite3_column_type(s->stmt, col)) {
		case SQLITE_NULL:
			s->vals[i] = NULL;
			s->lens[i] = 0;
			continue;
		case SQLITE_INTEGER:
			s->vals[i] = sqlite_format_int(s->ints + i * SQLITE_INT_BUF,
						       sqlite3_column_int64(s->stmt, col), &s->lens[i]);
			continue;
		case SQLITE_BLOB:
			v = sqlite3_column_blob(s->stmt, col);
			break;
		default:        /* SQLITE_FLOAT, SQLITE_TEXT */
			v = (const char *)sqlite3_column_text(s->stmt, col);
			break;
		}
		size_t len = (size_t)sqlite3_column_bytes(s->stmt, col);
		if (!v) {
			if (len > 0 || sqlite3_errcode(s->db) == SQLITE_NOMEM) {
				fail(cause, "source '%s': out of memory reading column %zu", sqlite_name(s), i + 1);
				return SOURCE_EQUERY;
			}
			v = "";        /* an empty blob */
		}
		s->vals[i] = v;
		s->lens[i] = len;
	}
	row->ncols = s->ncols;
	row->vals = s->vals;
	row->lens = s->lens;
	return SOURCE_ROW;
}

/* Step once; SOURCE_ROW, SOURCE_DONE or an error (the statement is then gone). */
static enum source_result sqlite_step(struct sqlite_source *s, char **cause)
{
	int rc = sqlite3_step(s->stmt);
	if (rc == SQLITE_ROW)
		return SOURCE_ROW;
	if (rc == SQLITE_DONE) {
		s->state = SQLITE_FINISHED;
		return SOURCE_DONE;
	}
	enum source_result r = sqlite_error(s, rc, "the query failed", cause);
	sqlite_finalize(s);
	return r;
}

static enum source_result sqlite_execute(struct source *src, const char *sql, const struct bind_value *binds,
					 size_t nbinds, int64_t timeout_ms, char **cause)
{
	struct sqlite_source *s = (struct sqlite_source *)src;

	sqlite_finalize(s);
	atomic_store(&s->cancelled, false);
	atomic_store(&s->timed_out, false);
	s->deadline = timeout_ms > 0 ? now_ms_monotonic() + timeout_ms : 0;
	s->rows = 0;

	enum source_result r = sqlite_prepare(s, sql, &s->stmt, cause);
	if (r != SOURCE_OK)
		return r;

	size_t want = (size_t)sqlite3_bind_parameter_count(s->stmt);
	if (want != nbinds) {
		sqlite_finalize(s);
		return source_bind_mismatch(src, want, nbinds, cause);
	}
	for (size_t i = 0; i < nbinds; i++) {
		int rc;
		int at = (int)i + 1;
		if (binds[i].kind == BIND_INT)
			rc = sqlite3_bind_int64(s->stmt, at, binds[i].i);
		else if (binds[i].text)
			/* The caller's text is only borrowed for this call: copy. */
			rc = sqlite3_bind_text(s->stmt, at, binds[i].text, -1, SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_null(s->stmt, at);
		if (rc != SQLITE_OK) {
			fail(cause, "source '%s': cannot bind parameter %d: %s", sqlite_name(s), at,
			     sqlite3_errstr(rc));
			sqlite_finalize(s);
			return SOURCE_EBIND;
		}
	}
	sqlite_size_row(s, (size_t)sqlite3_column_count(s->stmt));

	/* Step now so a failing statement fails here, before any output. */
	r = sqlite_step(s, cause);
	if (r == SOURCE_ROW)
		s->state = SQLITE_PENDING;
	return r < 0 ? r : SOURCE_OK;
}

static size_t sqlite_ncols(struct source *src)
{
	struct sqlite_source *s = (struct sqlite_source *)src;
	return s->stmt ? s->ncols : 0;
}

static const char *sqlite_colname(struct source *src, size_t i)
{
	struct sqlite_source *s = (struct sqlite_source *)src;
	if (!s->stmt || i >= s->ncols)
		return NULL;
	return sqlite3_column_name(s->stmt, (int)i);
}

static enum source_result sqlite_next(struct source *src, struct source_row *row, char **cause)
{
	struct sqlite_source *s = (struct sqlite_source *)src;
	enum source_result r;

	switch (s->state) {
	case SQLITE_IDLE:
		fail(cause, "source '%s': no query is running", sqlite_name(s));
		return SOURCE_EQUERY;
	case SQLITE_FINISHED:
		return SOURCE_DONE;
	case SQLITE_PENDING:
		s->state = SQLITE_STEPPING;
		break;
	case SQLITE_STEPPING:
		/* The progress handler only runs inside a step; a cheap query
		 * may never reach it, so look at the flags between rows too. */
		if (atomic_load_explicit(&s->cancelled, memory_order_relaxed) ||
		    (s->deadline && s->rows % SQLITE_CLOCK_EVERY == 0 &&
		     now_ms_monotonic() >= s->deadline)) {
			if (!atomic_load(&s->cancelled))
				atomic_store(&s->timed_out, true);
			r = sqlite_error(s, SQLITE_INTERRUPT, "the query failed", cause);
			sqlite_finalize(s);
			return r;
		}
		r = sqlite_step(s, cause);
		if (r != SOURCE_ROW)
			return r;
		break;
	}
	s->rows++;
	r = sqlite_fill_row(s, row, cause);
	if (r < 0)
		sqlite_finalize(s);
	return r;
}

static enum source_result sqlite_check(struct source *src, const char *sql, size_t *nparams,
					struct strlist *columns, char **cause)
{
	struct sqlite_source *s = (struct sqlite_source *)src;
	sqlite3_stmt *stmt = NULL;

	enum source_result r = sqlite_prepare(s, sql, &stmt, cause);
	if (r != SOURCE_OK)
		return r;
	*nparams = (size_t)sqlite3_bind_parameter_count(stmt);
	for (int i = 0; columns && i < sqlite3_column_count(stmt); i++) {
		const char *name = sqlite3_column_name(stmt, i);
		strlist_push(columns, xstrdup(name ? name : ""));
	}
	sqlite3_finalize(stmt);
	return SOURCE_OK;
}

static void sqlite_cancel(struct source *src)
{
	struct sqlite_source *s = (struct sqlite_source *)src;
	atomic_store(&s->cancelled, true);
	sqlite3_interrupt(s->db);
}

static void sqlite_close(struct source *src)
{
	struct sqlite_source *s = (struct sqlite_source *)src;
	if (!s)
		return;
	sqlite_finalize(s);
	sqlite3_close(s->db);
	free(s->vals);
	free(s->lens);
	free(s->ints);
	free(s);
}

static const struct config_key sqlite_keys[] = {
	{ "path", CONFIG_STR, offsetof(struct sqlite_settings, path), 0, 0, 0,
	  CONFIG_NONEMPTY | CONFIG_REQUIRED, NULL, 0, "the database file" },
};

const struct source_driver source_driver_sqlite = {
	.name = "sqlite",
	.keys = sqlite_keys,
	.nkeys = ARRAY_SIZE(sqlite_keys),
	.settings_size = sizeof(struct sqlite_settings),
	.open = sqlite_open,
	.execute = sqlite_execute,
	.ncols = sqlite_ncols,
	.colname = sqlite_colname,
	.next = sqlite_next,
	.check = sqlite_check,
	.cancel = sqlite_cancel,
	.close = sqlite_close,
};
