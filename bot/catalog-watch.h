/*
 * catalog-watch.h: the thread that notices added, changed and removed
 * command files in commands_dir while `serve` or `console` runs, and swaps
 * a new catalog snapshot in (app_reload_catalog, bot/app.h), so no report
 * change needs a restart and no running report is disturbed.
 *
 * It polls: every REPORTBOT_COMMANDS_POLL_MS (default 2000) it lists the
 * folder and compares each entry's name, inode, size, mode, mtime and
 * ctime with the last listing. Polling, not inotify: it also sees a file
 * changed behind a symbolic link, a folder replaced whole, a chmod +x,
 * and folders on network file systems, for the price of one stat per file
 * every two seconds. A change is read once the folder has been still for
 * a moment (an editor's write in progress is not read half done).
 * catalog_watch_now (SIGHUP) reloads at once, changed or not.
 *
 * A fault of a command file is logged once with its FILE:LINE and told
 * once through tell (serve: the [scheduler] alert_channel; console: the
 * console), and not again until that file changes; the faults present at
 * start were logged by app_open and are not told again.
 */
#ifndef CATALOG_WATCH_H
#define CATALOG_WATCH_H

#include "common.h"
#include "bot/app.h"

struct catalog_watch;

/* How a new fault reaches the admins, on the watcher thread: text is
 * plain (borrowed). NULL: the log alone. */
typedef void (*catalog_watch_tell_fn)(void *ctx, const char *text);

/* Start watching app->cfg.commands_dir (app borrowed, outlives the
 * watcher). 0 with *out, or -1 with *cause. */
int catalog_watch_start(struct catalog_watch **out, struct app *app, catalog_watch_tell_fn tell,
			void *tell_ctx, char **cause);
/* Reload at once (SIGHUP); returns without waiting for it. Any thread. */
void catalog_watch_now(struct catalog_watch *w);
/* How many reloads have been swapped in so far (for tests). */
long catalog_watch_reloads(struct catalog_watch *w);
/* Stop and join the thread; NULL ok. */
void catalog_watch_stop(struct catalog_watch *w);

#endif
