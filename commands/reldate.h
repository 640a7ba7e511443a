/*
 * reldate.h: calendar dates and months as people type them.
 *
 * Pure functions: "now" is always a parameter, and the relative words
 * (today, yesterday, this, last) are resolved with localtime_r in the
 * process time zone (TZ), so tests can set TZ and pick the instant.
 * Years run 1..9999; the month after 9999-12 is 10000-01.
 */
#ifndef RELDATE_H
#define RELDATE_H

#include <time.h>

#include "common.h"

struct reldate {
	int year;
	int month;   /* 1..12 */
	int day;     /* 1..31 */
};

enum reldate_result {
	RELDATE_OK = 0,
	RELDATE_ESYNTAX = -1,    /* not YYYY-MM-DD / YYYY-MM / a known word */
	RELDATE_ECALENDAR = -2,  /* right shape, no such day or month (2024-02-30, 2024-13) */
	RELDATE_ECLOCK = -3,     /* localtime_r failed for now */
};

/* Buffer size for reldate_format_date / reldate_format_month. */
#define RELDATE_BUFSZ 16

bool reldate_is_leap(int year);
int reldate_days_in_month(int year, int month);   /* 0 for a bad month */

/* The local calendar day of now. */
enum reldate_result reldate_today(time_t now, struct reldate *out);

/* Move d by n days / months by n months, across month and year ends. */
void reldate_add_days(struct reldate *d, int n);
void reldate_add_months(int *year, int *month, int n);

/*
 * "YYYY-MM-DD" (a real calendar date), "today" or "yesterday"; the words
 * are case-insensitive. out is set only on RELDATE_OK.
 */
enum reldate_result reldate_parse_date(const char *s, time_t now, struct reldate *out);

/* "YYYY-MM", "this" or "last" (case-insensitive). */
enum reldate_result reldate_parse_month(const char *s, time_t now, int *year, int *month);

/* "2024-11-03" and "2024-11" into buf (RELDATE_BUFSZ bytes). */
void reldate_format_date(const struct reldate *d, char *buf);
void reldate_format_month(int year, int month, char *buf);

/* The half-open range of a month: first day, and first day of the next. */
void reldate_month_range(int year, int month, char *start, char *end);

#endif
