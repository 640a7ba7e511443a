/* test-args: splitting, binding, typed values (commands/args.c), and what
 * an invocation becomes: bound SQL, description, file name
 * (commands/invocation.c). */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <time.h>

#include "commands/args.h"
#include "commands/invocation.h"
#include "commands/command.h"
#include "commands/utf8.h"
#include "common/strbuf.h"

#define NOW ((time_t)1732980600)   /* 2024-11-30 15:30 UTC; 2024-12-01 in Tokyo */

static const char every_type[] =
	"-- summary: Every param type\n"
	"-- param: customer string   Customer slug, e.g. acme\n"
	"-- param: month month=last  Month\n"
	"-- param: day date=today\n"
	"-- param: n int=10\n"
	"-- param: fmt enum(csv|tsv)=csv\n"
	"-- param: ids list=1\n"
	"-- param: note string=\"\"\n"
	"SELECT :customer, :month, :month_start, :month_end, :day, :n, :fmt, :note\n"
	"WHERE id IN (:ids)\n";

static struct command cmd;
static struct strlist words;
static struct invocation inv;
static char *cause;

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	struct strlist errors;
	strlist_init(&errors);
	int rc = command_parse(&cmd, "all", "all.sql", every_type, strlen(every_type), &errors);
	for (size_t i = 0; i < errors.n; i++)
		print_error("%s\n", errors.v[i]);
	strlist_release(&errors);
	strlist_init(&words);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	command_release(&cmd);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	strlist_release(&words);
	invocation_release(&inv);
	free(cause);
	cause = NULL;
	return 0;
}

static void split_ok(const char *text)
{
	strlist_release(&words);
	free(cause);
	cause = NULL;
	if (args_split(text, &words, &cause) < 0)
		fail_msg("split '%s': %s", text, cause);
}

static void split_err(const char *text, const char *want)
{
	strlist_release(&words);
	free(cause);
	cause = NULL;
	assert_int_equal(args_split(text, &words, &cause), -1);
	assert_int_equal(words.n, 0);
	if (!strstr(cause, want))
		fail_msg("cause '%s' lacks '%s'", cause, want);
}

/* Split and bind text against the every-type command. */
static void bind_ok(const char *text)
{
	split_ok(text);
	invocation_release(&inv);
	if (args_bind(&cmd, words.v, words.n, NOW, &inv, &cause) < 0)
		fail_msg("bind '%s': %s", text, cause);
}

static void bind_err(const char *text, const char *want)
{
	split_ok(text);
	invocation_release(&inv);
	assert_int_equal(args_bind(&cmd, words.v, words.n, NOW, &inv, &cause), -1);
	assert_null(inv.values);
	if (!strstr(cause, want))
		fail_msg("cause '%s' lacks '%s'", cause, want);
}

static const char *val(const char *name)
{
	for (size_t i = 0; i < cmd.nparams; i++)
		if (strcmp(cmd.params[i].name, name) == 0)
			return inv.values[i].text;
	fail_msg("no param %s", name);
	return NULL;
}

/* f is PREFIX-XXXXXXXX.csv with 8 lower-case hex digits. */
static void assert_hashed(const char *f, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(f, prefix, n) != 0 || strlen(f) != n + 13 || f[n] != '-' ||
	    strcmp(f + n + 9, ".csv") != 0 || strspn(f + n + 1, "0123456789abcdef") != 8)
		fail_msg("'%s' is not '%s-HASH.csv'", f, prefix);
}

/* --- splitting --- */

static void test_split_words(void **state)
{
	(void)state;
	split_ok("  acme   2024-11 \t x\n");
	assert_int_equal(words.n, 3);
	assert_string_equal(words.v[0], "acme");
	assert_string_equal(words.v[1], "2024-11");
	assert_string_equal(words.v[2], "x");
	split_ok("");
	assert_int_equal(words.n, 0);
	split_ok("   ");
	assert_int_equal(words.n, 0);
}

static void test_split_quotes(void **state)
{
	(void)state;
	split_ok("\"acme corp\" note=\"two words\" a\"b c\"d \"\"");
	assert_int_equal(words.n, 4);
	assert_string_equal(words.v[0], "acme corp");
	assert_string_equal(words.v[1], "note=two words");
	assert_string_equal(words.v[2], "ab cd");
	assert_string_equal(words.v[3], "");
	split_ok("\"say \\\"hi\\\" \\\\ now\" \\x \"a\\nb\"");
	assert_int_equal(words.n, 3);
	assert_string_equal(words.v[0], "say \"hi\" \\ now");
	assert_string_equal(words.v[1], "\\x");
	assert_string_equal(words.v[2], "a\\nb");
	/* curly quotes from phones and Macs */
	split_ok("\xe2\x80\x9c" "acme corp" "\xe2\x80\x9d" " x");
	assert_int_equal(words.n, 2);
	assert_string_equal(words.v[0], "acme corp");
}

