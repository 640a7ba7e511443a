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
	atomic_init(&app->next_run_id, 1);
	if (config_load(&app->cfg, config_path, cause) < 0)
		return -1;
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
			goto fail;
		}
		char *path = xasprintf("%s/history.db", app->cfg.data_dir);
		int r = history_open(&app->history, path, cause);
		free(path);
		if (r < 0)
			goto fail;
		int64_t max = 0;
		if (history_max_id(app->history, &max, cause) < 0)
			goto fail;
		atomic_store(&app->next_run_id, max + 1);
	}
	return 0;
fail:
	app_close(app);
	return -1;
}

void app_close(struct app *app)
{
	history_close(app->history);
	app->history = NULL;
	access_free(app->access);
	app->access = NULL;
	catalog_release(&app->catalog);
	strlist_release(&app->catalog_faults);
	config_release(&app->cfg);
}

int64_t app_new_run_id(struct app *app)
{
	return atomic_fetch_add(&app->next_run_id, 1);
}
