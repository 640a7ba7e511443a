/* mysql-text.c: see mysql-text.h; moved out of source-mysql.c so the
 * formatting rules are tested without a server. */
#include "common.h"
#include "store/mysql-text.h"

#include <float.h>

size_t mysql_text_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

size_t mysql_text_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p = '-';
		return 1 + mysql_text_u64(p + 1, (uint64_t)0 - (uint64_t)v);
	}
	return mysql_text_u64(p, (uint64_t)v);
}

/* v zero-padded to at least width digits. */
size_t mysql_text_padded(char *p, uint64_t v, size_t width)
{
	char tmp[24];
	size_t n = mysql_text_u64(tmp, v);
	size_t pad = n < width ? width - n : 0;
	memset(p, '0', pad);
	memcpy(p + pad, tmp, n);
	return pad + n;
}

size_t mysql_text_2digits(char *p, unsigned int v)
{
	p[0] = (char)('0' + (v / 10) % 10);
	p[1] = (char)('0' + v % 10);
	return 2;
}

/*
 * A FLOAT or DOUBLE as the server's text protocol prints it: the shortest
 * digits that read back as the same value (FLOAT: at most 6 digits, as
 * FLT_DIG), fixed notation unless the exponent is beyond 15 places either
 * way (MariaDB's my_gcvt rule), exponent written as e17 / e-30.
 */
size_t mysql_text_double(char *out, double v, bool is_float)
{
	if (v == 0) {
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	bool neg = v < 0;
	double a = neg ? -v : v;
	char tmp[40];
	uint64_t mant = 0;
	long scale = 0;             /* a == mant * 10^scale, near enough */
	/* FLOAT: the value rounded to FLT_DIG (6) digits. DOUBLE: the fewest
	 * digits that read back (a normal double needs at least 15; a
	 * subnormal may need fewer). The correctly rounded digits may miss
	 * by one unit at a power of two, where the gap below is half the gap
	 * above, so the neighbours are tried too. */
	int prec = is_float ? 6 : a < DBL_MIN ? 1 : 15;
	for (;; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, a);
		/* tmp is d.ddde[+-]xx */
		mant = 0;
		const char *p = tmp;
		for (; *p && *p != 'e'; p++)
			if (*p >= '0' && *p <= '9')
				mant = mant * 10 + (uint64_t)(*p - '0');
		char *end;
		long e10 = *p == 'e' ? strtol(p + 1, &end, 10) : 0;
		scale = e10 - (prec - 1);
		if (is_float || prec >= 17)
			break;
		bool found = false;
		for (int delta = 0; delta <= 2 && !found; delta++) {
			uint64_t m = delta == 0 ? mant : delta == 1 ? mant + 1 : mant - 1;
			snprintf(tmp, sizeof(tmp), "%llue%ld", (unsigned long long)m, scale);
			if (strtod(tmp, NULL) == a) {
				mant = m;
				found = true;
			}
		}
		if (found)
			break;
	}
	/* Digits of mant without trailing zeros, and the decimal point
	 * position relative to them. */
	char digits[24];
	size_t len = mysql_text_u64(digits, mant);
	long decpt = (long)len + scale;
	while (len > 1 && digits[len - 1] == '0')
		len--;

	size_t n = 0;
	if (neg)
		out[n++] = '-';
	if (decpt >= -14 && (decpt <= 15 || (long)len > decpt)) {
		if (decpt <= 0) {
			out[n++] = '0';
			out[n++] = '.';
			for (long i = 0; i < -decpt; i++)
				out[n++] = '0';
			memcpy(out + n, digits, len);
			n += len;
		} else if ((long)len <= decpt) {
			memcpy(out + n, digits, len);
			n += len;
			for (long i = (long)len; i < decpt; i++)
				out[n++] = '0';
		} else {
			memcpy(out + n, digits, (size_t)decpt);
			n += (size_t)decpt;
			out[n++] = '.';
			memcpy(out + n, digits + decpt, len - (size_t)decpt);
			n += len - (size_t)decpt;
		}
	} else {
		out[n++] = digits[0];
		if (len > 1) {
			out[n++] = '.';
			memcpy(out + n, digits + 1, len - 1);
			n += len - 1;
		}
		out[n++] = 'e';
		long x = decpt - 1;
		if (x < 0) {
			out[n++] = '-';
			x = -x;
		}
		n += mysql_text_u64(out + n, (uint64_t)x);
	}
	out[n] = '\0';
	return n;
}

size_t mysql_text_temporal(char *out, const MYSQL_TIME *t, enum enum_field_types type, unsigned int decimals)
{
	size_t n = 0;
	if (type == MYSQL_TYPE_TIME) {
		if (t->neg)
			out[n++] = '-';
		unsigned long hours = t->hour + 24UL * t->day;
		n += mysql_text_padded(out + n, hours, 2);
		out[n++] = ':';
		n += mysql_text_2digits(out + n, t->minute);
		out[n++] = ':';
		n += mysql_text_2digits(out + n, t->second);
	} else {
		n += mysql_text_padded(out + n, t->year, 4);
		out[n++] = '-';
		n += mysql_text_2digits(out + n, t->month);
		out[n++] = '-';
		n += mysql_text_2digits(out + n, t->day);
		if (type != MYSQL_TYPE_DATE) {
			out[n++] = ' ';
			n += mysql_text_2digits(out + n, t->hour);
			out[n++] = ':';
			n += mysql_text_2digits(out + n, t->minute);
			out[n++] = ':';
			n += mysql_text_2digits(out + n, t->second);
		}
	}
	if (type != MYSQL_TYPE_DATE) {
		/* Declared fractional digits; for an expression of unknown
		 * scale, six digits when there is a fraction. */
		unsigned int d = decimals;
		if (d > 6)
			d = t->second_part ? 6 : 0;
		if (d) {
			char frac[8];
			mysql_text_padded(frac, t->second_part % 1000000, 6);
			out[n++] = '.';
			memcpy(out + n, frac, d);
			n += d;
		}
	}
	out[n] = '\0';
	return n;
}

