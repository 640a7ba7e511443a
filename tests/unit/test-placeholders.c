/* test-placeholders: where :name is a placeholder in SQL and where it is not. */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "commands/sql-placeholders.h"
#include "common/strbuf.h"

/* Split sql, render pieces with placeholders as {name}; faults in *errors. */
static char *render(const char *sql, struct strlist *errors, int *rc, struct sql_split *keep)
{
	struct sql_split sp;
	*rc = sql_split(sql, strlen(sql), "t.sql", 5, &sp, errors);
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < sp.npieces; i++) {
		if (sp.pieces[i].name)
			strbuf_addf(&sb, "{%s}", sp.pieces[i].name);
		else
			strbuf_adds(&sb, sp.pieces[i].text);
	}
	if (keep)
		*keep = sp;
	else
		sql_split_release(&sp);
	return strbuf_detach(&sb);
}

static void expect(const char *sql, const char *want)
{
	struct strlist errors;
	int rc;
	strlist_init(&errors);
	char *got = render(sql, &errors, &rc, NULL);
	for (size_t i = 0; i < errors.n; i++)
		print_error("unexpected fault: %s\n", errors.v[i]);
	assert_int_equal(rc, 0);
	assert_int_equal(errors.n, 0);
	assert_string_equal(got, want);
	free(got);
	strlist_release(&errors);
}

/* sql must give exactly one fault containing want. */
static void expect_fault(const char *sql, const char *want)
{
	struct strlist errors;
	int rc;
	strlist_init(&errors);
	free(render(sql, &errors, &rc, NULL));
	assert_int_equal(rc, -1);
	assert_int_equal(errors.n, 1);
	if (!strstr(errors.v[0], want))
		fail_msg("fault '%s' lacks '%s'", errors.v[0], want);
	strlist_release(&errors);
}

static void test_simple(void **state)
{
	(void)state;
	expect("SELECT * FROM t WHERE a = :a AND b=:b_2", "SELECT * FROM t WHERE a = {a} AND b={b_2}");
	expect(":Leading_Case", "{Leading_Case}");
	expect("x IN (:ids)", "x IN ({ids})");
	expect("d >= :month_start AND d < :month_end", "d >= {month_start} AND d < {month_end}");
}

static void test_pieces_are_split(void **state)
{
	(void)state;
	struct strlist errors;
	struct sql_split sp;
	int rc;
	strlist_init(&errors);
	free(render("a\n= :x\n:y;", &errors, &rc, &sp));
	assert_int_equal(rc, 0);
	assert_int_equal(sp.npieces, 4);
	assert_string_equal(sp.pieces[0].text, "a\n= ");
	assert_null(sp.pieces[0].name);
	assert_string_equal(sp.pieces[1].name, "x");
	assert_null(sp.pieces[1].text);
	assert_int_equal(sp.lines[1], 6);
	assert_string_equal(sp.pieces[2].text, "\n");
	assert_string_equal(sp.pieces[3].name, "y");
	assert_int_equal(sp.lines[3], 7);
	assert_true(sp.has_code);
	sql_split_release(&sp);
	strlist_release(&errors);
}

static void test_single_quotes(void **state)
{
	(void)state;
	expect("a = ':x' AND b = :b", "a = ':x' AND b = {b}");
	expect("a = 'it''s :x' AND :b", "a = 'it''s :x' AND {b}");
	expect("a = 'it\\'s :x' AND :b", "a = 'it\\'s :x' AND {b}");
	expect("a = 'back\\\\' AND :b", "a = 'back\\\\' AND {b}");
	expect("a = '' AND :b", "a = '' AND {b}");
	expect("a = '?' AND :b", "a = '?' AND {b}");
}

