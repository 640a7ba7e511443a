/*
 * catalog.h: every report command found in commands_dir, sorted by name:
 * each NAME.sql, and each script report (issue 15): a regular file with
 * an executable bit, its name without the last extension. A .py, .sh,
 * .rb, .pl, .js or .r file without the bit is a fault (it must be
 * executable); one name given by two files (x.sql and x.py) is a fault
 * and neither is loaded. Owns the commands; catalog_release frees them.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include "common.h"
#include "commands/command.h"
#include "common/strbuf.h"

struct catalog {
	struct command *cmds;
	size_t n;
};

/* Load every command file in DIR. Faulty files are left out and their faults pushed to
 * errors ("PATH:LINE: message"); returns -1 if DIR cannot be read or any
 * file had a fault, 0 otherwise. */
int catalog_load(struct catalog *cat, const char *dir, struct strlist *errors);

/* Read and parse one command file (path), its name taken from the file
 * name; at most COMMAND_MAX_BYTES are read. Faults go to errors as for
 * command_parse; cmd is safe to release either way. */
int command_load(struct command *cmd, const char *path, struct strlist *errors);
void catalog_release(struct catalog *cat);

/* The command called name, typed in ASCII or full width; borrowed. */
const struct command *catalog_find(const struct catalog *cat, const char *name);

/* The name closest to `name` (edit distance), or NULL if nothing is close. */
const char *catalog_closest(const struct catalog *cat, const char *name,
			    const char *const *extra_names, size_t nextra);

/* Help text generated from the headers: the list, and one command. */
void help_render_list(const struct catalog *cat, const char *slash, struct strbuf *out);
/* The list of only the commands shown(ctx, cmd) accepts (NULL: all);
 * returns how many were left out, without naming them. */
size_t help_render_list_only(const struct catalog *cat, const char *slash,
			     bool (*shown)(void *ctx, const struct command *cmd), void *ctx,
			     struct strbuf *out);
void help_render_command(const struct command *cmd, const char *slash, struct strbuf *out);

#endif
