/* test-command: the command file header, every rule and its message. */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "commands/command.h"

static struct strlist errors;
static struct command cmd;

static int parse_as(const char *name, const char *text)
{
	command_release(&cmd);
	strlist_release(&errors);
	return command_parse(&cmd, name, "c/x.sql", text, strlen(text), &errors);
}

static int parse(const char *text)
{
	return parse_as("x", text);
}

static void dump(void)
{
	for (size_t i = 0; i < errors.n; i++)
		print_error("fault: %s\n", errors.v[i]);
}

static void expect_ok(const char *text)
{
	int rc = parse(text);
	dump();
	assert_int_equal(rc, 0);
	assert_int_equal(errors.n, 0);
}

/* Some fault holds want (a substring); returns how many faults there were. */
static size_t expect_fault(const char *text, const char *want)
{
	int rc = parse(text);
	assert_int_equal(rc, -1);
	for (size_t i = 0; i < errors.n; i++)
		if (strstr(errors.v[i], want))
			return errors.n;
	dump();
	fail_msg("no fault contains '%s'", want);
	return 0;
}

/* text must give exactly one fault, containing want. */
static void expect_one(const char *text, const char *want)
{
	if (expect_fault(text, want) != 1) {
		dump();
		fail_msg("more than one fault");
	}
}

static int teardown(void **state)
{
	(void)state;
	command_release(&cmd);
	strlist_release(&errors);
	return 0;
}

static void test_full_header(void **state)
{
	(void)state;
	expect_ok("-- summary: Monthly usage for one customer\n"
		  "-- source: main\n"
		  "-- param: customer string        Customer slug, e.g. acme\n"
		  "-- param: month month=last       Month as YYYY-MM, or this / last\n"
		  "-- param: fmt enum(csv|tsv)=csv  Output\n"
		  "-- param: ids list=\"1, 2\"       Ids\n"
		  "-- param: n int=10\n"
		  "-- param: day date=today        Day\n"
		  "-- channels: C0123456789 C0987654321\n"
		  "-- timeout: 300\n"
		  "-- max_rows: 100000\n"
		  "-- filename: usage-{customer}-{month}.csv\n"
		  "-- bom: true\n"
		  "SELECT day, events FROM usage\n"
		  "WHERE customer = :customer AND day >= :month_start AND day < :month_end\n"
		  "AND f = :fmt AND id IN (:ids) AND n < :n AND d = :day\n");
	assert_string_equal(cmd.name, "x");
	assert_string_equal(cmd.path, "c/x.sql");
	assert_string_equal(cmd.summary, "Monthly usage for one customer");
	assert_string_equal(cmd.source, "main");
	assert_int_equal(cmd.nparams, 6);
	assert_string_equal(cmd.params[0].name, "customer");
	assert_int_equal(cmd.params[0].type, PARAM_STRING);
	assert_null(cmd.params[0].def);
	assert_string_equal(cmd.params[0].description, "Customer slug, e.g. acme");
	assert_int_equal(cmd.params[1].type, PARAM_MONTH);
	assert_string_equal(cmd.params[1].def, "last");
	assert_int_equal(cmd.params[2].type, PARAM_ENUM);
	assert_int_equal(cmd.params[2].nchoices, 2);
	assert_string_equal(cmd.params[2].choices[0], "csv");
	assert_string_equal(cmd.params[2].choices[1], "tsv");
	assert_string_equal(cmd.params[2].def, "csv");
	assert_int_equal(cmd.params[3].type, PARAM_LIST);
	assert_string_equal(cmd.params[3].def, "1, 2");
	assert_int_equal(cmd.params[4].type, PARAM_INT);
	assert_string_equal(cmd.params[4].description, "");
	assert_int_equal(cmd.params[5].type, PARAM_DATE);
	assert_int_equal(cmd.nchannels, 2);
	assert_string_equal(cmd.channels[1], "C0987654321");
	assert_int_equal(cmd.timeout, 300);
	assert_int_equal(cmd.max_rows, 100000);
	assert_string_equal(cmd.filename, "usage-{customer}-{month}.csv");
	assert_int_equal(cmd.bom, 1);
	assert_int_equal(cmd.sql_line, 14);
	assert_true(strncmp(cmd.sql, "SELECT day", 10) == 0);
	assert_true(cmd.npieces > 0);
	assert_string_equal(cmd.pieces[1].name, "customer");
}

