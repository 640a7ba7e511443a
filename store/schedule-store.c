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

#define WHO "schedule store"

/* INSERT OR IGNORE one slot (attempt 1, started at ATTEMPT_MS); 1
 * inserted, 0 taken, -1 error. Lock held. */
static int insert_slot(sqlite3 *db, const char *schedule, int64_t slot_ms,
		       enum slot_status status, int64_t attempt_ms, char **cause)
{
	if (history_db_run(db, WHO, "cannot claim a slot", cause,
			   "INSERT OR IGNORE INTO schedule_slots (schedule, slot_ms, run_id, status, "
			   "attempt, attempt_ms) VALUES (?1, ?2, NULL, ?3, 1, ?4)", "titi", schedule,
			   slot_ms, slot_status_name(status), attempt_ms) < 0)
		return -1;
	return sqlite3_changes(db) > 0 ? 1 : 0;
}

int schedule_store_claim(struct history *h, const char *schedule, int64_t slot_ms,
			 enum slot_status status, char **cause)
{
	history_lock(h);
	int ret = insert_slot(history_db(h), schedule, slot_ms, status, 0, cause);
	history_unlock(h);
	return ret;
}

int schedule_store_claim_at(struct history *h, const char *schedule, int64_t slot_ms,
			    int64_t started_ms, char **cause)
{
	history_lock(h);
	int ret = insert_slot(history_db(h), schedule, slot_ms, SLOT_CLAIMED, started_ms, cause);
	history_unlock(h);
	return ret;
}

