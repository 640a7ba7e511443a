#include "common.h"
#include "commands/builtin.h"

#include "bot/app.h"
#include "bot/dispatch.h"
#include "bot/job.h"

/* Until the scheduler lands (issue 6) this lists the configured schedules. */
static void schedules_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	(void)job;
	if (!app->cfg.nschedules) {
		strbuf_adds(out, "No schedules.");
		return;
	}
	for (size_t i = 0; i < app->cfg.nschedules; i++) {
		const struct schedule_config *s = &app->cfg.schedules[i];
		strbuf_addf(out, "• %s  `%s`  %s %s  → %s\n", s->name, s->cron, app->cfg.command, s->run,
			    s->channel);
	}
}

const struct builtin builtin_schedules = {
	.name = "schedules",
	.args_usage = "",
	.summary = "scheduled reports with their next and last runs",
	.min_args = 0,
	.max_args = 0,
	.exec_worker = schedules_worker,
};

static int schedule_now(struct app *app, const struct dispatch_request *req,
			char *const *argv, size_t argc, struct strbuf *out)
{
	(void)req;
	(void)argv;
	(void)argc;
	strbuf_addf(out, "schedule: adding and removing schedules from Slack is not available yet; "
		    "add a [[schedule]] to %s", app->cfg.path);
	return -1;
}

const struct builtin builtin_schedule = {
	.name = "schedule",
	.args_usage = "add NAME \"CRON\" CHANNEL REPORT ARGS… | remove NAME",
	.summary = "add or remove a scheduled report",
	.min_args = 1,
	.max_args = 64,
	.exec_now = schedule_now,
};
