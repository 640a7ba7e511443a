/*
 * toml-json.c: TOML values as text: RFC 3339 date-times and the tagged JSON
 * form of the toml-test suite (used by tests/toml-decoder and the tests).
 */
#include "common.h"

#include <math.h>

#include "common/toml.h"
#include "common/strbuf.h"

size_t toml_format_datetime(const struct toml_value *v, char *buf, size_t size)
{
	const struct toml_datetime *d = &v->u.datetime;
	char date[48] = "", time[64] = "", frac[16] = "", off[32] = "";
	int n;

	if (!size)
		return 0;
	buf[0] = '\0';
	switch (v->type) {
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		break;
	default:
		return 0;
	}
	if (v->type != TOML_TIME_LOCAL)
		snprintf(date, sizeof(date), "%04d-%02d-%02d", d->year, d->month, d->day);
	if (v->type != TOML_DATE_LOCAL) {
		if (d->frac_digits > 0) {
			int f = d->nanosecond;
			for (int k = d->frac_digits; k < 9; k++)
				f /= 10;
			snprintf(frac, sizeof(frac), ".%0*d", d->frac_digits, f);
		}
		snprintf(time, sizeof(time), "%s%02d:%02d:%02d%s",
			 v->type == TOML_TIME_LOCAL ? "" : "T",
			 d->hour, d->minute, d->second, frac);
	}
	if (v->type == TOML_DATETIME) {
		if (d->offset_z) {
			snprintf(off, sizeof(off), "Z");
		} else {
			int m = d->offset_minutes < 0 ? -d->offset_minutes : d->offset_minutes;
			snprintf(off, sizeof(off), "%c%02d:%02d",
				 d->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
		}
	}
	n = snprintf(buf, size, "%s%s%s", date, time, off);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

static void json_string(struct strbuf *out, const char *s, size_t n)
{
	strbuf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': strbuf_adds(out, "\\\""); break;
		case '\\': strbuf_adds(out, "\\\\"); break;
		case '\b': strbuf_adds(out, "\\b"); break;
		case '\f': strbuf_adds(out, "\\f"); break;
		case '\n': strbuf_adds(out, "\\n"); break;
		case '\r': strbuf_adds(out, "\\r"); break;
		case '\t': strbuf_adds(out, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7F)
				strbuf_addf(out, "\\u%04x", c);
			else
				strbuf_addc(out, (char)c);
		}
	}
	strbuf_addc(out, '"');
}

/* The shortest decimal form that reads back as the same double. */
static void format_float(double d, char *buf, size_t size)
{
	if (isnan(d)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, "%sinf", d < 0 ? "-" : "");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void json_leaf(struct strbuf *out, const char *type, const char *value)
{
	strbuf_addf(out, "{\"type\":\"%s\",\"value\":", type);
	json_string(out, value, strlen(value));
	strbuf_addc(out, '}');
}

void toml_to_json(const struct toml_value *v, struct strbuf *out)
{
	char buf[64];

	switch (v->type) {
	case TOML_TABLE:
		strbuf_addc(out, '{');
		for (size_t i = 0; i < v->u.table.n; i++) {
			const struct toml_entry *e = &v->u.table.entries[i];
			if (i)
				strbuf_addc(out, ',');
			json_string(out, e->key, e->key_len);
			strbuf_addc(out, ':');
			toml_to_json(e->value, out);
		}
		strbuf_addc(out, '}');
		break;
	case TOML_ARRAY:
		strbuf_addc(out, '[');
		for (size_t i = 0; i < v->u.array.n; i++) {
			if (i)
				strbuf_addc(out, ',');
			toml_to_json(v->u.array.items[i], out);
		}
		strbuf_addc(out, ']');
		break;
	case TOML_STRING:
		strbuf_adds(out, "{\"type\":\"string\",\"value\":");
		json_string(out, v->u.string.ptr, v->u.string.len);
		strbuf_addc(out, '}');
		break;
	case TOML_INTEGER:
		snprintf(buf, sizeof(buf), "%lld", (long long)v->u.integer);
		json_leaf(out, "integer", buf);
		break;
	case TOML_FLOAT:
		format_float(v->u.fp, buf, sizeof(buf));
		json_leaf(out, "float", buf);
		break;
	case TOML_BOOL:
		json_leaf(out, "bool", v->u.boolean ? "true" : "false");
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		toml_format_datetime(v, buf, sizeof(buf));
		json_leaf(out, v->type == TOML_DATETIME ? "datetime" :
			  v->type == TOML_DATETIME_LOCAL ? "datetime-local" :
			  v->type == TOML_DATE_LOCAL ? "date-local" : "time-local", buf);
		break;
	}
}
