/*
 * history-db.c: the statement helpers of the history database
 * (history-db.h): prepare, bind, step and the error they end with, in one
 * copy for store/history.c and store/schedule-store.c.
 */
#include "common.h"
#include "store/history-db.h"

#include <stdatomic.h>

#include "common/env.h"

/* The wait set by history_db_set_busy_timeout, for the words of a
 * failure; one history per process, so one number. */
static atomic_int history_db_busy_ms = HISTORY_BUSY_MS_DEFAULT;

int history_db_busy_timeout_ms(void)
{
	return (int)env_number_or("REPORTBOT_HISTORY_BUSY_MS", 0, 3600000, HISTORY_BUSY_MS_DEFAULT);
}

void history_db_set_busy_timeout(sqlite3 *db, int ms)
{
	atomic_store(&history_db_busy_ms, ms);
	sqlite3_busy_timeout(db, ms);
}

/* The directory of the database file, for a full disk; caller frees. */
static char *history_db_dir(sqlite3 *db)
{
	const char *file = sqlite3_db_filename(db, "main");
	const char *slash = file ? strrchr(file, '/') : NULL;
	if (!file || !*file)
		return xstrdup("data_dir");
	if (!slash)
		return xstrdup(".");
	return xstrndup(file, slash == file ? 1 : (size_t)(slash - file));
}

int history_db_fail(sqlite3 *db, const char *who, const char *what, char **cause)
{
	int code = sqlite3_extended_errcode(db) & 0xff;
	const char *file = sqlite3_db_filename(db, "main");
	if (code == SQLITE_FULL) {
		char *dir = history_db_dir(db);
		int r = fail(cause, "%s: %s: %s: the disk holding %s is full; free space there (the bot "
			     "records runs again by itself once it can)", who, what, sqlite3_errmsg(db), dir);
		free(dir);
		return r;
	}
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
		int ms = atomic_load(&history_db_busy_ms);
		return fail(cause, "%s: %s: %s: another process held %s for more than %d.%d s "
			    "(REPORTBOT_HISTORY_BUSY_MS); end the other writer and try again", who, what,
			    sqlite3_errmsg(db), file && *file ? file : "the history database", ms / 1000,
			    ms % 1000 / 100);
	}
	return fail(cause, "%s: %s: %s", who, what, sqlite3_errmsg(db));
}

int history_db_exec(sqlite3 *db, const char *who, const char *what, char **cause, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return history_db_fail(db, who, what, cause);
	return 0;
}

/* Bind ?1.. from AP as TYPES says (history-db.h); SQLITE_OK or the
 * first error. */
static int bind_args(sqlite3_stmt *st, const char *types, va_list ap)
{
	for (int i = 0; types[i]; i++) {
		int rc, n = i + 1;
		switch (types[i]) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, n, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, n);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, n, va_arg(ap, int64_t));
			break;
		case 'd': {
			int64_t id = va_arg(ap, int64_t);
			rc = id > 0 ? sqlite3_bind_int64(st, n, id) : sqlite3_bind_null(st, n);
			break;
		}
		default:
			rc = SQLITE_MISUSE;
			break;
		}
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int prepare_va(sqlite3 *db, sqlite3_stmt **st, const char *who, const char *what,
		      char **cause, const char *sql, const char *types, va_list ap)
{
	*st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return history_db_fail(db, who, what, cause);
	if (bind_args(*st, types, ap) != SQLITE_OK) {
		history_db_fail(db, who, what, cause);
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

int history_db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *who, const char *what,
		       char **cause, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int r = prepare_va(db, st, who, what, cause, sql, types, ap);
	va_end(ap);
	return r;
}

/* Prepare, bind and step SQL once: SQLITE_ROW (*st holds the row) or
 * SQLITE_DONE; -1 with *cause (and *st NULL) when it fails. The caller
 * finalizes *st. */
static int step_once_va(sqlite3 *db, sqlite3_stmt **st, const char *who, const char *what,
			char **cause, const char *sql, const char *types, va_list ap)
{
	if (prepare_va(db, st, who, what, cause, sql, types, ap) < 0)
		return -1;
	int rc = sqlite3_step(*st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	history_db_fail(db, who, what, cause);
	sqlite3_finalize(*st);
	*st = NULL;
	return -1;
}

int history_db_run(sqlite3 *db, const char *who, const char *what, char **cause,
		   const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	va_start(ap, types);
	int rc = step_once_va(db, &st, who, what, cause, sql, types, ap);
	va_end(ap);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)   /* a write that answers rows is not one */
		return history_db_fail(db, who, what, cause);
	return rc == SQLITE_DONE ? 0 : -1;
}

int history_db_query_int(sqlite3 *db, int64_t *out, const char *who, const char *what,
			 char **cause, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	va_start(ap, types);
	int rc = step_once_va(db, &st, who, what, cause, sql, types, ap);
	va_end(ap);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		history_db_fail(db, who, what, cause);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int history_db_row(sqlite3 *db, sqlite3_stmt **st, const char *who, const char *what,
		   char **cause, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	int rc = step_once_va(db, st, who, what, cause, sql, types, ap);
	va_end(ap);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

char *history_db_column_dup(sqlite3_stmt *st, int i)
{
	return xstrdup((const char *)sqlite3_column_text(st, i));
}
