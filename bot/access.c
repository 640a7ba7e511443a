/*
 * access.c: the one rule of who may run, see and stop what (bot/access.h),
 * and the cache of Slack user-group members it reads.
 */
#include "common.h"
#include "bot/access.h"

#include <pthread.h>

#include "common/log.h"
#include "common/markup.h"
#include "common/strbuf.h"

/* One Slack user group as last read. */
struct usergroup {
	char *id;                    /* owned, "S…" */
	struct strlist users;        /* owned */
};

/* The members of every user group read so far; the lock guards all of it. */
struct usergroup_cache {
	pthread_mutex_t lock;
	struct usergroup *groups;
	size_t n;
};

struct access {
	const struct config *cfg;        /* borrowed */
	struct usergroup_cache *cache;   /* owned; a pointer so readers of a
	                                  * const struct access may lock it */
};

struct access *access_new(const struct config *cfg)
{
	struct access *a = xcalloc(1, sizeof(*a));
	a->cfg = cfg;
	a->cache = xcalloc(1, sizeof(*a->cache));
	pthread_mutex_init(&a->cache->lock, NULL);
	if (cfg->nschedule_admins)
		log_warn("%s: [scheduler] admins is deprecated: its %zu id%s now count as members of the "
			 "group `" ACCESS_ADMINS "`; move them to [access.groups] " ACCESS_ADMINS " = [...] "
			 "(docs/config.md)", cfg->path, cfg->nschedule_admins,
			 cfg->nschedule_admins == 1 ? "" : "s");
	return a;
}

void access_free(struct access *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->cache->n; i++) {
		free(a->cache->groups[i].id);
		strlist_release(&a->cache->groups[i].users);
	}
	free(a->cache->groups);
	pthread_mutex_destroy(&a->cache->lock);
	free(a->cache);
	free(a);
}

bool access_is_person(const char *user)
{
	return user && (user[0] == 'U' || user[0] == 'W') && user[1];
}

static bool is_usergroup_id(const char *s)
{
	return s[0] == 'S';   /* group names start lowercase (bot/config.c) */
}

static bool is_group_name(const char *s)
{
	return s[0] >= 'a' && s[0] <= 'z';
}

bool access_in_usergroup(const struct access *a, const char *usergroup, const char *user)
{
	bool in = false;
	pthread_mutex_lock(&a->cache->lock);
	for (size_t i = 0; i < a->cache->n && !in; i++) {
		const struct usergroup *g = &a->cache->groups[i];
		if (strcmp(g->id, usergroup) != 0)
			continue;
		for (size_t k = 0; k < g->users.n && !in; k++)
			in = strcmp(g->users.v[k], user) == 0;
	}
	pthread_mutex_unlock(&a->cache->lock);
	return in;
}

void access_set_members(struct access *a, const char *usergroup, char *const *users, size_t n)
{
	pthread_mutex_lock(&a->cache->lock);
	struct usergroup *g = NULL;
	for (size_t i = 0; i < a->cache->n && !g; i++)
		if (strcmp(a->cache->groups[i].id, usergroup) == 0)
			g = &a->cache->groups[i];
	if (!g) {
		a->cache->groups = xrealloc(a->cache->groups, (a->cache->n + 1) * sizeof(*a->cache->groups));
		g = &a->cache->groups[a->cache->n++];
		g->id = xstrdup(usergroup);
		strlist_init(&g->users);
	}
	strlist_release(&g->users);
	strlist_init(&g->users);
	for (size_t i = 0; i < n; i++)
		strlist_push(&g->users, xstrdup(users[i]));
	pthread_mutex_unlock(&a->cache->lock);
}

/* Is user named by ID (a user id, or a user group id)? */
static bool id_names(const struct access *a, const char *id, const char *user)
{
	if (is_usergroup_id(id))
		return access_in_usergroup(a, id, user);
	return strcmp(id, user) == 0;
}

/* Is user in the group NAME of [access.groups]? ("admins" also holds the
 * deprecated [scheduler] admins.) An unknown group names nobody. */
static bool in_group(const struct access *a, const char *name, const char *user)
{
	const struct access_group *g = config_find_group(a->cfg, name);
	for (size_t i = 0; g && i < g->nids; i++)
		if (id_names(a, g->ids[i], user))
			return true;
	if (strcmp(name, ACCESS_ADMINS) == 0)
		for (size_t i = 0; i < a->cfg->nschedule_admins; i++)
			if (id_names(a, a->cfg->schedule_admins[i], user))
				return true;
	return false;
}

