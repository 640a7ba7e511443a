/* test-catalog: loading a commands folder and one command file, finding
 * names, generated help. */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/catalog.h"
#include "commands/suggest.h"
#include "common/strbuf.h"

#define GOOD "tests/fixtures/commands/good"
#define BAD "tests/fixtures/commands/bad"

static const char *const builtins[] = { "help", "history", "cancel", "schedules", "schedule" };

static bool has(const struct strlist *l, const char *want)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], want))
			return true;
	return false;
}

static void test_load_good(void **state)
{
	(void)state;
	struct catalog cat;
	struct strlist errors;
	strlist_init(&errors);
	assert_int_equal(catalog_load(&cat, GOOD, &errors), 0);
	assert_int_equal(errors.n, 0);
	assert_int_equal(cat.n, 3);
	assert_string_equal(cat.cmds[0].name, "daily-events");
	assert_string_equal(cat.cmds[1].name, "top_customers");
	assert_string_equal(cat.cmds[2].name, "usage");
	assert_string_equal(cat.cmds[2].path, GOOD "/usage.sql");
	assert_ptr_equal(catalog_find(&cat, "usage"), &cat.cmds[2]);
	assert_ptr_equal(catalog_find(&cat, "daily-events"), &cat.cmds[0]);
	assert_null(catalog_find(&cat, "usag"));
	assert_null(catalog_find(&cat, ""));
	catalog_release(&cat);
	catalog_release(&cat);
	strlist_release(&errors);
}

static void test_load_bad(void **state)
{
	(void)state;
	struct catalog cat;
	struct strlist errors;
	strlist_init(&errors);
	assert_int_equal(catalog_load(&cat, BAD, &errors), -1);
	assert_int_equal(cat.n, 0);
	for (size_t i = 0; i < errors.n; i++)
		assert_true(strncmp(errors.v[i], BAD "/", strlen(BAD "/")) == 0);
	assert_true(has(&errors, BAD "/Bad_Name.sql:1: command name 'Bad_Name'"));
	assert_true(has(&errors, BAD "/bad-default.sql:2: param month: default 'lst' is not a month"));
	assert_true(has(&errors, BAD "/empty-sql.sql:3: no SQL after the header"));
	assert_true(has(&errors, BAD "/question-mark.sql:3: '?' in the SQL"));
	assert_true(has(&errors, BAD "/undeclared.sql:3: placeholder :custmer is not a declared "
			"param; did you mean :customer?"));
	assert_true(has(&errors, BAD "/unknown-key.sql:1: unknown key 'sumary'; did you mean 'summary'?"));
	assert_true(has(&errors, BAD "/unused-param.sql:2: param 'month' is not used in the SQL"));
	assert_true(has(&errors, BAD "/not-utf8.sql:1: not valid UTF-8"));
	assert_true(has(&errors, BAD "/many-faults.sql:2: duplicate key 'summary'"));
	assert_true(has(&errors, BAD "/many-faults.sql:3: param name 'Bad'"));
	assert_true(has(&errors, BAD "/many-faults.sql:4: param n: unknown type 'integer'"));
	assert_true(has(&errors, BAD "/many-faults.sql:5: param e: enum choice 'a' is listed twice"));
	assert_true(has(&errors, BAD "/many-faults.sql:6: timeout '0'"));
	assert_true(has(&errors, BAD "/many-faults.sql:7: max_rows 'lots'"));
	assert_true(has(&errors, BAD "/many-faults.sql:8: bom 'yes'"));
	assert_true(has(&errors, BAD "/many-faults.sql:9: channel '#general'"));
	assert_true(has(&errors, BAD "/many-faults.sql:10: filename field {nope}"));
	assert_true(has(&errors, BAD "/many-faults.sql:11: more than one statement"));
	catalog_release(&cat);
	strlist_release(&errors);
}

