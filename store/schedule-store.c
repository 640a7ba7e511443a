#include "common.h"
#include "store/schedule-store.h"
#include "store/history-db.h"

/*
 * The scheduler's rows in the history database. Each function holds the
 * history lock while it prepares, steps and finalizes its statements;
 * errors quote SQLite's message (the schema is ours, so no values a person
 * typed leak into it beyond a schedule name).
 */

static const char *const slot_status_names[] = {
	[SLOT_CLAIMED] = "claimed",
	[SLOT_OK] = "ok",
	[SLOT_ERROR] = "error",
	[SLOT_MISSED] = "missed",
	[SLOT_SKIPPED] = "skipped",
	[SLOT_RETRYING] = "retrying",
};

const char *slot_status_name(enum slot_status s)
{
	return enum_name(slot_status_names, ARRAY_SIZE(slot_status_names), (int)s);
}

int slot_status_from_name(const char *name, enum slot_status *s)
{
	int i = enum_from_name(slot_status_names, ARRAY_SIZE(slot_status_names), name);
	if (i < 0)
		return -1;
	*s = (enum slot_status)i;
	return 0;
}

/* fail() with the connection's last error; call with the lock held. */
static int store_fail(sqlite3 *db, char **cause, const char *what)
{
	return fail(cause, "schedule store: %s: %s", what, sqlite3_errmsg(db));
}

static int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char **cause)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return store_fail(db, cause, "cannot prepare a statement");
	return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* INSERT OR IGNORE one slot; 1 inserted, 0 taken, -1 error. Lock held. */
static int insert_slot(sqlite3 *db, const char *schedule, int64_t slot_ms,
		       enum slot_status status, char **cause)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (store_prepare(db, "INSERT OR IGNORE INTO schedule_slots (schedule, slot_ms, run_id, status) "
			  "VALUES (?1, ?2, NULL, ?3)", &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, schedule) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, slot_ms) != SQLITE_OK ||
	    bind_text(st, 3, slot_status_name(status)) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_fail(db, cause, "cannot claim a slot");
		goto out;
	}
	ret = sqlite3_changes(db) > 0 ? 1 : 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int schedule_store_claim(struct history *h, const char *schedule, int64_t slot_ms,
			 enum slot_status status, char **cause)
{
	history_lock(h);
	int ret = insert_slot(history_db(h), schedule, slot_ms, status, cause);
	history_unlock(h);
	return ret;
}

int schedule_store_mark_missed(struct history *h, const char *schedule,
			       const int64_t *slots_ms, size_t n, char **cause)
{
	sqlite3 *db;
	int ret = -1;

	if (n == 0)
		return 0;
	history_lock(h);
	db = history_db(h);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(db, cause, "cannot record missed slots");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (insert_slot(db, schedule, slots_ms[i], SLOT_MISSED, cause) < 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(db, cause, "cannot record missed slots");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	ret = 0;
out:
	history_unlock(h);
	return ret;
}

int schedule_store_update_slot(struct history *h, const char *schedule, int64_t slot_ms,
			       int64_t run_id, enum slot_status status, char **cause)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int ret = -1;

	history_lock(h);
	db = history_db(h);
	if (store_prepare(db, "UPDATE schedule_slots SET status = ?3, "
			  "run_id = CASE WHEN ?4 > 0 THEN ?4 ELSE run_id END "
			  "WHERE schedule = ?1 AND slot_ms = ?2", &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, schedule) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, slot_ms) != SQLITE_OK ||
	    bind_text(st, 3, slot_status_name(status)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, run_id) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_fail(db, cause, "cannot update a slot");
		goto out;
	}
	ret = sqlite3_changes(db) > 0 ? 0 : 1;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

/* One slot row from a query with ?1 = schedule and optionally ?2 = slot_ms. */
static int query_slot(struct history *h, const char *sql, const char *schedule, int64_t slot_ms,
		      struct slot_record *out, char **cause)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int ret = -1, rc;

	history_lock(h);
	db = history_db(h);
	if (store_prepare(db, sql, &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, schedule) != SQLITE_OK ||
	    (sqlite3_bind_parameter_count(st) >= 2 && sqlite3_bind_int64(st, 2, slot_ms) != SQLITE_OK)) {
		store_fail(db, cause, "cannot read a slot");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = 1;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		store_fail(db, cause, "cannot read a slot");
		goto out;
	}
	out->slot_ms = sqlite3_column_int64(st, 0);
	out->run_id = sqlite3_column_int64(st, 1);
	if (slot_status_from_name((const char *)sqlite3_column_text(st, 2), &out->status) < 0) {
		fail(cause, "schedule store: slot %lld of '%s' has unknown status '%s'",
		     (long long)out->slot_ms, schedule, (const char *)sqlite3_column_text(st, 2));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

int schedule_store_get_slot(struct history *h, const char *schedule, int64_t slot_ms,
			    struct slot_record *out, char **cause)
{
	return query_slot(h, "SELECT slot_ms, run_id, status FROM schedule_slots "
			  "WHERE schedule = ?1 AND slot_ms = ?2", schedule, slot_ms, out, cause);
}

int schedule_store_last_slot(struct history *h, const char *schedule,
			     struct slot_record *out, char **cause)
{
	return query_slot(h, "SELECT slot_ms, run_id, status FROM schedule_slots "
			  "WHERE schedule = ?1 ORDER BY slot_ms DESC LIMIT 1", schedule, 0, out, cause);
}

int schedule_store_last_run_slot(struct history *h, const char *schedule,
				 struct slot_record *out, char **cause)
{
	return query_slot(h, "SELECT slot_ms, run_id, status FROM schedule_slots "
			  "WHERE schedule = ?1 AND status <> 'missed' ORDER BY slot_ms DESC LIMIT 1",
			  schedule, 0, out, cause);
}

int schedule_store_count_slots(struct history *h, const char *schedule, enum slot_status status,
			       int64_t since_ms, int64_t *count, char **cause)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int ret = -1;

	history_lock(h);
	db = history_db(h);
	if (store_prepare(db, "SELECT count(*) FROM schedule_slots "
			  "WHERE schedule = ?1 AND status = ?2 AND slot_ms >= ?3", &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, schedule) != SQLITE_OK ||
	    bind_text(st, 2, slot_status_name(status)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, since_ms) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_fail(db, cause, "cannot count slots");
		goto out;
	}
	*count = sqlite3_column_int64(st, 0);
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

void stored_schedule_release(struct stored_schedule *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->cron);
	free(s->run);
	free(s->channel);
	free(s->created_by);
	memset(s, 0, sizeof(*s));
}

