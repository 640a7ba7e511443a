/*
 * program-serve.h: `reportbot serve`. Checks the tokens (auth.test), starts the
 * worker pool, connects to Slack in Socket Mode and answers slash commands
 * until SIGTERM/SIGINT or a fatal condition.
 *
 * Environment knobs (see docs/slack.md): REPORTBOT_PING_INTERVAL_MS,
 * REPORTBOT_DEAD_AFTER_MS, REPORTBOT_RECONNECT_MIN_MS,
 * REPORTBOT_RECONNECT_MAX_MS, REPORTBOT_HTTP_RETRIES,
 * REPORTBOT_HTTP_BACKOFF_MS, REPORTBOT_HTTP_TIMEOUT_MS.
 */
#ifndef SERVE_H
#define SERVE_H

#include "common.h"
#include "bot/app.h"

/*
 * Serve until stopped. app is open (config, catalog, history); serve_run
 * starts app->pool and stops it before returning. Returns the process
 * exit code: 0 after a clean stop (SIGTERM/SIGINT), 1 for a bad token or
 * configuration (including Socket Mode turned off for the app), 2 for a
 * runtime failure. *cause (may be NULL) says why when the code is not 0.
 */
int serve_run(struct app *app, char **cause);

#endif
