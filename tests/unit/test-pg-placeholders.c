/*
 * test-pg-placeholders.c: the postgres driver's '?' to $N numbering
 * (pg_numbered_sql, store/source-postgres.c), one test per rule, without a
 * server. The lexing is the command layer's (commands/sql-placeholders.c):
 * the '?' it wrote are exactly the ones outside literals and comments.
 */
#include "common.h"
#include "store/source-postgres.h"

#include <setjmp.h>
#include <cmocka.h>

static void check(const char *sql, const char *want, size_t want_n)
{
	size_t n = 99;
	char *cause = NULL;
	char *got = pg_numbered_sql(sql, &n, &cause);
	assert_non_null(got);
	assert_null(cause);
	assert_string_equal(got, want);
	assert_int_equal(n, want_n);
	free(got);
}

static void refused(const char *sql, const char *needle)
{
	size_t n = 0;
	char *cause = NULL;
	char *got = pg_numbered_sql(sql, &n, &cause);
	assert_null(got);
	assert_non_null(cause);
	assert_non_null(strstr(cause, needle));
	free(cause);
}

static void test_numbers_in_order(void **state)
{
	(void)state;
	check("SELECT 1", "SELECT 1", 0);
	check("", "", 0);
	check("?", "$1", 1);
	check("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)", 3);
	check("f(?,?)", "f($1,$2)", 2);
	/* two digits */
	check("?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11", 11);
}

static void test_literals_kept(void **state)
{
	(void)state;
	check("SELECT '?' , ?", "SELECT '?' , $1", 1);
	check("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1);
	check("SELECT 'a\\'?', ?", "SELECT 'a\\'?', $1", 1);        /* backslash escape, as the command layer reads it */
	check("SELECT \"col?\" FROM t WHERE x = ?", "SELECT \"col?\" FROM t WHERE x = $1", 1);
	check("SELECT \"a\"\"?\" , ?", "SELECT \"a\"\"?\" , $1", 1);
	check("SELECT `?`, ?", "SELECT `?`, $1", 1);
	check("SELECT 'open ?", "SELECT 'open ?", 0);              /* unterminated: all literal */
}

static void test_comments_kept(void **state)
{
	(void)state;
	check("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2);
	check("SELECT ? /* ? */ , ?", "SELECT $1 /* ? */ , $2", 2);
	check("SELECT 1 -- ?", "SELECT 1 -- ?", 0);
	check("SELECT 1 /* ? ", "SELECT 1 /* ? ", 0);
	check("SELECT 1 - ?", "SELECT 1 - $1", 1);                /* one dash is an operator */
	check("SELECT 4 / ?", "SELECT 4 / $1", 1);
}

static void test_casts_and_dollars(void **state)
{
	(void)state;
	check("SELECT ?::date", "SELECT $1::date", 1);
	check("SELECT $$text$$, ?", "SELECT $$text$$, $1", 1);     /* dollar quoting is not a parameter */
	check("SELECT a$1 FROM t WHERE x = ?", "SELECT a$1 FROM t WHERE x = $1", 1);   /* part of a name */
	check("SELECT '$1', ?", "SELECT '$1', $1", 1);
	refused("SELECT $1", "$1");
	refused("SELECT ?, $2", "$2");
	refused("SELECT ($1)", "parameters are written :name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_in_order),
		cmocka_unit_test(test_literals_kept),
		cmocka_unit_test(test_comments_kept),
		cmocka_unit_test(test_casts_and_dollars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
