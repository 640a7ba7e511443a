#include "common.h"

#include <ctype.h>
#include <strings.h>
#include <time.h>

#include "common/cron.h"

/* ---- parsing ---------------------------------------------------------- */

struct cron_field {
	const char *name;
	int min, max;
	const char *const *names;   /* NULL, or three-letter names from name_base */
	int nnames;
	int name_base;
};

static const char *const month_names[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	"JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
};
static const char *const wday_names[] = {
	"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT",
};

enum { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, F_COUNT };

static const struct cron_field cron_fields[F_COUNT] = {
	{ "minute", 0, 59, NULL, 0, 0 },
	{ "hour", 0, 23, NULL, 0, 0 },
	{ "day-of-month", 1, 31, NULL, 0, 0 },
	{ "month", 1, 12, month_names, 12, 1 },
	{ "day-of-week", 0, 7, wday_names, 7, 0 },
};

static const struct {
	const char *name;
	const char *fields;
} cron_macros[] = {
	{ "@hourly", "0 * * * *" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@monthly", "0 0 1 * *" },
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
};

#define CRON_FORMS "5 fields (minute hour day-of-month month day-of-week) " \
	"or one of @hourly @daily @midnight @weekly @monthly @yearly @annually"
#define CRON_ITEMS "accepted: *, N, A-B, */S, A-B/S, N/S and comma lists of these"

/* What is being parsed, for messages. */
struct cron_parser {
	const char *text;       /* the whole expression */
	char **cause;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The end of `*` and `N/S`: 6 for weekdays, whose 7 repeats Sunday. */
static int field_top(const struct cron_field *f)
{
	return f == &cron_fields[F_WDAY] ? 6 : f->max;
}

/*
 * One value (a number or a name) in [p, p+n). Numbers beyond the field's
 * range and unknown names are errors naming the field and what it accepts.
 */
static int parse_value(const struct cron_parser *ps, const struct cron_field *f,
		       const char *p, size_t n, int *out)
{
	size_t i;
	bool digits = n > 0, letters = n > 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			digits = false;
		if (!isalpha((unsigned char)p[i]))
			letters = false;
	}
	if (digits) {
		long v = 0;
		for (i = 0; i < n && v <= 100000; i++)
			v = v * 10 + (p[i] - '0');
		if (v < f->min || v > f->max)
			return fail(ps->cause, "cron: %s '%.*s' is out of range %d-%d in '%s'",
				    f->name, (int)n, p, f->min, f->max, ps->text);
		*out = (int)v;
		return 0;
	}
	if (letters && n == 3 && f->names) {
		for (i = 0; i < (size_t)f->nnames; i++) {
			if (strncasecmp(p, f->names[i], 3) == 0) {
				*out = f->name_base + (int)i;
				return 0;
			}
		}
	}
	if (f->names)
		return fail(ps->cause, "cron: %s '%.*s' is not a number %d-%d or a name %s-%s in '%s'",
			    f->name, (int)n, p, f->min, f->max, f->names[0],
			    f->names[f->nnames - 1], ps->text);
	return fail(ps->cause, "cron: %s '%.*s' is not a number %d-%d in '%s'",
		    f->name, (int)n, p, f->min, f->max, ps->text);
}

static size_t span_value(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] != '-' && p[i] != '/')
		i++;
	return i;
}

static int parse_step(const struct cron_parser *ps, const struct cron_field *f,
		      const char *p, size_t n, int *step)
{
	size_t i;
	long v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return fail(ps->cause, "cron: %s step '%.*s' is not a number 1-%d in '%s'",
				    f->name, (int)n, p, f->max, ps->text);
		if (v <= 100000)
			v = v * 10 + (p[i] - '0');
	}
	if (n == 0 || v < 1 || v > f->max)
		return fail(ps->cause, "cron: %s step '%.*s' is out of range 1-%d in '%s'",
			    f->name, (int)n, p, f->max, ps->text);
	*step = (int)v;
	return 0;
}