static void test_defaults_when_absent(void **state)
{
	(void)state;
	expect_ok("SELECT 1");
	assert_null(cmd.summary);
	assert_null(cmd.source);
	assert_int_equal(cmd.nparams, 0);
	assert_int_equal(cmd.nchannels, 0);
	assert_int_equal(cmd.timeout, 0);
	assert_int_equal(cmd.max_rows, 0);
	assert_null(cmd.filename);
	assert_int_equal(cmd.bom, -1);
	assert_int_equal(cmd.sql_line, 1);
	expect_ok("-- bom: false\nSELECT 1");
	assert_int_equal(cmd.bom, 0);
}

static void test_header_end_and_comments(void **state)
{
	(void)state;
	/* blank lines, bare --, plain comments, URLs, a separator line */
	expect_ok("-- Monthly export for finance\n"
		  "--\n"
		  "-- summary: s\n"
		  "\n"
		  "-- see http://wiki/x for details\n"
		  "-----------------------------\n"
		  "   -- param: a int   indented\n"
		  "\n"
		  "SELECT :a\n"
		  "-- a comment in the SQL with a colon: fine\n");
	assert_string_equal(cmd.summary, "s");
	assert_int_equal(cmd.nparams, 1);
	assert_int_equal(cmd.sql_line, 9);
	/* CRLF and a UTF-8 BOM */
	expect_ok("\xef\xbb\xbf-- summary: crlf\r\n-- param: a int\r\nSELECT :a\r\n");
	assert_string_equal(cmd.summary, "crlf");
	assert_int_equal(cmd.sql_line, 3);
	/* "--summary:" without a space is a key line too */
	expect_ok("--summary: tight\nSELECT 1");
	assert_string_equal(cmd.summary, "tight");
	/* Japanese text in a summary */
	expect_ok("-- summary: 顧客別の月次利用量\nSELECT 1");
	assert_string_equal(cmd.summary, "顧客別の月次利用量");
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_one("-- sumary: x\nSELECT 1",
		   "c/x.sql:1: unknown key 'sumary'; did you mean 'summary'? accepted: summary, "
		   "source, param, channels, timeout, max_rows, filename, bom");
	expect_one("-- summary: x\n-- Note: y\nSELECT 1", "c/x.sql:2: unknown key 'Note'; accepted:");
	expect_one("-- Summary: x\nSELECT 1", "did you mean 'summary'?");
	expect_one("-- paramz: a int\nSELECT 1", "did you mean 'param'?");
	expect_one("-- max-rows: 10\nSELECT 1", "unknown key 'max-rows'; did you mean 'max_rows'?");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_one("-- summary: a\n-- summary: b\nSELECT 1",
		   "c/x.sql:2: duplicate key 'summary' (first at line 1)");
	expect_one("-- timeout: 1\n-- source: a\n-- timeout: 2\nSELECT 1",
		   "c/x.sql:3: duplicate key 'timeout' (first at line 1)");
}

static void test_empty_values(void **state)
{
	(void)state;
	expect_one("-- summary:\nSELECT 1", "c/x.sql:1: summary is empty");
	expect_one("-- source:   \nSELECT 1", "source is empty");
	expect_one("-- param:\nSELECT 1", "param is empty; write '-- param: NAME TYPE[=DEFAULT] description'");
	expect_one("-- channels:\nSELECT 1", "channels is empty");
}

static void test_param_name(void **state)
{
	(void)state;
	expect_one("-- param: Customer string\nSELECT 1", "c/x.sql:1: param name 'Customer' is not valid");
	expect_one("-- param: 1st string\nSELECT 1", "param name '1st' is not valid");
	expect_one("-- param: a-b string\nSELECT 1", "param name 'a-b' is not valid");
	expect_ok("-- param: _a1 string\nSELECT :_a1");
	expect_one("-- param: a int\n-- param: a string\nSELECT :a",
		   "c/x.sql:2: duplicate param 'a' (first at line 1)");
}

