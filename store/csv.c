/*
 * csv.c: the RFC 4180 writer and its sink (plain fd, or gzip once the CSV
 * passes a size).
 */
#include "common.h"
#include "store/csv.h"

#include <unistd.h>
#include <zlib.h>

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

/* write(2) all of p to fd, retrying on EINTR and short writes. */
static int csv_write_fd(struct csv_writer *w, int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
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
		w->out += (uint64_t)k;
	}
	return 0;
}

/* ---- the gzip sink ---- */

struct csv_gzip {
	z_stream z;
	char in[CSV_BUFSIZE];    /* the plain file read back at the switch */
	char zout[CSV_BUFSIZE];  /* compressed bytes waiting for write(2) */
};

static int csv_gzip_error(struct csv_writer *w, int zr)
{
	w->error = zr == Z_MEM_ERROR ? ENOMEM : EIO;
	return -1;
}

/* Deflate n bytes of p (flush: Z_NO_FLUSH or Z_FINISH) into gz_fd. */
static int csv_deflate(struct csv_writer *w, const char *p, size_t n, int flush)
{
	struct csv_gzip *gz = w->gz;
	gz->z.next_in = (Bytef *)(uintptr_t)p;
	for (;;) {
		/* avail_in is a uInt: hand a huge field over in slices */
		size_t slice = n > (1u << 30) ? (1u << 30) : n;
		gz->z.avail_in = (uInt)slice;
		n -= slice;
		bool last = n == 0;
		do {
			gz->z.next_out = (Bytef *)gz->zout;
			gz->z.avail_out = sizeof(gz->zout);
			int zr = deflate(&gz->z, last ? flush : Z_NO_FLUSH);
			if (zr == Z_STREAM_ERROR)
				return csv_gzip_error(w, zr);
			size_t have = sizeof(gz->zout) - gz->z.avail_out;
			if (have && csv_write_fd(w, w->gz_fd, gz->zout, have) < 0)
				return -1;
			if (zr == Z_STREAM_END)
				return 0;
		} while (gz->z.avail_out == 0 || gz->z.avail_in > 0 || (last && flush == Z_FINISH));
		if (last)
			return 0;
	}
}

/*
 * From plain to gzip: start the stream, compress the bytes fd holds (w->out
 * of them, read back from offset 0), then empty fd. Every later byte goes
 * into the stream, so the .gz holds the whole CSV in order.
 */
static int csv_switch(struct csv_writer *w)
{
	uint64_t plain = w->out;
	w->gz = xcalloc(1, sizeof(*w->gz));
	int zr = deflateInit2(&w->gz->z, CSV_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	if (zr != Z_OK) {
		free(w->gz);
		w->gz = NULL;
		return csv_gzip_error(w, zr);
	}
	w->compressed = true;
	w->out = 0;
	for (uint64_t off = 0; off < plain;) {
		size_t want = plain - off < sizeof(w->gz->in) ? (size_t)(plain - off) : sizeof(w->gz->in);
		ssize_t k = pread(w->fd, w->gz->in, want, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->error = k < 0 && errno ? errno : EIO;
			return -1;
		}
		if (csv_deflate(w, w->gz->in, (size_t)k, Z_NO_FLUSH) < 0)
			return -1;
		off += (uint64_t)k;
	}
	if (ftruncate(w->fd, 0) < 0) {
		w->error = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

/* The one way out of the writer: to the plain fd, or into the gzip stream
 * once more than gzip_over bytes came in (w->bytes counts p already). */
static int csv_emit(struct csv_writer *w, const char *p, size_t n)
{
	if (!w->gz && w->gz_fd >= 0 && !w->compressed && w->bytes > (uint64_t)w->gzip_over &&
	    csv_switch(w) < 0)
		return -1;
	if (w->gz)
		return csv_deflate(w, p, n, Z_NO_FLUSH);
	return csv_write_fd(w, w->fd, p, n);
}

static int csv_drain(struct csv_writer *w)
{
	if (w->error)
		return -1;
	size_t n = w->len;
	w->len = 0;
	return n ? csv_emit(w, w->buf, n) : 0;
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
		/* A huge field: skip the copy and hand it on as it is. */
		w->bytes += n;
		return csv_emit(w, p, n);
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
	w->gz_fd = -1;
	w->gzip_over = -1;
	w->error = 0;
	w->len = 0;
	w->bytes = 0;
	w->rows = 0;
	w->out = 0;
	w->gz = NULL;
	w->compressed = false;
}

void csv_init_gzip(struct csv_writer *w, int fd, int gz_fd, int64_t gzip_over)
{
	csv_init(w, fd);
	if (gz_fd < 0 || gzip_over < 0)
		return;
	w->gz_fd = gz_fd;
	w->gzip_over = gzip_over;
	if (gzip_over == 0)
		csv_switch(w);   /* always: a failure is sticky in w->error */
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

int csv_finish(struct csv_writer *w, char **cause)
{
	if (csv_flush(w, cause) < 0) {
		csv_release(w);
		return -1;
	}
	if (w->gz) {
		int r = csv_deflate(w, NULL, 0, Z_FINISH);
		deflateEnd(&w->gz->z);
		free(w->gz);
		w->gz = NULL;
		if (r < 0)
			return fail(cause, "writing the gzip output failed: %s", strerror(w->error));
	}
	return 0;
}

void csv_release(struct csv_writer *w)
{
	if (!w || !w->gz)
		return;
	deflateEnd(&w->gz->z);
	free(w->gz);
	w->gz = NULL;
}
