/*
 * test-config: config_load on top of the TOML parser: defaults, every
 * validation rule with FILE:LINE:COLUMN, environment overrides, secrets
 * kept out of messages, config.example.toml, and bot/timezone.
 */
#include "common.h"

#include <setjmp.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "bot/config.h"
#include "common/timezone.h"
#include "store/source-mysql.h"
#include "store/source-sqlite.h"

/* A source's driver settings, checking the driver first. */
static const struct mysql_settings *mysql_of(const struct source_config *s)
{
	assert_non_null(s);
	assert_ptr_equal(s->driver, &source_driver_mysql);
	return s->settings;
}

static const struct sqlite_settings *sqlite_of(const struct source_config *s)
{
	assert_non_null(s);
	assert_ptr_equal(s->driver, &source_driver_sqlite);
	return s->settings;
}

static char tmpdir[64];
static char cfgpath[128];

static const char *const env_vars[] = {
	"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_API_URL", "REPORTBOT_CONFIG",
	"MAIN_DB_PASSWORD", "TEST_DB_PW", "TZDIR",
};

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-config-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.toml", tmpdir);
	for (size_t i = 0; i < ARRAY_SIZE(env_vars); i++)
		unsetenv(env_vars[i]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(cfgpath);
	rmdir(tmpdir);
	for (size_t i = 0; i < ARRAY_SIZE(env_vars); i++)
		unsetenv(env_vars[i]);
	return 0;
}

