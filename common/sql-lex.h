/*
 * sql-lex.h: the SQL lexing every layer must agree on: where a quoted
 * literal and a comment end.
 *
 * The command layer splits report SQL at :name placeholders and the
 * PostgreSQL driver numbers '?' as $N; both must skip the same quotes and
 * comments, or a '?' inside a string would be taken for a parameter.
 */
#ifndef REPORTBOT_COMMON_SQL_LEX_H
#define REPORTBOT_COMMON_SQL_LEX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Past the quoted text opened by sql[i] ('...', "..." or `...`): a doubled
 * quote stands for itself, and inside '...' and "..." a backslash escapes
 * the next byte. *closed (may be NULL) says whether the closing quote was
 * found; when it was not, the result is len.
 */
size_t sql_skip_quoted(const char *sql, size_t len, size_t i, bool *closed);

/*
 * Past the comment starting at sql[i]: "--" runs to the newline (which it
 * does not take), "/" "*" to the next "*" "/". Returns i when no comment
 * starts there. *closed (may be NULL) is false for a block comment never
 * closed (the result is then len), true otherwise.
 */
size_t sql_skip_comment(const char *sql, size_t len, size_t i, bool *closed);

#endif