static void test_load_missing_dir(void **state)
{
	(void)state;
	struct catalog cat;
	struct strlist errors;
	strlist_init(&errors);
	assert_int_equal(catalog_load(&cat, "tests/fixtures/no-such-dir", &errors), -1);
	assert_int_equal(cat.n, 0);
	assert_int_equal(errors.n, 1);
	assert_non_null(strstr(errors.v[0], "tests/fixtures/no-such-dir: cannot read the commands "
				"directory"));
	catalog_release(&cat);
	strlist_release(&errors);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_skips_hidden_and_dirs(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-catalog-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *a = xasprintf("%s/b.sql", dir), *h = xasprintf("%s/.#b.sql", dir);
	char *d = xasprintf("%s/sub.sql", dir), *t = xasprintf("%s/notes.txt", dir);
	char *only = xasprintf("%s/.sql", dir);
	write_file(a, "-- summary: b\nSELECT 1\n");
	write_file(h, "garbage");
	write_file(t, "garbage");
	write_file(only, "garbage");
	assert_int_equal(mkdir(d, 0700), 0);
	struct catalog cat;
	struct strlist errors;
	strlist_init(&errors);
	assert_int_equal(catalog_load(&cat, dir, &errors), 0);
	assert_int_equal(cat.n, 1);
	assert_string_equal(cat.cmds[0].name, "b");
	catalog_release(&cat);
	strlist_release(&errors);
	unlink(a);
	unlink(h);
	unlink(t);
	unlink(only);
	rmdir(d);
	rmdir(dir);
	free(a);
	free(h);
	free(d);
	free(t);
	free(only);
}

/* A name that is a prefix of another followed by '-' ('-' sorts before
 * '.'): both are found. */
static void test_find_prefix_names(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-catalog-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *names[] = { "echo", "echo-broken", "echo_x", "e" };
	char *paths[ARRAY_SIZE(names)];
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		paths[i] = xasprintf("%s/%s.sql", dir, names[i]);
		write_file(paths[i], "-- summary: s\nSELECT 1\n");
	}
	struct catalog cat;
	struct strlist errors;
	strlist_init(&errors);
	assert_int_equal(catalog_load(&cat, dir, &errors), 0);
	assert_int_equal(cat.n, ARRAY_SIZE(names));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct command *c = catalog_find(&cat, names[i]);
		assert_non_null(c);
		assert_string_equal(c->name, names[i]);
	}
	catalog_release(&cat);
	strlist_release(&errors);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	rmdir(dir);
}

static void test_closest(void **state)
{
	(void)state;
	struct catalog cat;
	struct strlist errors;
	strlist_init(&errors);
	assert_int_equal(catalog_load(&cat, GOOD, &errors), 0);
	const size_t nb = ARRAY_SIZE(builtins);
	assert_string_equal(catalog_closest(&cat, "usge", builtins, nb), "usage");
	assert_string_equal(catalog_closest(&cat, "USAGE", builtins, nb), "usage");
	assert_string_equal(catalog_closest(&cat, "uasge", builtins, nb), "usage");
	assert_string_equal(catalog_closest(&cat, "daily-event", builtins, nb), "daily-events");
	assert_string_equal(catalog_closest(&cat, "top", builtins, nb), "top_customers");
	assert_string_equal(catalog_closest(&cat, "hepl", builtins, nb), "help");
	assert_string_equal(catalog_closest(&cat, "schedul", builtins, nb), "schedule");
	assert_string_equal(catalog_closest(&cat, "histroy", builtins, nb), "history");
	assert_null(catalog_closest(&cat, "zzzzzzzz", builtins, nb));
	assert_null(catalog_closest(&cat, "", builtins, nb));
	assert_null(catalog_closest(&cat, "x", NULL, 0));
	catalog_release(&cat);
	struct catalog empty = { NULL, 0 };
	assert_null(catalog_closest(&empty, "help", NULL, 0));
	assert_string_equal(catalog_closest(&empty, "hlep", builtins, nb), "help");
	strlist_release(&errors);
}

static void test_suggest_distance(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("", ""), 0);
	assert_int_equal(suggest_distance("abc", ""), 3);
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("ab", "ba"), 1);
	assert_int_equal(suggest_distance("Month", "month"), 0);
	assert_int_equal(suggest_distance("summary", "sumary"), 1);
}

