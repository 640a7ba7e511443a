/*
 * program-check.c: `reportbot check`: the config and every command file
 * loaded as serve would, each fault printed once as FILE:LINE: message,
 * every [[schedule]] checked as its fire would take it, then every
 * command's SQL prepared on its source when that is reachable.
 */
#include "common.h"
#include "bot/program.h"

#include <time.h>
#include <unistd.h>

#include "bot/schedule-check.h"
#include "commands/invocation.h"
#include "commands/script-run.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "store/source-cache.h"

/* `-- chart:` columns the statement does not return (issue 12): one
 * fault each, at the chart: line, naming the columns it does return. */
static int check_chart_columns(const struct command *cmd, const struct strlist *columns)
{
	const struct chart_spec *ch = &cmd->chart;
	if (ch->type == CHART_NONE)
		return 0;
	int faults = 0;
	for (size_t k = 0; k <= ch->ny; k++) {
		const char *want = k == 0 ? ch->x : ch->y[k - 1];
		bool found = false;
		for (size_t i = 0; i < columns->n && !found; i++)
			found = strcmp(columns->v[i], want) == 0;
		if (found)
			continue;
		struct strbuf have;
		strbuf_init(&have);
		for (size_t i = 0; i < columns->n; i++)
			strbuf_addf(&have, "%s%s", i ? ", " : "", columns->v[i]);
		fprintf(stderr, "%s:%d: chart: the query returns no column '%s' (for %s=); it returns: %s\n",
			cmd->path, ch->line, want, k == 0 ? "x" : "y", have.len ? have.buf : "no columns");
		strbuf_release(&have);
		faults++;
	}
	return faults;
}

/* Is word found as an executable file in the directories of path? */
static bool in_path(const char *word, const char *path)
{
	if (strchr(word, '/'))
		return access(word, X_OK) == 0;
	bool found = false;
	char *dirs = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", *d ? d : ".", word);
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(dirs);
	return found;
}

/* A script report (issue 15) has no SQL to prepare: the file must be
 * executable, the interpreter of its #! line must exist (and with
 * /usr/bin/env, the program it names must be in PATH), and env: must not
 * name a source's password variable. One line per fault. */
static int check_script(struct app *app, const struct command *cmd)
{
	int faults = 0;
	if (access(cmd->path, X_OK) < 0) {
		fprintf(stderr, "%s:1: the script is not executable (%s); run chmod +x %s\n", cmd->path,
			strerror(errno), cmd->path);
		faults++;
	}
	if (!cmd->interpreter) {
		char magic[4] = { 0 };
		FILE *f = fopen(cmd->path, "rb");
		size_t n = f ? fread(magic, 1, sizeof(magic), f) : 0;
		if (f)
			fclose(f);
		if (n < 4 || memcmp(magic, "\x7f" "ELF", 4) != 0) {
			fprintf(stderr, "%s:1: no #! line; the bot runs the file itself, without a shell: "
				"start it with e.g. #!/usr/bin/python3 or #!/bin/sh\n", cmd->path);
			faults++;
		}
	} else {
		struct strlist words;
		strlist_init(&words);
		char *copy = xstrdup(cmd->interpreter), *save = NULL;
		for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			strlist_push(&words, xstrdup(w));
		free(copy);
		const char *prog = words.n ? words.v[0] : "";
		const char *base = strrchr(prog, '/');
		base = base ? base + 1 : prog;
		if (prog[0] != '/') {
			fprintf(stderr, "%s:1: the #! line names '%s'; it must be an absolute path, e.g. "
				"#!/usr/bin/python3\n", cmd->path, prog);
			faults++;
		} else if (access(prog, X_OK) < 0) {
			fprintf(stderr, "%s:1: the interpreter of its #! line, %s, %s\n", cmd->path, prog,
				errno == ENOENT ? "does not exist" : "is not executable");
			faults++;
		} else if (strcmp(base, "env") == 0) {
			size_t k = 1;
			while (k < words.n && words.v[k][0] == '-')
				k++;
			const char *path = getenv("PATH");
			if (k < words.n && !in_path(words.v[k], path)) {
				fprintf(stderr, "%s:1: #!%s: %s is not found in PATH (%s)\n", cmd->path,
					cmd->interpreter, words.v[k], path ? path : "unset");
				faults++;
			}
		}
		strlist_release(&words);
	}
	struct strlist values, names;
	strlist_init(&values);
	strlist_init(&names);
	script_secrets(app->cfg.sources, app->cfg.nsources, &values, &names);
	for (size_t i = 0; i < cmd->nenv; i++)
		for (size_t k = 0; k < names.n; k++)
			if (strcmp(cmd->env[i], names.v[k]) == 0) {
				fprintf(stderr, "%s:%d: env %s holds a secret of the bot; a script never "
					"receives it\n", cmd->path, cmd->env_line, cmd->env[i]);
				faults++;
			}
	strlist_release(&values);
	strlist_release(&names);
	return faults;
}

