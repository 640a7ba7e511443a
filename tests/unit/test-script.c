/* test-script: script reports (issue 15): the script header, the catalog
 * finding scripts, argv and environment building, the secrets, the
 * redaction and the words of failures, and the process itself (rows
 * streamed, exit status, signals, cancel, a stubborn grandchild). */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bot/config.h"
#include "commands/args.h"
#include "commands/catalog.h"
#include "commands/command.h"
#include "commands/script-run.h"
#include "common/strbuf.h"
#include "store/script-source.h"

static struct strlist errors;
static struct command cmd;

static int parse_script(const char *text)
{
	command_release(&cmd);
	strlist_release(&errors);
	return command_parse_script(&cmd, "x", "c/x.py", text, strlen(text), &errors);
}

static bool has_fault(const char *want)
{
	for (size_t i = 0; i < errors.n; i++)
		if (strstr(errors.v[i], want))
			return true;
	for (size_t i = 0; i < errors.n; i++)
		print_error("fault: %s\n", errors.v[i]);
	return false;
}

/* --- the header ----------------------------------------------------------- */

static void test_header_hash(void **state)
{
	(void)state;
	int rc = parse_script("#!/usr/bin/python3\n"
			      "# -*- coding: utf-8 -*-\n"
			      "# summary: growth per customer\n"
			      "# A plain comment line.\n"
			      "#\n"
			      "# param: month month=last the month\n"
			      "# param: top int(1..100)=10 how many\n"
			      "# env: AWS_PROFILE, GCP_KEY\n"
			      "# timeout: 60\n"
			      "# max_rows: 5000\n"
			      "# preview: 5\n"
			      "# chart: bar x=customer y=change\n"
			      "import sys\n"
			      "# param: below the header in the body is fine? no\n");
	assert_int_equal(rc, -1);   /* the late param line */
	assert_true(has_fault("c/x.py:14: 'param:' line below the header"));
	assert_int_equal(errors.n, 1);
	assert_true(cmd.script);
	assert_null(cmd.sql);
	assert_string_equal(cmd.interpreter, "/usr/bin/python3");
	assert_string_equal(cmd.summary, "growth per customer");
	assert_int_equal(cmd.nparams, 2);
	assert_string_equal(cmd.params[0].name, "month");
	assert_int_equal(cmd.params[0].type, PARAM_MONTH);
	assert_int_equal(cmd.nenv, 2);
	assert_string_equal(cmd.env[0], "AWS_PROFILE");
	assert_string_equal(cmd.env[1], "GCP_KEY");
	assert_int_equal(cmd.env_line, 8);
	assert_int_equal(cmd.timeout, 60);
	assert_int_equal(cmd.max_rows, 5000);
	assert_int_equal(cmd.preview, 5);
	assert_int_equal(cmd.chart.type, CHART_BAR);
}

static void test_header_other_markers(void **state)
{
	(void)state;
	assert_int_equal(parse_script("#!/usr/bin/node\n// summary: from node\n// param: n int a number\n"
				      "console.log('n')\n"), 0);
	assert_string_equal(cmd.summary, "from node");
	assert_int_equal(cmd.nparams, 1);
	assert_int_equal(parse_script("#!/usr/bin/lua\n-- summary: from lua\nprint('a')\n"), 0);
	assert_string_equal(cmd.summary, "from lua");
	/* no #! line: the header starts at line 1 */
	assert_int_equal(parse_script("# summary: no shebang\necho a\n"), 0);
	assert_null(cmd.interpreter);
	assert_string_equal(cmd.summary, "no shebang");
	/* no header at all is a script without a summary */
	assert_int_equal(parse_script("#!/bin/sh\necho a\n"), 0);
	assert_null(cmd.summary);
}

