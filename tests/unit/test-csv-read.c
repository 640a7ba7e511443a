/* test-csv-read: the streaming RFC 4180 reader of a script's stdout
 * (store/csv-read.h), one test per rule, each fed whole and a byte at a
 * time. */
#include "common.h"
#include "store/csv-read.h"
#include "common/strbuf.h"

#include <setjmp.h>
#include <cmocka.h>

/* Read in[0..len) in chunks of `chunk` bytes; rows rendered "f1|f2\n"
 * (fields in [] when they hold '|'); returns 0, or -1 with *err set. */
static int read_all(const char *in, size_t len, size_t chunk, struct strbuf *out, char **err)
{
	struct csv_reader r;
	csv_reader_init(&r);
	strbuf_reset(out);
	int rc = 0;
	size_t i = 0;
	for (;;) {
		enum csv_read_result res;
		size_t used = 0;
		if (i < len) {
			size_t n = len - i < chunk ? len - i : chunk;
			res = csv_read_push(&r, in + i, n, &used);
			i += used;
		} else {
			res = csv_read_finish(&r);
		}
		if (res == CSV_READ_ERROR) {
			*err = xstrdup(r.error);
			rc = -1;
			break;
		}
		if (res == CSV_READ_DONE)
			break;
		if (res == CSV_READ_ROW) {
			for (size_t f = 0; f < r.nfields; f++) {
				assert_int_equal(strlen(r.vals[f]), r.lens[f]);
				strbuf_addf(out, "%s%s", f ? "|" : "", r.vals[f]);
			}
			strbuf_addc(out, '\n');
		}
	}
	csv_reader_release(&r);
	return rc;
}

/* Both ways (whole, then a byte at a time) give rows == want. */
static void expect_rows(const char *in, size_t len, const char *want)
{
	struct strbuf out;
	strbuf_init(&out);
	size_t chunks[] = { len ? len : 1, 1, 3 };
	for (size_t k = 0; k < ARRAY_SIZE(chunks); k++) {
		char *err = NULL;
		int rc = read_all(in, len, chunks[k], &out, &err);
		if (rc != 0)
			fail_msg("chunk %zu: unexpected error: %s", chunks[k], err);
		assert_string_equal(out.buf, want);
	}
	strbuf_release(&out);
}

/* Both ways fail with an error containing want. */
static void expect_error(const char *in, size_t len, const char *want)
{
	struct strbuf out;
	strbuf_init(&out);
	size_t chunks[] = { len ? len : 1, 1 };
	for (size_t k = 0; k < ARRAY_SIZE(chunks); k++) {
		char *err = NULL;
		assert_int_equal(read_all(in, len, chunks[k], &out, &err), -1);
		if (!strstr(err, want))
			fail_msg("chunk %zu: error '%s' lacks '%s'", chunks[k], err, want);
		free(err);
	}
	strbuf_release(&out);
}

#define ROWS(lit, want) expect_rows(lit, sizeof(lit) - 1, want)
#define ERR(lit, want) expect_error(lit, sizeof(lit) - 1, want)

static void test_lf_and_crlf(void **state)
{
	(void)state;
	ROWS("a,b\n1,2\n", "a|b\n1|2\n");
	ROWS("a,b\r\n1,2\r\n", "a|b\n1|2\n");
	ROWS("a,b\r\n1,2\n3,4\r\n", "a|b\n1|2\n3|4\n");
}

static void test_no_final_line_end(void **state)
{
	(void)state;
	ROWS("a,b\n1,2", "a|b\n1|2\n");
	ROWS("a", "a\n");
	ROWS("a,b\n1,", "a|b\n1|\n");
}

static void test_quoted_fields(void **state)
{
	(void)state;
	ROWS("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n", "a|b\nx,y|say \"hi\"\n");
	ROWS("a,b\n\"line1\nline2\",\"cr\r\nlf\"\n", "a|b\nline1\nline2|cr\r\nlf\n");
	ROWS("a,b\n\"\",\"\"\n", "a|b\n|\n");
	ROWS("a,b\n\"\",\"\"", "a|b\n|\n");
	ROWS("\"h,1\",h2\n1,2\n", "h,1|h2\n1|2\n");
}

static void test_empty_fields(void **state)
{
	(void)state;
	ROWS("a,b,c\n,,\n", "a|b|c\n||\n");
	ROWS("a\n\n", "a\n\n");   /* one column: an empty line is an empty value */
}

static void test_quote_inside_unquoted(void **state)
{
	(void)state;
	ERR("a,b\n1,x\"y\n", "line 2: a quote inside unquoted field 2");
}

static void test_text_after_closing_quote(void **state)
{
	(void)state;
	ERR("a,b\n1,2\n3,\"x\"y\n", "line 3: text after the closing quote of field 2");
}

static void test_bare_cr(void **state)
{
	(void)state;
	ERR("a,b\r1,2\n", "line 1: a CR not followed by LF");
	ERR("a,b\n1,2\r", "line 2: a CR not followed by LF");
}

static void test_field_count(void **state)
{
	(void)state;
	ERR("a,b\n1,2\n1,2,3\n", "line 3: 3 fields where the header has 2");
	ERR("a,b\n1\n", "line 2: 1 fields where the header has 2");
	ERR("a,b\n1,2\n\n3,4\n", "line 3: an empty line");
	/* a quoted field over two lines: the fault is on the line it ends */
	ERR("a,b\n\"x\ny\"\n", "line 3: 1 fields where the header has 2");
}

