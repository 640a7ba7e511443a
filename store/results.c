/*
 * results.c: result files kept per run in DATA_DIR/results/RUN_ID/, found
 * again by run id, and swept when they expire (store/results.h).
 */
#include "common.h"
#include "store/results.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *results_root(const char *data_dir)
{
	return xasprintf("%s/results", data_dir);
}

static int make_dir(const char *dir, char **cause)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail(cause, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

static int open_new(const char *path, int flags, char **cause)
{
	int fd = open(path, flags | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fail(cause, "cannot create %s: %s", path, strerror(errno));
	return fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int results_create(struct result_files *rf, const char *data_dir, int64_t run_id,
		   const char *name, bool with_gz, char **cause)
{
	char *root = results_root(data_dir);
	memset(rf, 0, sizeof(*rf));
	rf->dir_fd = rf->fd = rf->gz_fd = -1;
	rf->dir = xasprintf("%s/%lld", root, (long long)run_id);
	rf->path = xasprintf("%s/%s", rf->dir, name);
	if (with_gz)
		rf->gz_path = xasprintf("%s.gz", rf->path);
	int rc = -1;

	if (run_id <= 0 || !*name || strchr(name, '/')) {
		fail(cause, "cannot keep the result of run %lld as '%s'", (long long)run_id, name);
		goto out;
	}
	if (make_dir(data_dir, cause) < 0 || make_dir(root, cause) < 0 || make_dir(rf->dir, cause) < 0)
		goto out;
	rf->dir_fd = open(rf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rf->dir_fd < 0) {
		fail(cause, "cannot open %s: %s", rf->dir, strerror(errno));
		goto out;
	}
	while (flock(rf->dir_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			fail(cause, "cannot lock %s: %s", rf->dir, strerror(errno));
			goto out;
		}
	}
	rf->fd = open_new(rf->path, O_RDWR, cause);
	if (rf->fd < 0)
		goto out;
	if (with_gz) {
		rf->gz_fd = open_new(rf->gz_path, O_WRONLY, cause);
		if (rf->gz_fd < 0)
			goto out;
	}
	rc = 0;
out:
	free(root);
	if (rc < 0) {
		results_discard(rf);
		results_close(rf);
	}
	return rc;
}

const char *results_keep(struct result_files *rf, bool gzipped)
{
	if (gzipped && rf->gz_path) {
		unlink(rf->path);
		rf->kept = rf->gz_path;
	} else {
		if (rf->gz_path)
			unlink(rf->gz_path);
		rf->kept = rf->path;
	}
	return rf->kept;
}

void results_discard(struct result_files *rf)
{
	if (rf->path)
		unlink(rf->path);
	if (rf->gz_path)
		unlink(rf->gz_path);
	rf->kept = NULL;
}

void results_close(struct result_files *rf)
{
	if (!rf)
		return;
	close_fd(&rf->fd);
	close_fd(&rf->gz_fd);
	if (rf->dir)
		rmdir(rf->dir);     /* only when empty: ENOTEMPTY keeps it */
	close_fd(&rf->dir_fd);  /* the lock goes with it */
	free(rf->dir);
	free(rf->path);
	free(rf->gz_path);
	memset(rf, 0, sizeof(*rf));
	rf->dir_fd = rf->fd = rf->gz_fd = -1;
}

/* Is the folder at dirfd locked by a run? (Takes and drops the lock.) */
static bool folder_busy(int dirfd)
{
	int r;
	while ((r = flock(dirfd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return errno == EWOULDBLOCK;
	flock(dirfd, LOCK_UN);
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int results_find(const char *data_dir, int64_t run_id, char **path, char **name, char **cause)
{
	char *dir = xasprintf("%s/results/%lld", data_dir, (long long)run_id);
	int ret = RESULTS_NONE;
	*path = *name = NULL;

	int dfd = run_id > 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd < 0) {
		if (run_id > 0 && errno != ENOENT && errno != ENOTDIR)
			ret = fail(cause, "cannot open %s: %s", dir, strerror(errno));
		free(dir);
		return ret;
	}
	if (folder_busy(dfd)) {
		close(dfd);
		free(dir);
		return RESULTS_BUSY;
	}
	DIR *d = fdopendir(dfd);
	if (!d) {
		ret = fail(cause, "cannot read %s: %s", dir, strerror(errno));
		close(dfd);
		free(dir);
		return ret;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.' || !(ends_with(e->d_name, ".csv") || ends_with(e->d_name, ".csv.gz")))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		*name = xstrdup(e->d_name);
		*path = xasprintf("%s/%s", dir, e->d_name);
		ret = RESULTS_KEPT;
		break;
	}
	closedir(d);
	free(dir);
	return ret;
}

static int64_t mtime_ms(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

/* Sweep one run folder (name under rootfd) when expired and free. */
static bool sweep_one(int rootfd, const char *name, int64_t keep_ms, int64_t now_ms)
{
	int dfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return false;
	/* Locked by us from here: a run cannot take it while we remove it. */
	int r;
	while ((r = flock(dfd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		close(dfd);
		return false;
	}
	struct stat st;
	if (fstat(dfd, &st) < 0) {
		close(dfd);
		return false;
	}
	int64_t newest = mtime_ms(&st);
	int dup_fd = dup(dfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		close(dfd);
		return false;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && mtime_ms(&st) > newest)
			newest = mtime_ms(&st);
	bool removed = false;
	if (now_ms - newest > keep_ms) {
		rewinddir(d);
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dfd, e->d_name, 0);
		removed = unlinkat(rootfd, name, AT_REMOVEDIR) == 0;
	}
	closedir(d);
	close(dfd);
	return removed;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int results_sweep(const char *data_dir, int64_t keep_ms, int64_t now_ms, int *removed, char **cause)
{
	char *root = results_root(data_dir);
	int n = 0;
	if (removed)
		*removed = 0;
	DIR *d = opendir(root);
	if (!d) {
		int ret = errno == ENOENT ? 0 : fail(cause, "cannot read %s: %s", root, strerror(errno));
		free(root);
		return ret;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (all_digits(e->d_name) && sweep_one(dirfd(d), e->d_name, keep_ms, now_ms))
			n++;
	closedir(d);
	free(root);
	if (removed)
		*removed = n;
	return 0;
}
