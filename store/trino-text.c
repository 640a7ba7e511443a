/*
 * trino-text.c: Trino literals for bound values and result values as the
 * Trino CLI prints them (I/O-free; see trino-text.h).
 *
 * What the CLI prints, read from its source (trinodb/trino,
 * client/trino-cli/src/main/java/io/trino/cli/CsvPrinter.java and
 * FormatUtils.java, with client/trino-client/.../FixJsonDataUtils.java for
 * how JSON values become Java objects first):
 *   NULL                     an empty field (a NULL nested in a value: NULL)
 *   boolean                  true / false
 *   tinyint..bigint          the decimal number
 *   double, real             Java's Double.toString / Float.toString
 *                            (0.1, 100.0, 1.0E7, 1.0E-4, NaN, Infinity)
 *   decimal, varchar, char, date, time, timestamp (with time zone),
 *   interval, json, uuid, ipaddress
 *                            the string the server sent, unchanged
 *   array                    [a, b, c]
 *   map                      {k1=v1, k2=v2}
 *   row                      {name=value, ...} (a field with no name: value)
 *   varbinary and the rest   the bytes as lower-case hex pairs: 61 62 63
 * One deliberate difference: a map's entries come in the order the server
 * sent them; the CLI puts them in a Java HashMap first, whose order is
 * nobody's promise.
 */
#include "common.h"
#include "store/trino-text.h"

#include "common/sql-lex.h"

#include <ctype.h>
#include <inttypes.h>
#include <strings.h>
#include <math.h>

/* ---------------------------------------------------------------------
 * The statement's first keyword
 */

static const char *const reading_keywords[] = {
	"SELECT", "WITH", "VALUES", "SHOW", "DESCRIBE", "EXPLAIN", "TABLE",
};

int trino_statement_reads(const char *sql, char **cause)
{
	size_t len = strlen(sql), i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)sql[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '(') {
			i++;
			continue;
		}
		size_t past = sql_skip_comment(sql, len, i, NULL);
		if (past == i)
			break;
		i = past;
	}
	size_t n = 0;
	while (i + n < len && ((sql[i + n] >= 'A' && sql[i + n] <= 'Z') || (sql[i + n] >= 'a' && sql[i + n] <= 'z')))
		n++;
	bool word_ends = i + n == len || !(isalnum((unsigned char)sql[i + n]) || sql[i + n] == '_');
	for (size_t k = 0; word_ends && k < ARRAY_SIZE(reading_keywords); k++)
		if (strlen(reading_keywords[k]) == n && strncasecmp(sql + i, reading_keywords[k], n) == 0)
			return 0;
	static const char allowed[] = "SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN or TABLE";
	if (n == 0 || n > 24 || !word_ends) {
		fail(cause, "a report may only read: its statement must start with %s", allowed);
	} else {
		char word[25];
		for (size_t k = 0; k < n; k++)
			word[k] = (char)toupper((unsigned char)sql[i + k]);
		word[n] = '\0';
		fail(cause, "a report may only read: its statement starts with %s, not with %s", word, allowed);
	}
	return -1;
}

/* ---------------------------------------------------------------------
 * Literals
 */

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s;
		size_t n;
		unsigned min, cp;
		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t k = 1; k <= n; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

static bool is_date(const char *t)
{
	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? t[i] != '-' : !(t[i] >= '0' && t[i] <= '9'))
			return false;
	}
	return t[10] == '\0';
}

int trino_literal(struct strbuf *sb, const struct bind_value *v, char **cause)
{
	const char *t = v->text ? v->text : "";
	switch (v->kind) {
	case BIND_INT:
		strbuf_addf(sb, "%" PRId64, v->i);
		return 0;
	case BIND_DATE:
		if (!is_date(t))
			return fail(cause, "a date parameter must be YYYY-MM-DD");
		strbuf_addf(sb, "DATE '%s'", t);
		return 0;
	case BIND_TEXT:
		break;
	}
	if (!utf8_valid((const unsigned char *)t))
		return fail(cause, "a text parameter is not valid UTF-8");
	strbuf_addc(sb, '\'');
	for (const char *p = t; *p; p++) {
		if (*p == '\'')
			strbuf_addc(sb, '\'');
		strbuf_addc(sb, *p);
	}
	strbuf_addc(sb, '\'');
	return 0;
}

