/*
 * test-catalog-live.c: the catalog as reference-counted snapshots
 * (commands/catalog-snapshot.h), swapped in by app_reload_catalog and the
 * watcher (bot/catalog-watch.h): a job keeps the version it was made
 * with, a broken file keeps its last good version, a removed one is
 * dropped, readers on other threads never see a snapshot freed under
 * them (run under ThreadSanitizer by `make unit-tsan`).
 *
 * Nothing sleeps to synchronise: the watcher is awaited by polling the
 * catalog with a deadline.
 */
#include "common.h"

#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "bot/app.h"
#include "bot/catalog-watch.h"
#include "bot/dispatch.h"
#include "bot/job-pool.h"
#include "commands/catalog-snapshot.h"

#define OLD_R "-- summary: the old version\nSELECT 1 AS old_col\n"
#define NEW_R "-- summary: the new version\nSELECT 2 AS new_col, 3 AS other\n"
#define BROKEN_R "-- summary: broken\n-- sumary: a typo\nSELECT 1 AS x\n"

/* What the delivery saw; guarded by lock. */
struct recorder {
	pthread_mutex_t lock;
	int results;
	char *header;            /* the first line of the last CSV */
	struct strlist told;     /* what the watcher told the admins */
};

struct fixture {
	char dir[64];
	char *commands;
	struct app app;
	struct recorder rec;
	struct delivery delivery;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s/.%s.tmp", dir, name);
	FILE *f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);   /* whole, as an editor saves */
	free(tmp);
	free(path);
}

static void remove_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
	free(path);
}

static int rec_post_text(void *ctx, void *ws, const struct job *job, const char *text, char **cause)
{
	(void)ctx;
	(void)ws;
	(void)job;
	(void)text;
	(void)cause;
	return 0;
}

static int rec_post_result(void *ctx, void *ws, const struct job *job, const struct report_result *res,
			   const char *csv_path, char **cause)
{
	struct recorder *r = ctx;
	(void)ws;
	(void)job;
	(void)cause;
	char line[256] = "";
	FILE *f = res->status == RUN_OK && csv_path ? fopen(csv_path, "r") : NULL;
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\r\n")] = '\0';
	pthread_mutex_lock(&r->lock);
	r->results++;
	free(r->header);
	/* past the BOM */
	r->header = xstrdup(strncmp(line, "\xEF\xBB\xBF", 3) == 0 ? line + 3 : line);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static void rec_tell(void *ctx, const char *text)
{
	struct recorder *r = ctx;
	pthread_mutex_lock(&r->lock);
	strlist_push(&r->told, xstrdup(text));
	pthread_mutex_unlock(&r->lock);
}

static size_t told_count(struct fixture *f)
{
	pthread_mutex_lock(&f->rec.lock);
	size_t n = f->rec.told.n;
	pthread_mutex_unlock(&f->rec.lock);
	return n;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *cause = NULL;
	sqlite3 *db;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-catalog-live.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char *p = xasprintf("%s/data.db", f->dir);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	sqlite3_close(db);
	free(p);
	f->commands = xasprintf("%s/commands", f->dir);
	assert_int_equal(mkdir(f->commands, 0700), 0);
	write_file(f->commands, "r.sql", OLD_R);
	write_file(f->commands, "stays.sql", "-- summary: never changes\nSELECT 1 AS n\n");

	char *cfg = xasprintf("%s/config.toml", f->dir);
	char *text = xasprintf("[bot]\ncommands_dir = \"%s\"\ndata_dir = \"%s/var\"\n"
			       "timezone = \"UTC\"\nworkers = 1\n"
			       "[sources.main]\ndriver = \"sqlite\"\npath = \"%s/data.db\"\n",
			       f->commands, f->dir, f->dir);
	FILE *cf = fopen(cfg, "w");
	assert_non_null(cf);
	fputs(text, cf);
	fclose(cf);
	free(text);
	if (app_open(&f->app, cfg, APP_NEED_HISTORY, &cause) < 0)
		fail_msg("app_open: %s", cause);
	if (app_start_run_ids(&f->app, false, &cause) < 0)
		fail_msg("app_start_run_ids: %s", cause);
	free(cfg);
	if (pool_start(&f->app.pool, &f->app, 1, 4, &cause) < 0)
		fail_msg("pool_start: %s", cause);
	pthread_mutex_init(&f->rec.lock, NULL);
	strlist_init(&f->rec.told);
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
	free(f->commands);
	free(f->rec.header);
	strlist_release(&f->rec.told);
	pthread_mutex_destroy(&f->rec.lock);
	free(f);
	return 0;
}

/* The summary of command NAME serving now, or "" when there is none. */
static char *summary_now(struct fixture *f, const char *name)
{
	struct catalog *cat = app_catalog(&f->app);
	const struct command *cmd = catalog_find(cat, name);
	char *s = xstrdup(cmd ? cmd->summary : "");
	catalog_put(cat);
	return s;
}

static bool serves(struct fixture *f, const char *name, const char *summary)
{
	char *s = summary_now(f, name);
	bool yes = !strcmp(s, summary);
	free(s);
	return yes;
}

/* Poll COND for up to 10 s (the watcher polls every 20 ms here). */
#define AWAIT(cond) do { \
		int64_t until_ = now_ms_monotonic() + 10000; \
		while (!(cond) && now_ms_monotonic() < until_) { \
			struct timespec ts_ = { 0, 5 * 1000000L }; \
			nanosleep(&ts_, NULL); \
		} \
		assert_true(cond); \
	} while (0)

