/*
 * builtin-schedule-list.c: `/report schedules`, every schedule with its
 * next and last runs.
 */
#include "common.h"
#include "bot/builtin.h"

#include <time.h>

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

/* One line per schedule: what, where, next run, last run and its status. */
static void schedules_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	struct schedule_info *v = NULL;
	size_t n = 0;
	char *cause = NULL;
	(void)job;

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
	strbuf_addf(out, "*Schedules* (times in %s):\n", app->cfg.timezone);
	for (size_t i = 0; i < n; i++) {
		const struct schedule_info *si = &v[i];
		char next[32], last[32];
		format_local(si->next, next, sizeof(next));
		strbuf_addf(out, "• *%s* `%s` → `%s %s` in ", si->def.name, si->def.cron,
			    app->cfg.command, si->def.run);
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
	schedule_infos_free(v, n);
}

const struct builtin builtin_schedules = {
	.name = "schedules",
	.args_usage = "",
	.summary = "scheduled reports with their next and last runs",
	.min_args = 0,
	.max_args = 0,
	.exec_worker = schedules_worker,
};
