#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/history.h"
#include "store/schedule-store.h"

struct fixture {
	char dir[64];
	char *path;
	struct history *h;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *cause = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-schedule-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/history.db", f->dir);
	if (history_open(&f->h, f->path, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *p;

	history_close(f->h);
	unlink(f->path);
	p = xasprintf("%s-wal", f->path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", f->path);
	unlink(p);
	free(p);
	p = xasprintf("%s.lock", f->path);
	unlink(p);
	free(p);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void reopen(struct fixture *f)
{
	char *cause = NULL;

	history_close(f->h);
	f->h = NULL;
	if (history_open(&f->h, f->path, &cause) < 0)
		fail_msg("reopen: %s", cause);
}

static void test_status_names(void **state)
{
	(void)state;
	enum slot_status s;
	static const char *const names[] = { "claimed", "ok", "error", "missed", "skipped", "retrying" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(slot_status_from_name(names[i], &s), 0);
		assert_int_equal(s, (enum slot_status)i);
		assert_string_equal(slot_status_name(s), names[i]);
	}
	assert_int_equal(slot_status_from_name("done", &s), -1);
	assert_int_equal(slot_status_from_name(NULL, &s), -1);
	assert_string_equal(slot_status_name((enum slot_status)99), "unknown");
}

/* A slot is claimed once, also after the database is reopened. */
static void test_claim_once(void **state)
{
	struct fixture *f = *state;
	struct slot_record r;
	char *cause = NULL;

	assert_int_equal(schedule_store_claim(f->h, "daily", 1000, SLOT_CLAIMED, &cause), 1);
	assert_int_equal(schedule_store_claim(f->h, "daily", 1000, SLOT_CLAIMED, &cause), 0);
	/* another schedule, same time; same schedule, another time */
	assert_int_equal(schedule_store_claim(f->h, "weekly", 1000, SLOT_CLAIMED, &cause), 1);
	assert_int_equal(schedule_store_claim(f->h, "daily", 2000, SLOT_CLAIMED, &cause), 1);
	reopen(f);
	assert_int_equal(schedule_store_claim(f->h, "daily", 1000, SLOT_CLAIMED, &cause), 0);
	assert_int_equal(schedule_store_claim(f->h, "daily", 2000, SLOT_MISSED, &cause), 0);

	assert_int_equal(schedule_store_get_slot(f->h, "daily", 2000, &r, &cause), 0);
	assert_int_equal(r.slot_ms, 2000);
	assert_int_equal(r.run_id, 0);
	assert_int_equal(r.status, SLOT_CLAIMED);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 3000, &r, &cause), 1);
	assert_int_equal(schedule_store_get_slot(f->h, "nosuch", 1000, &r, &cause), 1);
}

static void test_update_and_last(void **state)
{
	struct fixture *f = *state;
	struct slot_record r;
	char *cause = NULL;

	assert_int_equal(schedule_store_last_slot(f->h, "daily", &r, &cause), 1);
	assert_int_equal(schedule_store_last_run_slot(f->h, "daily", &r, &cause), 1);

	assert_int_equal(schedule_store_claim(f->h, "daily", 1000, SLOT_CLAIMED, &cause), 1);
	assert_int_equal(schedule_store_update_slot(f->h, "daily", 1000, 42, SLOT_RETRYING, &cause), 0);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 1000, &r, &cause), 0);
	assert_int_equal(r.run_id, 42);
	assert_int_equal(r.status, SLOT_RETRYING);
	/* run id 0 keeps the one set */
	assert_int_equal(schedule_store_update_slot(f->h, "daily", 1000, 0, SLOT_OK, &cause), 0);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 1000, &r, &cause), 0);
	assert_int_equal(r.run_id, 42);
	assert_int_equal(r.status, SLOT_OK);
	/* no such slot */
	assert_int_equal(schedule_store_update_slot(f->h, "daily", 5000, 1, SLOT_OK, &cause), 1);

	int64_t missed[] = { 2000, 3000, 1000 };   /* 1000 is taken: left as it is */
	assert_int_equal(schedule_store_mark_missed(f->h, "daily", missed, 3, &cause), 0);
	assert_int_equal(schedule_store_mark_missed(f->h, "daily", NULL, 0, &cause), 0);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 1000, &r, &cause), 0);
	assert_int_equal(r.status, SLOT_OK);

	assert_int_equal(schedule_store_last_slot(f->h, "daily", &r, &cause), 0);
	assert_int_equal(r.slot_ms, 3000);
	assert_int_equal(r.status, SLOT_MISSED);
	assert_int_equal(schedule_store_last_run_slot(f->h, "daily", &r, &cause), 0);
	assert_int_equal(r.slot_ms, 1000);
	assert_int_equal(r.status, SLOT_OK);

	int64_t count = -1;
	assert_int_equal(schedule_store_count_slots(f->h, "daily", SLOT_MISSED, 0, &count, &cause), 0);
	assert_int_equal(count, 2);
	assert_int_equal(schedule_store_count_slots(f->h, "daily", SLOT_MISSED, 2500, &count, &cause), 0);
	assert_int_equal(count, 1);
	assert_int_equal(schedule_store_count_slots(f->h, "daily", SLOT_ERROR, 0, &count, &cause), 0);
	assert_int_equal(count, 0);
}

