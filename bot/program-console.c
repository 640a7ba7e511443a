#include "common.h"
#include "bot/program-console.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "bot/catalog-watch.h"
#include "bot/dispatch.h"
#include "bot/job-pool.h"
#include "bot/program.h"
#include "bot/schedule-service.h"
#include "commands/report.h"
#include "common/log.h"
#include "common/markup.h"
#include "common/strbuf.h"

struct console {
	FILE *out;
	const char *data_dir;
	pthread_mutex_t lock;   /* guards out and failed: workers print too */
	int failed;
};

static int console_post_text(void *ctx, void *wstate, const struct job *job, const char *text, char **cause)
{
	struct console *c = ctx;
	(void)wstate;
	(void)job;
	(void)cause;
	char *plain = markup_plain(text);   /* the console prints plain text */
	size_t n = strlen(plain);
	while (n && plain[n - 1] == '\n')
		n--;
	pthread_mutex_lock(&c->lock);
	fprintf(c->out, "bot: %.*s\n", (int)n, plain);
	fflush(c->out);
	pthread_mutex_unlock(&c->lock);
	free(plain);
	return 0;
}

/* A command file became broken: the person at the console is its admin. */
static void console_tell(void *ctx, const char *text)
{
	console_post_text(ctx, NULL, NULL, text, NULL);
}

/* data_dir/NAME, or data_dir/NAME-2.csv ... when NAME is taken. */
static char *free_name(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	const char *dot = strrchr(name, '.');
	size_t len = strlen(name);
	if (len > 7 && strcmp(name + len - 7, ".csv.gz") == 0)
		dot = name + len - 7;   /* NAME-2.csv.gz */
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);
	for (int i = 2; access(path, F_OK) == 0 && i < 1000; i++) {
		free(path);
		path = xasprintf("%s/%.*s-%d%s", dir, (int)stem, name, i, dot ? dot : "");
	}
	return path;
}

static int console_post_result(void *ctx, void *wstate, const struct job *job,
			       const struct report_result *res, const char *csv_path, char **cause)
{
	struct console *c = ctx;
	(void)wstate;
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	if (res->status != RUN_OK) {
		fprintf(c->out, "bot: run %lld (%s) %s: %s\n", (long long)job->run_id, job->inv.cmd->name,
			run_status_name(res->status), res->error ? res->error : "failed");
		c->failed = 1;
		goto out;
	}
	char *name = report_file_name(&job->inv, res);
	char *dest = free_name(c->data_dir, name);
	free(name);
	if (rename(csv_path, dest) < 0) {
		ret = fail(cause, "cannot move %s to %s: %s", csv_path, dest, strerror(errno));
		c->failed = 1;
	} else {
		fprintf(c->out, "bot: [file %s] %s %s: %lld rows in %.2f s (run %lld)\n", dest,
			job->inv.cmd->name, job->args_shown, (long long)res->rows,
			(double)res->duration_ms / 1000, (long long)job->run_id);
	}
	free(dest);
out:
	fflush(c->out);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* The text after the slash command, or NULL when the line lacks it. */
static const char *after_command(const char *line, const char *slash)
{
	size_t n = strlen(slash);
	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, slash, n) != 0 || (line[n] && line[n] != ' ' && line[n] != '\t'))
		return NULL;
	return line + n;
}

int console_run(struct app *app, FILE *in, FILE *out)
{
	struct console c = { .out = out, .data_dir = app->cfg.data_dir };
	struct delivery d = {
		.ctx = &c,
		.post_text = console_post_text,
		.post_result = console_post_result,
	};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int mistakes = 0;
	bool tty = isatty(fileno(in));

	/* The pool lives inside console_run: its workers use d until they stop. */
	char *cause = NULL;
	if (pool_start(&app->pool, app, app->cfg.workers, app->cfg.queue_size, &cause) < 0) {
		fprintf(stderr, "reportbot: %s\n", cause);
		free(cause);
		return EXIT_RUNTIME;
	}
	pthread_mutex_init(&c.lock, NULL);
	/* Schedules are listed and managed here, but only `serve` fires them. */
	if (schedules_start(app, &d, false, &cause) < 0) {
		fprintf(out, "bot: schedules unavailable: %s\n", cause);
		free(cause);
		cause = NULL;
	}
	/* Edited command files are served from the next line on. */
	struct catalog_watch *watch = NULL;
	if (catalog_watch_start(&watch, app, console_tell, &c, &cause) < 0) {
		fprintf(out, "bot: %s; edits to %s/ need a restart\n", cause, app->cfg.commands_dir);
		free(cause);
		cause = NULL;
	}
	if (tty)
		fprintf(out, "Type %s lines as in Slack (%s help); Ctrl-D ends.\n", app->cfg.command,
			app->cfg.command);
	while ((len = getline(&line, &cap, in)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		pthread_mutex_lock(&c.lock);
		if (!tty)
			fprintf(out, "> %s\n", line);
		pthread_mutex_unlock(&c.lock);

		/* "… &" queues the line and reads the next one at once, so a
		 * running report can be cancelled from the console. */
		bool background = false;
		if (len >= 2 && line[len - 1] == '&' && (line[len - 2] == ' ' || line[len - 2] == '\t')) {
			background = true;
			line[--len] = '\0';
			while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
				line[--len] = '\0';
		}
		const char *text = after_command(line, app->cfg.command);
		if (!text) {
			pthread_mutex_lock(&c.lock);
			fprintf(out, "bot: lines start with %s, e.g. `%s help`\n", app->cfg.command,
				app->cfg.command);
			pthread_mutex_unlock(&c.lock);
			mistakes = 1;
			continue;
		}
		struct dispatch_request req = {
			.text = text,
			.user_id = "console",
			.delivery = &d,
		};
		struct dispatch_reply reply;
		/* Held across dispatch so the reply prints before the result. */
		pthread_mutex_lock(&c.lock);
		dispatch_line(app, &req, &reply);
		if (reply.mistake)
			mistakes = 1;
		if (reply.text) {
			char *plain = markup_plain(reply.text);
			fprintf(out, "bot: %s\n", plain);
			free(plain);
		}
		fflush(out);
		pthread_mutex_unlock(&c.lock);
		dispatch_reply_release(&reply);
		/* One line at a time, like a person waiting for the answer. */
		if (!background)
			pool_wait_idle(app->pool);
	}
	free(line);
	catalog_watch_stop(watch);
	pool_wait_idle(app->pool);
	schedules_stop(app);
	pool_stop(app->pool, (int64_t)app->cfg.shutdown_grace * 1000);
	app->pool = NULL;
	pthread_mutex_destroy(&c.lock);
	if (c.failed)
		return 2;
	return mistakes ? 1 : 0;
}

int program_console(const char *config, int argc, char **argv)
{
	struct app app;

	(void)argc;   /* main's table gives console no arguments */
	(void)argv;
	/* The console's stdout is the conversation; info lines only on request. */
	if (!getenv("REPORTBOT_LOG"))
		log_set_quiet(true);
	int open_rc = program_open_app(&app, config, APP_NEED_HISTORY);
	if (open_rc)
		return open_rc;
	char *why = NULL;
	if (app_start_run_ids(&app, false, &why) < 0) {
		fprintf(stderr, "reportbot: %s\n", why);
		free(why);
		app_close(&app);
		return EXIT_RUNTIME;
	}
	int ret = console_run(&app, stdin, stdout);
	app_close(&app);
	return ret;
}
