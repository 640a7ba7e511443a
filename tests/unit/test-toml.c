/*
 * test-toml: the TOML 1.0 parser, rule by rule: a valid example and
 * invalid ones for each, checking values and that errors carry
 * NAME:LINE:COLUMN. Ends with whole documents through toml_to_json.
 */
#include "common.h"

#include <math.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/toml.h"
#include "common/strbuf.h"

/* ---- helpers ---- */

static struct toml_value *parse_ok(const char *text)
{
	char *cause = NULL;
	struct toml_value *root = toml_parse(text, strlen(text), "t.toml", &cause);
	if (!root)
		fail_msg("unexpected error for <<%s>>: %s", text, cause);
	assert_int_equal(root->type, TOML_TABLE);
	return root;
}

/* Parse must fail with "t.toml:POS: ..." containing WHAT. */
static void parse_bad_n(const char *text, size_t len, const char *pos, const char *what)
{
	char *cause = NULL;
	struct toml_value *root = toml_parse(text, len, "t.toml", &cause);
	if (root) {
		toml_free(root);
		fail_msg("accepted invalid <<%s>>", text);
	}
	assert_non_null(cause);
	char *prefix = xasprintf("t.toml:%s: ", pos);
	if (strncmp(cause, prefix, strlen(prefix)) != 0)
		fail_msg("<<%s>>: error '%s' does not start with '%s'", text, cause, prefix);
	if (what && !strstr(cause, what))
		fail_msg("<<%s>>: error '%s' does not mention '%s'", text, cause, what);
	free(prefix);
	free(cause);
}

static void parse_bad(const char *text, const char *pos, const char *what)
{
	parse_bad_n(text, strlen(text), pos, what);
}

/* Look up a dotted path of bare keys: "a.b.c". */
static const struct toml_value *get(const struct toml_value *t, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	const struct toml_value *v = t;
	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = toml_table_get(v, k);
	free(copy);
	if (!v)
		fail_msg("no value at %s", path);
	return v;
}

static void want_str(const struct toml_value *root, const char *path, const char *want)
{
	const struct toml_value *v = get(root, path);
	assert_int_equal(v->type, TOML_STRING);
	assert_int_equal(v->u.string.len, strlen(want));
	assert_string_equal(v->u.string.ptr, want);
}

static void want_int(const struct toml_value *root, const char *path, int64_t want)
{
	const struct toml_value *v = get(root, path);
	assert_int_equal(v->type, TOML_INTEGER);
	assert_true(v->u.integer == want);
}

static void want_float(const struct toml_value *root, const char *path, double want)
{
	const struct toml_value *v = get(root, path);
	assert_int_equal(v->type, TOML_FLOAT);
	assert_true(v->u.fp == want);
}