static void test_schedules(void **state)
{
	struct fixture *f = *state;
	struct stored_schedule a = {
		.name = (char *)"weekly-metrics", .cron = (char *)"0 9 * * MON",
		.run = (char *)"metrics last", .channel = (char *)"C0123456789",
		.skip_empty = true, .only_changed = false,
		.created_by = (char *)"U0001", .created_ms = 1700000000000,
	};
	struct stored_schedule b = {
		.name = (char *)"daily-log", .cron = (char *)"@daily", .run = (char *)"log yesterday",
		.channel = (char *)"C0987654321", .only_changed = true,
		.created_by = (char *)"U0002", .created_ms = 1700000001000,
	};
	struct stored_schedule *v = NULL;
	size_t n = 99;
	char *cause = NULL;

	assert_int_equal(schedule_store_list(f->h, &v, &n, &cause), 0);
	assert_int_equal(n, 0);
	stored_schedules_free(v, n);

	assert_int_equal(schedule_store_add(f->h, &a, &cause), 0);
	assert_int_equal(schedule_store_add(f->h, &b, &cause), 0);
	assert_int_equal(schedule_store_add(f->h, &a, &cause), 1);
	reopen(f);

	assert_int_equal(schedule_store_list(f->h, &v, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "daily-log");        /* by name */
	assert_string_equal(v[0].cron, "@daily");
	assert_true(v[0].only_changed);
	assert_false(v[0].skip_empty);
	assert_string_equal(v[1].name, "weekly-metrics");
	assert_string_equal(v[1].cron, "0 9 * * MON");
	assert_string_equal(v[1].run, "metrics last");
	assert_string_equal(v[1].channel, "C0123456789");
	assert_true(v[1].skip_empty);
	assert_false(v[1].only_changed);
	assert_string_equal(v[1].created_by, "U0001");
	assert_int_equal(v[1].created_ms, 1700000000000);
	stored_schedules_free(v, n);

	/* removing takes its slots and digest along */
	assert_int_equal(schedule_store_claim(f->h, "weekly-metrics", 1000, SLOT_CLAIMED, &cause), 1);
	assert_int_equal(schedule_store_claim(f->h, "daily-log", 1000, SLOT_CLAIMED, &cause), 1);
	assert_int_equal(schedule_store_set_posted(f->h, "weekly-metrics", "abc", 7, &cause), 0);
	assert_int_equal(schedule_store_remove(f->h, "weekly-metrics", &cause), 0);
	assert_int_equal(schedule_store_remove(f->h, "weekly-metrics", &cause), 1);
	assert_int_equal(schedule_store_claim(f->h, "weekly-metrics", 1000, SLOT_CLAIMED, &cause), 1);
	assert_int_equal(schedule_store_claim(f->h, "daily-log", 1000, SLOT_CLAIMED, &cause), 0);
	char *sha = NULL;
	assert_int_equal(schedule_store_get_posted(f->h, "weekly-metrics", &sha, NULL, &cause), 1);

	assert_int_equal(schedule_store_list(f->h, &v, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "daily-log");
	stored_schedules_free(v, n);
	stored_schedule_release(NULL);
	stored_schedules_free(NULL, 0);
}

static void test_posted(void **state)
{
	struct fixture *f = *state;
	char *sha = NULL, *cause = NULL;
	int64_t run_id = 0;
	const char *d1 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const char *d2 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

	assert_int_equal(schedule_store_get_posted(f->h, "daily", &sha, &run_id, &cause), 1);
	assert_null(sha);
	assert_int_equal(schedule_store_set_posted(f->h, "daily", d1, 10, &cause), 0);
	assert_int_equal(schedule_store_get_posted(f->h, "daily", &sha, &run_id, &cause), 0);
	assert_string_equal(sha, d1);
	assert_int_equal(run_id, 10);
	free(sha);
	sha = NULL;
	assert_int_equal(schedule_store_set_posted(f->h, "daily", d2, 11, &cause), 0);
	reopen(f);
	assert_int_equal(schedule_store_get_posted(f->h, "daily", &sha, &run_id, &cause), 0);
	assert_string_equal(sha, d2);
	assert_int_equal(run_id, 11);
	free(sha);
}

/* Names are bound, never pasted: quotes and SQL in a name are just text. */
static void test_names_are_bound(void **state)
{
	struct fixture *f = *state;
	const char *name = "x'); DROP TABLE schedule_slots; --";
	struct slot_record r;
	char *cause = NULL;

	assert_int_equal(schedule_store_claim(f->h, name, 1, SLOT_CLAIMED, &cause), 1);
	assert_int_equal(schedule_store_last_slot(f->h, name, &r, &cause), 0);
	assert_int_equal(r.slot_ms, 1);
	assert_int_equal(schedule_store_claim(f->h, "other", 1, SLOT_CLAIMED, &cause), 1);
}

/* Two connections to one file (two processes after a restart race): each
 * slot goes to exactly one of them. */
static void test_two_openers(void **state)
{
	struct fixture *f = *state;
	struct history *h2 = NULL;
	char *cause = NULL;
	int wins = 0;

	if (history_open(&h2, f->path, &cause) < 0)
		fail_msg("second open: %s", cause);
	for (int64_t slot = 0; slot < 20; slot++) {
		int a = schedule_store_claim(slot % 2 ? f->h : h2, "race", slot, SLOT_CLAIMED, &cause);
		int b = schedule_store_claim(slot % 2 ? h2 : f->h, "race", slot, SLOT_CLAIMED, &cause);
		assert_true(a >= 0 && b >= 0);
		wins += a + b;
		assert_int_equal(a + b, 1);
	}
	assert_int_equal(wins, 20);
	history_close(h2);
}

/* Issue 11: a slot's attempt and its time survive a reopen (a restart),
 * and what a stopped process left unsettled is listed. */
static void test_attempts_survive(void **state)
{
	struct fixture *f = *state;
	struct slot_record r, *v = NULL;
	size_t n = 0;
	char *cause = NULL;

	assert_int_equal(schedule_store_claim_at(f->h, "daily", 1000, 1500, &cause), 1);
	assert_int_equal(schedule_store_claim_at(f->h, "daily", 1000, 1600, &cause), 0);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 1000, &r, &cause), 0);
	assert_int_equal(r.status, SLOT_CLAIMED);
	assert_int_equal(r.attempt, 1);
	assert_int_equal(r.attempt_ms, 1500);
	/* a plain claim (a miss) has attempt 1 and no time */
	assert_int_equal(schedule_store_claim(f->h, "daily", 500, SLOT_MISSED, &cause), 1);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 500, &r, &cause), 0);
	assert_int_equal(r.attempt, 1);
	assert_int_equal(r.attempt_ms, 0);

	/* attempt 1 failed: attempt 2 due at 9000, with its run */
	assert_int_equal(schedule_store_set_attempt(f->h, "daily", 1000, SLOT_RETRYING, 2, 9000, 17, &cause), 0);
	assert_int_equal(schedule_store_set_attempt(f->h, "daily", 4242, SLOT_RETRYING, 2, 9000, 0, &cause), 1);
	reopen(f);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 1000, &r, &cause), 0);
	assert_int_equal(r.status, SLOT_RETRYING);
	assert_int_equal(r.attempt, 2);
	assert_int_equal(r.attempt_ms, 9000);
	assert_int_equal(r.run_id, 17);

	/* more slots: claimed, ok; other schedules stay apart */
	assert_int_equal(schedule_store_claim_at(f->h, "daily", 2000, 2100, &cause), 1);
	assert_int_equal(schedule_store_claim_at(f->h, "daily", 3000, 3100, &cause), 1);
	assert_int_equal(schedule_store_update_slot(f->h, "daily", 3000, 0, SLOT_OK, &cause), 0);
	assert_int_equal(schedule_store_claim_at(f->h, "weekly", 1000, 1100, &cause), 1);
	assert_int_equal(schedule_store_unsettled(f->h, "daily", &v, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].slot_ms, 1000);
	assert_int_equal(v[0].status, SLOT_RETRYING);
	assert_int_equal(v[0].attempt, 2);
	assert_int_equal(v[1].slot_ms, 2000);
	assert_int_equal(v[1].status, SLOT_CLAIMED);
	assert_int_equal(v[1].attempt_ms, 2100);
	free(v);
	assert_int_equal(schedule_store_unsettled(f->h, "nosuch", &v, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_null(v);

	/* the retry fires: claimed again by attempt 2, run id kept */
	assert_int_equal(schedule_store_set_attempt(f->h, "daily", 1000, SLOT_CLAIMED, 2, 9100, 0, &cause), 0);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 1000, &r, &cause), 0);
	assert_int_equal(r.status, SLOT_CLAIMED);
	assert_int_equal(r.attempt, 2);
	assert_int_equal(r.attempt_ms, 9100);
	assert_int_equal(r.run_id, 17);
}