void stored_schedules_free(struct stored_schedule *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		stored_schedule_release(&v[i]);
	free(v);
}

int schedule_store_add(struct history *h, const struct stored_schedule *s, char **cause)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int ret = -1;

	history_lock(h);
	db = history_db(h);
	if (store_prepare(db, "INSERT OR IGNORE INTO schedules (name, cron, run, channel, skip_empty, "
			  "only_changed, created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			  &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, s->name) != SQLITE_OK ||
	    bind_text(st, 2, s->cron) != SQLITE_OK ||
	    bind_text(st, 3, s->run) != SQLITE_OK ||
	    bind_text(st, 4, s->channel) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, s->skip_empty) != SQLITE_OK ||
	    sqlite3_bind_int(st, 6, s->only_changed) != SQLITE_OK ||
	    bind_text(st, 7, s->created_by) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 8, s->created_ms) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_fail(db, cause, "cannot add a schedule");
		goto out;
	}
	ret = sqlite3_changes(db) > 0 ? 0 : 1;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

/* Run one statement binding ?1 = text; *changes (may be NULL) gets its count. */
static int exec_one(sqlite3 *db, const char *sql, const char *arg, int *changes, char **cause)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (store_prepare(db, sql, &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, arg) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		store_fail(db, cause, "cannot remove a schedule");
		goto out;
	}
	if (changes)
		*changes = sqlite3_changes(db);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int schedule_store_remove(struct history *h, const char *name, char **cause)
{
	sqlite3 *db;
	int ret = -1, changes = 0;

	history_lock(h);
	db = history_db(h);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(db, cause, "cannot remove a schedule");
		goto out;
	}
	if (exec_one(db, "DELETE FROM schedules WHERE name = ?1", name, &changes, cause) < 0 ||
	    exec_one(db, "DELETE FROM schedule_slots WHERE schedule = ?1", name, NULL, cause) < 0 ||
	    exec_one(db, "DELETE FROM last_posted WHERE schedule = ?1", name, NULL, cause) < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(db, cause, "cannot remove a schedule");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	ret = changes > 0 ? 0 : 1;
out:
	history_unlock(h);
	return ret;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	return xstrdup((const char *)sqlite3_column_text(st, i));
}

int schedule_store_list(struct history *h, struct stored_schedule **out, size_t *n, char **cause)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	struct stored_schedule *v = NULL;
	size_t len = 0, alloc = 0;
	int ret = -1, rc;

	history_lock(h);
	db = history_db(h);
	if (store_prepare(db, "SELECT name, cron, run, channel, skip_empty, only_changed, created_by, "
			  "created_ms FROM schedules ORDER BY name", &st, cause) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		struct stored_schedule *s = &v[len++];
		s->name = column_dup(st, 0);
		s->cron = column_dup(st, 1);
		s->run = column_dup(st, 2);
		s->channel = column_dup(st, 3);
		s->skip_empty = sqlite3_column_int(st, 4) != 0;
		s->only_changed = sqlite3_column_int(st, 5) != 0;
		s->created_by = column_dup(st, 6);
		s->created_ms = sqlite3_column_int64(st, 7);
	}
	if (rc != SQLITE_DONE) {
		store_fail(db, cause, "cannot list schedules");
		goto out;
	}
	*out = v;
	*n = len;
	v = NULL;
	len = 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	stored_schedules_free(v, len);
	return ret;
}

int schedule_store_get_posted(struct history *h, const char *schedule, char **sha256,
			      int64_t *run_id, char **cause)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int ret = -1, rc;

	history_lock(h);
	db = history_db(h);
	if (store_prepare(db, "SELECT sha256, run_id FROM last_posted WHERE schedule = ?1",
			  &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, schedule) != SQLITE_OK) {
		store_fail(db, cause, "cannot read the last posted digest");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)) {
		ret = 1;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		store_fail(db, cause, "cannot read the last posted digest");
		goto out;
	}
	*sha256 = column_dup(st, 0);
	if (run_id)
		*run_id = sqlite3_column_int64(st, 1);
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

int schedule_store_set_posted(struct history *h, const char *schedule, const char *sha256,
			      int64_t run_id, char **cause)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int ret = -1;

	history_lock(h);
	db = history_db(h);
	if (store_prepare(db, "INSERT INTO last_posted (schedule, sha256, run_id) VALUES (?1, ?2, ?3) "
			  "ON CONFLICT (schedule) DO UPDATE SET sha256 = excluded.sha256, "
			  "run_id = excluded.run_id", &st, cause) < 0)
		goto out;
	if (bind_text(st, 1, schedule) != SQLITE_OK ||
	    bind_text(st, 2, sha256) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, run_id) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_fail(db, cause, "cannot record the last posted digest");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}
