#include "common.h"
#include "bot/builtin.h"

#include <time.h>

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

static int history_now(struct app *app, const struct dispatch_request *req,
		       char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	(void)parsed;
	long n;
	(void)req;
	if (argc == 1 && parse_count(argv[0], &n) < 0) {
		strbuf_addf(out, "history: '%s' is not a count; use a number from 1 to %d, e.g. `%s history 20`",
			    argv[0], HISTORY_MAX, app->cfg.command);
		return -1;
	}
	return 0;
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
	if (!n) {
		strbuf_adds(out, "No runs yet.");
		return;
	}
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
	history_records_free(recs, n);
}

static void history_worker(struct app *app, const struct job *job, struct strbuf *out)
{
	long n = HISTORY_DEFAULT;
	if (job->words.n == 1)
		parse_count(job->words.v[0], &n);
	history_render(app->history, (size_t)n, out);
}

const struct builtin builtin_history = {
	.name = "history",
	.args_usage = "[N]",
	.summary = "the last N runs (default 10)",
	.min_args = 0,
	.max_args = 1,
	.exec_now = history_now,
	.exec_worker = history_worker,
};
