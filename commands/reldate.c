#include "common.h"
#include "commands/reldate.h"

#include <strings.h>

bool reldate_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int reldate_days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && reldate_is_leap(year))
		return 29;
	return days[month - 1];
}

enum reldate_result reldate_today(time_t now, struct reldate *out)
{
	struct tm tm;
	if (!localtime_r(&now, &tm))
		return RELDATE_ECLOCK;
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	return RELDATE_OK;
}

void reldate_add_days(struct reldate *d, int n)
{
	while (n > 0) {
		int dim = reldate_days_in_month(d->year, d->month);
		if (d->day + n <= dim) {
			d->day += n;
			return;
		}
		n -= dim - d->day + 1;
		d->day = 1;
		reldate_add_months(&d->year, &d->month, 1);
	}
	while (n < 0) {
		if (d->day + n >= 1) {
			d->day += n;
			return;
		}
		n += d->day;
		reldate_add_months(&d->year, &d->month, -1);
		d->day = reldate_days_in_month(d->year, d->month);
	}
}

void reldate_add_months(int *year, int *month, int n)
{
	long total = (long)*year * 12 + (*month - 1) + n;
	long y = total / 12, m = total % 12;
	if (m < 0) {
		m += 12;
		y -= 1;
	}
	*year = (int)y;
	*month = (int)m + 1;
}

/* Exactly n ASCII digits at s; their value in *out. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

enum reldate_result reldate_parse_date(const char *s, time_t now, struct reldate *out)
{
	if (strcasecmp(s, "today") == 0 || strcasecmp(s, "yesterday") == 0) {
		struct reldate d;
		enum reldate_result r = reldate_today(now, &d);
		if (r != RELDATE_OK)
			return r;
		if (strcasecmp(s, "yesterday") == 0)
			reldate_add_days(&d, -1);
		*out = d;
		return RELDATE_OK;
	}
	int y, m, d;
	if (strlen(s) != 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return RELDATE_ESYNTAX;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > reldate_days_in_month(y, m))
		return RELDATE_ECALENDAR;
	out->year = y;
	out->month = m;
	out->day = d;
	return RELDATE_OK;
}

enum reldate_result reldate_parse_month(const char *s, time_t now, int *year, int *month)
{
	if (strcasecmp(s, "this") == 0 || strcasecmp(s, "last") == 0) {
		struct reldate d;
		enum reldate_result r = reldate_today(now, &d);
		if (r != RELDATE_OK)
			return r;
		if (strcasecmp(s, "last") == 0)
			reldate_add_months(&d.year, &d.month, -1);
		*year = d.year;
		*month = d.month;
		return RELDATE_OK;
	}
	int y, m;
	if (strlen(s) != 7 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m))
		return RELDATE_ESYNTAX;
	if (y < 1 || m < 1 || m > 12)
		return RELDATE_ECALENDAR;
	*year = y;
	*month = m;
	return RELDATE_OK;
}

void reldate_format_date(const struct reldate *d, char *buf)
{
	snprintf(buf, RELDATE_BUFSZ, "%04d-%02d-%02d", d->year, d->month, d->day);
}

void reldate_format_month(int year, int month, char *buf)
{
	snprintf(buf, RELDATE_BUFSZ, "%04d-%02d", year, month);
}

void reldate_month_range(int year, int month, char *start, char *end)
{
	struct reldate d = { year, month, 1 };
	reldate_format_date(&d, start);
	reldate_add_months(&d.year, &d.month, 1);
	reldate_format_date(&d, end);
}
