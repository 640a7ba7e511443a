/*
 * test-trino-reads.c: the client-side read-only rule of a Trino source
 * (trino_statement_reads, store/trino-text.h): a statement reads when its
 * first keyword, past blanks, comments and parentheses, is SELECT, WITH,
 * VALUES, SHOW, DESCRIBE, EXPLAIN or TABLE; anything else is refused with
 * words naming the keyword and never more of the statement.
 */
#include "common.h"
#include "store/trino-text.h"

#include <setjmp.h>
#include <cmocka.h>

static void reads(const char *sql)
{
	char *cause = NULL;
	if (trino_statement_reads(sql, &cause) != 0)
		fail_msg("refused %s: %s", sql, cause);
	assert_null(cause);
}

/* Refused; the cause is returned (owned). */
static char *refused(const char *sql)
{
	char *cause = NULL;
	assert_int_equal(trino_statement_reads(sql, &cause), -1);
	assert_non_null(cause);
	return cause;
}

static void test_reading_keywords(void **state)
{
	(void)state;
	reads("SELECT 1");
	reads("select * from t");
	reads("WITH x AS (SELECT 1) SELECT * FROM x");
	reads("VALUES 1, 2");
	reads("SHOW TABLES");
	reads("DESCRIBE t");
	reads("EXPLAIN SELECT 1");
	reads("TABLE t");
	reads("Select\t1");
	reads("SELECT");   /* the keyword alone is the end of the text */
}

static void test_blanks_comments_parentheses(void **state)
{
	(void)state;
	reads("  \n\t SELECT 1");
	reads("-- summary: a report\n-- param: x int\nSELECT ?");
	reads("/* INSERT INTO t */ SELECT 1");
	reads("/* a */ -- b\n /* c */((SELECT 1))");
	reads("(\n-- comment\nVALUES 1)");
}

static void test_writes_refused(void **state)
{
	(void)state;
	static const char *const writes[] = {
		"INSERT INTO t VALUES (1)", "DELETE FROM t", "UPDATE t SET a = 1", "MERGE INTO t USING s ON true",
		"CREATE TABLE t AS SELECT 1", "DROP TABLE t", "ALTER TABLE t ADD COLUMN c int",
		"TRUNCATE TABLE t", "CALL system.flush_metadata_cache()", "GRANT SELECT ON t TO u",
		"SET SESSION x = 1", "EXECUTE IMMEDIATE 'INSERT INTO t VALUES (1)'", "START TRANSACTION",
		"COMMIT", "USE c.s", "PREPARE p FROM INSERT INTO t VALUES (1)", "REFRESH MATERIALIZED VIEW v",
	};
	for (size_t i = 0; i < ARRAY_SIZE(writes); i++)
		free(refused(writes[i]));
}

static void test_not_fooled(void **state)
{
	(void)state;
	/* a reading keyword inside a comment, glued to a word, or after the start */
	free(refused("/* SELECT */ INSERT INTO t SELECT 1"));
	free(refused("-- SELECT\nDELETE FROM t"));
	free(refused("SELECTED"));
	free(refused("SELECT_x"));
	free(refused("WITH1"));
	free(refused("DELETE FROM t WHERE a IN (SELECT 1)"));
	free(refused("/* never closed SELECT 1"));
	free(refused("'SELECT' 1"));
	free(refused("\"SELECT\" 1"));
	free(refused(""));
	free(refused("   -- only a comment"));
	free(refused(";SELECT 1"));
}

static void test_words_of_the_cause(void **state)
{
	(void)state;
	char *c = refused("  /* x */ insert into secret_table values ('hunter2')");
	assert_non_null(strstr(c, "starts with INSERT"));
	assert_non_null(strstr(c, "SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN or TABLE"));
	assert_null(strstr(c, "secret_table"));
	assert_null(strstr(c, "hunter2"));
	free(c);
	/* not a keyword: no word is quoted at all */
	c = refused("'hunter2' AS x");
	assert_null(strstr(c, "hunter2"));
	assert_null(strstr(c, "starts with"));
	free(c);
	c = refused("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa FROM t");
	assert_null(strstr(c, "Aaaa"));
	assert_null(strstr(c, "AAAA"));
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reading_keywords),
		cmocka_unit_test(test_blanks_comments_parentheses),
		cmocka_unit_test(test_writes_refused),
		cmocka_unit_test(test_not_fooled),
		cmocka_unit_test(test_words_of_the_cause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