static void test_header_faults(void **state)
{
	(void)state;
	assert_int_equal(parse_script("#!/bin/sh\n# summary: s\n# source: main\n"), -1);
	assert_true(has_fault("c/x.py:3: source: does not apply to a script report"));
	assert_int_equal(parse_script("#!/bin/sh\n# sumary: s\n"), -1);
	assert_true(has_fault("c/x.py:2: unknown key 'sumary'; did you mean 'summary'?"));
	assert_int_equal(parse_script("#!/bin/sh\n# env: 1BAD\n"), -1);
	assert_true(has_fault("c/x.py:2: env '1BAD' is not a variable name"));
	assert_int_equal(parse_script("#!/bin/sh\n# env: PATH\n"), -1);
	assert_true(has_fault("env PATH: every script gets PATH, HOME, LANG and TZ"));
	assert_int_equal(parse_script("#!/bin/sh\n# env: REPORT_X\n"), -1);
	assert_true(has_fault("env REPORT_X: REPORT_ variables are the params' values"));
	assert_int_equal(parse_script("#!/bin/sh\n# env: SLACK_BOT_TOKEN\n"), -1);
	assert_true(has_fault("env SLACK_BOT_TOKEN: the bot's Slack tokens never reach a script"));
	assert_int_equal(parse_script("#!/bin/sh\n# env: A A\n"), -1);
	assert_true(has_fault("env lists A twice"));
	assert_int_equal(parse_script("#!/bin/sh\n# summary: \xff\n"), -1);
	assert_true(has_fault("c/x.py:2: not valid UTF-8"));
	/* the same rules as SQL for what they share */
	assert_int_equal(parse_script("#!/bin/sh\n# param: a int\n# param: a int\n"), -1);
	assert_true(has_fault("c/x.py:3:"));
	/* a bad command name */
	command_release(&cmd);
	strlist_release(&errors);
	assert_int_equal(command_parse_script(&cmd, "Bad", "c/Bad.py", "#!/bin/sh\n", 10, &errors), -1);
	assert_true(has_fault("command name 'Bad'"));
	/* env: in a .sql file */
	command_release(&cmd);
	strlist_release(&errors);
	const char *sql = "-- env: A\nSELECT 1\n";
	assert_int_equal(command_parse(&cmd, "x", "c/x.sql", sql, strlen(sql), &errors), -1);
	assert_true(has_fault("c/x.sql:1: env: is for script reports"));
}

static void test_header_body_is_not_read(void **state)
{
	(void)state;
	/* the body may be anything: bytes that are not UTF-8, unused params */
	assert_int_equal(parse_script("#!/bin/sh\n# summary: s\n# param: who string someone\n"
				      "printf '\xff\\n'\n"), 0);
	assert_int_equal(cmd.nparams, 1);
	assert_int_equal(cmd.sql_line, 4);
}

/* --- the catalog ---------------------------------------------------------- */

static void put(const char *dir, const char *file, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void test_catalog_finds_scripts(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-script-XXXXXX";
	assert_non_null(mkdtemp(dir));
	put(dir, "growth.py", "#!/usr/bin/python3\n# summary: g\n", 0755);
	put(dir, "plain", "#!/bin/sh\n# summary: no extension\n", 0700);
	put(dir, "usage.sql", "-- summary: u\nSELECT 1\n", 0644);
	put(dir, "notexec.sh", "#!/bin/sh\n", 0644);
	put(dir, "twice.sql", "SELECT 1\n", 0644);
	put(dir, "twice.sh", "#!/bin/sh\n", 0755);
	put(dir, "README.md", "read me\n", 0644);
	put(dir, "growth.py~", "#!/bin/sh\n", 0755);
	struct catalog cat;
	strlist_release(&errors);
	assert_int_equal(catalog_load(&cat, dir, &errors), -1);
	assert_int_equal(cat.n, 3);
	assert_string_equal(cat.cmds[0].name, "growth");
	assert_true(cat.cmds[0].script);
	assert_string_equal(cat.cmds[1].name, "plain");
	assert_true(cat.cmds[1].script);
	assert_string_equal(cat.cmds[2].name, "usage");
	assert_false(cat.cmds[2].script);
	assert_non_null(catalog_find(&cat, "growth"));
	assert_int_equal(errors.n, 2);
	assert_true(has_fault("notexec.sh:1: a script report must be executable; run chmod +x"));
	assert_true(has_fault("command 'twice' is defined by twice.sh and twice.sql"));
	catalog_release(&cat);
	char *rm = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
	free(rm);
}

/* --- argv and environment -------------------------------------------------- */

static const char *env_of(const struct strlist *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, n) == 0 && env->v[i][n] == '=')
			return env->v[i] + n + 1;
	return NULL;
}

