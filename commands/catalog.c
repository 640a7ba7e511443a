/*
 * catalog.c: every DIR/NAME.sql, read, parsed and sorted by name. The
 * file I/O lives here; commands/command.c parses the text.
 *
 * Hidden files (.#x.sql editor locks) and anything that is not a regular
 * file are skipped; a link that leads nowhere is a fault. A faulty file is left out of the catalog, so the bot
 * still serves the good ones, and its faults go to errors for `check`.
 */
#include "common.h"
#include "commands/catalog.h"
#include "commands/fold.h"
#include "commands/suggest.h"
#include "common/strbuf.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

int command_load(struct command *cmd, const char *path, struct strlist *errors)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t blen = strlen(base);
	char *name = blen > 4 && strcmp(base + blen - 4, ".sql") == 0 ?
		xstrndup(base, blen - 4) : xstrdup(base);

	memset(cmd, 0, sizeof(*cmd));
	cmd->bom = -1;
	FILE *f = fopen(path, "rb");
	if (!f) {
		strlist_pushf(errors, "%s: cannot open: %s", path, strerror(errno));
		free(name);
		return -1;
	}
	/* Too big: said with the file's real size, not what was read of it. */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && st.st_size > COMMAND_MAX_BYTES) {
		strlist_pushf(errors, "%s:1: file is %lld bytes; a command file may be at most %d bytes",
			      path, (long long)st.st_size, COMMAND_MAX_BYTES);
		fclose(f);
		free(name);
		return -1;
	}
	struct strbuf sb;
	strbuf_init(&sb);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		strbuf_add(&sb, buf, n);
		if (sb.len > COMMAND_MAX_BYTES)
			break;
	}
	int rc;
	if (ferror(f)) {
		strlist_pushf(errors, "%s: cannot read: %s", path, strerror(errno));
		rc = -1;
	} else {
		rc = command_parse(cmd, name, path, sb.buf, sb.len, errors);
	}
	fclose(f);
	strbuf_release(&sb);
	free(name);
	return rc;
}

/* File names in the order of their command names (catalog_find's binary
 * search): "echo-broken.sql" before "echo.sql" would not do, '-' < '.'. */
static int compare_names(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = strlen(x) - 4, ny = strlen(y) - 4;   /* both end in ".sql" */
	int c = strncmp(x, y, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}

/* The fault for a directory entry that stat cannot follow: a symbolic
 * link names its missing target. */
static void unreadable_entry(const char *path, struct strlist *errors)
{
	int err = errno;
	struct stat lst;
	char target[4096];
	ssize_t n = -1;
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
		n = readlink(path, target, sizeof(target) - 1);
	if (n >= 0) {
		target[n] = '\0';
		strlist_pushf(errors, "%s: cannot open: it is a symbolic link to '%s', %s; "
			      "fix the link or remove it", path, target,
			      err == ENOENT ? "which does not exist" : strerror(err));
	} else {
		strlist_pushf(errors, "%s: cannot open: %s", path, strerror(err));
	}
}

int catalog_load(struct catalog *cat, const char *dir, struct strlist *errors)
{
	cat->cmds = NULL;
	cat->n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		strlist_pushf(errors, "%s: cannot read the commands directory: %s", dir,
			      strerror(errno));
		return -1;
	}
	struct strlist files;
	strlist_init(&files);
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n <= 4 || strcmp(de->d_name + n - 4, ".sql") != 0)
			continue;
		strlist_push(&files, xstrdup(de->d_name));
	}
	closedir(d);
	if (files.n)
		qsort(files.v, files.n, sizeof(*files.v), compare_names);

	int rc = 0;
	cat->cmds = xcalloc(files.n, sizeof(*cat->cmds));
	for (size_t i = 0; i < files.n; i++) {
		char *path = xasprintf("%s/%s", dir, files.v[i]);
		struct stat st;
		if (stat(path, &st) < 0) {
			/* a dangling link or an unreadable entry is a fault, not
			 * a command silently missing */
			unreadable_entry(path, errors);
			free(path);
			rc = -1;
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		struct command *cmd = &cat->cmds[cat->n];
		if (command_load(cmd, path, errors) == 0) {
			cat->n++;
		} else {
			command_release(cmd);
			rc = -1;
		}
		free(path);
	}
	strlist_release(&files);
	return rc;
}

void catalog_release(struct catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n; i++)
		command_release(&cat->cmds[i]);
	free(cat->cmds);
	cat->cmds = NULL;
	cat->n = 0;
}

const struct command *catalog_find(const struct catalog *cat, const char *name)
{
	char *folded = fold_width(name);   /* ｍｏｎｔｈｌｙ is monthly */
	const struct command *found = NULL;
	size_t lo = 0, hi = cat->n;
	while (lo < hi && !found) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(folded, cat->cmds[mid].name);
		if (c == 0)
			found = &cat->cmds[mid];
		else if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	free(folded);
	return found;
}

const char *catalog_closest(const struct catalog *cat, const char *name,
			    const char *const *extra_names, size_t nextra)
{
	size_t n = cat->n + nextra;
	if (n == 0)
		return NULL;
	const char **names = xcalloc(n, sizeof(*names));
	for (size_t i = 0; i < cat->n; i++)
		names[i] = cat->cmds[i].name;
	for (size_t i = 0; i < nextra; i++)
		names[cat->n + i] = extra_names[i];
	const char *best = suggest_closest(name, names, n);
	free(names);
	return best;
}
