/*
 * invocation.h: what a bound command becomes: the SQL text with its binds,
 * the one-line description of its values, the name of its CSV file. The
 * struct invocation itself is made by binding (commands/args.h).
 */
#ifndef INVOCATION_H
#define INVOCATION_H

#include "common.h"
#include "commands/args.h"
#include "commands/command.h"
#include "common/strbuf.h"
#include "store/source.h"

/*
 * The SQL to run: placeholders become '?', list params one '?' per item.
 * *binds (caller frees the array, not the strings) borrows from inv.
 */
int invocation_sql(const struct invocation *inv, struct strbuf *sql,
		   struct bind_value **binds, size_t *nbinds, char **cause);

/* cmd's SQL with every placeholder as one '?', nothing bound, for a dry
 * prepare (`reportbot check`); *nplaceholders counts them. */
void invocation_sql_unbound(const struct command *cmd, struct strbuf *sql, size_t *nplaceholders);

/* "customer=acme month=2024-11"; each value quoted so that args_split
 * gives it back; caller frees. */
char *invocation_describe(const struct invocation *inv);

/* File name from the command's filename template, else "CMD-ARG1-ARG2.csv",
 * valid UTF-8 of at most 204 bytes: values as typed (non-ASCII letters
 * too), with only path separators, control and invisible characters and
 * what Windows forbids replaced, and "-HASH" of the values added when the
 * name alone would not tell two argument lists apart (see invocation.c);
 * caller frees. */
char *invocation_filename(const struct invocation *inv);

#endif
