/*
 * test-results.c: result files kept per run (store/results.h): where they
 * go, their modes, finding them again, and the sweep of expired ones.
 */
#include "common.h"
#include "store/results.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#define HOUR_MS (3600 * INT64_C(1000))

static char *data_dir;

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test-results-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	data_dir = xasprintf("%s/var", tmpl);   /* made by results_create */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%.*s'", (int)(strrchr(data_dir, '/') - data_dir), data_dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(data_dir);
	return 0;
}

/* Does DATA_DIR/results/ID/NAME exist (NAME "" : the folder)? */
static bool exists(long long id, const char *name)
{
	char *p = xasprintf("%s/results/%lld/%s", data_dir, id, name);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static void write_text(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

enum { DISCARD, KEEP_PLAIN, KEEP_GZ };

/* Make, write and keep (or discard) one run's result, then close it. */
static void make_result(int64_t id, const char *name, bool gz, int keep)
{
	struct result_files rf;
	char *cause = NULL;
	assert_int_equal(results_create(&rf, data_dir, id, name, gz, &cause), 0);
	assert_null(cause);
	write_text(rf.fd, "a,b\r\n");
	if (gz)
		write_text(rf.gz_fd, "not really gzip");
	if (keep != DISCARD)
		results_keep(&rf, keep == KEEP_GZ);
	else
		results_discard(&rf);
	results_close(&rf);
}

/* Files go to DATA_DIR/results/RUN_ID/NAME, private to the bot's user. */
static void test_create_layout_and_modes(void **state)
{
	(void)state;
	struct result_files rf;
	struct stat st;
	assert_int_equal(results_create(&rf, data_dir, 42, "sales-2024-11.csv", true, NULL), 0);
	char *want = xasprintf("%s/results/42/sales-2024-11.csv", data_dir);
	assert_string_equal(rf.path, want);
	assert_int_equal(stat(rf.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(rf.gz_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(rf.dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* the plain file is read back by the gzip switch: read-write */
	write_text(rf.fd, "x,y\r\n");
	char buf[8];
	assert_int_equal(pread(rf.fd, buf, 5, 0), 5);
	assert_memory_equal(buf, "x,y\r\n", 5);
	results_discard(&rf);
	results_close(&rf);
	free(want);
}

/* Kept plain or gzipped: the other file goes; found again under the name
 * it is posted with; busy while the run holds it. */
static void test_keep_and_find(void **state)
{
	(void)state;
	struct result_files rf;
	char *path = NULL, *name = NULL, *cause = NULL;

	assert_int_equal(results_create(&rf, data_dir, 7, "big.csv", true, NULL), 0);
	assert_int_equal(results_find(data_dir, 7, &path, &name, &cause), RESULTS_BUSY);
	const char *kept = results_keep(&rf, true);
	assert_string_equal(kept, rf.gz_path);
	assert_int_equal(results_find(data_dir, 7, &path, &name, &cause), RESULTS_BUSY);
	results_close(&rf);
	assert_false(exists(7, "big.csv"));
	assert_int_equal(results_find(data_dir, 7, &path, &name, &cause), RESULTS_KEPT);
	assert_string_equal(name, "big.csv.gz");
	char *want = xasprintf("%s/results/7/big.csv.gz", data_dir);
	assert_string_equal(path, want);
	free(want);
	free(path);
	free(name);

	make_result(8, "small.csv", true, KEEP_PLAIN);   /* under the threshold: plain */
	assert_int_equal(results_find(data_dir, 8, &path, &name, &cause), RESULTS_KEPT);
	assert_string_equal(name, "small.csv");
	assert_false(exists(8, "small.csv.gz"));
	free(path);
	free(name);
	assert_null(cause);
}

/* A failed run keeps nothing; nor does a run whose file a delivery moved
 * away; a run never made is not found either. */
static void test_discard_and_moved(void **state)
{
	(void)state;
	char *path = NULL, *name = NULL;
	make_result(9, "x.csv", false, DISCARD);
	assert_false(exists(9, ""));
	assert_int_equal(results_find(data_dir, 9, &path, &name, NULL), RESULTS_NONE);
	assert_null(path);

	struct result_files rf;
	assert_int_equal(results_create(&rf, data_dir, 10, "y.csv", false, NULL), 0);
	results_keep(&rf, false);
	char *dest = xasprintf("%s/y.csv", data_dir);
	assert_int_equal(rename(rf.kept, dest), 0);
	results_close(&rf);
	assert_false(exists(10, ""));
	free(dest);
	assert_int_equal(results_find(data_dir, 11, &path, &name, NULL), RESULTS_NONE);
	assert_int_equal(results_find(data_dir, -1, &path, &name, NULL), RESULTS_NONE);
}

/* A name with a path in it, or no run id, is refused with the reason. */
static void test_create_refuses(void **state)
{
	(void)state;
	struct result_files rf;
	char *cause = NULL;
	assert_int_equal(results_create(&rf, data_dir, 12, "../evil.csv", false, &cause), -1);
	assert_non_null(strstr(cause, "../evil.csv"));
	free(cause);
	cause = NULL;
	assert_int_equal(results_create(&rf, data_dir, 0, "a.csv", false, &cause), -1);
	assert_non_null(cause);
	free(cause);
	char *evil = xasprintf("%s/results/evil.csv", data_dir);
	assert_int_equal(access(evil, F_OK), -1);
	free(evil);
}

/* Set the folder's and its files' times to ms. */
static void age(int64_t id, int64_t ms)
{
	struct timespec ts[2] = { { ms / 1000, 0 }, { ms / 1000, 0 } };
	char *dir = xasprintf("%s/results/%lld", data_dir, (long long)id);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			assert_int_equal(utimensat(dirfd(d), e->d_name, ts, 0), 0);
	closedir(d);
	assert_int_equal(utimensat(AT_FDCWD, dir, ts, 0), 0);
	free(dir);
}

/* The sweep removes what is older than keep, keeps what is younger (by the
 * newest of folder and files) and never what a run still holds. */
static void test_sweep(void **state)
{
	(void)state;
	int64_t now = now_ms_wall() / 1000 * 1000;   /* age() sets whole seconds */
	int removed = -1;
	char *cause = NULL;

	/* no results/ yet: nothing to do, no error */
	assert_int_equal(results_sweep(data_dir, 24 * HOUR_MS, now, &removed, &cause), 0);
	assert_int_equal(removed, 0);

	make_result(20, "old.csv", false, KEEP_PLAIN);
	make_result(21, "young.csv", true, KEEP_GZ);
	make_result(22, "edge.csv", false, KEEP_PLAIN);
	age(20, now - 25 * HOUR_MS);
	age(21, now - 23 * HOUR_MS);
	age(22, now - 24 * HOUR_MS);           /* exactly keep: not yet */
	struct result_files running;            /* an old run still writing */
	assert_int_equal(results_create(&running, data_dir, 23, "slow.csv", false, NULL), 0);
	age(23, now - 48 * HOUR_MS);
	/* a stranger in results/ is left alone */
	char *odd = xasprintf("%s/results/notes", data_dir);
	assert_int_equal(mkdir(odd, 0700), 0);

	assert_int_equal(results_sweep(data_dir, 24 * HOUR_MS, now, &removed, &cause), 0);
	assert_null(cause);
	assert_int_equal(removed, 1);
	assert_false(exists(20, ""));
	assert_true(exists(21, "young.csv.gz"));
	assert_true(exists(22, "edge.csv"));
	assert_true(exists(23, "slow.csv"));
	assert_int_equal(access(odd, F_OK), 0);

	/* an hour later the edge one goes; the running one once it is done */
	assert_int_equal(results_sweep(data_dir, 24 * HOUR_MS, now + HOUR_MS, &removed, NULL), 0);
	assert_int_equal(removed, 1);
	assert_false(exists(22, ""));
	results_keep(&running, false);
	results_close(&running);
	age(23, now - 48 * HOUR_MS);
	assert_int_equal(results_sweep(data_dir, 24 * HOUR_MS, now + HOUR_MS, &removed, NULL), 0);
	assert_int_equal(removed, 1);
	char *path = NULL, *name = NULL;
	assert_int_equal(results_find(data_dir, 23, &path, &name, NULL), RESULTS_NONE);
	free(odd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_layout_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_and_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_and_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