static void test_param_type(void **state)
{
	(void)state;
	expect_one("-- param: a\nSELECT 1", "param a: missing type");
	expect_one("-- param: a strng d\nSELECT 1",
		   "param a: unknown type 'strng'; did you mean 'string'? accepted: string, int, "
		   "int(MIN..MAX), date, month, enum(a|b|c), list");
	expect_one("-- param: a integer\nSELECT 1", "unknown type 'integer'");
	expect_one("-- param: a enum\nSELECT 1", "param a: enum needs its choices, e.g. enum(csv|tsv)");
	expect_one("-- param: a enum(x|y\nSELECT 1", "param a: enum( is not closed");
	expect_one("-- param: a enum(x||y)\nSELECT 1", "param a: empty choice in enum(x||y)");
	expect_one("-- param: a enum(x|a b)\nSELECT 1", "enum choice 'a b' is not valid");
	expect_one("-- param: a enum(x|X)\nSELECT 1", "enum choice 'X' is listed twice");
	expect_one("-- param: a int!x\nSELECT 1", "param a: unknown type 'int!x'");
	expect_one("-- param: a string=\"q\"x\nSELECT :a", "param a: unexpected 'x' after the type");
	/* spaces around enum choices are fine */
	expect_ok("-- param: a enum( x | y )\nSELECT :a");
	assert_string_equal(cmd.params[0].choices[1], "y");
}


/* int(MIN..MAX): both ends, one open end, negative ends. */
static void test_int_range(void **state)
{
	(void)state;
	expect_ok("-- param: weeks int(1..52)=4 How many weeks\nSELECT :weeks");
	assert_int_equal(cmd.params[0].type, PARAM_INT);
	assert_true(cmd.params[0].has_min && cmd.params[0].has_max);
	assert_int_equal(cmd.params[0].min, 1);
	assert_int_equal(cmd.params[0].max, 52);
	assert_string_equal(cmd.params[0].def, "4");
	assert_string_equal(cmd.params[0].description, "How many weeks");
	expect_ok("-- param: n int(1..)\nSELECT :n");
	assert_true(cmd.params[0].has_min && !cmd.params[0].has_max);
	expect_ok("-- param: n int( .. 52 )\nSELECT :n");
	assert_true(!cmd.params[0].has_min && cmd.params[0].has_max);
	assert_int_equal(cmd.params[0].max, 52);
	expect_ok("-- param: n int(-10..-1)=-5\nSELECT :n");
	assert_int_equal(cmd.params[0].min, -10);
	assert_int_equal(cmd.params[0].max, -1);
	expect_ok("-- param: n int(7..7)\nSELECT :n");
	/* a plain int has no range */
	expect_ok("-- param: n int\nSELECT :n");
	assert_false(cmd.params[0].has_min || cmd.params[0].has_max);
}

/* A bad range is a fault with its line and the accepted forms. */
static void test_int_range_faults(void **state)
{
	(void)state;
	expect_one("-- summary: s\n-- param: n int(52..1)\nSELECT :n",
		   "c/x.sql:2: param n: range 52..1 is empty; the smaller end comes first, "
		   "e.g. int(1..52)");
	expect_one("-- param: n int(..)\nSELECT :n", "c/x.sql:1: param n: range '..' has no end");
	expect_one("-- param: n int(1-52)\nSELECT :n",
		   "param n: range '1-52' has no '..'; write int(MIN..MAX) with whole numbers, "
		   "e.g. int(1..52); an end may be left open: int(1..) or int(..52)");
	expect_one("-- param: n int(a..b)\nSELECT :n", "param n: range 'a..b' is not valid");
	expect_one("-- param: n int(1.5..3)\nSELECT :n", "range '1.5..3' is not valid");
	expect_one("-- param: n int(1..99999999999999999999)\nSELECT :n", "is not valid");
	expect_one("-- param: n int(1..52\nSELECT :n", "param n: int( is not closed");
	expect_one("-- param: n int(1..52)=60\nSELECT :n",
		   "param n: default '60' is out of range; use a whole number from 1 to 52");
	expect_one("-- param: n int(1..52)x\nSELECT :n", "param n: unexpected 'x' after the type");
	expect_one("-- param: n date(1..2)\nSELECT :n", "unknown type 'date(1..2)'");
}