static void want_dt(const struct toml_value *root, const char *path,
			    enum toml_type type, const char *want)
{
	char buf[64];
	const struct toml_value *v = get(root, path);
	assert_int_equal(v->type, type);
	toml_format_datetime(v, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static char *to_json(const char *text)
{
	struct toml_value *root = parse_ok(text);
	struct strbuf sb;
	strbuf_init(&sb);
	toml_to_json(root, &sb);
	toml_free(root);
	return strbuf_detach(&sb);
}

/* ---- documents, comments, whitespace ---- */

static void test_empty_and_comments(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok("");
	assert_int_equal(r->u.table.n, 0);
	toml_free(r);
	r = parse_ok("# only a comment\n\n   \t\n# another # with hashes\n");
	assert_int_equal(r->u.table.n, 0);
	toml_free(r);
	r = parse_ok("a = 1 # trailing comment\nb = \"# not a comment\"\n");
	want_int(r, "a", 1);
	want_str(r, "b", "# not a comment");
	toml_free(r);
	/* comments may hold any UTF-8 and tabs */
	r = parse_ok("#\tこんにちは\na=1");
	want_int(r, "a", 1);
	toml_free(r);
	toml_free(NULL);
}

static void test_crlf_and_bom(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok("\xEF\xBB\xBF" "a = 1\r\n[t]\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\n");
	want_int(r, "a", 1);
	want_str(r, "t.b", "x\ny");
	toml_free(r);
	parse_bad("a = 1\rb = 2", "1:6", "carriage return");
}

static void test_control_and_utf8(void **state)
{
	(void)state;
	parse_bad("# bell \a\n", "1:8", "control character U+0007");
	parse_bad("a = 1 # del \x7F\n", "1:13", "U+007F");
	parse_bad("a = \"x\x01y\"", "1:7", "must be escaped");
	parse_bad("a = 'x\x1Fy'", "1:7", "control character U+001F");
	parse_bad("a = \"\"\"x\x7F\"\"\"", "1:9", "U+007F");
	parse_bad("a = \"\xC3\"", "1:6", "UTF-8");
	parse_bad("a = \"\xC0\xAF\"", "1:6", "invalid UTF-8");       /* overlong */
	parse_bad("a = \"\xED\xA0\x80\"", "1:6", "invalid UTF-8");   /* surrogate */
	parse_bad("a = \"\xF4\x90\x80\x80\"", "1:6", "invalid UTF-8"); /* > U+10FFFF */
	parse_bad("\xFF = 1", "1:1", "invalid UTF-8 byte 0xFF");
	parse_bad_n("a = 1\0", 6, "1:6", "expected a newline after the value, found U+0000");
	/* tab is fine everywhere text is */
	struct toml_value *r = parse_ok("a = \"x\ty\"\nb = 'x\ty'\n");
	want_str(r, "a", "x\ty");
	want_str(r, "b", "x\ty");
	toml_free(r);
}

/* ---- keys ---- */

static void test_keys(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"bare_key-1 = 1\n"
		"1234 = 2\n"
		"\"quoted key\" = 3\n"
		"'literal \\key' = 4\n"
		"\"\" = 5\n"
		"a . b\t.\"c.d\" = 6\n"
		"\"\\u00e9\" = 7\n");
	want_int(r, "bare_key-1", 1);
	want_int(r, "1234", 2);
	want_int(r, "quoted key", 3);
	want_int(r, "literal \\key", 4);
	assert_int_equal(toml_table_get(r, "")->u.integer, 5);
	const struct toml_value *cd = toml_table_get(get(r, "a.b"), "c.d");
	assert_non_null(cd);
	assert_int_equal(cd->u.integer, 6);
	want_int(r, "\xC3\xA9", 7);
	toml_free(r);

	parse_bad("= 1", "1:1", "expected a key, found '='");
	parse_bad("a. = 1", "1:4", "expected a key");
	parse_bad("a b = 1", "1:3", "expected '=' after key 'a', found 'b'");
	parse_bad("a\n= 1", "1:2", "expected '=' after key 'a', found newline");
	parse_bad("\"\"\"k\"\"\" = 1", "1:1", "multi-line string cannot be a key");
	parse_bad("\"a\nb\" = 1", "1:1", "string not closed");
	parse_bad("a =", "1:4", "expected a value, found end of file");
	parse_bad("a = # nothing\n", "1:5", "expected a value, found '#'");
	parse_bad("k\xC3\xA9y = 1", "1:2", "found U+00E9");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	parse_bad("port = 1\nhost = 2\nport = 3\n", "3:1",
		  "duplicate key 'port' (first defined at line 1)");
	parse_bad("a = 1\n\"a\" = 2", "2:1", "duplicate key 'a'");
	parse_bad("a = 1\n'a' = 2", "2:1", "duplicate key 'a'");
	parse_bad("[t]\nx.y = 1\nx.y = 2", "3:3", "duplicate key 'x.y' (first defined at line 2)");
	parse_bad("a.b = 1\na = 2", "2:1", "duplicate key 'a'");
	parse_bad("a = 1\na.b = 2", "2:1", "'a' is already an integer");
	parse_bad("a = [1]\na.b = 2", "2:1", "'a' is already an array");
	/* different tables may share key names */
	struct toml_value *r = parse_ok("a = 1\n[t]\na = 2\n[u]\na = 3\n");
	want_int(r, "a", 1);
	want_int(r, "t.a", 2);
	want_int(r, "u.a", 3);
	toml_free(r);
}

static void test_dotted_keys(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"name.first = \"Tom\"\n"
		"name.last = \"Preston\"\n"
		"site.\"google.com\" = true\n"
		"[fruit]\n"
		"apple.color = \"red\"\n"
		"apple.taste.sweet = true\n"
		"[fruit.apple.texture]\n"
		"smooth = true\n");
	want_str(r, "name.first", "Tom");
	want_str(r, "name.last", "Preston");
	want_str(r, "fruit.apple.color", "red");
	assert_true(get(r, "fruit.apple.taste.sweet")->u.boolean);
	assert_true(get(r, "fruit.apple.texture.smooth")->u.boolean);
	toml_free(r);

	/* dotted keys define tables: no [header] for them afterwards */
	parse_bad("[fruit]\napple.color = 1\n[fruit.apple]\n", "3:1",
		  "table [fruit.apple] was already defined by dotted keys at line 2");
	parse_bad("[fruit]\napple.taste.sweet = 1\n[fruit.apple.taste]\n", "3:1",
		  "already defined by dotted keys");
	/* and no dotted keys into a table a header defined */
	parse_bad("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", "4:3",
		  "cannot add to table [b.c] with dotted keys: it was defined by a table header at line 1");
	parse_bad("[[a.b]]\n[a]\nb.y = 2\n", "3:1", "'b' is already an array of tables");
}

/* ---- strings ---- */

