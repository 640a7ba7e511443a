/*
 * csv-read.c: the streaming RFC 4180 reader of csv-read.h. A state
 * machine over the bytes pushed; runs of plain bytes are found with
 * memchr-like scans and copied at once, so a million rows cost little
 * more than copying them.
 */
#include "common.h"
#include "store/csv-read.h"

enum {
	S_FIELD,      /* at the start of a field */
	S_PLAIN,      /* inside an unquoted field */
	S_QUOTED,     /* inside a quoted field */
	S_QUOTE,      /* a quote inside a quoted field: closing, or the first of "" */
	S_CR,         /* a CR outside quotes: an LF must follow */
	S_FAILED,
};

void csv_reader_init(struct csv_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->line = 1;
	r->rec_line = 1;
	r->state = S_FIELD;
}

void csv_reader_release(struct csv_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->starts);
	free(r->vals);
	free(r->lens);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static enum csv_read_result PRINTF_LIKE(2, 3) failed(struct csv_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = xasprintf("line %llu: %s", (unsigned long long)r->line, msg);
	free(msg);
	r->state = S_FAILED;
	return CSV_READ_ERROR;
}

static int append_slow(struct csv_reader *r, const char *p, size_t n)
{
	if (r->len + n + 1 > CSV_READ_RECORD_MAX) {
		failed(r, "a row longer than %d MiB; a report's row must be shorter",
		       CSV_READ_RECORD_MAX / (1024 * 1024));
		return -1;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n + 1)
			cap *= 2;
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	return 0;
}

/* Add p[0..n) to the field being read, keeping room for its NUL. */
static inline int append(struct csv_reader *r, const char *p, size_t n)
{
	if (r->len + n + 1 <= r->cap && r->len + n + 1 <= CSV_READ_RECORD_MAX) {
		memcpy(r->buf + r->len, p, n);
		r->len += n;
		return 0;
	}
	return append_slow(r, p, n);
}

/* A new field begins at the end of buf. */
static int field_begin(struct csv_reader *r)
{
	if (r->nstarts == CSV_READ_FIELDS_MAX) {
		failed(r, "more than %d fields in a row", CSV_READ_FIELDS_MAX);
		return -1;
	}
	if (r->nstarts == r->starts_cap) {
		r->starts_cap = r->starts_cap ? r->starts_cap * 2 : 16;
		r->starts = xrealloc(r->starts, r->starts_cap * sizeof(*r->starts));
	}
	r->starts[r->nstarts++] = r->len;
	r->started = true;
	return 0;
}

/* The length of the valid UTF-8 (no NUL) prefix of s[0..n). */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* eight ASCII bytes without NUL at a time */
		if (i + 8 <= n) {
			uint64_t v;
			memcpy(&v, s + i, 8);
			uint64_t zero = (v - UINT64_C(0x0101010101010101)) & ~v & UINT64_C(0x8080808080808080);
			if (!(v & UINT64_C(0x8080808080808080)) && !zero) {
				i += 8;
				continue;
			}
		}
		unsigned char c = s[i];
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t need;
		unsigned lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;          /* no overlong forms */
			else if (c == 0xED)
				hi = 0x9F;          /* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;          /* nothing above U+10FFFF */
		} else
			return i;
		if (i + need >= n)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return i;
		i += need + 1;
	}
	return n;
}

/* The field being read is complete: NUL-end it and check its bytes. */
static int field_end(struct csv_reader *r)
{
	size_t start = r->starts[r->nstarts - 1];
	size_t n = r->len - start;
	size_t ok = utf8_valid_prefix((const unsigned char *)r->buf + start, n);
	if (ok < n) {
		unsigned char b = (unsigned char)r->buf[start + ok];
		if (b == 0)
			failed(r, "field %zu holds a NUL byte; a report is text", r->nstarts);
		else
			failed(r, "field %zu is not valid UTF-8 (byte 0x%02x at byte %zu of the field); "
			       "write the CSV in UTF-8", r->nstarts, b, ok + 1);
		return -1;
	}
	if (append(r, "", 0) < 0)   /* room for the NUL */
		return -1;
	r->buf[r->len++] = '\0';
	return 0;
}

/* The record being read is complete (its last field ended). */
static enum csv_read_result record_end(struct csv_reader *r)
{
	if (r->want == 0) {
		if (r->nstarts == 1 && r->buf[r->starts[0]] == '\0')
			return failed(r, "the header row is empty; the first line names the columns");
		r->want = r->nstarts;
		r->vals = xcalloc(r->want, sizeof(*r->vals));
		r->lens = xcalloc(r->want, sizeof(*r->lens));
	} else if (r->nstarts != r->want) {
		if (r->nstarts == 1 && r->buf[r->starts[0]] == '\0')
			return failed(r, "an empty line; every row has %zu fields, as the header", r->want);
		return failed(r, "%zu fields where the header has %zu; every row has as many as "
			      "the header (quote a field that holds a comma)", r->nstarts, r->want);
	}
	/* the record ended on this line; when its last field ran over line
	 * ends (quoted), row_line is where it began */
	for (size_t i = 0; i < r->nstarts; i++) {
		r->vals[i] = r->buf + r->starts[i];
		size_t end = i + 1 < r->nstarts ? r->starts[i + 1] - 1 : r->len - 1;
		r->lens[i] = end - r->starts[i];
	}
	r->nfields = r->nstarts;
	r->row_line = r->rec_line;
	r->records++;
	r->fresh = true;
	return CSV_READ_ROW;
}