/* order: FIRST <= SECOND between two dates or two months. */
static void test_order(void **state)
{
	(void)state;
	expect_ok("-- param: from date\n-- param: to date=today\n-- order: from <= to\n"
		  "SELECT :from, :to");
	assert_int_equal(cmd.norders, 1);
	assert_int_equal(cmd.orders[0].first, 0);
	assert_int_equal(cmd.orders[0].second, 1);
	/* the order line may come before the params; several pairs */
	expect_ok("-- order: a<=b, b <= c\n-- param: a month\n-- param: b month\n"
		  "-- param: c month\nSELECT :a, :b, :c");
	assert_int_equal(cmd.norders, 2);
	assert_int_equal(cmd.orders[1].first, 1);
	assert_int_equal(cmd.orders[1].second, 2);
	/* no order key: none */
	expect_ok("-- param: from date\nSELECT :from");
	assert_int_equal(cmd.norders, 0);
}

static void test_order_faults(void **state)
{
	(void)state;
	static const char params[] = "-- param: from date\n-- param: to date\n-- param: m month\n"
		"-- param: n int\n";
	char *t;
#define ORDER_ONE(line, want) \
	t = xasprintf("%s-- order: %s\nSELECT :from, :to, :m, :n", params, line); \
	expect_one(t, want); \
	free(t)
	ORDER_ONE("from < to", "c/x.sql:5: order 'from < to' is not valid; write -- order: "
		  "FIRST <= SECOND with two date or two month params, e.g. from <= to");
	ORDER_ONE("from <=", "order 'from <=' is not valid");
	ORDER_ONE("<= to", "order '<= to' is not valid");
	ORDER_ONE("from <= too", "c/x.sql:5: order: too is not a declared param; did you mean to?");
	ORDER_ONE("frm <= to", "order: frm is not a declared param; did you mean from?");
	ORDER_ONE("from <= from", "order 'from <= from' compares from with itself");
	ORDER_ONE("from <= m", "order 'from <= m': from is of type date and m of type month; "
		  "both must be date or both month");
	ORDER_ONE("n <= from", "n is of type int");
	ORDER_ONE("from <= to, to <= m", "order 'to <= m'");
#undef ORDER_ONE
	expect_one("-- order:\nSELECT 1", "order is empty");
	expect_one("-- param: a date\n-- param: b date\n-- order: a <= b\n-- order: b <= a\n"
		   "SELECT :a, :b", "c/x.sql:4: duplicate key 'order' (first at line 3)");
}

static void test_param_defaults(void **state)
{
	(void)state;
	expect_ok("-- param: d date=today\n-- param: e date=yesterday\n-- param: f date=2024-02-29\n"
		  "-- param: m month=this\n-- param: n month=2024-12\n-- param: s string=\"\"\n"
		  "-- param: t string=\"two \\\"words\\\"\"\n-- param: i int=-5\n"
		  "SELECT :d, :e, :f, :m, :n_end, :s, :t, :i");
	assert_string_equal(cmd.params[5].def, "");
	assert_string_equal(cmd.params[6].def, "two \"words\"");
	expect_one("-- param: a int=\nSELECT :a", "param a: '=' without a default");
	expect_one("-- param: a string=\"open\nSELECT :a", "param a: default has an unclosed quote");
	expect_one("-- param: a int=abc\nSELECT :a",
		   "c/x.sql:1: param a: default 'abc' is not a whole number");
	expect_one("-- param: a date=2024-02-30\nSELECT :a",
		   "param a: default '2024-02-30' is not a real date (2024-02 has 29 days)");
	expect_one("-- param: a month=lst\nSELECT :a",
		   "param a: default 'lst' is not a month; use YYYY-MM, this or last");
	expect_one("-- param: a enum(x|y)=z\nSELECT :a", "param a: default 'z' is not one of x, y");
	expect_one("-- param: a list=a,,b\nSELECT :a", "param a: default 'a,,b' has an empty item");
}

static void test_required_after_optional(void **state)
{
	(void)state;
	expect_one("-- param: a int=1\n-- param: b int\nSELECT :a, :b",
		   "c/x.sql:2: required param 'b' comes after optional param 'a'");
}