static bool has_prefix(const struct strlist *l, const char *prefix)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i], prefix, strlen(prefix)))
			return true;
	return false;
}

/* Snapshots alone: a broken file's command is carried over, pointing at
 * the memory of the snapshot it was loaded into, which lives as long as
 * any snapshot carries it; a removed file's is dropped. */
static void test_carry_over(void **state)
{
	struct fixture *f = *state;
	struct strlist faults, carried;
	strlist_init(&faults);
	strlist_init(&carried);
	write_file(f->commands, "gone.sql", "-- summary: to be removed\nSELECT 1 AS n\n");
	struct catalog *one = catalog_snapshot_new();
	assert_int_equal(catalog_load(one, f->commands, &faults), 0);
	assert_int_equal(one->n, 3);

	write_file(f->commands, "r.sql", BROKEN_R);
	remove_file(f->commands, "gone.sql");
	write_file(f->commands, "added.sql", "-- summary: new\nSELECT 1 AS n\n");
	struct catalog *two = catalog_snapshot_new();
	assert_int_equal(catalog_load(two, f->commands, &faults), -1);
	char *path = xasprintf("%s/r.sql:2:", f->commands);
	assert_true(has_prefix(&faults, path));
	free(path);
	assert_int_equal(catalog_carry_over(two, one, &faults, &carried), 1);
	assert_int_equal(carried.n, 1);
	assert_string_equal(carried.v[0], "r");
	/* sorted for catalog_find: added, r, stays */
	assert_int_equal(two->n, 3);
	assert_string_equal(two->cmds[0].name, "added");
	assert_string_equal(two->cmds[1].name, "r");
	assert_string_equal(two->cmds[2].name, "stays");
	assert_null(catalog_find(two, "gone"));
	const struct command *r = catalog_find(two, "r");
	assert_ptr_equal(r->sql, catalog_find(one, "r")->sql);   /* the old one, not a copy */
	assert_true(catalog_is_carried(two, r));
	assert_false(catalog_is_carried(two, catalog_find(two, "stays")));
	assert_int_equal(catalog_snapshot_refs(one), 2);   /* ours and two's carried r */

	catalog_put(one);   /* two keeps it alive */
	assert_int_equal(catalog_snapshot_refs(one), 1);
	assert_string_equal(catalog_find(two, "r")->summary, "the old version");

	/* still broken at the next load: carried from the first owner again */
	struct catalog *three = catalog_snapshot_new();
	strlist_release(&faults);
	strlist_init(&faults);
	catalog_load(three, f->commands, &faults);
	assert_int_equal(catalog_carry_over(three, two, &faults, NULL), 1);
	assert_int_equal(catalog_snapshot_refs(one), 2);
	catalog_put(two);
	assert_int_equal(catalog_snapshot_refs(one), 1);
	assert_string_equal(catalog_find(three, "r")->summary, "the old version");

	/* fixed: the new version, nothing carried, the first snapshot freed
	 * with the last one carrying from it (ASan: no leak, no reuse) */
	write_file(f->commands, "r.sql", NEW_R);
	struct catalog *four = catalog_snapshot_new();
	strlist_release(&faults);
	strlist_init(&faults);
	assert_int_equal(catalog_load(four, f->commands, &faults), 0);
	assert_int_equal(catalog_carry_over(four, three, &faults, NULL), 0);
	assert_string_equal(catalog_find(four, "r")->summary, "the new version");
	catalog_put(three);
	catalog_put(four);
	strlist_release(&faults);
	strlist_release(&carried);
}

