/*
 * command.c: parse a report file's text, commands/NAME.sql (no I/O: the
 * catalog reads the file, commands/catalog.c).
 *
 * How a file is read (this is what `reportbot check` enforces):
 *
 * - The file must be UTF-8 with no NUL byte (a leading UTF-8 BOM is
 *   skipped) and at most COMMAND_MAX_BYTES long; lines end in LF or CRLF.
 * - The header is the run of lines at the top that are blank or start with
 *   `--` (leading spaces allowed). It ends at the first other line, where
 *   the SQL begins; blank lines and bare `--` lines inside it are fine.
 * - A header line whose first word is followed straight away by ':' and
 *   then a space or the end of the line (`-- summary: ...`) is a key line.
 *   Keys are lower case; any other key (`-- sumary:`, `-- Note:`) is an
 *   error naming the closest key and the accepted ones. Every other header
 *   line (`-- Monthly export for finance`, `-- see http://x`) is a plain
 *   comment and is ignored.
 * - A key line found after the SQL has begun (`-- param: ...` below the
 *   SELECT) is an error too, so a misplaced line is never silently ignored.
 * - Keys other than param may appear once. param lines give the arguments
 *   in order: `param: NAME TYPE[=DEFAULT] description`. A default holding
 *   spaces is written in double quotes (`string="two words"`, `string=""`).
 *   A param without a default is required; required params come first.
 * - An int param may declare a range, `int(1..52)`, `int(1..)`, `int(..52)`;
 *   `order: FIRST <= SECOND` (several separated by commas) says one date
 *   or month param never comes after another of the same type. Values
 *   outside either are refused when binding (commands/args.c).
 * - Every fault is pushed as "PATH:LINE: message" and parsing goes on, so
 *   one `check` run shows them all.
 */
#include "common.h"
#include "commands/command.h"
#include "commands/args.h"
#include "commands/sql-placeholders.h"
#include "commands/suggest.h"
#include "commands/utf8.h"
#include "common/strbuf.h"

#include <ctype.h>
#include <limits.h>
#include <strings.h>
#include <time.h>

#define COMMAND_NAME_MAX 64
#define TIMEOUT_MAX 86400

#define TYPES_ACCEPTED "string, int, int(MIN..MAX), date, month, enum(a|b|c), list"
#define PARAM_FORM "NAME TYPE[=DEFAULT] description"

enum key {
	KEY_SUMMARY,
	KEY_SOURCE,
	KEY_PARAM,
	KEY_CHANNELS,
	KEY_TIMEOUT,
	KEY_MAX_ROWS,
	KEY_FILENAME,
	KEY_BOM,
	KEY_ORDER,
	KEY_ALLOW,
	/* issue 12: the post */
	KEY_PREVIEW,
	KEY_CHART,
	/* issue 15: script reports */
	KEY_ENV,
	KEY_COUNT,
};

static const char *const key_names[KEY_COUNT] = {
	"summary", "source", "param", "channels", "timeout", "max_rows", "filename", "bom",
	"order",
	[KEY_ALLOW] = "allow",
	[KEY_PREVIEW] = "preview",
	[KEY_CHART] = "chart",
	[KEY_ENV] = "env",
};
#define KEYS_ACCEPTED "summary, source, param, channels, timeout, max_rows, filename, bom, " \
	"order, allow, preview, chart, env (scripts)"

struct parser {
	struct command *cmd;
	const char *path;
	struct strlist *errors;
	time_t now;
	int key_line[KEY_COUNT];    /* first line of each key, 0 = not seen */
	int *param_lines;           /* line of each param */
	size_t params_alloc;
	struct strlist bad_params;  /* names of params with faults: no follow-up faults */
	size_t channels_alloc;
	char *order_text;           /* the `order:` value, resolved after the header */
	bool script;                /* issue 15: a script's header (command_parse_script) */
};

static void PRINTF_LIKE(3, 4) fault(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	strlist_pushf(ps->errors, "%s:%d: %s", ps->path, line, msg);
	free(msg);
}

const char *param_type_name(enum param_type t)
{
	switch (t) {
	case PARAM_STRING: return "string";
	case PARAM_INT: return "int";
	case PARAM_DATE: return "date";
	case PARAM_MONTH: return "month";
	case PARAM_ENUM: return "enum";
	case PARAM_LIST: return "list";
	}
	return "?";
}

const struct param *command_find_param(const struct command *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->nparams; i++)
		if (strcmp(cmd->params[i].name, name) == 0)
			return &cmd->params[i];
	return NULL;
}

bool command_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > COMMAND_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool param_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > COMMAND_NAME_MAX)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Trim s[0..*n) in place: returns the new start, updates *n. */
static const char *trim(const char *s, size_t *n)
{
	while (*n && is_space(*s)) {
		s++;
		(*n)--;
	}
	while (*n && is_space(s[*n - 1]))
		(*n)--;
	return s;
}

/* --- key handlers ------------------------------------------------------ */

static void add_param(struct parser *ps, struct param *p, int line)
{
	struct command *cmd = ps->cmd;
	if (cmd->nparams == ps->params_alloc) {
		ps->params_alloc = ps->params_alloc ? ps->params_alloc * 2 : 4;
		cmd->params = xrealloc(cmd->params, ps->params_alloc * sizeof(*cmd->params));
		ps->param_lines = xrealloc(ps->param_lines, ps->params_alloc * sizeof(*ps->param_lines));
	}
	cmd->params[cmd->nparams] = *p;
	ps->param_lines[cmd->nparams] = line;
	cmd->nparams++;
}

static void param_release(struct param *p)
{
	free(p->name);
	for (size_t i = 0; i < p->nchoices; i++)
		free(p->choices[i]);
	free(p->choices);
	free(p->def);
	free(p->description);
	memset(p, 0, sizeof(*p));
}

