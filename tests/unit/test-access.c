/*
 * test-access: the one rule of who may run, see and stop what
 * (bot/access.h): [access] in the config (every rule and its message), the
 * `-- allow:` header key, groups, Slack user groups from the cache, admins
 * (and the deprecated [scheduler] admins), channels, the process itself,
 * and commands whose allow: names an unknown group.
 */
#include "common.h"

#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

#include "bot/access.h"
#include "bot/config.h"
#include "commands/command.h"

static char tmpdir[64];
static char cfgpath[128];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-access-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.toml", tmpdir);
	unsetenv("SLACK_API_URL");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(cfgpath);
	rmdir(tmpdir);
	return 0;
}

#define SOURCE "[sources.main]\ndriver = \"sqlite\"\npath = \"/tmp/x.db\"\n"

/* Load SOURCE + text; returns config_load's result, *cause set on failure. */
static int load(struct config *cfg, const char *text, char **cause)
{
	FILE *f = fopen(cfgpath, "w");
	assert_non_null(f);
	fputs(SOURCE, f);
	fputs(text, f);
	fclose(f);
	*cause = NULL;
	return config_load(cfg, cfgpath, cause);
}

static void expect_config_fault(const char *text, const char *want)
{
	struct config cfg;
	char *cause = NULL;
	assert_int_equal(load(&cfg, text, &cause), -1);
	assert_non_null(cause);
	if (!strstr(cause, want))
		fail_msg("fault '%s' does not contain '%s'", cause, want);
	free(cause);
}

static void test_config_groups(void **state)
{
	(void)state;
	struct config cfg;
	char *cause = NULL;
	int rc = load(&cfg, "[access]\nrefresh_minutes = 5\n[access.groups]\n"
		      "admins = [\"U0ADMIN0001\"]\nfinance = [\"U0ALICE0001\", \"S0FIN000001\", \"W0BOB000001\"]\n",
		      &cause);
	if (rc)
		fail_msg("%s", cause);
	assert_int_equal(cfg.access_refresh_minutes, 5);
	assert_int_equal(cfg.naccess_groups, 2);
	const struct access_group *g = config_find_group(&cfg, "finance");
	assert_non_null(g);
	assert_int_equal(g->nids, 3);
	assert_string_equal(g->ids[1], "S0FIN000001");
	assert_int_equal(g->line, 8);
	assert_null(config_find_group(&cfg, "nosuch"));
	config_release(&cfg);

	/* the dotted form in [access] is the same table */
	rc = load(&cfg, "[access]\ngroups.ops = [\"U0OPS000001\"]\n", &cause);
	if (rc)
		fail_msg("%s", cause);
	assert_non_null(config_find_group(&cfg, "ops"));
	assert_int_equal(cfg.access_refresh_minutes, 10);   /* the default */
	config_release(&cfg);
}

static void test_config_faults(void **state)
{
	(void)state;
	expect_config_fault("[access]\nrefresh_minute = 5\n",
			    "config.toml:5:1: unknown key 'refresh_minute' in [access] (did you mean 'refresh_minutes'?); "
			    "accepted: groups, refresh_minutes");
	expect_config_fault("[access]\nrefresh_minutes = 0\n", "refresh_minutes = 0 is out of range; accepted: 1 to 1440");
	expect_config_fault("[access]\ngroups = 3\n", "[access] groups = 3 is an integer; accepted: a table");
	expect_config_fault("[access.groups]\nFinance = [\"U0ALICE0001\"]\n",
			    "config.toml:5:1: [access.groups] group name 'Finance' is not valid");
	expect_config_fault("[access.groups]\n9x = [\"U0ALICE0001\"]\n", "group name '9x' is not valid");
	expect_config_fault("[access.groups]\nfinance = \"U0ALICE0001\"\n",
			    "[access.groups] finance = \"U0ALICE0001\" is a string; accepted: an array of strings");
	expect_config_fault("[access.groups]\nfinance = [\"U0ALICE0001\", \"alice\"]\n",
			    "config.toml:5:27: [access.groups] finance[1] = \"alice\" is not a Slack id");
	expect_config_fault("[access.groups]\nfinance = [\"C0FINANCE01\"]\n", "is not a Slack id");
	expect_config_fault("[access.groups]\nfinance = [\"\"]\n", "finance[0] is empty");
	expect_config_fault("[access.groups]\nfinance = [1]\n", "finance[0] = 1 is an integer");
	expect_config_fault("[acess]\n", "unknown key 'acess' at the top level (did you mean 'access'?)");
}

/* ---- allow: in a command header ---- */

static struct command cmd;
static struct strlist errors;

