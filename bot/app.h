/*
 * app.h: the process-wide state shared by serve, console and run: config,
 * command catalog, history store, worker pool. Built by main, torn down by
 * app_close; borrowed by everything else.
 */
#ifndef APP_H
#define APP_H

#include "common.h"
#include "bot/config.h"
#include "commands/catalog.h"
#include "store/history.h"
#include "store/history-reserve.h"

struct access;
struct pool;
struct schedule_service;

struct app {
	struct config cfg;
	struct catalog catalog;
	struct strlist catalog_faults;   /* "PATH:LINE: message" per fault; those commands are left out */
	struct history *history;
	struct pool *pool;               /* serve and console; NULL otherwise */
	struct history_reserve *run_ids; /* ids of history rows set aside; app_start_run_ids */
	struct schedule_service *schedules;  /* serve and console; bot/schedule-service.h */
	struct access *access;           /* who may run, see and stop what (bot/access.h) */
};

#define APP_NEED_HISTORY (1 << 0)
#define APP_QUIET_FAULTS (1 << 1)   /* keep catalog faults without logging them (check) */

/* Load config (path), apply bot.timezone, load the catalog, open the
 * history when flags ask for it. Catalog faults are kept in
 * catalog_faults and logged as warnings, the faulty commands left out.
 * 0, or APP_EINPUT (the config is at fault) or APP_ERUNTIME (data_dir or
 * the history cannot be opened: held, full, unwritable) with *cause. */
enum { APP_EINPUT = -1, APP_ERUNTIME = -2 };
int app_open(struct app *app, const char *config_path, unsigned flags, char **cause);
void app_close(struct app *app);

/*
 * Run ids are the ids of history rows set aside ahead (store/history-
 * reserve.h), so an id announced at once is the id the history keeps,
 * whatever other processes write to it. Every program that runs reports
 * calls app_start_run_ids once, after app_open (serve: after taking its
 * data_dir lock) and before its first dispatch: one_run sets aside one id
 * (`run`), else one per run the pool can hold (workers + queue_size, up
 * to APP_RUN_ID_BATCH), topped up in the background when half are used,
 * so a burst that fills the queue never finds the reserve empty.
 * app_close deletes the ids not used (run ids may skip numbers).
 */
#define APP_RUN_ID_BATCH 1024
int app_start_run_ids(struct app *app, bool one_run, char **cause);
/* The id for a new run, from memory (never waits on the database): 0 with
 * *id, or -1 with *cause for the person (none left right now, or no
 * reserve was started). */
int app_new_run_id(struct app *app, int64_t *id, char **cause);
/* An id app_new_run_id gave for a run that was not queued after all. */
void app_return_run_id(struct app *app, int64_t id);

#endif