static void test_basic_strings(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"a = \"b\\bt\\tn\\nf\\fr\\rq\\\"s\\\\\"\n"
		"u = \"\\u00E9\\u3042\"\n"
		"U = \"\\U0001F600\"\n"
		"z = \"\\u0000x\"\n"
		"e = \"\"\n"
		"j = \"日本語\"\n");
	want_str(r, "a", "b\bt\tn\nf\fr\rq\"s\\");
	want_str(r, "u", "\xC3\xA9\xE3\x81\x82");
	want_str(r, "U", "\xF0\x9F\x98\x80");
	const struct toml_value *z = get(r, "z");
	assert_int_equal(z->u.string.len, 2);
	assert_memory_equal(z->u.string.ptr, "\0x", 2);
	want_str(r, "e", "");
	want_str(r, "j", "日本語");
	toml_free(r);

	parse_bad("a = \"\\x41\"", "1:6", "invalid escape sequence '\\x'");
	parse_bad("a = \"\\e\"", "1:6", "invalid escape sequence '\\e'");
	parse_bad("a = \"\\ \"", "1:6", "invalid escape");
	parse_bad("a = \"\\u12\"", "1:6", "expected 4 hex digits");
	parse_bad("a = \"\\U0001F60\"", "1:6", "expected 8 hex digits");
	parse_bad("a = \"\\uD800\"", "1:6", "not a Unicode scalar value");
	parse_bad("a = \"\\uDFFF\"", "1:6", "not a Unicode scalar value");
	parse_bad("a = \"\\U00110000\"", "1:6", "not a Unicode scalar value");
	parse_bad("a = \"open", "1:5", "string not closed before end of file");
	parse_bad("a = \"open\nb = 1", "1:5", "string not closed before end of line");
	parse_bad("a = \"x\" \"y\"", "1:9", "expected a newline after the value");
}

static void test_multiline_basic(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"a = \"\"\"\nRoses\nViolets\"\"\"\n"
		"b = \"\"\"\\\n   The quick \\\n\n   brown \\   \n   fox.\\\n   \"\"\"\n"
		"c = \"\"\"one \"two\" \"\"three\"\" \"\"\"\n"
		"d = \"\"\"x\"\"\"\"\"\n"
		"e = \"\"\"\"x\"\"\"\"\n"
		"f = \"\"\"\\tesc\\u00e9\"\"\"\n"
		"g = \"\"\"\"\"\"\n");
	want_str(r, "a", "Roses\nViolets");
	want_str(r, "b", "The quick brown fox.");
	want_str(r, "c", "one \"two\" \"\"three\"\" ");
	want_str(r, "d", "x\"\"");
	want_str(r, "e", "\"x\"");
	want_str(r, "f", "\tesc\xC3\xA9");
	want_str(r, "g", "");
	toml_free(r);

	parse_bad("a = \"\"\"x\"\"\"\"\"\"", "1:14", "too many quotes");
	parse_bad("a = \"\"\"never closed\n", "1:5", "multi-line string not closed");
	parse_bad("a = \"\"\"\\q\"\"\"", "1:8", "invalid escape sequence '\\q'");
	parse_bad("a = \"\"\"\\  x\"\"\"", "1:8", "invalid escape");
}

static void test_literal_strings(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"a = 'C:\\Users\\nodejs'\n"
		"b = '<\\i\\c*\\s*>'\n"
		"c = '''\nfirst\n  second \\ \n'''\n"
		"d = '''I [dw]on't need \\d{2} apples'''\n"
		"e = ''''quoted'''''\n"
		"f = ''\n");
	want_str(r, "a", "C:\\Users\\nodejs");
	want_str(r, "b", "<\\i\\c*\\s*>");
	want_str(r, "c", "first\n  second \\ \n");
	want_str(r, "d", "I [dw]on't need \\d{2} apples");
	want_str(r, "e", "'quoted''");
	want_str(r, "f", "");
	toml_free(r);

	parse_bad("a = 'it's'", "1:9", "expected a newline after the value");
	parse_bad("a = 'no end", "1:5", "string not closed");
	parse_bad("a = '''x''''''", "1:14", "too many quotes");
	parse_bad("a = '''x\x08'''", "1:9", "control character U+0008");
}

/* ---- numbers ---- */

static void test_integers(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"a = 99\nb = +99\nc = -17\nd = 0\ne = +0\nf = -0\n"
		"g = 1_000\nh = 5_349_221\ni = 1_2_3_4_5\n"
		"hex = 0xDEADbeef\nh2 = 0xdead_beef\noct = 0o755\nbin = 0b1101_0110\n"
		"max = 9223372036854775807\nmin = -9223372036854775808\n"
		"hmax = 0x7FFFFFFFFFFFFFFF\nz = 0x0\n");
	want_int(r, "a", 99);
	want_int(r, "b", 99);
	want_int(r, "c", -17);
	want_int(r, "d", 0);
	want_int(r, "e", 0);
	want_int(r, "f", 0);
	want_int(r, "g", 1000);
	want_int(r, "h", 5349221);
	want_int(r, "i", 12345);
	want_int(r, "hex", 0xDEADBEEF);
	want_int(r, "h2", 0xDEADBEEF);
	want_int(r, "oct", 0755);
	want_int(r, "bin", 0xD6);
	want_int(r, "max", INT64_MAX);
	want_int(r, "min", INT64_MIN);
	want_int(r, "hmax", INT64_MAX);
	want_int(r, "z", 0);
	toml_free(r);

	parse_bad("a = 012", "1:5", "leading zeros are not allowed");
	parse_bad("a = -01", "1:5", "leading zeros");
	parse_bad("a = 1__0", "1:5", "underscore must sit between two digits");
	parse_bad("a = _1", "1:5", "invalid value '_1'");
	parse_bad("a = 1_", "1:5", "underscore");
	parse_bad("a = 9223372036854775808", "1:5", "does not fit in 64 bits");
	parse_bad("a = -9223372036854775809", "1:5", "does not fit in 64 bits");
	parse_bad("a = 0x8000000000000000", "1:5", "does not fit in 64 bits");
	parse_bad("a = 0xFFFFFFFFFFFFFFFFF", "1:5", "does not fit in 64 bits");
	parse_bad("a = +0x10", "1:5", "invalid value '+0x10'");
	parse_bad("a = 0X10", "1:5", "invalid value");
	parse_bad("a = 0x", "1:5", "expected hexadecimal digits");
	parse_bad("a = 0o8", "1:5", "octal digits");
	parse_bad("a = 0b102", "1:5", "binary digits");
	parse_bad("a = 0x_1", "1:5", "underscore");
	parse_bad("a = 1 2", "1:7", "expected a newline after the value, found '2'");
	parse_bad("a = 12abc", "1:5", "invalid value '12abc'");
}

