#include "common.h"
#include "bot/app.h"

#include <sys/stat.h>

#include "bot/log.h"
#include "bot/timezone.h"

int app_open(struct app *app, const char *config_path, unsigned flags, char **cause)
{
	struct strlist errors;

	memset(app, 0, sizeof(*app));
	atomic_init(&app->next_run_id, 1);
	if (config_load(&app->cfg, config_path, cause) < 0)
		return -1;
	if (timezone_apply(app->cfg.timezone, cause) < 0)
		goto fail;

	strlist_init(&errors);
	catalog_load(&app->catalog, app->cfg.commands_dir, &errors);
	for (size_t i = 0; i < errors.n; i++)
		log_warn("%s (command left out; `reportbot check` lists every fault)", errors.v[i]);
	strlist_release(&errors);

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
	catalog_release(&app->catalog);
	config_release(&app->cfg);
}

int64_t app_new_run_id(struct app *app)
{
	return atomic_fetch_add(&app->next_run_id, 1);
}
