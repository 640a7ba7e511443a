#include "common.h"
#include "store/history.h"
#include "store/history-db.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

/*
 * The run history: one SQLite connection in WAL mode behind one mutex.
 *
 * Crash recovery and other processes: `reportbot history` or `run` may open
 * the database while `serve` has runs in flight, and must not mark those
 * runs interrupted. So every opener holds a shared flock on PATH.lock for as
 * long as it has the history open, and only an opener that can take the lock
 * exclusively (nobody else has the history open) marks leftover
 * queued/running runs as interrupted and deletes leftover reserved rows
 * (run ids a dead process set aside: store/history-reserve.c).
 */

#define HISTORY_INTERRUPTED_TEXT "the bot stopped while this ran"
#define HISTORY_INTERRUPTED_QUEUED_TEXT "the bot stopped before this run started"
#define HISTORY_INTERRUPTED_DELIVERING_TEXT \
	"the bot stopped while it delivered this run; its file may have been posted"

struct history {
	pthread_mutex_t mutex;
	sqlite3 *db;
	char *path;
	int lock_fd;
};

static const char *const history_status_names[] = {
	[RUN_QUEUED] = "queued",
	[RUN_RUNNING] = "running",
	[RUN_OK] = "ok",
	[RUN_ERROR] = "error",
	[RUN_TIMEOUT] = "timeout",
	[RUN_CANCELLED] = "cancelled",
	[RUN_INTERRUPTED] = "interrupted",
	[RUN_SKIPPED] = "skipped",
	[RUN_RESERVED] = "reserved",
	[RUN_DELIVERING] = "delivering",
};

const char *run_status_name(enum run_status s)
{
	return enum_name(history_status_names, ARRAY_SIZE(history_status_names), (int)s);
}

int run_status_from_name(const char *name, enum run_status *s)
{
	int i = enum_from_name(history_status_names, ARRAY_SIZE(history_status_names), name);
	if (i < 0)
		return -1;
	*s = (enum run_status)i;
	return 0;
}

/*
 * Schema migrations: history_migrations[i] takes user_version i to i + 1.
 * Append only; never edit a released step.
 */
static const char *const history_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  command TEXT,"
	"  args TEXT,"
	"  user TEXT,"
	"  channel TEXT,"
	"  source TEXT,"
	"  queued_ms INTEGER NOT NULL DEFAULT 0,"
	"  started_ms INTEGER NOT NULL DEFAULT 0,"
	"  finished_ms INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL,"
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  duration_ms INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT"
	");"
	"CREATE INDEX runs_status ON runs(status);"
	"CREATE TABLE schedule_slots ("
	"  schedule TEXT,"
	"  slot_ms INTEGER,"
	"  run_id INTEGER,"
	"  status TEXT,"
	"  PRIMARY KEY (schedule, slot_ms)"
	");"
	"CREATE TABLE schedules ("
	"  name TEXT PRIMARY KEY,"
	"  cron TEXT,"
	"  run TEXT,"
	"  channel TEXT,"
	"  skip_empty INTEGER,"
	"  only_changed INTEGER,"
	"  created_by TEXT,"
	"  created_ms INTEGER"
	");"
	"CREATE TABLE last_posted ("
	"  schedule TEXT PRIMARY KEY,"
	"  sha256 TEXT,"
	"  run_id INTEGER"
	");",
	/* 1 -> 2: ids set aside ahead (reserved rows) may be deleted unused;
	 * AUTOINCREMENT keeps SQLite from ever giving such an id again, so an
	 * id once announced names one run for good. */
	"CREATE TABLE runs_v2 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  command TEXT,"
	"  args TEXT,"
	"  user TEXT,"
	"  channel TEXT,"
	"  source TEXT,"
	"  queued_ms INTEGER NOT NULL DEFAULT 0,"
	"  started_ms INTEGER NOT NULL DEFAULT 0,"
	"  finished_ms INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL,"
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  duration_ms INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT"
	");"
	"INSERT INTO runs_v2 SELECT id, command, args, user, channel, source, queued_ms, started_ms, "
	"  finished_ms, status, rows, bytes, duration_ms, error FROM runs;"
	"DROP TABLE runs;"
	"ALTER TABLE runs_v2 RENAME TO runs;"
	"CREATE INDEX runs_status ON runs(status);"
	"CREATE INDEX runs_queued ON runs(queued_ms);",
	/* 2 -> 3 (issue 11): a slot's attempt survives a restart: the attempt
	 * running (claimed) or due next (retrying), and when it started or
	 * is due; a slot's run is found by its id. Runs a crash left
	 * interrupted are told once (interrupted_told); those interrupted
	 * before this version count as told. */
	"ALTER TABLE schedule_slots ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE schedule_slots ADD COLUMN attempt_ms INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX schedule_slots_run ON schedule_slots(run_id);"
	"CREATE TABLE interrupted_told ("
	"  run_id INTEGER PRIMARY KEY,"
	"  told_ms INTEGER NOT NULL"
	");"
	"INSERT INTO interrupted_told (run_id, told_ms) SELECT id, 0 FROM runs WHERE status = 'interrupted';",
};

