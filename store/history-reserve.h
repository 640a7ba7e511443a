/*
 * history-reserve.h: run ids set aside in the history ahead of need, so a
 * thread that must not wait on a database (the network thread, before its
 * ack) can still name the run by the id of its history row.
 *
 * history_reserve_open inserts a batch of reserved rows at once (the
 * caller's thread may wait: call it at start) and, with refill, starts a
 * filler thread that tops the batch up in the background whenever half of
 * it is used. history_reserve_take hands out the next id from memory: it
 * takes only the reserve's own mutex, which nobody holds across database
 * work, so it never waits on the history. The taker's run claims the row
 * later with history_claim_run (on a worker). Between the two, the taker
 * hands the run's record to history_reserve_record (memory only, like
 * take); the filler writes it as the queued run soon after, so a run
 * still waiting in the queue when the process dies is in the history,
 * marked interrupted by the next start and told. history_reserve_close stops
 * the filler and deletes the rows nobody took; rows a crashed process
 * left are deleted by the next history_open that is alone on the file.
 */
#ifndef HISTORY_RESERVE_H
#define HISTORY_RESERVE_H

#include "common.h"
#include "store/history.h"

struct history_reserve;

/* Set BATCH (>= 1) ids aside in H (borrowed; it must outlive the
 * reserve). With refill, a filler thread keeps at least half of BATCH in
 * memory; without, the BATCH ids are all there will be. */
int history_reserve_open(struct history_reserve **out, struct history *h, size_t batch, bool refill,
			 char **cause);
/* Stop the filler, delete the reserved rows not taken. NULL is a no-op. */
void history_reserve_close(struct history_reserve *r);

/* The next id, from memory, without waiting on the database: 0 with *id,
 * or -1 when none is left (the filler is woken; *cause says why it is
 * empty and what to do). */
int history_reserve_take(struct history_reserve *r, int64_t *id, char **cause);
/* An id taken but not used for a run (its job could not be queued): it
 * goes back, to be taken again. */
void history_reserve_put_back(struct history_reserve *r, int64_t id);
/* Run rec->id was queued: copy its record (rec and its strings are
 * borrowed) for the filler to write as queued (history_record_queued)
 * soon after; never waits on the database. Only for an id taken and
 * queued for good (never one put back). Without a filler (refill off) it
 * does nothing: the worker's claim is then the only record. NULL r is a
 * no-op. */
void history_reserve_record(struct history_reserve *r, const struct run_record *rec);
/* The worker of run ID is about to claim it: its record, if not written
 * yet, is dropped; if being written, this waits until it is (a worker
 * may wait on the history). After it, the recorder never touches ID, so
 * a claim that fails cannot be followed by a late queued record. */
void history_reserve_take_over(struct history_reserve *r, int64_t id);
/* How many records wait to be written or are being written (tests). */
size_t history_reserve_records_pending(struct history_reserve *r);
/* How many ids are in memory now (tests, logs). */
size_t history_reserve_count(struct history_reserve *r);

#endif
