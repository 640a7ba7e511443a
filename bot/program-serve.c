/*
 * program-serve.c: `reportbot serve`, the process around the Socket Mode loop.
 *
 * Threads: this one runs the lws loop (the network thread); the pool's
 * workers run reports and deliver through their own curl handles; the
 * socket's opener fetches connection URLs; the catalog watcher reloads
 * commands/ when it changes (bot/catalog-watch.h); a signal thread turns
 * SIGTERM/SIGINT into slack_socket_stop and SIGHUP into a reload at once.
 * The signals are blocked in every thread (the mask is set before any
 * thread starts) and taken by sigwait.
 *
 * One serve per data_dir: serve holds an flock on data_dir/serve.lock for
 * its whole life, with its pid and start time written in the file. A
 * second serve finds the lock taken and refuses, naming the first; the
 * kernel drops the lock when its holder dies, however it dies, so a crash
 * cannot leave it stale. `run` and `console` do not take it: they may
 * share the data_dir (their run ids come from the history itself).
 */
#include "common.h"
#include "bot/program-serve.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "bot/access-refresh.h"
#include "bot/builtin.h"
#include "bot/catalog-watch.h"
#include "bot/dispatch.h"
#include "bot/interrupted.h"
#include "common/log.h"
#include "bot/schedule-service.h"
#include "bot/job-pool.h"
#include "bot/program.h"
#include "bot/slack-actions.h"
#include "bot/slack-api.h"
#include "bot/slack-delivery.h"
#include "bot/slack-forms.h"
#include "bot/slack-socket.h"

enum { SERVE_OK = 0, SERVE_CONFIG = 1, SERVE_RUNTIME = 2 };

struct serve {
	struct app *app;
	struct slack_delivery sd;
	struct interrupted_delivery idl;  /* tells the runs a crash cut short */
	struct slack_socket *sock;
	struct access_refresh *refresh;   /* Slack user groups, read on their own thread */
	struct slack_forms *forms;        /* the report form's own thread (bot/slack-forms.h) */
	struct catalog_watch *watch;      /* reloads commands/ when it changes */
	pthread_t sigthread;
	sigset_t sigs;
	atomic_int quit_sigthread;
};

/* A button clicked (block_actions), on the network thread: through
 * dispatch_action, with the same checks as a typed command; the ack of a
 * click carries nothing (dispatch queues what the person must hear).
 * view_submission and view_closed are acknowledged and left alone. */
static char *serve_on_interaction(struct serve *sv, const struct slack_frame *f)
{
	const struct slack_interaction *in = f->interaction;
	if (strcmp(f->interactive_type, "block_actions") != 0) {
		log_info("slack: %s from %s acknowledged; reportbot opens no forms yet", f->interactive_type,
			 f->user_id);
		return NULL;
	}
	int64_t run_id;
	if (sv->forms && f->trigger_id && *f->trigger_id && !strcmp(in->action_id, SLACK_ACTION_EDIT) &&
	    in->value && builtin_parse_run_id(in->value, &run_id) == 0) {
		/* "Change arguments": the report's form, filled with that run's
		 * arguments; the form thread reads the run and checks the person */
		slack_forms_open_run(sv->forms, f->trigger_id, f->user_id, f->channel_id, f->response_url,
				     run_id);
		log_info("slack: button %s (%s) from %s: a form", in->action_id, in->value, f->user_id);
		return NULL;
	}
	struct dispatch_request req = {
		.user_id = f->user_id,
		.channel_id = f->channel_id,
		.response_url = f->response_url,
		.replace_original = in->is_ephemeral,   /* our own ephemeral: replace it */
		.delivery = &sv->sd.delivery,
	};
	struct dispatch_reply reply;
	int64_t t0 = now_ms_monotonic();
	dispatch_action(sv->app, &req, in->action_id, in->value, &reply);
	log_info("slack: button %s (%s) from %s in %s: %s (%lld ms)", in->action_id,
		 in->value ? in->value : "", f->user_id, f->channel_id ? f->channel_id : "-",
		 reply.mistake ? "refused, told" : "done", (long long)(now_ms_monotonic() - t0));
	dispatch_reply_release(&reply);
	return NULL;
}

