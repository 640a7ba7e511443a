/*
 * program-console.h: `reportbot console`, the development stand-in for Slack. Each
 * stdin line is what a person would type (`/report monthly acme last`); it
 * goes through the same dispatcher, pool and executor as Slack. Replies
 * print on stdout; result files are moved into data_dir. Each line waits
 * for its result, except one ending in " &", which is queued while the
 * next line is read (so `/report cancel N` can stop a running report).
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "common.h"
#include "bot/app.h"

/* app is open (config, catalog, history); console_run starts app->pool
 * and stops it before returning, as its delivery lives in console_run.
 * Returns the exit code: 0, or 1 when a line was a mistake (so scripts
 * notice), 2 when a report failed at run time. */
int console_run(struct app *app, FILE *in, FILE *out);

#endif