static void test_split_unicode_spaces(void **state)
{
	(void)state;
	split_ok("顧客\xe3\x80\x80" "2024-11\xc2\xa0" "x");
	assert_int_equal(words.n, 3);
	assert_string_equal(words.v[0], "顧客");
	assert_string_equal(words.v[1], "2024-11");
	split_ok("\"a\xe3\x80\x80" "b\"");
	assert_int_equal(words.n, 1);
	assert_string_equal(words.v[0], "a\xe3\x80\x80" "b");
}

static void test_split_errors(void **state)
{
	(void)state;
	split_err("acme \"open words", "a double quote is not closed at '\"open words'; close it, "
		  "e.g. \"two words\"");
	split_err("\"a\\\"", "double quote is not closed");
	split_err("acme \xff", "the arguments are not valid UTF-8 (byte 6)");
	split_err("\xc0\xaf", "not valid UTF-8");
	char *big = xmalloc(ARGS_MAX_TEXT + 2);
	memset(big, 'a', ARGS_MAX_TEXT + 1);
	big[ARGS_MAX_TEXT + 1] = '\0';
	split_err(big, "the arguments are 10241 bytes; the limit is 10240");
	big[ARGS_MAX_TEXT] = '\0';
	split_ok(big);
	assert_int_equal(words.n, 1);
	free(big);
}

static void test_split_keeps_sql_as_text(void **state)
{
	(void)state;
	split_ok("\"' OR 1=1 --\" '; DROP TABLE t; --");
	assert_int_equal(words.n, 6);
	assert_string_equal(words.v[0], "' OR 1=1 --");
	assert_string_equal(words.v[1], "';");
}

/* --- binding --- */

static void test_bind_positional_and_defaults(void **state)
{
	(void)state;
	bind_ok("acme");
	assert_ptr_equal(inv.cmd, &cmd);
	assert_string_equal(val("customer"), "acme");
	assert_string_equal(val("month"), "2024-10");
	assert_string_equal(inv.values[1].start, "2024-10-01");
	assert_string_equal(inv.values[1].end, "2024-11-01");
	assert_string_equal(val("day"), "2024-11-30");
	assert_string_equal(val("n"), "10");
	assert_int_equal(inv.values[3].i, 10);
	assert_string_equal(val("fmt"), "csv");
	assert_int_equal(inv.values[5].nitems, 1);
	assert_string_equal(val("note"), "");
	bind_ok("acme 2024-12 2024-02-29 -3 TSV \" a , b \" \"hello world\"");
	assert_string_equal(val("month"), "2024-12");
	assert_string_equal(inv.values[1].end, "2025-01-01");
	assert_string_equal(val("day"), "2024-02-29");
	assert_int_equal(inv.values[3].i, -3);
	assert_string_equal(val("fmt"), "tsv");
	assert_int_equal(inv.values[5].nitems, 2);
	assert_string_equal(inv.values[5].items[0], "a");
	assert_string_equal(inv.values[5].items[1], "b");
	assert_string_equal(val("ids"), "a,b");
	assert_string_equal(val("note"), "hello world");
}

static void test_bind_named_and_mixed(void **state)
{
	(void)state;
	bind_ok("month=this customer=acme");
	assert_string_equal(val("customer"), "acme");
	assert_string_equal(val("month"), "2024-11");
	bind_ok("acme n=5 Month=last");
	assert_string_equal(val("month"), "2024-10");
	assert_int_equal(inv.values[3].i, 5);
	bind_ok("customer=\"acme corp\" note=a=b");
	assert_string_equal(val("customer"), "acme corp");
	assert_string_equal(val("note"), "a=b");
	bind_ok("acme day=yesterday");
	assert_string_equal(val("day"), "2024-11-29");
}