static void test_call_build(void **state)
{
	(void)state;
	assert_int_equal(parse_script("#!/bin/sh\n"
				      "# param: who string someone\n"
				      "# param: month month the month\n"
				      "# param: ids list some ids\n"
				      "# param: n int a number\n"
				      "# param: day date a day\n"
				      "# env: AWS_PROFILE MISSING DB_PW\n"), 0);
	const char *who = "a b \"c\" $(touch x);y\nz 'q' \\";
	char *words[] = { (char *)who, (char *)"2024-11", (char *)"a, b,c", (char *)"007",
			  (char *)"2024-02-29" };
	struct invocation inv;
	char *cause = NULL;
	assert_int_equal(args_bind(&cmd, words, 5, (time_t)1732980600, &inv, &cause), 0);
	char *environ_in[] = { (char *)"PATH=/bin:/usr/bin", (char *)"HOME=/home/bot",
			       (char *)"LANG=C.UTF-8", (char *)"AWS_PROFILE=analytics",
			       (char *)"DB_PW=hunter2", (char *)"SLACK_BOT_TOKEN=xoxb-1",
			       (char *)"OTHER=x", NULL };
	struct strlist blocked;
	strlist_init(&blocked);
	strlist_push(&blocked, xstrdup("DB_PW"));
	struct script_call call;
	script_call_build(&inv, "/abs/x.py", "Asia/Tokyo", environ_in, &blocked, &call);

	assert_int_equal(call.argv.n, 6);
	assert_string_equal(call.argv.v[0], "/abs/x.py");
	char *want = xasprintf("--who=%s", who);
	assert_string_equal(call.argv.v[1], want);
	free(want);
	assert_string_equal(call.argv.v[2], "--month=2024-11");
	assert_string_equal(call.argv.v[3], "--ids=a,b,c");
	assert_string_equal(call.argv.v[4], "--n=7");
	assert_string_equal(call.argv.v[5], "--day=2024-02-29");

	assert_string_equal(env_of(&call.env, "PATH"), "/bin:/usr/bin");
	assert_string_equal(env_of(&call.env, "HOME"), "/home/bot");
	assert_string_equal(env_of(&call.env, "LANG"), "C.UTF-8");
	assert_string_equal(env_of(&call.env, "TZ"), "Asia/Tokyo");
	assert_string_equal(env_of(&call.env, "AWS_PROFILE"), "analytics");
	assert_string_equal(env_of(&call.env, "REPORT_WHO"), who);
	assert_string_equal(env_of(&call.env, "REPORT_MONTH"), "2024-11");
	assert_string_equal(env_of(&call.env, "REPORT_MONTH_START"), "2024-11-01");
	assert_string_equal(env_of(&call.env, "REPORT_MONTH_END"), "2024-12-01");
	assert_string_equal(env_of(&call.env, "REPORT_IDS"), "a,b,c");
	assert_string_equal(env_of(&call.env, "REPORT_N"), "7");
	assert_string_equal(env_of(&call.env, "REPORT_DAY"), "2024-02-29");
	/* nothing else: not the blocked password, not the token, not OTHER */
	assert_null(env_of(&call.env, "DB_PW"));
	assert_null(env_of(&call.env, "SLACK_BOT_TOKEN"));
	assert_null(env_of(&call.env, "OTHER"));
	assert_null(env_of(&call.env, "MISSING"));
	assert_int_equal(call.env.n, 12);
	script_call_release(&call);

	/* no PATH in the bot's environment: a plain one */
	char *bare[] = { NULL };
	script_call_build(&inv, "/abs/x.py", NULL, bare, NULL, &call);
	assert_string_equal(env_of(&call.env, "PATH"), "/usr/local/bin:/usr/bin:/bin");
	assert_null(env_of(&call.env, "TZ"));
	script_call_release(&call);
	strlist_release(&blocked);
	invocation_release(&inv);
}

