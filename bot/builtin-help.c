#include "common.h"
#include "bot/builtin.h"

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

static int help_now(struct app *app, const struct dispatch_request *req,
		    char *const *argv, size_t argc, void **parsed, struct strbuf *out)
{
	(void)parsed;
	const char *slash = app->cfg.command;
	(void)req;
	if (argc == 0) {
		help_render_list(&app->catalog, slash, out);
		list_builtins(slash, out);
		return 0;
	}
	const struct command *cmd = catalog_find(&app->catalog, argv[0]);
	if (cmd) {
		help_render_command(cmd, slash, out);
		return 0;
	}
	const struct builtin *b = builtin_find(argv[0]);
	if (b) {
		strbuf_addf(out, "`%s %s%s%s` %s\n", slash, b->name, *b->args_usage ? " " : "",
			    b->args_usage, b->summary);
		return 0;
	}
	const char *near = catalog_closest(&app->catalog, argv[0], NULL, 0);
	strbuf_addf(out, "There is no command '%s'.", argv[0]);
	if (near)
		strbuf_addf(out, " Did you mean `%s help %s`?", slash, near);
	strbuf_addf(out, " `%s help` lists every command.", slash);
	return -1;
}

const struct builtin builtin_help = {
	.name = "help",
	.args_usage = "[CMD]",
	.summary = "list the reports, or explain one",
	.min_args = 0,
	.max_args = 1,
	.exec_now = help_now,
};