/* COMMIT, or ROLLBACK with *cause when that fails. Lock held. */
static int commit(sqlite3 *db, const char *what, char **cause)
{
	if (history_db_exec(db, WHO, what, cause, "COMMIT") == 0)
		return 0;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int schedule_store_mark_missed(struct history *h, const char *schedule,
			       const int64_t *slots_ms, size_t n, char **cause)
{
	const char *what = "cannot record missed slots";
	sqlite3 *db;
	int ret = -1;

	if (n == 0)
		return 0;
	history_lock(h);
	db = history_db(h);
	if (history_db_exec(db, WHO, what, cause, "BEGIN IMMEDIATE") < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (insert_slot(db, schedule, slots_ms[i], SLOT_MISSED, 0, cause) < 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	ret = commit(db, what, cause);
out:
	history_unlock(h);
	return ret;
}

int schedule_store_update_slot(struct history *h, const char *schedule, int64_t slot_ms,
			       int64_t run_id, enum slot_status status, char **cause)
{
	history_lock(h);
	sqlite3 *db = history_db(h);
	int ret = history_db_run(db, WHO, "cannot update a slot", cause,
				 "UPDATE schedule_slots SET status = ?3, "
				 "run_id = CASE WHEN ?4 > 0 THEN ?4 ELSE run_id END "
				 "WHERE schedule = ?1 AND slot_ms = ?2", "titi",
				 schedule, slot_ms, slot_status_name(status), run_id);
	if (ret == 0 && sqlite3_changes(db) == 0)
		ret = 1;
	history_unlock(h);
	return ret;
}

int schedule_store_set_attempt(struct history *h, const char *schedule, int64_t slot_ms,
			       enum slot_status status, int attempt, int64_t at_ms, int64_t run_id,
			       char **cause)
{
	history_lock(h);
	sqlite3 *db = history_db(h);
	int ret = history_db_run(db, WHO, "cannot record a slot's attempt", cause,
				 "UPDATE schedule_slots SET status = ?3, attempt = ?4, attempt_ms = ?5, "
				 "run_id = CASE WHEN ?6 > 0 THEN ?6 ELSE run_id END "
				 "WHERE schedule = ?1 AND slot_ms = ?2", "titiii",
				 schedule, slot_ms, slot_status_name(status), (int64_t)attempt, at_ms, run_id);
	if (ret == 0 && sqlite3_changes(db) == 0)
		ret = 1;
	history_unlock(h);
	return ret;
}

int schedule_store_note_run(struct history *h, const char *schedule, int64_t slot_ms,
			    int64_t run_id, char **cause)
{
	history_lock(h);
	sqlite3 *db = history_db(h);
	int ret = history_db_run(db, WHO, "cannot record a slot's run", cause,
				 "UPDATE schedule_slots SET run_id = ?3 "
				 "WHERE schedule = ?1 AND slot_ms = ?2 AND status = 'claimed'", "tii",
				 schedule, slot_ms, run_id);
	if (ret == 0 && sqlite3_changes(db) == 0)
		ret = 1;
	history_unlock(h);
	return ret;
}

#define SLOT_COLUMNS "slot_ms, run_id, status, attempt, attempt_ms"

/* The slot row st stands on (SLOT_COLUMNS) into *out; -1 for a status
 * this build does not know. */
static int read_slot(sqlite3_stmt *st, const char *schedule, struct slot_record *out, char **cause)
{
	const char *status = (const char *)sqlite3_column_text(st, 2);
	out->slot_ms = sqlite3_column_int64(st, 0);
	out->run_id = sqlite3_column_int64(st, 1);
	out->attempt = sqlite3_column_int(st, 3);
	out->attempt_ms = sqlite3_column_int64(st, 4);
	if (slot_status_from_name(status, &out->status) < 0)
		return fail(cause, "schedule store: slot %lld of '%s' has unknown status '%s'",
			    (long long)out->slot_ms, schedule, status ? status : "NULL");
	return 0;
}

int schedule_store_unsettled(struct history *h, const char *schedule, struct slot_record **out,
			     size_t *n, char **cause)
{
	const char *what = "cannot list unsettled slots";
	sqlite3_stmt *st = NULL;
	struct slot_record *v = NULL;
	size_t len = 0, alloc = 0;
	int ret = -1, rc;

	*out = NULL;
	*n = 0;
	history_lock(h);
	if (history_db_prepare(history_db(h), &st, WHO, what, cause,
			       "SELECT " SLOT_COLUMNS " FROM schedule_slots WHERE schedule = ?1 "
			       "AND status IN ('claimed', 'retrying') ORDER BY slot_ms LIMIT ?2", "ti",
			       schedule, (int64_t)SCHEDULE_STORE_MAX_UNSETTLED) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		if (read_slot(st, schedule, &v[len++], cause) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		history_db_fail(history_db(h), WHO, what, cause);
		goto out;
	}
	*out = v;
	*n = len;
	v = NULL;
	ret = 0;
out:
	sqlite3_finalize(st);
	history_unlock(h);
	free(v);
	return ret;
}

int schedule_store_slot_of_run(struct history *h, int64_t run_id, char **schedule,
			       struct slot_record *out, char **cause)
{
	sqlite3_stmt *st = NULL;
	int ret;

	history_lock(h);
	ret = history_db_row(history_db(h), &st, WHO, "cannot find a run's slot", cause,
			     "SELECT " SLOT_COLUMNS ", schedule FROM schedule_slots WHERE run_id = ?1 "
			     "ORDER BY slot_ms DESC LIMIT 1", "i", run_id);
	if (ret == 0) {
		char *name = history_db_column_dup(st, 5);
		if (read_slot(st, name ? name : "?", out, cause) < 0) {
			free(name);
			ret = -1;
		} else {
			*schedule = name;
		}
	}
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

/* One slot row from a query with ?1 = schedule and, when TYPES is "ti",
 * ?2 = slot_ms. */
static int query_slot(struct history *h, const char *sql, const char *types, const char *schedule,
		      int64_t slot_ms, struct slot_record *out, char **cause)
{
	sqlite3_stmt *st = NULL;
	int ret;

	history_lock(h);
	ret = history_db_row(history_db(h), &st, WHO, "cannot read a slot", cause, sql, types,
			     schedule, slot_ms);
	if (ret != 0)
		goto out;
	ret = read_slot(st, schedule, out, cause);
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

int schedule_store_get_slot(struct history *h, const char *schedule, int64_t slot_ms,
			    struct slot_record *out, char **cause)
{
	return query_slot(h, "SELECT " SLOT_COLUMNS " FROM schedule_slots "
			  "WHERE schedule = ?1 AND slot_ms = ?2", "ti", schedule, slot_ms, out, cause);
}

int schedule_store_last_slot(struct history *h, const char *schedule,
			     struct slot_record *out, char **cause)
{
	return query_slot(h, "SELECT " SLOT_COLUMNS " FROM schedule_slots "
			  "WHERE schedule = ?1 ORDER BY slot_ms DESC LIMIT 1", "t", schedule, 0, out, cause);
}

int schedule_store_last_run_slot(struct history *h, const char *schedule,
				 struct slot_record *out, char **cause)
{
	return query_slot(h, "SELECT " SLOT_COLUMNS " FROM schedule_slots "
			  "WHERE schedule = ?1 AND status <> 'missed' ORDER BY slot_ms DESC LIMIT 1",
			  "t", schedule, 0, out, cause);
}

int schedule_store_count_slots(struct history *h, const char *schedule, enum slot_status status,
			       int64_t since_ms, int64_t *count, char **cause)
{
	history_lock(h);
	int ret = history_db_query_int(history_db(h), count, WHO, "cannot count slots", cause,
				       "SELECT count(*) FROM schedule_slots "
				       "WHERE schedule = ?1 AND status = ?2 AND slot_ms >= ?3", "tti",
				       schedule, slot_status_name(status), since_ms);
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
	history_lock(h);
	sqlite3 *db = history_db(h);
	int ret = history_db_run(db, WHO, "cannot add a schedule", cause,
				 "INSERT OR IGNORE INTO schedules (name, cron, run, channel, skip_empty, "
				 "only_changed, created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				 "ttttiiti", s->name, s->cron, s->run, s->channel, (int64_t)s->skip_empty,
				 (int64_t)s->only_changed, s->created_by, s->created_ms);
	if (ret == 0 && sqlite3_changes(db) == 0)
		ret = 1;
	history_unlock(h);
	return ret;
}

int schedule_store_remove(struct history *h, const char *name, char **cause)
{
	const char *what = "cannot remove a schedule";
	sqlite3 *db;
	int ret = -1, changes;

	history_lock(h);
	db = history_db(h);
	if (history_db_exec(db, WHO, what, cause, "BEGIN IMMEDIATE") < 0)
		goto out;
	if (history_db_run(db, WHO, what, cause, "DELETE FROM schedules WHERE name = ?1", "t", name) < 0)
		goto rollback;
	changes = sqlite3_changes(db);
	if (history_db_run(db, WHO, what, cause, "DELETE FROM schedule_slots WHERE schedule = ?1",
			   "t", name) < 0 ||
	    history_db_run(db, WHO, what, cause, "DELETE FROM last_posted WHERE schedule = ?1",
			   "t", name) < 0)
		goto rollback;
	if (commit(db, what, cause) == 0)
		ret = changes > 0 ? 0 : 1;
	goto out;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	history_unlock(h);
	return ret;
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
	if (history_db_prepare(db, &st, WHO, "cannot list schedules", cause,
			       "SELECT name, cron, run, channel, skip_empty, only_changed, created_by, "
			       "created_ms FROM schedules ORDER BY name", "") < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		struct stored_schedule *s = &v[len++];
		s->name = history_db_column_dup(st, 0);
		s->cron = history_db_column_dup(st, 1);
		s->run = history_db_column_dup(st, 2);
		s->channel = history_db_column_dup(st, 3);
		s->skip_empty = sqlite3_column_int(st, 4) != 0;
		s->only_changed = sqlite3_column_int(st, 5) != 0;
		s->created_by = history_db_column_dup(st, 6);
		s->created_ms = sqlite3_column_int64(st, 7);
	}
	if (rc != SQLITE_DONE) {
		history_db_fail(db, WHO, "cannot list schedules", cause);
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
	int ret;

	history_lock(h);
	ret = history_db_row(history_db(h), &st, WHO, "cannot read the last posted digest", cause,
			     "SELECT sha256, run_id FROM last_posted WHERE schedule = ?1", "t", schedule);
	if (ret != 0)
		goto out;
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		ret = 1;
		goto out;
	}
	*sha256 = history_db_column_dup(st, 0);
	if (run_id)
		*run_id = sqlite3_column_int64(st, 1);
out:
	sqlite3_finalize(st);
	history_unlock(h);
	return ret;
}

int schedule_store_set_posted(struct history *h, const char *schedule, const char *sha256,
			      int64_t run_id, char **cause)
{
	history_lock(h);
	int ret = history_db_run(history_db(h), WHO, "cannot record the last posted digest", cause,
				 "INSERT INTO last_posted (schedule, sha256, run_id) VALUES (?1, ?2, ?3) "
				 "ON CONFLICT (schedule) DO UPDATE SET sha256 = excluded.sha256, "
				 "run_id = excluded.run_id", "tti", schedule, sha256, run_id);
	history_unlock(h);
	return ret;
}
