/*
 * slack-delivery.h: struct delivery (bot/job.h) for Slack. Each worker
 * gets its own struct slack_api (curl handle) from worker_init; nothing
 * here touches the network thread.
 *
 *  - post_text: an ephemeral message to the person who asked (falls back
 *    to the slash command's response_url, never to a channel message: the
 *    text is private), or a channel message for scheduled runs.
 *  - post_result: the CSV uploaded to the job's channel with a comment
 *    naming the command, the resolved arguments, the row count and the
 *    time taken; a failed run is told in the channel in plain words
 *    (privately to the person when the bot may not post there: through
 *    the slash command's response_url, which the job carries, used while
 *    Slack still takes it, 30 minutes from the command). A failed
 *    upload returns -1 so the run is recorded as an error.
 */
#ifndef SLACK_DELIVERY_H
#define SLACK_DELIVERY_H

#include "common.h"
#include "bot/config.h"
#include "bot/job.h"

struct slack_delivery {
	const struct config *cfg;    /* borrowed: api_url, bot_token */
	struct delivery delivery;    /* hand &delivery to dispatch */
};

/* Fill sd (it holds nothing to free); cfg must outlive every job that
 * uses sd->delivery. */
void slack_delivery_init(struct slack_delivery *sd, const struct config *cfg);

/* The upload comment for a finished run, e.g. "monthly customer=acme
 * month=2024-11: 1,234 rows in 2.3 s (run 12)". Caller frees. */
char *slack_delivery_comment(const struct job *job, const char *command_name,
			     int64_t rows, int64_t duration_ms);

#endif
