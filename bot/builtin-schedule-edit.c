/*
 * builtin-schedule-edit.c: `/report schedule add NAME "CRON" CHANNEL [--skip-empty]
 * [--only-changed] REPORT ARGS…` and `/report schedule remove NAME`.
 * Everything that can be checked in memory is checked before the ack
 * (who asks, the cron text, the report and its arguments); the store
 * write happens on a worker.
 */
#include "common.h"
#include "bot/builtin.h"

#include <time.h>

#include "bot/app.h"
#include "common/cron.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "bot/schedule-timer.h"
#include "bot/schedule-service.h"
#include "commands/args.h"
#include "store/schedule-store.h"

#define USAGE_ADD "schedule add NAME \"CRON\" CHANNEL [--skip-empty] [--only-changed] REPORT ARGS…"

static bool is_admin(const struct app *app, const char *user)
{
	for (size_t i = 0; user && i < app->cfg.nschedule_admins; i++)
		if (strcmp(app->cfg.schedule_admins[i], user) == 0)
			return true;
	return false;
}

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

static int check_add(struct app *app, const struct schedule_add *a, struct strbuf *out)
{
	struct cron c;
	char *cause = NULL;
	const char *slash = app->cfg.command;

	if (cron_parse(&c, a->cron, &cause) < 0) {
		strbuf_addf(out, "%s; e.g. `%s schedule add monthly-usage \"0 9 1 * *\" C0123456789 usage-all last`",
			    cause, slash);
		free(cause);
		return -1;
	}
	if ((a->channel[0] != 'C' && a->channel[0] != 'G') || strlen(a->channel) < 9 ||
	    strspn(a->channel, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(a->channel)) {
		strbuf_addf(out, "schedule: '%s' is not a channel id; use one like C0123456789 "
			    "(channel details → About, at the bottom)", a->channel);
		return -1;
	}
	const struct command *cmd = catalog_find(&app->catalog, a->run[0]);
	if (!cmd) {
		const char *near = catalog_closest(&app->catalog, a->run[0], NULL, 0);
		strbuf_addf(out, "schedule: there is no report '%s'%s%s%s; `%s help` lists them", a->run[0],
			    near ? " (did you mean " : "", near ? near : "", near ? "?)" : "", slash);
		return -1;
	}
	struct invocation inv = { 0 };
	if (args_bind_as(cmd, slash, a->run + 1, a->nrun - 1, time(NULL), &inv, &cause) < 0) {
		strbuf_addf(out, "schedule: %s", cause);
		free(cause);
		return -1;
	}
	invocation_release(&inv);
	return 0;
}

static int schedule_now(struct app *app, const struct dispatch_request *req,
			char *const *argv, size_t argc, struct strbuf *out)
{
	const char *slash = app->cfg.command;
	bool add = strcmp(argv[0], "add") == 0, remove = strcmp(argv[0], "remove") == 0;

	if (!add && !remove) {
		strbuf_addf(out, "usage: `%s " USAGE_ADD "` or `%s schedule remove NAME`", slash, slash);
		return -1;
	}
	if (!is_admin(app, req->user_id)) {
		strbuf_addf(out, "schedule: only the people listed in [scheduler] admins of %s may add or remove "
			    "schedules; ask one of them", app->cfg.path);
		if (app->cfg.nschedule_admins) {
			strbuf_adds(out, " (");
			for (size_t i = 0; i < app->cfg.nschedule_admins; i++)
				strbuf_addf(out, "%s<@%s>", i ? ", " : "", app->cfg.schedule_admins[i]);
			strbuf_adds(out, ")");
		}
		return -1;
	}
	if (remove) {
		if (argc != 2) {
			strbuf_addf(out, "usage: `%s schedule remove NAME`", slash);
			return -1;
		}
		return 0;
	}
	struct schedule_add a;
	if (parse_add(argv, argc, &a) < 0) {
		strbuf_addf(out, "usage: `%s " USAGE_ADD "`, e.g. `%s schedule add weekly-wau \"0 9 * * MON\" "
			    "C0123456789 wau 12`", slash, slash);
		return -1;
	}
	return check_add(app, &a, out);
}

static void schedule_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	char *const *argv = job->words.v;
	size_t argc = job->words.n;
	char *cause = NULL;

	if (!app->scheduler) {
		strbuf_adds(out, "schedule: schedules are not running in this process");
		return;
	}
	if (strcmp(argv[0], "remove") == 0) {
		if (scheduler_remove(app->scheduler, argv[1], &cause) < 0 ||
		    schedule_store_remove(app->history, argv[1], &cause) < 0) {
			strbuf_addf(out, "schedule: %s", cause);
			free(cause);
			return;
		}
		schedules_forget(app, argv[1]);
		strbuf_addf(out, "Removed schedule *%s*.", argv[1]);
		return;
	}

	struct schedule_add a;
	parse_add(argv, argc, &a);
	char *run = join_run(a.run, a.nrun);
	struct stored_schedule ss = {
		.name = (char *)a.name,
		.cron = (char *)a.cron,
		.run = run,
		.channel = (char *)a.channel,
		.skip_empty = a.skip_empty,
		.only_changed = a.only_changed,
		.created_by = job->user_id,
		.created_ms = (int64_t)scheduler_time(app->scheduler) * 1000,
	};
	struct schedule_def def = {
		.name = ss.name,
		.cron = ss.cron,
		.run = run,
		.channel = ss.channel,
		.skip_empty = ss.skip_empty,
		.only_changed = ss.only_changed,
		.created_ms = ss.created_ms,
	};
	/* The scheduler refuses a name in use (config ones included) first. */
	if (scheduler_add(app->scheduler, &def, &cause) < 0) {
		strbuf_addf(out, "schedule: %s", cause);
		goto out;
	}
	int r = schedule_store_add(app->history, &ss, &cause);
	if (r != 0) {
		scheduler_remove(app->scheduler, ss.name, NULL);
		strbuf_addf(out, "schedule: %s", r > 0 ? "a schedule of that name exists already" : cause);
		goto out;
	}
	strbuf_addf(out, "Added schedule *%s*: `%s %s` at `%s` into <#%s>. `%s schedules` shows its next run.",
		    ss.name, app->cfg.command, run, ss.cron, ss.channel, app->cfg.command);
out:
	free(cause);
	free(run);
}

const struct builtin builtin_schedule = {
	.name = "schedule",
	.args_usage = "add NAME \"CRON\" CHANNEL [--skip-empty] [--only-changed] REPORT ARGS… | remove NAME",
	.summary = "add or remove a scheduled report (admins only)",
	.min_args = 1,
	.max_args = 64,
	.exec_now = schedule_now,
	.exec_worker = schedule_worker,
};