/* Prepare every command on its source when reachable: catches typos in
 * column names before anyone types the command. An unreachable source is
 * a note (once), not a fault: check runs on machines without the database. */
static int check_sql_on_sources(struct app *app)
{
	int faults = 0;
	struct source_cache cache;
	struct strlist unreachable;

	source_cache_init(&cache);
	strlist_init(&unreachable);
	struct catalog *cat = app_catalog(app);
	for (size_t i = 0; i < cat->n; i++) {
		const struct command *cmd = &cat->cmds[i];
		if (cmd->script) {   /* issue 15: no SQL; the file and its #! line */
			faults += check_script(app, cmd);
			continue;
		}
		const char *sname = cmd->source ? cmd->source : app->cfg.default_source;
		const struct source_config *scfg = sname ? config_find_source(&app->cfg, sname) : NULL;
		if (!scfg) {
			fprintf(stderr, "%s:1: source '%s' is not in %s; add [sources.%s] or fix `-- source:`\n",
				cmd->path, sname ? sname : "(none: set bot.default_source)", app->cfg.path,
				sname ? sname : "NAME");
			faults++;
			continue;
		}
		bool skip = false;
		for (size_t j = 0; j < unreachable.n; j++)
			skip |= strcmp(unreachable.v[j], scfg->name) == 0;
		if (skip)
			continue;
		struct source *src = NULL;
		char *cause = NULL;
		size_t nparams;
		struct strbuf sql;
		strbuf_init(&sql);
		invocation_sql_unbound(cmd, &sql, &nparams);
		struct strlist columns;
		strlist_init(&columns);
		enum source_result r = source_cache_get(&cache, scfg, &src, &cause);
		if (r == SOURCE_OK)
			r = source_check_columns(src, sql.buf, nparams, &columns, &cause);
		if (r == SOURCE_OK)
			faults += check_chart_columns(cmd, &columns);
		strlist_release(&columns);
		if (r == SOURCE_ECONNECT || r == SOURCE_EAUTH) {
			fprintf(stderr, "note: source '%s' not reachable, its commands' SQL not checked: %s\n",
				scfg->name, cause ? cause : source_strerror(r));
			strlist_push(&unreachable, xstrdup(scfg->name));
			source_cache_drop(&cache, scfg);
		} else if (r != SOURCE_OK) {
			fprintf(stderr, "%s:%d: the SQL does not prepare: %s\n", cmd->path,
				cmd->sql_line, cause ? cause : source_strerror(r));
			faults++;
		}
		free(cause);
		strbuf_release(&sql);
	}
	strlist_release(&unreachable);
	source_cache_release(&cache);
	catalog_put(cat);
	return faults;
}

/* Every [[schedule]] through schedule_check, as `schedule add` would take
 * it: FILE:LINE (its table's line): [[schedule]] "NAME": message. */
static int check_schedules(struct app *app)
{
	int faults = 0;
	time_t now = time(NULL);

	for (size_t i = 0; i < app->cfg.nschedules; i++) {
		const struct schedule_config *sc = &app->cfg.schedules[i];
		struct schedule_spec spec = { .cron = sc->cron, .channel = sc->channel, .run = sc->run };
		char *cause = NULL;
		if (schedule_check(app, &spec, now, NULL, &cause) < 0) {
			fprintf(stderr, "%s:%d: [[schedule]] \"%s\": %s\n", app->cfg.path, sc->line,
				sc->name, cause);
			faults++;
		}
		free(cause);
	}
	return faults;
}

int program_check(const char *config, int argc, char **argv)
{
	struct app app;
	char *cause = NULL;

	(void)argc;   /* main's table gives check no arguments */
	(void)argv;
	log_set_quiet(true);
	/* Config faults print as they are: one FILE:LINE:COLUMN line each. */
	if (app_open(&app, config_default_path(config), APP_QUIET_FAULTS, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_INPUT;
	}
	for (size_t i = 0; i < app.catalog_faults.n; i++)
		fprintf(stderr, "%s\n", app.catalog_faults.v[i]);
	int faults = (int)app.catalog_faults.n + check_schedules(&app) + check_sql_on_sources(&app);
	struct catalog *cat = app_catalog(&app);
	if (!faults)
		printf("ok: %s and %zu command%s in %s/\n", app.cfg.path, cat->n,
		       cat->n == 1 ? "" : "s", app.cfg.commands_dir);
	catalog_put(cat);
	app_close(&app);
	return faults ? EXIT_INPUT : EXIT_OK;
}