static void test_month_suffix_clash(void **state)
{
	(void)state;
	expect_one("-- param: m month\n-- param: m_start date\nSELECT :m, :m_start",
		   "c/x.sql:2: param 'm_start' clashes with :m_start of month param 'm'");
}

static void test_numbers_and_flags(void **state)
{
	(void)state;
	expect_one("-- timeout: 0\nSELECT 1", "c/x.sql:1: timeout '0' is not valid; use a whole "
		   "number of seconds from 1 to 86400");
	expect_one("-- timeout: 86401\nSELECT 1", "timeout '86401' is not valid");
	expect_one("-- timeout: 5m\nSELECT 1", "timeout '5m' is not valid");
	expect_one("-- timeout: -1\nSELECT 1", "timeout '-1' is not valid");
	expect_ok("-- timeout: 86400\nSELECT 1");
	expect_one("-- max_rows: 0\nSELECT 1", "max_rows '0' is not valid; use a positive whole number");
	expect_one("-- max_rows: 99999999999999999999\nSELECT 1", "max_rows '99999999999999999999'");
	expect_one("-- bom: yes\nSELECT 1", "c/x.sql:1: bom 'yes' is not valid; use true or false");
	expect_one("-- source: my db\nSELECT 1", "source 'my db' is not a source name");
}

static void test_channels(void **state)
{
	(void)state;
	expect_one("-- channels: #general C01\nSELECT 1",
		   "c/x.sql:1: channel '#general' is not a channel id; use ids like C0123456789");
	expect_one("-- channels: C01 c02\nSELECT 1", "channel 'c02' is not a channel id");
	expect_one("-- channels: C01 C01\nSELECT 1", "channel C01 is listed twice");
	expect_ok("-- channels:  C01\tG02   D03 \nSELECT 1");
	assert_int_equal(cmd.nchannels, 3);
	assert_string_equal(cmd.channels[2], "D03");
}

static void test_filename(void **state)
{
	(void)state;
	expect_ok("-- param: customer string\n-- param: m month\n"
		  "-- filename: {customer}-{m}-{m_start}.csv\nSELECT :customer, :m");
	expect_one("-- param: customer string\n-- filename: u-{custmer}.csv\nSELECT :customer",
		   "c/x.sql:2: filename field {custmer} is not a declared param; did you mean "
		   "{customer}? declared: {customer}");
	expect_one("-- filename: u-{a.csv\nSELECT 1", "filename 'u-{a.csv': '{' is not closed");
	expect_one("-- filename: u-}a.csv\nSELECT 1", "'}' without '{'");
	/* checked after the whole header: params may come later */
	expect_ok("-- filename: {a}.csv\n-- param: a int\nSELECT :a");
}

static void test_sql_rules(void **state)
{
	(void)state;
	expect_one("-- summary: s\n", "c/x.sql:2: no SQL after the header");
	expect_one("-- summary: s", "no SQL after the header");
	expect_one("", "c/x.sql:1: no SQL after the header");
	expect_one("-- summary: s\n\n/* only a comment */\n", "c/x.sql:3: no SQL after the header");
	expect_one("-- param: customer string\nSELECT 1\nWHERE c = :custmer AND :customer = 1",
		   "c/x.sql:3: placeholder :custmer is not a declared param; did you mean :customer?");
	expect_one("SELECT :a", "c/x.sql:1: placeholder :a is not a declared param; declare it "
		   "with '-- param: a TYPE description'");
	expect_one("-- param: m month\nSELECT :m, :m_middle",
		   "c/x.sql:2: placeholder :m_middle is not a declared param; declared: :m, "
		   ":m_start, :m_end");
	/* a param with a fault of its own gets no follow-up faults */
	expect_one("-- param: a strng\nSELECT :a", "unknown type 'strng'");
	expect_one("-- param: a int\n-- param: b int\nSELECT :a",
		   "c/x.sql:2: param 'b' is not used in the SQL; use :b or remove the param");
	expect_one("-- param: m month\nSELECT 1",
		   "c/x.sql:1: param 'm' is not used in the SQL; use :m, :m_start or :m_end");
	expect_ok("-- param: m month\nSELECT :m_end");
	expect_one("-- param: a int\nSELECT :a, ?", "c/x.sql:2: '?' in the SQL");
	expect_one("-- param: a int\nSELECT :a\n-- param: b int\n",
		   "c/x.sql:3: 'param:' line after the SQL began at line 2");
	expect_one("SELECT 1; SELECT 2", "more than one statement");
	/* a placeholder in a literal or comment does not count as a use */
	expect_one("-- param: a int\nSELECT ':a' -- :a\n", "param 'a' is not used");
}