static int parse(const char *text)
{
	command_release(&cmd);
	strlist_release(&errors);
	return command_parse(&cmd, "x", "c/x.sql", text, strlen(text), &errors);
}

static void test_allow_key(void **state)
{
	(void)state;
	assert_int_equal(parse("-- allow: finance, U0ALICE0001 S0FIN000001,W0BOB000001\nSELECT 1\n"), 0);
	assert_int_equal(cmd.nallow, 4);
	assert_string_equal(cmd.allow[0], "finance");
	assert_string_equal(cmd.allow[1], "U0ALICE0001");
	assert_string_equal(cmd.allow[2], "S0FIN000001");
	assert_string_equal(cmd.allow[3], "W0BOB000001");
	assert_int_equal(cmd.allow_line, 1);

	assert_int_equal(parse("SELECT 1\n"), 0);
	assert_int_equal(cmd.nallow, 0);

	assert_int_equal(parse("-- allow: Finance\nSELECT 1\n"), -1);
	assert_non_null(strstr(errors.v[0], "c/x.sql:1: allow 'Finance' is neither a group nor a Slack id"));
	assert_int_equal(parse("-- allow: C0FINANCE01\nSELECT 1\n"), -1);
	assert_int_equal(parse("-- allow: U0ALICE0001, U0ALICE0001\nSELECT 1\n"), -1);
	assert_non_null(strstr(errors.v[0], "allow lists 'U0ALICE0001' twice"));
	assert_int_equal(parse("-- allow:\nSELECT 1\n"), -1);
	assert_non_null(strstr(errors.v[0], "allow is empty"));
	assert_int_equal(parse("-- allow: a\n-- allow: b\nSELECT 1\n"), -1);
	assert_non_null(strstr(errors.v[0], "duplicate key 'allow'"));
	command_release(&cmd);
	strlist_release(&errors);
}

/* ---- the rule ---- */

#define ALICE "U0ALICE0001"
#define BOB "U0BOB000001"
#define CAROL "W0CAROL0001"
#define ADMIN "U0ADMIN0001"
#define FINGROUP "S0FIN000001"

static void load_rules(struct config *cfg)
{
	char *cause = NULL;
	int rc = load(cfg, "[scheduler]\nadmins = [\"U0OLDADM001\"]\n"
		      "[access.groups]\nadmins = [\"" ADMIN "\"]\n"
		      "finance = [\"" ALICE "\", \"" FINGROUP "\"]\n", &cause);
	if (rc)
		fail_msg("%s", cause);
}

static void test_may_run(void **state)
{
	(void)state;
	struct config cfg;
	load_rules(&cfg);
	struct access *a = access_new(&cfg);
	char *why = NULL;

	/* no allow:, no channels: everyone, everywhere */
	assert_int_equal(parse("SELECT 1\n"), 0);
	assert_true(access_may_run(a, &cmd, BOB, "C0GENERAL01", NULL));

	/* allow: a group: its people, directly or through a Slack user group */
	assert_int_equal(parse("-- allow: finance\nSELECT 1\n"), 0);
	assert_true(access_may_run(a, &cmd, ALICE, "C0GENERAL01", NULL));
	assert_false(access_may_run(a, &cmd, BOB, "C0GENERAL01", &why));
	assert_string_equal(why, "You may not run `x`; an admin can add you to its `allow:` list.");
	free(why);
	why = NULL;
	assert_false(access_may_run(a, &cmd, CAROL, "C0GENERAL01", NULL));   /* not read yet */
	char carol[] = CAROL;
	char *members[] = { carol };
	access_set_members(a, FINGROUP, members, 1);
	assert_true(access_in_usergroup(a, FINGROUP, CAROL));
	assert_true(access_may_run(a, &cmd, CAROL, "C0GENERAL01", NULL));
	access_set_members(a, FINGROUP, NULL, 0);                             /* left the group */
	assert_false(access_may_run(a, &cmd, CAROL, "C0GENERAL01", NULL));
	/* admins are not in allow: by being admins */
	assert_false(access_may_run(a, &cmd, ADMIN, "C0GENERAL01", NULL));
	/* the process and its operator may run everything */
	assert_true(access_may_run(a, &cmd, "console", NULL, NULL));
	assert_true(access_may_run(a, &cmd, "scheduler", "C0GENERAL01", NULL));
	assert_true(access_may_run(a, &cmd, "cli", NULL, NULL));

	/* allow: an id directly, and a user group id directly */
	assert_int_equal(parse("-- allow: " BOB ", " FINGROUP "\nSELECT 1\n"), 0);
	assert_true(access_may_run(a, &cmd, BOB, NULL, NULL));
	assert_false(access_may_run(a, &cmd, ALICE, NULL, NULL));
	access_set_members(a, FINGROUP, members, 1);
	assert_true(access_may_run(a, &cmd, CAROL, NULL, NULL));

	/* channels: stays; the refusal names the channels only to people allowed */
	assert_int_equal(parse("-- allow: finance\n-- channels: C0FINANCE01\nSELECT 1\n"), 0);
	assert_true(access_may_run(a, &cmd, ALICE, "C0FINANCE01", NULL));
	assert_false(access_may_run(a, &cmd, ALICE, "C0GENERAL01", &why));
	assert_string_equal(why, "x can only be run in \x01<#C0FINANCE01>; run it there");  /* the bot's own reference, marked (common/markup.h) */
	free(why);
	why = NULL;
	assert_false(access_may_run(a, &cmd, BOB, "C0FINANCE01", &why));
	assert_null(strstr(why, "C0FINANCE01"));
	free(why);
	assert_false(access_may_run(a, &cmd, "scheduler", "C0GENERAL01", NULL));

	access_free(a);
	config_release(&cfg);
	command_release(&cmd);
	strlist_release(&errors);
}