_Static_assert(ARRAY_SIZE(history_migrations) == HISTORY_SCHEMA_VERSION,
	       "one migration step per schema version");

sqlite3 *history_db(struct history *h)
{
	return h->db;
}

void history_lock(struct history *h)
{
	pthread_mutex_lock(&h->mutex);
}

void history_unlock(struct history *h)
{
	pthread_mutex_unlock(&h->mutex);
}

/* The statement helpers of store/history-db.c, worded as "history: ...". */
static int history_exec(struct history *h, const char *sql, char **cause, const char *what)
{
	return history_db_exec(h->db, "history", what, cause, sql);
}

static int history_query_int(struct history *h, const char *sql, int64_t *out, char **cause,
			     const char *what)
{
	return history_db_query_int(h->db, out, "history", what, cause, sql, "");
}

static int history_migrate(struct history *h, char **cause)
{
	int64_t version;
	if (history_query_int(h, "PRAGMA user_version", &version, cause, "cannot read the schema version") < 0)
		return -1;
	if (version == HISTORY_SCHEMA_VERSION)
		return 0;
	if (version > HISTORY_SCHEMA_VERSION || version < 0)
		return fail(cause, "history database '%s' has schema version %lld; this reportbot knows "
			    "versions up to %d (is a newer reportbot using it?)",
			    h->path, (long long)version, HISTORY_SCHEMA_VERSION);

	/* IMMEDIATE: two processes creating a fresh database take turns, and
	 * the second sees the first one's version. */
	if (history_exec(h, "BEGIN IMMEDIATE", cause, "cannot start the schema migration") < 0)
		return -1;
	if (history_query_int(h, "PRAGMA user_version", &version, cause, "cannot read the schema version") < 0)
		goto rollback;
	for (; version < HISTORY_SCHEMA_VERSION; version++) {
		if (history_exec(h, history_migrations[version], cause, "cannot create the schema") < 0)
			goto rollback;
		char *sql = xasprintf("PRAGMA user_version = %lld", (long long)version + 1);
		int r = history_exec(h, sql, cause, "cannot set the schema version");
		free(sql);
		if (r < 0)
			goto rollback;
	}
	if (history_exec(h, "COMMIT", cause, "cannot commit the schema") < 0)
		goto rollback;
	return 0;
rollback:
	sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Mark runs a dead process left behind; delete the ids it set aside and
 * never used. */
static int history_recover(struct history *h, char **cause)
{
	if (history_db_run(h->db, "history", "cannot mark unfinished runs as interrupted", cause,
			   "UPDATE runs SET status = 'interrupted', error = ?1 "
			   "WHERE status = 'running'", "t", HISTORY_INTERRUPTED_TEXT) < 0)
		return -1;
	if (history_db_run(h->db, "history", "cannot mark unfinished runs as interrupted", cause,
			   "UPDATE runs SET status = 'interrupted', error = ?1 "
			   "WHERE status = 'queued'", "t", HISTORY_INTERRUPTED_QUEUED_TEXT) < 0)
		return -1;
	if (history_db_run(h->db, "history", "cannot mark unfinished runs as interrupted", cause,
			   "UPDATE runs SET status = 'interrupted', error = ?1 "
			   "WHERE status = 'delivering'", "t", HISTORY_INTERRUPTED_DELIVERING_TEXT) < 0)
		return -1;
	return history_db_run(h->db, "history", "cannot delete unused reserved ids", cause,
			      "DELETE FROM runs WHERE status = 'reserved'", "");
}

/* The directory part of path must exist: say so rather than "unable to open". */
static int history_check_dir(const char *path, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	struct stat st;
	int ret = 0;
	if (stat(dir, &st) < 0)
		ret = fail(cause, "history database '%s': directory '%s' %s", path, dir,
			   errno == ENOENT ? "does not exist" : strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		ret = fail(cause, "history database '%s': '%s' is not a directory", path, dir);
	free(dir);
	return ret;
}

/* A file of the history this user owns: 0600 when its mode lets anyone
 * else read it or its owner not write it (it was made by an older
 * reportbot, or by hand). */
static void history_narrow(int fd, const char *name)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 0777) == 0600)
		return;
	if (fchmod(fd, 0600) < 0)
		log_warn("history: cannot make %s private (mode %04o): %s", name,
			 (unsigned)(st.st_mode & 07777), strerror(errno));
	else
		log_info("history: %s made private (mode 0600, was %04o)", name, (unsigned)(st.st_mode & 07777));
}

