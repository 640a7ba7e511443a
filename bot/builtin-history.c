/*
 * builtin-history.c: `/report history [all] [N]`: this channel's runs and
 * the asker's own; `all` (admins) every channel's. A run of a report the
 * person could not have run is left out, so its arguments and errors stay
 * with the people who could.
 */
#include "common.h"
#include "bot/builtin.h"

#include <time.h>

#include "bot/access.h"
#include "bot/app.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "common/markup.h"
#include "store/history.h"

#define HISTORY_DEFAULT 10
#define HISTORY_MAX 100

static int parse_count(const char *s, long *n)
{
	char *end;
	errno = 0;
	*n = strtol(s, &end, 10);
	return errno || end == s || *end || *n < 1 || *n > HISTORY_MAX ? -1 : 0;
}

/* `history [all] [N]`: the words read; false when they do not fit. */
static bool parse_words(char *const *argv, size_t argc, bool *all, long *n)
{
	size_t i = 0;
	*all = false;
	*n = HISTORY_DEFAULT;
	if (i < argc && strcmp(argv[i], "all") == 0) {
		*all = true;
		i++;
	}
	if (i < argc && parse_count(argv[i], n) == 0)
		i++;
	return i == argc;
}

static int history_now(struct app *app, const struct dispatch_request *req,
		       char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	(void)parsed;
	long n;
	bool all;
	if (!parse_words(argv, argc, &all, &n)) {
		strbuf_addf(out, "history: '%s' is not a count; use a number from 1 to %d, e.g. `%s history 20`",
			    argv[argc - 1], HISTORY_MAX, app->cfg.command);
		return -1;
	}
	if (all && !access_is_admin(app->access, req->user_id)) {
		strbuf_addf(out, "history: only admins may list the runs of every channel; `%s history` "
			    "shows this channel's runs and your own", app->cfg.command);
		return -1;
	}
	return 0;
}

static void render_runs(const struct run_record *recs, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct run_record *r = &recs[i];
		char when[32];
		local_time_text((time_t)(r->queued_ms / 1000), "%Y-%m-%d %H:%M", when, sizeof(when));
		strbuf_addf(out, "#%lld  %s  %s %s  %s", (long long)r->id, when, r->command,
			    r->args ? r->args : "", run_status_name(r->status));
		if (r->status == RUN_OK || r->status == RUN_SKIPPED)
			strbuf_addf(out, "  %lld rows  %.1f s", (long long)r->rows, (double)r->duration_ms / 1000);
		if (r->error) {
			char *why = markup_plain(r->error);   /* stored text, never a reference */
			strbuf_addf(out, "  (%s)", why);
			free(why);
		}
		strbuf_addf(out, "  by %s\n", r->user ? r->user : "?");
	}
}

void history_render(struct history *h, size_t limit, struct strbuf *out)
{
	struct run_record *recs = NULL;
	size_t n = 0;
	char *cause = NULL;

	if (history_recent(h, limit, &recs, &n, &cause) < 0) {
		strbuf_addf(out, "could not read the run history: %s", cause);
		free(cause);
		return;
	}
	if (!n)
		strbuf_adds(out, "No runs yet.");
	render_runs(recs, n, out);
	history_records_free(recs, n);
}

/* Could viewer have run r? Its asker and admins see it whole; others only
 * runs of a report they may run in the run's channel. */
static bool may_see(const struct app *app, const char *viewer, bool admin, const struct run_record *r)
{
	if (admin || (r->user && viewer && strcmp(r->user, viewer) == 0))
		return true;
	struct catalog *cat = app_catalog(app);
	const struct command *cmd = r->command ? catalog_find(cat, r->command) : NULL;
	bool may = cmd && access_may_run(app->access, cmd, viewer, r->channel, NULL);
	catalog_put(cat);
	return may;
}

/* This channel's runs and the viewer's own (all: every run, admins only),
 * leaving out runs the viewer could not have run. */
static void history_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	long n;
	bool all;
	struct run_record *recs = NULL;
	size_t count = 0;
	char *cause = NULL;

	parse_words(job->words.v, job->words.n, &all, &n);
	bool admin = access_is_admin(app->access, job->user_id);
	/* outside Slack (console) there is no channel: the operator sees all */
	if (!job->channel_id && admin)
		all = true;
	/* read more than asked: some may be left out below */
	size_t want = (size_t)n * 4;
	int rc = all ? history_recent(app->history, want, &recs, &count, &cause)
		: history_recent_for(app->history, want, job->channel_id, job->user_id, &recs, &count, &cause);
	if (rc < 0) {
		strbuf_addf(out, "could not read the run history: %s", cause);
		free(cause);
		return;
	}
	size_t kept = 0;
	for (size_t i = 0; i < count; i++) {
		if (kept < (size_t)n && may_see(app, job->user_id, admin, &recs[i])) {
			struct run_record t = recs[kept];
			recs[kept++] = recs[i];
			recs[i] = t;
		}
	}
	if (!kept)
		strbuf_adds(out, all ? "No runs yet." : "No runs in this channel or by you yet.");
	else if (!all) {
		strbuf_adds(out, "Runs in ");
		markup_add_channel(out, job->channel_id);
		strbuf_addf(out, " and yours (`%s history all` lists every channel's, for admins):\n",
			    app->cfg.command);
	}
	render_runs(recs, kept, out);
	history_records_free(recs, count);
}

const struct builtin builtin_history = {
	.name = "history",
	.args_usage = "[all] [N]",
	.summary = "the last N runs here and yours (default 10); all: every channel's, for admins",
	.min_args = 0,
	.max_args = 2,
	.exec_now = history_now,
	.exec_worker = history_worker,
};