void trino_url_encode(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			strbuf_addc(sb, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			strbuf_add(sb, e, 3);
		}
	}
}

/* ---------------------------------------------------------------------
 * Numbers as Java prints them
 */

void trino_format_double(struct strbuf *sb, double d, bool is_float)
{
	if (isnan(d)) {
		strbuf_adds(sb, "NaN");
		return;
	}
	if (isinf(d)) {
		strbuf_adds(sb, d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (d == 0) {
		strbuf_adds(sb, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	/* The shortest digits that read back (at least two, the closest of
	 * those: Java's rule since JDK 19). */
	char e[40];
	int maxp = is_float ? 9 : 17;
	for (int p = 1; p <= maxp; p++) {
		snprintf(e, sizeof(e), "%.*e", p, d);
		if (is_float ? strtof(e, NULL) == (float)d : strtod(e, NULL) == d)
			break;
	}
	/* e is [-]D.DDDDe[+-]XX: split into digits and exponent. */
	const char *p = e;
	bool neg = *p == '-';
	if (neg)
		p++;
	char digits[24];
	size_t n = 0;
	for (; *p && *p != 'e'; p++)
		if (*p != '.' && n < sizeof(digits) - 1)
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	int exp10 = atoi(p + 1);
	double a = fabs(d);

	if (neg)
		strbuf_addc(sb, '-');
	if (a >= 1e-3 && a < 1e7) {
		if (exp10 >= 0) {
			for (int i = 0; i <= exp10; i++)
				strbuf_addc(sb, (size_t)i < n ? digits[i] : '0');
			strbuf_addc(sb, '.');
			if ((size_t)exp10 + 1 < n)
				strbuf_adds(sb, digits + exp10 + 1);
			else
				strbuf_addc(sb, '0');
		} else {
			strbuf_adds(sb, "0.");
			for (int i = 0; i < -exp10 - 1; i++)
				strbuf_addc(sb, '0');
			strbuf_adds(sb, digits);
		}
	} else {
		strbuf_addc(sb, digits[0]);
		strbuf_addc(sb, '.');
		strbuf_adds(sb, n > 1 ? digits + 1 : "0");
		strbuf_addf(sb, "E%d", exp10);
	}
}

/* ---------------------------------------------------------------------
 * Values
 */

static const char *raw_type(const json_t *sig)
{
	const char *t = json_string_value(json_object_get(sig, "rawType"));
	return t ? t : "";
}

/* The I-th argument's value object of a type signature, or NULL. */
static const json_t *sig_arg(const json_t *sig, size_t i)
{
	const json_t *a = json_array_get(json_object_get(sig, "arguments"), i);
	return a ? json_object_get(a, "value") : NULL;
}

static bool is_one_of(const char *t, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t, names[i]) == 0)
			return true;
	return false;
}

/* Types the client keeps as the server's string. */
static const char *const string_types[] = {
	"varchar", "char", "json", "time", "time with time zone", "timestamp",
	"timestamp with time zone", "date", "interval year to month",
	"interval day to second", "ipaddress", "uuid", "decimal", "Geometry",
	"SphericalGeography",
};
static const char *const int_types[] = { "bigint", "integer", "smallint", "tinyint" };

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Base64 to "61 62 63" (FormatUtils.formatHexDump). Padding and anything
 * else that is not base64 are skipped. */
static void hex_dump(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned acc = 0;
	int bits = 0;
	bool first = true;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)s[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			unsigned byte = (acc >> bits) & 0xff;
			if (!first)
				strbuf_addc(sb, ' ');
			first = false;
			char h[2] = { hex[byte >> 4], hex[byte & 15] };
			strbuf_add(sb, h, 2);
		}
	}
}