/* On the network thread, before the ack: parse, validate, queue. */
static char *serve_on_envelope(void *ctx, const struct slack_frame *f, char **blocks)
{
	struct serve *sv = ctx;
	if (f->type == SLACK_FRAME_INTERACTIVE)
		return serve_on_interaction(sv, f);
	const char *slash = sv->app->cfg.command;
	if (f->command && slash && strcmp(f->command, slash) != 0)
		return xasprintf("reportbot answers %s, not %s", slash, f->command);
	char *typed = slack_text_unescape(f->text ? f->text : "");
	struct dispatch_request req = {
		.text = typed,
		.user_id = f->user_id,
		.channel_id = f->channel_id,
		.response_url = f->response_url,
		.replace_original = true,   /* the ack is the message a run's end replaces */
		.delivery = &sv->sd.delivery,
		.forms = sv->forms && f->trigger_id && *f->trigger_id,
	};
	struct dispatch_reply reply;
	memset(&reply, 0, sizeof(reply));
	int64_t t0 = now_ms_monotonic();
	dispatch_line(sv->app, &req, &reply);
	if (reply.open_form) {
		/* acked at once without text; the form thread calls views.open */
		slack_forms_open(sv->forms, f->trigger_id, f->user_id, f->channel_id, f->response_url,
				 reply.form_report, NULL);
		log_info("slack: %s from %s in %s: a form (%lld ms)", f->command, f->user_id, f->channel_id,
			 (long long)(now_ms_monotonic() - t0));
	} else if (reply.run_id > 0)
		log_info("slack: %s from %s in %s: queued run %lld (%lld ms)", f->command, f->user_id,
			 f->channel_id, (long long)reply.run_id, (long long)(now_ms_monotonic() - t0));
	else
		log_info("slack: %s from %s in %s: %s (%lld ms)", f->command, f->user_id, f->channel_id,
			 reply.mistake ? "a mistake, explained" : "answered", (long long)(now_ms_monotonic() - t0));
	char *text = reply.text;
	reply.text = NULL;
	if (reply.run_id > 0 && text)
		*blocks = slack_actions_running(text, reply.run_id);   /* with "Cancel" */
	dispatch_reply_release(&reply);
	free(typed);
	return text;
}

/* On the network thread, before the ack: the report form's envelopes. */
static char *serve_on_interactive(void *ctx, const struct slack_frame *f, const char *data, size_t len)
{
	struct serve *sv = ctx;
	(void)f;
	return sv->forms ? slack_forms_interaction(sv->forms, data, len) : NULL;
}

static void *signal_main(void *arg)
{
	struct serve *sv = arg;
	for (;;) {
		int sig = 0;
		if (sigwait(&sv->sigs, &sig) != 0)
			continue;
		if (atomic_load(&sv->quit_sigthread))
			break;
		if (sig == SIGHUP) {
			log_info("got SIGHUP: re-reading %s/", sv->app->cfg.commands_dir);
			catalog_watch_now(sv->watch);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("got %s: finishing running reports (up to %d s) and closing the connection",
				 sig == SIGTERM ? "SIGTERM" : "SIGINT", sv->app->cfg.shutdown_grace);
			/* Queued reports never start; running ones get the grace. */
			pool_quiesce(sv->app->pool);
			slack_socket_stop(sv->sock);
		}
	}
	return NULL;
}

/* A command file became broken: the admins hear it in [scheduler]
 * alert_channel, through a worker (a notice job); without an alert
 * channel the log line the watcher wrote is all. */
static void serve_tell_admins(void *ctx, const char *text)
{
	struct serve *sv = ctx;
	const char *alert = sv->app->cfg.alert_channel;
	if (!alert || !*alert)
		return;
	struct job *job = job_new(JOB_NOTICE);
	job->channel_id = xstrdup(alert);
	job->user_id = xstrdup("reportbot");   /* not a person: posted in the channel */
	job->delivery = &sv->sd.delivery;
	job->args_shown = xstrdup(text);
	if (!sv->app->pool || pool_submit(sv->app->pool, job, NULL) < 0) {
		log_warn("commands: the alert for %s was not posted: the queue did not take it", alert);
		job_free(job);
	}
}