static bool choice_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Parse the inside of enum(...) into p->choices. */
static int parse_choices(struct parser *ps, int line, struct param *p, const char *s, size_t n)
{
	int rc = 0;
	size_t i = 0;
	for (;;) {
		size_t j = i;
		while (j < n && s[j] != '|')
			j++;
		size_t len = j - i;
		const char *c = trim(s + i, &len);
		bool ok = len > 0;
		for (size_t k = 0; k < len && ok; k++)
			ok = choice_char(c[k]);
		if (len == 0) {
			fault(ps, line, "param %s: empty choice in enum(%.*s); write enum(a|b|c)",
			      p->name, (int)n, s);
			rc = -1;
		} else if (!ok) {
			fault(ps, line, "param %s: enum choice '%.*s' is not valid; use letters, "
			      "digits, _ - and ., e.g. enum(csv|tsv)", p->name, (int)len, c);
			rc = -1;
		} else {
			bool dup = false;
			for (size_t k = 0; k < p->nchoices; k++)
				if (strlen(p->choices[k]) == len && strncasecmp(p->choices[k], c, len) == 0)
					dup = true;
			if (dup) {
				fault(ps, line, "param %s: enum choice '%.*s' is listed twice",
				      p->name, (int)len, c);
				rc = -1;
			} else {
				p->choices = xrealloc(p->choices, (p->nchoices + 1) * sizeof(*p->choices));
				p->choices[p->nchoices++] = xstrndup(c, len);
			}
		}
		if (j >= n)
			break;
		i = j + 1;
	}
	return rc;
}

/* --- int ranges and the order of params ---------------------------------- */

#define RANGE_FORMS "write int(MIN..MAX) with whole numbers, e.g. int(1..52); an end " \
	"may be left open: int(1..) or int(..52)"

/* One end of a range: "" (open) or a whole number with an optional '-'. */
static bool range_end(const char *s, size_t n, bool *has, int64_t *out)
{
	*has = n > 0;
	if (!n)
		return true;
	size_t d = s[0] == '-' || s[0] == '+';
	if (n == d || n - d > 19)
		return false;
	for (size_t i = d; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	char buf[24];
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	long long x = strtoll(buf, NULL, 10);
	if (errno)
		return false;
	*out = x;
	return true;
}

/* The inside of int(...): MIN..MAX, MIN.. or ..MAX. */
static int parse_range(struct parser *ps, int line, struct param *p, const char *s, size_t n)
{
	size_t len = n;
	const char *r = trim(s, &len);
	const char *dots = NULL;
	for (size_t i = 0; i + 1 < len && !dots; i++)
		if (r[i] == '.' && r[i + 1] == '.')
			dots = r + i;
	if (!dots) {
		fault(ps, line, "param %s: range '%.*s' has no '..'; " RANGE_FORMS, p->name,
		      (int)n, s);
		return -1;
	}
	size_t ln = (size_t)(dots - r), rn = len - ln - 2;
	const char *lo = trim(r, &ln), *hi = trim(dots + 2, &rn);
	if (!range_end(lo, ln, &p->has_min, &p->min) || !range_end(hi, rn, &p->has_max, &p->max)) {
		fault(ps, line, "param %s: range '%.*s' is not valid; " RANGE_FORMS, p->name,
		      (int)n, s);
		return -1;
	}
	if (!p->has_min && !p->has_max) {
		fault(ps, line, "param %s: range '%.*s' has no end; give at least one, or write "
		      "plain int", p->name, (int)n, s);
		return -1;
	}
	if (p->has_min && p->has_max && p->min > p->max) {
		fault(ps, line, "param %s: range %lld..%lld is empty; the smaller end comes first, "
		      "e.g. int(%lld..%lld)", p->name, (long long)p->min, (long long)p->max,
		      (long long)p->max, (long long)p->min);
		return -1;
	}
	return 0;
}

#define ORDER_FORM "write -- order: FIRST <= SECOND with two date or two month params, " \
	"e.g. from <= to (several separated by commas)"

static void unknown_name(struct parser *ps, int line, const char *what, const char *name,
			 const char *open, const char *close);

/* One `FIRST <= SECOND` of the order key, resolved against the params. */
static void order_pair(struct parser *ps, int line, const char *s, size_t n)
{
	struct command *cmd = ps->cmd;
	size_t len = n;
	const char *t = trim(s, &len);
	const char *le = NULL;
	for (size_t i = 0; i + 1 < len && !le; i++)
		if (t[i] == '<' && t[i + 1] == '=')
			le = t + i;
	size_t an = le ? (size_t)(le - t) : 0, bn = le ? len - an - 2 : 0;
	const char *a = le ? trim(t, &an) : NULL, *b = le ? trim(le + 2, &bn) : NULL;
	if (!le || !an || !bn) {
		fault(ps, line, "order '%.*s' is not valid; " ORDER_FORM, (int)len, t);
		return;
	}
	char *first = xstrndup(a, an), *second = xstrndup(b, bn);
	const struct param *pa = command_find_param(cmd, first);
	const struct param *pb = command_find_param(cmd, second);
	if (!pa || !pb) {
		unknown_name(ps, line, "order:", pa ? second : first, "", "");
	} else if (pa == pb) {
		fault(ps, line, "order '%.*s' compares %s with itself; " ORDER_FORM, (int)len, t,
		      first);
	} else if ((pa->type != PARAM_DATE && pa->type != PARAM_MONTH) || pa->type != pb->type) {
		fault(ps, line, "order '%.*s': %s is of type %s and %s of type %s; both must be "
		      "date or both month", (int)len, t, first, param_type_name(pa->type), second,
		      param_type_name(pb->type));
	} else {
		cmd->orders = xrealloc(cmd->orders, (cmd->norders + 1) * sizeof(*cmd->orders));
		cmd->orders[cmd->norders].first = (size_t)(pa - cmd->params);
		cmd->orders[cmd->norders].second = (size_t)(pb - cmd->params);
		cmd->norders++;
	}
	free(first);
	free(second);
}

/* The order key, once every param is known. */
static void check_orders(struct parser *ps)
{
	const char *s = ps->order_text;
	if (!s)
		return;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		order_pair(ps, ps->key_line[KEY_ORDER], s, n);
		if (!comma)
			break;
		s = comma + 1;
	}
}

