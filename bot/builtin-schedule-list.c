/*
 * builtin-schedule-list.c: `/report schedules [all]`, the schedules that
 * post into this channel (all: every channel's, admins only) with their
 * next and last runs. The run text of a report the person may not run is
 * not shown.
 */
#include "common.h"
#include "bot/builtin.h"

#include <time.h>

#include "bot/access.h"
#include "bot/app.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "bot/schedule-service.h"
#include "bot/schedule-timer.h"
#include "common/markup.h"

/* "2024-11-01 09:00" in bot.timezone. */
static void format_local(time_t t, char *buf, size_t size)
{
	local_time_text(t, "%Y-%m-%d %H:%M", buf, size);
}

static int schedules_now(struct app *app, const struct dispatch_request *req,
			 char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	(void)parsed;
	if (argc && strcmp(argv[0], "all") != 0) {
		strbuf_addf(out, "usage: `%s schedules` (this channel's) or `%s schedules all` (admins)",
			    app->cfg.command, app->cfg.command);
		return -1;
	}
	if (argc && !access_is_admin(app->access, req->user_id)) {
		strbuf_addf(out, "schedules: only admins may list every channel's schedules; `%s schedules` "
			    "shows this channel's", app->cfg.command);
		return -1;
	}
	return 0;
}

/* May the asker of job see the run text of schedule si? */
static bool run_shown(const struct app *app, const struct job *job, const struct schedule_info *si)
{
	if (access_is_admin(app->access, job->user_id))
		return true;
	char name[128];
	size_t len = strcspn(si->def.run, " \t");
	snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1), si->def.run);
	struct catalog *cat = app_catalog(app);
	const struct command *cmd = catalog_find(cat, name);
	bool shown = cmd && access_may_run(app->access, cmd, job->user_id, si->def.channel, NULL);
	catalog_put(cat);
	return shown;
}

/* One line per schedule: what, where, next run, last run and its status. */
static void schedules_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	struct schedule_info *v = NULL;
	size_t n = 0, shown = 0;
	char *cause = NULL;
	/* outside Slack (console) there is no channel: every schedule */
	bool all = job->words.n > 0 || !job->channel_id;

	if (!app->schedules) {
		strbuf_adds(out, "Schedules are not running in this process.");
		return;
	}
	if (scheduler_list(schedules_timer(app->schedules), &v, &n, &cause) < 0) {
		strbuf_addf(out, "could not list the schedules: %s", cause);
		free(cause);
		return;
	}
	if (!n) {
		schedule_infos_free(v, n);
		strbuf_addf(out, "No schedules. Add one with `%s schedule add NAME \"CRON\" CHANNEL REPORT ARGS…`"
			    " or a [[schedule]] in the config.", app->cfg.command);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct schedule_info *si = &v[i];
		char next[32], last[32];
		if (!all && (!si->def.channel || strcmp(si->def.channel, job->channel_id) != 0))
			continue;
		if (!shown++)
			strbuf_addf(out, "*Schedules*%s (times in %s):\n", all ? "" : " posting here",
				    app->cfg.timezone);
		format_local(si->next, next, sizeof(next));
		strbuf_addf(out, "• *%s* `%s` → ", si->def.name, si->def.cron);
		if (run_shown(app, job, si))
			strbuf_addf(out, "`%s %s`", app->cfg.command, si->def.run);
		else
			strbuf_adds(out, "a report you may not run");
		strbuf_adds(out, " in ");
		markup_add_channel(out, si->def.channel);
		strbuf_addf(out, "%s; next %s", si->def.from_config ? " (config)" : "", next);
		if (si->has_last) {
			format_local((time_t)(si->last.slot_ms / 1000), last, sizeof(last));
			strbuf_addf(out, "; last %s %s", last, slot_status_name(si->last.status));
			if (si->last.run_id)
				strbuf_addf(out, " (run %lld)", (long long)si->last.run_id);
		} else {
			strbuf_adds(out, "; not run yet");
		}
		if (si->retry_at) {
			format_local(si->retry_at, last, sizeof(last));
			strbuf_addf(out, "; retry at %s", last);
		}
		if (si->missed)
			strbuf_addf(out, "; %lld missed while the bot was down", (long long)si->missed);
		strbuf_addc(out, '\n');
	}
	if (!shown)
		strbuf_addf(out, "No schedules post into this channel.%s",
			    access_is_admin(app->access, job->user_id) ? " `schedules all` lists every channel's." : "");
	schedule_infos_free(v, n);
}

const struct builtin builtin_schedules = {
	.name = "schedules",
	.args_usage = "[all]",
	.summary = "this channel's scheduled reports with their next and last runs (all: every channel's, admins)",
	.min_args = 0,
	.max_args = 1,
	.exec_now = schedules_now,
	.exec_worker = schedules_worker,
};