static void test_secrets_of_the_config(void **state)
{
	(void)state;
	char path[] = "/tmp/test-script-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *toml = "[sources.db]\ndriver = \"mysql\"\nhost = \"127.0.0.1\"\nuser = \"u\"\n"
		"database = \"d\"\npassword_env = \"TEST_SCRIPT_DB_PW\"\n";
	assert_int_equal(write(fd, toml, strlen(toml)), (ssize_t)strlen(toml));
	close(fd);
	setenv("TEST_SCRIPT_DB_PW", "hunter2-secret", 1);
	struct config cfg;
	char *cause = NULL;
	if (config_load(&cfg, path, &cause) != 0)
		fail_msg("config: %s", cause);
	struct strlist values, names;
	strlist_init(&values);
	strlist_init(&names);
	script_secrets(cfg.sources, cfg.nsources, &values, &names);
	assert_int_equal(values.n, 1);
	assert_string_equal(values.v[0], "hunter2-secret");
	assert_int_equal(names.n, 3);
	assert_string_equal(names.v[0], "TEST_SCRIPT_DB_PW");
	assert_string_equal(names.v[1], "SLACK_APP_TOKEN");
	assert_string_equal(names.v[2], "SLACK_BOT_TOKEN");
	strlist_release(&values);
	strlist_release(&names);
	config_release(&cfg);
	unlink(path);
}

/* --- redaction and words -------------------------------------------------- */

static void redacted(const char *in, const char *const *secrets, size_t n, const char *want)
{
	char *out = script_redact(in, strlen(in), secrets, n);
	assert_string_equal(out, want);
	free(out);
}

static void test_redact(void **state)
{
	(void)state;
	redacted("token xoxb-123-abcDEF end", NULL, 0, "token [redacted] end");
	redacted("xoxp-1 xoxa-2 xapp-1-A-b.", NULL, 0, "[redacted] [redacted] [redacted].");
	redacted("xoxo and xoxz-1 and xap-1", NULL, 0, "xoxo and xoxz-1 and xap-1");
	const char *secrets[] = { "hunter2", "", "hunt" };
	redacted("pw=hunter2; pw=hunt", secrets, 3, "pw=[redacted]; pw=[redacted]");
	redacted("hunter2hunter2", secrets, 3, "[redacted][redacted]");
	redacted("", secrets, 3, "");
}

static void test_status_words(void **state)
{
	(void)state;
	char *w = script_status_words(3 << 8);
	assert_string_equal(w, "exited with status 3");
	free(w);
	w = script_status_words(SIGKILL);
	assert_string_equal(w, "was killed by signal 9 (SIGKILL)");
	free(w);
	w = script_status_words(SIGSEGV | 0x80);
	assert_string_equal(w, "was killed by signal 11 (SIGSEGV, core dumped)");
	free(w);
}

static void test_tail_text(void **state)
{
	(void)state;
	const char *kept = "cut line\nl1\nl2\nl3\n\n";
	char *t = script_tail_text(kept, strlen(kept), true, 10, 1000);
	assert_string_equal(t, "l1\nl2\nl3");
	free(t);
	t = script_tail_text(kept, strlen(kept), false, 2, 1000);
	assert_string_equal(t, "l2\nl3");
	free(t);
	t = script_tail_text(kept, strlen(kept), false, 10, 4);
	assert_string_equal(t, "2\nl3");
	free(t);
	const char *bad = "a\xff\x01\tb\xc3\xa9";
	t = script_tail_text(bad, strlen(bad), false, 10, 1000);
	assert_string_equal(t, "a??\tb\xc3\xa9");
	free(t);
}

