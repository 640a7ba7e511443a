/*
 * job-pool.c: worker threads fed by one bounded FIFO queue.
 *
 * Locks: pool->lock guards the queue, the stopping flag and each worker's
 * `job`; worker->src_lock guards the worker's active source so a cancel
 * can reach it without racing the worker closing it. A separate canceller
 * thread calls source_cancel (which may block, e.g. MySQL's KILL QUERY),
 * so pool_cancel never blocks the network thread.
 */
#include "common.h"
#include "bot/job-pool.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/app.h"
#include "common/log.h"
#include "bot/job-run.h"

struct worker {
	struct pool *pool;
	int index;
	pthread_t thread;
	struct job *job;              /* running job, under pool->lock */
	pthread_mutex_t src_lock;     /* guards src */
	struct source *src;           /* the running job's connection */
	int cancel_pending;           /* under pool->lock: canceller should act */
};

struct pool {
	struct app *app;
	pthread_mutex_t lock;
	pthread_cond_t work;          /* queue non-empty or stopping */
	pthread_cond_t idle;          /* a job finished */
	pthread_cond_t cancel_cond;   /* canceller has something to do */
	struct job **queue;           /* ring buffer */
	size_t cap, head, len;
	size_t busy;
	bool stopping;
	bool canceller_stop;
	struct worker *workers;
	int nworkers;
	pthread_t canceller;
};

static struct job *queue_pop(struct pool *p)
{
	struct job *job = p->queue[p->head];
	p->head = (p->head + 1) % p->cap;
	p->len--;
	return job;
}

static void worker_on_source(void *ctx, struct source *src)
{
	struct worker *w = ctx;
	pthread_mutex_lock(&w->src_lock);
	w->src = src;
	pthread_mutex_unlock(&w->src_lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	struct run_worker rw;

	run_worker_init(&rw, p->app, w->index);
	rw.watch.on_source = worker_on_source;
	rw.watch.ctx = w;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->len && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->len)
			break;
		struct job *job = queue_pop(p);
		w->job = job;
		p->busy++;
		pthread_mutex_unlock(&p->lock);

		run_job(&rw, job);

		pthread_mutex_lock(&p->lock);
		w->job = NULL;
		p->busy--;
		pthread_cond_broadcast(&p->idle);
		pthread_mutex_unlock(&p->lock);
		job_free(job);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	run_worker_release(&rw);
	return NULL;
}

static void *canceller_main(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		int found = -1;
		for (int i = 0; i < p->nworkers; i++)
			if (p->workers[i].cancel_pending)
				found = i;
		if (found < 0) {
			if (p->canceller_stop)
				break;
			pthread_cond_wait(&p->cancel_cond, &p->lock);
			continue;
		}
		struct worker *w = &p->workers[found];
		w->cancel_pending = 0;
		pthread_mutex_unlock(&p->lock);
		/* The worker cannot close w->src while we hold src_lock. */
		pthread_mutex_lock(&w->src_lock);
		if (w->src)
			source_cancel(w->src);
		pthread_mutex_unlock(&w->src_lock);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pool_start(struct pool **out, struct app *app, int nworkers, int queue_size, char **cause)
{
	if (nworkers < 1 || queue_size < 1)
		return fail(cause, "pool: workers (%d) and queue_size (%d) must be at least 1",
			    nworkers, queue_size);
	struct pool *p = xcalloc(1, sizeof(*p));
	p->app = app;
	p->cap = (size_t)queue_size;
	p->queue = xcalloc(p->cap, sizeof(*p->queue));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	pthread_cond_init(&p->cancel_cond, NULL);
	p->workers = xcalloc((size_t)nworkers, sizeof(*p->workers));
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &p->workers[i];
		w->pool = p;
		w->index = i;
		pthread_mutex_init(&w->src_lock, NULL);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			p->nworkers = i;
			pool_stop(p, 0);
			return fail(cause, "pool: cannot start worker thread %d: %s", i, strerror(errno));
		}
		p->nworkers = i + 1;
	}
	if (pthread_create(&p->canceller, NULL, canceller_main, p) != 0) {
		pool_stop(p, 0);
		return fail(cause, "pool: cannot start the canceller thread");
	}
	*out = p;
	return 0;
}

