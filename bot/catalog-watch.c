/*
 * catalog-watch.c: the watcher of commands_dir (bot/catalog-watch.h): a
 * listing of stamps compared every poll, a reload when it differs, and
 * each new fault told once.
 */
#include "common.h"
#include "bot/catalog-watch.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "common/env.h"
#include "common/log.h"
#include "common/strbuf.h"

/* One entry of commands_dir as stat saw it (through a link). */
struct stamp {
	char *name;              /* owned */
	int err;                 /* stat's errno, 0 when it succeeded */
	dev_t dev;
	ino_t ino;
	off_t size;
	mode_t mode;
	struct timespec mtime, ctime;
};

/* A listing, sorted by name. */
struct listing {
	struct stamp *v;
	size_t n;
	bool unreadable;         /* the folder itself could not be read */
};

struct catalog_watch {
	struct app *app;                 /* borrowed */
	catalog_watch_tell_fn tell;
	void *tell_ctx;
	int64_t poll_ms;
	pthread_t thread;
	pthread_mutex_t lock;            /* guards stop, now and reloads */
	pthread_cond_t wake;
	bool stop;
	bool now;                        /* SIGHUP asked for a reload */
	long reloads;
	/* the watcher thread's own */
	struct listing last;
	struct strlist told;             /* keys of the faults told: fault text and its file's stamp */
};

static void listing_release(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int compare_stamps(const void *a, const void *b)
{
	return strcmp(((const struct stamp *)a)->name, ((const struct stamp *)b)->name);
}

/* Every entry of dir but the hidden ones (editor locks, swap files). */
static void list_dir(const char *dir, struct listing *l)
{
	memset(l, 0, sizeof(*l));
	DIR *d = opendir(dir);
	if (!d) {
		l->unreadable = true;
		return;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 32;
			l->v = xrealloc(l->v, cap * sizeof(*l->v));
		}
		struct stamp *s = &l->v[l->n++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup(de->d_name);
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) < 0) {
			s->err = errno;
		} else {
			s->dev = st.st_dev;
			s->ino = st.st_ino;
			s->size = st.st_size;
			s->mode = st.st_mode;
			s->mtime = st.st_mtim;
			s->ctime = st.st_ctim;
		}
		free(path);
	}
	closedir(d);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), compare_stamps);
}

static bool same_stamp(const struct stamp *a, const struct stamp *b)
{
	return !strcmp(a->name, b->name) && a->err == b->err && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mode == b->mode && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static const struct stamp *find_stamp(const struct listing *l, const char *name)
{
	struct stamp key = { .name = (char *)name };
	return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), compare_stamps) : NULL;
}

/* The names added, changed or removed from a to b, "x.sql, y.sql". */
static void describe_changes(const struct listing *a, const struct listing *b, struct strbuf *out)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct stamp *was = find_stamp(a, b->v[i].name);
		if (!was || !same_stamp(was, &b->v[i]))
			strbuf_addf(out, "%s%s", out->len ? ", " : "", b->v[i].name);
	}
	for (size_t i = 0; i < a->n; i++)
		if (!find_stamp(b, a->v[i].name))
			strbuf_addf(out, "%s%s", out->len ? ", " : "", a->v[i].name);
}

static bool same_listing(const struct listing *a, const struct listing *b)
{
	if (a->unreadable != b->unreadable || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same_stamp(&a->v[i], &b->v[i]))
			return false;
	return true;
}

/* The key a fault is told under: its text and the stamp of the file it
 * names, so it is told again only once that file has changed. */
static char *fault_key(const struct catalog_watch *w, const struct listing *l, const char *fault)
{
	const char *dir = w->app->cfg.commands_dir;
	for (size_t i = 0; i < l->n; i++) {
		char *path = xasprintf("%s/%s", dir, l->v[i].name);
		bool names = catalog_fault_names(fault, path);
		free(path);
		if (!names)
			continue;
		const struct stamp *s = &l->v[i];
		return xasprintf("%s\n%d %llu %lld %o %lld.%09ld %lld.%09ld", fault, s->err,
				 (unsigned long long)s->ino, (long long)s->size, (unsigned)s->mode,
				 (long long)s->mtime.tv_sec, s->mtime.tv_nsec, (long long)s->ctime.tv_sec,
				 s->ctime.tv_nsec);
	}
	return xstrdup(fault);
}

static bool has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static void join_names(const struct strlist *l, struct strbuf *out)
{
	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", l->v[i]);
}

/* Is the fault about a file whose last good version kept serving? Its name then. */
static const char *kept_for(const struct catalog *cat, const char *fault)
{
	for (size_t i = 0; i < cat->n; i++)
		if (catalog_is_carried(cat, &cat->cmds[i]) && cat->cmds[i].path &&
		    catalog_fault_names(fault, cat->cmds[i].path))
			return cat->cmds[i].name;
	return NULL;
}