/* A job made before an edit runs the version it was made with, after the
 * edit is served; its snapshot goes with it. */
static void test_job_keeps_its_version(void **state)
{
	struct fixture *f = *state;
	struct catalog *cat = app_catalog(&f->app);
	const struct command *cmd = catalog_find(cat, "r");
	assert_non_null(cmd);
	struct dispatch_request req = { .user_id = "U1", .delivery = &f->delivery };
	struct dispatch_reply reply;
	memset(&reply, 0, sizeof(reply));
	struct job *job = dispatch_report_prepare(&f->app, &req, cat, cmd, NULL, 0, &reply);
	assert_non_null(job);
	dispatch_reply_release(&reply);
	catalog_put(cat);
	assert_int_equal(catalog_snapshot_refs(job->catalog), 2);   /* app's and the job's */

	write_file(f->commands, "r.sql", NEW_R);
	struct app_reload r;
	assert_int_equal(app_reload_catalog(&f->app, &r), 0);
	assert_int_equal(r.faults.n, 0);
	app_reload_release(&r);
	assert_true(serves(f, "r", "the new version"));
	assert_int_equal(catalog_snapshot_refs(job->catalog), 1);   /* the job's alone */

	memset(&reply, 0, sizeof(reply));
	dispatch_report_submit(&f->app, job, &reply);
	assert_false(reply.mistake);
	dispatch_reply_release(&reply);
	pool_wait_idle(f->app.pool);
	assert_int_equal(f->rec.results, 1);
	assert_string_equal(f->rec.header, "old_col");

	/* the next run is the new version */
	struct dispatch_request line = { .text = "r", .user_id = "U1", .delivery = &f->delivery };
	dispatch_line(&f->app, &line, &reply);
	assert_false(reply.mistake);
	dispatch_reply_release(&reply);
	pool_wait_idle(f->app.pool);
	assert_int_equal(f->rec.results, 2);
	assert_string_equal(f->rec.header, "new_col,other");
}

/* Reloads: added, changed, broken (last good kept), fixed, removed. */
static void test_reload(void **state)
{
	struct fixture *f = *state;
	struct app_reload r;

	write_file(f->commands, "added.sql", "-- summary: new\nSELECT 1 AS n\n");
	assert_int_equal(app_reload_catalog(&f->app, &r), 0);
	assert_int_equal(r.added.n, 1);
	assert_string_equal(r.added.v[0], "added");
	assert_int_equal(r.n, 3);
	app_reload_release(&r);

	write_file(f->commands, "r.sql", BROKEN_R);
	assert_int_equal(app_reload_catalog(&f->app, &r), 0);
	assert_int_equal(r.carried.n, 1);
	assert_string_equal(r.carried.v[0], "r");
	assert_int_equal(r.removed.n, 0);
	char *at = xasprintf("%s/r.sql:2: ", f->commands);
	assert_true(has_prefix(&r.faults, at));   /* FILE:LINE */
	free(at);
	app_reload_release(&r);
	assert_true(serves(f, "r", "the old version"));

	/* another reload while it stays broken keeps it still */
	assert_int_equal(app_reload_catalog(&f->app, &r), 0);
	assert_int_equal(r.carried.n, 1);
	app_reload_release(&r);
	assert_true(serves(f, "r", "the old version"));

	write_file(f->commands, "r.sql", NEW_R);
	assert_int_equal(app_reload_catalog(&f->app, &r), 0);
	assert_int_equal(r.carried.n, 0);
	app_reload_release(&r);
	assert_true(serves(f, "r", "the new version"));

	/* broken, then removed: dropped, not kept */
	write_file(f->commands, "r.sql", BROKEN_R);
	assert_int_equal(app_reload_catalog(&f->app, &r), 0);
	app_reload_release(&r);
	remove_file(f->commands, "r.sql");
	assert_int_equal(app_reload_catalog(&f->app, &r), 0);
	assert_int_equal(r.removed.n, 1);
	assert_string_equal(r.removed.v[0], "r");
	app_reload_release(&r);
	assert_true(serves(f, "r", ""));
	assert_true(serves(f, "stays", "never changes"));
}

