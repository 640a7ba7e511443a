/*
 * schedule-service.h: the scheduler wired into the bot. Schedules come from the
 * config ([[schedule]]) and the history store (made with /report schedule
 * add); each due slot goes through dispatch_line like a person's line, so
 * it feeds the same worker queue and never touches the network thread.
 */
#ifndef SCHEDULES_H
#define SCHEDULES_H

#include "common.h"
#include "bot/app.h"
#include "bot/job.h"
#include "commands/report.h"

/* Build app->scheduler from config + store; start its timer thread when
 * `run` (serve), or leave it idle for listing (console). D is the delivery
 * scheduled runs use (borrowed; outlives the scheduler). */
int schedules_start(struct app *app, const struct delivery *d, bool run, char **cause);
void schedules_stop(struct app *app);   /* NULL scheduler ok */

/* A schedule was removed: drop what only_changed kept for it, so a new
 * schedule of the same name starts afresh. */
void schedules_forget(struct app *app, const char *schedule);

/*
 * On the worker, after a scheduled job ran: apply skip_empty and
 * only_changed (sets res->status to RUN_SKIPPED when nothing should be
 * posted), and return whether to post. csv_path is the result file.
 */
bool schedules_should_post(struct app *app, const struct job *job, struct report_result *res,
			   const char *csv_path);

/* After posting (or not): record the outcome on the slot, schedule a retry
 * when attempts are left, keep the CSV for only_changed. Returns an
 * allocated note for the person when a retry is scheduled ("will retry at
 * 09:05, attempt 2 of 3"), else NULL. */
char *schedules_record_outcome(struct app *app, const struct job *job,
			       const struct report_result *res, const char *csv_path);

#endif