static void test_utf8(void **state)
{
	(void)state;
	ROWS("名前,値\né,😀\n", "名前|値\né|😀\n");
	ERR("a,b\n1,\xff\n", "line 2: field 2 is not valid UTF-8 (byte 0xff at byte 1");
	ERR("a,b\n1,x\xc0\xaf\n", "field 2 is not valid UTF-8");        /* overlong */
	ERR("a,b\n1,\xed\xa0\x80\n", "field 2 is not valid UTF-8");      /* surrogate */
	ERR("a,b\n1,\xf4\x90\x80\x80\n", "field 2 is not valid UTF-8");  /* > U+10FFFF */
	ERR("a,b\n1,\xc3\n", "field 2 is not valid UTF-8");              /* cut short */
	/* a character split by a comma is two bad fields, not one good one */
	ERR("a,b\n\xc3,\xa9\n", "field 1 is not valid UTF-8");
	ERR("a,b\n1,x\0y\n", "line 2: field 2 holds a NUL byte");
}

static void test_bom(void **state)
{
	(void)state;
	ROWS("\xEF\xBB\xBF" "a,b\n1,2\n", "a|b\n1|2\n");
	ROWS("\xEF\xBB\xBF" "a", "a\n");
	/* a BOM later is data (and valid UTF-8) */
	ROWS("a\n\xEF\xBB\xBFx\n", "a\n\xEF\xBB\xBFx\n");
	ERR("\xEF\xBB", "line 1: field 1 is not valid UTF-8");
}

static void test_empty_input_and_header(void **state)
{
	(void)state;
	ERR("", "line 1: no header row");
	ERR("\xEF\xBB\xBF", "no header row");
	ERR("\n1\n", "line 1: the header row is empty");
}

static void test_eof_inside_quotes(void **state)
{
	(void)state;
	ERR("a,b\n1,\"open\nmore", "the output ends inside the quoted field 2 begun on line 2");
}

static void test_line_numbers_count_quoted_newlines(void **state)
{
	(void)state;
	ERR("a,b\n\"1\n2\n3\",x\n1,\"q\"z\n", "line 5: text after the closing quote");
}

static void test_limits(void **state)
{
	(void)state;
	struct strbuf in;
	strbuf_init(&in);
	strbuf_adds(&in, "a\n");
	for (size_t i = 0; i < (size_t)CSV_READ_RECORD_MAX / 4096 + 1; i++) {
		char block[4096];
		memset(block, 'x', sizeof(block));
		strbuf_add(&in, block, sizeof(block));
	}
	strbuf_adds(&in, "\n");
	struct strbuf out;
	strbuf_init(&out);
	char *err = NULL;
	assert_int_equal(read_all(in.buf, in.len, 65536, &out, &err), -1);
	assert_non_null(strstr(err, "line 2: a row longer than 16 MiB"));
	free(err);
	err = NULL;
	strbuf_reset(&in);
	for (size_t i = 0; i <= CSV_READ_FIELDS_MAX; i++)
		strbuf_adds(&in, i ? ",c" : "c");
	assert_int_equal(read_all(in.buf, in.len, 65536, &out, &err), -1);
	assert_non_null(strstr(err, "more than 10000 fields"));
	free(err);
	strbuf_release(&in);
	strbuf_release(&out);
}

/* A fault is sticky: pushing more gives the error again, never a row. */
static void test_error_is_sticky(void **state)
{
	(void)state;
	struct csv_reader r;
	csv_reader_init(&r);
	size_t used;
	const char *in = "a\n\"x\"y\n";
	enum csv_read_result res;
	size_t i = 0;
	while ((res = csv_read_push(&r, in + i, strlen(in) - i, &used)) == CSV_READ_ROW)
		i += used;
	assert_int_equal(res, CSV_READ_ERROR);
	assert_int_equal(csv_read_push(&r, "b\n", 2, &used), CSV_READ_ERROR);
	assert_int_equal(csv_read_finish(&r), CSV_READ_ERROR);
	csv_reader_release(&r);
}

/* row_line is where the record began; records counts the header too. */
static void test_row_line(void **state)
{
	(void)state;
	struct csv_reader r;
	csv_reader_init(&r);
	const char *in = "a\n\"1\n2\"\n3\n";
	size_t i = 0, used;
	uint64_t lines[3];
	size_t n = 0;
	while (i < strlen(in)) {
		enum csv_read_result res = csv_read_push(&r, in + i, strlen(in) - i, &used);
		i += used;
		if (res == CSV_READ_ROW)
			lines[n++] = r.row_line;
	}
	assert_int_equal(csv_read_finish(&r), CSV_READ_DONE);
	assert_int_equal(n, 3);
	assert_int_equal(lines[0], 1);
	assert_int_equal(lines[1], 2);
	assert_int_equal(lines[2], 4);
	assert_int_equal(r.records, 3);
	csv_reader_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf_and_crlf),
		cmocka_unit_test(test_no_final_line_end),
		cmocka_unit_test(test_quoted_fields),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_quote_inside_unquoted),
		cmocka_unit_test(test_text_after_closing_quote),
		cmocka_unit_test(test_bare_cr),
		cmocka_unit_test(test_field_count),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_empty_input_and_header),
		cmocka_unit_test(test_eof_inside_quotes),
		cmocka_unit_test(test_line_numbers_count_quoted_newlines),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_error_is_sticky),
		cmocka_unit_test(test_row_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
