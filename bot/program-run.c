/*
 * program-run.c: `reportbot run [-o FILE] CMD [ARG...]`: one report, its
 * CSV to stdout or FILE. The run takes the same path as a line typed in
 * Slack or the console: dispatch binds the arguments and queues a job on
 * a pool of one worker, bot/job-run.c records it in history and runs it,
 * and the delivery here puts the CSV where it belongs.
 *
 * -o FILE is written as FILE.partial (opened before the run, so a bad
 * path fails at once) and renamed on success: no half files. Ctrl-C or
 * SIGTERM cancels the run through pool_cancel, which stops the statement
 * on the source (MySQL: KILL QUERY), so an interrupted export leaves no
 * query behind; run then exits 2 saying it was cancelled.
 */
#include "common.h"
#include "bot/program.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "bot/dispatch.h"
#include "bot/job-pool.h"
#include "common/log.h"
#include "common/markup.h"

/* The delivery of `run`: the CSV streams into fd as the rows come (the
 * result_fd hook), post_result keeps why a run failed. error is written
 * by the worker and read by main once the pool is idle. */
struct run_output {
	int fd;                   /* stdout, or the open FILE.partial */
	char *error;              /* owned; set when the run failed */
};

static int run_result_fd(void *ctx, const struct job *job)
{
	const struct run_output *out = ctx;
	(void)job;
	return out->fd;
}

static int run_post_result(void *ctx, void *wstate, const struct job *job,
			   const struct report_result *res, const char *csv_path, char **cause)
{
	struct run_output *out = ctx;
	(void)wstate;
	(void)job;
	(void)csv_path;   /* NULL: the CSV went straight to out->fd */
	(void)cause;
	if (res->status != RUN_OK)
		out->error = xstrdup(res->error ? res->error : "the report failed");
	return 0;
}

/* A text for the person of `run`: only the bot's own word that a written
 * CSV could not be recorded in the history (bot/job-run.c), which fails
 * the run (exit 2, no -o file). */
static int run_post_text(void *ctx, void *wstate, const struct job *job, const char *text, char **cause)
{
	struct run_output *out = ctx;
	(void)wstate;
	(void)job;
	(void)cause;
	if (!out->error)
		out->error = markup_plain(text);
	return 0;
}

/* The thread that turns Ctrl-C and SIGTERM into pool_cancel; SIGUSR2 from
 * main ends it. The signals are blocked in every thread, so only this one
 * takes them (sigwait). */
struct run_interrupt {
	struct pool *pool;
	int64_t run_id;
	sigset_t sigs;
	pthread_t thread;
};

static void *interrupt_main(void *arg)
{
	struct run_interrupt *ri = arg;
	int sig;
	while (sigwait(&ri->sigs, &sig) == 0) {
		if (sig == SIGUSR2)
			break;   /* the run ended */
		pool_cancel(ri->pool, ri->run_id, NULL);
	}
	return NULL;
}

/* Dispatch cmd with its words, wait for the job to end (cancelling it on
 * Ctrl-C), stop the pool. Returns the exit code. */
static int run_job_to_end(struct app *app, struct catalog *cat, const struct command *cmd,
			  char **words, size_t nwords, struct run_output *out)
{
	char *cause = NULL;
	struct run_interrupt ri = { .run_id = 0 };

	/* Blocked before the pool starts, so its threads inherit the mask. */
	sigemptyset(&ri.sigs);
	sigaddset(&ri.sigs, SIGINT);
	sigaddset(&ri.sigs, SIGTERM);
	sigaddset(&ri.sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &ri.sigs, NULL);
	if (pool_start(&app->pool, app, 1, 1, &cause) < 0) {
		fprintf(stderr, "reportbot: %s\n", cause);
		free(cause);
		return EXIT_RUNTIME;
	}

	struct delivery d = { .ctx = out, .post_text = run_post_text, .post_result = run_post_result,
			      .result_fd = run_result_fd };
	struct dispatch_request req = { .user_id = "cli", .delivery = &d };
	struct dispatch_reply reply;
	memset(&reply, 0, sizeof(reply));
	dispatch_report(app, &req, cat, cmd, words, nwords, &reply);
	int ret = EXIT_OK;
	if (reply.mistake) {
		char *plain = markup_plain(reply.text);
		fprintf(stderr, "reportbot: %s\n", plain);
		free(plain);
		ret = EXIT_INPUT;
	} else {
		ri.pool = app->pool;
		ri.run_id = reply.run_id;
		bool watching = pthread_create(&ri.thread, NULL, interrupt_main, &ri) == 0;
		pool_wait_idle(app->pool);
		if (watching) {
			pthread_kill(ri.thread, SIGUSR2);
			pthread_join(ri.thread, NULL);
		}
		if (out->error) {
			fprintf(stderr, "reportbot: %s\n", out->error);
			ret = EXIT_RUNTIME;
		}
	}
	dispatch_reply_release(&reply);
	pool_stop(app->pool, 0);
	app->pool = NULL;
	return ret;
}

int program_run(const char *config, int argc, char **argv)
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
			return program_usage_error("run: unknown option '%s'; accepted: -o FILE", argv[i]);
		}
	}
	if (i >= argc)
		return program_usage_error("run: name the report to run, e.g. reportbot run monthly acme 2024-11");

	struct app app;
	log_set_quiet(true);
	int open_rc = program_open_app(&app, config, APP_NEED_HISTORY);
	if (open_rc)
		return open_rc;
	char *why = NULL;
	if (app_start_run_ids(&app, true, &why) < 0) {
		fprintf(stderr, "reportbot: %s\n", why);
		free(why);
		app_close(&app);
		return EXIT_RUNTIME;
	}

	int ret = EXIT_INPUT;
	char *tmp_path = NULL;
	struct run_output out = { .fd = STDOUT_FILENO };
	const char *name = argv[i];
	struct catalog *cat = app_catalog(&app);   /* run never reloads: this one to the end */
	const struct command *cmd = catalog_find(cat, name);
	if (!cmd) {
		/* Reports only: a built-in's name is no report here either. */
		const char *near = catalog_closest(cat, name, NULL, 0);
		fprintf(stderr, "reportbot: no report '%s' in %s/%s%s%s\n", name, app.cfg.commands_dir,
			near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
		goto out;
	}
	if (out_path) {
		tmp_path = xasprintf("%s.partial", out_path);
		out.fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out.fd < 0) {
			fprintf(stderr, "reportbot: cannot write %s: %s\n", tmp_path, strerror(errno));
			ret = EXIT_RUNTIME;
			goto out;
		}
	}
	ret = run_job_to_end(&app, cat, cmd, argv + i + 1, (size_t)(argc - i - 1), &out);
	if (out_path) {
		int fd = out.fd;
		out.fd = STDOUT_FILENO;
		if (close(fd) < 0 && ret == EXIT_OK) {
			fprintf(stderr, "reportbot: cannot write %s: %s\n", tmp_path, strerror(errno));
			ret = EXIT_RUNTIME;
		}
		if (ret != EXIT_OK) {
			unlink(tmp_path);
		} else if (rename(tmp_path, out_path) < 0) {
			fprintf(stderr, "reportbot: cannot rename %s to %s: %s\n", tmp_path, out_path,
				strerror(errno));
			unlink(tmp_path);
			ret = EXIT_RUNTIME;
		}
	}
out:
	catalog_put(cat);
	free(tmp_path);
	free(out.error);
	app_close(&app);
	return ret;
}
