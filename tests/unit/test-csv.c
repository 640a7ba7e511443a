#include "common.h"
#include "store/csv.h"
#include "common/strbuf.h"

#include <setjmp.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

/* A writer over a temporary file, read back as one string. */
struct sink {
	FILE *f;
	struct csv_writer *w;
	char *out;
	size_t outlen;
};

static void sink_open(struct sink *s)
{
	s->f = tmpfile();
	assert_non_null(s->f);
	s->w = xmalloc(sizeof(*s->w));
	csv_init(s->w, fileno(s->f));
	s->out = NULL;
	s->outlen = 0;
}

/* Flush and read everything written so far into s->out. */
static const char *sink_read(struct sink *s)
{
	char *cause = NULL;
	assert_int_equal(csv_flush(s->w, &cause), 0);
	assert_null(cause);
	free(s->out);
	long end = lseek(fileno(s->f), 0, SEEK_END);
	assert_true(end >= 0);
	s->outlen = (size_t)end;
	s->out = xmalloc(s->outlen + 1);
	assert_int_equal(pread(fileno(s->f), s->out, s->outlen, 0), (ssize_t)s->outlen);
	s->out[s->outlen] = '\0';
	return s->out;
}

static void sink_close(struct sink *s)
{
	fclose(s->f);
	free(s->w);
	free(s->out);
}

/* One row of NUL-terminated fields through csv_write_row. */
static void row(struct sink *s, size_t n, const char *const *vals)
{
	size_t lens[16];
	assert_true(n <= ARRAY_SIZE(lens));
	for (size_t i = 0; i < n; i++)
		lens[i] = vals[i] ? strlen(vals[i]) : 0;
	assert_int_equal(csv_write_row(s->w, n, vals, lens), 0);
}

static void expect_row(size_t n, const char *const *vals, const char *want)
{
	struct sink s;
	sink_open(&s);
	row(&s, n, vals);
	assert_string_equal(sink_read(&s), want);
	sink_close(&s);
}

static void test_plain(void **state)
{
	(void)state;
	struct sink s;
	sink_open(&s);
	const char *names[] = { "day", "events" };
	assert_int_equal(csv_write_header(s.w, 2, names), 0);
	const char *r1[] = { "2024-11-01", "42" };
	const char *r2[] = { "2024-11-02", "7" };
	row(&s, 2, r1);
	row(&s, 2, r2);
	assert_string_equal(sink_read(&s), "day,events\r\n2024-11-01,42\r\n2024-11-02,7\r\n");
	assert_int_equal(s.w->rows, 2);
	assert_int_equal(s.w->bytes, strlen(s.out));
	sink_close(&s);
}

static void test_quoting_rules(void **state)
{
	(void)state;
	const char *comma[] = { "a,b", "c" };
	expect_row(2, comma, "\"a,b\",c\r\n");
	const char *quote[] = { "say \"hi\"", "\"" };
	expect_row(2, quote, "\"say \"\"hi\"\"\",\"\"\"\"\r\n");
	const char *lf[] = { "line1\nline2" };
	expect_row(1, lf, "\"line1\nline2\"\r\n");
	const char *cr[] = { "a\rb" };
	expect_row(1, cr, "\"a\rb\"\r\n");
	const char *crlf[] = { "x\r\ny", "z" };
	expect_row(2, crlf, "\"x\r\ny\",z\r\n");
	/* Spaces, tabs, semicolons and single quotes need no quotes. */
	const char *plain[] = { " padded ", "tab\there", "a;b", "it's" };
	expect_row(4, plain, " padded ,tab\there,a;b,it's\r\n");
	/* Specials at every offset of a long field (the 8-byte scan). */
	for (size_t pos = 0; pos < 20; pos++) {
		char f[21];
		memset(f, 'x', 20);
		f[20] = '\0';
		f[pos] = ',';
		const char *v[] = { f };
		char want[32];
		snprintf(want, sizeof(want), "\"%s\"\r\n", f);
		expect_row(1, v, want);
	}
}

