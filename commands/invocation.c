/*
 * invocation.c: a bound command turned into the SQL and binds the source
 * runs, the description people read, and the CSV file name.
 */
#include "common.h"
#include "commands/invocation.h"
#include "commands/utf8.h"

#include <strings.h>

static void push_bind(struct bind_value **binds, size_t *n, size_t *alloc,
		      enum bind_kind kind, const char *text, int64_t i)
{
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		*binds = xrealloc(*binds, *alloc * sizeof(**binds));
	}
	(*binds)[*n].kind = kind;
	(*binds)[*n].text = text;
	(*binds)[*n].i = i;
	(*n)++;
}

/* The value a placeholder or template field stands for: the param's index
 * and which text (0 = text, 1 = start, 2 = end); -1 if none. */
static int lookup(const struct command *cmd, const char *name, size_t *idx, int *part)
{
	for (size_t i = 0; i < cmd->nparams; i++) {
		const struct param *p = &cmd->params[i];
		size_t len = strlen(p->name);
		if (strcmp(name, p->name) == 0) {
			*idx = i;
			*part = 0;
			return 0;
		}
		if (p->type == PARAM_MONTH && strncmp(name, p->name, len) == 0) {
			if (strcmp(name + len, "_start") == 0) {
				*idx = i;
				*part = 1;
				return 0;
			}
			if (strcmp(name + len, "_end") == 0) {
				*idx = i;
				*part = 2;
				return 0;
			}
		}
	}
	return -1;
}

static const char *value_part(const struct arg_value *v, int part)
{
	return part == 1 ? v->start : part == 2 ? v->end : v->text;
}

/*
 * The one walk over cmd's SQL pieces: literal text as written, each
 * placeholder as '?'. With inv, the placeholder's value is bound (a list
 * param as one '?' per item); without, nothing is bound and *nbinds
 * counts the placeholders.
 */
static int sql_text(const struct command *cmd, const struct invocation *inv, struct strbuf *sql,
		    struct bind_value **binds, size_t *nbinds, char **cause)
{
	size_t alloc = 0;
	*binds = NULL;
	*nbinds = 0;
	for (size_t k = 0; k < cmd->npieces; k++) {
		const struct sql_piece *pc = &cmd->pieces[k];
		if (pc->text) {
			strbuf_adds(sql, pc->text);
			continue;
		}
		if (!inv) {
			strbuf_addc(sql, '?');
			(*nbinds)++;
			continue;
		}
		size_t idx;
		int part;
		if (lookup(cmd, pc->name, &idx, &part) < 0) {
			free(*binds);
			*binds = NULL;
			*nbinds = 0;
			return fail(cause, "placeholder :%s in %s has no param", pc->name, cmd->name);
		}
		const struct param *p = &cmd->params[idx];
		const struct arg_value *v = &inv->values[idx];
		if (p->type == PARAM_LIST && part == 0) {
			for (size_t j = 0; j < v->nitems; j++) {
				strbuf_adds(sql, j ? ", ?" : "?");
				push_bind(binds, nbinds, &alloc, BIND_TEXT, v->items[j], 0);
			}
		} else if (p->type == PARAM_INT) {
			strbuf_addc(sql, '?');
			push_bind(binds, nbinds, &alloc, BIND_INT, NULL, v->i);
		} else {
			/* a date, or a month's _start/_end, is a date to a typed source */
			bool date = p->type == PARAM_DATE || (p->type == PARAM_MONTH && part != 0);
			strbuf_addc(sql, '?');
			push_bind(binds, nbinds, &alloc, date ? BIND_DATE : BIND_TEXT, value_part(v, part), 0);
		}
	}
	return 0;
}

int invocation_sql(const struct invocation *inv, struct strbuf *sql,
		   struct bind_value **binds, size_t *nbinds, char **cause)
{
	return sql_text(inv->cmd, inv, sql, binds, nbinds, cause);
}

void invocation_sql_unbound(const struct command *cmd, struct strbuf *sql, size_t *nplaceholders)
{
	struct bind_value *none;
	sql_text(cmd, NULL, sql, &none, nplaceholders, NULL);
}

char *invocation_describe(const struct invocation *inv)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < inv->cmd->nparams; i++) {
		if (i)
			strbuf_addc(&sb, ' ');
		strbuf_addf(&sb, "%s=", inv->cmd->params[i].name);
		const char *t = inv->values[i].text;
		if (*t)
			args_quote(&sb, t);
		else
			strbuf_adds(&sb, "\"\"");
	}
	return strbuf_detach(&sb);
}

