/*
 * schedule-check.h: a schedule definition checked the way its fire would
 * take it, before it is stored or served. `schedule add` (from Slack or the
 * console) refuses what fails here; `reportbot check` reports it for every
 * [[schedule]] of the config. Both print the same words.
 *
 * The fire (bot/schedule-service.c) sends the `run` text through
 * dispatch_line in the schedule's channel; here the same text is split and
 * bound with commands/args.h as dispatch does, so a schedule that passes
 * binds when it fires (the data may still fail, and a report file changed
 * after the check may no longer bind).
 */
#ifndef SCHEDULE_CHECK_H
#define SCHEDULE_CHECK_H

#include <time.h>

#include "common.h"

struct app;

/* A schedule as written; every string borrowed. */
struct schedule_spec {
	const char *cron;        /* "0 9 1 * *" */
	const char *channel;     /* a Slack channel id: C… or G… */
	const char *run;         /* "usage-all last": what a person types after the slash command */
	const char *owner;       /* who made it (a Slack user id), or NULL for a config schedule */
};

/* The key of a schedule a fault is about (for FILE:LINE messages). */
enum schedule_key {
	SCHEDULE_KEY_CRON,
	SCHEDULE_KEY_CHANNEL,
	SCHEDULE_KEY_RUN,
	SCHEDULE_KEY_OWNER,
};

/*
 * Check S against app's catalog and config, resolving relative dates at
 * NOW, in this order: the cron text parses; the channel is a channel id;
 * the run text splits, names a report (not a built-in) that exists, and
 * its arguments bind; the report may run in that channel (its `channels:`
 * header); the owner may run the report (access_may_run: its `allow:`
 * header). Stops at the first fault: -1 with *cause, a
 * message for a person naming the value and what is accepted (no
 * "schedule:" prefix), and *key (may be NULL) the key it is about. 0 when
 * the schedule would fire.
 */
int schedule_check(struct app *app, const struct schedule_spec *s, time_t now,
		   enum schedule_key *key, char **cause);

/* The key's name as a [[schedule]] table spells it: "cron", "run", … */
const char *schedule_key_name(enum schedule_key key);

#endif
