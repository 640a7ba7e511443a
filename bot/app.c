/*
 * app.c: the process state a program opens and closes (bot/app.h), and
 * the run ids it hands out.
 */
#include "common.h"
#include "bot/app.h"

#include <sys/stat.h>

#include "bot/access.h"
#include "common/log.h"
#include "common/timezone.h"

int app_open(struct app *app, const char *config_path, unsigned flags, char **cause)
{
	memset(app, 0, sizeof(*app));
	strlist_init(&app->catalog_faults);
	if (config_load(&app->cfg, config_path, cause) < 0)
		return APP_EINPUT;
	if (timezone_apply(app->cfg.timezone, cause) < 0)
		goto fail;

	catalog_load(&app->catalog, app->cfg.commands_dir, &app->catalog_faults);
	access_check_catalog(&app->cfg, &app->catalog, &app->catalog_faults);
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
	catalog_release(&app->catalog);
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
