/*
 * schedule-check.c: one schedule definition checked the way its fire would
 * take it (bot/schedule-check.h): cron, channel id, the run text split and
 * bound as dispatch_line does, the report's `channels:` header and, as its
 * owner, the report's `allow:` header.
 */
#include "common.h"
#include "bot/schedule-check.h"

#include "bot/access.h"
#include "bot/app.h"
#include "bot/builtin.h"
#include "commands/args.h"
#include "common/cron.h"
#include "common/strbuf.h"

/* Report names listed in full in "accepted: …"; more are counted. */
#define NAMES_SHOWN 20

const char *schedule_key_name(enum schedule_key key)
{
	switch (key) {
	case SCHEDULE_KEY_CRON:
		return "cron";
	case SCHEDULE_KEY_CHANNEL:
		return "channel";
	case SCHEDULE_KEY_RUN:
		return "run";
	case SCHEDULE_KEY_OWNER:
		return "owner";
	}
	return "?";
}

/* A Slack channel id as the Web API spells it: C… (public) or G…
 * (private), upper-case letters and digits. */
static bool is_channel_id(const char *s)
{
	size_t n = strlen(s);
	return (s[0] == 'C' || s[0] == 'G') && n >= 9 && n <= 32 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}

static bool channel_allowed(const struct command *cmd, const char *channel)
{
	if (!cmd->nchannels)
		return true;
	for (size_t i = 0; i < cmd->nchannels; i++)
		if (strcmp(cmd->channels[i], channel) == 0)
			return true;
	return false;
}

/* "accepted: a, b, c" for the reports of the catalog. */
static void add_report_names(const struct app *app, const struct catalog *cat, struct strbuf *out)
{
	if (!cat->n) {
		strbuf_addf(out, "accepted: a report of %s/, and it holds none", app->cfg.commands_dir);
		return;
	}
	strbuf_adds(out, "accepted: ");
	for (size_t i = 0; i < cat->n && i < NAMES_SHOWN; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", cat->cmds[i].name);
	if (cat->n > NAMES_SHOWN)
		strbuf_addf(out, " and %zu more", cat->n - NAMES_SHOWN);
	strbuf_addf(out, " (`%s help` describes them)", app->cfg.command);
}

/* The person the schedule runs for must be allowed to run the report: the
 * hook for the report's `allow:` header. A config schedule (no owner) was
 * written by whoever edits the config and is not checked here. */
static int check_owner(struct app *app, const struct command *cmd, const struct schedule_spec *s,
		       struct strbuf *out)
{
	char *why = NULL;

	if (!s->owner || access_may_run(app->access, cmd, s->owner, s->channel, &why))
		return 0;
	strbuf_adds(out, why ? why : "you may not run this report");
	free(why);
	return -1;
}

/* The run text, split and bound as dispatch_line does for the fire; the
 * command found goes to *found. -1 with the fault in out. */
static int check_run(struct app *app, const struct catalog *cat, const struct schedule_spec *s,
		     time_t now, const struct command **found, struct strbuf *out)
{
	const char *slash = app->cfg.command;
	struct strlist words;
	char *cause = NULL;
	int rc = -1;

	strlist_init(&words);
	strbuf_addf(out, "run `%s`: ", s->run);
	if (args_split(s->run, &words, &cause) < 0) {
		strbuf_adds(out, cause);
		goto out;
	}
	if (!words.n) {
		strbuf_adds(out, "names no report; ");
		add_report_names(app, cat, out);
		strbuf_adds(out, ", with its arguments, e.g. \"usage-all last\"");
		goto out;
	}
	const char *name = words.v[0];
	if (builtin_find(name)) {
		strbuf_addf(out, "'%s' is a built-in command, not a report; a schedule runs a report; ", name);
		add_report_names(app, cat, out);
		goto out;
	}
	const struct command *cmd = catalog_find(cat, name);
	if (!cmd) {
		const char *near = catalog_closest(cat, name, NULL, 0);
		strbuf_addf(out, "there is no report '%.64s'", name);
		if (near)
			strbuf_addf(out, " (did you mean '%s'?)", near);
		strbuf_adds(out, "; ");
		add_report_names(app, cat, out);
		goto out;
	}
	struct invocation inv = { 0 };
	if (args_bind_as(cmd, slash, words.v + 1, words.n - 1, now, &inv, &cause) < 0) {
		invocation_release(&inv);
		strbuf_adds(out, cause);
		goto out;
	}
	invocation_release(&inv);
	*found = cmd;
	strbuf_reset(out);
	rc = 0;
out:
	free(cause);
	strlist_release(&words);
	return rc;
}

int schedule_check(struct app *app, const struct schedule_spec *s, time_t now,
		   enum schedule_key *key, char **cause)
{
	struct strbuf out;
	enum schedule_key k;
	const struct command *cmd = NULL;
	char *why = NULL;
	struct cron c;
	struct catalog *cat = app_catalog(app);   /* cmd lives in it */

	strbuf_init(&out);
	k = SCHEDULE_KEY_CRON;
	if (cron_parse(&c, s->cron, &why) < 0) {
		strbuf_addf(&out, "%s; e.g. \"0 9 1 * *\" (09:00 on the 1st of each month, in %s)",
			    why, app->cfg.timezone ? app->cfg.timezone : "UTC");
		free(why);
		goto fault;
	}
	k = SCHEDULE_KEY_CHANNEL;
	if (!is_channel_id(s->channel)) {
		strbuf_addf(&out, "channel '%.64s' is not a channel id; accepted: an id like C0123456789 "
			    "(G… for a private channel): in Slack, channel details → About, at the bottom",
			    s->channel);
		goto fault;
	}
	k = SCHEDULE_KEY_RUN;
	if (check_run(app, cat, s, now, &cmd, &out) < 0)
		goto fault;
	k = SCHEDULE_KEY_CHANNEL;
	if (!channel_allowed(cmd, s->channel)) {
		strbuf_addf(&out, "report '%s' may not run in %s: its `-- channels:` header allows only ",
			    cmd->name, s->channel);
		for (size_t i = 0; i < cmd->nchannels; i++)
			strbuf_addf(&out, "%s%s", i ? ", " : "", cmd->channels[i]);
		strbuf_adds(&out, "; accepted: one of those channels");
		goto fault;
	}
	k = SCHEDULE_KEY_OWNER;
	if (check_owner(app, cmd, s, &out) < 0)
		goto fault;
	strbuf_release(&out);
	catalog_put(cat);
	return 0;
fault:
	if (key)
		*key = k;
	fail(cause, "%s", out.buf);
	strbuf_release(&out);
	catalog_put(cat);
	return -1;
}
