/*
 * catalog.c: every DIR/NAME.sql and every script report (an executable
 * file, issue 15), read, parsed and sorted by name. The file I/O lives
 * here; commands/command.c parses the text.
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

/* A script's command name: its file name without the last extension. */
static char *script_name(const char *base)
{
	const char *dot = strrchr(base, '.');
	return dot && dot != base ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
}

static bool is_sql_name(const char *base)
{
	size_t blen = strlen(base);
	return blen > 4 && strcmp(base + blen - 4, ".sql") == 0;
}

int command_load(struct command *cmd, const char *path, struct strlist *errors)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t blen = strlen(base);
	bool script = !is_sql_name(base);   /* issue 15: any other file is a script */
	char *name = !script ? xstrndup(base, blen - 4) : script_name(base);

	memset(cmd, 0, sizeof(*cmd));
	cmd->bom = -1;
	FILE *f = fopen(path, "rb");
	if (!f) {
		strlist_pushf(errors, "%s: cannot open: %s", path, strerror(errno));
		free(name);
		return -1;
	}
	/* Too big: said with the file's real size, not what was read of it.
	 * A script may be longer: only its header is read. */
	struct stat st;
	if (!script && fstat(fileno(f), &st) == 0 && st.st_size > COMMAND_MAX_BYTES) {
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
	} else if (script) {
		rc = command_parse_script(cmd, name, path, sb.buf, sb.len < COMMAND_MAX_BYTES ?
					  sb.len : COMMAND_MAX_BYTES, errors);
	} else {
		rc = command_parse(cmd, name, path, sb.buf, sb.len, errors);
	}
	fclose(f);
	strbuf_release(&sb);
	free(name);
	return rc;
}

/* One file of the folder that is a command: a .sql file or a script. */
struct entry {
	char *file;       /* the file name */
	char *name;       /* the command name */
};

/* In the order of their command names (catalog_find's binary search),
 * then of their file names. */
static int compare_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->file, y->file);
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

/* Extensions that make a file a script report even without the
 * executable bit (then a fault: it must be executable). */
static bool script_extension(const char *file)
{
	static const char *const exts[] = { ".py", ".sh", ".bash", ".rb", ".pl", ".js", ".r", ".R" };
	size_t n = strlen(file);
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t e = strlen(exts[i]);
		if (n > e && strcmp(file + n - e, exts[i]) == 0)
			return true;
	}
	return false;
}

/* Which files of dir are commands; faults for the ones that cannot be. */
static int list_entries(const char *dir, DIR *d, struct entry **out, size_t *nout,
			struct strlist *errors)
{
	struct entry *v = NULL;
	size_t n = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *file = de->d_name;
		size_t len = strlen(file);
		/* hidden files, editor locks and backups (.#x.sql, #x.py#, x.py~) */
		if (file[0] == '.' || file[0] == '#' || file[len - 1] == '~')
			continue;
		bool sql = is_sql_name(file);
		char *path = xasprintf("%s/%s", dir, file);
		struct stat st;
		if (stat(path, &st) < 0) {
			/* a dangling link or an unreadable entry is a fault, not
			 * a command silently missing */
			if (sql || script_extension(file)) {
				unreadable_entry(path, errors);
				rc = -1;
			}
			free(path);
			continue;
		}
		bool script = !sql && S_ISREG(st.st_mode) && (st.st_mode & 0111);
		if (!sql && !script && S_ISREG(st.st_mode) && script_extension(file)) {
			strlist_pushf(errors, "%s:1: a script report must be executable; run chmod +x %s",
				      path, path);
			rc = -1;
		}
		free(path);
		if (!S_ISREG(st.st_mode) || (!sql && !script))
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].file = xstrdup(file);
		v[n].name = sql ? xstrndup(file, len - 4) : script_name(file);
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), compare_entries);
	*out = v;
	*nout = n;
	return rc;
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
	struct entry *files;
	size_t nfiles;
	int rc = list_entries(dir, d, &files, &nfiles, errors);
	closedir(d);

	cat->cmds = xcalloc(nfiles ? nfiles : 1, sizeof(*cat->cmds));
	for (size_t i = 0; i < nfiles; i++) {
		/* one name, two files (x.sql and x.py): neither is served */
		size_t same = 1;
		while (i + same < nfiles && strcmp(files[i].name, files[i + same].name) == 0)
			same++;
		if (same > 1) {
			struct strbuf all;
			strbuf_init(&all);
			for (size_t k = 0; k < same; k++)
				strbuf_addf(&all, "%s%s", k ? (k + 1 == same ? " and " : ", ") : "",
					    files[i + k].file);
			strlist_pushf(errors, "%s/%s:1: command '%s' is defined by %s; one name, one "
				      "file: rename or remove all but one", dir, files[i].file,
				      files[i].name, all.buf);
			strbuf_release(&all);
			rc = -1;
			i += same - 1;
			continue;
		}
		char *path = xasprintf("%s/%s", dir, files[i].file);
		struct command *cmd = &cat->cmds[cat->n];
		if (command_load(cmd, path, errors) == 0) {
			cat->n++;
		} else {
			command_release(cmd);
			rc = -1;
		}
		free(path);
	}
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].file);
		free(files[i].name);
	}
	free(files);
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