/* --- file names ---------------------------------------------------------------
 *
 * A file name keeps what people typed, non-ASCII letters included
 * (usage-大和-2026-10.csv). Only what a file system or a desktop refuses is
 * replaced, each run by one '_': path separators, control characters
 * (C0, DEL, C1), invisible format characters (zero-width, bidi controls
 * that could make "evil\u202Efdp.csv" read as a PDF, U+2028/2029, BOM),
 * and what Windows forbids: < > : " / \ | ? *, leading dots and spaces
 * and trailing ones, and the device names CON, PRN, AUX, NUL, COM0-9 and
 * LPT0-9 as the part before the first dot.
 *
 * Two different argument lists never get the same name: when the name
 * does not spell every value exactly (something was replaced or cut, a
 * param is not in the name, or two values of open length sit in it so
 * that "a-b"+"c" and "a"+"b-c" would meet), "-" and 8 hex digits of a
 * hash of every bound value go before ".csv". Dates and months have a
 * fixed length and never need it; in a template, ints and enum values
 * count as open length, in the default name see delimited().
 */

#define FILENAME_MAX_BASE 200   /* bytes before ".csv"; the hash included */
#define HASH_LEN 9              /* "-" and 8 hex digits */

/* Length of a character at s that must not be in a file name, else 0. */
static size_t unsafe_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x20 || u[0] == 0x7f || strchr("<>:\"/\\|?*", u[0]))
		return 1;
	if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
		return 2;   /* C1 controls */
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    ((u[2] >= 0x8b && u[2] <= 0x8f) || (u[2] >= 0xa8 && u[2] <= 0xae)))
		return 3;   /* zero-width, LRM/RLM, line/paragraph separators, bidi embeddings */
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa0 && u[2] <= 0xaf)
		return 3;   /* word joiner, bidi isolates, invisible operators */
	if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		return 3;   /* U+FEFF */
	size_t n = utf8_seq_len(u, strnlen(s, 4));
	return n ? 0 : 1;   /* a byte that is not UTF-8 (cannot happen after binding) */
}

/* Append raw to out with unsafe runs as one '_'; *altered when any was. */
static void add_safe(struct strbuf *out, const char *raw, bool *altered)
{
	for (const char *c = raw; *c;) {
		size_t n = unsafe_len(c);
		if (n) {
			*altered = true;
			if (out->len == 0 || out->buf[out->len - 1] != '_')
				strbuf_addc(out, '_');
			c += n;
			continue;
		}
		n = utf8_seq_len((const unsigned char *)c, strnlen(c, 4));
		strbuf_add(out, c, n);
		c += n;
	}
}

/* Whether a value of p (or its month start/end) has a length of its own. */
static bool fixed_length(const struct param *p, int part)
{
	return part != 0 || p->type == PARAM_DATE || p->type == PARAM_MONTH;
}

static bool free_text(const struct param *p)
{
	return p->type == PARAM_STRING || p->type == PARAM_LIST;
}

/*
 * In the default name CMD-V1-V2..., whether the value of p can be told
 * from its neighbours: dates and months have a fixed length, an int is
 * -?digits and an enum choice a word, both ending at the next '-', so
 * only free text is unbounded; it may be one value, and no choice holding
 * '-' nor (after the free text) an int that may start with '-' may sit
 * next to it ("x-" then 5 and "x" then -5 are both "x--5").
 */
static bool delimited(const struct param *p, bool after_free)
{
	if (p->type == PARAM_ENUM)
		for (size_t i = 0; i < p->nchoices; i++)
			if (strchr(p->choices[i], '-'))
				return false;
	if (p->type == PARAM_INT && after_free)
		return p->has_min && p->min >= 0;
	return true;
}

