/*
 * builtin-help.c: `/report help [CMD]`: the reports this person may run in
 * this channel (bot/access.h), and how many more exist, unnamed; a report
 * they may not run is explained no further than that.
 */
#include "common.h"
#include "bot/builtin.h"

#include "bot/access.h"
#include "bot/app.h"
#include "bot/dispatch.h"
#include "commands/catalog.h"

static void list_builtins(const char *slash, struct strbuf *out)
{
	strbuf_adds(out, "\nBuilt-in:\n");
	for (size_t i = 0; i < builtin_count; i++) {
		const struct builtin *b = builtin_table[i];
		strbuf_addf(out, "• `%s %s%s%s` %s\n", slash, b->name, *b->args_usage ? " " : "",
			    b->args_usage, b->summary);
	}
}

/* Who asks where, for the list's filter. */
struct asker {
	const struct app *app;
	const struct dispatch_request *req;
};

static bool runnable(void *ctx, const struct command *cmd)
{
	const struct asker *a = ctx;
	return access_may_run(a->app->access, cmd, a->req->user_id, a->req->channel_id, NULL);
}

/* help_now's answer from the snapshot cat. */
static int help_answer(struct app *app, const struct dispatch_request *req, struct catalog *cat,
		       char *const *argv, size_t argc, struct strbuf *out)
{
	const char *slash = app->cfg.command;
	struct asker who = { app, req };
	if (argc == 0) {
		size_t more = help_render_list_only(cat, slash, runnable, &who, out);
		if (more)
			strbuf_addf(out, "(%zu more report%s exist%s for other channels or people.)\n", more,
				    more == 1 ? "" : "s", more == 1 ? "s" : "");
		list_builtins(slash, out);
		return 0;
	}
	const struct command *cmd = catalog_find(cat, argv[0]);
	if (cmd) {
		char *why = NULL;
		if (!access_may_run(app->access, cmd, req->user_id, req->channel_id, &why)) {
			strbuf_adds(out, why);
			free(why);
			return 0;
		}
		help_render_command(cmd, slash, out);
		return 0;
	}
	const struct builtin *b = builtin_find(argv[0]);
	if (b) {
		strbuf_addf(out, "`%s %s%s%s` %s\n", slash, b->name, *b->args_usage ? " " : "",
			    b->args_usage, b->summary);
		return 0;
	}
	const char *near = catalog_closest(cat, argv[0], NULL, 0);
	const struct command *near_cmd = near ? catalog_find(cat, near) : NULL;
	if (near_cmd && !runnable(&who, near_cmd))
		near = NULL;   /* never name a report the person may not run */
	strbuf_addf(out, "There is no command '%s'.", argv[0]);
	if (near)
		strbuf_addf(out, " Did you mean `%s help %s`?", slash, near);
	strbuf_addf(out, " `%s help` lists every command.", slash);
	return -1;
}

static int help_now(struct app *app, const struct dispatch_request *req,
		    char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	(void)parsed;
	struct catalog *cat = app_catalog(app);
	int rc = help_answer(app, req, cat, argv, argc, out);
	catalog_put(cat);
	return rc;
}

const struct builtin builtin_help = {
	.name = "help",
	.args_usage = "[CMD]",
	.summary = "list the reports, or explain one",
	.min_args = 0,
	.max_args = 1,
	.exec_now = help_now,
};