static void write_config(const char *text)
{
	FILE *f = fopen(cfgpath, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Minimal valid sections to put before the part under test. */
#define SQLITE_SOURCE "[sources.demo]\ndriver = \"sqlite\"\npath = \"demo.db\"\n"

static void load_ok(struct config *cfg, const char *text)
{
	char *cause = NULL;
	write_config(text);
	if (config_load(cfg, cfgpath, &cause) != 0)
		fail_msg("config rejected: %s", cause);
}

/*
 * The load must fail; *cause must contain "config.toml:POS: " (POS may be
 * NULL) and every one of the NULL-terminated strings that follow.
 */
static char *load_bad(const char *text, const char *pos, ...)
{
	struct config cfg;
	char *cause = NULL;
	write_config(text);
	if (config_load(&cfg, cfgpath, &cause) == 0) {
		config_release(&cfg);
		fail_msg("config accepted: %s", text);
	}
	assert_non_null(cause);
	assert_null(cfg.path);   /* zeroed on failure */
	if (pos) {
		char *want = xasprintf("%s:%s: ", cfgpath, pos);
		if (!strstr(cause, want))
			fail_msg("error '%s' lacks '%s'", cause, want);
		free(want);
	}
	va_list ap;
	va_start(ap, pos);
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
		if (!strstr(cause, s))
			fail_msg("error '%s' lacks '%s'", cause, s);
	va_end(ap);
	return cause;
}

#define BAD(text, pos, ...) free(load_bad(text, pos, __VA_ARGS__, (const char *)NULL))

/* ---- defaults and the example ---- */

static void test_defaults(void **state)
{
	(void)state;
	struct config cfg;
	load_ok(&cfg, SQLITE_SOURCE);
	assert_string_equal(cfg.path, cfgpath);
	assert_null(cfg.app_token);
	assert_null(cfg.bot_token);
	assert_string_equal(cfg.api_url, "https://slack.com/api/");
	assert_string_equal(cfg.command, "/report");
	assert_string_equal(cfg.commands_dir, "commands");
	assert_string_equal(cfg.data_dir, "var");
	assert_int_equal(cfg.workers, 4);
	assert_int_equal(cfg.queue_size, 64);
	assert_string_equal(cfg.timezone, "UTC");
	assert_string_equal(cfg.default_source, "demo");
	assert_int_equal(cfg.default_timeout, 300);
	assert_int_equal(cfg.shutdown_grace, 30);
	assert_true(cfg.bom);   /* Excel by default */
	assert_int_equal(cfg.gzip_over, 50 * 1024 * 1024);
	assert_int_equal(cfg.max_upload_bytes, 1024 * 1024 * 1024);
	assert_int_equal(cfg.keep_hours, 24);
	assert_int_equal(cfg.catch_up_minutes, 60);
	assert_int_equal(cfg.schedule_retries, 2);
	assert_int_equal(cfg.schedule_retry_backoff, 60);
	assert_null(cfg.alert_channel);
	assert_int_equal(cfg.nschedule_admins, 0);
	assert_int_equal(cfg.nsources, 1);
	assert_string_equal(sqlite_of(&cfg.sources[0])->path, "demo.db");
	assert_int_equal(cfg.nschedules, 0);
	config_release(&cfg);
	config_release(&cfg);   /* released twice: harmless */
	config_release(NULL);
}

static void test_mysql_defaults(void **state)
{
	(void)state;
	struct config cfg;
	load_ok(&cfg, "[sources.main]\ndriver = \"mysql\"\nuser = \"ro\"\ndatabase = \"db\"\n");
	const struct mysql_settings *s = mysql_of(config_find_source(&cfg, "main"));
	assert_string_equal(s->host, "127.0.0.1");
	assert_int_equal(s->port, 3306);
	assert_null(s->socket);
	assert_null(s->password_env);
	assert_null(s->password);
	assert_int_equal(s->connect_timeout, 10);
	assert_false(s->tls);
	assert_null(s->tls_ca);
	assert_true(s->tls_verify);
	assert_null(config_find_source(&cfg, "other"));
	assert_null(config_find_source(&cfg, NULL));
	config_release(&cfg);
}

static void test_every_key(void **state)
{
	(void)state;
	struct config cfg;
	setenv("TEST_DB_PW", "s3cret pw", 1);
	load_ok(&cfg,
		"[slack]\napp_token = \"xapp-1\"\nbot_token = \"xoxb-1\"\n"
		"api_url = \"http://127.0.0.1:9999/api\"\ncommand = \"/rep\"\n"
		"[bot]\ncommands_dir = \"cmds\"\ndata_dir = \"/var/lib/rb\"\nworkers = 64\n"
		"queue_size = 10\ntimezone = \"Asia/Tokyo\"\ndefault_source = \"b\"\n"
		"default_timeout = 30\nshutdown_grace = 0\n"
		"[output]\nbom = false\n"
		"[scheduler]\ncatch_up_minutes = 0\nretries = 5\nretry_backoff = 7\n"
		"alert_channel = \"C999\"\nadmins = [\"U1\", \"U2\"]\n"
		"[sources.a]\ndriver = \"sqlite\"\npath = \"a.db\"\n"
		"[sources.b]\ndriver = \"mysql\"\nhost = \"db.local\"\nport = 3307\n"
		"socket = \"/run/m.sock\"\nuser = \"u\"\npassword_env = \"TEST_DB_PW\"\n"
		"database = \"d\"\nconnect_timeout = 3\ntls = true\ntls_ca = \"/ca.pem\"\n"
		"tls_verify = false\n"
		"[[schedule]]\nname = \"m\"\ncron = \"0 9 1 * *\"\nrun = \"usage last\"\n"
		"channel = \"C1\"\nskip_empty = true\nonly_changed = true\n"
		"[[schedule]]\nname = \"w\"\ncron = \"0 9 * * 1\"\nrun = \"weekly\"\nchannel = \"C2\"\n");
	assert_string_equal(cfg.app_token, "xapp-1");
	assert_string_equal(cfg.bot_token, "xoxb-1");
	assert_string_equal(cfg.api_url, "http://127.0.0.1:9999/api/");
	assert_string_equal(cfg.command, "/rep");
	assert_string_equal(cfg.commands_dir, "cmds");
	assert_string_equal(cfg.data_dir, "/var/lib/rb");
	assert_int_equal(cfg.workers, 64);
	assert_int_equal(cfg.queue_size, 10);
	assert_string_equal(cfg.timezone, "Asia/Tokyo");
	assert_string_equal(cfg.default_source, "b");
	assert_int_equal(cfg.default_timeout, 30);
	assert_int_equal(cfg.shutdown_grace, 0);
	assert_false(cfg.bom);
	assert_int_equal(cfg.catch_up_minutes, 0);
	assert_int_equal(cfg.schedule_retries, 5);
	assert_int_equal(cfg.schedule_retry_backoff, 7);
	assert_string_equal(cfg.alert_channel, "C999");
	assert_int_equal(cfg.nschedule_admins, 2);
	assert_string_equal(cfg.schedule_admins[1], "U2");
	assert_int_equal(cfg.nsources, 2);
	assert_string_equal(cfg.sources[1].name, "b");
	const struct mysql_settings *b = mysql_of(&cfg.sources[1]);
	assert_string_equal(b->host, "db.local");
	assert_int_equal(b->port, 3307);
	assert_string_equal(b->socket, "/run/m.sock");
	assert_string_equal(b->user, "u");
	assert_string_equal(b->password_env, "TEST_DB_PW");
	assert_string_equal(b->password, "s3cret pw");
	assert_string_equal(b->database, "d");
	assert_int_equal(b->connect_timeout, 3);
	assert_true(b->tls);
	assert_string_equal(b->tls_ca, "/ca.pem");
	assert_false(b->tls_verify);
	assert_int_equal(cfg.nschedules, 2);
	assert_string_equal(cfg.schedules[0].name, "m");
	assert_string_equal(cfg.schedules[0].cron, "0 9 1 * *");
	assert_string_equal(cfg.schedules[0].run, "usage last");
	assert_string_equal(cfg.schedules[0].channel, "C1");
	assert_true(cfg.schedules[0].skip_empty);
	assert_true(cfg.schedules[0].only_changed);
	assert_false(cfg.schedules[1].skip_empty);
	assert_false(cfg.schedules[1].only_changed);
	config_release(&cfg);
}

static void test_example_file(void **state)
{
	(void)state;
	struct config cfg;
	char *cause = NULL;
	setenv("MAIN_DB_PASSWORD", "example-pw", 1);
	if (config_load(&cfg, "config.example.toml", &cause) != 0)
		fail_msg("config.example.toml: %s", cause);
	assert_string_equal(cfg.timezone, "Asia/Tokyo");
	assert_string_equal(cfg.default_source, "main");
	assert_int_equal(cfg.nsources, 2);
	assert_string_equal(mysql_of(config_find_source(&cfg, "main"))->password, "example-pw");
	assert_string_equal(sqlite_of(config_find_source(&cfg, "demo"))->path, "demo/demo.db");
	assert_int_equal(cfg.nschedules, 2);
	assert_null(cfg.app_token);   /* "" in the file means unset */
	config_release(&cfg);

	/* without the password variable the example is rejected, helpfully */
	unsetenv("MAIN_DB_PASSWORD");
	assert_int_equal(config_load(&cfg, "config.example.toml", &cause), -1);
	assert_non_null(strstr(cause, "config.example.toml:"));
	assert_non_null(strstr(cause, "environment variable MAIN_DB_PASSWORD is not set"));
	free(cause);
}

/* ---- files and paths ---- */

static void test_missing_file(void **state)
{
	(void)state;
	struct config cfg;
	char *cause = NULL;
	assert_int_equal(config_load(&cfg, "/nonexistent/reportbot.toml", &cause), -1);
	assert_string_equal(cause, "config file '/nonexistent/reportbot.toml' not found; "
			    "choose another with -c FILE or $REPORTBOT_CONFIG");
	free(cause);
	assert_int_equal(config_load(&cfg, "", &cause), -1);
	assert_non_null(strstr(cause, "-c FILE"));
	free(cause);
	assert_int_equal(config_load(&cfg, tmpdir, &cause), -1);   /* a directory */
	assert_non_null(strstr(cause, tmpdir));
	free(cause);
	assert_int_equal(config_load(&cfg, "/nonexistent/x.toml", NULL), -1);
}

static void test_default_path(void **state)
{
	(void)state;
	assert_string_equal(config_default_path(NULL), "./config.toml");
	assert_string_equal(config_default_path(""), "./config.toml");
	setenv("REPORTBOT_CONFIG", "/etc/reportbot.toml", 1);
	assert_string_equal(config_default_path(NULL), "/etc/reportbot.toml");
	assert_string_equal(config_default_path("mine.toml"), "mine.toml");
	unsetenv("REPORTBOT_CONFIG");
	assert_string_equal(config_default_path("mine.toml"), "mine.toml");
}

static void test_toml_errors_pass_through(void **state)
{
	(void)state;
	BAD("[bot]\nworkers = 4\nworkers = 5\n", "3:1",
	    "duplicate key 'workers' (first defined at line 2)");
	BAD(SQLITE_SOURCE "[bot\n", "4:5", "expected ']'");
}

/* ---- validation ---- */

static void test_unknown_keys(void **state)
{
	(void)state;
	BAD(SQLITE_SOURCE "[bot]\nwrokers = 4\n", "5:1",
	    "unknown key 'wrokers' in [bot] (did you mean 'workers'?)",
	    "accepted: commands_dir, data_dir, workers");
	BAD(SQLITE_SOURCE "[slak]\n", "4:2", "unknown key 'slak' at the top level (did you "
	    "mean 'slack'?)", "accepted: slack, bot, sources, output, scheduler, schedule");
	BAD(SQLITE_SOURCE "hostt = 1\n", "4:1", "unknown key 'hostt'");
	BAD("[sources.demo]\ndriver = \"sqlite\"\npath = \"x\"\npaht = \"y\"\n", "4:1",
	    "unknown key 'paht' in [sources.demo] (did you mean 'path'?)");
	BAD(SQLITE_SOURCE "[[schedule]]\nname = \"a\"\ncron = \"* * * * *\"\nrun = \"x\"\n"
	    "channel = \"C1\"\nskip_emtpy = true\n", "9:1",
	    "unknown key 'skip_emtpy' in [[schedule]] (did you mean 'skip_empty'?)");
	BAD(SQLITE_SOURCE "[scheduler]\nzzzzzzzz = 1\n", "5:1", "unknown key 'zzzzzzzz' "
	    "in [scheduler]; accepted: catch_up_minutes");
}

static void test_wrong_types(void **state)
{
	(void)state;
	BAD(SQLITE_SOURCE "[bot]\nworkers = \"4\"\n", "5:11",
	    "[bot] workers = \"4\" is a string; accepted: an integer");
	BAD(SQLITE_SOURCE "[output]\nbom = 1\n", "5:7",
	    "[output] bom = 1 is an integer; accepted: true or false");
	BAD(SQLITE_SOURCE "[output]\ngzip_over = -2\n", "5:13", "gzip_over");
	BAD(SQLITE_SOURCE "[output]\nmax_upload_bytes = 2000000000\n", "5:20", "max_upload_bytes");
	BAD(SQLITE_SOURCE "[output]\nkeep_hours = 0\n", "5:14", "keep_hours");
	BAD(SQLITE_SOURCE "[bot]\ntimezone = 9\n", "5:12", "is an integer; accepted: a string");
	BAD(SQLITE_SOURCE "[scheduler]\nadmins = \"U1\"\n", "5:10",
	    "accepted: an array of strings");
	BAD(SQLITE_SOURCE "[scheduler]\nadmins = [\"U1\", 2]\n", "5:17",
	    "[scheduler] admins[1] = 2 is an integer");
	BAD("bot = 1\n" SQLITE_SOURCE, "1:1", "bot = 1 is an integer; accepted: a table [bot]");
	BAD(SQLITE_SOURCE "[[bot]]\n", "4:3", "bot = [...] is an array; accepted: a table [bot]");
	BAD("schedule = 1\n" SQLITE_SOURCE, "1:1", "schedule is an integer; accepted: [[schedule]] tables");
	BAD(SQLITE_SOURCE "[bot]\ndata_dir = \"\"\n", "5:12", "[bot] data_dir is empty");
	BAD(SQLITE_SOURCE "[bot]\ndata_dir = \"a\\u0000b\"\n", "5:12", "NUL");
	BAD("[sources]\nmain = \"x\"\n", "2:1",
	    "sources.main = \"x\" is a string; accepted: a table [sources.main]");
	BAD("[sources.\"bad name\"]\ndriver = \"sqlite\"\n", "1:10",
	    "source name 'bad name' is not valid");
}

static void test_ranges(void **state)
{
	(void)state;
	BAD(SQLITE_SOURCE "[bot]\nworkers = 0\n", "5:11",
	    "[bot] workers = 0 is out of range; accepted: 1 to 64");
	BAD(SQLITE_SOURCE "[bot]\nworkers = 65\n", "5:11", "accepted: 1 to 64");
	BAD(SQLITE_SOURCE "[bot]\nqueue_size = 0\n", "5:14", "out of range");
	BAD(SQLITE_SOURCE "[bot]\ndefault_timeout = -1\n", "5:19", "out of range");
	BAD(SQLITE_SOURCE "[scheduler]\nretries = 99999999999\n", "5:11", "out of range");
	BAD("[sources.m]\ndriver = \"mysql\"\nuser = \"u\"\ndatabase = \"d\"\nport = 0\n",
	    "5:8", "[sources.m] port = 0 is out of range; accepted: 1 to 65535");
}

static void test_sources(void **state)
{
	(void)state;
	BAD("[sources.o]\ndriver = \"oracle\"\n", "2:10",
	    "[sources.o] driver = \"oracle\" is not supported; accepted: mysql, sqlite, trino, postgres");
	BAD("[sources.x]\npath = \"a.db\"\n", "1:1",
	    "[sources.x] is missing key 'driver'; accepted: mysql, sqlite, trino, postgres");
	BAD("[sources.x]\ndriver = \"sqlite\"\n", "1:1",
	    "[sources.x] is missing key 'path' (required for driver sqlite");
	char *c = load_bad("[sources.m]\ndriver = \"mysql\"\n", "1:1",
			   "[sources.m] is missing key 'user' (required for driver mysql)",
			   "[sources.m] is missing key 'database'", (const char *)NULL);
	free(c);
	BAD("[sources.x]\ndriver = \"sqlite\"\npath = \"a\"\nhost = \"h\"\n", "4:1",
	    "[sources.x] key 'host' does not apply to driver sqlite");
	BAD("[sources.x]\ndriver = \"mysql\"\nuser = \"u\"\ndatabase = \"d\"\npath = \"p\"\n",
	    "5:1", "key 'path' does not apply to driver mysql");
	BAD("", "1:1", "no data source is configured");
	BAD("[sources]\n", "1:1", "no data source is configured");
}

static void test_default_source(void **state)
{
	(void)state;
	BAD(SQLITE_SOURCE "[bot]\ndefault_source = \"dmeo\"\n", "5:18",
	    "[bot] default_source = \"dmeo\" names no source (did you mean 'demo'?)",
	    "accepted: demo");
	BAD(SQLITE_SOURCE "[sources.other]\ndriver = \"sqlite\"\npath = \"o.db\"\n[bot]\n",
	    "7:1", "[bot] default_source is not set and there are 2 sources; accepted: "
	    "one of demo, other");
	BAD(SQLITE_SOURCE "[sources.other]\ndriver = \"sqlite\"\npath = \"o.db\"\n",
	    "1:1", "default_source is not set");
	struct config cfg;
	load_ok(&cfg, SQLITE_SOURCE "[sources.other]\ndriver = \"sqlite\"\npath = \"o.db\"\n"
		"[bot]\ndefault_source = \"other\"\n");
	assert_string_equal(cfg.default_source, "other");
	config_release(&cfg);
}

static void test_schedules(void **state)
{
	(void)state;
	BAD(SQLITE_SOURCE "[[schedule]]\nname = \"a\"\ncron = \"* * * * *\"\nrun = \"x\"\n"
	    "channel = \"C1\"\n[[schedule]]\nname = \"a\"\ncron = \"* * * * *\"\n"
	    "run = \"y\"\nchannel = \"C1\"\n", "10:8",
	    "duplicate schedule name \"a\" (first used at line 5)");
	BAD(SQLITE_SOURCE "[[schedule]]\nname = \"a\"\n", "4:1",
	    "[[schedule]] is missing key 'cron'", "missing key 'run'", "missing key 'channel'");
	BAD(SQLITE_SOURCE "[[schedule]]\nname = \"\"\ncron = \"@daily\"\nrun = \"x\"\nchannel = \"C\"\n",
	    "5:8", "[[schedule]] name is empty");
	BAD(SQLITE_SOURCE "[[schedule]]\nname = \"n\"\ncron = \"0 25 * * *\"\nrun = \"x\"\n"
	    "channel = \"C\"\n", "6:8", "[[schedule]] cron: hour '25' is out of range");
}

static void test_timezone_validation(void **state)
{
	(void)state;
	BAD(SQLITE_SOURCE "[bot]\ntimezone = \"Mars/Olympus\"\n", "5:12",
	    "time zone 'Mars/Olympus' is not in tzdata");
	BAD(SQLITE_SOURCE "[bot]\ntimezone = \"../../etc/passwd\"\n", "5:12",
	    "is not a valid name");
	BAD(SQLITE_SOURCE "[bot]\ntimezone = \"/etc/localtime\"\n", "5:12",
	    "is not a valid name");
	BAD(SQLITE_SOURCE "[bot]\ntimezone = \"Asia\"\n", "5:12", "not in tzdata");
	BAD(SQLITE_SOURCE "[bot]\ntimezone = \"Asia/To kyo\"\n", "5:12", "not a valid name");
	struct config cfg;
	load_ok(&cfg, SQLITE_SOURCE "[bot]\ntimezone = \"America/New_York\"\n");
	config_release(&cfg);
}

static void test_timezone_apply(void **state)
{
	(void)state;
	char *cause = NULL;
	assert_int_equal(timezone_check("UTC", NULL), 0);
	assert_int_equal(timezone_check("Europe/Paris", NULL), 0);
	assert_int_equal(timezone_check("", &cause), -1);
	free(cause);
	assert_int_equal(timezone_check(NULL, &cause), -1);
	free(cause);
	assert_int_equal(timezone_apply("Nowhere/City", &cause), -1);
	assert_non_null(strstr(cause, "Nowhere/City"));
	free(cause);

	assert_int_equal(timezone_apply("Asia/Tokyo", &cause), 0);
	time_t t = 0;
	struct tm tm;
	localtime_r(&t, &tm);
	assert_int_equal(tm.tm_hour, 9);   /* 1970-01-01 09:00 in Tokyo */
	assert_int_equal(timezone_apply("UTC", &cause), 0);
	localtime_r(&t, &tm);
	assert_int_equal(tm.tm_hour, 0);
}

static void test_password_env(void **state)
{
	(void)state;
	const char *src = "[sources.m]\ndriver = \"mysql\"\nuser = \"u\"\ndatabase = \"d\"\n"
			  "password_env = \"TEST_DB_PW\"\n";
	BAD(src, "5:16", "[sources.m] password_env = \"TEST_DB_PW\": environment variable "
	    "TEST_DB_PW is not set");
	/* set: loaded, and never shown even when another fault is reported */
	setenv("TEST_DB_PW", "hunter2-secret", 1);
	char *text = xasprintf("%s[bot]\nworkers = 0\n", src);
	char *cause = load_bad(text, "7:11", "workers = 0", (const char *)NULL);
	assert_null(strstr(cause, "hunter2"));
	free(cause);
	free(text);
	struct config cfg;
	load_ok(&cfg, src);
	assert_string_equal(mysql_of(&cfg.sources[0])->password, "hunter2-secret");
	config_release(&cfg);
}

static void test_env_overrides(void **state)
{
	(void)state;
	struct config cfg;
	setenv("SLACK_APP_TOKEN", "xapp-env", 1);
	setenv("SLACK_BOT_TOKEN", "xoxb-env", 1);
	setenv("SLACK_API_URL", "http://127.0.0.1:8080/api", 1);
	load_ok(&cfg, "[slack]\napp_token = \"xapp-file\"\nbot_token = \"xoxb-file\"\n"
		"api_url = \"https://example.invalid/api/\"\n" SQLITE_SOURCE);
	assert_string_equal(cfg.app_token, "xapp-env");
	assert_string_equal(cfg.bot_token, "xoxb-env");
	assert_string_equal(cfg.api_url, "http://127.0.0.1:8080/api/");
	config_release(&cfg);
	/* an empty variable does not override */
	setenv("SLACK_APP_TOKEN", "", 1);
	unsetenv("SLACK_BOT_TOKEN");
	unsetenv("SLACK_API_URL");
	load_ok(&cfg, "[slack]\napp_token = \"xapp-file\"\napi_url = \"https://x.test/api\"\n"
		SQLITE_SOURCE);
	assert_string_equal(cfg.app_token, "xapp-file");
	assert_null(cfg.bot_token);
	assert_string_equal(cfg.api_url, "https://x.test/api/");
	config_release(&cfg);
	BAD("[slack]\napi_url = \"ftp://x\"\n" SQLITE_SOURCE, "2:11",
	    "[slack] api_url = \"ftp://x\" is not a URL");
	BAD("[slack]\ncommand = \"report\"\n" SQLITE_SOURCE, "2:11",
	    "[slack] command = \"report\" is not a slash command");
}

static void test_secrets_hidden(void **state)
{
	(void)state;
	char *cause = load_bad("[slack]\napp_token = 12345\nbot_token = [\"xoxb-leak\"]\n"
			       SQLITE_SOURCE, "2:13", "[slack] app_token = (hidden) is an integer",
			       (const char *)NULL);
	assert_null(strstr(cause, "12345"));
	assert_null(strstr(cause, "xoxb-leak"));
	free(cause);
	cause = load_bad("[slack]\napp_token = \"xapp-SECRET\"\nbot_token = \"xoxb-SECRET\"\n"
			 SQLITE_SOURCE "[bot]\nworkers = 100\n", "8:11", "out of range",
			 (const char *)NULL);
	assert_null(strstr(cause, "SECRET"));
	free(cause);
}

static void test_all_faults_reported(void **state)
{
	(void)state;
	char *cause = load_bad("[bot]\nworkers = 0\nwrokers = 1\ntimezone = \"Nope/Nope\"\n"
			       "[sources.x]\ndriver = \"oracle\"\n", NULL,
			       ":2:11: [bot] workers = 0", ":3:1: unknown key 'wrokers'",
			       ":4:12: [bot] timezone", ":6:10: [sources.x] driver",
			       (const char *)NULL);
	size_t lines = 1;
	for (const char *p = cause; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	free(cause);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (tests run from the repo root)", path);
	char *buf = xcalloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	fclose(f);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

/* tests/fixtures/config/NAME.toml fails with exactly NAME.err. */
static void test_fixtures(void **state)
{
	(void)state;
	static const char *const names[] = { "faults", "syntax" };
	struct config cfg;
	char *cause = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path = xasprintf("tests/fixtures/config/%s.toml", names[i]);
		char *errpath = xasprintf("tests/fixtures/config/%s.err", names[i]);
		char *want = read_all(errpath);
		assert_int_equal(config_load(&cfg, path, &cause), -1);
		if (strcmp(cause, want) != 0)
			fail_msg("%s: got\n%s\nwant\n%s", path, cause, want);
		free(cause);
		free(want);
		free(path);
		free(errpath);
	}
	if (config_load(&cfg, "tests/fixtures/config/minimal.toml", &cause) != 0)
		fail_msg("minimal.toml: %s", cause);
	assert_string_equal(cfg.default_source, "demo");
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mysql_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toml_errors_pass_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timezone_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timezone_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secrets_hidden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_faults_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixtures, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
