/*
 * main.c: the programs of DESIGN.md. Exit codes: 0 ok, 1 bad input or
 * config, 2 runtime failure (database, network).
 */
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "bot/app.h"
#include "bot/program-console.h"
#include "common/log.h"
#include "bot/job-pool.h"
#include "bot/program-serve.h"
#include "bot/builtin.h"
#include "commands/report.h"
#include "common/strbuf.h"
#include "store/source-cache.h"

#define REPORTBOT_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_RUNTIME = 2 };

static const char usage_text[] =
	"usage: reportbot [-c FILE] serve                     connect to Slack and serve\n"
	"       reportbot [-c FILE] run [-o FILE] CMD [ARG...]  run one report, CSV to stdout or FILE\n"
	"       reportbot [-c FILE] console                   type /report lines on stdin\n"
	"       reportbot [-c FILE] check                     validate config and command files\n"
	"       reportbot [-c FILE] history [-n N]            recent runs\n"
	"       reportbot --help | --version\n"
	"\n"
	"The config is -c FILE, else $REPORTBOT_CONFIG, else ./config.toml.\n"
	"Exit codes: 0 ok, 1 bad input or config, 2 runtime failure.\n";

static int usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "reportbot: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", usage_text);
	return EXIT_INPUT;
}

static int open_app(struct app *app, const char *config, unsigned flags)
{
	char *cause = NULL;
	if (app_open(app, config_default_path(config), flags, &cause) < 0) {
		fprintf(stderr, "reportbot: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * Ctrl-C or SIGTERM during `run`: a thread waiting in sigwait cancels the
 * running statement (MySQL: KILL QUERY on the server), so an interrupted
 * export leaves no query behind, and run exits 2 saying it was cancelled.
 */
struct run_interrupt {
	pthread_mutex_t lock;     /* guards src */
	struct source *src;       /* the running statement's connection */
	atomic_int cancelled;
	sigset_t sigs;
	pthread_t thread;
};

static void run_on_source(void *ctx, struct source *src)
{
	struct run_interrupt *ri = ctx;
	pthread_mutex_lock(&ri->lock);
	ri->src = src;
	pthread_mutex_unlock(&ri->lock);
}

static void *run_interrupt_main(void *arg)
{
	struct run_interrupt *ri = arg;
	int sig;
	while (sigwait(&ri->sigs, &sig) == 0) {
		if (sig == SIGUSR2)
			break;   /* the run ended */
		atomic_store(&ri->cancelled, 1);
		pthread_mutex_lock(&ri->lock);
		if (ri->src)
			source_cancel(ri->src);
		pthread_mutex_unlock(&ri->lock);
	}
	return NULL;
}

/* reportbot run [-o FILE] CMD [ARG...] */
static int cmd_run(const char *config, int argc, char **argv)
{
	const char *out_path = NULL;
	int i = 0;
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out_path = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			return usage_error("run: unknown option '%s'; accepted: -o FILE", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error("run: name the report to run, e.g. reportbot run monthly acme 2024-11");

	struct app app;
	log_set_quiet(true);
	if (open_app(&app, config, APP_NEED_HISTORY) < 0)
		return EXIT_INPUT;

	int ret = EXIT_INPUT;
	char *cause = NULL;
	char *tmp_path = NULL;
	int fd = STDOUT_FILENO;
	struct invocation inv = { 0 };
	const char *name = argv[i];
	const struct command *cmd = catalog_find(&app.catalog, name);
	if (!cmd) {
		const char *near = catalog_closest(&app.catalog, name, NULL, 0);
		fprintf(stderr, "reportbot: no report '%s' in %s/%s%s%s\n", name, app.cfg.commands_dir,
			near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
		goto out;
	}
	if (args_bind(cmd, argv + i + 1, (size_t)(argc - i - 1), time(NULL), &inv, &cause) < 0) {
		fprintf(stderr, "reportbot: %s\n", cause);
		goto out;
	}
	if (out_path) {
		/* Write beside the target and rename on success: no half files. */
		tmp_path = xasprintf("%s.partial", out_path);
		fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "reportbot: cannot write %s: %s\n", tmp_path, strerror(errno));
			ret = EXIT_RUNTIME;
			goto out;
		}
	}

	char *shown = invocation_describe(&inv);
	char user[] = "cli";
	struct run_record rec = {
		.id = 0,   /* the store picks it: a running serve owns its counter */
		.command = cmd->name,
		.args = shown,
		.user = user,
		.source = cmd->source ? cmd->source : app.cfg.default_source,
		.queued_ms = now_ms_wall(),
	};
	int64_t id = 0;
	if (history_add_run(app.history, &rec, &id, &cause) < 0) {
		fprintf(stderr, "reportbot: warning: history: %s\n", cause);
		free(cause);
		cause = NULL;
		id = 0;
	}
	if (id)
		history_mark_running(app.history, id, NULL);

	struct source_cache cache;
	struct report_result res;
	source_cache_init(&cache);
	struct run_interrupt ri = { .src = NULL };
	pthread_mutex_init(&ri.lock, NULL);
	atomic_init(&ri.cancelled, 0);
	sigemptyset(&ri.sigs);
	sigaddset(&ri.sigs, SIGINT);
	sigaddset(&ri.sigs, SIGTERM);
	sigaddset(&ri.sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &ri.sigs, NULL);
	bool watching = pthread_create(&ri.thread, NULL, run_interrupt_main, &ri) == 0;
	struct report_watch watch = { .on_source = run_on_source, .ctx = &ri, .cancelled = &ri.cancelled };
	int r = report_execute(&app.cfg, &cache, &inv, fd, &watch, &res);
	if (watching) {
		pthread_kill(ri.thread, SIGUSR2);
		pthread_join(ri.thread, NULL);
	}
	pthread_mutex_destroy(&ri.lock);
	source_cache_release(&cache);
	if (id)
		history_finish_run(app.history, id, res.status, res.rows, res.bytes, res.duration_ms, res.error, NULL);
	free(shown);
	if (out_path && close(fd) < 0 && r == 0) {
		fprintf(stderr, "reportbot: cannot write %s: %s\n", tmp_path, strerror(errno));
		r = -1;
	}
	fd = STDOUT_FILENO;
	if (r < 0) {
		fprintf(stderr, "reportbot: %s\n", res.error ? res.error : "the report failed");
		if (tmp_path)
			unlink(tmp_path);
		ret = EXIT_RUNTIME;
	} else if (tmp_path && rename(tmp_path, out_path) < 0) {
		fprintf(stderr, "reportbot: cannot rename %s to %s: %s\n", tmp_path, out_path, strerror(errno));
		unlink(tmp_path);
		ret = EXIT_RUNTIME;
	} else {
		ret = EXIT_OK;
	}
	report_result_release(&res);
out:
	if (fd != STDOUT_FILENO)
		close(fd);
	free(tmp_path);
	free(cause);
	invocation_release(&inv);
	app_close(&app);
	return ret;
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
	for (size_t i = 0; i < app->catalog.n; i++) {
		const struct command *cmd = &app->catalog.cmds[i];
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
		enum source_result r = source_cache_get(&cache, scfg, &src, &cause);
		if (r == SOURCE_OK)
			r = source_check(src, sql.buf, nparams, &cause);
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
	return faults;
}

static int cmd_check(const char *config)
{
	struct app app;
	char *cause = NULL;

	log_set_quiet(true);
	/* Config faults print as they are: one FILE:LINE:COLUMN line each. */
	if (app_open(&app, config_default_path(config), APP_QUIET_FAULTS, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_INPUT;
	}
	for (size_t i = 0; i < app.catalog_faults.n; i++)
		fprintf(stderr, "%s\n", app.catalog_faults.v[i]);
	int faults = (int)app.catalog_faults.n + check_sql_on_sources(&app);
	if (!faults)
		printf("ok: %s and %zu command%s in %s/\n", app.cfg.path, app.catalog.n,
		       app.catalog.n == 1 ? "" : "s", app.cfg.commands_dir);
	app_close(&app);
	return faults ? EXIT_INPUT : EXIT_OK;
}

static int cmd_history(const char *config, int argc, char **argv)
{
	long n = 20;
	for (int i = 0; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			errno = 0;
			n = strtol(argv[++i], &end, 10);
			if (errno || *end || n < 1 || n > 10000)
				return usage_error("history: -n takes a count from 1 to 10000, not '%s'", argv[i]);
		} else {
			return usage_error("history: unknown argument '%s'; accepted: -n N", argv[i]);
		}
	}
	struct app app;
	log_set_quiet(true);
	if (open_app(&app, config, APP_NEED_HISTORY) < 0)
		return EXIT_INPUT;
	struct strbuf out;
	strbuf_init(&out);
	history_render(app.history, (size_t)n, &out);
	fputs(out.buf, stdout);
	if (out.len && out.buf[out.len - 1] != '\n')
		putchar('\n');
	strbuf_release(&out);
	app_close(&app);
	return EXIT_OK;
}

static int cmd_console(const char *config)
{
	struct app app;
	char *cause = NULL;

	/* The console's stdout is the conversation; info lines only on request. */
	if (!getenv("REPORTBOT_LOG"))
		log_set_quiet(true);
	if (open_app(&app, config, APP_NEED_HISTORY) < 0)
		return EXIT_INPUT;
	if (pool_start(&app.pool, &app, app.cfg.workers, app.cfg.queue_size, &cause) < 0) {
		fprintf(stderr, "reportbot: %s\n", cause);
		free(cause);
		app_close(&app);
		return EXIT_RUNTIME;
	}
	int ret = console_run(&app, stdin, stdout);
	pool_stop(app.pool, (int64_t)app.cfg.shutdown_grace * 1000);
	app.pool = NULL;
	app_close(&app);
	return ret;
}

static int cmd_serve(const char *config)
{
	struct app app;
	char *cause = NULL;
	if (open_app(&app, config, APP_NEED_HISTORY) < 0)
		return EXIT_INPUT;
	int ret = serve_run(&app, &cause);
	if (cause) {
		log_error("%s", cause);
		free(cause);
	}
	app_close(&app);
	return ret;
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	int i = 1;

	/* A reader that goes away (`run | head`) is a write error, not a kill. */
	signal(SIGPIPE, SIG_IGN);

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("reportbot " REPORTBOT_VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			config = argv[i + 1];
			i += 2;
		} else {
			return usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error("name a command");
	const char *sub = argv[i++];
	int rest = argc - i;
	char **rest_argv = argv + i;

	if (strcmp(sub, "run") == 0)
		return cmd_run(config, rest, rest_argv);
	if (strcmp(sub, "check") == 0 && !rest)
		return cmd_check(config);
	if (strcmp(sub, "history") == 0)
		return cmd_history(config, rest, rest_argv);
	if (strcmp(sub, "console") == 0 && !rest)
		return cmd_console(config);
	if (strcmp(sub, "serve") == 0 && !rest)
		return cmd_serve(config);
	return usage_error("unknown command or extra arguments after '%s'", sub);
}
