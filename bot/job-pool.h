/*
 * job-pool.h: a fixed set of worker threads fed by one bounded queue.
 * Each worker owns its source connections and its delivery state. All
 * shared state is behind pool->lock. Submitting never blocks: a full queue
 * is an error the caller tells the person.
 */
#ifndef POOL_H
#define POOL_H

#include "common.h"
#include "bot/job.h"

struct app;
struct pool;

int pool_start(struct pool **out, struct app *app, int nworkers, int queue_size, char **cause);

/* Queue job. 0: the pool owns it now. -1: queue full or stopping; the
 * caller still owns job and *cause says so in words for the person. */
int pool_submit(struct pool *p, struct job *job, char **cause);

/* Cancel a queued or running report. 0: done or signalled; -1: no such
 * active run (*cause says so). Never blocks on a database. */
int pool_cancel(struct pool *p, int64_t run_id, char **cause);

#define POOL_NOT_YOURS (-2)
/* pool_cancel on behalf of user (borrowed): allowed when user asked for the
 * run, or any_owner (an admin). 0: done or signalled; -1: no such active
 * run; POOL_NOT_YOURS: someone else's. *cause then says so without naming
 * the run's report, arguments or asker. */
int pool_cancel_as(struct pool *p, int64_t run_id, const char *user, bool any_owner, char **cause);

/* Wait until the queue is empty and no worker is busy (console). */
void pool_wait_idle(struct pool *p);

/* Number of jobs queued + running. */
size_t pool_load(struct pool *p);

/* Stop taking jobs and mark every queued one cancelled by the shutdown
 * (JOB_CANCEL_SHUTDOWN; the workers record them cancelled), without waiting: the first step of a shutdown, safe
 * from any thread. Running jobs go on. */
void pool_quiesce(struct pool *p);

/* Stop taking jobs, give running ones grace_ms to finish, cancel the rest
 * (JOB_CANCEL_SHUTDOWN, recorded as cancelled; a scheduled one's retry is
 * kept for the next start: bot/schedule-timer.h), join the threads, free the pool. NULL ok. */
void pool_stop(struct pool *p, int64_t grace_ms);

#endif