/* CON, NUL, COM1, ... (any case) as the stem[0..n) of a name. */
static bool windows_device(const char *stem, size_t n)
{
	static const char *const names[] = { "CON", "PRN", "AUX", "NUL" };
	while (n && stem[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (n == 3 && strncasecmp(stem, names[i], 3) == 0)
			return true;
	if (n < 4 || (strncasecmp(stem, "COM", 3) != 0 && strncasecmp(stem, "LPT", 3) != 0))
		return false;
	if (n == 4)
		return stem[3] >= '0' && stem[3] <= '9';
	/* superscript one, two, three: U+00B9, U+00B2, U+00B3 */
	return n == 5 && (unsigned char)stem[3] == 0xc2 &&
		((unsigned char)stem[4] == 0xb9 || (unsigned char)stem[4] == 0xb2 ||
		 (unsigned char)stem[4] == 0xb3);
}

/* FNV-1a over every param's name and bound text, folded to 32 bits. */
static uint32_t values_hash(const struct invocation *inv)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < inv->cmd->nparams; i++) {
		const char *parts[2] = { inv->cmd->params[i].name, inv->values[i].text };
		for (size_t k = 0; k < 2; k++) {
			for (const unsigned char *c = (const unsigned char *)parts[k]; ; c++) {
				h ^= *c;   /* the NUL too: it separates name and text */
				h *= 0x100000001b3u;
				if (!*c)
					break;
			}
		}
	}
	return (uint32_t)(h ^ (h >> 32));
}

char *invocation_filename(const struct invocation *inv)
{
	const struct command *cmd = inv->cmd;
	struct strbuf sb;
	bool altered = false;        /* a value was changed on its way into the name */
	size_t nvariable = 0;        /* variable-length values in the name */
	bool *shown = xcalloc(cmd->nparams ? cmd->nparams : 1, sizeof(*shown));
	bool literal_altered = false;   /* the template's own text: no effect on uniqueness */
	strbuf_init(&sb);
	if (cmd->filename) {
		const char *t = cmd->filename;
		while (*t) {
			const char *open = strchr(t, '{');
			const char *close = open ? strchr(open, '}') : NULL;
			if (!open || !close) {
				add_safe(&sb, t, &literal_altered);
				break;
			}
			char *lit = xstrndup(t, (size_t)(open - t));
			char *field = xstrndup(open + 1, (size_t)(close - open - 1));
			add_safe(&sb, lit, &literal_altered);
			size_t idx;
			int part;
			if (lookup(cmd, field, &idx, &part) == 0) {
				add_safe(&sb, value_part(&inv->values[idx], part), &altered);
				shown[idx] = true;
				nvariable += !fixed_length(&cmd->params[idx], part);
			}
			free(lit);
			free(field);
			t = close + 1;
		}
	} else {
		bool after_free = false;
		add_safe(&sb, cmd->name, &literal_altered);
		for (size_t i = 0; i < cmd->nparams; i++) {
			const struct param *p = &cmd->params[i];
			if (!*inv->values[i].text)
				continue;
			strbuf_addc(&sb, '-');
			add_safe(&sb, inv->values[i].text, &altered);
			shown[i] = true;
			nvariable += free_text(p) || !delimited(p, after_free) ? 1 : 0;
			after_free = after_free || free_text(p);
		}
	}
	bool exact = !altered && nvariable <= 1;
	for (size_t i = 0; i < cmd->nparams; i++)
		exact = exact && shown[i];
	free(shown);

	/* always .csv; no leading or trailing dots or spaces */
	if (sb.len >= 4 && strcmp(sb.buf + sb.len - 4, ".csv") == 0)
		sb.buf[sb.len -= 4] = '\0';
	size_t skip = 0;
	while (sb.buf[skip] == '.' || sb.buf[skip] == ' ')
		skip++;
	size_t end = sb.len;
	while (end > skip && (sb.buf[end - 1] == '.' || sb.buf[end - 1] == ' '))
		end--;
	exact = exact && skip == 0 && end == sb.len;
	struct strbuf base;
	strbuf_init(&base);
	if (end > skip) {
		strbuf_add(&base, sb.buf + skip, end - skip);
	} else {
		add_safe(&base, cmd->name, &literal_altered);
		exact = false;   /* an empty name must not meet the command's own */
	}
	strbuf_release(&sb);
	const char *dot = strchr(base.buf, '.');
	size_t stem = dot ? (size_t)(dot - base.buf) : base.len;
	if (windows_device(base.buf, stem)) {
		char *fixed = xasprintf("%.*s_%s", (int)stem, base.buf, base.buf + stem);
		strbuf_reset(&base);
		strbuf_adds(&base, fixed);
		free(fixed);
		exact = false;
	}
	size_t room = exact ? FILENAME_MAX_BASE : FILENAME_MAX_BASE - HASH_LEN;
	if (base.len > room) {
		base.buf[base.len = utf8_prefix(base.buf, exact ? room - HASH_LEN : room)] = '\0';
		exact = false;
	}
	char *name = exact ? xasprintf("%s.csv", base.buf) :
		xasprintf("%s-%08x.csv", base.buf, (unsigned)values_hash(inv));
	strbuf_release(&base);
	return name;
}
