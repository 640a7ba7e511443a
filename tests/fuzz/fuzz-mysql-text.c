/*
 * fuzz-mysql-text.c: MySQL values as text. Integers print as printf
 * does; a finite DOUBLE reads back to the same value, a FLOAT to its six
 * digits; a padded
 * number has its width; temporals of any field values stay in their
 * buffer and, in range, match the reference form.
 */
#include "common.h"

#include <math.h>

#include "store/mysql-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void take(const uint8_t **data, size_t *size, void *out, size_t n)
{
	memset(out, 0, n);
	size_t k = *size < n ? *size : n;
	memcpy(out, *data, k);
	*data += k;
	*size -= k;
}

static void integers(uint64_t u)
{
	char out[32], want[64];
	size_t n = mysql_text_u64(out, u);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)u);
	if (n != strlen(want) || memcmp(out, want, n))
		abort();
	n = mysql_text_i64(out, (int64_t)u);
	snprintf(want, sizeof(want), "%lld", (long long)(int64_t)u);
	if (n != strlen(want) || memcmp(out, want, n))
		abort();
	size_t width = u % 40;
	char padded[64];
	n = mysql_text_padded(padded, u >> 8, width);
	snprintf(want, sizeof(want), "%0*llu", (int)width, (unsigned long long)(u >> 8));
	if (n != strlen(want) || memcmp(padded, want, n))
		abort();
}

static void doubles(uint64_t bits)
{
	double d;
	memcpy(&d, &bits, sizeof(d));
	char out[64];
	memset(out, 'x', sizeof(out));
	size_t n = mysql_text_double(out, d, false);
	if (n >= 40 || out[n] != '\0' || strlen(out) != n)
		abort();
	if (isfinite(d) && strtod(out, NULL) != d && !(d == 0 && strtod(out, NULL) == 0))
		abort();   /* does not read back */
	float fl = (float)d;
	if (isfinite(fl)) {
		memset(out, 'x', sizeof(out));
		n = mysql_text_double(out, fl, true);
		if (n >= 40 || out[n] != '\0')
			abort();
		/* FLOAT keeps FLT_DIG (6) digits, as the server prints it */
		double back = strtod(out, NULL);
		if (fabs(back - (double)fl) > 1e-5 * fabs((double)fl))
			abort();
	}
}

static void temporal(const uint8_t *data, size_t size)
{
	static const enum enum_field_types types[] = {
		MYSQL_TYPE_DATE, MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_TIME,
	};
	MYSQL_TIME t;
	memset(&t, 0, sizeof(t));
	unsigned int f[8];
	take(&data, &size, f, sizeof(f));
	uint8_t pick = 0;
	take(&data, &size, &pick, 1);
	bool in_range = pick & 0x80;
	t.year = in_range ? f[0] % 10000 : f[0];
	t.month = in_range ? f[1] % 13 : f[1];
	t.day = in_range ? f[2] % 32 : f[2];
	t.hour = in_range ? f[3] % 24 : f[3];
	t.minute = in_range ? f[4] % 60 : f[4];
	t.second = in_range ? f[5] % 60 : f[5];
	t.second_part = in_range ? f[6] % 1000000 : f[6];
	t.neg = f[7] & 1;
	enum enum_field_types type = types[pick % 4];
	unsigned int decimals = (pick >> 2) % 8 == 7 ? 31 : (pick >> 2) % 8;
	char out[64];
	memset(out, 'x', sizeof(out));
	size_t n = mysql_text_temporal(out, &t, type, decimals);
	if (n >= 40 || out[n] != '\0' || strlen(out) != n)
		abort();
	if (!in_range || type == MYSQL_TYPE_TIME)
		return;
	char want[64];
	int w = snprintf(want, sizeof(want), "%04u-%02u-%02u", t.year, t.month, t.day);
	if (type != MYSQL_TYPE_DATE)
		w += snprintf(want + w, sizeof(want) - (size_t)w, " %02u:%02u:%02u", t.hour, t.minute, t.second);
	/* declared digits; an unknown scale (over 6) shows 6 when there is a fraction */
	unsigned int d = decimals <= 6 ? decimals : t.second_part ? 6 : 0;
	if (type != MYSQL_TYPE_DATE && d > 0) {
		snprintf(want + w, sizeof(want) - (size_t)w, ".%06lu", (unsigned long)t.second_part);
		want[w + 1 + (int)d] = '\0';
	}
	if (strcmp(out, want))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v = 0;
	const uint8_t *p = data;
	size_t left = size;
	take(&p, &left, &v, sizeof(v));
	integers(v);
	doubles(v);
	temporal(p, left);
	return 0;
}
