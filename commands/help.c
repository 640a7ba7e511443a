/*
 * help.c: `/report help` and `/report help CMD`, generated from the parsed
 * headers the executor runs, so help and behaviour cannot disagree.
 * Output is plain text with Slack's *bold* and `code`; channel links are
 * the bot's own references (common/markup.h).
 */
#include "common.h"
#include "commands/args.h"
#include "commands/catalog.h"
#include "common/markup.h"

#include <time.h>

void help_render_list(const struct catalog *cat, const char *slash, struct strbuf *out)
{
	help_render_list_only(cat, slash, NULL, NULL, out);
}

size_t help_render_list_only(const struct catalog *cat, const char *slash,
			     bool (*shown)(void *ctx, const struct command *cmd), void *ctx,
			     struct strbuf *out)
{
	size_t hidden = 0, listed = 0;
	if (cat->n == 0) {
		strbuf_adds(out, "No reports yet: an engineer adds one by dropping NAME.sql into "
			    "the commands folder.\n");
		return 0;
	}
	for (size_t i = 0; i < cat->n; i++) {
		const struct command *cmd = &cat->cmds[i];
		if (shown && !shown(ctx, cmd)) {
			hidden++;
			continue;
		}
		if (!listed++)
			strbuf_addf(out, "*Reports* (`%s help NAME` shows one in detail):\n", slash);
		strbuf_addf(out, "• *%s*  `", cmd->name);
		args_usage(cmd, slash, out);
		strbuf_addf(out, "`  %s\n", cmd->summary ? cmd->summary : "(no summary)");
	}
	if (!listed)
		strbuf_adds(out, "*Reports*: none you may run here.\n");
	return hidden;
}

void help_render_command(const struct command *cmd, const char *slash, struct strbuf *out)
{
	time_t now = time(NULL);
	strbuf_addf(out, "*%s*: %s\n", cmd->name, cmd->summary ? cmd->summary : "(no summary)");
	strbuf_adds(out, "Usage: `");
	args_usage(cmd, slash, out);
	strbuf_adds(out, "`\n");
	if (cmd->nparams) {
		strbuf_adds(out, "Arguments, in this order or as name=value:\n");
		for (size_t i = 0; i < cmd->nparams; i++) {
			const struct param *p = &cmd->params[i];
			char *acc = param_accepted(p);
			strbuf_addf(out, "• `%s` %s (%s)", p->name, param_type_name(p->type), acc);
			if (p->def)
				strbuf_addf(out, ", default `%s`", *p->def ? p->def : "\"\"");
			else
				strbuf_adds(out, ", required");
			if (p->description && *p->description)
				strbuf_addf(out, ": %s", p->description);
			strbuf_addc(out, '\n');
			free(acc);
		}
	}
	if (cmd->nchannels) {
		strbuf_adds(out, "Channels:");
		for (size_t i = 0; i < cmd->nchannels; i++) {
			strbuf_addc(out, ' ');
			markup_add_channel(out, cmd->channels[i]);
		}
		strbuf_addc(out, '\n');
	} else {
		strbuf_adds(out, "Channels: any\n");
	}
	if (cmd->max_rows)
		strbuf_addf(out, "At most %lld rows.\n", (long long)cmd->max_rows);
	strbuf_adds(out, "Example: `");
	args_example(cmd, slash, now, 0, out);   /* at least the first argument */
	strbuf_adds(out, "`\n");
}
