/*
 * fuzz-trino-text.c: the trino driver's I/O-free halves on any bytes.
 * The input splits at its first NUL into a type signature and a value,
 * both JSON as a Trino server could send them; formatting must not crash
 * or read out of bounds. The rest of the input is a text parameter: its
 * literal either is refused (not UTF-8) or reads back, by Trino's string
 * grammar, to exactly the text with nothing after it. A finite double
 * from the input prints as text that reads back to the same double.
 */
#include "common.h"

#include <math.h>

#include "store/trino-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void literal_reads_back(const char *text)
{
	struct strbuf sb;
	strbuf_init(&sb);
	struct bind_value v = { .kind = BIND_TEXT, .text = text };
	char *cause = NULL;
	if (trino_literal(&sb, &v, &cause) < 0) {
		free(cause);
		if (sb.len)
			abort();
		strbuf_release(&sb);
		return;
	}
	const char *p = sb.buf;
	if (*p++ != '\'')
		abort();
	struct strbuf back;
	strbuf_init(&back);
	for (;; p++) {
		if (!*p)
			abort();   /* unterminated */
		if (*p == '\'') {
			if (p[1] != '\'')
				break;
			p++;
		}
		strbuf_addc(&back, *p);
	}
	if (p[1] != '\0' || strcmp(back.buf ? back.buf : "", text) != 0)
		abort();
	strbuf_release(&back);
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t a = nul ? (size_t)(nul - data) : size;
	json_t *sig = json_loadb((const char *)data, a, JSON_DECODE_ANY, NULL);
	const uint8_t *rest = nul ? nul + 1 : data + size;
	size_t rsize = (size_t)(data + size - rest);
	const uint8_t *nul2 = memchr(rest, 0, rsize);
	size_t b = nul2 ? (size_t)(nul2 - rest) : rsize;
	json_t *val = json_loadb((const char *)rest, b, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (sig && val && !json_is_null(val)) {
		struct strbuf sb;
		strbuf_init(&sb);
		trino_format_value(&sb, val, sig);
		strbuf_release(&sb);
	}
	json_decref(sig);
	json_decref(val);

	char *text = xstrndup((const char *)data, size);   /* up to the first NUL */
	literal_reads_back(text);
	free(text);

	if (size >= 8) {
		double d;
		memcpy(&d, data, 8);
		if (isfinite(d)) {
			struct strbuf sb;
			strbuf_init(&sb);
			trino_format_double(&sb, d, false);
			if (strtod(sb.buf, NULL) != d)
				abort();
			strbuf_release(&sb);
		}
	}
	return 0;
}
