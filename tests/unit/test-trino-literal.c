/*
 * test-trino-literal.c: the one function that turns a bound value into a
 * Trino literal for `EXECUTE ... USING` (store/trino-text.h), and the
 * URL encoding of the prepared statement's header. Every literal is read
 * back with a parser of Trino's string-literal grammar (SqlBase.g4:
 * STRING : '\'' ( ~'\'' | '\'\'' )* '\''), which must give the value back
 * and consume the whole literal: nothing of a value ever becomes SQL.
 */
#include "common.h"
#include "store/trino-text.h"

#include <setjmp.h>
#include <cmocka.h>

/* Read one string literal at the start of S as Trino's lexer does; *end
 * gets the first byte after it. NULL when S does not start with one. */
static char *read_string_literal(const char *s, const char **end)
{
	if (*s != '\'')
		return NULL;
	struct strbuf out;
	strbuf_init(&out);
	for (s++; *s; s++) {
		if (*s == '\'') {
			if (s[1] == '\'') {
				strbuf_addc(&out, '\'');
				s++;
				continue;
			}
			*end = s + 1;
			return strbuf_detach(&out);
		}
		strbuf_addc(&out, *s);
	}
	strbuf_release(&out);
	return NULL;
}

static char *literal(const struct bind_value *v)
{
	struct strbuf sb;
	strbuf_init(&sb);
	char *cause = NULL;
	assert_int_equal(trino_literal(&sb, v, &cause), 0);
	assert_null(cause);
	return strbuf_detach(&sb);
}

/* The literal of text T reads back as T and nothing follows it. */
static void round_trip(const char *t)
{
	struct bind_value v = { .kind = BIND_TEXT, .text = t };
	char *lit = literal(&v);
	const char *end = NULL;
	char *back = read_string_literal(lit, &end);
	assert_non_null(back);
	assert_string_equal(back, t);
	assert_string_equal(end, "");
	free(back);
	free(lit);
}

static void test_text(void **state)
{
	(void)state;
	struct bind_value v = { .kind = BIND_TEXT, .text = "acme" };
	char *lit = literal(&v);
	assert_string_equal(lit, "'acme'");
	free(lit);
	v.text = "it's";
	lit = literal(&v);
	assert_string_equal(lit, "'it''s'");
	free(lit);
	v.text = "";
	lit = literal(&v);
	assert_string_equal(lit, "''");
	free(lit);
	v.text = NULL;   /* a missing value is the empty string */
	lit = literal(&v);
	assert_string_equal(lit, "''");
	free(lit);
}

static void test_hostile_text_stays_a_value(void **state)
{
	(void)state;
	static const char *const evil[] = {
		"'; DROP TABLE orders; --",
		"x' OR '1'='1",
		"'' OR 1=1 /* comment */ --",
		"a'); DELETE FROM t WHERE ('1'='1",
		"\\'; SELECT 1; -- backslash is no escape in Trino",
		"'''''",
		"'",
		"*/ SELECT 1 /*",
		"line one\nline two'\r\n-- still a value",
		"; ; ;",
		"顧客 'A'; -- 😀",
		"U&'\\0027' ; E'\\x27'",
		"$$ dollar $$ ' $$",
	};
	for (size_t i = 0; i < ARRAY_SIZE(evil); i++)
		round_trip(evil[i]);

	/* many random mixes of the characters that could end a literal or
	 * start a comment or a statement */
	static const char pieces[] = "'\";-/*\\\n ab";
	unsigned seed = 14;
	char buf[64];
	for (int n = 0; n < 20000; n++) {
		size_t len = (size_t)(rand_r(&seed) % 40);
		for (size_t k = 0; k < len; k++)
			buf[k] = pieces[rand_r(&seed) % (sizeof(pieces) - 1)];
		buf[len] = '\0';
		round_trip(buf);
	}
}

static void test_integers_and_dates(void **state)
{
	(void)state;
	struct bind_value v = { .kind = BIND_INT, .i = 42 };
	char *lit = literal(&v);
	assert_string_equal(lit, "42");
	free(lit);
	v.i = INT64_MIN;
	lit = literal(&v);
	assert_string_equal(lit, "-9223372036854775808");
	free(lit);
	v.i = INT64_MAX;
	lit = literal(&v);
	assert_string_equal(lit, "9223372036854775807");
	free(lit);
	v = (struct bind_value){ .kind = BIND_DATE, .text = "2024-11-01" };
	lit = literal(&v);
	assert_string_equal(lit, "DATE '2024-11-01'");
	free(lit);
}

static void refused(const struct bind_value *v, const char *why)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_adds(&sb, "EXECUTE s USING ");
	char *cause = NULL;
	assert_int_equal(trino_literal(&sb, v, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, why));
	assert_string_equal(sb.buf, "EXECUTE s USING ");   /* untouched */
	free(cause);
	strbuf_release(&sb);
}

static void test_refused(void **state)
{
	(void)state;
	static const char *const bad_dates[] = {
		"2024-1-01", "2024-11-01' OR '1'='1", "", "20241101", "2024-11-01 ", "yyyy-mm-dd",
		"2024/11/01",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_dates); i++) {
		struct bind_value v = { .kind = BIND_DATE, .text = bad_dates[i] };
		refused(&v, "YYYY-MM-DD");
	}
	static const char *const bad_utf8[] = {
		"\xff", "a\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_utf8); i++) {
		struct bind_value v = { .kind = BIND_TEXT, .text = bad_utf8[i] };
		refused(&v, "UTF-8");
	}
}

static void test_url_encode(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	trino_url_encode(&sb, "SELECT a+b FROM t WHERE x = ? -- é&%");
	assert_string_equal(sb.buf, "SELECT%20a%2Bb%20FROM%20t%20WHERE%20x%20%3D%20%3F%20--%20%C3%A9%26%25");
	strbuf_reset(&sb);
	trino_url_encode(&sb, "AZaz09-._~");
	assert_string_equal(sb.buf, "AZaz09-._~");
	strbuf_reset(&sb);
	trino_url_encode(&sb, "a,b\r\nX-Evil: 1");   /* no header can be smuggled */
	assert_string_equal(sb.buf, "a%2Cb%0D%0AX-Evil%3A%201");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_hostile_text_stays_a_value),
		cmocka_unit_test(test_integers_and_dates),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_url_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
