/*
 * args.h: the text a person types after `/report CMD`, split into words
 * and bound to a command's params as typed, resolved values (a struct
 * invocation; commands/invocation.h turns it into SQL and a file name).
 *
 * Words: whitespace separates, double quotes group ("a b"), \" and \\
 * inside quotes are a quote and a backslash. Values go positional (in
 * declared order) or as name=value, never both for the same param.
 * Relative values (today, yesterday, this, last) resolve at `now` in the
 * process time zone (main sets TZ from bot.timezone).
 */
#ifndef ARGS_H
#define ARGS_H

#include <time.h>

#include "common.h"
#include "commands/command.h"
#include "common/strbuf.h"

/* Split text into words. On error (quote left open, ...) *cause is a
 * message for the person with the accepted form. */
int args_split(const char *text, struct strlist *words, char **cause);

/* Append word to out, in double quotes when it needs them to come back
 * from args_split as this one word. */
void args_quote(struct strbuf *out, const char *word);

struct arg_value {
	char *text;          /* resolved text: "2024-11" for last, "acme", "2024-11-03", "a,b" */
	int64_t i;           /* PARAM_INT */
	char *start, *end;   /* PARAM_MONTH: "2024-11-01", "2024-12-01" (half-open) */
	char **items;        /* PARAM_LIST values */
	size_t nitems;
};

/* A command with every param bound; owns values (cmd is borrowed). */
struct invocation {
	const struct command *cmd;
	struct arg_value *values;   /* cmd->nparams entries */
};

/*
 * Bind words to cmd's params. On error returns -1 and *cause is a message
 * for the person naming the param, the bad value, the accepted forms and an
 * example, e.g. "month: '2024-13' is not a month; use YYYY-MM, this or
 * last, e.g. /report usage acme 2024-11".
 */
int args_bind(const struct command *cmd, char *const *words, size_t nwords,
	      time_t now, struct invocation *inv, char **cause);
void invocation_release(struct invocation *inv);

/* args_bind with the slash command to show in messages (args_bind uses
 * "/report"; pass config's slack.command). slash is borrowed. */
int args_bind_as(const struct command *cmd, const char *slash, char *const *words,
		 size_t nwords, time_t now, struct invocation *inv, char **cause);

/* args_bind_as that also says which param a mistake is about: on error
 * *param (when not NULL) is its index in cmd->params (a bad value, a
 * missing param (the first one), a param given twice, the first of an
 * `order:` pair), or SIZE_MAX when the mistake is about no one param (an
 * unknown name, too many values). A form shows the message under that
 * param's field. */
int args_bind_at(const struct command *cmd, const char *slash, char *const *words,
		 size_t nwords, time_t now, struct invocation *inv, char **cause,
		 size_t *param);

/* Limits on what a person may type. */
#define ARGS_MAX_TEXT 10240      /* bytes of argument text for args_split */
#define ARG_STRING_MAX 1000      /* bytes of one string value or list item */
#define ARG_LIST_MAX 1000        /* items in one list value */

/*
 * Check text as a value of p and resolve it (relative words at now) into
 * *out, which the caller releases with arg_value_release. On error *cause
 * describes the value and the accepted forms without the param name, e.g.
 * "'2024-13' is not a month; use YYYY-MM, this or last". Used for typed
 * arguments and for the defaults in command headers.
 */
int param_value_parse(const struct param *p, const char *text, time_t now,
		      struct arg_value *out, char **cause);
void arg_value_release(struct arg_value *v);

/* The accepted forms of p's type in words, e.g. "YYYY-MM, this or last";
 * caller frees. */
char *param_accepted(const struct param *p);

/* `/report usage <customer> [month=last]` (no backticks) into out. */
void args_usage(const struct command *cmd, const char *slash, struct strbuf *out);

/*
 * An example invocation, e.g. "/report usage acme 2024-11": values for
 * every required param and for params up to index upto (SIZE_MAX: none
 * extra), taken from "e.g. X" in the description when valid, else made
 * from the type (dates and months relative to now).
 */
void args_example(const struct command *cmd, const char *slash, time_t now, size_t upto,
		  struct strbuf *out);

#endif