static void test_floats(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"a = +1.0\nb = 3.1415\nc = -0.01\nd = 5e+22\ne = 1e06\nf = -2E-2\n"
		"g = 6.626e-34\nh = 224_617.445_991_228\ni = -0.0\nj = 0e0\n"
		"k = inf\nl = +inf\nm = -inf\nn = nan\no = +nan\np = -nan\nq = 1e-400\n");
	want_float(r, "a", 1.0);
	want_float(r, "b", 3.1415);
	want_float(r, "c", -0.01);
	want_float(r, "d", 5e22);
	want_float(r, "e", 1e6);
	want_float(r, "f", -2e-2);
	want_float(r, "g", 6.626e-34);
	want_float(r, "h", 224617.445991228);
	want_float(r, "i", 0.0);
	assert_true(signbit(get(r, "i")->u.fp));
	want_float(r, "j", 0.0);
	want_float(r, "k", INFINITY);
	want_float(r, "l", INFINITY);
	want_float(r, "m", -INFINITY);
	assert_true(isnan(get(r, "n")->u.fp));
	assert_true(isnan(get(r, "o")->u.fp));
	assert_true(isnan(get(r, "p")->u.fp));
	assert_int_equal(get(r, "q")->type, TOML_FLOAT);
	toml_free(r);

	parse_bad("a = .7", "1:5", "invalid value '.7'");
	parse_bad("a = 7.", "1:5", "expected digits after the decimal point");
	parse_bad("a = 3.e+20", "1:5", "expected digits after the decimal point");
	parse_bad("a = 1e", "1:5", "expected digits in the exponent");
	parse_bad("a = 1e_2", "1:5", "underscore");
	parse_bad("a = 01.5", "1:5", "leading zeros");
	parse_bad("a = 1_.5", "1:5", "underscore");
	parse_bad("a = 1._5", "1:5", "underscore");
	parse_bad("a = 1.5.2", "1:5", "invalid value '1.5.2'");
	parse_bad("a = 1e1000", "1:5", "float out of range");
	parse_bad("a = Inf", "1:5", "invalid value 'Inf'");
	parse_bad("a = infinity", "1:5", "invalid value");
	parse_bad("a = NaN", "1:5", "invalid value");
	parse_bad("a = ++1", "1:5", "invalid value");
}

static void test_booleans(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok("t = true\nf = false\n");
	assert_int_equal(get(r, "t")->type, TOML_BOOL);
	assert_true(get(r, "t")->u.boolean);
	assert_false(get(r, "f")->u.boolean);
	toml_free(r);
	parse_bad("a = True", "1:5", "invalid value 'True'");
	parse_bad("a = truee", "1:5", "invalid value 'truee'");
	parse_bad("a = tru", "1:5", "invalid value 'tru'");
	parse_bad("a = yes", "1:5", "expected a string, number, boolean");
}

/* ---- dates and times ---- */

