/*
 * timezone.h: the process time zone (bot.timezone), checked against tzdata.
 *
 * A zone name is accepted when it is a relative path of letters, digits and
 * "_+-/" naming a TZif file under $TZDIR (default /usr/share/zoneinfo);
 * names with ".." or a leading '/' are refused. "UTC" is always accepted.
 */
#ifndef TIMEZONE_H
#define TIMEZONE_H

#include "common.h"

/* 0 when NAME is a known zone, else -1 with *cause naming it. No side effects. */
int timezone_check(const char *name, char **cause);

/*
 * Check NAME, then make it the process zone (setenv TZ + tzset) so that
 * localtime_r and mktime work in it. main calls this once, after loading
 * the config and before any thread starts: setenv is not thread-safe.
 */
int timezone_apply(const char *name, char **cause);

#endif
