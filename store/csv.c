#include "common.h"
#include "store/csv.h"

#include <unistd.h>

/*
 * The writer is on the hot path of every report: a million-row export passes
 * each byte through here once. Fields are scanned eight bytes at a time for
 * the four bytes that force quoting, copied with memcpy, and the buffer goes
 * to the fd with write(2) only when full. Nothing is allocated.
 */

#define CSV_ONES  UINT64_C(0x0101010101010101)
#define CSV_HIGHS UINT64_C(0x8080808080808080)

/* Nonzero when some byte of v is zero (exact: no false positives). */
static inline uint64_t csv_zero_byte(uint64_t v)
{
	return ~(((v & ~CSV_HIGHS) + ~CSV_HIGHS) | v | ~CSV_HIGHS);
}

static inline uint64_t csv_byte_is(uint64_t v, unsigned char c)
{
	return csv_zero_byte(v ^ (CSV_ONES * c));
}

static inline bool csv_special(unsigned char c)
{
	return c == ',' || c == '"' || c == '\r' || c == '\n';
}

/* Does the field hold a comma, quote, CR or LF? */
static bool csv_needs_quotes(const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		if (csv_byte_is(v, ',') | csv_byte_is(v, '"') |
		    csv_byte_is(v, '\r') | csv_byte_is(v, '\n'))
			return true;
	}
	for (; i < n; i++)
		if (csv_special((unsigned char)s[i]))
			return true;
	return false;
}

/* write(2) all of p, retrying on EINTR and short writes. */
static int csv_write_all(struct csv_writer *w, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->error = errno ? errno : EIO;
			return -1;
		}
		if (k == 0) {
			w->error = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int csv_drain(struct csv_writer *w)
{
	if (w->error)
		return -1;
	size_t n = w->len;
	w->len = 0;
	return csv_write_all(w, w->buf, n);
}

static int csv_put_slow(struct csv_writer *w, const char *p, size_t n)
{
	size_t room = CSV_BUFSIZE - w->len;
	memcpy(w->buf + w->len, p, room);
	w->len += room;
	w->bytes += room;
	p += room;
	n -= room;
	if (csv_drain(w) < 0)
		return -1;
	if (n >= CSV_BUFSIZE) {
		/* A huge field: skip the copy and hand it to the kernel. */
		w->bytes += n;
		return csv_write_all(w, p, n);
	}
	memcpy(w->buf, p, n);
	w->len = n;
	w->bytes += n;
	return 0;
}

static inline int csv_put(struct csv_writer *w, const char *p, size_t n)
{
	if (n <= CSV_BUFSIZE - w->len) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		w->bytes += n;
		return 0;
	}
	return csv_put_slow(w, p, n);
}

static inline int csv_putc(struct csv_writer *w, char c)
{
	if (w->len == CSV_BUFSIZE && csv_drain(w) < 0)
		return -1;
	w->buf[w->len++] = c;
	w->bytes++;
	return 0;
}

/* A quoted field: each '"' inside is written twice. */
static int csv_put_quoted(struct csv_writer *w, const char *s, size_t n)
{
	if (csv_putc(w, '"') < 0)
		return -1;
	const char *end = s + n;
	while (s < end) {
		const char *q = memchr(s, '"', (size_t)(end - s));
		if (!q)
			break;
		/* Up to and including the quote, then the quote again. */
		if (csv_put(w, s, (size_t)(q - s) + 1) < 0 || csv_putc(w, '"') < 0)
			return -1;
		s = q + 1;
	}
	if (s < end && csv_put(w, s, (size_t)(end - s)) < 0)
		return -1;
	return csv_putc(w, '"');
}

static inline int csv_put_field(struct csv_writer *w, const char *s, size_t n)
{
	if (!s || n == 0)
		return 0;
	if (csv_needs_quotes(s, n))
		return csv_put_quoted(w, s, n);
	return csv_put(w, s, n);
}

void csv_init(struct csv_writer *w, int fd)
{
	w->fd = fd;
	w->error = 0;
	w->len = 0;
	w->bytes = 0;
	w->rows = 0;
}

int csv_write_bom(struct csv_writer *w)
{
	if (w->error)
		return -1;
	return csv_put(w, "\xEF\xBB\xBF", 3);
}

int csv_write_header(struct csv_writer *w, size_t n, const char *const *names)
{
	if (w->error)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && csv_putc(w, ',') < 0)
			return -1;
		const char *s = names[i];
		if (csv_put_field(w, s, s ? strlen(s) : 0) < 0)
			return -1;
	}
	return csv_put(w, "\r\n", 2);
}

int csv_write_row(struct csv_writer *w, size_t n, const char *const *vals, const size_t *lens)
{
	if (w->error)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && csv_putc(w, ',') < 0)
			return -1;
		const char *s = vals[i];
		size_t len = !s ? 0 : lens ? lens[i] : strlen(s);
		if (csv_put_field(w, s, len) < 0)
			return -1;
	}
	if (csv_put(w, "\r\n", 2) < 0)
		return -1;
	w->rows++;
	return 0;
}

int csv_flush(struct csv_writer *w, char **cause)
{
	if (csv_drain(w) < 0)
		return fail(cause, "writing the csv output failed: %s", strerror(w->error));
	return 0;
}