static void test_datetimes(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"odt1 = 1979-05-27T07:32:00Z\n"
		"odt2 = 1979-05-27T00:32:00-07:00\n"
		"odt3 = 1979-05-27T00:32:00.999999+09:30\n"
		"odt4 = 1979-05-27 07:32:00Z\n"
		"odt5 = 1979-05-27t07:32:00z\n"
		"odt6 = 1979-05-27T07:32:00.1234567891Z\n"
		"ldt1 = 1979-05-27T07:32:00\n"
		"ldt2 = 1979-05-27 00:32:00.5\n"
		"ld = 1979-05-27\n"
		"lt1 = 07:32:00\n"
		"lt2 = 00:32:00.999\n"
		"leap = 2024-02-29\n"
		"leap400 = 2000-02-29\n"
		"leapsec = 1990-12-31T23:59:60Z\n"
		"arr = [1979-05-27, 07:32:00]\n");
	want_dt(r, "odt1", TOML_DATETIME, "1979-05-27T07:32:00Z");
	want_dt(r, "odt2", TOML_DATETIME, "1979-05-27T00:32:00-07:00");
	assert_int_equal(get(r, "odt2")->u.datetime.offset_minutes, -420);
	want_dt(r, "odt3", TOML_DATETIME, "1979-05-27T00:32:00.999999+09:30");
	assert_int_equal(get(r, "odt3")->u.datetime.nanosecond, 999999000);
	want_dt(r, "odt4", TOML_DATETIME, "1979-05-27T07:32:00Z");
	want_dt(r, "odt5", TOML_DATETIME, "1979-05-27T07:32:00Z");
	want_dt(r, "odt6", TOML_DATETIME, "1979-05-27T07:32:00.123456789Z");
	want_dt(r, "ldt1", TOML_DATETIME_LOCAL, "1979-05-27T07:32:00");
	want_dt(r, "ldt2", TOML_DATETIME_LOCAL, "1979-05-27T00:32:00.5");
	want_dt(r, "ld", TOML_DATE_LOCAL, "1979-05-27");
	want_dt(r, "lt1", TOML_TIME_LOCAL, "07:32:00");
	want_dt(r, "lt2", TOML_TIME_LOCAL, "00:32:00.999");
	want_dt(r, "leap", TOML_DATE_LOCAL, "2024-02-29");
	want_dt(r, "leap400", TOML_DATE_LOCAL, "2000-02-29");
	want_dt(r, "leapsec", TOML_DATETIME, "1990-12-31T23:59:60Z");
	assert_int_equal(toml_array_get(get(r, "arr"), 0)->type, TOML_DATE_LOCAL);
	assert_int_equal(toml_array_get(get(r, "arr"), 1)->type, TOML_TIME_LOCAL);
	toml_free(r);

	parse_bad("d = 2023-02-29", "1:5", "day is out of range");
	parse_bad("d = 1900-02-29", "1:5", "day is out of range");
	parse_bad("d = 2024-04-31", "1:5", "day is out of range");
	parse_bad("d = 2024-00-10", "1:5", "month must be 01 to 12");
	parse_bad("d = 2024-13-10", "1:5", "month must be 01 to 12");
	parse_bad("d = 2024-01-00", "1:5", "day is out of range");
	parse_bad("d = 2024-1-10", "1:5", "expected a date as YYYY-MM-DD");
	parse_bad("d = 2024-01-10T24:00:00", "1:5", "time out of range");
	parse_bad("d = 2024-01-10T23:60:00", "1:5", "time out of range");
	parse_bad("d = 2024-01-10T23:59:61", "1:5", "time out of range");
	parse_bad("d = 2024-01-10T23:59", "1:5", "expected a time as HH:MM:SS");
	parse_bad("d = 2024-01-10T", "1:5", "expected a time");
	parse_bad("d = 2024-01-10X10:00:00", "1:5", "expected 'T' or a space");
	parse_bad("d = 2024-01-10T10:00:00.", "1:5", "expected digits after '.'");
	parse_bad("d = 2024-01-10T10:00:00+9:00", "1:5", "time offset");
	parse_bad("d = 2024-01-10T10:00:00+24:00", "1:5", "time offset out of range");
	parse_bad("d = 2024-01-10T10:00:00+09:60", "1:5", "time offset out of range");
	parse_bad("d = 2024-01-10T10:00:00Zx", "1:5", "unexpected text");
	parse_bad("t = 10:00:00Z", "1:5", "unexpected text");
	parse_bad("t = 10:00", "1:5", "expected a time as HH:MM:SS");
	parse_bad("t = 1:00:00", "1:5", "invalid value");
	r = parse_ok("d = 2024-01-10 \nt = 2024-01-10 # date, then a comment\n");
	want_dt(r, "d", TOML_DATE_LOCAL, "2024-01-10");
	want_dt(r, "t", TOML_DATE_LOCAL, "2024-01-10");
	toml_free(r);
}

/* ---- arrays ---- */

static void test_arrays(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"a = []\n"
		"b = [ 1, 2, 3, ]\n"
		"c = [ \"red\", 'yellow', \"\"\"green\"\"\" ]\n"
		"d = [ [ 1, 2 ], [\"a\", 'b'], [] ]\n"
		"e = [ 0.1, 1, \"mixed\", true, 1979-05-27, { x = 1 } ]\n"
		"f = [\n  1, # one\n  2\n  # comment line\n  ,3\n]\n");
	assert_int_equal(get(r, "a")->u.array.n, 0);
	assert_int_equal(get(r, "b")->u.array.n, 3);
	assert_int_equal(toml_array_get(get(r, "b"), 2)->u.integer, 3);
	assert_null(toml_array_get(get(r, "b"), 3));
	assert_string_equal(toml_array_get(get(r, "c"), 2)->u.string.ptr, "green");
	const struct toml_value *d0 = toml_array_get(get(r, "d"), 0);
	assert_int_equal(d0->type, TOML_ARRAY);
	assert_int_equal(d0->u.array.n, 2);
	const struct toml_value *e = get(r, "e");
	assert_int_equal(e->u.array.n, 6);
	assert_int_equal(e->u.array.items[0]->type, TOML_FLOAT);
	assert_int_equal(e->u.array.items[2]->type, TOML_STRING);
	assert_int_equal(e->u.array.items[5]->type, TOML_TABLE);
	assert_int_equal(get(r, "f")->u.array.n, 3);
	toml_free(r);

	parse_bad("a = [1 2]", "1:8", "expected ',' or ']' in array, found '2'");
	parse_bad("a = [1,,2]", "1:8", "expected a value, found ','");
	parse_bad("a = [,]", "1:6", "expected a value, found ','");
	parse_bad("a = [1, 2", "1:5", "array not closed before end of file");
	parse_bad("a = [1,\n2,\n", "1:5", "array not closed");
	parse_bad("a = [1] b = 2", "1:9", "expected a newline after the value");
	parse_bad("a = [\n1\n\n2]", "4:1", "expected ',' or ']'");
}