/* One list item [p, p+n) of field f, its values added to *bits. */
static int parse_item(const struct cron_parser *ps, const struct cron_field *f,
		      const char *p, size_t n, uint64_t *bits)
{
	int lo, hi, step = 1, v;
	size_t k;
	bool range = false;

	if (n == 0)
		return fail(ps->cause, "cron: %s has an empty list item in '%s'; " CRON_ITEMS,
			    f->name, ps->text);
	if (p[0] == '*') {
		lo = f->min;
		hi = field_top(f);
		k = 1;
		if (k < n && p[k] != '/')
			return fail(ps->cause, "cron: %s '%.*s' is not valid in '%s'; " CRON_ITEMS,
				    f->name, (int)n, p, ps->text);
	} else {
		k = span_value(p, n);
		if (k == 0)
			return fail(ps->cause, "cron: %s '%.*s' is not valid in '%s'; " CRON_ITEMS,
				    f->name, (int)n, p, ps->text);
		if (parse_value(ps, f, p, k, &lo) < 0)
			return -1;
		hi = lo;
		if (k < n && p[k] == '-') {
			size_t start = k + 1, m = span_value(p + start, n - start);
			if (m == 0)
				return fail(ps->cause, "cron: %s '%.*s' is not valid in '%s'; " CRON_ITEMS,
					    f->name, (int)n, p, ps->text);
			if (parse_value(ps, f, p + start, m, &hi) < 0)
				return -1;
			k = start + m;
			range = true;
			/* FRI-SUN: a weekday range may end on Sunday written 0. */
			if (f == &cron_fields[F_WDAY] && hi == 0 && lo > 0)
				hi = 7;
			if (hi < lo) {
				int top = field_top(f);
				return fail(ps->cause, "cron: %s range '%.*s' runs backwards in '%s'; "
					    "ranges do not wrap around, use two (e.g. %d-%d,%d-%d)",
					    f->name, (int)k, p, ps->text, lo, top, f->min, hi);
			}
		}
	}
	if (k < n) {
		if (p[k] != '/')
			return fail(ps->cause, "cron: %s '%.*s' is not valid in '%s'; " CRON_ITEMS,
				    f->name, (int)n, p, ps->text);
		if (parse_step(ps, f, p + k + 1, n - k - 1, &step) < 0)
			return -1;
		/* N/S: from N to the field's end */
		if (p[0] != '*' && !range && lo < field_top(f))
			hi = field_top(f);
	}
	for (v = lo; v <= hi; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
}

static int parse_field(const struct cron_parser *ps, const struct cron_field *f,
		       const char *p, size_t n, uint64_t *bits)
{
	size_t i = 0;

	*bits = 0;
	for (;;) {
		size_t j = i;
		while (j < n && p[j] != ',')
			j++;
		if (parse_item(ps, f, p + i, j - i, bits) < 0)
			return -1;
		if (j == n)
			return 0;
		i = j + 1;
	}
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Some allowed month has some allowed day (Feb 29 counts). */
static bool some_date_exists(const struct cron *c)
{
	static const int longest[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m, d;

	for (m = 1; m <= 12; m++) {
		if (!(c->months & (1u << m)))
			continue;
		for (d = 1; d <= longest[m - 1]; d++)
			if (c->mdays & (1u << d))
				return true;
	}
	return false;
}

static int parse_fields(struct cron *c, const struct cron_parser *ps, const char *fields)
{
	const char *start[F_COUNT + 1];
	size_t len[F_COUNT + 1];
	uint64_t bits[F_COUNT];
	const char *p = fields;
	int n = 0, i;

	while (*p) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (*p && !is_blank(*p))
			p++;
		if (n < F_COUNT + 1) {
			start[n] = s;
			len[n] = (size_t)(p - s);
		}
		n++;
	}
	if (n == 0)
		return fail(ps->cause, "cron: empty expression; expected " CRON_FORMS);
	if (start[0][0] == '@') {
		if (n > 1)
			return fail(ps->cause, "cron: '%.*s' takes no other fields in '%s'",
				    (int)len[0], start[0], ps->text);
		for (i = 0; i < (int)ARRAY_SIZE(cron_macros); i++) {
			if (strlen(cron_macros[i].name) == len[0] &&
			    strncasecmp(start[0], cron_macros[i].name, len[0]) == 0) {
				struct cron_parser inner = { cron_macros[i].fields, ps->cause };
				return parse_fields(c, &inner, cron_macros[i].fields);
			}
		}
		return fail(ps->cause, "cron: unknown '%s'; accepted: "
			    "@hourly @daily @midnight @weekly @monthly @yearly @annually", ps->text);
	}
	if (n != F_COUNT)
		return fail(ps->cause, "cron: expected " CRON_FORMS ", got %d field%s in '%s'",
			    n, n == 1 ? "" : "s", ps->text);
	for (i = 0; i < F_COUNT; i++)
		if (parse_field(ps, &cron_fields[i], start[i], len[i], &bits[i]) < 0)
			return -1;

	memset(c, 0, sizeof(*c));
	c->minutes = bits[F_MINUTE];
	c->hours = (uint32_t)bits[F_HOUR];
	c->mdays = (uint32_t)bits[F_MDAY];
	c->months = (uint16_t)bits[F_MONTH];
	c->wdays = (uint8_t)((bits[F_WDAY] | (bits[F_WDAY] >> 7)) & 0x7f);
	c->mday_star = start[F_MDAY][0] == '*';
	c->wday_star = start[F_WDAY][0] == '*';
	/* With OR matching a restricted weekday always fires; otherwise the
	 * day of month must exist in some allowed month. */
	if ((c->mday_star || c->wday_star) && !some_date_exists(c))
		return fail(ps->cause, "cron: day-of-month '%.*s' never occurs in month '%.*s' in '%s'",
			    (int)len[F_MDAY], start[F_MDAY], (int)len[F_MONTH], start[F_MONTH],
			    ps->text);
	return 0;
}

int cron_parse(struct cron *c, const char *text, char **cause)
{
	struct cron_parser ps = { text, cause };
	struct cron parsed;

	if (parse_fields(&parsed, &ps, text) < 0)
		return -1;
	*c = parsed;
	return 0;
}

/* ---- next fire -------------------------------------------------------- */

#define HORIZON_YEARS 50

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int weekday(int64_t days)
{
	int w = (int)((days + 4) % 7);   /* 1970-01-01 was a Thursday */
	return w < 0 ? w + 7 : w;
}

/* UTC offset in seconds in effect at t; false when t is out of range. */
static bool utc_offset(time_t t, long *off)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return false;
	*off = tm.tm_gmtoff;
	return true;
}

/*
 * The instant of local wall time y-m-d h:mi (seconds 0): its first
 * occurrence when it repeats, the end of the gap when it was skipped.
 * Monotone in the wall time, which lets the search skip whole days.
 */
static int wall_to_time(int64_t y, int m, int d, int h, int mi, time_t *out)
{
	int64_t naive = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60;
	long offs[3];
	bool found = false;
	time_t best = 0, lo, hi;
	long off_lo, off;
	int i;

	/* Offsets a day either side bound the answer's offset, assuming at
	 * most one transition within two days (true of every tzdata zone). */
	if (!utc_offset((time_t)(naive - 86400), &offs[0]) ||
	    !utc_offset((time_t)naive, &offs[1]) ||
	    !utc_offset((time_t)(naive + 86400), &offs[2]))
		return -1;
	for (i = 0; i < 3; i++) {
		time_t t = (time_t)(naive - offs[i]);
		if (!utc_offset(t, &off))
			return -1;
		if (off == offs[i] && (!found || t < best)) {
			best = t;
			found = true;
		}
	}
	if (found) {
		*out = best;
		return 0;
	}
	/* A gap: the clock jumped over this wall time. Fire at the first
	 * instant after the gap, the transition, found by bisection between
	 * the readings with the offsets before and after it. */
	lo = (time_t)(naive - (offs[0] > offs[2] ? offs[0] : offs[2]));
	hi = (time_t)(naive - (offs[0] > offs[2] ? offs[2] : offs[0]));
	if (!utc_offset(lo, &off_lo))
		return -1;
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;
		if (!utc_offset(mid, &off))
			return -1;
		if (off == off_lo)
			lo = mid;
		else
			hi = mid;
	}
	*out = hi;
	return 0;
}