static void test_command_name(void **state)
{
	(void)state;
	int rc = parse_as("Usage Report", "SELECT 1");
	assert_int_equal(rc, -1);
	assert_int_equal(errors.n, 1);
	assert_non_null(strstr(errors.v[0], "c/x.sql:1: command name 'Usage Report' (from the file "
				"name) is not valid"));
	assert_int_equal(parse_as("usage_all-2", "SELECT 1"), 0);
	assert_int_equal(parse_as("", "SELECT 1"), -1);
}

static void test_encoding(void **state)
{
	(void)state;
	static const char nul[] = "-- summary: a\nSELECT\0 1";
	command_release(&cmd);
	strlist_release(&errors);
	assert_int_equal(command_parse(&cmd, "x", "c/x.sql", nul, sizeof(nul) - 1, &errors), -1);
	assert_non_null(strstr(errors.v[0], "c/x.sql:2: NUL byte"));
	expect_one("-- summary: \xff\xfe\nSELECT 1", "c/x.sql:1: not valid UTF-8 (byte 13 of the line)");
	expect_one("SELECT '\xc0\xaf'", "not valid UTF-8");
}

static void test_all_faults_reported_in_order(void **state)
{
	(void)state;
	size_t n = expect_fault("-- sumary: a\n-- filename: {zz}.csv\n-- param: a strng\n"
				"-- timeout: x\nSELECT :b\n", "unknown key");
	assert_int_equal(n, 5);
	int last = 0;
	for (size_t i = 0; i < errors.n; i++) {
		int line = (int)strtol(errors.v[i] + strlen("c/x.sql:"), NULL, 10);
		assert_true(line >= last);
		last = line;
	}
}

static void test_release_is_safe(void **state)
{
	(void)state;
	struct command c;
	memset(&c, 0, sizeof(c));
	command_release(&c);
	command_release(NULL);
	parse("-- param: a strng\n-- param: b enum(x|x)\nSELECT :a");
	command_release(&cmd);
	command_release(&cmd);
}

int main(void)
{
	strlist_init(&errors);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_full_header, teardown),
		cmocka_unit_test_teardown(test_defaults_when_absent, teardown),
		cmocka_unit_test_teardown(test_header_end_and_comments, teardown),
		cmocka_unit_test_teardown(test_unknown_key, teardown),
		cmocka_unit_test_teardown(test_duplicate_key, teardown),
		cmocka_unit_test_teardown(test_empty_values, teardown),
		cmocka_unit_test_teardown(test_param_name, teardown),
		cmocka_unit_test_teardown(test_param_type, teardown),
		cmocka_unit_test_teardown(test_param_defaults, teardown),
		cmocka_unit_test_teardown(test_int_range, teardown),
		cmocka_unit_test_teardown(test_int_range_faults, teardown),
		cmocka_unit_test_teardown(test_order, teardown),
		cmocka_unit_test_teardown(test_order_faults, teardown),
		cmocka_unit_test_teardown(test_required_after_optional, teardown),
		cmocka_unit_test_teardown(test_month_suffix_clash, teardown),
		cmocka_unit_test_teardown(test_numbers_and_flags, teardown),
		cmocka_unit_test_teardown(test_channels, teardown),
		cmocka_unit_test_teardown(test_filename, teardown),
		cmocka_unit_test_teardown(test_sql_rules, teardown),
		cmocka_unit_test_teardown(test_command_name, teardown),
		cmocka_unit_test_teardown(test_encoding, teardown),
		cmocka_unit_test_teardown(test_all_faults_reported_in_order, teardown),
		cmocka_unit_test_teardown(test_release_is_safe, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
