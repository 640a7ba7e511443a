/*
 * schedule-service.h: the schedules wired into the bot. Schedules come
 * from the config ([[schedule]]) and the history store (made with /report
 * schedule add); each due slot goes through dispatch_line like a person's
 * line, so it feeds the same worker queue and never touches the network
 * thread. Its job is delivered through a schedule delivery
 * (bot/schedule-delivery.h) around the program's own.
 *
 * One service per app (app->schedules), made by schedules_start and freed
 * by schedules_stop; no state outside it.
 */
#ifndef SCHEDULE_SERVICE_H
#define SCHEDULE_SERVICE_H

#include "common.h"
#include "bot/job.h"
#include "store/schedule-store.h"

struct app;
struct scheduler;
struct schedule_service;

/* Build app->schedules from config + store; start its timer thread when
 * `run` (serve), or leave it idle for listing (console). D is the delivery
 * scheduled runs post through (borrowed; outlives the service). */
int schedules_start(struct app *app, const struct delivery *d, bool run, char **cause);
/* No new fires (joins the timer thread); outcomes are still recorded.
 * NULL service ok. */
void schedules_stop_firing(struct app *app);
/* Free app->schedules (after the pool stopped); NULL ok. */
void schedules_stop(struct app *app);

/* The timer, for listing and its clock (borrowed). */
struct scheduler *schedules_timer(struct schedule_service *svc);

/*
 * Add a schedule made from Slack: to the timer (which refuses a bad or
 * used name, config ones included) and to the store, both or neither.
 * SS is borrowed; its created_ms is ignored and set from the timer's
 * clock. -1 with *cause naming the problem.
 */
int schedules_add(struct schedule_service *svc, const struct stored_schedule *ss, char **cause);
/*
 * Remove schedule NAME from the timer and the store, both or neither, and
 * drop the CSV only_changed kept for it. Fails for an unknown name and
 * for a config schedule.
 */
int schedules_remove(struct schedule_service *svc, const char *name, char **cause);

#endif
