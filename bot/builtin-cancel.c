/*
 * builtin-cancel.c: `/report cancel RUN_ID`, for the person who asked for
 * the run and for admins (bot/access.h); anyone else is refused without
 * learning what the run is.
 */
#include "common.h"
#include "bot/builtin.h"

#include "bot/access.h"
#include "bot/app.h"
#include "bot/dispatch.h"
#include "bot/job-pool.h"

static int cancel_now(struct app *app, const struct dispatch_request *req,
		      char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	(void)parsed;
	char *end, *cause = NULL;
	const char *s = argv[0];
	(void)argc;
	if (*s == '#')
		s++;
	errno = 0;
	long long id = strtoll(s, &end, 10);
	if (errno || end == s || *end || id < 1) {
		strbuf_addf(out, "cancel: '%s' is not a run id; use the number the bot gave when the run "
			    "started, e.g. `%s cancel 42`", argv[0], app->cfg.command);
		return -1;
	}
	bool admin = access_is_admin(app->access, req->user_id);
	if (!app->pool || pool_cancel_as(app->pool, id, req->user_id, admin, &cause) < 0) {
		strbuf_addf(out, "cancel: %s", cause ? cause : "no reports run here");
		free(cause);
		return -1;
	}
	strbuf_addf(out, "Cancelling run %lld.", id);
	return 0;
}

const struct builtin builtin_cancel = {
	.name = "cancel",
	.args_usage = "RUN_ID",
	.summary = "stop a queued or running report you asked for (admins: any)",
	.min_args = 1,
	.max_args = 1,
	.exec_now = cancel_now,
};