/* Why this user cannot write NAME (open failed with ERR), for a cause. */
static char *history_who_owns(const char *name, int err)
{
	struct stat st;
	if (stat(name, &st) < 0)
		return xstrdup(strerror(err));
	return xasprintf("%s (owner uid %u, mode %04o; this bot runs as uid %u)", strerror(err),
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)geteuid());
}

/*
 * The history's files, private and writable before SQLite opens them.
 * history.db is made here with mode 0600 (SQLite gives the -wal and -shm
 * it makes the mode of the database file, so they are 0600 too); the ones
 * this user owns are narrowed to 0600. A -wal or -shm left by a process
 * that ran as another user cannot be opened, and SQLite would say only
 * "unable to open" or "readonly": name the file and the fix.
 */
static int history_prepare_files(const char *path, char **cause)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		char *why = history_who_owns(path, errno);
		fail(cause, "history database '%s': cannot open it for writing: %s; give it to the "
		     "user the bot runs as (chown), or run the bot as its owner", path, why);
		free(why);
		return -1;
	}
	history_narrow(fd, path);
	close(fd);

	static const char *const sides[] = { "-shm", "-wal" };
	for (size_t i = 0; i < ARRAY_SIZE(sides); i++) {
		char *side = xasprintf("%s%s", path, sides[i]);
		struct stat st;
		/* Ours but not writable (0444, say): ours to fix. */
		if (stat(side, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 0600) != 0600 &&
		    chmod(side, 0600) == 0)
			log_info("history: %s made writable (mode 0600, was %04o)", side,
				 (unsigned)(st.st_mode & 07777));
		int sfd = open(side, O_RDWR | O_CLOEXEC);
		if (sfd < 0 && errno != ENOENT) {
			char *why = history_who_owns(side, errno);
			if (i == 0)
				fail(cause, "history database '%s': cannot open '%s' for writing: %s. It is "
				     "left from a process that ran as another user: remove it while no "
				     "reportbot runs (rm '%s'; SQLite makes it again), or give it to the "
				     "user the bot runs as (chown)", path, side, why, side);
			else
				fail(cause, "history database '%s': cannot open '%s' for writing: %s. It is "
				     "left from a process that ran as another user and may hold runs not yet "
				     "in history.db, so do not remove it: give it to the user the bot runs "
				     "as (chown) while no reportbot runs", path, side, why);
			free(why);
			free(side);
			return -1;
		}
		if (sfd >= 0) {
			history_narrow(sfd, side);
			close(sfd);
		}
		free(side);
	}
	return 0;
}