static void test_null_and_empty(void **state)
{
	(void)state;
	const char *vals[] = { NULL, "", "x", NULL };
	expect_row(4, vals, ",,x,\r\n");
	const char *one_null[] = { NULL };
	expect_row(1, one_null, "\r\n");

	/* Lengths rule, not NUL: a value with a shorter length is cut. */
	struct sink s;
	sink_open(&s);
	const char *v[] = { "abcdef", NULL };
	size_t lens[] = { 3, 99 };
	assert_int_equal(csv_write_row(s.w, 2, v, lens), 0);
	assert_string_equal(sink_read(&s), "abc,\r\n");
	sink_close(&s);
}

static void test_lens_null(void **state)
{
	(void)state;
	struct sink s;
	sink_open(&s);
	const char *v[] = { "a", NULL, "b,c" };
	assert_int_equal(csv_write_row(s.w, 3, v, NULL), 0);
	assert_string_equal(sink_read(&s), "a,,\"b,c\"\r\n");
	sink_close(&s);
}

static void test_bom(void **state)
{
	(void)state;
	struct sink s;
	sink_open(&s);
	assert_int_equal(csv_write_bom(s.w), 0);
	const char *names[] = { "名前" };
	assert_int_equal(csv_write_header(s.w, 1, names), 0);
	assert_string_equal(sink_read(&s), "\xEF\xBB\xBF名前\r\n");
	assert_int_equal(s.w->bytes, 3 + strlen("名前") + 2);
	assert_int_equal(s.w->rows, 0);
	sink_close(&s);
}

static void test_header_quoting(void **state)
{
	(void)state;
	struct sink s;
	sink_open(&s);
	const char *names[] = { "count(*)", "a,b", NULL, "\"q\"" };
	assert_int_equal(csv_write_header(s.w, 4, names), 0);
	assert_string_equal(sink_read(&s), "count(*),\"a,b\",,\"\"\"q\"\"\"\r\n");
	sink_close(&s);
}

static void test_utf8_untouched(void **state)
{
	(void)state;
	const char *vals[] = { "日本語のテキスト", "🎉🍣", "naïve café", "東京,大阪" };
	expect_row(4, vals, "日本語のテキスト,🎉🍣,naïve café,\"東京,大阪\"\r\n");
}

static void test_row_larger_than_buffer(void **state)
{
	(void)state;
	size_t big = 3 * CSV_BUFSIZE + 123;
	char *plain = xmalloc(big + 1);
	memset(plain, 'p', big);
	plain[big] = '\0';
	char *quoted = xmalloc(big + 1);
	for (size_t i = 0; i < big; i++)
		quoted[i] = i % 1000 == 999 ? '"' : 'q';
	quoted[big] = '\0';

	struct sink s;
	sink_open(&s);
	const char *small[] = { "start" };
	row(&s, 1, small);            /* something pending before the big row */
	const char *vals[] = { plain, quoted, "end" };
	row(&s, 3, vals);
	sink_read(&s);

	struct strbuf want;
	strbuf_init(&want);
	strbuf_adds(&want, "start\r\n");
	strbuf_adds(&want, plain);
	strbuf_adds(&want, ",\"");
	for (size_t i = 0; i < big; i++) {
		strbuf_addc(&want, quoted[i]);
		if (quoted[i] == '"')
			strbuf_addc(&want, '"');
	}
	strbuf_adds(&want, "\",end\r\n");
	assert_int_equal(s.outlen, want.len);
	assert_memory_equal(s.out, want.buf, want.len);
	assert_int_equal(s.w->bytes, want.len);
	assert_int_equal(s.w->rows, 2);
	strbuf_release(&want);
	sink_close(&s);
	free(plain);
	free(quoted);
}

/* The obvious implementation, to compare the fast one against. */
static void reference_field(struct strbuf *sb, const char *s, size_t n)
{
	bool q = false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			q = true;
	if (q)
		strbuf_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		strbuf_addc(sb, s[i]);
		if (s[i] == '"')
			strbuf_addc(sb, '"');
	}
	if (q)
		strbuf_addc(sb, '"');
}

