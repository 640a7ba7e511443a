/*
 * schedule-store.h: the scheduler's tables in the history database
 * (store/history-db.h): fired slots, Slack-made schedules and the last
 * posted CSV digest per schedule.
 *
 * Every function takes the history lock for its own duration, so any
 * thread may call any function; none may be called with the lock held.
 * Errors: -1 with an allocated *cause ("schedule store: ..."). Strings
 * passed in are borrowed; strings returned belong to the caller.
 */
#ifndef SCHEDULE_STORE_H
#define SCHEDULE_STORE_H

#include "common.h"
#include "store/history.h"

/* Append-only; stored as these names in schedule_slots.status. */
enum slot_status {
	SLOT_CLAIMED,      /* claimed, the run not finished yet */
	SLOT_OK,           /* posted */
	SLOT_ERROR,        /* failed, no attempts left (or abandoned by a restart) */
	SLOT_MISSED,       /* the bot was down, the slot too old to catch up */
	SLOT_SKIPPED,      /* ran, not posted (skip_empty / only_changed) */
	SLOT_RETRYING,     /* failed, another attempt is due */
};
const char *slot_status_name(enum slot_status s);     /* "claimed", "ok", ... */
/* 0 and *s, or -1 for an unknown name. */
int slot_status_from_name(const char *name, enum slot_status *s);

/*
 * Claim slot (SCHEDULE, SLOT_MS) with STATUS (usually SLOT_CLAIMED, or
 * SLOT_MISSED to record a miss). Returns 1 when claimed, 0 when the slot
 * was already taken (by this process before a restart, or another one):
 * the exactly-once guarantee. -1 on error.
 */
int schedule_store_claim(struct history *h, const char *schedule, int64_t slot_ms,
			 enum slot_status status, char **cause);

/* schedule_store_claim for SLOT_CLAIMED, attempt 1 started at STARTED_MS. */
int schedule_store_claim_at(struct history *h, const char *schedule, int64_t slot_ms,
			    int64_t started_ms, char **cause);

/* Claim every slot in SLOTS as SLOT_MISSED in one transaction; taken ones
 * are left as they are. */
int schedule_store_mark_missed(struct history *h, const char *schedule,
			       const int64_t *slots_ms, size_t n, char **cause);

/* Set a claimed slot's status, and its run id when RUN_ID > 0. Returns 0,
 * or 1 when there is no such slot. */
int schedule_store_update_slot(struct history *h, const char *schedule, int64_t slot_ms,
			       int64_t run_id, enum slot_status status, char **cause);

struct slot_record {
	int64_t slot_ms;
	int64_t run_id;            /* 0 when none */
	enum slot_status status;
	int attempt;               /* claimed: the attempt running; retrying: the next one */
	int64_t attempt_ms;        /* claimed: when that attempt started; retrying: when
	                            * the next is due; 0 when unknown (before schema 3) */
};

/*
 * A slot's attempt, kept so it survives a restart: STATUS SLOT_CLAIMED
 * with ATTEMPT started at AT_MS (a retry firing), or SLOT_RETRYING with
 * ATTEMPT due at AT_MS; RUN_ID when > 0. Returns 0, or 1 when there is no
 * such slot.
 */
int schedule_store_set_attempt(struct history *h, const char *schedule, int64_t slot_ms,
			       enum slot_status status, int attempt, int64_t at_ms, int64_t run_id,
			       char **cause);
/* The run of a claimed slot, known once it is queued; a slot no longer
 * claimed (its outcome came first) is left alone. 0, or 1 when nothing
 * changed. */
int schedule_store_note_run(struct history *h, const char *schedule, int64_t slot_ms,
			    int64_t run_id, char **cause);

#define SCHEDULE_STORE_MAX_UNSETTLED 100
/* The slots of SCHEDULE still claimed or retrying (at most
 * SCHEDULE_STORE_MAX_UNSETTLED, oldest first): at start, what a stopped
 * process left unsettled. *out is freed by the caller (NULL when *n is 0). */
int schedule_store_unsettled(struct history *h, const char *schedule, struct slot_record **out,
			     size_t *n, char **cause);
/* The slot whose run (the latest attempt's) is RUN_ID: 0 with *schedule
 * (caller frees) and *out, 1 when no slot names it. */
int schedule_store_slot_of_run(struct history *h, int64_t run_id, char **schedule,
			       struct slot_record *out, char **cause);

/* The slot (SCHEDULE, SLOT_MS): 0 and *out, 1 if it was never claimed. */
int schedule_store_get_slot(struct history *h, const char *schedule, int64_t slot_ms,
			    struct slot_record *out, char **cause);
/* The latest slot of SCHEDULE (any status): 0 and *out, 1 if none. */
int schedule_store_last_slot(struct history *h, const char *schedule,
			     struct slot_record *out, char **cause);
/* The latest slot of SCHEDULE with status other than missed: 0/1/-1. */
int schedule_store_last_run_slot(struct history *h, const char *schedule,
				 struct slot_record *out, char **cause);
/* How many slots of SCHEDULE have STATUS and slot_ms >= SINCE_MS. */
int schedule_store_count_slots(struct history *h, const char *schedule, enum slot_status status,
			       int64_t since_ms, int64_t *count, char **cause);

/* A schedule made from Slack. Strings owned by the record. */
struct stored_schedule {
	char *name;
	char *cron;
	char *run;                 /* what a person would type after /report */
	char *channel;
	bool skip_empty;
	bool only_changed;
	char *created_by;          /* Slack user id */
	int64_t created_ms;        /* wall clock */
};
void stored_schedule_release(struct stored_schedule *s);      /* NULL ok */
void stored_schedules_free(struct stored_schedule *v, size_t n);

/* Returns 0 when added, 1 when a schedule of that name exists already. */
int schedule_store_add(struct history *h, const struct stored_schedule *s, char **cause);
/* Remove NAME with its slots and last-posted digest. 0, or 1 if no such. */
int schedule_store_remove(struct history *h, const char *name, char **cause);
/* Every stored schedule, by name; *out freed with stored_schedules_free. */
int schedule_store_list(struct history *h, struct stored_schedule **out, size_t *n, char **cause);

/* The sha256 (hex) of the CSV last posted by SCHEDULE: 0 with *sha256
 * (caller frees) and *run_id (may be NULL), or 1 when nothing was posted. */
int schedule_store_get_posted(struct history *h, const char *schedule, char **sha256,
			      int64_t *run_id, char **cause);
int schedule_store_set_posted(struct history *h, const char *schedule, const char *sha256,
			      int64_t run_id, char **cause);

#endif
