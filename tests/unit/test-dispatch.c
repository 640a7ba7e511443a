/*
 * test-dispatch.c: one typed line through dispatch, the pool, the executor
 * and a recording delivery, on a small SQLite source: what the person reads
 * for each kind of line, and that reports run with the values shown.
 */
#include "common.h"
#include "bot/dispatch.h"

#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "bot/job-pool.h"

/* What the delivery saw; guarded by lock (workers write, the test reads). */
struct recorder {
	pthread_mutex_t lock;
	int results;
	enum run_status status;
	int64_t rows;
	char *args_shown;
	char *channel;
	char *text;
	char *error;
};

struct fixture {
	char dir[64];
	struct app app;
	struct recorder rec;
	struct delivery delivery;
};

static int rec_post_text(void *ctx, void *ws, const struct job *job, const char *text, char **cause)
{
	struct recorder *r = ctx;
	(void)ws;
	(void)job;
	(void)cause;
	pthread_mutex_lock(&r->lock);
	free(r->text);
	r->text = xstrdup(text);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static int rec_post_result(void *ctx, void *ws, const struct job *job, const struct report_result *res,
			   const char *csv_path, char **cause)
{
	struct recorder *r = ctx;
	(void)ws;
	(void)csv_path;
	(void)cause;
	pthread_mutex_lock(&r->lock);
	r->results++;
	r->status = res->status;
	r->rows = res->rows;
	free(r->error);
	r->error = xstrdup(res->error);
	free(r->args_shown);
	r->args_shown = xstrdup(job->args_shown);
	free(r->channel);
	r->channel = xstrdup(job->channel_id);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *cause = NULL;
	sqlite3 *db;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-dispatch.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char *p = xasprintf("%s/data.db", f->dir);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE usage (customer TEXT, day TEXT, events INT);"
				      "INSERT INTO usage VALUES ('acme','2024-11-03',5),('acme','2024-11-09',7),"
				      "('acme','2024-12-01',1),('globex','2024-11-03',2);",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(p);

	p = xasprintf("%s/commands", f->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/commands/monthly.sql", f->dir);
	write_file(p, "-- summary: usage of one customer in a month\n"
		      "-- param: customer string   Customer slug, e.g. acme\n"
		      "-- param: month month=last  Month\n"
		      "SELECT day, events FROM usage WHERE customer = :customer\n"
		      "  AND day >= :month_start AND day < :month_end ORDER BY day\n");
	free(p);
	p = xasprintf("%s/commands/capped.sql", f->dir);
	write_file(p, "-- summary: more rows than it may have\n"
		      "-- max_rows: 2\n"
		      "SELECT * FROM usage ORDER BY day\n");
	free(p);
	p = xasprintf("%s/commands/secret.sql", f->dir);
	write_file(p, "-- summary: only in one channel\n"
		      "-- channels: C0ALLOWED01\n"
		      "SELECT count(*) AS n FROM usage\n");
	free(p);

	char *cfg = xasprintf("%s/config.toml", f->dir);
	char *text = xasprintf("[bot]\ncommands_dir = \"%s/commands\"\ndata_dir = \"%s/var\"\n"
			       "timezone = \"Asia/Tokyo\"\nworkers = 1\n"
			       "[sources.main]\ndriver = \"sqlite\"\npath = \"%s/data.db\"\n",
			       f->dir, f->dir, f->dir);
	write_file(cfg, text);
	free(text);
	if (app_open(&f->app, cfg, APP_NEED_HISTORY, &cause) < 0)
		fail_msg("app_open: %s", cause);
	if (app_start_run_ids(&f->app, false, &cause) < 0)
		fail_msg("app_start_run_ids: %s", cause);
	free(cfg);
	if (pool_start(&f->app.pool, &f->app, 1, 4, &cause) < 0)
		fail_msg("pool_start: %s", cause);
	pthread_mutex_init(&f->rec.lock, NULL);
	f->delivery.ctx = &f->rec;
	f->delivery.post_text = rec_post_text;
	f->delivery.post_result = rec_post_result;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	pool_stop(f->app.pool, 1000);
	f->app.pool = NULL;
	app_close(&f->app);
	char *cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->rec.args_shown);
	free(f->rec.channel);
	free(f->rec.text);
	free(f->rec.error);
	pthread_mutex_destroy(&f->rec.lock);
	free(f);
	return 0;
}

/* Dispatch TEXT from user U1 in CHANNEL; the reply is returned. */
static struct dispatch_reply say(struct fixture *f, const char *text, const char *channel, time_t now)
{
	struct dispatch_request req = {
		.text = text,
		.user_id = "U1",
		.channel_id = channel,
		.now = now,
		.delivery = &f->delivery,
	};
	struct dispatch_reply reply;
	dispatch_line(&f->app, &req, &reply);
	pool_wait_idle(f->app.pool);
	return reply;
}

static void assert_mistake(struct fixture *f, const char *text, const char *expect)
{
	struct dispatch_reply r = say(f, text, "C0ANYWHERE1", 0);
	assert_true(r.mistake);
	assert_int_equal(r.run_id, 0);
	assert_non_null(r.text);
	if (!strstr(r.text, expect))
		fail_msg("'%s' answered '%s', expected it to contain '%s'", text, r.text, expect);
	dispatch_reply_release(&r);
}

static void test_mistakes_are_explained(void **state)
{
	struct fixture *f = *state;
	assert_mistake(f, "montly acme", "Did you mean `/report monthly`?");
	assert_mistake(f, "hisotry", "history");
	assert_mistake(f, "monthly acme 2024-13", "YYYY-MM");
	assert_mistake(f, "monthly", "customer");
	assert_mistake(f, "monthly \"acme", "quote");
	assert_mistake(f, "history all 1 2", "usage: `/report history [all] [N]`");
	assert_mistake(f, "history 1 2", "not a count");
	assert_mistake(f, "history lots", "not a count");
	assert_mistake(f, "cancel 424242", "424242");
	assert_mistake(f, "cancel x", "not a run id");
	assert_mistake(f, "secret", "<#C0ALLOWED01>");
	assert_int_equal(f->rec.results, 0);
}

static void test_report_runs_with_shown_values(void **state)
{
	struct fixture *f = *state;
	/* 2024-12-01 00:30 in Tokyo is still November 30th in UTC: `last`
	 * must follow bot.timezone and give 2024-11. */
	struct dispatch_reply r = say(f, "monthly acme", "C0ANYWHERE1", (time_t)1733009400);
	assert_false(r.mistake);
	assert_true(r.run_id > 0);
	assert_non_null(strstr(r.text, "month=2024-11"));
	assert_int_equal(f->rec.results, 1);
	assert_int_equal(f->rec.status, RUN_OK);
	assert_int_equal(f->rec.rows, 2);
	assert_string_equal(f->rec.args_shown, "customer=acme month=2024-11");
	assert_string_equal(f->rec.channel, "C0ANYWHERE1");
	dispatch_reply_release(&r);

	r = say(f, "monthly month=2024-12 customer=\"acme\"", "C0ANYWHERE1", 0);
	assert_true(r.run_id > 0);
	assert_int_equal(f->rec.rows, 1);
	dispatch_reply_release(&r);

	r = say(f, "secret", "C0ALLOWED01", 0);
	assert_true(r.run_id > 0);
	assert_int_equal(f->rec.status, RUN_OK);
	dispatch_reply_release(&r);
}

/* Another process (a CLI `run`) writes the same history between two
 * lines: the id each reply announces is the history row of that run. */
static void test_announced_id_is_the_row(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/var/history.db", f->dir);
	struct history *cli = NULL;
	char *cause = NULL;
	if (history_open(&cli, path, &cause) < 0)
		fail_msg("history_open: %s", cause);
	free(path);
	for (int i = 0; i < 3; i++) {
		struct run_record other = { .command = (char *)"monthly", .args = (char *)"beta",
					    .user = (char *)"cli", .status = RUN_QUEUED };
		int64_t cli_id = 0;
		assert_int_equal(history_add_run(cli, &other, &cli_id, NULL), 0);
		struct dispatch_reply r = say(f, "monthly acme 2024-11", "C0ANYWHERE1", 0);
		assert_true(r.run_id > 0);
		assert_true(r.run_id != cli_id);
		char *want = xasprintf("as run %lld;", (long long)r.run_id);
		assert_non_null(strstr(r.text, want));
		free(want);
		struct run_record rec;
		assert_int_equal(history_get(cli, r.run_id, &rec, NULL), 0);
		assert_string_equal(rec.command, "monthly");
		assert_string_equal(rec.user, "U1");
		assert_string_equal(rec.args, "customer=acme month=2024-11");
		assert_int_equal(rec.status, RUN_OK);
		history_record_release(&rec);
		dispatch_reply_release(&r);
	}
	history_close(cli);
}

static void test_builtins(void **state)
{
	struct fixture *f = *state;
	struct dispatch_reply r = say(f, "", NULL, 0);
	assert_false(r.mistake);
	assert_non_null(strstr(r.text, "monthly"));
	dispatch_reply_release(&r);

	r = say(f, "help monthly", NULL, 0);
	assert_non_null(strstr(r.text, "customer"));
	dispatch_reply_release(&r);

	/* history runs on a worker and reaches the person through post_text */
	r = say(f, "monthly globex 2024-11", NULL, 0);
	dispatch_reply_release(&r);
	r = say(f, "history 5", NULL, 0);
	assert_false(r.mistake);
	assert_null(r.text);
	assert_non_null(f->rec.text);
	assert_non_null(strstr(f->rec.text, "customer=globex"));
	dispatch_reply_release(&r);
}

/* max_rows: a larger result is an error that says so, never a cut file. */
static void test_max_rows(void **state)
{
	struct fixture *f = *state;
	struct dispatch_reply r = say(f, "capped", NULL, 0);
	assert_true(r.run_id > 0);
	assert_int_equal(f->rec.status, RUN_ERROR);
	assert_non_null(f->rec.error);
	assert_non_null(strstr(f->rec.error, "capped has more than 2 rows (its max_rows)"));
	dispatch_reply_release(&r);
	/* the connection is still good for the next report */
	r = say(f, "monthly acme 2024-11", NULL, 0);
	assert_int_equal(f->rec.status, RUN_OK);
	assert_int_equal(f->rec.rows, 2);
	dispatch_reply_release(&r);
}

static void test_injection_is_a_value(void **state)
{
	struct fixture *f = *state;
	struct dispatch_reply r = say(f, "monthly \"' OR 1=1 --\" 2024-11", NULL, 0);
	assert_true(r.run_id > 0);
	assert_int_equal(f->rec.status, RUN_OK);
	assert_int_equal(f->rec.rows, 0);
	dispatch_reply_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mistakes_are_explained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_runs_with_shown_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_announced_id_is_the_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_injection_is_a_value, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