int pool_submit(struct pool *p, struct job *job, char **cause)
{
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		return fail(cause, "the bot is shutting down; try again in a minute");
	}
	if (p->len == p->cap) {
		size_t running = p->busy;
		pthread_mutex_unlock(&p->lock);
		return fail(cause, "the bot is busy (%zu reports running, %zu waiting); "
			    "try again in a few minutes", running, p->cap);
	}
	p->queue[(p->head + p->len) % p->cap] = job;
	p->len++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* May user cancel job? Its asker may; any_owner: anyone (admins). */
static bool may_cancel(const struct job *job, const char *user, bool any_owner)
{
	return any_owner || (user && job->user_id && strcmp(job->user_id, user) == 0);
}

int pool_cancel_as(struct pool *p, int64_t run_id, const char *user, bool any_owner, char **cause)
{
	int ret = -1;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->len && ret == -1; i++) {
		struct job *job = p->queue[(p->head + i) % p->cap];
		if (job->kind != JOB_REPORT || job->run_id != run_id)
			continue;
		if (!may_cancel(job, user, any_owner)) {
			ret = POOL_NOT_YOURS;
			break;
		}
		/* The worker that takes it records it cancelled and says so. */
		atomic_store(&job->cancel_requested, 1);
		ret = 0;
	}
	for (int i = 0; i < p->nworkers && ret == -1; i++) {
		struct worker *w = &p->workers[i];
		if (!w->job || w->job->kind != JOB_REPORT || w->job->run_id != run_id)
			continue;
		if (!may_cancel(w->job, user, any_owner)) {
			ret = POOL_NOT_YOURS;
			break;
		}
		atomic_store(&w->job->cancel_requested, 1);
		w->cancel_pending = 1;
		pthread_cond_signal(&p->cancel_cond);
		ret = 0;
	}
	pthread_mutex_unlock(&p->lock);
	/* Neither cause names what the run is or who asked for it. */
	if (ret == -1)
		fail(cause, "run %lld is not queued or running; `history` lists recent runs",
		     (long long)run_id);
	else if (ret == POOL_NOT_YOURS)
		fail(cause, "run %lld was asked for by someone else; only they and admins may cancel it",
		     (long long)run_id);
	return ret;
}

int pool_cancel(struct pool *p, int64_t run_id, char **cause)
{
	return pool_cancel_as(p, run_id, NULL, true, cause) == 0 ? 0 : -1;
}

void pool_wait_idle(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->len || p->busy)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

size_t pool_load(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	size_t n = p->len + p->busy;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Call with p->lock held. */
static void pool_quiesce_locked(struct pool *p)
{
	p->stopping = true;
	/* Queued jobs never start: the workers record them cancelled. */
	for (size_t i = 0; i < p->len; i++)
		atomic_store(&p->queue[(p->head + i) % p->cap]->cancel_requested, JOB_CANCEL_SHUTDOWN);
	pthread_cond_broadcast(&p->work);
}

void pool_quiesce(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	pool_quiesce_locked(p);
	pthread_mutex_unlock(&p->lock);
}

void pool_stop(struct pool *p, int64_t grace_ms)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	pool_quiesce_locked(p);
	if (p->busy) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		int64_t ns = until.tv_nsec + (grace_ms % 1000) * 1000000;
		until.tv_sec += grace_ms / 1000 + ns / 1000000000;
		until.tv_nsec = ns % 1000000000;
		while (p->busy) {
			if (pthread_cond_timedwait(&p->idle, &p->lock, &until) != 0)
				break;
		}
	}
	if (p->busy) {
		log_warn("shutdown: %zu report(s) still running after the grace period; cancelling", p->busy);
		for (int i = 0; i < p->nworkers; i++) {
			if (p->workers[i].job) {
				atomic_store(&p->workers[i].job->cancel_requested, JOB_CANCEL_SHUTDOWN);
				p->workers[i].cancel_pending = 1;
			}
		}
		pthread_cond_signal(&p->cancel_cond);
	}
	pthread_mutex_unlock(&p->lock);

	for (int i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i].thread, NULL);
	pthread_mutex_lock(&p->lock);
	p->canceller_stop = true;
	pthread_cond_signal(&p->cancel_cond);
	pthread_mutex_unlock(&p->lock);
	if (p->canceller)
		pthread_join(p->canceller, NULL);

	for (int i = 0; i < p->nworkers; i++)
		pthread_mutex_destroy(&p->workers[i].src_lock);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->cancel_cond);
	free(p->workers);
	free(p->queue);
	free(p);
}