static void key_param(struct parser *ps, int line, const char *v, size_t n)
{
	struct param p;
	memset(&p, 0, sizeof(p));
	size_t i = 0;

	/* NAME */
	while (i < n && !is_space(v[i]))
		i++;
	p.name = xstrndup(v, i);
	if (!param_name_valid(p.name)) {
		fault(ps, line, "param name '%s' is not valid; use lower-case letters, digits and _, "
		      "starting with a letter or _, e.g. customer_id (form: " PARAM_FORM ")", p.name);
		goto bad;
	}
	for (size_t k = 0; k < ps->cmd->nparams; k++)
		if (strcmp(ps->cmd->params[k].name, p.name) == 0) {
			fault(ps, line, "duplicate param '%s' (first at line %d)", p.name,
			      ps->param_lines[k]);
			goto bad;
		}
	while (i < n && is_space(v[i]))
		i++;
	if (i == n) {
		fault(ps, line, "param %s: missing type; write " PARAM_FORM " with a type from "
		      TYPES_ACCEPTED, p.name);
		goto bad;
	}

	/* TYPE */
	size_t t0 = i;
	if (n - i >= 5 && strncmp(v + i, "enum(", 5) == 0) {
		size_t close = i + 5;
		while (close < n && v[close] != ')')
			close++;
		if (close == n) {
			fault(ps, line, "param %s: enum( is not closed; write enum(a|b|c)", p.name);
			goto bad;
		}
		p.type = PARAM_ENUM;
		if (parse_choices(ps, line, &p, v + i + 5, close - i - 5) < 0)
			goto bad;
		i = close + 1;
	} else if (n - i >= 4 && strncmp(v + i, "int(", 4) == 0) {
		size_t close = i + 4;
		while (close < n && v[close] != ')')
			close++;
		if (close == n) {
			fault(ps, line, "param %s: int( is not closed; " RANGE_FORMS, p.name);
			goto bad;
		}
		p.type = PARAM_INT;
		if (parse_range(ps, line, &p, v + i + 4, close - i - 4) < 0)
			goto bad;
		i = close + 1;
	} else {
		while (i < n && !is_space(v[i]) && v[i] != '=')
			i++;
		static const char *const types[] = { "string", "int", "date", "month", "enum", "list" };
		static const enum param_type tvals[] = { PARAM_STRING, PARAM_INT, PARAM_DATE,
							 PARAM_MONTH, PARAM_ENUM, PARAM_LIST };
		char *tname = xstrndup(v + t0, i - t0);
		size_t k;
		for (k = 0; k < ARRAY_SIZE(types); k++)
			if (strcmp(tname, types[k]) == 0)
				break;
		if (k == ARRAY_SIZE(types)) {
			const char *near = suggest_closest(tname, types, ARRAY_SIZE(types));
			fault(ps, line, "param %s: unknown type '%s'; %s%s%saccepted: " TYPES_ACCEPTED,
			      p.name, tname, near ? "did you mean '" : "", near ? near : "",
			      near ? "'? " : "");
			free(tname);
			goto bad;
		}
		free(tname);
		p.type = tvals[k];
		if (p.type == PARAM_ENUM) {
			fault(ps, line, "param %s: enum needs its choices, e.g. enum(csv|tsv)", p.name);
			goto bad;
		}
	}

	/* =DEFAULT */
	if (i < n && v[i] == '=') {
		i++;
		struct strbuf def;
		strbuf_init(&def);
		if (i < n && v[i] == '"') {
			bool closed = false;
			for (i++; i < n; i++) {
				if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '"' || v[i + 1] == '\\')) {
					strbuf_addc(&def, v[++i]);
				} else if (v[i] == '"') {
					closed = true;
					i++;
					break;
				} else {
					strbuf_addc(&def, v[i]);
				}
			}
			if (!closed) {
				strbuf_release(&def);
				fault(ps, line, "param %s: default has an unclosed quote; write "
				      "%s=\"two words\"", p.name, param_type_name(p.type));
				goto bad;
			}
		} else {
			size_t d0 = i;
			while (i < n && !is_space(v[i]))
				i++;
			if (i == d0) {
				strbuf_release(&def);
				fault(ps, line, "param %s: '=' without a default; write %s=VALUE, or "
				      "%s=\"\" for an empty one", p.name, param_type_name(p.type),
				      param_type_name(p.type));
				goto bad;
			}
			strbuf_add(&def, v + d0, i - d0);
		}
		p.def = strbuf_detach(&def);
	}
	if (i < n && !is_space(v[i])) {
		fault(ps, line, "param %s: unexpected '%c' after the type; write " PARAM_FORM,
		      p.name, v[i]);
		goto bad;
	}

	/* description */
	size_t dn = n - i;
	const char *d = trim(v + i, &dn);
	p.description = xstrndup(d, dn);

	if (p.def) {
		struct arg_value val;
		char *cause = NULL;
		if (param_value_parse(&p, p.def, ps->now, &val, &cause) < 0) {
			fault(ps, line, "param %s: default %s", p.name, cause);
			free(cause);
			goto bad;
		}
		arg_value_release(&val);
	}
	add_param(ps, &p, line);
	return;
bad:
	if (p.name)
		strlist_push(&ps->bad_params, xstrdup(p.name));
	param_release(&p);
}

