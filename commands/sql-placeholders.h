/*
 * sql-placeholders.h: find the :name placeholders in a report's SQL.
 *
 * A placeholder is ':' then [A-Za-z_][A-Za-z0-9_]*, outside
 *   '...' and "..."   (a doubled quote or a backslash escapes a character),
 *   `...`             (a doubled backtick escapes one; no backslash escape),
 *   -- to end of line and / * ... * / comments.
 * "::" (a cast) and ":=" (assignment) are kept as text, as is ':' followed
 * by a digit (":1"). A '?' outside literals and comments is a fault: the
 * executor binds by '?' position, so a literal one would shift every value.
 * A ';' followed by more SQL is a fault too: one statement per report.
 */
#ifndef SQL_PLACEHOLDERS_H
#define SQL_PLACEHOLDERS_H

#include "common.h"
#include "commands/command.h"

struct sql_split {
	struct sql_piece *pieces;   /* owned; free with sql_split_release */
	size_t npieces;
	int *lines;                 /* line of each piece's start, npieces entries */
	bool has_code;              /* anything besides whitespace and comments */
};

/*
 * Split sql[0..len) into pieces: literal text and placeholder names,
 * adjacent text merged. first_line is the file line where sql starts.
 * Faults (unterminated literal or comment, '?', a second statement) go to
 * errors as "PATH:LINE: message"; returns 0 when there were none, -1
 * otherwise. out is filled either way and must be released.
 */
int sql_split(const char *sql, size_t len, const char *path, int first_line,
	      struct sql_split *out, struct strlist *errors);
void sql_split_release(struct sql_split *s);

/* Free an array of pieces (as stored in struct command). NULL is fine. */
void sql_pieces_free(struct sql_piece *pieces, size_t n);

#endif
