/*
 * app.h: the process-wide state shared by serve, console and run: config,
 * command catalog, history store, worker pool. Built by main, torn down by
 * app_close; borrowed by everything else.
 *
 * The catalog is a snapshot (commands/catalog-snapshot.h) every program
 * reads the same way: app_catalog gives a reference to the one serving
 * now, catalog_put drops it. serve and console swap in a new one when
 * commands/ changes (bot/catalog-watch.h); run and check never do.
 */
#ifndef APP_H
#define APP_H

#include "common.h"
#include "bot/config.h"
#include "commands/catalog.h"
#include "commands/catalog-snapshot.h"
#include "store/history.h"
#include "store/history-reserve.h"

struct access;
struct app_catalog_slot;
struct pool;
struct schedule_service;

struct app {
	struct config cfg;
	/* the snapshot serving now, behind its own lock; read it only
	 * through app_catalog (owned) */
	struct app_catalog_slot *catalog;
	struct strlist catalog_faults;   /* at app_open: "PATH:LINE: message" per fault; those
	                                  * commands are left out */
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
 * A reference to the catalog serving now; the caller drops it with
 * catalog_put. Commands found in it stay valid until then. Any thread:
 * the catalog lock is held only to copy a pointer and count a reference
 * (never across I/O), so the network thread may call it. An app not
 * opened by app_open (a test's) has an empty catalog.
 */
struct catalog *app_catalog(const struct app *app);

/* What app_reload_catalog found (each list owned; app_reload_release). */
struct app_reload {
	struct strlist faults;    /* every fault of the new load, "PATH:LINE: message" */
	struct strlist added;     /* command names new in it */
	struct strlist removed;   /* names gone from it (their file is gone) */
	struct strlist carried;   /* names whose file is broken: the last good version kept */
	size_t n;                 /* commands it serves */
};
void app_reload_release(struct app_reload *r);

/*
 * Read commands_dir again into a new snapshot (on the calling thread: the
 * watcher's, never the network thread), check its allow: groups, carry
 * over the last good version of each command whose file became broken,
 * and swap it in. Runs already queued keep the snapshot they hold. r is
 * filled (caller releases). Returns -1 when the directory cannot be read:
 * the serving catalog is then kept whole.
 */
int app_reload_catalog(struct app *app, struct app_reload *r);

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