static void test_matches_reference(void **state)
{
	(void)state;
	static const char alphabet[] = "ab,\"\r\n \x80\xff\x7f" "0";
	unsigned seed = 12345;
	struct sink s;
	sink_open(&s);
	struct strbuf want;
	strbuf_init(&want);
	char fields[4][64];
	size_t lens[4];
	for (int r = 0; r < 5000; r++) {
		const char *vals[4];
		for (int c = 0; c < 4; c++) {
			seed = seed * 1103515245 + 12345;
			lens[c] = (seed >> 16) % 40;
			for (size_t i = 0; i < lens[c]; i++) {
				seed = seed * 1103515245 + 12345;
				/* Mostly letters, sometimes a special byte. */
				unsigned k = (seed >> 16) % 64;
				fields[c][i] = k < sizeof(alphabet) - 1 ? alphabet[k] : 'x';
			}
			vals[c] = (seed >> 8) % 17 == 0 ? NULL : fields[c];
			if (c)
				strbuf_addc(&want, ',');
			if (vals[c])
				reference_field(&want, vals[c], lens[c]);
		}
		strbuf_adds(&want, "\r\n");
		assert_int_equal(csv_write_row(s.w, 4, vals, lens), 0);
	}
	sink_read(&s);
	assert_int_equal(s.outlen, want.len);
	assert_memory_equal(s.out, want.buf, want.len);
	assert_int_equal(s.w->rows, 5000);
	assert_int_equal(s.w->bytes, want.len);
	strbuf_release(&want);
	sink_close(&s);
}

static void test_counters_across_flushes(void **state)
{
	(void)state;
	struct sink s;
	sink_open(&s);
	const char *v[] = { "0123456789", "abcdefghij" };
	for (int i = 0; i < 10000; i++)
		row(&s, 2, v);
	/* 23 bytes a row, so several buffers went out already. */
	assert_int_equal(s.w->bytes, 230000);
	assert_true(s.w->len < CSV_BUFSIZE);
	sink_read(&s);
	assert_int_equal(s.outlen, 230000);
	assert_int_equal(s.w->rows, 10000);
	assert_int_equal(s.w->len, 0);
	sink_close(&s);
}

static void test_closed_pipe(void **state)
{
	(void)state;
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	struct csv_writer *w = xmalloc(sizeof(*w));
	csv_init(w, p[1]);
	const char *v[] = { "x" };
	/* Small rows are buffered, so the failure shows at the flush. */
	assert_int_equal(csv_write_row(w, 1, v, NULL), 0);
	char *cause = NULL;
	assert_int_equal(csv_flush(w, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, strerror(EPIPE)));
	assert_int_equal(w->error, EPIPE);
	free(cause);
	/* Sticky: later writes fail at once, the flush reports again. */
	assert_int_equal(csv_write_row(w, 1, v, NULL), -1);
	assert_int_equal(csv_write_header(w, 1, v), -1);
	assert_int_equal(csv_write_bom(w), -1);
	assert_int_equal(csv_flush(w, NULL), -1);

	/* A big row fails inside csv_write_row itself. */
	csv_init(w, p[1]);
	size_t big = 2 * CSV_BUFSIZE;
	char *f = xmalloc(big + 1);
	memset(f, 'z', big);
	f[big] = '\0';
	const char *bv[] = { f };
	assert_int_equal(csv_write_row(w, 1, bv, NULL), -1);
	assert_int_equal(w->error, EPIPE);
	free(f);
	free(w);
	close(p[1]);
	signal(SIGPIPE, old);
}

static void test_bad_fd(void **state)
{
	(void)state;
	struct csv_writer *w = xmalloc(sizeof(*w));
	csv_init(w, -1);
	const char *v[] = { "x" };
	assert_int_equal(csv_write_row(w, 1, v, NULL), 0);
	char *cause = NULL;
	assert_int_equal(csv_flush(w, &cause), -1);
	assert_non_null(strstr(cause, strerror(EBADF)));
	free(cause);
	free(w);
}

/* ---- the gzip sink ---- */

/* All of fd, from offset 0. */
static struct strbuf read_all(int fd)
{
	struct strbuf sb;
	char chunk[65536];
	ssize_t k;
	off_t off = 0;
	strbuf_init(&sb);
	while ((k = pread(fd, chunk, sizeof(chunk), off)) > 0) {
		strbuf_add(&sb, chunk, (size_t)k);
		off += k;
	}
	assert_true(k == 0);
	return sb;
}

