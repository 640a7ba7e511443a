/*
 * source-watchdog.c: the per-connection thread that stops a data source's
 * running statement at its deadline or on cancel (see source-watchdog.h).
 */
#include "common.h"
#include "store/source-watchdog.h"

#include <sys/socket.h>
#include <time.h>

static void deadline_to_timespec(int64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000L;
}

/* Calls the stop callback with the lock released; lock held on entry and exit. */
static int call_stop(struct watchdog *w)
{
	void *target = w->target;
	w->stopping++;
	pthread_mutex_unlock(&w->lock);
	int rc = target ? w->stop(w->driver, target) : -1;
	pthread_mutex_lock(&w->lock);
	w->stopping--;
	pthread_cond_broadcast(&w->cond);
	return rc;
}

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->quit) {
		int64_t now = now_ms_monotonic();
		int reason = WATCHDOG_NONE;
		if (w->active && atomic_load(&w->reason) == WATCHDOG_NONE) {
			if (w->cancel_requested)
				reason = WATCHDOG_CANCEL;
			else if (w->deadline > 0 && now >= w->deadline)
				reason = WATCHDOG_TIMEOUT;
		}
		if (reason != WATCHDOG_NONE) {
			atomic_store(&w->reason, reason);
			int rc = call_stop(w);
			/* If the stop could not be sent, release the worker now;
			 * otherwise give the server a moment to stop. */
			w->shutdown_at = rc == 0 ? now_ms_monotonic() + w->grace_ms : now_ms_monotonic();
			continue;
		}
		if (w->active && w->shutdown_at > 0 && now >= w->shutdown_at) {
			if (w->sock >= 0)
				shutdown(w->sock, SHUT_RDWR);
			w->shutdown_at = 0;
			continue;
		}
		int64_t wake = 0;
		if (w->active && atomic_load(&w->reason) == WATCHDOG_NONE && w->deadline > 0)
			wake = w->deadline;
		if (w->active && w->shutdown_at > 0 && (wake == 0 || w->shutdown_at < wake))
			wake = w->shutdown_at;
		if (wake) {
			struct timespec ts;
			deadline_to_timespec(wake, &ts);
			pthread_cond_timedwait(&w->cond, &w->lock, &ts);
		} else {
			pthread_cond_wait(&w->cond, &w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

void watchdog_init(struct watchdog *w, watchdog_stop_fn stop, void *driver, int64_t grace_ms)
{
	memset(w, 0, sizeof(*w));
	w->stop = stop;
	w->driver = driver;
	w->grace_ms = grace_ms;
	w->sock = -1;
	atomic_init(&w->reason, WATCHDOG_NONE);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
}

int watchdog_start(struct watchdog *w, const char *source_name, char **cause)
{
	if (w->started)
		return 0;
	int e = pthread_create(&w->thread, NULL, watchdog_main, w);
	if (e)
		return fail(cause, "source '%s': cannot start the timeout thread: %s", source_name, strerror(e));
	w->started = true;
	return 0;
}

void watchdog_destroy(struct watchdog *w)
{
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->quit = true;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

void watchdog_arm(struct watchdog *w, int64_t timeout_ms)
{
	pthread_mutex_lock(&w->lock);
	w->active = true;
	w->cancel_requested = false;
	w->shutdown_at = 0;
	w->deadline = timeout_ms > 0 ? now_ms_monotonic() + timeout_ms : 0;
	atomic_store(&w->reason, WATCHDOG_NONE);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int watchdog_disarm(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->stopping > 0)
		pthread_cond_wait(&w->cond, &w->lock);
	w->active = false;
	w->deadline = 0;
	w->shutdown_at = 0;
	w->cancel_requested = false;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return atomic_load(&w->reason);
}

void watchdog_cancel(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	if (w->active) {
		w->cancel_requested = true;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
}

int watchdog_reason(struct watchdog *w)
{
	return atomic_load(&w->reason);
}

void watchdog_clear_reason(struct watchdog *w)
{
	atomic_store(&w->reason, WATCHDOG_NONE);
}

void watchdog_attach(struct watchdog *w, void *target, int sock)
{
	pthread_mutex_lock(&w->lock);
	w->target = target;
	w->sock = sock;
	pthread_mutex_unlock(&w->lock);
}

void *watchdog_detach(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->stopping > 0)
		pthread_cond_wait(&w->cond, &w->lock);
	void *old = w->target;
	w->target = NULL;
	w->sock = -1;
	pthread_mutex_unlock(&w->lock);
	return old;
}

int watchdog_stop_now(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	int rc = call_stop(w);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

enum source_result watchdog_result(const char *name, int reason, int64_t timeout_ms, char **cause)
{
	if (reason == WATCHDOG_CANCEL) {
		fail(cause, "source '%s': the query was cancelled", name);
		return SOURCE_ECANCELLED;
	}
	if (timeout_ms > 0)
		fail(cause, "source '%s': the query took longer than its timeout of %lld s and was stopped",
		     name, (long long)((timeout_ms + 999) / 1000));
	else
		fail(cause, "source '%s': the query took longer than the server allows and was stopped",
		     name);
	return SOURCE_ETIMEOUT;
}
