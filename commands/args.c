/*
 * args.c: what a person types after `/report CMD`, into checked values.
 *
 * Splitting: ASCII whitespace, U+00A0 and U+3000 (the ideographic space a
 * Japanese IME types) separate words. A double quote — ASCII " , the
 * curly quotes U+201C/U+201D that phones, Macs and Japanese IMEs
 * substitute, or the full-width U+FF02 — groups words, also inside a word
 * (name="two words"); within quotes \" and \\ are a quote and a
 * backslash, any other backslash is kept.
 *
 * Binding: a word `NAME=value` (NAME as a param name, any case) names a
 * param; every other word is positional, the k-th positional word being
 * the k-th param. So text holding '=' after a name-like prefix must be
 * given by name: q=a=b. A param may get one value, by position or name.
 *
 * Full width (commands/fold.h): the name and its sign may be typed full
 * width (ｃｕｓｔｏｍｅｒ＝acme), and so may int, date, month and enum
 * values (２０２４－１１); they are folded before they are read. String
 * values and list items are bound exactly as typed; a list is split at
 * ',' and at the full-width '，'.
 *
 * Ranges and order: an int declared int(MIN..MAX) is refused outside it;
 * a command's `order:` pairs (FIRST <= SECOND) are checked once every
 * value is bound.
 */
#include "common.h"
#include "commands/args.h"
#include "commands/fold.h"
#include "commands/reldate.h"
#include "commands/suggest.h"
#include "commands/utf8.h"

#include <ctype.h>
#include <strings.h>

#define ECHO_MAX 40   /* bytes of a bad value quoted back in a message */

/* --- splitting ------------------------------------------------------------ */

/* Length of a separator at s, 0 if none. */
static size_t space_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		return 1;
	if (c == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	if (c == 0xe3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
		return 3;
	return 0;
}

/* Length of a double quote at s, 0 if none. */
static size_t quote_len(const char *s)
{
	if (s[0] == '"')
		return 1;
	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc &&
	    (unsigned char)s[2] == 0x82)
		return 3;
	if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
	    ((unsigned char)s[2] == 0x9c || (unsigned char)s[2] == 0x9d))
		return 3;
	return 0;
}

/* s quoted back for a message: at most ECHO_MAX bytes, then "..."; caller frees. */
static char *echo(const char *s)
{
	size_t len = strlen(s);
	size_t valid = utf8_invalid_at(s, len);
	size_t keep = valid < ECHO_MAX ? valid : utf8_prefix(s, ECHO_MAX);
	return xasprintf("'%.*s%s'", (int)keep, s, keep < len ? "..." : "");
}

int args_split(const char *text, struct strlist *words, char **cause)
{
	size_t len = strlen(text);
	if (len > ARGS_MAX_TEXT)
		return fail(cause, "the arguments are %zu bytes; the limit is %d", len, ARGS_MAX_TEXT);
	size_t bad = utf8_invalid_at(text, len);
	if (bad < len)
		return fail(cause, "the arguments are not valid UTF-8 (byte %zu); type them again "
			    "as plain text", bad + 1);

	struct strlist out;
	struct strbuf word;
	strlist_init(&out);
	strbuf_init(&word);
	bool in_word = false, in_quote = false;
	size_t quote_at = 0;
	const char *s = text;
	while (*s) {
		size_t n;
		if (in_quote) {
			if (s[0] == '\\' && (s[1] == '"' || s[1] == '\\')) {
				strbuf_addc(&word, s[1]);
				s += 2;
			} else if ((n = quote_len(s))) {
				in_quote = false;
				s += n;
			} else {
				strbuf_addc(&word, *s++);
			}
		} else if ((n = space_len(s))) {
			if (in_word) {
				strlist_push(&out, strbuf_detach(&word));
				in_word = false;
			}
			s += n;
		} else if ((n = quote_len(s))) {
			in_quote = in_word = true;
			quote_at = (size_t)(s - text);
			s += n;
		} else {
			in_word = true;
			strbuf_addc(&word, *s++);
		}
	}
	if (in_quote) {
		char *at = echo(text + quote_at);
		strbuf_release(&word);
		strlist_release(&out);
		int rc = fail(cause, "a double quote is not closed at %s; close it, e.g. "
			      "\"two words\"", at);
		free(at);
		return rc;
	}
	if (in_word)
		strlist_push(&out, strbuf_detach(&word));
	strbuf_release(&word);
	for (size_t i = 0; i < out.n; i++)
		strlist_push(words, out.v[i]);
	free(out.v);
	return 0;
}

