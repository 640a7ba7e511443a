/*
 * history.h: the run history store, an SQLite database in data_dir
 * (history.db): WAL, schema version in PRAGMA user_version, one connection
 * guarded by one mutex (history_lock) so any thread may call any function.
 *
 * history_open marks runs left "queued"/"running" by a crashed process as
 * "interrupted", but only when no other process has the history open (each
 * opener holds a shared flock on PATH.lock), so `reportbot history` next to
 * a running `serve` leaves its runs alone. Strings in records are owned by
 * the record; history_record_release frees them.
 *
 * Run ids: a run's id is the id of its row, chosen by SQLite
 * (AUTOINCREMENT: an id is never given twice, even after a row is gone),
 * so several processes may write one history. A process that must name a
 * run before it can write (the network thread acks at once) sets ids
 * aside ahead: history_reserve_ids inserts rows in the state "reserved",
 * history_claim_run later turns one into the run (store/history-reserve.h
 * keeps them in memory). Reserved rows are never listed or returned;
 * history_release_ids deletes the ones a process did not use, and
 * history_open deletes those a dead process left behind (when it is the
 * only opener). Ids therefore grow but may skip numbers.
 *
 * Status changes: reserved -> queued (history_record_queued soon after
 * dispatch, history_claim_run when a worker takes it), queued ->
 * running (history_mark_running), running -> delivering
 * (history_mark_delivering: the result is made and about to reach the
 * person), queued, running or delivering -> any final status
 * (history_finish_run); anything else fails with a cause naming the run
 * and the status it is in. A run left "delivering" by a crash becomes
 * "interrupted" saying its file may have been posted.
 *
 * Faults: a writer waits for a database another process holds up to the
 * busy timeout (store/history-db.h: 30 s, REPORTBOT_HISTORY_BUSY_MS), then
 * fails with a cause naming the file; a full disk fails naming the
 * directory. The files (history.db, its -wal and -shm, history.db.lock)
 * are made 0600 and narrowed to it when this user owns them; a -wal or
 * -shm this user cannot write is named by history_open with the fix.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include "common.h"

/* Append-only; stored as these names in the database. */
enum run_status {
	RUN_QUEUED,
	RUN_RUNNING,
	RUN_OK,
	RUN_ERROR,
	RUN_TIMEOUT,
	RUN_CANCELLED,
	RUN_INTERRUPTED,   /* the process died while it ran */
	RUN_SKIPPED,       /* scheduled run not posted (skip_empty / only_changed) */
	RUN_RESERVED,      /* an id set aside, not yet a run; never listed */
	RUN_DELIVERING,    /* made, being delivered; the final status follows */
};
const char *run_status_name(enum run_status s);  /* "ok", "error", ... */
/* The status named NAME (as run_status_name gives it): 0, or -1 if unknown. */
int run_status_from_name(const char *name, enum run_status *s);

struct run_record {
	int64_t id;
	char *command;
	char *args;          /* the resolved arguments as shown to people */
	char *user;          /* Slack user id, or "cli" / "console" / "schedule:NAME" */
	char *channel;       /* or NULL */
	char *source;
	int64_t queued_ms;   /* wall clock, ms since epoch */
	int64_t started_ms;  /* 0 if never started */
	int64_t finished_ms; /* 0 if not finished */
	enum run_status status;
	int64_t rows;
	int64_t bytes;
	int64_t duration_ms;
	char *error;         /* the cause shown to the person, or NULL */
};
void history_record_release(struct run_record *r);

struct history;

/* Open (creating) PATH; its directory must exist. */
int history_open(struct history **out, const char *path, char **cause);
void history_close(struct history *h);   /* NULL is a no-op */

/* Insert a run under a new id (r->id is ignored); *id receives it. */
int history_add_run(struct history *h, const struct run_record *r, int64_t *id, char **cause);
/* Set N ids aside: N rows in the state "reserved", in one transaction;
 * their ids go to ids[0..N-1] in increasing order. */
int history_reserve_ids(struct history *h, size_t n, int64_t *ids, char **cause);
/* The reserved row r->id becomes the run r describes (its status
 * RUN_QUEUED whatever r->status says); a row history_record_queued has
 * made queued already (and nothing has started) is written again, so the
 * worker's claim and the recorder's may come in either order. Fails
 * naming the id when it is neither (started, finished, or never set
 * aside). */
int history_claim_run(struct history *h, const struct run_record *r, char **cause);
/* The recorder's half (store/history-reserve.h): the reserved row r->id
 * becomes the run r describes, queued, so a crash before a worker takes
 * it leaves a queued run to mark interrupted. 0 when written, 1 when the
 * row is no longer reserved (the worker's claim came first: nothing is
 * written), -1 with *cause. */
int history_record_queued(struct history *h, const struct run_record *r, char **cause);
/* Delete the rows among ids[0..n-1] that are still reserved (ids set
 * aside and never used); claimed runs are left alone. */
int history_release_ids(struct history *h, const int64_t *ids, size_t n, char **cause);
int history_mark_running(struct history *h, int64_t id, char **cause);
/* running -> delivering, with what the run made (rows, bytes, time). */
int history_mark_delivering(struct history *h, int64_t id, int64_t rows, int64_t bytes,
			    int64_t duration_ms, char **cause);
int history_finish_run(struct history *h, int64_t id, enum run_status status,
		       int64_t rows, int64_t bytes, int64_t duration_ms,
		       const char *error, char **cause);

/* Most recent first (by queue time, then id), at most limit; *out is an array the caller frees
 * with history_records_free (NULL when *n is 0). */
int history_recent(struct history *h, size_t limit, struct run_record **out, size_t *n, char **cause);
void history_records_free(struct run_record *recs, size_t n);
/* As history_recent, only the runs in channel plus those user asked for
 * (wherever they ran); a NULL channel or user matches no run. */
int history_recent_for(struct history *h, size_t limit, const char *channel, const char *user,
		       struct run_record **out, size_t *n, char **cause);
/* Returns 0 and fills *r, 1 if there is no such run (a reserved id is
 * none), -1 on error. */
int history_get(struct history *h, int64_t id, struct run_record *r, char **cause);

/*
 * Runs a dead process left interrupted that nobody was told of yet
 * (history_open marked them; none told with history_mark_interrupted_told),
 * oldest first, at most limit; freed with history_records_free. Runs
 * interrupted before schema version 3 count as told. `serve` announces
 * them at start (bot/interrupted.h).
 */
int history_list_interrupted(struct history *h, size_t limit, struct run_record **out, size_t *n,
			     char **cause);
/* Run ID's interruption was told (or will never be): not listed again. */
int history_mark_interrupted_told(struct history *h, int64_t id, char **cause);

#endif