static bool channel_id_valid(const char *s, size_t n)
{
	if (n < 2 || n > 32 || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* The next word of a header list value from *i: words are separated by
 * spaces, and also by commas when COMMAS. false at the end. */
static bool list_next(const char *v, size_t n, size_t *i, bool commas, const char **w, size_t *wn)
{
	while (*i < n && (is_space(v[*i]) || (commas && v[*i] == ',')))
		(*i)++;
	size_t s0 = *i;
	while (*i < n && !is_space(v[*i]) && !(commas && v[*i] == ','))
		(*i)++;
	*w = v + s0;
	*wn = *i - s0;
	return *wn > 0;
}

/* Whether the first N strings of LIST include the word (w, wn). */
static bool list_has(char *const *list, size_t n, const char *w, size_t wn)
{
	for (size_t k = 0; k < n; k++)
		if (strlen(list[k]) == wn && memcmp(list[k], w, wn) == 0)
			return true;
	return false;
}

static void key_channels(struct parser *ps, int line, const char *v, size_t n)
{
	struct command *cmd = ps->cmd;
	size_t i = 0, len;
	const char *c;
	while (list_next(v, n, &i, false, &c, &len)) {
		if (!channel_id_valid(c, len)) {
			fault(ps, line, "channel '%.*s' is not a channel id; use ids like C0123456789 "
			      "separated by spaces (a channel's id is at the bottom of its details)",
			      (int)len, c);
			continue;
		}
		if (list_has(cmd->channels, cmd->nchannels, c, len)) {
			fault(ps, line, "channel %.*s is listed twice", (int)len, c);
			continue;
		}
		if (cmd->nchannels == ps->channels_alloc) {
			ps->channels_alloc = ps->channels_alloc ? ps->channels_alloc * 2 : 4;
			cmd->channels = xrealloc(cmd->channels, ps->channels_alloc * sizeof(*cmd->channels));
		}
		cmd->channels[cmd->nchannels++] = xstrndup(c, len);
	}
}

/* ---- allow: who may run it ---- */

/* A Slack user id (U…, W…) or user group id (S…): the letter, then at
 * least two of [A-Z0-9]. */
static bool allow_id_valid(const char *s, size_t n)
{
	if (n < 3 || n > 32 || (s[0] != 'U' && s[0] != 'W' && s[0] != 'S'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* A group of [access.groups]: a lowercase letter, then [a-z0-9_-]. Whether
 * it exists is the config's business (bot/access.c, `reportbot check`). */
static bool allow_group_valid(const char *s, size_t n)
{
	if (n == 0 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* `-- allow: GROUP|USER, …`: names separated by commas and/or spaces. */
static void key_allow(struct parser *ps, int line, const char *v, size_t n)
{
	struct command *cmd = ps->cmd;
	size_t i = 0, len;
	const char *a;
	cmd->allow_line = line;
	while (list_next(v, n, &i, true, &a, &len)) {
		if (!allow_id_valid(a, len) && !allow_group_valid(a, len)) {
			fault(ps, line, "allow '%.*s' is neither a group nor a Slack id; use group names "
			      "from [access.groups] of the config or ids like U0123456789 (a person) or "
			      "S0123456789 (a Slack user group), separated by commas", (int)(len > 64 ? 64 : len), a);
			continue;
		}
		if (list_has(cmd->allow, cmd->nallow, a, len)) {
			fault(ps, line, "allow lists '%.*s' twice", (int)len, a);
			continue;
		}
		cmd->allow = xrealloc(cmd->allow, (cmd->nallow + 1) * sizeof(*cmd->allow));
		cmd->allow[cmd->nallow++] = xstrndup(a, len);
	}
}

/* --- chart: (issue 12) --------------------------------------------------- */

#define CHART_FORM "TYPE x=COLUMN y=COLUMN[,COLUMN…] (TYPE: line, bar, area or pie)"

const char *chart_type_name(enum chart_type t)
{
	switch (t) {
	case CHART_LINE: return "line";
	case CHART_BAR: return "bar";
	case CHART_AREA: return "area";
	case CHART_PIE: return "pie";
	case CHART_NONE: break;
	}
	return "none";
}

/* A column name in a chart: no blank, no comma, no '='. */
static bool chart_column_valid(const char *s, size_t n)
{
	if (n == 0 || n > 256)
		return false;
	for (size_t i = 0; i < n; i++)
		if (is_space(s[i]) || s[i] == ',' || s[i] == '=')
			return false;
	return true;
}

static void chart_spec_release(struct chart_spec *c)
{
	free(c->x);
	for (size_t i = 0; i < c->ny; i++)
		free(c->y[i]);
	free(c->y);
	memset(c, 0, sizeof(*c));
}

/* `chart: TYPE x=COL y=COL[,COL…]`; on a fault the chart stays CHART_NONE. */
static void key_chart(struct parser *ps, int line, const char *v, size_t n)
{
	struct chart_spec c = { .type = CHART_NONE, .line = line };
	size_t i = 0;
	int words = 0;
	bool bad = false;
	while (i < n && !bad) {
		while (i < n && is_space(v[i]))
			i++;
		size_t w0 = i;
		while (i < n && !is_space(v[i]))
			i++;
		const char *w = v + w0;
		size_t wn = i - w0;
		if (wn == 0)
			break;
		if (words++ == 0) {
			static const enum chart_type types[] = { CHART_LINE, CHART_BAR, CHART_AREA, CHART_PIE };
			for (size_t t = 0; t < ARRAY_SIZE(types); t++)
				if (strlen(chart_type_name(types[t])) == wn &&
				    memcmp(chart_type_name(types[t]), w, wn) == 0)
					c.type = types[t];
			if (c.type == CHART_NONE) {
				fault(ps, line, "chart type '%.*s' is not known; write '-- chart: " CHART_FORM "'",
				      (int)wn, w);
				bad = true;
			}
			continue;
		}
		if (wn >= 2 && w[0] == 'x' && w[1] == '=') {
			if (c.x) {
				fault(ps, line, "chart: x= is given twice; write '-- chart: " CHART_FORM "'");
				bad = true;
			} else if (!chart_column_valid(w + 2, wn - 2)) {
				fault(ps, line, "chart: x='%.*s' is not a column name; write '-- chart: " CHART_FORM "'",
				      (int)(wn - 2), w + 2);
				bad = true;
			} else {
				c.x = xstrndup(w + 2, wn - 2);
			}
		} else if (wn >= 2 && w[0] == 'y' && w[1] == '=') {
			if (c.ny) {
				fault(ps, line, "chart: y= is given twice; list the columns once, "
				      "separated by commas: y=a,b");
				bad = true;
				continue;
			}
			const char *p = w + 2, *end = w + wn;
			for (;;) {
				const char *comma = memchr(p, ',', (size_t)(end - p));
				size_t cn = comma ? (size_t)(comma - p) : (size_t)(end - p);
				if (!chart_column_valid(p, cn)) {
					fault(ps, line, "chart: y='%.*s' is not a list of column names; write "
					      "y=COLUMN[,COLUMN…]", (int)(wn - 2), w + 2);
					bad = true;
					break;
				}
				for (size_t k = 0; k < c.ny && !bad; k++)
					if (strlen(c.y[k]) == cn && memcmp(c.y[k], p, cn) == 0) {
						fault(ps, line, "chart: y column '%.*s' is listed twice", (int)cn, p);
						bad = true;
					}
				if (bad)
					break;
				if (c.ny == CHART_SERIES_MAX) {
					fault(ps, line, "chart: more than %d y columns; Slack draws at most %d "
					      "series", CHART_SERIES_MAX, CHART_SERIES_MAX);
					bad = true;
					break;
				}
				c.y = xrealloc(c.y, (c.ny + 1) * sizeof(*c.y));
				c.y[c.ny++] = xstrndup(p, cn);
				if (!comma)
					break;
				p = comma + 1;
			}
		} else {
			fault(ps, line, "chart: '%.*s' is not understood; write '-- chart: " CHART_FORM "'",
			      (int)wn, w);
			bad = true;
		}
	}
	if (!bad && (!c.x || !c.ny)) {
		fault(ps, line, "chart: %s; write '-- chart: " CHART_FORM "'",
		      !c.x && !c.ny ? "x= and y= are missing" : !c.x ? "x= is missing" : "y= is missing");
		bad = true;
	}
	if (!bad && c.type == CHART_PIE && c.ny != 1) {
		fault(ps, line, "chart: a pie has one y column (its segments' values), not %zu", c.ny);
		bad = true;
	}
	if (bad) {
		chart_spec_release(&c);
		return;
	}
	ps->cmd->chart = c;
}

/* --- env: (issue 15, script reports) ------------------------------------ */

bool env_name_valid(const char *s, size_t n)
{
	if (n == 0 || n > 128 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/* `env: NAME[, NAME…]`: variables of the bot's environment the script may
 * receive. The ones it always gets, the params' and the bot's secrets are
 * refused here; a source's password variable is refused by `check`. */
static void key_env(struct parser *ps, int line, const char *v, size_t n)
{
	struct command *cmd = ps->cmd;
	if (!ps->script) {
		fault(ps, line, "env: is for script reports; a .sql report gets no environment");
		return;
	}
	cmd->env_line = line;
	size_t i = 0, len;
	const char *e;
	while (list_next(v, n, &i, true, &e, &len)) {
		if (!env_name_valid(e, len)) {
			fault(ps, line, "env '%.*s' is not a variable name; use letters, digits and _, "
			      "e.g. env: AWS_PROFILE", (int)(len > 64 ? 64 : len), e);
			continue;
		}
		static const char *const always[] = { "PATH", "HOME", "LANG", "TZ" };
		bool bad = false;
		for (size_t k = 0; k < ARRAY_SIZE(always) && !bad; k++)
			if (strlen(always[k]) == len && memcmp(always[k], e, len) == 0) {
				fault(ps, line, "env %.*s: every script gets PATH, HOME, LANG and TZ "
				      "(bot.timezone); remove it", (int)len, e);
				bad = true;
			}
		if (!bad && len >= 7 && memcmp(e, "REPORT_", 7) == 0) {
			fault(ps, line, "env %.*s: REPORT_ variables are the params' values; pick "
			      "another name", (int)len, e);
			bad = true;
		}
		if (!bad && ((len == 15 && memcmp(e, "SLACK_APP_TOKEN", 15) == 0) ||
			     (len == 15 && memcmp(e, "SLACK_BOT_TOKEN", 15) == 0))) {
			fault(ps, line, "env %.*s: the bot's Slack tokens never reach a script", (int)len, e);
			bad = true;
		}
		if (!bad && list_has(cmd->env, cmd->nenv, e, len)) {
			fault(ps, line, "env lists %.*s twice", (int)len, e);
			bad = true;
		}
		if (bad)
			continue;
		cmd->env = xrealloc(cmd->env, (cmd->nenv + 1) * sizeof(*cmd->env));
		cmd->env[cmd->nenv++] = xstrndup(e, len);
	}
}

/* A whole number in [min, max], all digits; false otherwise. */
static bool parse_count(const char *v, size_t n, long long min, long long max, long long *out)
{
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	char buf[24];
	memcpy(buf, v, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	long long x = strtoll(buf, &end, 10);
	if (errno || *end || x < min || x > max)
		return false;
	*out = x;
	return true;
}

static void key_value(struct parser *ps, enum key k, int line, const char *v, size_t n)
{
	struct command *cmd = ps->cmd;
	long long x;

	if (k != KEY_PARAM && k != KEY_CHANNELS && n == 0) {
		fault(ps, line, "%s is empty; write '-- %s: VALUE' or remove the line", key_names[k],
		      key_names[k]);
		return;
	}
	switch (k) {
	case KEY_SUMMARY:
		cmd->summary = xstrndup(v, n);
		break;
	case KEY_SOURCE: {
		if (ps->script) {
			fault(ps, line, "source: does not apply to a script report; a script reads its "
			      "data itself (remove the line)");
			break;
		}
		bool ok = true;
		for (size_t i = 0; i < n && ok; i++)
			ok = isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '-';
		if (!ok)
			fault(ps, line, "source '%.*s' is not a source name; use the NAME of a "
			      "[sources.NAME] table in the config, e.g. main", (int)n, v);
		else
			cmd->source = xstrndup(v, n);
		break;
	}
	case KEY_PARAM:
		if (n == 0)
			fault(ps, line, "param is empty; write '-- param: " PARAM_FORM "'");
		else
			key_param(ps, line, v, n);
		break;
	case KEY_CHANNELS:
		if (n == 0)
			fault(ps, line, "channels is empty; list channel ids like C0123456789, or "
			      "remove the line to allow every channel");
		else
			key_channels(ps, line, v, n);
		break;
	case KEY_TIMEOUT:
		if (parse_count(v, n, 1, TIMEOUT_MAX, &x))
			cmd->timeout = (int)x;
		else
			fault(ps, line, "timeout '%.*s' is not valid; use a whole number of seconds "
			      "from 1 to %d, e.g. 300", (int)n, v, TIMEOUT_MAX);
		break;
	case KEY_MAX_ROWS:
		if (parse_count(v, n, 1, INT64_MAX, &x))
			cmd->max_rows = x;
		else
			fault(ps, line, "max_rows '%.*s' is not valid; use a positive whole number, "
			      "e.g. 100000", (int)n, v);
		break;
	case KEY_FILENAME:
		cmd->filename = xstrndup(v, n);
		break;
	case KEY_BOM:
		if (n == 4 && memcmp(v, "true", 4) == 0)
			cmd->bom = 1;
		else if (n == 5 && memcmp(v, "false", 5) == 0)
			cmd->bom = 0;
		else
			fault(ps, line, "bom '%.*s' is not valid; use true or false", (int)n, v);
		break;
	case KEY_ORDER:
		ps->order_text = xstrndup(v, n);
		break;
	case KEY_ALLOW:
		key_allow(ps, line, v, n);
		break;
	case KEY_PREVIEW:
		if (parse_count(v, n, 0, COMMAND_PREVIEW_MAX, &x))
			cmd->preview = (int)x;
		else
			fault(ps, line, "preview '%.*s' is not valid; use a number of rows from 0 (no "
			      "preview) to %d, e.g. 10", (int)n, v, COMMAND_PREVIEW_MAX);
		break;
	case KEY_CHART:
		key_chart(ps, line, v, n);
		break;
	case KEY_ENV:
		key_env(ps, line, v, n);
		break;
	case KEY_COUNT:
		break;
	}
}

/*
 * If line (text after the leading "--") is a key line, its key and value.
 * Returns false for a plain comment.
 */
static bool split_key_line(const char *s, size_t n, const char **key, size_t *keylen,
			   const char **val, size_t *vallen)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t k0 = i;
	if (i == n || !isalpha((unsigned char)s[i]))
		return false;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
		i++;
	if (i == n || s[i] != ':')
		return false;
	if (i + 1 < n && !is_space(s[i + 1]))
		return false;
	*key = s + k0;
	*keylen = i - k0;
	*vallen = n - i - 1;
	*val = trim(s + i + 1, vallen);
	return true;
}

static int find_key(const char *key, size_t keylen)
{
	for (int k = 0; k < KEY_COUNT; k++)
		if (strlen(key_names[k]) == keylen && memcmp(key_names[k], key, keylen) == 0)
			return k;
	return -1;
}

static void header_line(struct parser *ps, int line, const char *s, size_t n)
{
	const char *key, *val;
	size_t keylen, vallen;
	if (!split_key_line(s, n, &key, &keylen, &val, &vallen))
		return;
	int k = find_key(key, keylen);
	if (k < 0) {
		char *word = xstrndup(key, keylen);
		const char *near = suggest_closest(word, key_names, KEY_COUNT);
		fault(ps, line, "unknown key '%s'; %s%s%saccepted: " KEYS_ACCEPTED
		      " (a comment line must not start with 'word:')", word,
		      near ? "did you mean '" : "", near ? near : "", near ? "'? " : "");
		free(word);
		return;
	}
	if (k != KEY_PARAM && ps->key_line[k]) {
		fault(ps, line, "duplicate key '%s' (first at line %d)", key_names[k], ps->key_line[k]);
		return;
	}
	if (!ps->key_line[k])
		ps->key_line[k] = line;
	key_value(ps, (enum key)k, line, val, vallen);
}

/* --- checks after the header -------------------------------------------- */

static void check_params(struct parser *ps)
{
	struct command *cmd = ps->cmd;
	const char *optional = NULL;
	for (size_t i = 0; i < cmd->nparams; i++) {
		struct param *p = &cmd->params[i];
		if (p->def) {
			if (!optional)
				optional = p->name;
		} else if (optional) {
			fault(ps, ps->param_lines[i], "required param '%s' comes after optional param "
			      "'%s'; put the params without a default first", p->name, optional);
		}
		if (p->type != PARAM_MONTH)
			continue;
		size_t len = strlen(p->name);
		for (size_t j = 0; j < cmd->nparams; j++) {
			const char *o = cmd->params[j].name;
			if (strncmp(o, p->name, len) == 0 &&
			    (strcmp(o + len, "_start") == 0 || strcmp(o + len, "_end") == 0))
				fault(ps, ps->param_lines[j], "param '%s' clashes with :%s of month param "
				      "'%s'; rename one of them", o, o, p->name);
		}
	}
}

/* The param a placeholder or filename field stands for, or NULL. */
static const struct param *resolve_name(const struct command *cmd, const char *name)
{
	const struct param *p = command_find_param(cmd, name);
	if (p)
		return p;
	for (size_t i = 0; i < cmd->nparams; i++) {
		const struct param *m = &cmd->params[i];
		size_t len = strlen(m->name);
		if (m->type == PARAM_MONTH && strncmp(name, m->name, len) == 0 &&
		    (strcmp(name + len, "_start") == 0 || strcmp(name + len, "_end") == 0))
			return m;
	}
	return NULL;
}

/* Every name a placeholder may use, for suggestions; caller frees v (not strings). */
static void placeholder_names(const struct command *cmd, struct strlist *names)
{
	for (size_t i = 0; i < cmd->nparams; i++) {
		const struct param *p = &cmd->params[i];
		strlist_push(names, xstrdup(p->name));
		if (p->type == PARAM_MONTH) {
			strlist_pushf(names, "%s_start", p->name);
			strlist_pushf(names, "%s_end", p->name);
		}
	}
}

static void describe_names(const struct strlist *names, const char *open, const char *close,
			   struct strbuf *out)
{
	for (size_t i = 0; i < names->n; i++)
		strbuf_addf(out, "%s%s%s%s", i ? ", " : "", open, names->v[i], close);
}

static void unknown_name(struct parser *ps, int line, const char *what, const char *name,
			 const char *open, const char *close)
{
	for (size_t i = 0; i < ps->bad_params.n; i++) {
		const char *b = ps->bad_params.v[i];
		size_t len = strlen(b);
		if (strcmp(name, b) == 0 || (strncmp(name, b, len) == 0 &&
		    (strcmp(name + len, "_start") == 0 || strcmp(name + len, "_end") == 0)))
			return;   /* the param line already has a fault */
	}
	struct strlist names;
	strlist_init(&names);
	placeholder_names(ps->cmd, &names);
	const char *near = suggest_closest(name, (const char *const *)names.v, names.n);
	struct strbuf msg;
	strbuf_init(&msg);
	strbuf_addf(&msg, "%s %s%s%s is not a declared param", what, open, name, close);
	if (near)
		strbuf_addf(&msg, "; did you mean %s%s%s?", open, near, close);
	if (names.n) {
		strbuf_adds(&msg, near ? " declared: " : "; declared: ");
		describe_names(&names, open, close, &msg);
	} else {
		strbuf_addf(&msg, "; declare it with '-- param: %s TYPE description'", name);
	}
	fault(ps, line, "%s", msg.buf);
	strbuf_release(&msg);
	strlist_release(&names);
}

static void check_filename(struct parser *ps)
{
	const char *t = ps->cmd->filename;
	int line = ps->key_line[KEY_FILENAME];
	if (!t)
		return;
	for (size_t i = 0; t[i];) {
		if (t[i] == '}') {
			fault(ps, line, "filename '%s': '}' without '{'; fields are written {param}", t);
			return;
		}
		if (t[i] != '{') {
			i++;
			continue;
		}
		const char *close = strchr(t + i, '}');
		if (!close) {
			fault(ps, line, "filename '%s': '{' is not closed; fields are written {param}", t);
			return;
		}
		char *field = xstrndup(t + i + 1, (size_t)(close - t) - i - 1);
		if (!resolve_name(ps->cmd, field))
			unknown_name(ps, line, "filename field", field, "{", "}");
		free(field);
		i = (size_t)(close - t) + 1;
	}
}

/* Known key lines below the start of the SQL. */
static void check_late_keys(struct parser *ps, const char *sql, size_t len, int first_line)
{
	int line = first_line;
	size_t i = 0;
	while (i < len) {
		const char *eol = memchr(sql + i, '\n', len - i);
		size_t n = eol ? (size_t)(eol - (sql + i)) : len - i;
		const char *s = sql + i;
		size_t j = 0;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		const char *key, *val;
		size_t keylen, vallen;
		if (line > first_line && j + 1 < n && s[j] == '-' && s[j + 1] == '-' &&
		    split_key_line(s + j + 2, n - j - 2, &key, &keylen, &val, &vallen) &&
		    find_key(key, keylen) >= 0)
			fault(ps, line, "'%.*s:' line after the SQL began at line %d; header lines go "
			      "above the SQL", (int)keylen, key, first_line);
		i += n + 1;
		line++;
	}
}

static void check_sql(struct parser *ps, const char *sql, size_t len, int first_line)
{
	struct command *cmd = ps->cmd;
	struct sql_split sp;

	check_late_keys(ps, sql, len, first_line);
	sql_split(sql, len, ps->path, first_line, &sp, ps->errors);
	if (!sp.has_code) {
		fault(ps, first_line, "no SQL after the header; write the SELECT below the -- lines");
		sql_split_release(&sp);
		return;
	}

	bool *used = xcalloc(cmd->nparams, sizeof(*used));
	for (size_t i = 0; i < sp.npieces; i++) {
		const char *name = sp.pieces[i].name;
		if (!name)
			continue;
		const struct param *p = resolve_name(cmd, name);
		if (p)
			used[p - cmd->params] = true;
		else
			unknown_name(ps, sp.lines[i], "placeholder", name, ":", "");
	}
	for (size_t i = 0; i < cmd->nparams; i++) {
		const struct param *p = &cmd->params[i];
		if (used[i])
			continue;
		if (p->type == PARAM_MONTH)
			fault(ps, ps->param_lines[i], "param '%s' is not used in the SQL; use :%s, "
			      ":%s_start or :%s_end, or remove the param", p->name, p->name, p->name,
			      p->name);
		else
			fault(ps, ps->param_lines[i], "param '%s' is not used in the SQL; use :%s or "
			      "remove the param", p->name, p->name);
	}
	free(used);
	cmd->pieces = sp.pieces;
	cmd->npieces = sp.npieces;
	free(sp.lines);
}

/* --- entry points -------------------------------------------------------- */

/* The LINE of "PATH:LINE: ...", for sorting this file's faults. */
static long fault_line(const char *msg, size_t pathlen)
{
	return strtol(msg + pathlen + 1, NULL, 10);
}

/* Faults come out in file order (checks after the header run later). */
static void sort_faults(struct strlist *errors, size_t from, size_t pathlen)
{
	for (size_t i = from + 1; i < errors->n; i++) {
		char *m = errors->v[i];
		long l = fault_line(m, pathlen);
		size_t j = i;
		while (j > from && fault_line(errors->v[j - 1], pathlen) > l) {
			errors->v[j] = errors->v[j - 1];
			j--;
		}
		errors->v[j] = m;
	}
}

static bool check_encoding(struct parser *ps, const char *text, size_t len)
{
	bool ok = true;
	int line = 1, reported = 0;
	size_t i = 0;
	while (i < len && reported < 5) {
		const char *eol = memchr(text + i, '\n', len - i);
		size_t n = eol ? (size_t)(eol - (text + i)) : len - i;
		if (memchr(text + i, '\0', n)) {
			fault(ps, line, "NUL byte in the file; a command file is UTF-8 text");
			ok = false;
			reported++;
		} else {
			size_t bad = utf8_invalid_at(text + i, n);
			if (bad < n) {
				fault(ps, line, "not valid UTF-8 (byte %zu of the line); save the file "
				      "as UTF-8", bad + 1);
				ok = false;
				reported++;
			}
		}
		i += n + 1;
		line++;
	}
	return ok;
}

int command_parse(struct command *cmd, const char *name, const char *path,
		  const char *text, size_t len, struct strlist *errors)
{
	struct parser ps;
	size_t nerrors = errors->n;

	memset(cmd, 0, sizeof(*cmd));
	cmd->bom = -1;
	cmd->preview = -1;
	cmd->name = xstrdup(name ? name : "");
	cmd->path = xstrdup(path ? path : cmd->name);
	memset(&ps, 0, sizeof(ps));
	ps.cmd = cmd;
	ps.path = cmd->path;
	ps.errors = errors;
	ps.now = time(NULL);
	strlist_init(&ps.bad_params);

	if (!command_name_valid(cmd->name))
		fault(&ps, 1, "command name '%s' (from the file name) is not valid; use lower-case "
		      "letters, digits, _ and -, at most %d, e.g. usage-all.sql", cmd->name,
		      COMMAND_NAME_MAX);
	if (len > COMMAND_MAX_BYTES) {
		fault(&ps, 1, "file is %zu bytes; a command file may be at most %d", len,
		      COMMAND_MAX_BYTES);
		goto out;
	}
	if (!check_encoding(&ps, text, len))
		goto out;

	size_t i = 0;
	int line = 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		const char *eol = memchr(text + i, '\n', len - i);
		size_t n = eol ? (size_t)(eol - (text + i)) : len - i;
		size_t tn = n;
		const char *s = trim(text + i, &tn);
		if (tn >= 2 && s[0] == '-' && s[1] == '-')
			header_line(&ps, line, s + 2, tn - 2);
		else if (tn != 0)
			break;
		i += n + 1;
		line++;
	}
	if (i > len)
		i = len;
	cmd->sql = xstrndup(text + i, len - i);
	cmd->sql_line = line;

	check_params(&ps);
	check_orders(&ps);
	check_filename(&ps);
	check_sql(&ps, cmd->sql, len - i, line);
out:
	sort_faults(errors, nerrors, strlen(cmd->path));
	free(ps.param_lines);
	free(ps.order_text);
	strlist_release(&ps.bad_params);
	return errors->n == nerrors ? 0 : -1;
}

void command_release(struct command *cmd)
{
	if (!cmd)
		return;
	free(cmd->name);
	free(cmd->path);
	free(cmd->summary);
	free(cmd->source);
	for (size_t i = 0; i < cmd->nparams; i++)
		param_release(&cmd->params[i]);
	free(cmd->params);
	for (size_t i = 0; i < cmd->nchannels; i++)
		free(cmd->channels[i]);
	free(cmd->channels);
	for (size_t i = 0; i < cmd->nallow; i++)
		free(cmd->allow[i]);
	free(cmd->allow);
	free(cmd->filename);
	free(cmd->sql);
	sql_pieces_free(cmd->pieces, cmd->npieces);
	free(cmd->orders);
	chart_spec_release(&cmd->chart);
	free(cmd->interpreter);
	for (size_t i = 0; i < cmd->nenv; i++)
		free(cmd->env[i]);
	free(cmd->env);
	memset(cmd, 0, sizeof(*cmd));
	cmd->bom = -1;
	cmd->preview = -1;
}

/* --- script reports (issue 15) ------------------------------------------ */

/* The comment marker the header line s[0..n) starts with, or NULL. */
static const char *script_marker(const char *s, size_t n)
{
	static const char *const markers[] = { "//", "--", "#" };
	for (size_t i = 0; i < ARRAY_SIZE(markers); i++) {
		size_t m = strlen(markers[i]);
		if (n >= m && memcmp(s, markers[i], m) == 0)
			return markers[i];
	}
	return NULL;
}

/* Known key lines in the script below its header (a misplaced `# param:`). */
static void script_late_keys(struct parser *ps, const char *text, size_t len, size_t i,
			     int line, int first_line, const char *marker)
{
	size_t m = strlen(marker);
	while (i < len) {
		const char *eol = memchr(text + i, '\n', len - i);
		size_t n = eol ? (size_t)(eol - (text + i)) : len - i;
		const char *s = text + i;
		size_t j = 0;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		const char *key, *val;
		size_t keylen, vallen;
		if (j + m <= n && memcmp(s + j, marker, m) == 0 &&
		    split_key_line(s + j + m, n - j - m, &key, &keylen, &val, &vallen) &&
		    find_key(key, keylen) >= 0)
			fault(ps, line, "'%.*s:' line below the header, which ended at line %d; header "
			      "lines go at the top, right after the #! line", (int)keylen, key,
			      first_line - 1);
		i += n + 1;
		line++;
	}
}

int command_parse_script(struct command *cmd, const char *name, const char *path,
			 const char *text, size_t len, struct strlist *errors)
{
	struct parser ps;
	size_t nerrors = errors->n;

	memset(cmd, 0, sizeof(*cmd));
	cmd->bom = -1;
	cmd->preview = -1;
	cmd->script = true;
	cmd->name = xstrdup(name ? name : "");
	cmd->path = xstrdup(path ? path : cmd->name);
	memset(&ps, 0, sizeof(ps));
	ps.cmd = cmd;
	ps.path = cmd->path;
	ps.errors = errors;
	ps.now = time(NULL);
	ps.script = true;
	strlist_init(&ps.bad_params);

	if (!command_name_valid(cmd->name))
		fault(&ps, 1, "command name '%s' (from the file name without its extension) is not "
		      "valid; use lower-case letters, digits, _ and -, at most %d, e.g. export.py",
		      cmd->name, COMMAND_NAME_MAX);

	/* The #! line, then the header: blank lines and lines starting with
	 * the marker its first line uses. */
	size_t i = 0, body;
	int line = 1;
	if (len >= 2 && text[0] == '#' && text[1] == '!') {
		const char *eol = memchr(text, '\n', len);
		size_t n = eol ? (size_t)(eol - text) : len;
		size_t tn = n - 2;
		const char *t = trim(text + 2, &tn);
		if (!memchr(t, '\0', tn) && utf8_invalid_at(t, tn) == tn)
			cmd->interpreter = xstrndup(t, tn);
		i = n + 1;
		line = 2;
	}
	const char *marker = NULL;
	size_t hdr = i;
	int hline = line;
	while (hdr < len) {
		const char *eol = memchr(text + hdr, '\n', len - hdr);
		size_t n = eol ? (size_t)(eol - (text + hdr)) : len - hdr;
		size_t tn = n;
		const char *s = trim(text + hdr, &tn);
		if (tn && !marker)
			marker = script_marker(s, tn);
		if (tn && (!marker || tn < strlen(marker) || memcmp(s, marker, strlen(marker)) != 0))
			break;
		hdr += n + 1;
		hline++;
	}
	body = hdr > len ? len : hdr;
	if (!check_encoding(&ps, text, body))
		goto out;
	while (i < body) {
		const char *eol = memchr(text + i, '\n', body - i);
		size_t n = eol ? (size_t)(eol - (text + i)) : body - i;
		size_t tn = n;
		const char *s = trim(text + i, &tn);
		if (tn && marker)
			header_line(&ps, line, s + strlen(marker), tn - strlen(marker));
		i += n + 1;
		line++;
	}
	cmd->sql_line = hline;

	check_params(&ps);
	check_orders(&ps);
	check_filename(&ps);
	if (marker)
		script_late_keys(&ps, text, len, body, hline, hline, marker);
out:
	sort_faults(errors, nerrors, strlen(cmd->path));
	free(ps.param_lines);
	free(ps.order_text);
	strlist_release(&ps.bad_params);
	return errors->n == nerrors ? 0 : -1;
}
