/*
 * sql-lex.c: where SQL quoted literals and comments end (see sql-lex.h).
 */
#include "common.h"
#include "common/sql-lex.h"

size_t sql_skip_quoted(const char *sql, size_t len, size_t i, bool *closed)
{
	char q = sql[i];
	bool backslash = q != '`';
	for (i++; i < len; i++) {
		if (backslash && sql[i] == '\\') {
			i++;
			continue;
		}
		if (sql[i] == q) {
			if (i + 1 < len && sql[i + 1] == q) {
				i++;
				continue;
			}
			if (closed)
				*closed = true;
			return i + 1;
		}
	}
	if (closed)
		*closed = false;
	return len;
}

size_t sql_skip_comment(const char *sql, size_t len, size_t i, bool *closed)
{
	if (closed)
		*closed = true;
	if (i + 1 >= len)
		return i;
	if (sql[i] == '-' && sql[i + 1] == '-') {
		while (i < len && sql[i] != '\n')
			i++;
		return i;
	}
	if (sql[i] == '/' && sql[i + 1] == '*') {
		i += 2;
		while (i + 1 < len && !(sql[i] == '*' && sql[i + 1] == '/'))
			i++;
		if (i + 1 >= len) {
			if (closed)
				*closed = false;
			return len;
		}
		return i + 2;
	}
	return i;
}