/* --- the process ----------------------------------------------------------- */

static char *tmpdir;

static char *script_file(const char *name, const char *body)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

static enum source_result start(const char *path, int64_t timeout_ms, struct source **src, char **cause)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	const char *secrets[] = { "sekrit" };
	struct script_spec spec = { .path = path, .shown = "x.sh", .argv = argv, .envp = envp,
				    .cwd = tmpdir, .timeout_ms = timeout_ms, .secrets = secrets,
				    .nsecrets = 1 };
	*cause = NULL;
	return script_source_start(src, &spec, cause);
}

static void test_process_rows(void **state)
{
	(void)state;
	char *path = script_file("rows.sh", "echo 'a,b'\nfor i in 1 2 3; do echo \"$i,\\\"x$i\\\"\"; done\n");
	struct source *src;
	char *cause;
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_OK);
	assert_int_equal(source_ncols(src), 2);
	assert_string_equal(source_colname(src, 1), "b");
	struct source_row row;
	int n = 0;
	enum source_result r;
	while ((r = source_next(src, &row, &cause)) == SOURCE_ROW) {
		n++;
		assert_int_equal(row.ncols, 2);
	}
	assert_int_equal(r, SOURCE_DONE);
	assert_int_equal(n, 3);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_DONE);
	source_close(src);
	free(path);
}

static void test_process_failures(void **state)
{
	(void)state;
	struct source *src;
	char *cause;
	struct source_row row;

	char *path = script_file("exit3.sh", "echo 'a'\necho 1\necho 'boom sekrit xoxb-9' >&2\nexit 3\n");
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_OK);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_EQUERY);
	assert_string_equal(cause, "x.sh exited with status 3; the last lines of its stderr:\n"
			    "boom [redacted] [redacted]");
	free(cause);
	source_close(src);
	free(path);

	/* failing before the header: start says so */
	path = script_file("nohead.sh", "exit 4\n");
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_EQUERY);
	assert_null(src);
	assert_string_equal(cause, "x.sh exited with status 4 (it wrote nothing to stderr)");
	free(cause);
	free(path);

	path = script_file("killed.sh", "echo a\nkill -TERM $$\n");
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_OK);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_EQUERY);
	assert_non_null(strstr(cause, "x.sh was killed by signal 15 (SIGTERM)"));
	free(cause);
	source_close(src);
	free(path);

	path = script_file("bad.sh", "echo a,b\necho '1,2,3'\n");
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_OK);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_EQUERY);
	assert_non_null(strstr(cause, "not valid CSV, so nothing of it was posted: line 2: 3 fields"));
	free(cause);
	source_close(src);
	free(path);

	/* the last record, cut by a crash, is not read: the exit status wins */
	path = script_file("cut.sh", "printf 'a,b\\n1,2\\n3'\nexit 1\n");
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_OK);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ROW);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_EQUERY);
	assert_non_null(strstr(cause, "exited with status 1"));
	free(cause);
	source_close(src);
	free(path);

	/* not executable; no interpreter */
	path = script_file("noexec.sh", "echo a\n");
	chmod(path, 0644);
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_ECONNECT);
	assert_string_equal(cause, "cannot run x.sh: it is not executable (chmod +x x.sh)");
	free(cause);
	free(path);
	path = xasprintf("%s/nointerp.sh", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("#!/no/such/interpreter\n", f);
	fclose(f);
	chmod(path, 0755);
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_ECONNECT);
	assert_string_equal(cause, "cannot run x.sh: the interpreter of its #! line does not exist");
	free(cause);
	free(path);
}

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0;
}

