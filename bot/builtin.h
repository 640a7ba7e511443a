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
struct catalog;
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
extern const struct builtin builtin_rerun;
extern const struct builtin builtin_resend;
/* Not in the table (no one types it): the "Change arguments" button,
 * which answers with the `/report` line of a run to edit. */
extern const struct builtin builtin_rerun_edit;

extern const struct builtin *const builtin_table[];
extern const size_t builtin_count;

const struct builtin *builtin_find(const char *name);

/* ---- shared by rerun, resend and the buttons (bot/builtin-rerun.c) ---- */
struct run_record;
struct command;
struct strlist;
/* "42" or "#42" into *id (> 0): 0, or -1 when it is not one. */
int builtin_parse_run_id(const char *s, int64_t *id);
/* The run named by job->words.v[0], for verb: 0 with *rec (release it)
 * and *cmd its report in *cat (a reference to the catalog snapshot:
 * catalog_put it), when the person may see the run (its asker, an
 * admin, or someone who may run its report in the run's channel) and may
 * run its report in job's channel; else -1 with out saying so (nothing
 * of a run the person may not see). */
int builtin_find_run(struct app *app, const struct job *job, const char *verb,
		     struct run_record *rec, struct catalog **cat, const struct command **cmd,
		     struct strbuf *out);
/* The resolved arguments the history kept for rec, split into words. */
int builtin_split_run_args(const struct run_record *rec, struct strlist *words, char **cause);

struct history;
/* The last `limit` runs as text (used by `history` here and on the CLI). */
void history_render(struct history *h, size_t limit, struct strbuf *out);

#endif