static void format_any(struct strbuf *sb, const json_t *v, const json_t *sig);

/* A value inside an array, map or row: NULL prints as NULL. */
static void format_nested(struct strbuf *sb, const json_t *v, const json_t *sig)
{
	if (!v || json_is_null(v))
		strbuf_adds(sb, "NULL");
	else
		format_any(sb, v, sig);
}

static void format_scalar(struct strbuf *sb, const json_t *v, const char *t)
{
	if (strcmp(t, "boolean") == 0) {
		if (json_is_string(v))   /* Boolean.parseBoolean */
			strbuf_adds(sb, strcasecmp(json_string_value(v), "true") == 0 ? "true" : "false");
		else
			strbuf_adds(sb, json_is_true(v) ? "true" : "false");
		return;
	}
	if (is_one_of(t, int_types, ARRAY_SIZE(int_types)) && json_is_integer(v)) {
		strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	}
	if (strcmp(t, "double") == 0 || strcmp(t, "real") == 0) {
		double d;
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			d = strcmp(s, "NaN") == 0 ? NAN : strcmp(s, "Infinity") == 0 ? INFINITY
			    : strcmp(s, "-Infinity") == 0 ? -INFINITY : strtod(s, NULL);
		} else {
			d = json_number_value(v);
		}
		trino_format_double(sb, d, t[0] == 'r');
		return;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		if (is_one_of(t, string_types, ARRAY_SIZE(string_types)) ||
		    is_one_of(t, int_types, ARRAY_SIZE(int_types)))
			strbuf_add(sb, s, len);
		else
			hex_dump(sb, s, len);
		return;
	}
	if (json_is_integer(v)) {
		strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	}
	if (json_is_real(v)) {
		trino_format_double(sb, json_real_value(v), false);
		return;
	}
	if (json_is_boolean(v)) {
		strbuf_adds(sb, json_is_true(v) ? "true" : "false");
		return;
	}
	/* An object or array of a type we do not know: its JSON. */
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text) {
		strbuf_adds(sb, text);
		free(text);
	}
}

static void format_any(struct strbuf *sb, const json_t *v, const json_t *sig)
{
	const char *t = raw_type(sig);
	if (strcmp(t, "array") == 0 && json_is_array(v)) {
		const json_t *elem = sig_arg(sig, 0);
		strbuf_addc(sb, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				strbuf_adds(sb, ", ");
			format_nested(sb, json_array_get(v, i), elem);
		}
		strbuf_addc(sb, ']');
		return;
	}
	if (strcmp(t, "map") == 0 && json_is_object(v)) {
		const json_t *ksig = sig_arg(sig, 0), *vsig = sig_arg(sig, 1);
		bool first = true;
		strbuf_addc(sb, '{');
		for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
			if (!first)
				strbuf_adds(sb, ", ");
			first = false;
			/* A key arrives as a string; the client reads it as the key
			 * type (a bigint key "1" is the number 1). */
			json_t *key = json_stringn(json_object_iter_key(it), json_object_iter_key_len(it));
			if (key)
				format_any(sb, key, ksig);
			json_decref(key);
			strbuf_addc(sb, '=');
			format_nested(sb, json_object_iter_value(it), vsig);
		}
		strbuf_addc(sb, '}');
		return;
	}
	if (strcmp(t, "row") == 0 && json_is_array(v)) {
		strbuf_addc(sb, '{');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				strbuf_adds(sb, ", ");
			const json_t *field = sig_arg(sig, i);
			const char *name = json_string_value(json_object_get(json_object_get(field, "fieldName"), "name"));
			if (name)
				strbuf_addf(sb, "%s=", name);
			format_nested(sb, json_array_get(v, i), json_object_get(field, "typeSignature"));
		}
		strbuf_addc(sb, '}');
		return;
	}
	format_scalar(sb, v, t);
}

void trino_format_value(struct strbuf *sb, const json_t *value, const json_t *typesig)
{
	format_any(sb, value, typesig);
}