static void test_bind_relative_in_tokyo(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	bind_ok("acme");
	assert_string_equal(val("month"), "2024-11");
	assert_string_equal(val("day"), "2024-12-01");
	bind_ok("acme this yesterday");
	assert_string_equal(val("month"), "2024-12");
	assert_string_equal(val("day"), "2024-11-30");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_bind_structure_errors(void **state)
{
	(void)state;
	bind_err("", "missing customer; usage: /report all <customer> [month=last] [day=today] "
		 "[n=10] [fmt=csv] [ids=1] [note=\"\"], e.g. /report all acme");
	bind_err("month=2024-11", "missing customer; usage: /report all <customer>");
	bind_err("acme moth=2024-11", "unknown param 'moth' in 'moth=2024-11'; did you mean month? "
		 "/report all takes customer, month, day, n, fmt, ids, note, e.g. /report all acme");
	bind_err("acme zzz=1", "unknown param 'zzz' in 'zzz=1'; /report all takes customer,");
	bind_err("a b c d e f g h", "too many values: /report all takes at most 7 (customer, month, "
		 "day, n, fmt, ids, note), got 'h' as value 8; put a value with spaces in double "
		 "quotes, like \"two words\"; usage: /report all <customer>");
	bind_err("acme customer=other", "customer is given twice ('acme' and 'other'); give each "
		 "param one value, by position or as name=value");
	bind_err("n=1 n=2 acme", "n is given twice ('1' and '2')");
}

static void test_bind_with_other_slash(void **state)
{
	(void)state;
	split_ok("");
	assert_int_equal(args_bind_as(&cmd, "/rb", words.v, words.n, NOW, &inv, &cause), -1);
	assert_non_null(strstr(cause, "usage: /rb all <customer>"));
	assert_non_null(strstr(cause, "e.g. /rb all acme"));
}

static void test_bind_int(void **state)
{
	(void)state;
	bind_err("acme n=abc", "n: 'abc' is not a whole number; use digits like 30 (a leading - is "
		 "fine), e.g. /report all acme 2024-10 2024-11-29 10");
	bind_err("acme n=12x", "n: '12x' is not a whole number");
	bind_err("acme n=1.5", "n: '1.5' is not a whole number");
	bind_err("acme n=", "n: '' is not a whole number");
	bind_err("acme n=-", "n: '-' is not a whole number");
	bind_err("acme n=\" 1\"", "n: ' 1' is not a whole number");
	bind_err("acme n=9223372036854775808", "n: '9223372036854775808' is out of range; use a whole "
		 "number from -9223372036854775808 to 9223372036854775807");
	bind_ok("acme n=9223372036854775807");
	assert_int_equal(inv.values[3].i, INT64_MAX);
	bind_ok("acme n=+7");
	assert_string_equal(val("n"), "7");
	bind_ok("acme n=-9223372036854775808");
	assert_int_equal(inv.values[3].i, INT64_MIN);
}

static void test_bind_date(void **state)
{
	(void)state;
	bind_err("acme day=2024-13-01", "day: '2024-13-01' is not a real date (there is no month 13); "
		 "use YYYY-MM-DD, today or yesterday, e.g. /report all acme 2024-10 2024-11-29");
	bind_err("acme day=2023-02-29", "day: '2023-02-29' is not a real date (2023-02 has 28 days)");
	bind_err("acme day=2024/11/03", "day: '2024/11/03' is not a date; use YYYY-MM-DD, today or "
		 "yesterday");
	bind_err("acme day=tomorrow", "'tomorrow' is not a date");
	bind_ok("acme day=Today");
	assert_string_equal(val("day"), "2024-11-30");
}

static void test_bind_month(void **state)
{
	(void)state;
	bind_err("acme 2024-13", "month: '2024-13' is not a month; use YYYY-MM, this or last, e.g. "
		 "/report all acme 2024-10");
	bind_err("acme 2024-1", "month: '2024-1' is not a month");
	bind_err("acme november", "month: 'november' is not a month");
	bind_ok("acme LAST");
	assert_string_equal(val("month"), "2024-10");
}

static void test_bind_enum(void **state)
{
	(void)state;
	bind_err("acme fmt=xml", "fmt: 'xml' is not one of csv, tsv, e.g. /report all acme 2024-10 "
		 "2024-11-29 10 csv");
	bind_err("acme fmt=cvs", "fmt: 'cvs' is not one of csv, tsv; did you mean csv?");
}

static void test_bind_list(void **state)
{
	(void)state;
	bind_err("acme ids=a,,b", "ids: 'a,,b' has an empty item; use comma-separated values like "
		 "a,b,c, e.g. /report all");
	bind_err("acme ids=a,", "ids: 'a,' has an empty item");
	bind_err("acme ids=,a", "has an empty item");
	bind_err("acme ids=\"\"", "ids: '' is an empty list");
	bind_err("acme ids=\"  \"", "is an empty list");
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_adds(&sb, "acme ids=");
	for (int i = 0; i < ARG_LIST_MAX; i++)
		strbuf_addf(&sb, "%s%d", i ? "," : "", i);
	bind_ok(sb.buf);
	assert_int_equal(inv.values[5].nitems, ARG_LIST_MAX);
	strbuf_adds(&sb, ",x");
	bind_err(sb.buf, "ids: the list has more than 1000 items");
	strbuf_release(&sb);
}

static void test_bind_string(void **state)
{
	(void)state;
	char *s = xmalloc(ARG_STRING_MAX + 2);
	memset(s, 'x', ARG_STRING_MAX + 1);
	s[ARG_STRING_MAX + 1] = '\0';
	char *text = xasprintf("acme note=%s", s);
	bind_err(text, "note: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 1001 bytes; the "
		 "limit is 1000");
	free(text);
	s[ARG_STRING_MAX] = '\0';
	text = xasprintf("acme note=%s", s);
	bind_ok(text);
	free(text);
	free(s);
	/* words that did not come from args_split are checked too */
	char *raw[] = { (char *)"ac\xffme" };
	invocation_release(&inv);
	assert_int_equal(args_bind(&cmd, raw, 1, NOW, &inv, &cause), -1);
	assert_non_null(strstr(cause, "customer: the value is not valid UTF-8 (byte 3)"));
	free(cause);
	cause = NULL;
	bind_ok("\"顧客 A\"");
	assert_string_equal(val("customer"), "顧客 A");
}

/* --- SQL, describe, file name --- */

static void test_sql_binds(void **state)
{
	(void)state;
	bind_ok("\"' OR 1=1 --\" 2024-02 2024-02-29 42 tsv x,y,z \"a \\\"b\\\"\"");
	struct strbuf sql;
	struct bind_value *b;
	size_t nb;
	strbuf_init(&sql);
	assert_int_equal(invocation_sql(&inv, &sql, &b, &nb, &cause), 0);
	assert_string_equal(sql.buf, "SELECT ?, ?, ?, ?, ?, ?, ?, ?\nWHERE id IN (?, ?, ?)\n");
	assert_int_equal(nb, 11);
	assert_int_equal(b[0].kind, BIND_TEXT);
	assert_string_equal(b[0].text, "' OR 1=1 --");
	assert_string_equal(b[1].text, "2024-02");
	assert_string_equal(b[2].text, "2024-02-01");
	assert_string_equal(b[3].text, "2024-03-01");
	assert_string_equal(b[4].text, "2024-02-29");
	assert_int_equal(b[1].kind, BIND_TEXT);   /* the month as typed */
	assert_int_equal(b[2].kind, BIND_DATE);   /* its _start and _end */
	assert_int_equal(b[3].kind, BIND_DATE);
	assert_int_equal(b[4].kind, BIND_DATE);
	assert_int_equal(b[5].kind, BIND_INT);
	assert_int_equal(b[5].i, 42);
	assert_string_equal(b[6].text, "tsv");
	assert_string_equal(b[7].text, "a \"b\"");
	assert_string_equal(b[8].text, "x");
	assert_string_equal(b[10].text, "z");
	assert_null(strstr(sql.buf, "OR 1=1"));
	free(b);
	strbuf_release(&sql);
}

static void test_sql_unbound(void **state)
{
	(void)state;
	/* What check prepares: the same text as invocation_sql, one '?' per
	 * placeholder (a list too), nothing bound. */
	struct strbuf sql;
	size_t n;
	strbuf_init(&sql);
	invocation_sql_unbound(&cmd, &sql, &n);
	assert_string_equal(sql.buf, "SELECT ?, ?, ?, ?, ?, ?, ?, ?\nWHERE id IN (?)\n");
	assert_int_equal(n, 9);
	strbuf_release(&sql);
}

static void test_describe(void **state)
{
	(void)state;
	bind_ok("acme");
	char *d = invocation_describe(&inv);
	assert_string_equal(d, "customer=acme month=2024-10 day=2024-11-30 n=10 fmt=csv ids=1 note=\"\"");
	free(d);
	bind_ok("\"acme corp\" note=\"say \\\"hi\\\"\"");
	d = invocation_describe(&inv);
	assert_non_null(strstr(d, "customer=\"acme corp\""));
	assert_non_null(strstr(d, "note=\"say \\\"hi\\\"\""));
	/* describe's output binds back to the same values */
	strlist_release(&words);
	assert_int_equal(args_split(d, &words, &cause), 0);
	struct invocation again;
	assert_int_equal(args_bind(&cmd, words.v, words.n, NOW, &again, &cause), 0);
	assert_string_equal(again.values[0].text, "acme corp");
	assert_string_equal(again.values[6].text, "say \"hi\"");
	invocation_release(&again);
	free(d);
}

static void test_filename_default(void **state)
{
	(void)state;
	bind_ok("acme");
	char *f = invocation_filename(&inv);
	/* two free-text values (customer, ids) and an empty note: hashed */
	assert_hashed(f, "all-acme-2024-10-2024-11-30-10-csv-1");
	free(f);
	bind_ok("\"../etc/pass wd\" ids=a,b note=顧客");
	f = invocation_filename(&inv);
	assert_hashed(f, "all-.._etc_pass wd-2024-10-2024-11-30-10-csv-a,b-顧客");
	assert_null(strchr(f, '/'));
	free(f);
}

static void test_filename_template(void **state)
{
	(void)state;
	static const char text[] =
		"-- param: customer string\n-- param: month month=last\n"
		"-- filename: usage {customer}/{month}_{month_start}\n"
		"SELECT :customer, :month_start\n";
	struct command c;
	struct strlist errors;
	struct invocation in;
	strlist_init(&errors);
	assert_int_equal(command_parse(&c, "usage", "usage.sql", text, strlen(text), &errors), 0);
	char *w[] = { (char *)"acme" };
	assert_int_equal(args_bind(&c, w, 1, NOW, &in, &cause), 0);
	char *f = invocation_filename(&in);
	assert_string_equal(f, "usage acme_2024-10_2024-10-01.csv");
	free(f);
	invocation_release(&in);
	char *w2[] = { (char *)"..." };
	assert_int_equal(args_bind(&c, w2, 1, NOW, &in, &cause), 0);
	free(c.filename);
	c.filename = xstrdup("{customer}.csv");
	f = invocation_filename(&in);
	assert_hashed(f, "usage");
	free(f);
	invocation_release(&in);
	command_release(&c);
	strlist_release(&errors);
}

static void test_usage_and_example(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	args_usage(&cmd, "/report", &sb);
	assert_string_equal(sb.buf, "/report all <customer> [month=last] [day=today] [n=10] "
			    "[fmt=csv] [ids=1] [note=\"\"]");
	strbuf_reset(&sb);
	args_example(&cmd, "/report", NOW, SIZE_MAX, &sb);
	assert_string_equal(sb.buf, "/report all acme");
	strbuf_reset(&sb);
	args_example(&cmd, "/report", NOW, 6, &sb);
	assert_string_equal(sb.buf, "/report all acme 2024-10 2024-11-29 10 csv 1 note");
	strbuf_release(&sb);
	char *acc = param_accepted(&cmd.params[4]);
	assert_string_equal(acc, "one of csv, tsv");
	free(acc);
}

static void test_no_params(void **state)
{
	(void)state;
	static const char text[] = "-- summary: s\nSELECT 1\n";
	struct command c;
	struct strlist errors;
	struct invocation in;
	strlist_init(&errors);
	assert_int_equal(command_parse(&c, "plain", "plain.sql", text, strlen(text), &errors), 0);
	assert_int_equal(args_bind(&c, NULL, 0, NOW, &in, &cause), 0);
	char *d = invocation_describe(&in), *f = invocation_filename(&in);
	assert_string_equal(d, "");
	assert_string_equal(f, "plain.csv");
	free(d);
	free(f);
	invocation_release(&in);
	char *w[] = { (char *)"x" };
	assert_int_equal(args_bind(&c, w, 1, NOW, &in, &cause), -1);
	assert_non_null(strstr(cause, "too many values: /report plain takes no arguments, got 'x'"));
	free(cause);
	char *w2[] = { (char *)"a=1" };
	assert_int_equal(args_bind(&c, w2, 1, NOW, &in, &cause), -1);
	assert_non_null(strstr(cause, "unknown param 'a' in 'a=1'; /report plain takes no arguments"));
	command_release(&c);
	strlist_release(&errors);
}


/* --- full width (commands/fold.h) --- */

static void test_split_fullwidth_quote(void **state)
{
	(void)state;
	split_ok("\xef\xbc\x82" "acme corp" "\xef\xbc\x82" " x");
	assert_int_equal(words.n, 2);
	assert_string_equal(words.v[0], "acme corp");
	split_ok("note＝\xe2\x80\x9c" "二つの 言葉" "\xe2\x80\x9d");
	assert_int_equal(words.n, 1);
	assert_string_equal(words.v[0], "note＝二つの 言葉");
}

static void test_bind_fullwidth(void **state)
{
	(void)state;
	/* the full-width sign names a param; the string value stays as typed */
	bind_ok("customer＝acme");
	assert_string_equal(val("customer"), "acme");
	bind_ok("ｃｕｓｔｏｍｅｒ＝ＡＣＭＥ　ｍｏｎｔｈ＝２０２４－１１");
	assert_string_equal(val("customer"), "ＡＣＭＥ");
	assert_string_equal(val("month"), "2024-11");
	assert_string_equal(inv.values[1].start, "2024-11-01");
	/* dates, ints, enums typed full width bind folded and resolved */
	bind_ok("acme ２０２４－１１ ２０２４－１１－０３ －５ ＴＳＶ");
	assert_string_equal(val("day"), "2024-11-03");
	assert_string_equal(val("n"), "-5");
	assert_int_equal(inv.values[3].i, -5);
	assert_string_equal(val("fmt"), "tsv");
	bind_ok("acme day＝ｙｅｓｔｅｒｄａｙ month＝ｌａｓｔ");
	assert_string_equal(val("day"), "2024-11-29");
	assert_string_equal(val("month"), "2024-10");
	/* list items are free text: kept as typed, split at ',' and '，' */
	bind_ok("acme ids＝\"ａ，b, Ｃ \"");
	assert_int_equal(inv.values[5].nitems, 3);
	assert_string_equal(inv.values[5].items[0], "ａ");
	assert_string_equal(inv.values[5].items[1], "b");
	assert_string_equal(inv.values[5].items[2], "Ｃ");
	/* the description (the ack) shows what was bound */
	bind_ok("ｃｕｓｔｏｍｅｒ＝大和 ｎ＝１２");
	char *d = invocation_describe(&inv);
	assert_string_equal(d, "customer=大和 month=2024-10 day=2024-11-30 n=12 fmt=csv ids=1 note=\"\"");
	free(d);
	/* mistakes are explained on the folded value, with did-you-mean */
	bind_err("acme ｆｍｔ＝ｔｓｖｖ", "fmt: 'tsvv' is not one of csv, tsv; did you mean tsv?");
	bind_err("acme ｍｏｎｔｈ＝２０２４－１３", "month: '2024-13' is not a month");
	bind_err("ｃｕｓｔｏｍｅｒｒ＝acme", "unknown param 'customerr'");
	/* a half-typed sign is not a name: the word is a positional value */
	bind_ok("customer＝");
	bind_ok("ｃｕｓｔｏｍｅｒ");
	assert_string_equal(val("customer"), "ｃｕｓｔｏｍｅｒ");
}

/* --- ranges and order --- */

static struct command other;

static void parse_other(const char *text)
{
	struct strlist errors;
	strlist_init(&errors);
	command_release(&other);
	int rc = command_parse(&other, "r", "r.sql", text, strlen(text), &errors);
	for (size_t i = 0; i < errors.n; i++)
		print_error("%s\n", errors.v[i]);
	strlist_release(&errors);
	assert_int_equal(rc, 0);
}

/* Bind text to other: 0 or -1, *why (caller frees) on error. */
static int bind_other(const char *text, struct invocation *out, char **why)
{
	struct strlist w;
	strlist_init(&w);
	assert_int_equal(args_split(text, &w, why), 0);
	int rc = args_bind(&other, w.v, w.n, NOW, out, why);
	strlist_release(&w);
	return rc;
}

static void other_ok(const char *text)
{
	struct invocation in;
	char *why = NULL;
	if (bind_other(text, &in, &why) < 0)
		fail_msg("bind '%s': %s", text, why);
	invocation_release(&in);
}

static void other_err(const char *text, const char *want)
{
	struct invocation in;
	char *why = NULL;
	assert_int_equal(bind_other(text, &in, &why), -1);
	if (!strstr(why, want))
		fail_msg("cause '%s' lacks '%s'", why, want);
	free(why);
}

static void test_int_range(void **state)
{
	(void)state;
	parse_other("-- param: weeks int(1..52)=8 How many weeks\nSELECT :weeks");
	other_ok("1");
	other_ok("52");
	other_ok("weeks=８");
	other_err("weeks=-3", "weeks: '-3' is out of range; use a whole number from 1 to 52, "
		  "e.g. /report r 8");
	other_err("0", "'0' is out of range; use a whole number from 1 to 52");
	other_err("53", "'53' is out of range");
	other_err("５３", "'53' is out of range");
	char *acc = param_accepted(&other.params[0]);
	assert_string_equal(acc, "a whole number from 1 to 52");
	free(acc);
	/* open ends */
	parse_other("-- param: n int(1..)\nSELECT :n");
	other_ok("1000000000000");
	other_err("0", "'0' is out of range; use a whole number of at least 1, e.g. /report r 10");
	acc = param_accepted(&other.params[0]);
	assert_string_equal(acc, "a whole number of at least 1");
	free(acc);
	parse_other("-- param: n int(..-5)\nSELECT :n");
	other_ok("-5");
	other_ok("-99999");
	/* the example is inside the range even without a default */
	other_err("-4", "'-4' is out of range; use a whole number of at most -5, e.g. /report r -5");
	parse_other("-- param: n int(20..30)\nSELECT :n");
	other_err("31", "e.g. /report r 20");
	/* a plain int is unlimited */
	parse_other("-- param: n int\nSELECT :n");
	other_ok("-3");
}

static void test_order_bind(void **state)
{
	(void)state;
	parse_other("-- param: from date\n-- param: to date=today\n-- order: from <= to\n"
		    "SELECT :from, :to");
	other_ok("2024-11-01 2024-11-30");
	other_ok("2024-11-30 2024-11-30");
	other_ok("yesterday");
	other_err("today yesterday", "from 2024-11-30 comes after to 2024-11-29; from must not "
		  "come after to, e.g. /report r 2024-11-29 2024-11-29");
	other_err("to=2024-01-01 from=2024-02-01", "from 2024-02-01 comes after to 2024-01-01");
	other_err("２０２４－１２－０１", "from 2024-12-01 comes after to 2024-11-30");
	/* months, and an example that keeps the order whatever the descriptions say */
	parse_other("-- param: a month    First, e.g. 2024-12\n"
		    "-- param: b month    Last, e.g. 2024-01\n-- order: a <= b\nSELECT :a, :b");
	other_ok("2024-01 2024-12");
	other_err("this last", "a 2024-11 comes after b 2024-10; a must not come after b, "
		  "e.g. /report r 2024-01 2024-12");
	struct strbuf sb;
	strbuf_init(&sb);
	args_example(&other, "/report", NOW, SIZE_MAX, &sb);
	assert_string_equal(sb.buf, "/report r 2024-01 2024-12");
	strbuf_release(&sb);
}

/* --- file names --- */

/* The file name of text bound to other; caller frees. */
static char *name_of(const char *text)
{
	struct invocation in;
	char *why = NULL;
	if (bind_other(text, &in, &why) < 0)
		fail_msg("bind '%s': %s", text, why);
	char *f = invocation_filename(&in);
	invocation_release(&in);
	assert_int_equal(utf8_invalid_at(f, strlen(f)), strlen(f));
	return f;
}

static void test_filename_keeps_letters(void **state)
{
	(void)state;
	parse_other("-- param: customer string\n-- param: month month=last\n"
		    "-- filename: usage-{customer}-{month}.csv\nSELECT :customer, :month_start");
	char *a = name_of("大和"), *b = name_of("東京"), *c = name_of("\"acme corp\" 2024-11");
	assert_string_equal(a, "usage-大和-2024-10.csv");
	assert_string_equal(b, "usage-東京-2024-10.csv");
	assert_string_equal(c, "usage-acme corp-2024-11.csv");
	free(a);
	free(b);
	free(c);
	a = name_of("Ｃａｆé,#1&(x)");
	assert_string_equal(a, "usage-Ｃａｆé,#1&(x)-2024-10.csv");
	free(a);
}

static void test_filename_replaces_unsafe(void **state)
{
	(void)state;
	parse_other("-- param: customer string\n-- param: month month=last\n"
		    "-- filename: usage-{customer}-{month}.csv\nSELECT :customer, :month_start");
	static const char *const bad[] = {
		"a/b", "a\\\\b", "a<b", "a>b", "a:b", "a\\\"b", "a|b", "a?b", "a*b",
		"a\tb", "a\x01" "b", "a\x7f" "b", "a\xc2\x85" "b", "a\xe2\x80\xae" "b",
		"a\xe2\x80\x8b" "b", "a\xe2\x81\xa6" "b", "a\xef\xbb\xbf" "b", "a\xe2\x80\xa8" "b",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xasprintf("\"%s\"", bad[i]);
		char *f = name_of(text);
		assert_hashed(f, "usage-a_b-2024-10");
		free(text);
		free(f);
	}
	/* a run of them is one '_'; each list of values has its own name */
	char *a = name_of("\"a/:b\""), *b = name_of("\"a/b\""), *c = name_of("a_b");
	assert_hashed(a, "usage-a_b-2024-10");
	assert_hashed(b, "usage-a_b-2024-10");
	assert_string_equal(c, "usage-a_b-2024-10.csv");
	assert_string_not_equal(a, b);
	/* the same values give the same name every time */
	char *again = name_of("\"a/:b\"");
	assert_string_equal(a, again);
	free(a);
	free(b);
	free(c);
	free(again);
}

static void test_filename_windows_rules(void **state)
{
	(void)state;
	parse_other("-- param: customer string\n-- filename: {customer}.csv\nSELECT :customer");
	static const char *const devices[] = { "CON", "con", "Nul", "aux", "PRN", "COM1", "lpt9",
					       "com\xc2\xb9", "CON.txt", "nul ", };
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		char *text = xasprintf("\"%s\"", devices[i]);
		char *f = name_of(text);
		size_t stem = strcspn(f, ". -");
		if (strncmp(f + stem - 1, "_", 1) != 0)
			fail_msg("'%s' keeps the device name of '%s'", f, devices[i]);
		assert_non_null(strstr(f, "-"));
		free(text);
		free(f);
	}
	char *f = name_of("CONSOLE");
	assert_string_equal(f, "CONSOLE.csv");
	free(f);
	f = name_of("COM10");
	assert_string_equal(f, "COM10.csv");
	free(f);
	/* no leading or trailing dots or spaces */
	f = name_of("\" .acme. \"");
	assert_hashed(f, "acme");
	free(f);
	f = name_of("..");
	assert_hashed(f, "r");
	free(f);
	f = name_of("r");
	assert_string_equal(f, "r.csv");
	free(f);
	f = name_of("\"\"");
	assert_hashed(f, "r");
	free(f);
}