bool access_is_admin(const struct access *a, const char *user)
{
	if (!access_is_person(user))
		return true;
	return a && in_group(a, ACCESS_ADMINS, user);
}

/* Does cmd's allow: name user? */
static bool allowed(const struct access *a, const struct command *cmd, const char *user)
{
	if (!cmd->nallow || !access_is_person(user))
		return true;
	for (size_t i = 0; i < cmd->nallow; i++) {
		const char *e = cmd->allow[i];
		if (is_group_name(e) ? in_group(a, e, user) : id_names(a, e, user))
			return true;
	}
	return false;
}

static bool channel_allowed(const struct command *cmd, const char *channel)
{
	if (!cmd->nchannels || !channel)
		return true;
	for (size_t i = 0; i < cmd->nchannels; i++)
		if (strcmp(cmd->channels[i], channel) == 0)
			return true;
	return false;
}

bool access_may_run(const struct access *a, const struct command *cmd, const char *user,
		    const char *channel, char **why)
{
	if (a && !allowed(a, cmd, user)) {
		if (why)
			*why = xasprintf("You may not run `%s`; an admin can add you to its `allow:` list.",
					 cmd->name);
		return false;
	}
	if (!channel_allowed(cmd, channel)) {
		if (why) {
			struct strbuf sb;
			strbuf_init(&sb);
			strbuf_addf(&sb, "%s can only be run in ", cmd->name);
			for (size_t i = 0; i < cmd->nchannels; i++) {
				strbuf_adds(&sb, i ? (i + 1 == cmd->nchannels ? " or " : ", ") : "");
				markup_add_channel(&sb, cmd->channels[i]);
			}
			strbuf_adds(&sb, "; run it there");
			*why = strbuf_detach(&sb);
		}
		return false;
	}
	return true;
}

static void push_once(struct strlist *out, const char *s)
{
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i], s) == 0)
			return;
	strlist_push(out, xstrdup(s));
}

void access_usergroups(const struct access *a, const struct catalog *cat, struct strlist *out)
{
	const struct config *cfg = a->cfg;
	for (size_t i = 0; i < cfg->naccess_groups; i++)
		for (size_t k = 0; k < cfg->access_groups[i].nids; k++)
			if (is_usergroup_id(cfg->access_groups[i].ids[k]))
				push_once(out, cfg->access_groups[i].ids[k]);
	for (size_t i = 0; i < cfg->nschedule_admins; i++)
		if (is_usergroup_id(cfg->schedule_admins[i]))
			push_once(out, cfg->schedule_admins[i]);
	for (size_t i = 0; cat && i < cat->n; i++)
		for (size_t k = 0; k < cat->cmds[i].nallow; k++)
			if (is_usergroup_id(cat->cmds[i].allow[k]))
				push_once(out, cat->cmds[i].allow[k]);
}

void access_check_catalog(const struct config *cfg, struct catalog *cat, struct strlist *faults)
{
	for (size_t i = 0; i < cat->n;) {
		struct command *cmd = &cat->cmds[i];
		bool bad = false;
		for (size_t k = 0; k < cmd->nallow; k++) {
			if (!is_group_name(cmd->allow[k]) || config_find_group(cfg, cmd->allow[k]))
				continue;
			const char *names[32];
			size_t n = 0;
			for (size_t g = 0; g < cfg->naccess_groups && n < ARRAY_SIZE(names); g++)
				names[n++] = cfg->access_groups[g].name;
			struct strbuf list;
			strbuf_init(&list);
			for (size_t g = 0; g < n; g++)
				strbuf_addf(&list, "%s%s", g ? ", " : "", names[g]);
			strlist_pushf(faults, "%s:%d: allow names the group '%s', which is not in "
				      "[access.groups] of %s; accepted: %s", cmd->path, cmd->allow_line,
				      cmd->allow[k], cfg->path,
				      n ? list.buf : "a group defined there, or ids like U0123456789");
			strbuf_release(&list);
			bad = true;
		}
		if (!bad) {
			i++;
			continue;
		}
		command_release(cmd);
		memmove(cmd, cmd + 1, (cat->n - i - 1) * sizeof(*cmd));
		cat->n--;
	}
}
