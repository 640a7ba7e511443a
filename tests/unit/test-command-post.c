/* test-command-post: the post's header keys of issue 12, `-- preview:`
 * and `-- chart:`, every rule and its message. */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "commands/command.h"

static struct strlist errors;
static struct command cmd;

static int parse(const char *text)
{
	command_release(&cmd);
	strlist_release(&errors);
	return command_parse(&cmd, "x", "c/x.sql", text, strlen(text), &errors);
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
}

/* text gives exactly one fault, containing want. */
static void expect_one(const char *text, const char *want)
{
	assert_int_equal(parse(text), -1);
	if (errors.n != 1 || !strstr(errors.v[0], want)) {
		dump();
		fail_msg("want one fault containing '%s'", want);
	}
}

static int teardown(void **state)
{
	(void)state;
	command_release(&cmd);
	strlist_release(&errors);
	return 0;
}

static void test_preview(void **state)
{
	(void)state;
	expect_ok("SELECT 1");
	assert_int_equal(cmd.preview, -1);          /* the config decides */
	expect_ok("-- preview: 0\nSELECT 1");
	assert_int_equal(cmd.preview, 0);
	expect_ok("-- preview: 25\nSELECT 1");
	assert_int_equal(cmd.preview, 25);
	expect_ok("-- preview: 99\nSELECT 1");
	assert_int_equal(cmd.preview, 99);
	expect_one("-- preview: 100\nSELECT 1", "c/x.sql:1: preview '100' is not valid; use a number "
		   "of rows from 0 (no preview) to 99");
	expect_one("-- preview: -1\nSELECT 1", "preview '-1' is not valid");
	expect_one("-- preview: no\nSELECT 1", "preview 'no' is not valid");
	expect_one("-- preview:\nSELECT 1", "preview is empty");
	expect_one("-- preview: 1\n-- preview: 2\nSELECT 1", "duplicate key 'preview'");
}

static void test_chart_ok(void **state)
{
	(void)state;
	expect_ok("SELECT 1");
	assert_int_equal(cmd.chart.type, CHART_NONE);
	expect_ok("-- chart: line x=day y=events\nSELECT 1");
	assert_int_equal(cmd.chart.type, CHART_LINE);
	assert_string_equal(cmd.chart.x, "day");
	assert_int_equal(cmd.chart.ny, 1);
	assert_string_equal(cmd.chart.y[0], "events");
	assert_int_equal(cmd.chart.line, 1);
	expect_ok("-- summary: s\n-- chart:  bar   y=a,b,c x=k\nSELECT 1");
	assert_int_equal(cmd.chart.type, CHART_BAR);
	assert_string_equal(cmd.chart.x, "k");
	assert_int_equal(cmd.chart.ny, 3);
	assert_string_equal(cmd.chart.y[2], "c");
	assert_int_equal(cmd.chart.line, 2);
	expect_ok("-- chart: area x=day y=a,b,c,d,e,f\nSELECT 1");
	assert_int_equal(cmd.chart.type, CHART_AREA);
	assert_int_equal(cmd.chart.ny, 6);
	expect_ok("-- chart: pie x=plan y=customers\nSELECT 1");
	assert_int_equal(cmd.chart.type, CHART_PIE);
	expect_ok("-- chart: bar x=COUNT(*) y=sum(x)\nSELECT 1");
	assert_string_equal(cmd.chart.x, "COUNT(*)");
}

static void test_chart_faults(void **state)
{
	(void)state;
	expect_one("-- chart: scatter x=a y=b\nSELECT 1", "c/x.sql:1: chart type 'scatter' is not known; "
		   "write '-- chart: TYPE x=COLUMN y=COLUMN[,COLUMN…] (TYPE: line, bar, area or pie)'");
	expect_one("-- chart:\nSELECT 1", "chart is empty");
	expect_one("-- chart: line\nSELECT 1", "chart: x= and y= are missing");
	expect_one("-- chart: line y=b\nSELECT 1", "chart: x= is missing");
	expect_one("-- chart: line x=a\nSELECT 1", "chart: y= is missing");
	expect_one("-- chart: line x=a x=b y=c\nSELECT 1", "chart: x= is given twice");
	expect_one("-- chart: line x=a y=b y=c\nSELECT 1", "chart: y= is given twice");
	expect_one("-- chart: line x= y=b\nSELECT 1", "chart: x='' is not a column name");
	expect_one("-- chart: line x=a y=b,,c\nSELECT 1", "chart: y='b,,c' is not a list of column names");
	expect_one("-- chart: line x=a y=b,\nSELECT 1", "is not a list of column names");
	expect_one("-- chart: line x=a y=b,b\nSELECT 1", "chart: y column 'b' is listed twice");
	expect_one("-- chart: line x=a y=b,c,d,e,f,g,h\nSELECT 1",
		   "chart: more than 6 y columns; Slack draws at most 6 series");
	expect_one("-- chart: pie x=a y=b,c\nSELECT 1", "chart: a pie has one y column");
	expect_one("-- chart: line x=a y=b colour=red\nSELECT 1", "chart: 'colour=red' is not understood");
	expect_one("-- chart: line x=a y=b\n-- chart: bar x=a y=b\nSELECT 1", "duplicate key 'chart'");
	assert_int_equal(cmd.chart.type, CHART_LINE);   /* the first one stays */
	expect_one("-- chart: Line x=a y=b\nSELECT 1", "chart type 'Line' is not known");
	assert_int_equal(cmd.chart.type, CHART_NONE);
}

static void test_unknown_key_lists_new_keys(void **state)
{
	(void)state;
	expect_one("-- charts: line x=a y=b\nSELECT 1", "did you mean 'chart'?");
	assert_non_null(strstr(errors.v[0], "allow, preview, chart"));
}

int main(void)
{
	strlist_init(&errors);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_preview, teardown),
		cmocka_unit_test_teardown(test_chart_ok, teardown),
		cmocka_unit_test_teardown(test_chart_faults, teardown),
		cmocka_unit_test_teardown(test_unknown_key_lists_new_keys, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
