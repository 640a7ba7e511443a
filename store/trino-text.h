/*
 * trino-text.h: the I/O-free halves of the trino driver (store/source-trino.c):
 * values bound into `EXECUTE ... USING` as Trino SQL literals, the prepared
 * statement's text for the X-Trino-Prepared-Statement header, and result
 * values printed as the Trino CLI prints them with --output-format CSV.
 */
#ifndef TRINO_TEXT_H
#define TRINO_TEXT_H

#include "common.h"
#include "common/strbuf.h"
#include "store/source.h"

#include <jansson.h>

/*
 * Append to SB the Trino literal for V, the one way a value reaches a
 * statement: BIND_INT as a decimal integer (42, -7), BIND_DATE as
 * DATE 'YYYY-MM-DD', BIND_TEXT as '...' with each ' doubled (Trino's string
 * literals know no other escape). 0, or -1 with *cause (and SB untouched)
 * for text that is not UTF-8 or a date that is not YYYY-MM-DD.
 */
int trino_literal(struct strbuf *sb, const struct bind_value *v, char **cause);

/*
 * The client-side half of a Trino source's read-only rule (the server-side
 * half is the READ ONLY transaction of store/source-trino.c): 0 when the
 * statement SQL, past blanks, comments (common/sql-lex.h) and opening
 * parentheses, starts with a keyword of a statement that reads: SELECT,
 * WITH, VALUES, SHOW, DESCRIBE, EXPLAIN or TABLE (any case). -1 with *cause
 * otherwise, naming that first keyword when it is one (letters only, never
 * more of the statement).
 */
int trino_statement_reads(const char *sql, char **cause);

/* Append S percent-encoded: every byte but A-Z a-z 0-9 - . _ ~ as %XX
 * (what the server URL-decodes back into the statement). */
void trino_url_encode(struct strbuf *sb, const char *s);

/*
 * Append to SB the text the Trino CLI's CSV output prints for VALUE, a
 * value of the `data` array whose column type is TYPESIG (the column's
 * `typeSignature` object; borrowed). VALUE must not be JSON null at the top
 * (that is an empty field); a null inside an array, map or row prints NULL.
 */
void trino_format_value(struct strbuf *sb, const json_t *value, const json_t *typesig);

/* Java's Double.toString / Float.toString of D (the CLI prints doubles and
 * reals through them): shortest digits that read back, "1.0E7" form outside
 * [1e-3, 1e7), "NaN", "Infinity". */
void trino_format_double(struct strbuf *sb, double d, bool is_float);

#endif
