/*
 * access-refresh.h: the thread that reads the members of every Slack user
 * group the config and the catalog name (usergroups.users.list, scope
 * usergroups:read) into the cache of bot/access.h, once at start and then
 * every [access] refresh_minutes. It is the only writer of the cache and
 * the only one that asks Slack; the network thread never waits on it.
 */
#ifndef ACCESS_REFRESH_H
#define ACCESS_REFRESH_H

#include "common.h"

struct app;
struct access_refresh;

/*
 * Read every user group once, on the calling thread (a group Slack refuses
 * is logged and names nobody until a later read works), then start the
 * thread. Nothing to read: *out is NULL and no thread starts. The
 * environment knob REPORTBOT_ACCESS_REFRESH_MS (tests) overrides the period.
 */
int access_refresh_start(struct access_refresh **out, struct app *app, char **cause);
/* Stop the thread at once and free. NULL ok. */
void access_refresh_stop(struct access_refresh *r);

#endif
