/*
 * access-refresh.c: the user-group refresher of bot/access-refresh.h.
 */
#include "common.h"
#include "bot/access-refresh.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "bot/access.h"
#include "bot/app.h"
#include "bot/slack-api.h"
#include "common/env.h"
#include "common/log.h"

struct access_refresh {
	struct app *app;                /* borrowed */
	struct slack_api *api;          /* owned; used by one thread at a time */
	struct strlist usergroups;      /* the S… ids to read */
	int64_t period_ms;
	pthread_t thread;
	pthread_mutex_t lock;           /* guards stop, with wake */
	pthread_cond_t wake;
	bool stop;
	atomic_int stop_flag;           /* ends a Slack call in progress */
};

/* One round: every user group read; a failure keeps what was known. */
static void read_all(struct access_refresh *r)
{
	for (size_t i = 0; i < r->usergroups.n && !atomic_load(&r->stop_flag); i++) {
		const char *id = r->usergroups.v[i];
		struct strlist users;
		char *cause = NULL;
		strlist_init(&users);
		if (slack_usergroup_members(r->api, r->app->cfg.bot_token, id, &users, &cause) < 0) {
			log_warn("access: cannot read the members of Slack user group %s: %s (the bot "
				 "needs the usergroups:read scope; docs/slack.md)", id, cause);
			free(cause);
			continue;
		}
		access_set_members(r->app->access, id, users.v, users.n);
		log_debug("access: user group %s has %zu member%s", id, users.n, users.n == 1 ? "" : "s");
		strlist_release(&users);
	}
}

static void *refresh_main(void *arg)
{
	struct access_refresh *r = arg;
	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		int64_t ns = until.tv_nsec + (r->period_ms % 1000) * 1000000;
		until.tv_sec += r->period_ms / 1000 + ns / 1000000000;
		until.tv_nsec = ns % 1000000000;
		while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
			;
		if (r->stop)
			break;
		pthread_mutex_unlock(&r->lock);
		read_all(r);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int access_refresh_start(struct access_refresh **out, struct app *app, char **cause)
{
	*out = NULL;
	struct access_refresh *r = xcalloc(1, sizeof(*r));
	r->app = app;
	strlist_init(&r->usergroups);
	struct catalog *cat = app_catalog(app);
	access_usergroups(app->access, cat, &r->usergroups);
	catalog_put(cat);
	if (!r->usergroups.n) {
		strlist_release(&r->usergroups);
		free(r);
		return 0;
	}
	if (slack_api_new(&r->api, app->cfg.api_url, cause) < 0) {
		strlist_release(&r->usergroups);
		free(r);
		return -1;
	}
	atomic_init(&r->stop_flag, 0);
	slack_api_set_stop(r->api, &r->stop_flag);
	r->period_ms = env_number_or("REPORTBOT_ACCESS_REFRESH_MS", 100, 86400000LL,
				     (long long)app->cfg.access_refresh_minutes * 60000);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	read_all(r);
	log_info("access: %zu Slack user group%s read; read again every %lld s", r->usergroups.n,
		 r->usergroups.n == 1 ? "" : "s", (long long)(r->period_ms / 1000));
	if (pthread_create(&r->thread, NULL, refresh_main, r) != 0) {
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->wake);
		slack_api_free(r->api);
		strlist_release(&r->usergroups);
		free(r);
		return fail(cause, "cannot start the user-group refresher thread");
	}
	*out = r;
	return 0;
}

void access_refresh_stop(struct access_refresh *r)
{
	if (!r)
		return;
	atomic_store(&r->stop_flag, 1);
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	slack_api_free(r->api);
	strlist_release(&r->usergroups);
	free(r);
}