/* gunzip with zlib's inflate: the whole of gz must be one gzip stream. */
static struct strbuf gunzip(const struct strbuf *gz)
{
	struct strbuf sb;
	z_stream z;
	char chunk[65536];
	strbuf_init(&sb);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)gz->buf;
	z.avail_in = (uInt)gz->len;
	int zr;
	do {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof(chunk);
		zr = inflate(&z, Z_NO_FLUSH);
		assert_true(zr == Z_OK || zr == Z_STREAM_END);
		strbuf_add(&sb, chunk, sizeof(chunk) - z.avail_out);
	} while (zr != Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);   /* nothing after the stream */
	inflateEnd(&z);
	return sb;
}

/* The rows the gzip tests write: row i has a number, a quoted label and,
 * when big > 0, one field of big bytes (past the buffer: the direct path). */
static int write_rows(struct csv_writer *w, int nrows, size_t big)
{
	const char *names[] = { "i", "label", "blob" };
	char num[32], label[64];
	char *blob = xmalloc(big + 1);
	memset(blob, 'x', big);
	blob[big] = '\0';
	int r = csv_write_header(w, 3, names);
	for (int i = 0; i < nrows && r == 0; i++) {
		snprintf(num, sizeof(num), "%d", i);
		snprintf(label, sizeof(label), "row %d, \"q\"", i * 7919 % 1000);
		const char *vals[] = { num, label, big && i % 50 == 7 ? blob : NULL };
		r = csv_write_row(w, 3, vals, NULL);
	}
	free(blob);
	return r;
}

/* What a plain writer makes of write_rows. */
static struct strbuf plain_rows(int nrows, size_t big)
{
	FILE *f = tmpfile();
	struct csv_writer *w = xmalloc(sizeof(*w));
	assert_non_null(f);
	csv_init(w, fileno(f));
	assert_int_equal(write_rows(w, nrows, big), 0);
	assert_int_equal(csv_finish(w, NULL), 0);
	assert_false(w->compressed);
	struct strbuf sb = read_all(fileno(f));
	assert_int_equal(w->out, sb.len);
	free(w);
	fclose(f);
	return sb;
}

/* Write the rows through csv_init_gzip(gzip_over); check the file that holds
 * the result equals the plain CSV (gunzipped when compressed) and the other
 * is empty. Returns whether it compressed. */