static void test_admins(void **state)
{
	(void)state;
	struct config cfg;
	load_rules(&cfg);
	struct access *a = access_new(&cfg);
	assert_true(access_is_admin(a, ADMIN));
	assert_true(access_is_admin(a, "U0OLDADM001"));   /* [scheduler] admins, deprecated */
	assert_false(access_is_admin(a, ALICE));
	assert_true(access_is_admin(a, "console"));
	assert_true(access_is_admin(a, "scheduler"));
	assert_true(access_is_person(ALICE));
	assert_true(access_is_person(CAROL));
	assert_false(access_is_person("console"));
	assert_false(access_is_person(NULL));
	access_free(a);
	config_release(&cfg);
}

static void test_usergroups_listed_once(void **state)
{
	(void)state;
	struct config cfg;
	load_rules(&cfg);
	struct access *a = access_new(&cfg);
	struct catalog cat = { 0 };
	cat.cmds = xcalloc(2, sizeof(*cat.cmds));
	const char *texts[] = { "-- allow: S0OTHER0001, " FINGROUP "\nSELECT 1\n", "-- allow: finance\nSELECT 1\n" };
	for (size_t i = 0; i < 2; i++) {
		struct strlist errs;
		strlist_init(&errs);
		assert_int_equal(command_parse(&cat.cmds[i], i ? "b" : "a", "c/a.sql", texts[i], strlen(texts[i]), &errs), 0);
		strlist_release(&errs);
	}
	cat.n = 2;
	struct strlist ids;
	strlist_init(&ids);
	access_usergroups(a, &cat, &ids);
	assert_int_equal(ids.n, 2);
	assert_string_equal(ids.v[0], FINGROUP);
	assert_string_equal(ids.v[1], "S0OTHER0001");
	strlist_release(&ids);
	catalog_release(&cat);
	access_free(a);
	config_release(&cfg);
}

static void test_unknown_group_left_out(void **state)
{
	(void)state;
	struct config cfg;
	load_rules(&cfg);
	struct catalog cat = { 0 };
	cat.cmds = xcalloc(3, sizeof(*cat.cmds));
	const char *names[] = { "a", "b", "c" };
	const char *texts[] = { "SELECT 1\n", "-- summary: s\n-- allow: finance, typo\nSELECT 1\n", "-- allow: finance\nSELECT 1\n" };
	for (size_t i = 0; i < 3; i++) {
		struct strlist errs;
		strlist_init(&errs);
		char *path = xasprintf("c/%s.sql", names[i]);
		assert_int_equal(command_parse(&cat.cmds[i], names[i], path, texts[i], strlen(texts[i]), &errs), 0);
		free(path);
		strlist_release(&errs);
	}
	cat.n = 3;
	struct strlist faults;
	strlist_init(&faults);
	access_check_catalog(&cfg, &cat, &faults);
	assert_int_equal(faults.n, 1);
	assert_non_null(strstr(faults.v[0], "c/b.sql:2: allow names the group 'typo', which is not in "
				"[access.groups] of"));
	assert_non_null(strstr(faults.v[0], "accepted: admins, finance"));
	assert_int_equal(cat.n, 2);
	assert_string_equal(cat.cmds[0].name, "a");
	assert_string_equal(cat.cmds[1].name, "c");
	strlist_release(&faults);
	catalog_release(&cat);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_faults, setup, teardown),
		cmocka_unit_test(test_allow_key),
		cmocka_unit_test_setup_teardown(test_may_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usergroups_listed_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_group_left_out, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