static void test_nesting_limit(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_adds(&sb, "a = ");
	for (int i = 0; i < 1000; i++)
		strbuf_addc(&sb, '[');
	parse_bad(sb.buf, "1:133", "nesting deeper than 128 levels");
	strbuf_reset(&sb);
	strbuf_adds(&sb, "a = ");
	for (int i = 0; i < 1000; i++)
		strbuf_adds(&sb, "{b=");
	parse_bad(sb.buf, "1:389", "nesting deeper");
	strbuf_reset(&sb);
	for (int i = 0; i < 200; i++)
		strbuf_adds(&sb, "k.");
	strbuf_adds(&sb, "k = 1");
	parse_bad(sb.buf, "1:257", "more than 128 parts");
	strbuf_reset(&sb);
	/* reasonable depth is fine */
	strbuf_adds(&sb, "a = ");
	for (int i = 0; i < 50; i++)
		strbuf_addc(&sb, '[');
	for (int i = 0; i < 50; i++)
		strbuf_addc(&sb, ']');
	struct toml_value *r = parse_ok(sb.buf);
	toml_free(r);
	strbuf_release(&sb);
}

/* Tables with many keys (hash-indexed) still find every key and duplicate. */
static void test_many_keys(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "k%d = %d\n", i, i);
	struct toml_value *r = parse_ok(sb.buf);
	assert_int_equal(r->u.table.n, 5000);
	want_int(r, "k0", 0);
	want_int(r, "k4999", 4999);
	assert_null(toml_table_get(r, "k5000"));
	toml_free(r);
	strbuf_adds(&sb, "k1234 = 1\n");
	parse_bad(sb.buf, "5001:1", "duplicate key 'k1234' (first defined at line 1235)");
	strbuf_release(&sb);
}

/* ---- inline tables ---- */

static void test_inline_tables(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
		"point = {x=1,y=2}\n"
		"animal = { type.name = \"pug\", type.size = 1 }\n"
		"empty = {}\n"
		"nested = { a = { b = { c = [1, {d = 2}] } } }\n");
	want_str(r, "name.first", "Tom");
	want_str(r, "name.last", "Preston-Werner");
	want_int(r, "point.y", 2);
	want_str(r, "animal.type.name", "pug");
	assert_int_equal(get(r, "empty")->u.table.n, 0);
	const struct toml_value *c = get(r, "nested.a.b.c");
	assert_int_equal(toml_table_get(toml_array_get(c, 1), "d")->u.integer, 2);
	toml_free(r);

	parse_bad("a = {x = 1,}", "1:12", "trailing comma is not allowed");
	parse_bad("a = {x = 1\n}", "1:11", "newline is not allowed inside an inline table");
	parse_bad("a = {\nx = 1}", "1:6", "newline is not allowed");
	parse_bad("a = {x = 1 # c\n}", "1:12", "comment is not allowed");
	parse_bad("a = {x = 1 y = 2}", "1:12", "expected ',' or '}' in inline table, found 'y'");
	parse_bad("a = {x = 1, x = 2}", "1:13", "duplicate key 'x' (first defined at line 1)");
	parse_bad("a = {x = 1", "1:5", "inline table not closed");
	parse_bad("a = {b = 1, b.c = 2}", "1:13", "'b' is already an integer");
	parse_bad("a = {b = {c = 1}, b.d = 2}", "1:19", "inline table 'b' (line 1) cannot be extended");
	/* immutable afterwards */
	parse_bad("a = {x = 1}\na.y = 2", "2:1", "inline table 'a' (line 1) cannot be extended");
	parse_bad("a = {x = 1}\n[a]", "2:1", "cannot define table [a]: key 'a' is already an inline table");
	parse_bad("a = {x = {}}\n[a.x]", "2:2", "inline table 'a' (line 1) cannot be extended");
	parse_bad("a = {b.c = 1}\n[a.b]", "2:2", "inline table 'a'");
	parse_bad("a = {}\n[[a]]", "2:1", "already an inline table");
	parse_bad("a = [{}]\n[[a]]", "2:1", "'a' is already an array");
}

/* ---- tables ---- */