static bool day_matches(const struct cron *c, int64_t y, int m, int d)
{
	bool mday = c->mdays & (1u << d);
	bool wday = c->wdays & (1u << weekday(days_from_civil(y, m, d)));

	if (c->mday_star || c->wday_star)
		return mday && wday;
	return mday || wday;
}

static int highest_bit(uint64_t bits)
{
	int i = 63;
	while (i > 0 && !(bits & ((uint64_t)1 << i)))
		i--;
	return i;
}

/* 0 and *next when a slot on y-m-d is after AFTER, 1 if none, -1 on error. */
static int fire_in_day(const struct cron *c, int64_t y, int m, int d, time_t after, time_t *next)
{
	int last_h = highest_bit(c->hours), last_mi = highest_bit(c->minutes);
	int h, mi;
	time_t t;

	if (wall_to_time(y, m, d, last_h, last_mi, &t) < 0)
		return -1;
	if (t <= after)
		return 1;
	for (h = 0; h <= last_h; h++) {
		if (!(c->hours & (1u << h)))
			continue;
		if (wall_to_time(y, m, d, h, last_mi, &t) < 0)
			return -1;
		if (t <= after)
			continue;
		for (mi = 0; mi <= last_mi; mi++) {
			if (!(c->minutes & ((uint64_t)1 << mi)))
				continue;
			if (wall_to_time(y, m, d, h, mi, &t) < 0)
				return -1;
			if (t > after) {
				*next = t;
				return 0;
			}
		}
	}
	return 1;
}

int cron_next(const struct cron *c, time_t after, time_t *next)
{
	struct tm tm;
	int64_t y, end;
	int m, d;

	if (!c->minutes || !c->hours || !c->months || !localtime_r(&after, &tm))
		return -1;
	y = (int64_t)tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	d = tm.tm_mday;
	/* Start a day early: in a fall-back across midnight the wall date of
	 * AFTER may be later than that of the next slot. */
	if (--d < 1) {
		if (--m < 1) {
			m = 12;
			y--;
		}
		d = days_in_month(y, m);
	}
	end = y + HORIZON_YEARS;
	while (y <= end) {
		if (!(c->months & (1u << m)) || d > days_in_month(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
			continue;
		}
		if (day_matches(c, y, m, d)) {
			int r = fire_in_day(c, y, m, d, after, next);
			if (r <= 0)
				return r;
		}
		d++;
	}
	return -1;
}