/* Take the opener's lock; *exclusive says whether nobody else has it open. */
static int history_take_lock(struct history *h, bool *exclusive, char **cause)
{
	char *lock_path = xasprintf("%s.lock", h->path);
	h->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (h->lock_fd < 0) {
		char *why = history_who_owns(lock_path, errno);
		fail(cause, "history database '%s': cannot open lock file '%s': %s", h->path, lock_path, why);
		free(why);
		free(lock_path);
		return -1;
	}
	history_narrow(h->lock_fd, lock_path);
	free(lock_path);
	*exclusive = false;
	int r;
	while ((r = flock(h->lock_fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (r == 0) {
		*exclusive = true;
		return 0;
	}
	if (errno != EWOULDBLOCK)
		return fail(cause, "history database '%s': cannot lock: %s", h->path, strerror(errno));
	while ((r = flock(h->lock_fd, LOCK_SH)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return fail(cause, "history database '%s': cannot lock: %s", h->path, strerror(errno));
	return 0;
}

int history_open(struct history **out, const char *path, char **cause)
{
	*out = NULL;
	if (!path || !*path)
		return fail(cause, "history database: no path given");
	if (history_check_dir(path, cause) < 0 || history_prepare_files(path, cause) < 0)
		return -1;

	struct history *h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->mutex, NULL);
	h->path = xstrdup(path);
	h->lock_fd = -1;

	bool exclusive = false;
	char *mode = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		fail(cause, "history database '%s': cannot open: %s", path,
		     h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(h->db, 1);
	history_db_set_busy_timeout(h->db, history_db_busy_timeout_ms());

	/* journal_mode answers with the mode it is in, which stays "delete"
	 * where WAL cannot work (a network filesystem). */
	if (sqlite3_prepare_v2(h->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		fail(cause, "history database '%s': cannot use it: %s", path, sqlite3_errmsg(h->db));
		goto fail;
	}
	mode = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	if (!mode || strcmp(mode, "wal") != 0) {
		fail(cause, "history database '%s': cannot switch to WAL mode (it stays in '%s'); "
		     "put data_dir on a local filesystem", path, mode ? mode : "?");
		goto fail;
	}
	if (history_exec(h, "PRAGMA synchronous = NORMAL", cause, "cannot set synchronous mode") < 0)
		goto fail;
	if (history_migrate(h, cause) < 0)
		goto fail;
	if (history_take_lock(h, &exclusive, cause) < 0)
		goto fail;
	if (exclusive) {
		int r = history_recover(h, cause);
		/* Now share the lock with whoever opens it next. */
		while (flock(h->lock_fd, LOCK_SH) < 0 && errno == EINTR)
			;
		if (r < 0)
			goto fail;
	}
	free(mode);
	*out = h;
	return 0;
fail:
	free(mode);
	history_close(h);
	return -1;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	sqlite3_close(h->db);
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	pthread_mutex_destroy(&h->mutex);
	free(h->path);
	free(h);
}

int history_add_run(struct history *h, const struct run_record *r, int64_t *id, char **cause)
{
	history_lock(h);
	int ret = history_db_run(h->db, "history", "cannot record a run", cause,
				 "INSERT INTO runs (command, args, user, channel, source, queued_ms, "
				 "started_ms, finished_ms, status, rows, bytes, duration_ms, error) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
				 "tttttiiitiiit", r->command, r->args, r->user, r->channel, r->source,
				 r->queued_ms, r->started_ms, r->finished_ms, run_status_name(r->status),
				 r->rows, r->bytes, r->duration_ms, r->error);
	if (ret == 0 && id)
		*id = sqlite3_last_insert_rowid(h->db);
	history_unlock(h);
	return ret;
}

int history_reserve_ids(struct history *h, size_t n, int64_t *ids, char **cause)
{
	const char *what = "cannot set run ids aside";
	int64_t now = now_ms_wall();
	if (n == 0)
		return 0;
	history_lock(h);
	/* IMMEDIATE: the batch is one write, taken at once or not at all. */
	if (history_exec(h, "BEGIN IMMEDIATE", cause, what) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (history_db_run(h->db, "history", what, cause,
				   "INSERT INTO runs (status, queued_ms) VALUES ('reserved', ?1)", "i", now) < 0)
			goto rollback;
		ids[i] = sqlite3_last_insert_rowid(h->db);
	}
	if (history_exec(h, "COMMIT", cause, what) < 0)
		goto rollback;
	history_unlock(h);
	return 0;
rollback:
	sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	history_unlock(h);
	return -1;
}

int history_release_ids(struct history *h, const int64_t *ids, size_t n, char **cause)
{
	int ret = 0;
	history_lock(h);
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = history_db_run(h->db, "history", "cannot delete unused reserved ids", cause,
				     "DELETE FROM runs WHERE id = ?1 AND status = 'reserved'", "i", ids[i]);
	history_unlock(h);
	return ret;
}

/*
 * After an UPDATE that changed nothing: say why, naming the run and the
 * status it is in. Lock held.
 */
static int history_explain_unchanged(struct history *h, int64_t id, const char *becoming, char **cause)
{
	sqlite3_stmt *st;
	int r = history_db_row(h->db, &st, "history", "cannot read a run", cause,
			       "SELECT status FROM runs WHERE id = ?1", "i", id);
	if (r == 0)
		fail(cause, "history: run %lld is already %s; it cannot become %s", (long long)id,
		     (const char *)sqlite3_column_text(st, 0), becoming);
	else if (r == 1)
		fail(cause, "history: there is no run %lld", (long long)id);
	sqlite3_finalize(st);
	return -1;
}

/* The reserved row r->id (or, with also_queued, the queued one not yet
 * started) becomes the run r describes, queued. Lock held. */
static int history_write_queued(struct history *h, const struct run_record *r, bool also_queued,
				char **cause)
{
	return history_db_run(h->db, "history", "cannot record a run", cause,
			      "UPDATE runs SET command = ?2, args = ?3, user = ?4, channel = ?5, source = ?6, "
			      "queued_ms = ?7, started_ms = 0, finished_ms = 0, status = 'queued', rows = 0, "
			      "bytes = 0, duration_ms = 0, error = NULL "
			      "WHERE id = ?1 AND (status = 'reserved' OR (?8 AND status = 'queued' "
			      "AND started_ms = 0))", "ittttti" "i", r->id, r->command, r->args, r->user,
			      r->channel, r->source, r->queued_ms, (int64_t)(also_queued ? 1 : 0));
}

int history_claim_run(struct history *h, const struct run_record *r, char **cause)
{
	history_lock(h);
	int ret = history_write_queued(h, r, true, cause);
	if (ret == 0 && sqlite3_changes(h->db) == 0)
		ret = history_explain_unchanged(h, r->id, "queued", cause);
	history_unlock(h);
	return ret;
}

int history_record_queued(struct history *h, const struct run_record *r, char **cause)
{
	history_lock(h);
	int ret = history_write_queued(h, r, false, cause);
	if (ret == 0 && sqlite3_changes(h->db) == 0)
		ret = 1;
	history_unlock(h);
	return ret;
}

int history_mark_running(struct history *h, int64_t id, char **cause)
{
	history_lock(h);
	int ret = history_db_run(h->db, "history", "cannot mark a run as running", cause,
				 "UPDATE runs SET status = 'running', started_ms = ?2 "
				 "WHERE id = ?1 AND status = 'queued'", "ii", id, now_ms_wall());
	if (ret == 0 && sqlite3_changes(h->db) == 0)
		ret = history_explain_unchanged(h, id, "running", cause);
	history_unlock(h);
	return ret;
}

int history_mark_delivering(struct history *h, int64_t id, int64_t rows, int64_t bytes,
			    int64_t duration_ms, char **cause)
{
	history_lock(h);
	int ret = history_db_run(h->db, "history", "cannot record that a run is being delivered", cause,
				 "UPDATE runs SET status = 'delivering', rows = ?2, bytes = ?3, duration_ms = ?4 "
				 "WHERE id = ?1 AND status = 'running'", "iiii", id, rows, bytes, duration_ms);
	if (ret == 0 && sqlite3_changes(h->db) == 0)
		ret = history_explain_unchanged(h, id, "delivering", cause);
	history_unlock(h);
	return ret;
}

int history_finish_run(struct history *h, int64_t id, enum run_status status,
		       int64_t rows, int64_t bytes, int64_t duration_ms,
		       const char *error, char **cause)
{
	if (status == RUN_QUEUED || status == RUN_RUNNING || status == RUN_RESERVED ||
	    status == RUN_DELIVERING || (size_t)status >= ARRAY_SIZE(history_status_names))
		return fail(cause, "history: run %lld cannot finish as '%s'; accepted: ok, error, timeout, "
			    "cancelled, interrupted, skipped", (long long)id, run_status_name(status));

	history_lock(h);
	int ret = history_db_run(h->db, "history", "cannot record the end of a run", cause,
				 "UPDATE runs SET status = ?2, rows = ?3, bytes = ?4, duration_ms = ?5, "
				 "error = ?6, finished_ms = ?7 "
				 "WHERE id = ?1 AND status IN ('queued', 'running', 'delivering')", "itiiiti",
				 id, run_status_name(status), rows, bytes, duration_ms, error, now_ms_wall());
	if (ret == 0 && sqlite3_changes(h->db) == 0)
		ret = history_explain_unchanged(h, id, run_status_name(status), cause);
	history_unlock(h);
	return ret;
}

#define HISTORY_COLUMNS "id, command, args, user, channel, source, queued_ms, started_ms, " \
			"finished_ms, status, rows, bytes, duration_ms, error"

static void history_read_record(sqlite3_stmt *st, struct run_record *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->command = history_db_column_dup(st, 1);
	r->args = history_db_column_dup(st, 2);
	r->user = history_db_column_dup(st, 3);
	r->channel = history_db_column_dup(st, 4);
	r->source = history_db_column_dup(st, 5);
	r->queued_ms = sqlite3_column_int64(st, 6);
	r->started_ms = sqlite3_column_int64(st, 7);
	r->finished_ms = sqlite3_column_int64(st, 8);
	/* A name this build does not know (a newer writer) reads as error. */
	if (run_status_from_name((const char *)sqlite3_column_text(st, 9), &r->status) < 0)
		r->status = RUN_ERROR;
	r->rows = sqlite3_column_int64(st, 10);
	r->bytes = sqlite3_column_int64(st, 11);
	r->duration_ms = sqlite3_column_int64(st, 12);
	r->error = history_db_column_dup(st, 13);
}

void history_record_release(struct run_record *r)
{
	if (!r)
		return;
	free(r->command);
	free(r->args);
	free(r->user);
	free(r->channel);
	free(r->source);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

void history_records_free(struct run_record *recs, size_t n)
{
	if (!recs)
		return;
	for (size_t i = 0; i < n; i++)
		history_record_release(&recs[i]);
	free(recs);
}

/* The last runs, most recent first; with filtered, only those in channel
 * or asked for by user (either may be NULL: matches nothing). */
static int history_list(struct history *h, size_t limit, bool filtered, const char *channel,
			const char *user, struct run_record **out, size_t *n, char **cause)
{
	/* By queue time: ids set aside ahead by two processes interleave. */
	const char *sql = "SELECT " HISTORY_COLUMNS " FROM runs WHERE status != 'reserved' "
			  "AND (?2 = 0 OR channel = ?3 OR user = ?4) ORDER BY queued_ms DESC, id DESC LIMIT ?1";
	sqlite3_stmt *st = NULL;
	struct run_record *recs = NULL;
	size_t count = 0, alloc = 0;
	int ret = -1;

	*out = NULL;
	*n = 0;
	if (limit == 0)
		return 0;
	history_lock(h);
	if (history_db_prepare(h->db, &st, "history", "cannot list runs", cause, sql, "iitt",
			       limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit,
			       (int64_t)(filtered ? 1 : 0), channel, user) < 0)
		goto out;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == alloc) {
			alloc = alloc ? alloc * 2 : (limit < 16 ? limit : 16);
			recs = xrealloc(recs, alloc * sizeof(*recs));
		}
		history_read_record(st, &recs[count++]);
	}
	if (rc != SQLITE_DONE) {
		history_db_fail(h->db, "history", "cannot list runs", cause);
		goto out;
	}
	*out = recs;
	*n = count;
	recs = NULL;
	count = 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	history_records_free(recs, count);
	return ret;
}

int history_recent(struct history *h, size_t limit, struct run_record **out, size_t *n, char **cause)
{
	return history_list(h, limit, false, NULL, NULL, out, n, cause);
}

int history_recent_for(struct history *h, size_t limit, const char *channel, const char *user,
		       struct run_record **out, size_t *n, char **cause)
{
	return history_list(h, limit, true, channel, user, out, n, cause);
}

int history_get(struct history *h, int64_t id, struct run_record *r, char **cause)
{
	const char *sql = "SELECT " HISTORY_COLUMNS " FROM runs WHERE id = ?1 AND status != 'reserved'";
	sqlite3_stmt *st = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	history_lock(h);
	ret = history_db_row(h->db, &st, "history", "cannot read a run", cause, sql, "i", id);
	if (ret == 0)
		history_read_record(st, r);
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

int history_list_interrupted(struct history *h, size_t limit, struct run_record **out, size_t *n,
			     char **cause)
{
	const char *sql = "SELECT " HISTORY_COLUMNS " FROM runs WHERE status = 'interrupted' "
			  "AND id NOT IN (SELECT run_id FROM interrupted_told) ORDER BY id LIMIT ?1";
	sqlite3_stmt *st = NULL;
	struct run_record *recs = NULL;
	size_t count = 0, alloc = 0;
	int ret = -1, rc;

	*out = NULL;
	*n = 0;
	if (limit == 0)
		return 0;
	history_lock(h);
	if (history_db_prepare(h->db, &st, "history", "cannot list interrupted runs", cause, sql, "i",
			       limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			recs = xrealloc(recs, alloc * sizeof(*recs));
		}
		history_read_record(st, &recs[count++]);
	}
	if (rc != SQLITE_DONE) {
		history_db_fail(h->db, "history", "cannot list interrupted runs", cause);
		goto out;
	}
	*out = recs;
	*n = count;
	recs = NULL;
	count = 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	history_records_free(recs, count);
	return ret;
}

int history_mark_interrupted_told(struct history *h, int64_t id, char **cause)
{
	history_lock(h);
	int ret = history_db_run(h->db, "history", "cannot record that an interrupted run was told", cause,
				 "INSERT OR IGNORE INTO interrupted_told (run_id, told_ms) VALUES (?1, ?2)",
				 "ii", id, now_ms_wall());
	history_unlock(h);
	return ret;
}
