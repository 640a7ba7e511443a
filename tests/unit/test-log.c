/*
 * test-log.c: the log writes one line per event, whatever the logged
 * values hold: control characters come out escaped.
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "common/strbuf.h"

/* What log_warn("%s", value) writes to stderr, captured in a temp file.
 * Caller frees. */
static char *logged(const char *value)
{
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	log_warn("value=%s|", value);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	struct strbuf sb;
	strbuf_init(&sb);
	char buf[512];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(tmp);
	return strbuf_detach(&sb);
}

/* The message part of one logged line: after "STAMP warn ", without the
 * final newline. Asserts the line is one line. */
static char *message_of(const char *line)
{
	const char *nl = strchr(line, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');   /* exactly one line */
	const char *msg = strstr(line, " warn ");
	assert_non_null(msg);
	return xstrndup(msg + 6, (size_t)(nl - msg - 6));
}

static void test_escapes(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain words, UTF-8 \xc3\xa9 kept", "value=plain words, UTF-8 \xc3\xa9 kept|" },
		{ "a\n2026-01-01T00:00:00.000Z error FORGED", "value=a\\n2026-01-01T00:00:00.000Z error FORGED|" },
		{ "cr\rlf\r\n", "value=cr\\rlf\\r\\n|" },
		{ "tab\there", "value=tab\\there|" },
		{ "\x01\x1b[2J\x1f", "value=\\x01\\x1b[2J\\x1f|" },
		{ "del\x7f", "value=del\\x7f|" },
		{ "back\\slash", "value=back\\slash|" },
		{ "", "value=|" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *line = logged(cases[i].in);
		char *msg = message_of(line);
		assert_string_equal(msg, cases[i].out);
		free(msg);
		free(line);
	}
}

/* The stamp and level are as before: "YYYY-MM-DDTHH:MM:SS.mmmZ warn ". */
static void test_line_shape(void **state)
{
	(void)state;
	char *line = logged("x");
	assert_true(strlen(line) > 25);
	assert_int_equal(line[4], '-');
	assert_int_equal(line[10], 'T');
	assert_int_equal(line[23], 'Z');
	assert_memory_equal(line + 24, " warn value=x|\n", 15);
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_line_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
