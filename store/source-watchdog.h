/*
 * source-watchdog.h: a per-connection thread that stops the running
 * statement of a data source at its deadline or on cancel.
 *
 * The driver (MariaDB, PostgreSQL) gives a stop callback (KILL QUERY,
 * PQcancel) and attaches what it needs (thread id, canceller) together with
 * the connection's socket. At the deadline or on watchdog_cancel the thread
 * records the reason and calls the callback; if that fails, or the server
 * does not stop within grace_ms, it shuts the socket down so the worker never
 * hangs. A cancel only affects a statement that is running (armed).
 */
#ifndef REPORTBOT_STORE_SOURCE_WATCHDOG_H
#define REPORTBOT_STORE_SOURCE_WATCHDOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/source.h"

enum watchdog_reason { WATCHDOG_NONE = 0, WATCHDOG_TIMEOUT = 1, WATCHDOG_CANCEL = 2 };

/* Sends the driver's stop for the statement running on target (what
 * watchdog_attach stored; NULL when detached). Called without the lock;
 * watchdog_detach waits for it. Returns 0 when the stop was sent. */
typedef int (*watchdog_stop_fn)(void *driver, void *target);

struct watchdog {
	pthread_mutex_t lock;
	pthread_cond_t cond;        /* CLOCK_MONOTONIC */
	pthread_t thread;
	bool started;
	bool quit;                  /* destroy: the thread exits */
	bool active;                /* a statement is running (armed) */
	bool cancel_requested;
	int stopping;               /* stop calls in flight */
	int64_t deadline;           /* monotonic ms, 0 = none */
	int64_t shutdown_at;        /* monotonic ms after a stop, 0 = none */
	int64_t grace_ms;           /* after a stop, before the socket shutdown */
	void *target;               /* borrowed from the driver; NULL when none */
	int sock;                   /* of the connection, -1 when none */
	atomic_int reason;          /* enum watchdog_reason of the last statement */
	watchdog_stop_fn stop;
	void *driver;               /* borrowed: the callback's first argument */
};

/* Initialises w (no thread yet). */
void watchdog_init(struct watchdog *w, watchdog_stop_fn stop, void *driver, int64_t grace_ms);
/* Starts the thread once; 0, or -1 with *cause naming the source. */
int watchdog_start(struct watchdog *w, const char *source_name, char **cause);
/* Ends the thread (if started) and frees what init made. */
void watchdog_destroy(struct watchdog *w);

/* A statement starts: a deadline timeout_ms from now (0 = none), reason cleared. */
void watchdog_arm(struct watchdog *w, int64_t timeout_ms);
/* The statement is over: waits for a stop in flight so it cannot hit the
 * next statement. Returns the reason it was stopped for, if any. */
int watchdog_disarm(struct watchdog *w);
/* Asks the thread to stop the running statement, if one is armed. */
void watchdog_cancel(struct watchdog *w);

/* Why the current or last statement was stopped (enum watchdog_reason). */
int watchdog_reason(struct watchdog *w);
/* Forgets a past statement's reason. */
void watchdog_clear_reason(struct watchdog *w);

/* The connection is up: what the stop callback gets, and its socket. */
void watchdog_attach(struct watchdog *w, void *target, int sock);
/* The connection goes: waits for a stop in flight, forgets target and
 * socket, and returns the old target (the caller frees it, if it owns one). */
void *watchdog_detach(struct watchdog *w);
/* Calls the stop callback now from the worker (an abandoned result), as the
 * thread would, without recording a reason. Returns its result, or -1 when
 * nothing is attached. */
int watchdog_stop_now(struct watchdog *w);

/* The result and words for a statement stopped for REASON: cancelled, or
 * past its timeout_ms (ms; 0: the server's own limit) on source NAME. */
enum source_result watchdog_result(const char *name, int reason, int64_t timeout_ms, char **cause);

#endif
