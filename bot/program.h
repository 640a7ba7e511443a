/*
 * program.h: the programs of docs/design.md (reportbot serve, run,
 * console, check, history) as main's table calls them, and the few things
 * they share: the exit codes, opening the app with its fault printed, and
 * telling an argument mistake.
 */
#ifndef PROGRAM_H
#define PROGRAM_H

#include "common.h"
#include "bot/app.h"

/* Exit codes: 0 ok, 1 bad input or config, 2 runtime failure (database,
 * network). PROGRAM_USAGE is no exit code: the program printed an argument
 * mistake and main adds the usage, then exits EXIT_INPUT. */
enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_RUNTIME = 2, PROGRAM_USAGE = -1 };

/* One program: config is -c FILE or NULL; argv holds the words after the
 * program's name. Returns an exit code or PROGRAM_USAGE. */
int program_serve(const char *config, int argc, char **argv);
int program_run(const char *config, int argc, char **argv);
int program_console(const char *config, int argc, char **argv);
int program_check(const char *config, int argc, char **argv);
int program_history(const char *config, int argc, char **argv);

/* Print "reportbot: MESSAGE" on stderr; returns PROGRAM_USAGE. */
int program_usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* app_open on config (or the default path), printing why it failed as
 * "reportbot: CAUSE". 0 ok, else the exit code: EXIT_INPUT for a bad
 * config, EXIT_RUNTIME when the history cannot be opened. */
int program_open_app(struct app *app, const char *config, unsigned flags);

#endif