static void test_filename_never_the_same(void **state)
{
	(void)state;
	/* default names: "a-b"+"c" and "a"+"b-c" */
	parse_other("-- param: x string\n-- param: y string\nSELECT :x, :y");
	char *a = name_of("a-b c"), *b = name_of("a b-c");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	/* an empty value is not in the default name */
	parse_other("-- param: x string=\"\"\n-- param: y string=\"\"\nSELECT :x, :y");
	a = name_of("x=v");
	b = name_of("y=v");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	/* free text next to a negative int: "x-" 5 and "x" -5 */
	parse_other("-- param: s string\n-- param: n int\nSELECT :s, :n");
	a = name_of("x- 5");
	b = name_of("x -5");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	/* a non-negative int after free text and plain ints need no hash */
	parse_other("-- param: s string\n-- param: n int(0..)\nSELECT :s, :n");
	a = name_of("x 5");
	assert_string_equal(a, "r-x-5.csv");
	free(a);
	parse_other("-- param: n int\n-- param: p enum(all|team)\nSELECT :n, :p");
	a = name_of("-5 team");
	assert_string_equal(a, "r--5-team.csv");
	free(a);
	/* a param left out of the template */
	parse_other("-- param: c list\n-- param: m month=last\n-- filename: c-{m}.csv\n"
		    "SELECT :m_start WHERE x IN (:c)");
	a = name_of("a,b");
	b = name_of("a,c");
	assert_hashed(a, "c-2024-10");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	/* two open-length values in a template */
	parse_other("-- param: x string\n-- param: y string\n-- filename: {x}{y}\nSELECT :x, :y");
	a = name_of("ab c");
	b = name_of("a bc");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void test_filename_length(void **state)
{
	(void)state;
	parse_other("-- param: customer string\n-- filename: u-{customer}.csv\nSELECT :customer");
	struct strbuf sb;
	strbuf_init(&sb);
	for (int i = 0; i < 300; i++)
		strbuf_adds(&sb, "大");
	char *a = name_of(sb.buf);
	strbuf_adds(&sb, "x");
	char *b = name_of(sb.buf);
	assert_true(strlen(a) <= 204);
	assert_int_equal(strncmp(a, "u-大大", 8), 0);
	assert_string_equal(a + strlen(a) - 4, ".csv");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	strbuf_release(&sb);
}

static int release_other(void **state)
{
	command_release(&other);
	return reset(state);
}

#define T(f) cmocka_unit_test_teardown(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_split_words),
		T(test_split_quotes),
		T(test_split_unicode_spaces),
		T(test_split_errors),
		T(test_split_keeps_sql_as_text),
		T(test_bind_positional_and_defaults),
		T(test_bind_named_and_mixed),
		T(test_bind_relative_in_tokyo),
		T(test_bind_structure_errors),
		T(test_bind_with_other_slash),
		T(test_bind_int),
		T(test_bind_date),
		T(test_bind_month),
		T(test_bind_enum),
		T(test_bind_list),
		T(test_bind_string),
		T(test_sql_binds),
		T(test_sql_unbound),
		T(test_describe),
		T(test_filename_default),
		T(test_filename_template),
		T(test_usage_and_example),
		T(test_no_params),
		T(test_split_fullwidth_quote),
		T(test_bind_fullwidth),
		cmocka_unit_test_teardown(test_int_range, release_other),
		cmocka_unit_test_teardown(test_order_bind, release_other),
		cmocka_unit_test_teardown(test_filename_keeps_letters, release_other),
		cmocka_unit_test_teardown(test_filename_replaces_unsafe, release_other),
		cmocka_unit_test_teardown(test_filename_windows_rules, release_other),
		cmocka_unit_test_teardown(test_filename_never_the_same, release_other),
		cmocka_unit_test_teardown(test_filename_length, release_other),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
