/*
 * history-reserve.c: run ids set aside ahead of need (history-reserve.h).
 *
 * Locks: r->lock guards the ids in memory, the records waiting to be
 * written, the stop flag and the last failure; it is never held while
 * the history is written (the filler drops it around history_reserve_ids
 * and history_record_queued), so history_reserve_take and
 * history_reserve_record wait at most for another memory operation.
 *
 * The filler thread has two chores, records first: write each queued
 * run's record, one at a time (history_record_queued: reserved -> queued,
 * a no-op once the worker's claim came first), then top the ids up when
 * half are used. A worker takes its run's record over before it claims
 * (history_reserve_take_over): the record is dropped if not written yet,
 * or awaited if being written (r->writing, r->written), so the recorder
 * never writes a row after its worker has.
 */
#include "common.h"
#include "store/history-reserve.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "common/log.h"

/* After a failed fill (the history locked by another process past its busy
 * timeout, a full disk), the filler tries again this much later. */
#define RESERVE_RETRY_MS 1000

struct history_reserve {
	struct history *h;            /* borrowed */
	size_t batch;                 /* ids to hold when full */
	bool refill;
	pthread_mutex_t lock;
	pthread_cond_t wake;          /* filler: half used, or stopping */
	int64_t *ids;                 /* owned, ascending: ids[0] is taken next */
	size_t n, cap;
	struct run_record *recs;      /* owned: queued runs to record, oldest first */
	size_t nrecs, caprecs;
	int64_t writing;              /* the id whose record the filler writes now, or 0 */
	pthread_cond_t written;       /* writing went back to 0 */
	bool stop;
	bool failing;                 /* the last fill failed; said once in the log */
	bool has_filler;
	pthread_t filler;
};

/* Lock held. Insert id keeping ids ascending. */
static void reserve_insert(struct history_reserve *r, int64_t id)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->ids = xrealloc(r->ids, r->cap * sizeof(*r->ids));
	}
	size_t i = r->n;
	while (i > 0 && r->ids[i - 1] > id) {
		r->ids[i] = r->ids[i - 1];
		i--;
	}
	r->ids[i] = id;
	r->n++;
}

/* Write WANT new reserved rows and add them; the lock is not held. */
static int reserve_fill(struct history_reserve *r, size_t want, char **cause)
{
	int64_t *got = xcalloc(want, sizeof(*got));
	int ret = history_reserve_ids(r->h, want, got, cause);
	if (ret == 0) {
		pthread_mutex_lock(&r->lock);
		for (size_t i = 0; i < want; i++)
			reserve_insert(r, got[i]);
		pthread_mutex_unlock(&r->lock);
	}
	free(got);
	return ret;
}

/* Lock held on entry and on return; dropped while the oldest record is
 * written. A record that cannot be written is logged and dropped: the
 * worker's claim writes the run when it starts. */
static void reserve_write_record(struct history_reserve *r)
{
	struct run_record rec = r->recs[0];
	memmove(r->recs, r->recs + 1, (r->nrecs - 1) * sizeof(*r->recs));
	r->nrecs--;
	r->writing = rec.id;
	pthread_mutex_unlock(&r->lock);
	char *cause = NULL;
	if (history_record_queued(r->h, &rec, &cause) < 0)
		log_warn("history: run %lld could not be recorded as queued (its worker records it "
			 "when it starts): %s", (long long)rec.id, cause);
	free(cause);
	history_record_release(&rec);
	pthread_mutex_lock(&r->lock);
	r->writing = 0;
	pthread_cond_broadcast(&r->written);
}

static bool reserve_low(const struct history_reserve *r)
{
	return r->n <= r->batch / 2;
}

