/*
 * test-interrupted.c: runs a crash cut short are listed once until told
 * (store/history.h, schema version 3), and told where they were asked
 * (bot/interrupted.h) through a recording inner delivery (issue 11).
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

#include "bot/access.h"
#include "bot/app.h"
#include "bot/interrupted.h"
#include "common/log.h"
#include "common/markup.h"
#include "store/history.h"
#include "store/history-db.h"
#include "store/schedule-store.h"

struct post {
	char channel[32];
	char user[32];
	bool scheduled;      /* job->schedule set: a channel message */
	char text[1024];
};

struct fixture {
	char dir[64];
	char *path;
	struct app app;
	struct post posts[8];
	size_t nposts;
	int ephemeral_fails;   /* person posts to fail (not_in_channel, user left) */
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *cause = NULL;

	log_set_quiet(true);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-interrupted-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/history.db", f->dir);
	if (history_open(&f->app.history, f->path, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	f->app.access = access_new(&f->app.cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const suffixes[] = { "", "-wal", "-shm", ".lock" };

	history_close(f->app.history);
	access_free(f->app.access);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		char *p = xasprintf("%s%s", f->path, suffixes[i]);
		unlink(p);
		free(p);
	}
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* Close and open again alone: the opener marks unfinished runs. */
static void restart(struct fixture *f)
{
	char *cause = NULL;
	history_close(f->app.history);
	if (history_open(&f->app.history, f->path, &cause) < 0)
		fail_msg("reopen: %s", cause);
}

static int64_t add_run(struct fixture *f, const char *command, const char *args, const char *user,
		       const char *channel, enum run_status status)
{
	struct run_record r = {
		.command = (char *)command, .args = (char *)args, .user = (char *)user,
		.channel = (char *)channel, .source = (char *)"main", .queued_ms = 1000, .status = status,
	};
	int64_t id = 0;
	char *cause = NULL;
	if (history_add_run(f->app.history, &r, &id, &cause) < 0)
		fail_msg("%s", cause);
	return id;
}

static size_t untold(struct fixture *f, int64_t *ids, size_t max)
{
	struct run_record *recs = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (history_list_interrupted(f->app.history, 100, &recs, &n, &cause) < 0)
		fail_msg("%s", cause);
	for (size_t i = 0; i < n && i < max; i++) {
		ids[i] = recs[i].id;
		assert_int_equal(recs[i].status, RUN_INTERRUPTED);
	}
	history_records_free(recs, n);
	return n;
}

/* Left running or queued by a crash: listed, oldest first, until told. */
static void test_listed_until_told(void **state)
{
	struct fixture *f = *state;
	int64_t ids[8];
	char *cause = NULL;

	int64_t a = add_run(f, "slow", "x=1", "U0ALICE0001", "C0GENERAL01", RUN_RUNNING);
	int64_t b = add_run(f, "slow", "x=2", "U0BOB000001", "C0GENERAL01", RUN_QUEUED);
	add_run(f, "fine", "", "U0BOB000001", "C0GENERAL01", RUN_OK);
	assert_int_equal(untold(f, ids, 8), 0);   /* still ours: not interrupted */
	restart(f);
	assert_int_equal(untold(f, ids, 8), 2);
	assert_int_equal(ids[0], a);
	assert_int_equal(ids[1], b);
	assert_int_equal(history_mark_interrupted_told(f->app.history, a, &cause), 0);
	assert_int_equal(history_mark_interrupted_told(f->app.history, a, &cause), 0);   /* twice: fine */
	assert_int_equal(untold(f, ids, 8), 1);
	assert_int_equal(ids[0], b);
	restart(f);
	assert_int_equal(untold(f, ids, 8), 1);
	assert_int_equal(history_mark_interrupted_told(f->app.history, b, &cause), 0);
	restart(f);
	assert_int_equal(untold(f, ids, 8), 0);
}

/* Runs interrupted before version 3 count as told: an upgrade does not
 * tell people of months-old runs. */
static void test_upgrade_counts_old_as_told(void **state)
{
	struct fixture *f = *state;
	int64_t ids[4];

	add_run(f, "old", "", "U0ALICE0001", "C0GENERAL01", RUN_INTERRUPTED);
	history_lock(f->app.history);
	assert_int_equal(sqlite3_exec(history_db(f->app.history),
		"DROP TABLE interrupted_told; DROP INDEX schedule_slots_run;"
		"ALTER TABLE schedule_slots DROP COLUMN attempt;"
		"ALTER TABLE schedule_slots DROP COLUMN attempt_ms;"
		"PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
	history_unlock(f->app.history);
	int64_t cut = add_run(f, "cut", "", "U0ALICE0001", "C0GENERAL01", RUN_RUNNING);
	restart(f);
	assert_int_equal(untold(f, ids, 4), 1);
	assert_int_equal(ids[0], cut);
}

/* The inner delivery: records what would be posted. A person's post is
 * ephemeral (fails while ephemeral_fails), anything else a channel post. */
static int record_post(void *ctx, void *wstate, const struct job *job, const char *text, char **cause)
{
	struct fixture *f = ctx;
	(void)wstate;
	bool person = !job->schedule && access_is_person(job->user_id);
	if (person && f->ephemeral_fails > 0) {
		f->ephemeral_fails--;
		*cause = xstrdup("user_not_in_channel");
		return -1;
	}
	assert_true(f->nposts < ARRAY_SIZE(f->posts));
	struct post *p = &f->posts[f->nposts++];
	snprintf(p->channel, sizeof(p->channel), "%s", job->channel_id);
	snprintf(p->user, sizeof(p->user), "%s", person ? job->user_id : "");
	p->scheduled = job->schedule != NULL;
	char *plain = markup_plain(text);
	snprintf(p->text, sizeof(p->text), "%s", plain);
	free(plain);
	return 0;
}

/* What a worker does with the notice job of run ID. */
static int tell(struct fixture *f, struct interrupted_delivery *d, int64_t id, const char *channel,
		const char *user)
{
	struct job *job = job_new(JOB_NOTICE);
	char *cause = NULL;
	job->run_id = id;
	job->channel_id = xstrdup(channel);
	job->user_id = xstrdup(user);
	job->delivery = &d->delivery;
	int rc = d->delivery.post_text(d->delivery.ctx, NULL, job, job->args_shown, &cause);
	free(cause);
	job_free(job);
	(void)f;
	return rc;
}

static void test_told_where_asked(void **state)
{
	struct fixture *f = *state;
	struct delivery inner = { .ctx = f, .post_text = record_post };
	struct interrupted_delivery d;
	int64_t ids[8];
	char *cause = NULL;

	int64_t mine = add_run(f, "secret", "customer=acme", "U0ALICE0001", "C0GENERAL01", RUN_RUNNING);
	int64_t gone = add_run(f, "secret", "customer=zeta", "U0BOB000001", "C0GENERAL01", RUN_RUNNING);
	int64_t sched = add_run(f, "monthly", "customer=acme month=2024-11", "scheduler", "C0SCHED0001",
				RUN_RUNNING);
	assert_int_equal(schedule_store_claim_at(f->app.history, "usage-last", 60000, 60000, &cause), 1);
	assert_int_equal(schedule_store_note_run(f->app.history, "usage-last", 60000, sched, &cause), 0);
	restart(f);
	interrupted_delivery_init(&d, &f->app, &inner);

	/* the asker, ephemerally in the channel, with the report and arguments */
	assert_int_equal(tell(f, &d, mine, "C0GENERAL01", "U0ALICE0001"), 0);
	assert_int_equal(f->nposts, 1);
	assert_string_equal(f->posts[0].channel, "C0GENERAL01");
	assert_string_equal(f->posts[0].user, "U0ALICE0001");
	assert_non_null(strstr(f->posts[0].text, "`secret` customer=acme (run"));
	assert_non_null(strstr(f->posts[0].text, "was interrupted"));

	/* ephemeral refused: the channel, mentioning the asker, and without
	 * the report (not in the catalog: nobody else may be shown it) */
	f->ephemeral_fails = 1;
	assert_int_equal(tell(f, &d, gone, "C0GENERAL01", "U0BOB000001"), 0);
	assert_int_equal(f->nposts, 2);
	assert_string_equal(f->posts[1].user, "");
	assert_non_null(strstr(f->posts[1].text, "<@U0BOB000001>"));
	assert_non_null(strstr(f->posts[1].text, "a report you asked for here"));
	assert_null(strstr(f->posts[1].text, "secret"));
	assert_null(strstr(f->posts[1].text, "zeta"));

	/* a scheduled run: the channel, naming schedule, report and arguments */
	assert_int_equal(tell(f, &d, sched, "C0SCHED0001", "scheduler"), 0);
	assert_int_equal(f->nposts, 3);
	assert_true(f->posts[2].scheduled);
	assert_string_equal(f->posts[2].channel, "C0SCHED0001");
	assert_non_null(strstr(f->posts[2].text, "Scheduled report *usage-last*: `monthly` "
				"customer=acme month=2024-11 (run"));

	/* each told once */
	assert_int_equal(untold(f, ids, 8), 0);
	assert_int_equal(tell(f, &d, mine, "C0GENERAL01", "U0ALICE0001"), 0);
	assert_int_equal(f->nposts, 4);   /* a second job would post again... */
	restart(f);
	assert_int_equal(untold(f, ids, 8), 0);   /* ...but no start queues one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_listed_until_told, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_counts_old_as_told, setup, teardown),
		cmocka_unit_test_setup_teardown(test_told_where_asked, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