/* The watcher: a change is served without being asked, a fault is told
 * once until its file changes, SIGHUP's reload happens at once. */
static void test_watcher(void **state)
{
	struct fixture *f = *state;
	struct catalog_watch *w = NULL;
	char *cause = NULL;
	setenv("REPORTBOT_COMMANDS_POLL_MS", "20", 1);
	assert_int_equal(catalog_watch_start(&w, &f->app, rec_tell, &f->rec, &cause), 0);

	write_file(f->commands, "added.sql", "-- summary: new\nSELECT 1 AS n\n");
	AWAIT(serves(f, "added", "new"));
	write_file(f->commands, "r.sql", NEW_R);
	AWAIT(serves(f, "r", "the new version"));
	assert_int_equal(told_count(f), 0);

	write_file(f->commands, "r.sql", BROKEN_R);
	AWAIT(told_count(f) == 1);
	assert_true(serves(f, "r", "the new version"));   /* its last good version */
	pthread_mutex_lock(&f->rec.lock);
	char *at = xasprintf("%s/r.sql:2: ", f->commands);
	assert_non_null(strstr(f->rec.told.v[0], at));
	assert_non_null(strstr(f->rec.told.v[0], "last good version of `r`"));
	free(at);
	pthread_mutex_unlock(&f->rec.lock);

	/* other changes reload again; the same fault is not told again */
	long before = catalog_watch_reloads(w);
	write_file(f->commands, "other.sql", "-- summary: other\nSELECT 1 AS n\n");
	AWAIT(serves(f, "other", "other"));
	AWAIT(catalog_watch_reloads(w) > before);
	before = catalog_watch_reloads(w);
	catalog_watch_now(w);
	AWAIT(catalog_watch_reloads(w) > before);
	assert_int_equal(told_count(f), 1);
	assert_true(serves(f, "r", "the new version"));

	/* a new fault in the same file is told (the file changed) */
	write_file(f->commands, "r.sql", "-- summary: broken\n-- param: x nosuchtype  X\nSELECT :x AS x\n");
	AWAIT(told_count(f) == 2);

	remove_file(f->commands, "r.sql");
	AWAIT(serves(f, "r", ""));
	catalog_watch_stop(w);
	unsetenv("REPORTBOT_COMMANDS_POLL_MS");
}

/* Readers on other threads while snapshots are swapped: under TSan and
 * ASan, no race and no use after free. */
struct reader {
	struct app *app;
	atomic_int *stop;
	long reads;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	while (!atomic_load(rd->stop) || rd->reads < 100) {
		struct catalog *cat = app_catalog(rd->app);
		const struct command *cmd = catalog_find(cat, "r");
		if (cmd && cmd->sql && strlen(cmd->sql) > 0 && cmd->summary)
			rd->reads++;
		catalog_put(cat);
	}
	return NULL;
}

static void test_readers_during_swaps(void **state)
{
	struct fixture *f = *state;
	atomic_int stop;
	atomic_init(&stop, 0);
	struct reader rd[3];
	pthread_t th[3];
	for (int i = 0; i < 3; i++) {
		rd[i] = (struct reader){ .app = &f->app, .stop = &stop };
		assert_int_equal(pthread_create(&th[i], NULL, reader_main, &rd[i]), 0);
	}
	for (int i = 0; i < 40; i++) {
		write_file(f->commands, "r.sql", i % 3 == 2 ? BROKEN_R : i % 2 ? NEW_R : OLD_R);
		struct app_reload r;
		assert_int_equal(app_reload_catalog(&f->app, &r), 0);
		app_reload_release(&r);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_true(rd[i].reads >= 100);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_carry_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_keeps_its_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watcher, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_during_swaps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