static void test_tables(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"[table-1]\nkey1 = \"some string\"\nkey2 = 123\n"
		"[table-2]\nkey1 = \"another string\"\n"
		"[dog.\"tater.man\"]\ntype.name = \"pug\"\n"
		"[ j . \"ʞ\" . 'l' ]\nx = 1\n"
		"[x.y.z.w]\n"
		"[x]\nv = 1\n"
		"[ empty ]\n");
	want_str(r, "table-1.key1", "some string");
	want_int(r, "table-1.key2", 123);
	want_str(r, "table-2.key1", "another string");
	const struct toml_value *dog = get(r, "dog");
	want_str(toml_table_get(dog, "tater.man"), "type.name", "pug");
	assert_int_equal(get(r, "x.y.z.w")->type, TOML_TABLE);
	want_int(r, "x.v", 1);
	assert_int_equal(get(r, "empty")->u.table.n, 0);
	/* keys keep their order */
	assert_string_equal(r->u.table.entries[0].key, "table-1");
	assert_string_equal(r->u.table.entries[1].key, "table-2");
	toml_free(r);

	parse_bad("[a]\nb = 1\n\n[a]\nc = 2", "4:1", "table [a] is defined twice (first at line 1)");
	parse_bad("[a.b]\n[a]\n[a]", "3:1", "table [a] is defined twice (first at line 2)");
	parse_bad("[a]\nb = 1\n[a.b]", "3:1", "cannot define table [a.b]: key 'a.b' is already an integer");
	parse_bad("a = 1\n[a.b]", "2:2", "cannot define table [a.b]: 'a' is already an integer");
	parse_bad("[]", "1:2", "expected a key, found ']'");
	parse_bad("[a", "1:3", "expected ']' to close the table header, found end of file");
	parse_bad("[a]x = 1", "1:4", "expected a newline after the table header, found 'x'");
	parse_bad("[a.]", "1:4", "expected a key");
	parse_bad("[a\n]", "1:3", "expected ']'");
	parse_bad("[\"a\nb\"]", "1:2", "string not closed");
	parse_bad(" [a] b", "1:6", "expected a newline");
	/* [a] after [a.b] with keys is fine: super-table after sub-table */
	r = parse_ok("[a.b.c]\nanswer = 42\n[a]\nbetter = 43\n");
	want_int(r, "a.b.c.answer", 42);
	want_int(r, "a.better", 43);
	toml_free(r);
}

static void test_arrays_of_tables(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"[[products]]\nname = \"Hammer\"\nsku = 738594937\n"
		"[[products]]\n"
		"[[products]]\nname = \"Nail\"\ncolor = \"gray\"\n"
		"[[fruits]]\nname = \"apple\"\n"
		"[fruits.physical]\ncolor = \"red\"\n"
		"[[fruits.varieties]]\nname = \"red delicious\"\n"
		"[[fruits.varieties]]\nname = \"granny smith\"\n"
		"[[fruits]]\nname = \"banana\"\n"
		"[[fruits.varieties]]\nname = \"plantain\"\n"
		"[[ spaced . \"name\" ]]\n");
	const struct toml_value *p = get(r, "products");
	assert_int_equal(p->type, TOML_ARRAY);
	assert_int_equal(p->u.array.n, 3);
	assert_int_equal(p->u.array.items[1]->u.table.n, 0);
	want_str(p->u.array.items[2], "name", "Nail");
	const struct toml_value *f = get(r, "fruits");
	assert_int_equal(f->u.array.n, 2);
	want_str(f->u.array.items[0], "physical.color", "red");
	assert_int_equal(get(f->u.array.items[0], "varieties")->u.array.n, 2);
	want_str(toml_array_get(get(f->u.array.items[1], "varieties"), 0), "name", "plantain");
	assert_int_equal(get(r, "spaced.name")->u.array.n, 1);
	toml_free(r);

	parse_bad("fruits = []\n[[fruits]]", "2:1",
		  "cannot define array of tables [[fruits]]: 'fruits' is already an array (defined at line 1)");
	parse_bad("[a]\n[[a]]", "2:1", "'a' is already a table");
	parse_bad("[[a]]\n[a]", "2:1", "[a] is an array of tables (first at line 1); use [[a]]");
	parse_bad("[[fruits]]\n[fruits.physical]\n[fruits.physical]\n", "3:1", "defined twice");
	parse_bad("[[a]\n", "1:4", "expected ']]'");
	parse_bad("[[a] ]\n", "1:4", "expected ']]'");
	parse_bad("[ [a]]\n", "1:3", "expected a key, found '['");
	parse_bad("[[a]]\nb.c = 1\n[a.b]\n", "3:1", "already defined by dotted keys");
	parse_bad("a = [1]\n[a.b]\n", "2:2", "'a' is already an array");
}

/* ---- positions and names ---- */

static void test_positions(void **state)
{
	(void)state;
	struct toml_value *r = parse_ok(
		"# comment\n"
		"  key = \"value\"\n"
		"[tbl]\n"
		"\"é\" = [1,  2]\n");
	const struct toml_entry *e = toml_table_entry(r, "key");
	assert_int_equal(e->line, 2);
	assert_int_equal(e->column, 3);
	assert_int_equal(e->value->line, 2);
	assert_int_equal(e->value->column, 9);
	const struct toml_value *t = get(r, "tbl");
	assert_int_equal(t->line, 3);
	assert_int_equal(t->column, 1);
	const struct toml_value *a = toml_table_get(t, "\xC3\xA9");
	assert_int_equal(a->line, 4);
	assert_int_equal(a->column, 7);   /* columns count characters */
	assert_int_equal(a->u.array.items[1]->column, 12);
	assert_null(toml_table_get(r, "missing"));
	assert_null(toml_table_get(a, "x"));
	assert_null(toml_table_entry(NULL, "x"));
	toml_free(r);
	parse_bad("# c\n\"é\" = [1,  x]", "2:12", "invalid value 'x'");

	char *cause = NULL;
	assert_null(toml_parse("a = ", 4, "config.toml", &cause));
	assert_string_equal(cause, "config.toml:1:5: expected a value, found end of file");
	free(cause);
	assert_null(toml_parse("a = ", 4, NULL, NULL));
	r = toml_parse(NULL, 0, NULL, NULL);
	assert_non_null(r);
	toml_free(r);
	assert_string_equal(toml_type_name(TOML_DATETIME), "offset date-time");
	assert_string_equal(toml_type_name(TOML_BOOL), "boolean");
}