static void *filler_main(void *arg)
{
	struct history_reserve *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		if (r->nrecs) {
			reserve_write_record(r);
			continue;
		}
		if (!reserve_low(r)) {
			pthread_cond_wait(&r->wake, &r->lock);
			continue;
		}
		size_t want = r->batch - r->n;
		pthread_mutex_unlock(&r->lock);
		char *cause = NULL;
		int rc = reserve_fill(r, want, &cause);
		pthread_mutex_lock(&r->lock);
		if (rc == 0) {
			if (r->failing)
				log_info("history: run ids can be set aside again");
			r->failing = false;
			continue;
		}
		if (!r->failing)
			log_warn("history: cannot set run ids aside (%zu left; retrying every %d ms): %s",
				 r->n, RESERVE_RETRY_MS, cause);
		free(cause);
		r->failing = true;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(RESERVE_RETRY_MS % 1000) * 1000000L;
		until.tv_sec += RESERVE_RETRY_MS / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		while (!r->stop && !r->nrecs && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int history_reserve_open(struct history_reserve **out, struct history *h, size_t batch, bool refill,
			 char **cause)
{
	*out = NULL;
	if (batch < 1)
		return fail(cause, "history: a reserve of run ids needs at least one id");
	struct history_reserve *r = xcalloc(1, sizeof(*r));
	r->h = h;
	r->batch = batch;
	r->refill = refill;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	pthread_cond_init(&r->written, NULL);
	if (reserve_fill(r, batch, cause) < 0) {
		history_reserve_close(r);
		return -1;
	}
	if (refill) {
		/* The filler takes no signals: it starts with all of them blocked,
		 * so a program's sigwait sees SIGTERM whenever it sets its mask. */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		int rc = pthread_create(&r->filler, NULL, filler_main, r);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rc != 0) {
			history_reserve_close(r);
			return fail(cause, "history: cannot start the thread that sets run ids aside");
		}
		r->has_filler = true;
	}
	*out = r;
	return 0;
}

void history_reserve_close(struct history_reserve *r)
{
	if (!r)
		return;
	if (r->has_filler) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->filler, NULL);
	}
	char *cause = NULL;
	if (r->n && history_release_ids(r->h, r->ids, r->n, &cause) < 0) {
		/* The next process alone on the history deletes them. */
		log_warn("%s", cause);
		free(cause);
	}
	/* Records not written yet are dropped: the pool has stopped, so every
	 * run they name was claimed by its worker (or never queued). */
	history_records_free(r->recs, r->nrecs);
	pthread_cond_destroy(&r->wake);
	pthread_cond_destroy(&r->written);
	pthread_mutex_destroy(&r->lock);
	free(r->ids);
	free(r);
}

int history_reserve_take(struct history_reserve *r, int64_t *id, char **cause)
{
	int ret = 0;
	pthread_mutex_lock(&r->lock);
	if (r->n == 0) {
		ret = fail(cause, "no run id is free right now: the history database is busy; "
			   "try again in a moment");
	} else {
		*id = r->ids[0];
		memmove(r->ids, r->ids + 1, (r->n - 1) * sizeof(*r->ids));
		r->n--;
	}
	if (r->refill && reserve_low(r))
		pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void history_reserve_put_back(struct history_reserve *r, int64_t id)
{
	pthread_mutex_lock(&r->lock);
	reserve_insert(r, id);
	pthread_mutex_unlock(&r->lock);
}

size_t history_reserve_count(struct history_reserve *r)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->n;
	pthread_mutex_unlock(&r->lock);
	return n;
}

void history_reserve_record(struct history_reserve *r, const struct run_record *rec)
{
	if (!r || !r->refill)
		return;   /* no filler: the worker's claim is the only record */
	pthread_mutex_lock(&r->lock);
	if (!r->stop) {
		if (r->nrecs == r->caprecs) {
			r->caprecs = r->caprecs ? r->caprecs * 2 : 8;
			r->recs = xrealloc(r->recs, r->caprecs * sizeof(*r->recs));
		}
		r->recs[r->nrecs++] = (struct run_record){
			.id = rec->id,
			.command = xstrdup(rec->command),
			.args = xstrdup(rec->args),
			.user = xstrdup(rec->user),
			.channel = xstrdup(rec->channel),
			.source = xstrdup(rec->source),
			.queued_ms = rec->queued_ms,
			.status = RUN_QUEUED,
		};
		pthread_cond_signal(&r->wake);
	}
	pthread_mutex_unlock(&r->lock);
}

void history_reserve_take_over(struct history_reserve *r, int64_t id)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->nrecs; i++) {
		if (r->recs[i].id == id) {
			history_record_release(&r->recs[i]);
			memmove(r->recs + i, r->recs + i + 1, (r->nrecs - i - 1) * sizeof(*r->recs));
			r->nrecs--;
			break;
		}
	}
	while (r->writing == id)
		pthread_cond_wait(&r->written, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

size_t history_reserve_records_pending(struct history_reserve *r)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->nrecs + (r->writing != 0);
	pthread_mutex_unlock(&r->lock);
	return n;
}
