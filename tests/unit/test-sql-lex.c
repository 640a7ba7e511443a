/*
 * test-sql-lex.c: where a quoted literal and a comment end
 * (common/sql-lex.c), one test per rule.
 */
#include "common.h"
#include "common/sql-lex.h"

#include <setjmp.h>
#include <cmocka.h>

/* Where the quoted text opening S ends, and whether it closed. */
static size_t quoted(const char *s, bool *closed)
{
	return sql_skip_quoted(s, strlen(s), 0, closed);
}

static size_t comment(const char *s, bool *closed)
{
	return sql_skip_comment(s, strlen(s), 0, closed);
}

static void test_quote_ends_at_its_own_kind(void **state)
{
	(void)state;
	bool closed = false;
	assert_int_equal(quoted("'ab' x", &closed), 4);
	assert_true(closed);
	assert_int_equal(quoted("\"a'b\" x", &closed), 5);
	assert_int_equal(quoted("`a\"b` x", &closed), 5);
	assert_int_equal(quoted("'a\"`b' x", NULL), 6);
}

static void test_doubled_quote_stands_for_itself(void **state)
{
	(void)state;
	bool closed = false;
	assert_int_equal(quoted("'it''s' x", &closed), 7);
	assert_true(closed);
	assert_int_equal(quoted("\"a\"\"b\" x", &closed), 6);
	assert_int_equal(quoted("`a``b` x", &closed), 6);
}

static void test_backslash_escapes_except_in_backticks(void **state)
{
	(void)state;
	bool closed = false;
	assert_int_equal(quoted("'a\\'b' x", &closed), 6);
	assert_true(closed);
	assert_int_equal(quoted("\"a\\\"b\" x", &closed), 6);
	/* in `...` a backslash is a plain byte: the quote after it closes */
	assert_int_equal(quoted("`a\\` x", &closed), 4);
	assert_true(closed);
}

static void test_unclosed_quote_runs_to_the_end(void **state)
{
	(void)state;
	bool closed = true;
	assert_int_equal(quoted("'abc", &closed), 4);
	assert_false(closed);
	closed = true;
	assert_int_equal(quoted("'a\\'", &closed), 4);
	assert_false(closed);
	closed = true;
	assert_int_equal(quoted("'", &closed), 1);
	assert_false(closed);
}

static void test_starts_mid_text(void **state)
{
	(void)state;
	const char *s = "x = 'a?' AND y";
	assert_int_equal(sql_skip_quoted(s, strlen(s), 4, NULL), 8);
	/* len bounds the scan, not the NUL */
	assert_int_equal(sql_skip_quoted("'ab'", 3, 0, NULL), 3);
}

static void test_line_comment_stops_before_newline(void **state)
{
	(void)state;
	bool closed = false;
	assert_int_equal(comment("-- a ? b\nSELECT", &closed), 8);
	assert_true(closed);
	assert_int_equal(comment("-- to the end", &closed), 13);
	assert_true(closed);
}

static void test_block_comment_ends_after_star_slash(void **state)
{
	(void)state;
	bool closed = false;
	assert_int_equal(comment("/* a ? */ x", &closed), 9);
	assert_true(closed);
	assert_int_equal(comment("/**/x", &closed), 4);
	/* not nested: the first close ends it */
	assert_int_equal(comment("/* /* */ */", &closed), 8);
}

static void test_unclosed_block_comment_runs_to_the_end(void **state)
{
	(void)state;
	bool closed = true;
	assert_int_equal(comment("/* open", &closed), 7);
	assert_false(closed);
	closed = true;
	assert_int_equal(comment("/*/", &closed), 3);
	assert_false(closed);
	closed = true;
	assert_int_equal(comment("/*", &closed), 2);
	assert_false(closed);
}

static void test_no_comment_returns_i(void **state)
{
	(void)state;
	bool closed = false;
	assert_int_equal(comment("- - x", &closed), 0);
	assert_true(closed);
	assert_int_equal(comment("/ * x", NULL), 0);
	assert_int_equal(comment("-", NULL), 0);
	assert_int_equal(comment("", NULL), 0);
	assert_int_equal(sql_skip_comment("a--b", 4, 1, NULL), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_ends_at_its_own_kind),
		cmocka_unit_test(test_doubled_quote_stands_for_itself),
		cmocka_unit_test(test_backslash_escapes_except_in_backticks),
		cmocka_unit_test(test_unclosed_quote_runs_to_the_end),
		cmocka_unit_test(test_starts_mid_text),
		cmocka_unit_test(test_line_comment_stops_before_newline),
		cmocka_unit_test(test_block_comment_ends_after_star_slash),
		cmocka_unit_test(test_unclosed_block_comment_runs_to_the_end),
		cmocka_unit_test(test_no_comment_returns_i),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