static void test_double_quotes_and_backticks(void **state)
{
	(void)state;
	expect("SELECT \":x\" FROM t WHERE a=:a", "SELECT \":x\" FROM t WHERE a={a}");
	expect("SELECT \"a\"\":x\" FROM t WHERE a=:a", "SELECT \"a\"\":x\" FROM t WHERE a={a}");
	expect("SELECT \"a\\\":x\" , :a", "SELECT \"a\\\":x\" , {a}");
	expect("SELECT `:x` FROM t WHERE a=:a", "SELECT `:x` FROM t WHERE a={a}");
	expect("SELECT `a``:x` FROM t WHERE a=:a", "SELECT `a``:x` FROM t WHERE a={a}");
	/* no backslash escape in backticks: the \ is an ordinary character */
	expect("SELECT `a\\` , :a", "SELECT `a\\` , {a}");
}

static void test_comments(void **state)
{
	(void)state;
	expect("a = :a -- :b and ? here\nAND c = :c", "a = {a} -- :b and ? here\nAND c = {c}");
	expect("a = :a /* :b ' \" ? */ AND :c", "a = {a} /* :b ' \" ? */ AND {c}");
	expect("a = :a /* multi\nline :b */ AND :c", "a = {a} /* multi\nline :b */ AND {c}");
	expect("a = :a -- no newline :b", "a = {a} -- no newline :b");
	expect("a = 1 - -:a", "a = 1 - -{a}");
}

static void test_not_placeholders(void **state)
{
	(void)state;
	expect("a::text = :a", "a::text = {a}");
	expect("a :: int", "a :: int");
	expect("SET @x := :a", "SET @x := {a}");
	expect("a = :1 OR b = :22", "a = :1 OR b = :22");
	expect("a = ': '", "a = ': '");
	expect("t : x", "t : x");
	expect("x:", "x:");
	expect(":=:a", ":={a}");
}

static void test_question_mark_is_fault(void **state)
{
	(void)state;
	expect_fault("a = ?", "t.sql:5: '?' in the SQL");
	expect_fault("a = 1\nAND b = ?", "t.sql:6: '?' in the SQL");
}

static void test_unterminated(void **state)
{
	(void)state;
	expect_fault("a = 'open", "t.sql:5: unterminated string literal");
	expect_fault("a = 1\nAND \"open", "t.sql:6: unterminated quoted text");
	expect_fault("a = `open", "unterminated identifier");
	expect_fault("a = 'x\\'", "unterminated string literal");
	expect_fault("a = 1 /* open", "t.sql:5: unterminated /* comment");
}

static void test_statements(void **state)
{
	(void)state;
	expect("SELECT :a;", "SELECT {a}");
	expect("SELECT :a;  \n-- done\n", "SELECT {a}");
	expect("SELECT ';' , :a", "SELECT ';' , {a}");
	expect_fault("SELECT 1; DROP TABLE t", "t.sql:5: more than one statement");
	expect_fault("SELECT 1;\n/* x */ DELETE FROM t", "more than one statement");
}

static void test_has_code(void **state)
{
	(void)state;
	struct strlist errors;
	struct sql_split sp;
	int rc;
	strlist_init(&errors);
	free(render("  \n-- only a comment\n/* and another */\n", &errors, &rc, &sp));
	assert_int_equal(rc, 0);
	assert_false(sp.has_code);
	sql_split_release(&sp);
	free(render("", &errors, &rc, &sp));
	assert_false(sp.has_code);
	assert_int_equal(sp.npieces, 0);
	sql_split_release(&sp);
	free(render("SELECT 1", &errors, &rc, &sp));
	assert_true(sp.has_code);
	sql_split_release(&sp);
	strlist_release(&errors);
}

static void test_utf8_text_kept(void **state)
{
	(void)state;
	expect("SELECT '顧客:名前' AS 名前, :a", "SELECT '顧客:名前' AS 名前, {a}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_pieces_are_split),
		cmocka_unit_test(test_single_quotes),
		cmocka_unit_test(test_double_quotes_and_backticks),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_not_placeholders),
		cmocka_unit_test(test_question_mark_is_fault),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_has_code),
		cmocka_unit_test(test_utf8_text_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
