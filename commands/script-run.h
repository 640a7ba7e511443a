/*
 * script-run.h: a script report's run (issue 15): its argv and its
 * environment made from the bound values, the secrets kept out of both
 * and out of what it prints, and the process started as the executor's
 * row source (store/script-source.h).
 *
 * argv: the file's absolute path, then per param in declared order
 * `--NAME=VALUE` (one word each, never through a shell).
 * Environment, from an allow-list only: PATH, HOME and LANG as the bot
 * has them, TZ = bot.timezone, each `env:` name the bot has set (never a
 * Slack token or a source's password variable), and per param
 * REPORT_NAME=VALUE (NAME upper-cased); a month adds REPORT_NAME_START and
 * REPORT_NAME_END (the first day and the first day of the next month, as
 * :NAME_start and :NAME_end); a list is its values joined by commas; an
 * int is written in decimal; a date is YYYY-MM-DD.
 */
#ifndef SCRIPT_RUN_H
#define SCRIPT_RUN_H

#include "common.h"
#include "commands/args.h"
#include "store/source-config.h"
#include "store/source.h"

struct script_call {
	struct strlist argv;      /* argv[0] is the file */
	struct strlist env;       /* NAME=VALUE */
};

/*
 * Build the call of inv's script. exec_path: the file (argv[0]); tz:
 * bot.timezone (NULL: no TZ); environ_in: the bot's environment,
 * NULL-terminated (the values of PATH, HOME, LANG and env: names come
 * from it); blocked: names never passed whatever env: says. I/O-free.
 */
void script_call_build(const struct invocation *inv, const char *exec_path, const char *tz,
		       char *const *environ_in, const struct strlist *blocked,
		       struct script_call *out);
void script_call_release(struct script_call *c);

/* The value of one param as argv and REPORT_NAME carry it; caller frees. */
char *script_param_text(const struct param *p, const struct arg_value *v);

/*
 * The secrets of the config that a script must never see nor show: every
 * value of a key a driver marks CONFIG_SECRET, and for every key named
 * `password_env` or `*_password_env` the variable's name (pushed to names)
 * and its value (pushed to values). Then the Slack tokens' variables.
 */
void script_secrets(const struct source_config *sources, size_t nsources,
		    struct strlist *values, struct strlist *names);

struct report_options;
/* Start inv's script as a row source (the header read): the absolute
 * path, working directory the command's folder, argv and environment as
 * above, timeout from opt. On failure *cause is for the person. */
enum source_result script_run_start(const struct report_options *opt, const struct invocation *inv,
				    struct source **out, char **cause);

/* What the person reads for a script run that failed with r; caller frees. */
char *script_failure_words(const struct command *cmd, enum source_result r, const char *cause);

#endif