/* auth.test with the bot token: a bad token is a clear startup error. */
static int check_bot_token(struct app *app, char **cause)
{
	struct slack_api *api = NULL;
	if (slack_api_new(&api, app->cfg.api_url, cause) < 0)
		return SERVE_RUNTIME;
	struct slack_response r;
	char *err = NULL;
	int ret = SERVE_OK;
	if (slack_auth_test(api, app->cfg.bot_token, &r, &err) < 0) {
		const char *code = slack_api_last_error(api);
		/* a failure to reach Slack names the method already */
		const char *method = strncmp(err, "auth.test:", 10) ? "auth.test: " : "";
		if (slack_error_is_auth(code)) {
			fail(cause, "%s%s (check SLACK_BOT_TOKEN: the bot's xoxb- token)", method, err);
			ret = SERVE_CONFIG;
		} else {
			fail(cause, "%s%s", method, err);
			ret = SERVE_RUNTIME;
		}
		free(err);
	} else {
		log_info("slack: signed in as %s (%s) in %s", r.user ? r.user : "?", r.user_id ? r.user_id : "?",
			 r.team ? r.team : "?");
		slack_response_release(&r);
	}
	slack_api_free(api);
	return ret;
}

int serve_run(struct app *app, char **cause)
{
	const struct config *cfg = &app->cfg;
	if (!cfg->bot_token || !*cfg->bot_token) {
		fail(cause, "no bot token: set SLACK_BOT_TOKEN (xoxb-...) or slack.bot_token in %s", cfg->path);
		return SERVE_CONFIG;
	}
	if (!cfg->app_token || !*cfg->app_token) {
		fail(cause, "no app-level token: set SLACK_APP_TOKEN (xapp-...) or slack.app_token in %s", cfg->path);
		return SERVE_CONFIG;
	}

	struct serve sv;
	memset(&sv, 0, sizeof(sv));
	sv.app = app;
	atomic_init(&sv.quit_sigthread, 0);
	slack_delivery_init(&sv.sd, cfg);

	/* Block the stop signals in this thread before any other starts, so
	 * every thread inherits the mask and only sigwait sees them. */
	sigset_t old;
	sigemptyset(&sv.sigs);
	sigaddset(&sv.sigs, SIGTERM);
	sigaddset(&sv.sigs, SIGINT);
	sigaddset(&sv.sigs, SIGHUP);    /* re-read commands/ now */
	sigaddset(&sv.sigs, SIGUSR2);   /* wakes the signal thread to end it */
	pthread_sigmask(SIG_BLOCK, &sv.sigs, &old);
	signal(SIGPIPE, SIG_IGN);

	int ret = SERVE_OK;
	bool sigthread = false;
	if (slack_api_global_init(cause) < 0) {
		ret = SERVE_RUNTIME;
		goto out;
	}
	ret = check_bot_token(app, cause);
	if (ret != SERVE_OK)
		goto out;
	/* Who is in which Slack user group, before the first command. */
	if (access_refresh_start(&sv.refresh, app, cause) < 0) {
		ret = SERVE_RUNTIME;
		goto out;
	}

	struct slack_socket_options opt;
	memset(&opt, 0, sizeof(opt));
	slack_socket_options_from_env(&opt);
	opt.api_url = cfg->api_url;
	opt.app_token = cfg->app_token;
	struct slack_socket_handler handler = { .ctx = &sv, .on_envelope = serve_on_envelope,
						.on_interactive = serve_on_interactive };
	if (slack_socket_new(&sv.sock, &opt, &handler, cause) < 0) {
		ret = SERVE_RUNTIME;
		goto out;
	}
	if (!app->pool && pool_start(&app->pool, app, cfg->workers, cfg->queue_size, cause) < 0) {
		ret = SERVE_RUNTIME;
		goto out;
	}
	if (slack_forms_start(&sv.forms, app, &sv.sd.delivery, cause) < 0) {
		ret = SERVE_RUNTIME;
		goto out;
	}
	/* Runs a crash cut short are told where they were asked, by the
	 * workers, before the timer retries a cut scheduled run. */
	interrupted_delivery_init(&sv.idl, app, &sv.sd.delivery);
	char *why = NULL;
	if (interrupted_announce(&sv.idl, &why) < 0) {
		log_error("cannot tell the interrupted runs: %s", why);
		free(why);
	}
	/* Scheduled reports feed the same queue, through the same delivery. */
	if (schedules_start(app, &sv.sd.delivery, true, cause) < 0) {
		ret = SERVE_CONFIG;
		goto out;
	}
	/* A changed command file is served without a restart. */
	if (catalog_watch_start(&sv.watch, app, serve_tell_admins, &sv, cause) < 0) {
		ret = SERVE_RUNTIME;
		goto out;
	}
	if (pthread_create(&sv.sigthread, NULL, signal_main, &sv) != 0) {
		fail(cause, "cannot start the signal thread");
		ret = SERVE_RUNTIME;
		goto out;
	}
	sigthread = true;
	log_info("serving %s with %d workers (Ctrl-C or SIGTERM stops)", cfg->command, cfg->workers);

	ret = slack_socket_run(sv.sock, cause);

out:
	catalog_watch_stop(sv.watch);   /* no reload, no alert after this */
	sv.watch = NULL;
	/* No new fires; running scheduled jobs still record their outcome. */
	schedules_stop_firing(app);
	if (app->pool) {
		log_info("waiting up to %d s for running reports", cfg->shutdown_grace);
		pool_stop(app->pool, (int64_t)cfg->shutdown_grace * 1000);
		app->pool = NULL;
	}
	schedules_stop(app);
	if (sigthread) {
		atomic_store(&sv.quit_sigthread, 1);
		pthread_kill(sv.sigthread, SIGUSR2);
		pthread_join(sv.sigthread, NULL);
	}
	if (sv.sock) {
		struct slack_socket_stats st;
		slack_socket_stats(sv.sock, &st);
		log_info("slack: %ld connection%s, %ld envelopes (%ld duplicates)", st.connects,
			 st.connects == 1 ? "" : "s", st.envelopes, st.duplicates);
	}
	slack_forms_stop(sv.forms);
	slack_socket_free(sv.sock);
	access_refresh_stop(sv.refresh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret == SERVE_OK)
		log_info("stopped cleanly");
	return ret;
}