/* Log and tell each fault not told before; remember the ones present. */
static void tell_faults(struct catalog_watch *w, const struct listing *l, const struct strlist *faults)
{
	struct strlist now;
	strlist_init(&now);
	struct catalog *cat = app_catalog(w->app);
	for (size_t i = 0; i < faults->n; i++) {
		char *key = fault_key(w, l, faults->v[i]);
		if (!has(&w->told, key)) {
			const char *kept = kept_for(cat, faults->v[i]);
			char *text = kept ?
				xasprintf("%s (the last good version of `%s` keeps serving until the file is fixed)",
					  faults->v[i], kept) :
				xasprintf("%s (this command is left out until the file is fixed)", faults->v[i]);
			log_warn("commands: %s", text);
			if (w->tell) {
				char *told = xasprintf("A command file is broken: %s. `reportbot check` lists every fault.",
						       text);
				w->tell(w->tell_ctx, told);
				free(told);
			}
			free(text);
		}
		if (!has(&now, key))
			strlist_push(&now, key);
		else
			free(key);
	}
	catalog_put(cat);
	strlist_release(&w->told);
	w->told = now;
}

static void reload(struct catalog_watch *w, struct listing *cur, bool forced)
{
	struct app_reload r;
	int rc = app_reload_catalog(w->app, &r);
	struct strbuf changed;
	strbuf_init(&changed);
	describe_changes(&w->last, cur, &changed);
	if (rc < 0) {
		/* the folder is gone or unreadable: keep serving, say so once */
		tell_faults(w, cur, &r.faults);
	} else {
		struct strbuf sb;
		strbuf_init(&sb);
		strbuf_addf(&sb, "commands: %s %s/: %zu command%s", forced ? "re-read (SIGHUP)" : "reloaded",
			    w->app->cfg.commands_dir, r.n, r.n == 1 ? "" : "s");
		if (changed.len)
			strbuf_addf(&sb, "; files changed: %s", changed.buf);
		if (r.added.n) {
			strbuf_adds(&sb, "; added: ");
			join_names(&r.added, &sb);
		}
		if (r.removed.n) {
			strbuf_adds(&sb, "; removed: ");
			join_names(&r.removed, &sb);
		}
		if (r.carried.n) {
			strbuf_adds(&sb, "; broken, last good version kept: ");
			join_names(&r.carried, &sb);
		}
		tell_faults(w, cur, &r.faults);   /* before the line tests wait for */
		log_info("%s", sb.buf);
		strbuf_release(&sb);
		pthread_mutex_lock(&w->lock);
		w->reloads++;
		pthread_mutex_unlock(&w->lock);
	}
	strbuf_release(&changed);
	app_reload_release(&r);
	listing_release(&w->last);
	w->last = *cur;
	memset(cur, 0, sizeof(*cur));
}

/* Wait up to ms or until woken; true when the thread must end. *now
 * becomes true when a reload was asked for. */
static bool wait_for(struct catalog_watch *w, int64_t ms, bool *now)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->stop && !w->now && pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0)
		;
	bool stop = w->stop;
	*now = *now || w->now;
	w->now = false;
	pthread_mutex_unlock(&w->lock);
	return stop;
}

/* How long a changed folder must stay still before it is read. */
#define SETTLE_MS 200
#define SETTLE_TRIES 10

static void *watch_main(void *arg)
{
	struct catalog_watch *w = arg;
	const char *dir = w->app->cfg.commands_dir;
	for (;;) {
		bool now = false;
		if (wait_for(w, w->poll_ms, &now))
			break;
		struct listing cur;
		list_dir(dir, &cur);
		if (!now && same_listing(&w->last, &cur)) {
			listing_release(&cur);
			continue;
		}
		/* Still for a moment first: a file being written is read whole. */
		for (int i = 0; !now && i < SETTLE_TRIES; i++) {
			if (wait_for(w, SETTLE_MS, &now)) {
				listing_release(&cur);
				return NULL;
			}
			struct listing again;
			list_dir(dir, &again);
			bool still = same_listing(&cur, &again);
			listing_release(&cur);
			cur = again;
			if (still)
				break;
		}
		reload(w, &cur, now);
	}
	return NULL;
}

int catalog_watch_start(struct catalog_watch **out, struct app *app, catalog_watch_tell_fn tell,
			void *tell_ctx, char **cause)
{
	struct catalog_watch *w = xcalloc(1, sizeof(*w));
	w->app = app;
	w->tell = tell;
	w->tell_ctx = tell_ctx;
	w->poll_ms = env_number_or("REPORTBOT_COMMANDS_POLL_MS", 10, 86400000LL, 2000);
	strlist_init(&w->told);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	/* The folder as app_open read it; its faults were logged then. */
	list_dir(app->cfg.commands_dir, &w->last);
	for (size_t i = 0; i < app->catalog_faults.n; i++)
		strlist_push(&w->told, fault_key(w, &w->last, app->catalog_faults.v[i]));

	/* No signal for this thread: serve's signal thread takes them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, watch_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		listing_release(&w->last);
		strlist_release(&w->told);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		*out = NULL;
		return fail(cause, "cannot start the thread that watches %s: %s", app->cfg.commands_dir,
			    strerror(rc));
	}
	log_info("commands: watching %s/ for changes (every %lld ms; SIGHUP re-reads it at once)",
		 app->cfg.commands_dir, (long long)w->poll_ms);
	*out = w;
	return 0;
}

void catalog_watch_now(struct catalog_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->now = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

long catalog_watch_reloads(struct catalog_watch *w)
{
	pthread_mutex_lock(&w->lock);
	long n = w->reloads;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void catalog_watch_stop(struct catalog_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	listing_release(&w->last);
	strlist_release(&w->told);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
