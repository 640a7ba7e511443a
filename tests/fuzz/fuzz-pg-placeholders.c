/*
 * fuzz-pg-placeholders.c: the postgres driver's '?' to $N numbering
 * (pg_numbered_sql) on any text. Either it refuses with a cause, or the
 * output is the input with exactly n question marks each replaced by the
 * digits of its number after a '$' (lengths and '?' counts add up).
 */
#include "common.h"

#include "store/source-postgres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sql = xstrndup((const char *)data, size);   /* up to a NUL, as C strings go */
	size_t n = 0;
	char *cause = NULL;
	char *out = pg_numbered_sql(sql, &n, &cause);
	if (!out) {
		if (!cause)
			abort();
		free(cause);
		free(sql);
		return 0;
	}
	if (cause)
		abort();
	size_t digits = 0;
	for (size_t k = 1; k <= n; k++)
		digits += (size_t)snprintf(NULL, 0, "%zu", k);
	/* each '?' (1 byte) became '$' plus its digits */
	if (strlen(out) != strlen(sql) + digits)
		abort();
	if (count_char(out, '?') + n != count_char(sql, '?'))
		abort();
	if (count_char(out, '$') != count_char(sql, '$') + n)
		abort();
	free(out);
	free(sql);
	return 0;
}