static void record_reset(struct csv_reader *r)
{
	r->len = 0;
	r->nstarts = 0;
	r->nfields = 0;
	r->fresh = false;
	r->started = false;
	r->rec_line = r->line;
	r->state = S_FIELD;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero when some byte of v equals c (exact). */
static inline uint64_t has_byte(uint64_t v, unsigned char c)
{
	uint64_t x = v ^ (ONES * c);
	return ~(((x & ~HIGHS) + ~HIGHS) | x | ~HIGHS);
}

/* The next byte of quoting interest in p[0..n): ',', '"', CR, LF; eight
 * bytes at a time. */
static size_t plain_run(const char *p, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		if (has_byte(v, ',') | has_byte(v, '"') | has_byte(v, '\r') | has_byte(v, '\n'))
			break;
	}
	for (; i < n; i++) {
		char c = p[i];
		if (c == ',' || c == '"' || c == '\r' || c == '\n')
			break;
	}
	return i;
}

enum csv_read_result csv_read_push(struct csv_reader *r, const char *buf, size_t len, size_t *used)
{
	size_t i = 0;
	*used = 0;
	if (r->state == S_FAILED)
		return CSV_READ_ERROR;
	if (r->fresh)
		record_reset(r);
	/* A UTF-8 BOM at the very start is skipped. */
	static const char bom[3] = { '\xEF', '\xBB', '\xBF' };
	while (r->bom >= 0 && i < len) {
		if (buf[i] == bom[r->bom]) {
			i++;
			if (++r->bom == 3)
				r->bom = -1;
			continue;
		}
		/* not a BOM: the bytes matched so far are data */
		int matched = r->bom;
		r->bom = -1;
		if (matched) {
			if (field_begin(r) < 0 || append(r, bom, (size_t)matched) < 0)
				return CSV_READ_ERROR;
			r->state = S_PLAIN;
		}
	}
	while (i < len) {
		char c = buf[i];
		switch (r->state) {
		case S_FIELD:
			if (field_begin(r) < 0)
				return CSV_READ_ERROR;
			if (c == '"') {
				r->state = S_QUOTED;
				i++;
			} else {
				r->state = S_PLAIN;
			}
			break;
		case S_PLAIN: {
			size_t k = plain_run(buf + i, len - i);
			if (k && append(r, buf + i, k) < 0)
				return CSV_READ_ERROR;
			i += k;
			if (i == len)
				break;
			c = buf[i++];
			if (c == '"')
				return failed(r, "a quote inside unquoted field %zu; quote the whole field "
					      "and double the quote: \"a \"\"b\"\"\"", r->nstarts);
			if (field_end(r) < 0)
				return CSV_READ_ERROR;
			if (c == ',') {
				r->state = S_FIELD;
			} else if (c == '\r') {
				r->state = S_CR;
			} else {   /* LF */
				*used = i;
				enum csv_read_result res = record_end(r);
				r->line++;
				return res;
			}
			break;
		}
		case S_QUOTED: {
			const char *q = memchr(buf + i, '"', len - i);
			size_t k = q ? (size_t)(q - (buf + i)) : len - i;
			for (const char *p = buf + i; (p = memchr(p, '\n', (size_t)(buf + i + k - p))); p++)
				r->line++;
			if (k && append(r, buf + i, k) < 0)
				return CSV_READ_ERROR;
			i += k;
			if (q) {
				r->state = S_QUOTE;
				i++;
			}
			break;
		}
		case S_QUOTE:
			if (c == '"') {
				if (append(r, "\"", 1) < 0)
					return CSV_READ_ERROR;
				r->state = S_QUOTED;
				i++;
				break;
			}
			if (c != ',' && c != '\r' && c != '\n')
				return failed(r, "text after the closing quote of field %zu; a quote inside "
					      "a quoted field is doubled: \"a \"\"b\"\"\"", r->nstarts);
			r->state = S_PLAIN;   /* the separator ends the field there */
			break;
		case S_CR: {
			if (c != '\n')
				return failed(r, "a CR not followed by LF; lines end in CRLF or LF");
			i++;
			*used = i;
			enum csv_read_result res = record_end(r);
			r->line++;
			return res;
		}
		}
	}
	*used = len;
	return CSV_READ_MORE;
}

enum csv_read_result csv_read_finish(struct csv_reader *r)
{
	if (r->state == S_FAILED)
		return CSV_READ_ERROR;
	if (r->fresh)
		record_reset(r);
	if (r->bom > 0) {   /* the input was part of a BOM only */
		static const char bom[3] = { '\xEF', '\xBB', '\xBF' };
		int matched = r->bom;
		r->bom = -1;
		if (field_begin(r) < 0 || append(r, bom, (size_t)matched) < 0)
			return CSV_READ_ERROR;
		r->state = S_PLAIN;
	}
	switch (r->state) {
	case S_QUOTED:
		return failed(r, "the output ends inside the quoted field %zu begun on line %llu",
			      r->nstarts, (unsigned long long)r->rec_line);
	case S_CR:
		return failed(r, "a CR not followed by LF; lines end in CRLF or LF");
	case S_FIELD:
		if (!r->started) {
			if (r->want == 0)
				return failed(r, "no header row: the output is empty; the first line "
					      "names the columns");
			return CSV_READ_DONE;
		}
		/* "a,b," then the end: the last field is empty */
		if (field_begin(r) < 0)
			return CSV_READ_ERROR;
		break;
	case S_PLAIN:
	case S_QUOTE:
		break;
	}
	if (field_end(r) < 0)
		return CSV_READ_ERROR;
	enum csv_read_result res = record_end(r);
	if (res == CSV_READ_ROW)
		r->state = S_FIELD;
	return res;
}