/* A claimed slot names its run once queued, so a crash's interrupted run
 * is found with its schedule; a slot whose outcome came first keeps it. */
static void test_note_run(void **state)
{
	struct fixture *f = *state;
	struct slot_record r;
	char *cause = NULL, *name = NULL;

	assert_int_equal(schedule_store_slot_of_run(f->h, 5, &name, &r, &cause), 1);
	assert_int_equal(schedule_store_claim_at(f->h, "daily", 1000, 1000, &cause), 1);
	assert_int_equal(schedule_store_note_run(f->h, "daily", 1000, 5, &cause), 0);
	assert_int_equal(schedule_store_slot_of_run(f->h, 5, &name, &r, &cause), 0);
	assert_string_equal(name, "daily");
	free(name);
	name = NULL;
	assert_int_equal(r.slot_ms, 1000);
	assert_int_equal(r.status, SLOT_CLAIMED);

	/* the outcome first (run 6 ok), the note after: left alone */
	assert_int_equal(schedule_store_claim_at(f->h, "daily", 2000, 2000, &cause), 1);
	assert_int_equal(schedule_store_update_slot(f->h, "daily", 2000, 6, SLOT_OK, &cause), 0);
	assert_int_equal(schedule_store_note_run(f->h, "daily", 2000, 99, &cause), 1);
	assert_int_equal(schedule_store_get_slot(f->h, "daily", 2000, &r, &cause), 0);
	assert_int_equal(r.run_id, 6);
	assert_int_equal(r.status, SLOT_OK);
	assert_int_equal(schedule_store_slot_of_run(f->h, 99, &name, &r, &cause), 1);
	assert_int_equal(schedule_store_note_run(f->h, "nosuch", 1000, 7, &cause), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test_setup_teardown(test_claim_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_and_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_posted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_are_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_openers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attempts_survive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_run, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