static void test_help_list(void **state)
{
	(void)state;
	struct catalog cat;
	struct strlist errors;
	struct strbuf sb;
	strlist_init(&errors);
	strbuf_init(&sb);
	assert_int_equal(catalog_load(&cat, GOOD, &errors), 0);
	help_render_list(&cat, "/report", &sb);
	assert_non_null(strstr(sb.buf, "`/report help NAME`"));
	assert_non_null(strstr(sb.buf, "*usage*  `/report usage <customer> [month=last]`  Monthly "
			       "usage for one customer\n"));
	assert_non_null(strstr(sb.buf, "`/report daily-events [from=yesterday] [to=today] "
			       "[kinds=click,view]`  Events per day"));
	assert_non_null(strstr(sb.buf, "`/report top_customers [limit=10] [region=apac]`"));
	/* one line per command after the heading */
	size_t lines = 0;
	for (const char *c = sb.buf; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 1 + cat.n);
	strbuf_reset(&sb);
	help_render_list(&cat, "/rb", &sb);
	assert_non_null(strstr(sb.buf, "`/rb usage <customer>"));
	catalog_release(&cat);
	strbuf_reset(&sb);
	struct catalog empty = { NULL, 0 };
	help_render_list(&empty, "/report", &sb);
	assert_non_null(strstr(sb.buf, "No reports yet"));
	strbuf_release(&sb);
	strlist_release(&errors);
}

static void test_help_command(void **state)
{
	(void)state;
	struct catalog cat;
	struct strlist errors;
	struct strbuf sb;
	strlist_init(&errors);
	strbuf_init(&sb);
	assert_int_equal(catalog_load(&cat, GOOD, &errors), 0);
	help_render_command(catalog_find(&cat, "usage"), "/report", &sb);
	assert_non_null(strstr(sb.buf, "*usage*: Monthly usage for one customer\n"));
	assert_non_null(strstr(sb.buf, "Usage: `/report usage <customer> [month=last]`\n"));
	assert_non_null(strstr(sb.buf, "• `customer` string (any text up to 1000 bytes), required: "
			       "Customer slug, e.g. acme\n"));
	assert_non_null(strstr(sb.buf, "• `month` month (YYYY-MM, this or last), default `last`: "
			       "Month as YYYY-MM, or this / last\n"));
	assert_non_null(strstr(sb.buf, "Channels: \x01<#C0123456789> \x01<#C0987654321>\n"));
	assert_non_null(strstr(sb.buf, "Example: `/report usage acme`\n"));
	strbuf_reset(&sb);
	help_render_command(catalog_find(&cat, "top_customers"), "/report", &sb);
	assert_non_null(strstr(sb.buf, "• `region` enum (one of apac, emea, amer), default `apac`: Region"));
	assert_non_null(strstr(sb.buf, "Channels: any\n"));
	assert_non_null(strstr(sb.buf, "Example: `/report top_customers 10`\n"));
	strbuf_reset(&sb);
	help_render_command(catalog_find(&cat, "daily-events"), "/report", &sb);
	assert_non_null(strstr(sb.buf, "At most 100000 rows."));
	assert_non_null(strstr(sb.buf, "Example: `/report daily-events 2024-11-01`\n"));
	catalog_release(&cat);
	strbuf_release(&sb);
	strlist_release(&errors);
}

/* The reports shipped in commands/ must pass the same checks as `check`. */
static void test_shipped_commands_pass(void **state)
{
	(void)state;
	struct catalog cat;
	struct strlist errors;
	strlist_init(&errors);
	int rc = catalog_load(&cat, "commands", &errors);
	for (size_t i = 0; i < errors.n; i++)
		print_error("%s\n", errors.v[i]);
	assert_int_equal(rc, 0);
	for (size_t i = 0; i < cat.n; i++)
		for (size_t j = 0; j < ARRAY_SIZE(builtins); j++)
			if (strcmp(cat.cmds[i].name, builtins[j]) == 0)
				fail_msg("commands/%s.sql is hidden by the built-in %s", builtins[j],
					 builtins[j]);
	catalog_release(&cat);
	strlist_release(&errors);
}

static void test_load_fixture(void **state)
{
	(void)state;
	struct command c;
	struct strlist errs;
	strlist_init(&errs);
	assert_int_equal(command_load(&c, "tests/fixtures/commands/good/usage.sql", &errs), 0);
	assert_string_equal(c.name, "usage");
	assert_int_equal(c.nparams, 2);
	command_release(&c);
	assert_int_equal(command_load(&c, "tests/fixtures/commands/no-such.sql", &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0], "tests/fixtures/commands/no-such.sql: cannot open"));
	command_release(&c);
	strlist_release(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_fixture),
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_load_missing_dir),
		cmocka_unit_test(test_skips_hidden_and_dirs),
		cmocka_unit_test(test_find_prefix_names),
		cmocka_unit_test(test_closest),
		cmocka_unit_test(test_suggest_distance),
		cmocka_unit_test(test_help_list),
		cmocka_unit_test(test_help_command),
		cmocka_unit_test(test_shipped_commands_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
