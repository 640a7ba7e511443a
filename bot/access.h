/*
 * access.h: who may run, see and stop what. The one rule every entry point
 * asks (typed command, schedule add, buttons, forms, rerun, cancel, history,
 * help, schedules), so they cannot disagree.
 *
 * People are named in [access.groups] of the config (docs/config.md) by
 * Slack user id (U…, W…) or Slack user group id (S…); a command's
 * `-- allow:` lists group names and ids. The members of each Slack user
 * group live in a cache inside struct access, behind its own lock: a
 * refresher thread (bot/access-refresh.h) writes it, every other thread
 * only reads it, never with a network call.
 *
 * Rules:
 *  - a "person" is a Slack user id (U…, W…). Anything else ("console",
 *    "cli", "scheduler") is the process itself or the operator at its
 *    terminal, who holds the config and the database: allowed everything,
 *    an admin;
 *  - a person may run a report when its allow: is empty or names them
 *    (directly, through a group, or through a Slack user group), and the
 *    channel is one of its channels: (when it has any);
 *  - a person is an admin when the group `admins` names them (the
 *    deprecated [scheduler] admins are read into it).
 */
#ifndef ACCESS_H
#define ACCESS_H

#include "common.h"
#include "bot/config.h"
#include "commands/catalog.h"

#define ACCESS_ADMINS "admins"      /* the group whose people are admins */

struct access;

/* Build the rule for cfg (borrowed; must outlive *out). Logs a note when
 * the deprecated [scheduler] admins is set. Never fails. */
struct access *access_new(const struct config *cfg);
void access_free(struct access *a);      /* NULL ok */

/* Leave out of cat every command whose allow: names a group that is not
 * in [access.groups] (fail closed), each with a fault "PATH:LINE: …" in
 * faults, like the faults of the catalog itself (`reportbot check`). */
void access_check_catalog(const struct config *cfg, struct catalog *cat, struct strlist *faults);

/* A Slack person (U…, W…), not the process or its operator. */
bool access_is_person(const char *user);

bool access_is_admin(const struct access *a, const char *user);

/* May user run cmd in channel (NULL: outside Slack)? When not, and why is
 * not NULL, *why (caller frees) says so for the person: "not here, run it
 * in <#C…>" when only the channel is wrong, and no detail at all about a
 * report the person may not run anywhere. */
bool access_may_run(const struct access *a, const struct command *cmd, const char *user,
		    const char *channel, char **why);

/* ---- the Slack user-group cache ---- */

/* Every user group id (S…) the config and the catalog name, each once,
 * pushed to out: what the refresher reads. */
void access_usergroups(const struct access *a, const struct catalog *cat, struct strlist *out);

/* Replace what is known of user group usergroup: its members users[0..n). */
void access_set_members(struct access *a, const char *usergroup, char *const *users, size_t n);

/* Whether user is a member of usergroup as last read; false while unread. */
bool access_in_usergroup(const struct access *a, const char *usergroup, const char *user);

#endif
