/*
 * interrupted.h: runs a crash cut short, told where they were asked, once
 * (issue 11).
 *
 * history_open marks the runs a dead process left queued or running as
 * "interrupted" (store/history.h). At start, before the schedule timer,
 * `serve` queues one notice job per such run nobody was told of yet
 * (interrupted_announce); a worker tells it through this delivery, which
 * wraps Slack's:
 *  - a person's run: ephemerally to the asker in the run's channel,
 *    naming the report and the arguments. The slash command's
 *    response_url is not kept (it is a credential and outlives no
 *    restart worth waiting for), so when the ephemeral message fails the
 *    channel hears it instead: a message mentioning the asker that names
 *    the report and arguments only when the report is open to everyone
 *    (no `-- allow:`), may run in that channel and the asker still may
 *    run it (what a finished run would have posted there anyway); else
 *    only the run id;
 *  - a scheduled run: the channel, naming the schedule (when its slot
 *    names the run: store/schedule-store.h), the report and arguments;
 *  - a run with no channel (console, `run`): nobody to tell.
 * Each run is marked told after the attempt, told or not, so a restart
 * never tells it twice (the log keeps what could not be told).
 */
#ifndef INTERRUPTED_H
#define INTERRUPTED_H

#include "common.h"
#include "bot/job.h"

struct app;

/* The most interrupted runs one start tells; older ones beyond it are
 * marked told with a log line. */
#define INTERRUPTED_MAX 100

struct interrupted_delivery {
	struct delivery delivery;      /* the notice jobs' delivery */
	struct app *app;               /* borrowed: history, catalog, access */
	const struct delivery *inner;  /* borrowed: where posts go (Slack's) */
};

/* Fill d around INNER; both borrowed, outliving every notice job. */
void interrupted_delivery_init(struct interrupted_delivery *d, struct app *app,
			       const struct delivery *inner);

/* Queue a notice job on app->pool for every interrupted run not told yet:
 * the number queued, or -1 with *cause when the history cannot be read. */
int interrupted_announce(struct interrupted_delivery *d, char **cause);

#endif
