/*
 * app.h: the process-wide state shared by serve, console and run: config,
 * command catalog, history store, worker pool. Built by main, torn down by
 * app_close; borrowed by everything else.
 */
#ifndef APP_H
#define APP_H

#include <stdatomic.h>

#include "common.h"
#include "bot/config.h"
#include "commands/catalog.h"
#include "store/history.h"

struct access;
struct pool;
struct schedule_service;

struct app {
	struct config cfg;
	struct catalog catalog;
	struct strlist catalog_faults;   /* "PATH:LINE: message" per fault; those commands are left out */
	struct history *history;
	struct pool *pool;               /* serve and console; NULL otherwise */
	atomic_llong next_run_id;        /* handed out without a database write */
	struct schedule_service *schedules;  /* serve and console; bot/schedule-service.h */
	struct access *access;           /* who may run, see and stop what (bot/access.h) */
};

#define APP_NEED_HISTORY (1 << 0)
#define APP_QUIET_FAULTS (1 << 1)   /* keep catalog faults without logging them (check) */

/* Load config (path), apply bot.timezone, load the catalog, open the
 * history when flags ask for it. Catalog faults are kept in
 * catalog_faults and logged as warnings, the faulty commands left out. */
int app_open(struct app *app, const char *config_path, unsigned flags, char **cause);
void app_close(struct app *app);

int64_t app_new_run_id(struct app *app);

#endif
