/*
 * builtin-schedule-edit.c: `/report schedule add NAME "CRON" CHANNEL [--skip-empty]
 * [--only-changed] REPORT ARGS…` and `/report schedule remove NAME`.
 * Everything that can be checked in memory is checked before the ack
 * (who asks, then the schedule as its fire would take it:
 * bot/schedule-check.h, the same words `reportbot check` prints), and the
 * words are parsed there once; the timer and store writes happen on a
 * worker (schedules_add / schedules_remove).
 */
#include "common.h"
#include "bot/builtin.h"

#include <time.h>

#include "bot/access.h"
#include "bot/app.h"
#include "common/markup.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "bot/schedule-check.h"
#include "bot/schedule-service.h"
#include "store/schedule-store.h"

#define USAGE_ADD "schedule add NAME \"CRON\" CHANNEL [--skip-empty] [--only-changed] REPORT ARGS…"

/* Parsed `schedule add` words; strings borrowed from argv. */
struct schedule_add {
	const char *name, *cron, *channel;
	bool skip_empty, only_changed;
	char *const *run;     /* REPORT ARGS… */
	size_t nrun;
};

static int parse_add(char *const *argv, size_t argc, struct schedule_add *a)
{
	size_t i = 4;
	if (argc < 5)
		return -1;
	a->name = argv[1];
	a->cron = argv[2];
	a->channel = argv[3];
	a->skip_empty = a->only_changed = false;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--skip-empty") == 0)
			a->skip_empty = true;
		else if (strcmp(argv[i], "--only-changed") == 0)
			a->only_changed = true;
		else
			return -1;
	}
	a->run = argv + i;
	a->nrun = argc - i;
	return a->nrun ? 0 : -1;
}

/* The run text as a person would type it, quoting words with spaces. */
static char *join_run(char *const *words, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < n; i++) {
		bool quote = strpbrk(words[i], " \t\"") != NULL;
		if (i)
			strbuf_addc(&sb, ' ');
		if (!quote) {
			strbuf_adds(&sb, words[i]);
			continue;
		}
		strbuf_addc(&sb, '"');
		for (const char *p = words[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, *p);
		}
		strbuf_addc(&sb, '"');
	}
	return strbuf_detach(&sb);
}

/* What schedule_now parsed, for the worker: an add's schedule (owned
 * strings), or the name to remove. */
struct schedule_edit {
	bool remove;
	struct stored_schedule ss;
};

static void schedule_edit_free(void *parsed)
{
	struct schedule_edit *e = parsed;
	if (!e)
		return;
	stored_schedule_release(&e->ss);
	free(e);
}

static int schedule_now(struct app *app, const struct dispatch_request *req,
			char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	const char *slash = app->cfg.command;
	bool add = strcmp(argv[0], "add") == 0, remove = strcmp(argv[0], "remove") == 0;

	if (!add && !remove) {
		strbuf_addf(out, "usage: `%s " USAGE_ADD "` or `%s schedule remove NAME`", slash, slash);
		return -1;
	}
	if (!access_is_admin(app->access, req->user_id)) {
		strbuf_addf(out, "schedule: only admins (the group `" ACCESS_ADMINS "` of [access.groups] in %s) "
			    "may add or remove schedules; ask one of them", app->cfg.path);
		const struct access_group *g = config_find_group(&app->cfg, ACCESS_ADMINS);
		struct strlist who;
		strlist_init(&who);
		for (size_t i = 0; g && i < g->nids; i++)
			strlist_push(&who, xstrdup(g->ids[i]));
		for (size_t i = 0; i < app->cfg.nschedule_admins; i++)
			strlist_push(&who, xstrdup(app->cfg.schedule_admins[i]));
		for (size_t i = 0, shown = 0; i < who.n; i++)
			if (access_is_person(who.v[i]))
				{
				strbuf_adds(out, shown++ ? ", " : " (");
				markup_add_user(out, who.v[i]);
			}
		for (size_t i = 0; i < who.n; i++)
			if (access_is_person(who.v[i])) {
				strbuf_adds(out, ")");
				break;
			}
		strlist_release(&who);
		return -1;
	}
	struct schedule_edit *e = xcalloc(1, sizeof(*e));
	if (remove) {
		if (argc != 2) {
			strbuf_addf(out, "usage: `%s schedule remove NAME`", slash);
			free(e);
			return -1;
		}
		e->remove = true;
		e->ss.name = xstrdup(argv[1]);
		*parsed = e;
		return 0;
	}
	struct schedule_add a;
	if (parse_add(argv, argc, &a) < 0) {
		strbuf_addf(out, "usage: `%s " USAGE_ADD "`, e.g. `%s schedule add weekly-wau \"0 9 * * MON\" "
			    "C0123456789 wau 12`", slash, slash);
		free(e);
		return -1;
	}
	/* Checked as joined: the fire splits this very text again. */
	char *run = join_run(a.run, a.nrun);
	struct schedule_spec spec = { .cron = a.cron, .channel = a.channel, .run = run,
				      .owner = req->user_id };
	char *cause = NULL;
	if (schedule_check(app, &spec, time(NULL), NULL, &cause) < 0) {
		strbuf_addf(out, "schedule: %s", cause);
		free(cause);
		free(run);
		free(e);
		return -1;
	}
	e->ss.name = xstrdup(a.name);
	e->ss.cron = xstrdup(a.cron);
	e->ss.run = run;
	e->ss.channel = xstrdup(a.channel);
	e->ss.skip_empty = a.skip_empty;
	e->ss.only_changed = a.only_changed;
	e->ss.created_by = xstrdup(req->user_id);
	*parsed = e;
	return 0;
}

/* On a worker: write the timer and the store together. */
static void schedule_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	const struct schedule_edit *e = job->parsed;
	char *cause = NULL;

	if (!app->schedules) {
		strbuf_adds(out, "schedule: schedules are not running in this process");
		return;
	}
	if (e->remove) {
		if (schedules_remove(app->schedules, e->ss.name, &cause) < 0)
			strbuf_addf(out, "schedule: %s", cause);
		else
			strbuf_addf(out, "Removed schedule *%s*.", e->ss.name);
		free(cause);
		return;
	}
	if (schedules_add(app->schedules, &e->ss, &cause) < 0)
		strbuf_addf(out, "schedule: %s", cause);
	else {
		strbuf_addf(out, "Added schedule *%s*: `%s %s` at `%s` into ", e->ss.name, app->cfg.command,
			    e->ss.run, e->ss.cron);
		markup_add_channel(out, e->ss.channel);
		strbuf_addf(out, ". `%s schedules` shows its next run.", app->cfg.command);
	}
	free(cause);
}

const struct builtin builtin_schedule = {
	.name = "schedule",
	.args_usage = "add NAME \"CRON\" CHANNEL [--skip-empty] [--only-changed] REPORT ARGS… | remove NAME",
	.summary = "add or remove a scheduled report (admins only)",
	.min_args = 1,
	.max_args = 64,
	.exec_now = schedule_now,
	.exec_worker = schedule_worker,
	.free_parsed = schedule_edit_free,
};