/* Text need not be NUL-terminated: LEN is all the parser may read. */
static void test_length_bounds(void **state)
{
	(void)state;
	const char text[] = "a = 12345";
	char *cause = NULL;
	struct toml_value *r = toml_parse(text, 6, "t.toml", &cause);
	assert_non_null(r);
	want_int(r, "a", 12);
	toml_free(r);
	char *heap = xmalloc(7);
	memcpy(heap, "a = \"x", 6);   /* unterminated, not NUL-terminated */
	parse_bad_n(heap, 6, "1:5", "string not closed");
	memcpy(heap, "a = 0x", 6);
	parse_bad_n(heap, 6, "1:5", "hexadecimal");
	memcpy(heap, "a = 20", 6);
	r = toml_parse(heap, 6, "t.toml", NULL);
	want_int(r, "a", 20);
	toml_free(r);
	free(heap);
}

/* ---- whole documents through the decoder logic ---- */

static void test_json_documents(void **state)
{
	(void)state;
	char *j = to_json("a = 1\n[b]\nc = \"x\\\"\\n\\u0001\"\n");
	assert_string_equal(j, "{\"a\":{\"type\":\"integer\",\"value\":\"1\"},"
			    "\"b\":{\"c\":{\"type\":\"string\",\"value\":\"x\\\"\\n\\u0001\"}}}");
	free(j);
	j = to_json("f = [1.5, -0.0, inf, -inf, nan, 1e100, 0.1]\nb = [true, false]\n");
	assert_string_equal(j, "{\"f\":[{\"type\":\"float\",\"value\":\"1.5\"},"
			    "{\"type\":\"float\",\"value\":\"-0\"},"
			    "{\"type\":\"float\",\"value\":\"inf\"},"
			    "{\"type\":\"float\",\"value\":\"-inf\"},"
			    "{\"type\":\"float\",\"value\":\"nan\"},"
			    "{\"type\":\"float\",\"value\":\"1e+100\"},"
			    "{\"type\":\"float\",\"value\":\"0.1\"}],"
			    "\"b\":[{\"type\":\"bool\",\"value\":\"true\"},"
			    "{\"type\":\"bool\",\"value\":\"false\"}]}");
	free(j);
	j = to_json("d = [1979-05-27 07:32:00+09:00, 1979-05-27t07:32:00.5, 1979-05-27, 07:32:00.25]");
	assert_string_equal(j, "{\"d\":[{\"type\":\"datetime\",\"value\":\"1979-05-27T07:32:00+09:00\"},"
			    "{\"type\":\"datetime-local\",\"value\":\"1979-05-27T07:32:00.5\"},"
			    "{\"type\":\"date-local\",\"value\":\"1979-05-27\"},"
			    "{\"type\":\"time-local\",\"value\":\"07:32:00.25\"}]}");
	free(j);
	j = to_json("[[a]]\nx = 1\n[[a]]\n[a.b]\ny = {}\n");
	assert_string_equal(j, "{\"a\":[{\"x\":{\"type\":\"integer\",\"value\":\"1\"}},"
			    "{\"b\":{\"y\":{}}}]}");
	free(j);
	j = to_json("");
	assert_string_equal(j, "{}");
	free(j);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (tests run from the repo root)", path);
	struct strbuf sb;
	strbuf_init(&sb);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

/* tests/fixtures/toml/NAME.toml decodes to exactly NAME.json. */
static void test_json_fixtures(void **state)
{
	(void)state;
	static const char *const names[] = { "spec-example", "strings", "tables" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *tp = xasprintf("tests/fixtures/toml/%s.toml", names[i]);
		char *jp = xasprintf("tests/fixtures/toml/%s.json", names[i]);
		char *text = read_all(tp);
		char *want = read_all(jp);
		size_t wl = strlen(want);
		while (wl && want[wl - 1] == '\n')
			want[--wl] = '\0';
		char *got = to_json(text);
		if (strcmp(got, want) != 0)
			fail_msg("%s: got\n%s\nwant\n%s", tp, got, want);
		free(got);
		free(want);
		free(text);
		free(tp);
		free(jp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_comments),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_control_and_utf8),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_dotted_keys),
		cmocka_unit_test(test_basic_strings),
		cmocka_unit_test(test_multiline_basic),
		cmocka_unit_test(test_literal_strings),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_datetimes),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_inline_tables),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_arrays_of_tables),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_length_bounds),
		cmocka_unit_test(test_json_documents),
		cmocka_unit_test(test_json_fixtures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
