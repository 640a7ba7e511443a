/*
 * app.c: the process state a program opens and closes (bot/app.h), and
 * the run ids it hands out.
 */
#include "common.h"
#include "bot/app.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>

#include "bot/access.h"
#include "common/log.h"
#include "common/timezone.h"

/* The catalog serving now. The lock guards `now` only: a swap and the
 * taking of a reference, never I/O. */
struct app_catalog_slot {
	pthread_mutex_t lock;
	struct catalog *now;     /* a reference */
};

struct catalog *app_catalog(const struct app *app)
{
	struct app_catalog_slot *slot = app->catalog;
	if (!slot)
		return catalog_snapshot_new();   /* an app not made by app_open (tests): none */
	pthread_mutex_lock(&slot->lock);
	struct catalog *cat = catalog_get(slot->now);
	pthread_mutex_unlock(&slot->lock);
	return cat;
}

/* Serve cat from now on (takes the caller's reference); the one it
 * replaces is freed by its last reader. */
static void app_catalog_swap(struct app *app, struct catalog *cat)
{
	struct app_catalog_slot *slot = app->catalog;
	pthread_mutex_lock(&slot->lock);
	struct catalog *old = slot->now;
	slot->now = cat;
	pthread_mutex_unlock(&slot->lock);
	catalog_put(old);
}

/* A new snapshot of commands_dir: loaded, its allow: groups checked. */
static struct catalog *load_snapshot(const struct config *cfg, struct strlist *faults)
{
	struct catalog *cat = catalog_snapshot_new();
	catalog_load(cat, cfg->commands_dir, faults);
	access_check_catalog(cfg, cat, faults);
	return cat;
}

void app_reload_release(struct app_reload *r)
{
	strlist_release(&r->faults);
	strlist_release(&r->added);
	strlist_release(&r->removed);
	strlist_release(&r->carried);
}

int app_reload_catalog(struct app *app, struct app_reload *r)
{
	memset(r, 0, sizeof(*r));
	strlist_init(&r->faults);
	strlist_init(&r->added);
	strlist_init(&r->removed);
	strlist_init(&r->carried);
	/* A folder that cannot be read (being replaced, say) changes nothing. */
	DIR *d = opendir(app->cfg.commands_dir);
	if (!d) {
		strlist_pushf(&r->faults, "%s: cannot read the commands directory: %s; the commands "
			      "loaded before keep serving", app->cfg.commands_dir, strerror(errno));
		return -1;
	}
	closedir(d);
	struct catalog *cat = load_snapshot(&app->cfg, &r->faults);
	struct catalog *old = app_catalog(app);
	catalog_carry_over(cat, old, &r->faults, &r->carried);
	for (size_t i = 0; i < cat->n; i++)
		if (!catalog_find(old, cat->cmds[i].name))
			strlist_push(&r->added, xstrdup(cat->cmds[i].name));
	for (size_t i = 0; i < old->n; i++)
		if (!catalog_find(cat, old->cmds[i].name))
			strlist_push(&r->removed, xstrdup(old->cmds[i].name));
	r->n = cat->n;
	catalog_put(old);
	app_catalog_swap(app, cat);
	return 0;
}

int app_open(struct app *app, const char *config_path, unsigned flags, char **cause)
{
	memset(app, 0, sizeof(*app));
	strlist_init(&app->catalog_faults);
	if (config_load(&app->cfg, config_path, cause) < 0)
		return APP_EINPUT;
	app->catalog = xcalloc(1, sizeof(*app->catalog));
	pthread_mutex_init(&app->catalog->lock, NULL);
	if (timezone_apply(app->cfg.timezone, cause) < 0)
		goto fail;

	app->catalog->now = load_snapshot(&app->cfg, &app->catalog_faults);
	app->access = access_new(&app->cfg);
	for (size_t i = 0; !(flags & APP_QUIET_FAULTS) && i < app->catalog_faults.n; i++)
		log_warn("%s (command left out; `reportbot check` lists every fault)",
			 app->catalog_faults.v[i]);

	if (flags & APP_NEED_HISTORY) {
		if (mkdir(app->cfg.data_dir, 0750) < 0 && errno != EEXIST) {
			fail(cause, "cannot create data_dir '%s': %s", app->cfg.data_dir, strerror(errno));
			goto runtime;
		}
		char *path = xasprintf("%s/history.db", app->cfg.data_dir);
		int r = history_open(&app->history, path, cause);
		free(path);
		if (r < 0)
			goto runtime;
	}
	return 0;
fail:
	app_close(app);
	return APP_EINPUT;
runtime:
	app_close(app);
	return APP_ERUNTIME;
}

void app_close(struct app *app)
{
	history_reserve_close(app->run_ids);
	app->run_ids = NULL;
	history_close(app->history);
	app->history = NULL;
	access_free(app->access);
	app->access = NULL;
	if (app->catalog) {
		catalog_put(app->catalog->now);   /* jobs still holding it have ended */
		pthread_mutex_destroy(&app->catalog->lock);
		free(app->catalog);
		app->catalog = NULL;
	}
	strlist_release(&app->catalog_faults);
	config_release(&app->cfg);
}

int app_start_run_ids(struct app *app, bool one_run, char **cause)
{
	if (!app->history)
		return fail(cause, "run ids: the history is not open");
	if (app->run_ids)
		return 0;
	/* A burst can queue workers + queue_size runs before any worker
	 * claims its row or the filler gets the history lock: one id each. */
	size_t batch = 1;
	if (!one_run) {
		int64_t inflight = (int64_t)app->cfg.workers + app->cfg.queue_size;
		batch = inflight < APP_RUN_ID_BATCH ? (size_t)(inflight > 1 ? inflight : 1) : APP_RUN_ID_BATCH;
	}
	return history_reserve_open(&app->run_ids, app->history, batch, !one_run, cause);
}

int app_new_run_id(struct app *app, int64_t *id, char **cause)
{
	if (!app->run_ids)
		return fail(cause, "this program cannot start runs (no run ids were set aside)");
	return history_reserve_take(app->run_ids, id, cause);
}

void app_return_run_id(struct app *app, int64_t id)
{
	if (app->run_ids)
		history_reserve_put_back(app->run_ids, id);
}
