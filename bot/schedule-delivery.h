/*
 * schedule-delivery.h: the delivery (bot/job.h) of scheduled runs. It
 * wraps the delivery people's runs use (Slack, console) and adds what a
 * schedule asks for around it:
 *
 *  - skip_empty / only_changed hold a result back (the run is recorded
 *    as skipped); only_changed compares with the CSV last posted, kept in
 *    data_dir/schedules/NAME.csv;
 *  - the slot's outcome goes to the timer (bot/schedule-timer.h), which
 *    decides on a retry;
 *  - a failure is posted with "will retry at … (attempt N of M)" when a
 *    retry is due, and the alert channel hears of failures for good.
 *
 * The job says which schedule and slot (job->schedule, slot_ms, attempt,
 * skip_empty, only_changed). Callbacks run on workers, like every
 * delivery; the fields are set once before the first job and only read.
 */
#ifndef SCHEDULE_DELIVERY_H
#define SCHEDULE_DELIVERY_H

#include "common.h"
#include "bot/job.h"

struct scheduler;

struct schedule_delivery {
	struct delivery delivery;      /* hand &delivery to dispatch for scheduled runs */
	const struct delivery *inner;  /* borrowed: where posts go */
	struct scheduler *timer;       /* borrowed: slot outcomes; NULL records none */
	const char *data_dir;          /* borrowed: holds schedules/NAME.csv */
	const char *alert_channel;     /* borrowed; NULL when none */
	int max_attempts;              /* 1 + [scheduler] retries, for the retry note */
};

/* Fill sd around INNER; everything passed is borrowed and must outlive
 * every job that uses sd->delivery. */
void schedule_delivery_init(struct schedule_delivery *sd, const struct delivery *inner,
			    struct scheduler *timer, const char *data_dir,
			    const char *alert_channel, int max_attempts);

/* A schedule was removed: drop the CSV only_changed kept for it, so a new
 * schedule of the same name starts afresh. */
void schedule_delivery_forget(const struct schedule_delivery *sd, const char *schedule);

#endif