/* Take data_dir/serve.lock for this process's life: 0 with *fd (close it
 * to let go), or -1 with *cause naming the serve that holds it. */
static int serve_lock_data_dir(const struct config *cfg, int *fd, char **cause)
{
	char *path = xasprintf("%s/serve.lock", cfg->data_dir);
	int ret = -1;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (*fd < 0) {
		fail(cause, "cannot open the lock file '%s': %s", path, strerror(errno));
		goto out;
	}
	int r;
	while ((r = flock(*fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		int err = errno;
		char holder[200] = "";
		ssize_t n = err == EWOULDBLOCK ? pread(*fd, holder, sizeof(holder) - 1, 0) : -1;
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		if (err == EWOULDBLOCK)
			fail(cause, "another reportbot serve is running on data_dir '%s' (%s; it holds %s); "
			     "stop it first, or give this one its own data_dir", cfg->data_dir,
			     *holder ? holder : "its pid is not written yet", path);
		else
			fail(cause, "cannot lock '%s': %s", path, strerror(err));
		close(*fd);
		*fd = -1;
		goto out;
	}
	char started[64];
	local_time_text(time(NULL), "%Y-%m-%d %H:%M:%S %z", started, sizeof(started));
	char *text = xasprintf("pid %ld, started %s\n", (long)getpid(), started);
	size_t len = strlen(text);
	if (ftruncate(*fd, 0) < 0 || pwrite(*fd, text, len, 0) != (ssize_t)len)
		log_warn("cannot write the pid into '%s': %s", path, strerror(errno));   /* the lock holds */
	free(text);
	ret = 0;
out:
	free(path);
	return ret;
}

int program_serve(const char *config, int argc, char **argv)
{
	struct app app;
	char *cause = NULL;
	int lock_fd = -1;
	int ret;

	(void)argc;   /* main's table gives serve no arguments */
	(void)argv;
	int open_rc = program_open_app(&app, config, APP_NEED_HISTORY);
	if (open_rc)
		return open_rc;
	/* The lock first: a refused serve sets no run ids aside. */
	if (serve_lock_data_dir(&app.cfg, &lock_fd, &cause) < 0 || app_start_run_ids(&app, false, &cause) < 0)
		ret = EXIT_RUNTIME;
	else
		ret = serve_run(&app, &cause);
	if (cause) {
		log_error("%s", cause);
		free(cause);
	}
	app_close(&app);
	if (lock_fd >= 0)
		close(lock_fd);   /* after app_close: the unused ids are gone first */
	return ret;
}