void args_quote(struct strbuf *out, const char *v)
{
	bool plain = *v != '\0';
	for (const char *c = v; *c && plain; c++)
		plain = !space_len(c) && !quote_len(c) && *c != '\\';
	if (plain) {
		strbuf_adds(out, v);
		return;
	}
	strbuf_addc(out, '"');
	for (const char *c = v; *c; c++) {
		if (*c == '"' || *c == '\\')
			strbuf_addc(out, '\\');
		strbuf_addc(out, *c);
	}
	strbuf_addc(out, '"');
}

/* --- typed values ----------------------------------------------------------- */

void arg_value_release(struct arg_value *v)
{
	if (!v)
		return;
	free(v->text);
	free(v->start);
	free(v->end);
	for (size_t i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

char *param_accepted(const struct param *p)
{
	switch (p->type) {
	case PARAM_STRING:
		return xasprintf("any text up to %d bytes", ARG_STRING_MAX);
	case PARAM_INT:
		if (p->has_min && p->has_max)
			return xasprintf("a whole number from %lld to %lld", (long long)p->min,
					 (long long)p->max);
		if (p->has_min)
			return xasprintf("a whole number of at least %lld", (long long)p->min);
		if (p->has_max)
			return xasprintf("a whole number of at most %lld", (long long)p->max);
		return xstrdup("a whole number");
	case PARAM_DATE:
		return xstrdup("YYYY-MM-DD, today or yesterday");
	case PARAM_MONTH:
		return xstrdup("YYYY-MM, this or last");
	case PARAM_ENUM: {
		struct strbuf sb;
		strbuf_init(&sb);
		strbuf_adds(&sb, "one of ");
		for (size_t i = 0; i < p->nchoices; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", p->choices[i]);
		return strbuf_detach(&sb);
	}
	case PARAM_LIST:
		return xstrdup("comma-separated values, like a,b,c");
	}
	return xstrdup("?");
}

static int parse_int(const struct param *p, const char *text, struct arg_value *out,
		     char **cause)
{
	const char *s = text;
	if (*s == '-' || *s == '+')
		s++;
	bool digits = *s != '\0';
	for (const char *c = s; *c && digits; c++)
		digits = *c >= '0' && *c <= '9';
	char *e = echo(text);
	int rc = 0;
	if (!digits) {
		rc = fail(cause, "%s is not a whole number; use digits like 30 (a leading - is fine)", e);
	} else {
		char *end;
		errno = 0;
		long long v = strtoll(text, &end, 10);
		if (errno == ERANGE || *end) {
			rc = fail(cause, "%s is out of range; use a whole number from %lld to %lld",
				  e, (long long)INT64_MIN, (long long)INT64_MAX);
		} else if ((p->has_min && v < p->min) || (p->has_max && v > p->max)) {
			char *acc = param_accepted(p);
			rc = fail(cause, "%s is out of range; use %s", e, acc);
			free(acc);
		} else {
			out->i = v;
		}
	}
	free(e);
	if (rc == 0)
		out->text = xasprintf("%lld", (long long)out->i);
	return rc;
}

static int parse_date(const char *text, time_t now, struct arg_value *out, char **cause)
{
	struct reldate d;
	enum reldate_result r = reldate_parse_date(text, now, &d);
	if (r == RELDATE_OK) {
		char buf[RELDATE_BUFSZ];
		reldate_format_date(&d, buf);
		out->text = xstrdup(buf);
		return 0;
	}
	char *e = echo(text);
	int rc;
	if (r == RELDATE_ECALENDAR) {
		int y = (int)strtol(text, NULL, 10), m = (int)strtol(text + 5, NULL, 10);
		if (m < 1 || m > 12)
			rc = fail(cause, "%s is not a real date (there is no month %02d); use "
				  "YYYY-MM-DD, today or yesterday", e, m);
		else if (y < 1)
			rc = fail(cause, "%s is not a real date (there is no year 0000); use "
				  "YYYY-MM-DD, today or yesterday", e);
		else
			rc = fail(cause, "%s is not a real date (%04d-%02d has %d days); use "
				  "YYYY-MM-DD, today or yesterday", e, y, m,
				  reldate_days_in_month(y, m));
	} else if (r == RELDATE_ECLOCK) {
		rc = fail(cause, "cannot resolve %s: the clock is out of range", e);
	} else {
		rc = fail(cause, "%s is not a date; use YYYY-MM-DD, today or yesterday", e);
	}
	free(e);
	return rc;
}

static int parse_month(const char *text, time_t now, struct arg_value *out, char **cause)
{
	int y, m;
	enum reldate_result r = reldate_parse_month(text, now, &y, &m);
	if (r != RELDATE_OK) {
		char *e = echo(text);
		int rc = r == RELDATE_ECLOCK ?
			fail(cause, "cannot resolve %s: the clock is out of range", e) :
			fail(cause, "%s is not a month; use YYYY-MM, this or last", e);
		free(e);
		return rc;
	}
	char buf[RELDATE_BUFSZ], start[RELDATE_BUFSZ], end[RELDATE_BUFSZ];
	reldate_format_month(y, m, buf);
	reldate_month_range(y, m, start, end);
	out->text = xstrdup(buf);
	out->start = xstrdup(start);
	out->end = xstrdup(end);
	return 0;
}

static int parse_enum(const struct param *p, const char *text, struct arg_value *out, char **cause)
{
	for (size_t i = 0; i < p->nchoices; i++)
		if (strcasecmp(text, p->choices[i]) == 0) {
			out->text = xstrdup(p->choices[i]);
			return 0;
		}
	const char *near = suggest_closest(text, (const char *const *)p->choices, p->nchoices);
	char *e = echo(text), *acc = param_accepted(p);
	int rc = fail(cause, "%s is not %s%s%s%s", e, acc, near ? "; did you mean " : "",
		      near ? near : "", near ? "?" : "");
	free(e);
	free(acc);
	return rc;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The next list separator in s, ',' or the full-width U+FF0C (EF BC 8C),
 * or NULL; its length in *len. */
static const char *list_comma(const char *s, size_t *len)
{
	for (; *s; s++) {
		if (*s == ',') {
			*len = 1;
			return s;
		}
		if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc &&
		    (unsigned char)s[2] == 0x8c) {
			*len = 3;
			return s;
		}
	}
	return NULL;
}

static int parse_list(const char *text, struct arg_value *out, char **cause)
{
	const char *s = text;
	struct strbuf joined;
	int rc = 0;
	strbuf_init(&joined);
	for (;;) {
		size_t clen = 0;
		const char *comma = list_comma(s, &clen);
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		const char *item = s;
		while (n && is_blank(*item)) {
			item++;
			n--;
		}
		while (n && is_blank(item[n - 1]))
			n--;
		if (n == 0) {
			char *e = echo(text);
			rc = out->nitems == 0 && !comma ?
				fail(cause, "%s is an empty list; use comma-separated values like a,b,c", e) :
				fail(cause, "%s has an empty item; use comma-separated values like a,b,c", e);
			free(e);
			break;
		}
		if (n > ARG_STRING_MAX) {
			rc = fail(cause, "item %zu is %zu bytes; the limit is %d", out->nitems + 1, n,
				  ARG_STRING_MAX);
			break;
		}
		if (out->nitems == ARG_LIST_MAX) {
			rc = fail(cause, "the list has more than %d items; ask for fewer at a time",
				  ARG_LIST_MAX);
			break;
		}
		if ((out->nitems & (out->nitems - 1)) == 0)
			out->items = xrealloc(out->items, (out->nitems ? out->nitems * 2 : 1) *
					      sizeof(*out->items));
		out->items[out->nitems++] = xstrndup(item, n);
		if (joined.len)
			strbuf_addc(&joined, ',');
		strbuf_add(&joined, item, n);
		if (!comma)
			break;
		s = comma + clen;
	}
	if (rc == 0)
		out->text = strbuf_detach(&joined);
	strbuf_release(&joined);
	return rc;
}

int param_value_parse(const struct param *p, const char *text, time_t now,
		      struct arg_value *out, char **cause)
{
	memset(out, 0, sizeof(*out));
	size_t len = strlen(text);
	size_t bad = utf8_invalid_at(text, len);
	int rc;
	if (bad < len)
		return fail(cause, "the value is not valid UTF-8 (byte %zu)", bad + 1);
	char *folded = fold_width(text);   /* for the types read as ASCII */
	switch (p->type) {
	case PARAM_STRING:
		if (len > ARG_STRING_MAX) {
			char *e = echo(text);
			rc = fail(cause, "%s is %zu bytes; the limit is %d", e, len, ARG_STRING_MAX);
			free(e);
		} else {
			out->text = xstrdup(text);
			rc = 0;
		}
		break;
	case PARAM_INT:
		rc = parse_int(p, folded, out, cause);
		break;
	case PARAM_DATE:
		rc = parse_date(folded, now, out, cause);
		break;
	case PARAM_MONTH:
		rc = parse_month(folded, now, out, cause);
		break;
	case PARAM_ENUM:
		rc = parse_enum(p, folded, out, cause);
		break;
	case PARAM_LIST:
		rc = parse_list(text, out, cause);
		break;
	default:
		rc = fail(cause, "unknown param type");
		break;
	}
	free(folded);
	if (rc < 0)
		arg_value_release(out);
	return rc;
}

/* --- usage and examples ------------------------------------------------------ */

void args_usage(const struct command *cmd, const char *slash, struct strbuf *out)
{
	strbuf_addf(out, "%s %s", slash, cmd->name);
	for (size_t i = 0; i < cmd->nparams; i++) {
		const struct param *p = &cmd->params[i];
		if (!p->def) {
			strbuf_addf(out, " <%s>", p->name);
			continue;
		}
		strbuf_addf(out, " [%s=", p->name);
		args_quote(out, p->def);
		strbuf_addc(out, ']');
	}
}

/* The token after "e.g." in a description, or NULL; caller frees. */
static char *description_example(const char *d)
{
	const char *eg = d ? strstr(d, "e.g.") : NULL;
	if (!eg)
		return NULL;
	eg += 4;
	while (*eg == ' ' || *eg == '\t')
		eg++;
	size_t n = 0;
	while (eg[n] && !is_blank(eg[n]))
		n++;
	while (n && strchr(",.;:)'\"", eg[n - 1]))
		n--;
	return n ? xstrndup(eg, n) : NULL;
}

/* A valid value for p, for examples; caller frees. */
static char *sample_value(const struct param *p, time_t now)
{
	char *eg = description_example(p->description);
	if (eg) {
		struct arg_value v;
		if (param_value_parse(p, eg, now, &v, NULL) == 0) {
			arg_value_release(&v);
			return eg;
		}
		free(eg);
	}
	struct arg_value v;
	switch (p->type) {
	case PARAM_STRING:
		return xstrdup(p->def && *p->def ? p->def : p->name);
	case PARAM_INT:
		if (p->def)
			return xstrdup(p->def);
		if ((p->has_min && p->min > 10) || (p->has_max && p->max < 10))
			return xasprintf("%lld", (long long)(p->has_min ? p->min : p->max));
		return xstrdup("10");
	case PARAM_DATE:
		if (param_value_parse(p, "yesterday", now, &v, NULL) == 0) {
			char *t = v.text;
			v.text = NULL;
			arg_value_release(&v);
			return t;
		}
		return xstrdup("2024-11-30");
	case PARAM_MONTH:
		if (param_value_parse(p, "last", now, &v, NULL) == 0) {
			char *t = v.text;
			v.text = NULL;
			arg_value_release(&v);
			return t;
		}
		return xstrdup("2024-11");
	case PARAM_ENUM:
		return xstrdup(p->nchoices ? p->choices[0] : "a");
	case PARAM_LIST:
		return xstrdup(p->def ? p->def : "a,b");
	}
	return xstrdup("x");
}

void args_example(const struct command *cmd, const char *slash, time_t now, size_t upto,
		  struct strbuf *out)
{
	size_t last = 0;
	for (size_t i = 0; i < cmd->nparams; i++)
		if (!cmd->params[i].def || (upto != SIZE_MAX && i == upto))
			last = i + 1;
	char **v = xcalloc(last ? last : 1, sizeof(*v));
	for (size_t i = 0; i < last; i++)
		v[i] = sample_value(&cmd->params[i], now);
	for (size_t k = 0; k < cmd->norders; k++) {
		/* an example keeps the command's order: swap samples that break it */
		size_t a = cmd->orders[k].first, b = cmd->orders[k].second;
		if (a >= last || b >= last)
			continue;
		struct arg_value va, vb;
		if (param_value_parse(&cmd->params[a], v[a], now, &va, NULL) == 0) {
			if (param_value_parse(&cmd->params[b], v[b], now, &vb, NULL) == 0) {
				if (strcmp(va.text, vb.text) > 0) {
					char *t = v[a];
					v[a] = v[b];
					v[b] = t;
				}
				arg_value_release(&vb);
			}
			arg_value_release(&va);
		}
	}
	strbuf_addf(out, "%s %s", slash, cmd->name);
	for (size_t i = 0; i < last; i++) {
		strbuf_addc(out, ' ');
		args_quote(out, v[i]);
		free(v[i]);
	}
	free(v);
}

/* --- binding ------------------------------------------------------------------ */

/*
 * If word is NAME=value with a name-like NAME (each character and the '='
 * ASCII or full width), the bytes up to and including the '=', and the
 * folded NAME in *name (caller frees); 0 otherwise.
 */
static size_t named_prefix(const char *word, char **name)
{
	struct strbuf sb;
	size_t i = 0;
	strbuf_init(&sb);
	for (;;) {
		char c;
		size_t n = fold_width_char(word + i, &c);
		if (!n) {
			c = word[i];
			n = c ? 1 : 0;
		}
		bool ok = sb.len ? isalnum((unsigned char)c) || c == '_' :
			isalpha((unsigned char)c) || c == '_';
		if (c == '=' && sb.len) {
			*name = strbuf_detach(&sb);
			return i + n;
		}
		if (!n || !ok) {
			strbuf_release(&sb);
			return 0;
		}
		strbuf_addc(&sb, c);
		i += n;
	}
}

static void param_names(const struct command *cmd, struct strbuf *out)
{
	for (size_t i = 0; i < cmd->nparams; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", cmd->params[i].name);
}

static int bind_fail(const struct command *cmd, const char *slash, time_t now, size_t upto,
		     char **cause, struct strbuf *msg, bool with_usage)
{
	if (with_usage) {
		strbuf_adds(msg, "; usage: ");
		args_usage(cmd, slash, msg);
	}
	strbuf_adds(msg, ", e.g. ");
	args_example(cmd, slash, now, upto, msg);
	int rc = fail(cause, "%s", msg->buf);
	strbuf_release(msg);
	return rc;
}

/* The command's `order:` pairs against the bound values (dates and
 * months as text compare in calendar order). */
static int check_order(const struct command *cmd, const char *slash, time_t now,
		       const struct invocation *inv, char **cause, struct strbuf *msg, size_t *at)
{
	for (size_t k = 0; k < cmd->norders; k++) {
		size_t a = cmd->orders[k].first, b = cmd->orders[k].second;
		const char *va = inv->values[a].text, *vb = inv->values[b].text;
		if (strcmp(va, vb) <= 0)
			continue;
		const char *na = cmd->params[a].name, *nb = cmd->params[b].name;
		strbuf_addf(msg, "%s %s comes after %s %s; %s must not come after %s", na, va,
			    nb, vb, na, nb);
		*at = a;
		return bind_fail(cmd, slash, now, a > b ? a : b, cause, msg, false);
	}
	return 0;
}

int args_bind(const struct command *cmd, char *const *words, size_t nwords,
	      time_t now, struct invocation *inv, char **cause)
{
	return args_bind_as(cmd, "/report", words, nwords, now, inv, cause);
}

int args_bind_as(const struct command *cmd, const char *slash, char *const *words,
		 size_t nwords, time_t now, struct invocation *inv, char **cause)
{
	return args_bind_at(cmd, slash, words, nwords, now, inv, cause, NULL);
}

int args_bind_at(const struct command *cmd, const char *slash, char *const *words,
		 size_t nwords, time_t now, struct invocation *inv, char **cause,
		 size_t *param)
{
	struct strbuf msg;
	size_t at = SIZE_MAX;   /* the param the mistake is about */
	const char **given = xcalloc(cmd->nparams, sizeof(*given));
	size_t npos = 0;
	int rc = 0;

	inv->cmd = cmd;
	inv->values = xcalloc(cmd->nparams, sizeof(*inv->values));
	strbuf_init(&msg);

	for (size_t w = 0; w < nwords && rc == 0; w++) {
		const char *word = words[w];
		char *name = NULL;
		size_t plen = named_prefix(word, &name);
		size_t idx;
		if (plen) {
			for (idx = 0; idx < cmd->nparams; idx++)
				if (strcasecmp(cmd->params[idx].name, name) == 0)
					break;
			if (idx == cmd->nparams) {
				char *e = echo(word);
				const char *near = NULL;
				for (size_t i = 0; i < cmd->nparams && !near; i++) {
					const char *one = cmd->params[i].name;
					near = suggest_closest(name, &one, 1);
				}
				strbuf_addf(&msg, "unknown param '%s' in %s", name, e);
				if (near)
					strbuf_addf(&msg, "; did you mean %s?", near);
				if (cmd->nparams) {
					strbuf_addf(&msg, "%s%s %s takes ", near ? " " : "; ", slash,
						    cmd->name);
					param_names(cmd, &msg);
				} else {
					strbuf_addf(&msg, "; %s %s takes no arguments", slash, cmd->name);
				}
				free(name);
				free(e);
				rc = bind_fail(cmd, slash, now, SIZE_MAX, cause, &msg, false);
				break;
			}
			free(name);
			word += plen;
		} else {
			idx = npos++;
			if (idx >= cmd->nparams) {
				char *e = echo(word);
				if (cmd->nparams == 0)
					strbuf_addf(&msg, "too many values: %s %s takes no arguments, "
						    "got %s", slash, cmd->name, e);
				else
					strbuf_addf(&msg, "too many values: %s %s takes at most %zu (",
						    slash, cmd->name, cmd->nparams);
				if (cmd->nparams) {
					param_names(cmd, &msg);
					strbuf_addf(&msg, "), got %s as value %zu; put a value with "
						    "spaces in double quotes, like \"two words\"", e, idx + 1);
				}
				free(e);
				rc = bind_fail(cmd, slash, now, SIZE_MAX, cause, &msg, true);
				break;
			}
		}
		if (given[idx]) {
			char *a = echo(given[idx]), *b = echo(word);
			at = idx;
			strbuf_addf(&msg, "%s is given twice (%s and %s); give each param one value, "
				    "by position or as name=value", cmd->params[idx].name, a, b);
			free(a);
			free(b);
			rc = bind_fail(cmd, slash, now, SIZE_MAX, cause, &msg, true);
			break;
		}
		given[idx] = word;
	}

	if (rc == 0) {
		size_t nmissing = 0;
		for (size_t i = 0; i < cmd->nparams; i++) {
			if (given[i] || cmd->params[i].def)
				continue;
			if (!nmissing)
				at = i;
			strbuf_addf(&msg, "%s%s", nmissing++ ? ", " : "missing ", cmd->params[i].name);
		}
		if (nmissing)
			rc = bind_fail(cmd, slash, now, SIZE_MAX, cause, &msg, true);
	}

	for (size_t i = 0; i < cmd->nparams && rc == 0; i++) {
		const struct param *p = &cmd->params[i];
		const char *text = given[i] ? given[i] : p->def;
		char *why = NULL;
		if (param_value_parse(p, text, now, &inv->values[i], &why) < 0) {
			strbuf_addf(&msg, "%s: %s%s", p->name, given[i] ? "" : "default ", why);
			free(why);
			at = i;
			rc = bind_fail(cmd, slash, now, i, cause, &msg, false);
		}
	}
	if (rc == 0)
		rc = check_order(cmd, slash, now, inv, cause, &msg, &at);
	free(given);
	if (param)
		*param = rc < 0 ? at : SIZE_MAX;
	strbuf_release(&msg);
	if (rc < 0)
		invocation_release(inv);
	return rc;
}

void invocation_release(struct invocation *inv)
{
	if (!inv)
		return;
	if (inv->values && inv->cmd)
		for (size_t i = 0; i < inv->cmd->nparams; i++)
			arg_value_release(&inv->values[i]);
	free(inv->values);
	inv->values = NULL;
}
