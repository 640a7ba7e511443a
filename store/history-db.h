/*
 * history-db.h: the history store's connection, for other store/ modules
 * (a schedule store) that keep their tables in the same database, and the
 * one copy of the statement helpers both use (store/history-db.c).
 *
 * The schema of every table lives in store/history.c (PRAGMA user_version);
 * version 1 already holds schedule_slots, schedules and last_posted;
 * version 2 gives runs AUTOINCREMENT ids (never reused) and an index on
 * queued_ms; version 3 gives schedule_slots the attempt and its time
 * (retries survive a restart) and adds interrupted_told.
 * Use the connection only between history_lock and history_unlock: it is
 * one connection shared by every thread. Do not close it.
 */
#ifndef HISTORY_DB_H
#define HISTORY_DB_H

#include "common.h"
#include "store/history.h"

#include <sqlite3.h>

/* Schema version history_open migrates to. */
#define HISTORY_SCHEMA_VERSION 3

/* Borrowed; valid until history_close. */
sqlite3 *history_db(struct history *h);
/* The one mutex guarding the connection; not recursive. */
void history_lock(struct history *h);
void history_unlock(struct history *h);

/*
 * Statement helpers. Call them with the history lock held. WHO and WHAT
 * word a failure as "WHO: WHAT: <SQLite's message>" (e.g. "history",
 * "cannot record a run"). TYPES has one letter per parameter, bound in
 * order to ?1, ?2, ... from the arguments that follow:
 *   't'  const char *, borrowed until the statement is finalized; NULL
 *        binds NULL
 *   'i'  int64_t
 *   'd'  int64_t id; 0 or less binds NULL
 * Pass int64_t for 'i' and 'd' (cast an int or bool).
 */

/* How long a writer waits for a database another process holds, in ms:
 * REPORTBOT_HISTORY_BUSY_MS (0..3600000; a bad value warns and is
 * ignored), else 30 s: long enough for real contention (a backup, a
 * person's sqlite3 shell), short enough to fail loudly. */
#define HISTORY_BUSY_MS_DEFAULT 30000
int history_db_busy_timeout_ms(void);
/* sqlite3_busy_timeout(db, ms), remembered for the words of a failure. */
void history_db_set_busy_timeout(sqlite3 *db, int ms);

/* fail() with the connection's last error; returns -1. A full disk names
 * the directory of the database and says the bot recovers by itself; a
 * database locked past the busy timeout names the file and the wait. */
int history_db_fail(sqlite3 *db, const char *who, const char *what, char **cause);

/* A statement without parameters or rows (BEGIN, COMMIT, a PRAGMA). */
int history_db_exec(sqlite3 *db, const char *who, const char *what, char **cause, const char *sql);

/* Prepare SQL and bind the parameters. 0 with *st (caller finalizes);
 * -1 with *cause and *st NULL. */
int history_db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *who, const char *what,
		       char **cause, const char *sql, const char *types, ...);

/* Prepare, bind and step SQL to its end (an INSERT, UPDATE or DELETE).
 * 0 when done: sqlite3_changes(db) then says how many rows changed; -1
 * with *cause. */
int history_db_run(sqlite3 *db, const char *who, const char *what, char **cause,
		   const char *sql, const char *types, ...);

/* The integer in the first column of SQL's first row (0 for NULL) into
 * *out; -1 with *cause when it fails or gives no row. */
int history_db_query_int(sqlite3 *db, int64_t *out, const char *who, const char *what,
			 char **cause, const char *sql, const char *types, ...);

/* The first row of SQL: 0 with *st on it (read its columns, then the
 * caller finalizes *st), 1 when there is none (*st NULL), -1 with *cause
 * (*st NULL). */
int history_db_row(sqlite3 *db, sqlite3_stmt **st, const char *who, const char *what,
		   char **cause, const char *sql, const char *types, ...);

/* A copy of column I of the current row; NULL stays NULL. Caller frees. */
char *history_db_column_dup(sqlite3_stmt *st, int i);

#endif