static pid_t read_pid(const char *file)
{
	FILE *f = fopen(file, "r");
	assert_non_null(f);
	int pid = 0;
	assert_int_equal(fscanf(f, "%d", &pid), 1);
	fclose(f);
	return pid;
}

/* A grandchild that ignores SIGTERM is gone when close returns. */
static void test_timeout_kills_the_group(void **state)
{
	(void)state;
	setenv("REPORTBOT_SCRIPT_GRACE_MS", "200", 1);
	char *pidfile = xasprintf("%s/gc.pid", tmpdir);
	char *body = xasprintf("echo a\nsh -c 'trap \"\" TERM; echo $$ > %s.tmp; mv %s.tmp %s; "
			       "exec sleep 60' &\nwhile [ ! -e %s ]; do :; done\nsleep 60\n",
			       pidfile, pidfile, pidfile, pidfile);
	char *path = script_file("slow.sh", body);
	struct source *src;
	char *cause;
	struct source_row row;
	assert_int_equal(start(path, 1000, &src, &cause), SOURCE_OK);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ETIMEOUT);
	assert_string_equal(cause, "x.sh ran longer than its timeout of 1 s");
	free(cause);
	pid_t gc = read_pid(pidfile);
	assert_true(pid_alive(gc));
	source_close(src);
	assert_false(pid_alive(gc));   /* killed, and reaped (no zombie) */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);   /* nothing left to reap */
	unsetenv("REPORTBOT_SCRIPT_GRACE_MS");
	free(path);
	free(body);
	free(pidfile);
}

struct canceller {
	struct source *src;
	const char *pidfile;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;
	while (access(c->pidfile, F_OK) != 0)
		;   /* await the grandchild */
	source_cancel(c->src);
	return NULL;
}

static void test_cancel_from_another_thread(void **state)
{
	(void)state;
	setenv("REPORTBOT_SCRIPT_GRACE_MS", "200", 1);
	char *pidfile = xasprintf("%s/gc2.pid", tmpdir);
	char *body = xasprintf("echo a\nsh -c 'trap \"\" TERM; echo $$ > %s.tmp; mv %s.tmp %s; "
			       "exec sleep 60' &\nsleep 60\n", pidfile, pidfile, pidfile);
	char *path = script_file("cancel.sh", body);
	struct source *src;
	char *cause;
	struct source_row row;
	assert_int_equal(start(path, 0, &src, &cause), SOURCE_OK);
	struct canceller c = { src, pidfile };
	pthread_t t;
	pthread_create(&t, NULL, cancel_later, &c);
	assert_int_equal(source_next(src, &row, &cause), SOURCE_ECANCELLED);
	pthread_join(t, NULL);
	free(cause);
	pid_t gc = read_pid(pidfile);
	source_close(src);
	assert_false(pid_alive(gc));
	unsetenv("REPORTBOT_SCRIPT_GRACE_MS");
	free(path);
	free(body);
	free(pidfile);
}

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test-script-run-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	tmpdir = xstrdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *rm = xasprintf("rm -rf %s", tmpdir);
	int rc = system(rm);
	free(rm);
	free(tmpdir);
	command_release(&cmd);
	strlist_release(&errors);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_hash),
		cmocka_unit_test(test_header_other_markers),
		cmocka_unit_test(test_header_faults),
		cmocka_unit_test(test_header_body_is_not_read),
		cmocka_unit_test(test_catalog_finds_scripts),
		cmocka_unit_test(test_call_build),
		cmocka_unit_test(test_secrets_of_the_config),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_status_words),
		cmocka_unit_test(test_tail_text),
		cmocka_unit_test(test_process_rows),
		cmocka_unit_test(test_process_failures),
		cmocka_unit_test(test_timeout_kills_the_group),
		cmocka_unit_test(test_cancel_from_another_thread),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
