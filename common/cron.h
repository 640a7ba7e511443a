/*
 * cron.h: cron expressions and their next fire time. I/O-free: parsing
 * touches nothing outside its arguments; cron_next reads only the process
 * time zone (TZ, applied once by main from bot.timezone).
 *
 * Syntax: five fields separated by blanks,
 *     minute (0-59) hour (0-23) day-of-month (1-31) month (1-12)
 *     day-of-week (0-7, 0 and 7 are Sunday)
 * each a comma-separated list of items: `*`, `N`, `A-B`, `*`/S, `A-B/S`
 * and `N/S` (N to the field's end in steps of S). Months take JAN..DEC and
 * days of the week SUN..SAT, case-insensitive, anywhere a number goes.
 * A range never wraps around (FRI-MON is an error: write FRI-SAT,SUN-MON),
 * except that a day-of-week range may end on Sunday written 0 or SUN
 * (FRI-SUN means FRI-SAT,SUN). Steps are 1 to the field's maximum.
 * Or one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly,
 * @annually.
 *
 * Day matching (Vixie cron): when both day-of-month and day-of-week are
 * restricted, a day matches if EITHER matches; when one of them starts
 * with `*` (so `*` or `*`/2), a day must match both. "0 9 1 * MON" fires on
 * the 1st and on every Monday; "0 9 * * MON" only on Mondays.
 *
 * Daylight saving (see docs/schedules.md):
 *   - a local time skipped by a spring-forward gap fires once, at the
 *     first instant after the gap (02:30 on the spring-forward day in
 *     America/New_York fires at 03:00 EDT); several skipped times all
 *     collapse into that one fire;
 *   - a local time that occurs twice in a fall-back fires once, at its
 *     first occurrence (01:30 EDT, not 01:30 EST).
 */
#ifndef CRON_H
#define CRON_H

#include <time.h>

#include "common.h"

struct cron {
	uint64_t minutes;    /* bit m set: minute m (0-59) */
	uint32_t hours;      /* bit h: hour h (0-23) */
	uint32_t mdays;      /* bit d: day of month d (1-31) */
	uint16_t months;     /* bit m: month m (1-12) */
	uint8_t wdays;       /* bit d: weekday d (0-6, Sunday 0) */
	bool mday_star;      /* the day-of-month field started with '*' */
	bool wday_star;      /* the day-of-week field started with '*' */
};

/*
 * Parse TEXT into *c. On error returns -1 with *cause naming the field,
 * the value and what is accepted, e.g.
 *   "cron: hour '25' is out of range 0-23 in '0 25 * * *'".
 * Expressions that can never fire (e.g. "0 0 31 2 *") are rejected.
 */
int cron_parse(struct cron *c, const char *text, char **cause);

/*
 * The first fire strictly after AFTER, in the process time zone, into
 * *next. Returns 0, or -1 when there is none within fifty years or AFTER is
 * outside the range localtime_r can represent. (Every expression
 * cron_parse accepts fires within that horizon: the rarest, a Feb 29 that
 * must also be a given weekday, recurs within 40 years.)
 */
int cron_next(const struct cron *c, time_t after, time_t *next);

#endif