static bool gzip_rows(int nrows, size_t big, int64_t gzip_over, const struct strbuf *want)
{
	FILE *plain = tmpfile(), *gzf = tmpfile();
	struct csv_writer *w = xmalloc(sizeof(*w));
	char *cause = NULL;
	assert_non_null(plain);
	assert_non_null(gzf);
	csv_init_gzip(w, fileno(plain), fileno(gzf), gzip_over);
	assert_int_equal(write_rows(w, nrows, big), 0);
	assert_int_equal(csv_finish(w, &cause), 0);
	assert_null(cause);
	assert_null(w->gz);
	assert_int_equal(w->bytes, want->len);
	struct strbuf a = read_all(fileno(plain)), b = read_all(fileno(gzf));
	bool compressed = w->compressed;
	if (compressed) {
		assert_int_equal(a.len, 0);
		assert_int_equal(w->out, b.len);
		struct strbuf got = gunzip(&b);
		assert_int_equal(got.len, want->len);
		assert_memory_equal(got.buf, want->buf, want->len);
		strbuf_release(&got);
	} else {
		assert_int_equal(b.len, 0);
		assert_int_equal(w->out, a.len);
		assert_int_equal(a.len, want->len);
		assert_memory_equal(a.buf, want->buf, want->len);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	free(w);
	fclose(plain);
	fclose(gzf);
	return compressed;
}

/* A result over the threshold: one gzip stream that inflates to the exact
 * CSV; the plain file is emptied; counters are the CSV's. */
static void test_gzip_round_trip(void **state)
{
	(void)state;
	struct strbuf want = plain_rows(200000, 0);
	assert_true(want.len > 4 * CSV_BUFSIZE);
	assert_true(gzip_rows(200000, 0, 100000, &want));
	strbuf_release(&want);
}

/* Plain exactly when the CSV is at most gzip_over bytes, wherever the
 * threshold falls: in the first buffer, at a buffer's edge, at the end. */
static void test_gzip_threshold_exact(void **state)
{
	(void)state;
	struct strbuf want = plain_rows(30000, 0);
	int64_t n = (int64_t)want.len;
	const int64_t over[] = { 1, 100, CSV_BUFSIZE - 1, CSV_BUFSIZE, CSV_BUFSIZE + 1,
				 n / 2, n - 2, n - 1 };
	for (size_t i = 0; i < ARRAY_SIZE(over); i++)
		assert_true(gzip_rows(30000, 0, over[i], &want));
	assert_false(gzip_rows(30000, 0, n, &want));
	assert_false(gzip_rows(30000, 0, n + 1, &want));
	assert_false(gzip_rows(30000, 0, INT64_MAX, &want));
	strbuf_release(&want);
}

/* 0 compresses from the first byte (a header-only result too); a negative
 * gzip_over or no gz_fd never compresses. */
static void test_gzip_always_and_never(void **state)
{
	(void)state;
	struct strbuf head = plain_rows(0, 0);
	assert_true(gzip_rows(0, 0, 0, &head));
	struct strbuf want = plain_rows(20000, 0);
	assert_true(gzip_rows(20000, 0, 0, &want));
	assert_false(gzip_rows(20000, 0, -1, &want));

	FILE *f = tmpfile();
	struct csv_writer *w = xmalloc(sizeof(*w));
	csv_init_gzip(w, fileno(f), -1, 0);
	assert_int_equal(write_rows(w, 100, 0), 0);
	assert_int_equal(csv_finish(w, NULL), 0);
	assert_false(w->compressed);
	free(w);
	fclose(f);
	strbuf_release(&head);
	strbuf_release(&want);
}

/* Fields larger than the buffer go past it; crossing the threshold there
 * still keeps every byte, in order. */
static void test_gzip_huge_fields(void **state)
{
	(void)state;
	struct strbuf want = plain_rows(400, 3 * CSV_BUFSIZE + 17);
	assert_true(gzip_rows(400, 3 * CSV_BUFSIZE + 17, CSV_BUFSIZE + 5, &want));
	assert_true(gzip_rows(400, 3 * CSV_BUFSIZE + 17, (int64_t)want.len - 1, &want));
	assert_false(gzip_rows(400, 3 * CSV_BUFSIZE + 17, (int64_t)want.len, &want));
	strbuf_release(&want);
}

/* A gzip stream that cannot be written fails with the reason, and
 * csv_finish frees the deflate state anyway. */
static void test_gzip_write_error(void **state)
{
	(void)state;
	FILE *plain = tmpfile();
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct csv_writer *w = xmalloc(sizeof(*w));
	char *cause = NULL;
	csv_init_gzip(w, fileno(plain), p[1], 10);
	int r = write_rows(w, 50000, 0);
	if (r == 0)
		r = csv_finish(w, &cause);
	else
		assert_int_equal(csv_finish(w, &cause), -1);
	assert_int_equal(r, -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "Broken pipe"));
	assert_null(w->gz);
	signal(SIGPIPE, old);
	free(cause);
	free(w);
	close(p[1]);
	fclose(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoting_rules),
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_lens_null),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_header_quoting),
		cmocka_unit_test(test_utf8_untouched),
		cmocka_unit_test(test_row_larger_than_buffer),
		cmocka_unit_test(test_matches_reference),
		cmocka_unit_test(test_counters_across_flushes),
		cmocka_unit_test(test_closed_pipe),
		cmocka_unit_test(test_bad_fd),
		cmocka_unit_test(test_gzip_round_trip),
		cmocka_unit_test(test_gzip_threshold_exact),
		cmocka_unit_test(test_gzip_always_and_never),
		cmocka_unit_test(test_gzip_huge_fields),
		cmocka_unit_test(test_gzip_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
