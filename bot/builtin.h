/*
 * builtin.h: the built-in commands, one file each (builtin-help.c, ...),
 * listed in one table (builtin.c). Arity is checked centrally by dispatch,
 * which prints the usage line on a mismatch; no built-in parses its own
 * argument count. To add one: write commands/builtin-NAME.c defining a
 * `const struct builtin builtin_NAME`, declare it below, add it to
 * builtin_table in builtin.c, and mention it in README.md.
 */
#ifndef BUILTIN_H
#define BUILTIN_H

#include "common.h"
#include "common/strbuf.h"

struct app;
struct dispatch_request;
struct job;

struct builtin {
	const char *name;
	const char *args_usage;      /* "[N]", shown as "/report history [N]" */
	const char *summary;
	size_t min_args, max_args;
	/*
	 * In memory, on the dispatching thread (never touches a database).
	 * Returns 0, or -1 when out explains a mistake. With exec_worker set,
	 * it validates the arguments and may leave out empty; what it parsed
	 * may go to *parsed (allocated; NULL at entry), which the worker finds
	 * in job->parsed, so the words are parsed once.
	 */
	int (*exec_now)(struct app *app, const struct dispatch_request *req,
			char *const *argv, size_t argc, void **parsed, struct strbuf *out);
	/* On a worker thread (reads the history store); job->words holds argv. */
	void (*exec_worker)(struct app *app, const struct job *job, struct strbuf *out);
	/* Frees what exec_now put in *parsed; NULL when it never does. */
	void (*free_parsed)(void *parsed);
};

extern const struct builtin builtin_help;
extern const struct builtin builtin_history;
extern const struct builtin builtin_cancel;
extern const struct builtin builtin_schedules;
extern const struct builtin builtin_schedule;

extern const struct builtin *const builtin_table[];
extern const size_t builtin_count;

const struct builtin *builtin_find(const char *name);

struct history;
/* The last `limit` runs as text (used by `history` here and on the CLI). */
void history_render(struct history *h, size_t limit, struct strbuf *out);

#endif
