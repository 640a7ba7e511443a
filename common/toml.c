/*
 * toml.c: a recursive-descent TOML 1.0 parser over a byte buffer.
 *
 * The whole input is checked for valid UTF-8 (and bare carriage returns)
 * first, so the rest of the parser can treat bytes >= 0x80 as ordinary
 * characters. Every read goes through peek(), which returns -1 past the
 * end, so no input can make the parser read out of bounds. Nesting is
 * bounded by TOML_MAX_DEPTH, so no input can exhaust the stack.
 *
 * Redefinition rules are enforced with a "kind" on each table and array:
 * a table is implicit (a parent named in a [a.b] header), defined by a
 * header, created by dotted keys, or inline (frozen); an array is static
 * (a = [...]) or an array of tables ([[a]]).
 */
#include "common.h"

#include <math.h>

#include "common/toml.h"
#include "common/strbuf.h"

enum {
	KIND_NONE = 0,
	KIND_IMPLICIT,          /* table named as a parent in a header */
	KIND_HEADER,            /* table defined by [t] or an element of [[t]] */
	KIND_DOTTED,            /* table created by a dotted key */
	KIND_INLINE,            /* inline table, or anything inside one */
	KIND_STATIC_ARRAY,      /* a = [ ... ] */
	KIND_AOT,               /* [[a]] */
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	const char *name;
	char *err;
	/* line/column of lc_pos, so locating positions is mostly incremental */
	size_t lc_pos;
	int lc_line, lc_col;
	struct toml_value *root;
	struct toml_value *cur;     /* table that key/value pairs go into */
};

struct keypart {
	char *s;
	size_t n;
	size_t at;                  /* byte offset where the part starts */
	int line, col;              /* the same as line and column */
};

struct keypath {
	struct keypart *v;
	size_t n, alloc;
};

static struct toml_value *parse_value(struct parser *p, int depth);
static int parse_keyval(struct parser *p, struct toml_value *t);

/* ---- positions and errors ---- */

static void locate(struct parser *p, size_t at, int *line, int *col)
{
	if (at > p->len)
		at = p->len;
	if (at < p->lc_pos) {
		p->lc_pos = 0;
		p->lc_line = 1;
		p->lc_col = 1;
	}
	while (p->lc_pos < at) {
		unsigned char c = (unsigned char)p->s[p->lc_pos++];
		if (c == '\n') {
			p->lc_line++;
			p->lc_col = 1;
		} else if ((c & 0xC0) != 0x80) {
			p->lc_col++;
		}
	}
	*line = p->lc_line;
	*col = p->lc_col;
}

static int perr(struct parser *p, size_t at, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int perr(struct parser *p, size_t at, const char *fmt, ...)
{
	if (p->err)
		return -1;
	int line, col;
	locate(p, at, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->err = xasprintf("%s:%d:%d: %s", p->name, line, col, msg);
	free(msg);
	return -1;
}

static int peek(const struct parser *p, size_t off)
{
	size_t i = p->pos + off;
	return i < p->len ? (unsigned char)p->s[i] : -1;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
	       c == '_' || c == '-';
}

/* Control characters TOML forbids in strings and comments (tab allowed). */
static bool is_control(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

/* Describe the character at AT for a message: 'x', newline, U+00E9... */
static const char *char_desc(const struct parser *p, size_t at, char *buf, size_t size)
{
	if (at >= p->len)
		return "end of file";
	unsigned char c = (unsigned char)p->s[at];
	if (c == '\n' || (c == '\r' && at + 1 < p->len && p->s[at + 1] == '\n'))
		return "newline";
	if (c >= 0x20 && c < 0x7F) {
		snprintf(buf, size, "'%c'", c);
		return buf;
	}
	uint32_t cp = c;
	size_t n = 0;
	if (c >= 0xF0)
		cp = c & 0x07, n = 3;
	else if (c >= 0xE0)
		cp = c & 0x0F, n = 2;
	else if (c >= 0xC0)
		cp = c & 0x1F, n = 1;
	for (size_t k = 1; k <= n && at + k < p->len; k++)
		cp = (cp << 6) | ((unsigned char)p->s[at + k] & 0x3F);
	snprintf(buf, size, "U+%04X", (unsigned)cp);
	return buf;
}

#define DESC(p, at) char_desc((p), (at), descbuf, sizeof(descbuf))

/* A key as it would be written in TOML: bare when possible, else quoted. */
static void add_key(struct strbuf *sb, const char *k, size_t n)
{
	bool bare = n > 0;
	for (size_t i = 0; i < n; i++)
		if (!is_bare((unsigned char)k[i]))
			bare = false;
	if (n > 60)
		n = 60, bare = false;
	if (bare) {
		strbuf_add(sb, k, n);
		return;
	}
	strbuf_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7F)
			strbuf_addf(sb, "\\u%04X", c);
		else
			strbuf_addc(sb, (char)c);
	}
	strbuf_addc(sb, '"');
}

/* Printable form of parts [0, upto) of K, joined by dots; caller frees. */
static char *keypath_str(const struct keypath *k, size_t upto)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < upto && i < k->n; i++) {
		if (i)
			strbuf_addc(&sb, '.');
		add_key(&sb, k->v[i].s, k->v[i].n);
	}
	return strbuf_detach(&sb);
}

/* ---- the tree ---- */

const char *toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "boolean";
	case TOML_DATETIME: return "offset date-time";
	case TOML_DATETIME_LOCAL: return "local date-time";
	case TOML_DATE_LOCAL: return "local date";
	case TOML_TIME_LOCAL: return "local time";
	}
	return "value";
}

/* What an existing value is, for a redefinition message. */
static const char *kind_name(const struct toml_value *v)
{
	if (v->type == TOML_TABLE && v->kind == KIND_INLINE)
		return "an inline table";
	if (v->type == TOML_TABLE)
		return "a table";
	if (v->type == TOML_ARRAY && v->kind == KIND_AOT)
		return "an array of tables";
	if (v->type == TOML_ARRAY)
		return "an array";
	if (v->type == TOML_INTEGER)
		return "an integer";
	if (v->type == TOML_DATETIME || v->type == TOML_DATETIME_LOCAL)
		return "a date-time";
	if (v->type == TOML_DATE_LOCAL)
		return "a date";
	if (v->type == TOML_TIME_LOCAL)
		return "a time";
	if (v->type == TOML_BOOL)
		return "a boolean";
	if (v->type == TOML_FLOAT)
		return "a float";
	return "a string";
}

void toml_free(struct toml_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING:
		free(v->u.string.ptr);
		break;
	case TOML_ARRAY:
		for (size_t i = 0; i < v->u.array.n; i++)
			toml_free(v->u.array.items[i]);
		free(v->u.array.items);
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->u.table.n; i++) {
			free(v->u.table.entries[i].key);
			toml_free(v->u.table.entries[i].value);
		}
		free(v->u.table.entries);
		free(v->u.table.index);
		break;
	default:
		break;
	}
	free(v);
}

/*
 * Values are located when created, in document order, so locate() stays
 * incremental; positions that lie behind (keys, headers) are located when
 * first seen and carried along.
 */
static struct toml_value *new_value_at(enum toml_type type, int line, int col)
{
	struct toml_value *v = xcalloc(1, sizeof(*v));
	v->type = type;
	v->line = line;
	v->column = col;
	return v;
}

static struct toml_value *new_value(struct parser *p, enum toml_type type, size_t at)
{
	int line, col;
	locate(p, at, &line, &col);
	return new_value_at(type, line, col);
}

static struct toml_value *new_container(struct parser *p, enum toml_type type,
					 unsigned kind, int depth, size_t at,
					 int line, int col)
{
	if (depth > TOML_MAX_DEPTH) {
		perr(p, at, "nesting deeper than %d levels", TOML_MAX_DEPTH);
		return NULL;
	}
	struct toml_value *v = new_value_at(type, line, col);
	v->kind = kind;
	v->depth = depth;
	return v;
}

/*
 * Tables past a few keys get a hash index (open addressing, slots hold
 * entry index + 1), so a table with very many keys stays linear to build.
 */
#define INDEX_FROM 16

static uint64_t hash_key(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
	return h;
}

static void index_insert(struct toml_value *t, size_t i)
{
	const struct toml_entry *e = &t->u.table.entries[i];
	size_t mask = t->u.table.index_cap - 1;
	size_t slot = (size_t)hash_key(e->key, e->key_len) & mask;
	while (t->u.table.index[slot])
		slot = (slot + 1) & mask;
	t->u.table.index[slot] = i + 1;
}

static void index_update(struct toml_value *t)
{
	size_t n = t->u.table.n;
	if (n < INDEX_FROM)
		return;
	if (t->u.table.index && n * 2 <= t->u.table.index_cap) {
		index_insert(t, n - 1);
		return;
	}
	size_t cap = 64;
	while (cap < n * 4)
		cap *= 2;
	free(t->u.table.index);
	t->u.table.index = xcalloc(cap, sizeof(size_t));
	t->u.table.index_cap = cap;
	for (size_t i = 0; i < n; i++)
		index_insert(t, i);
}

static struct toml_entry *table_find(const struct toml_value *t, const char *k, size_t n)
{
	if (t->u.table.index) {
		size_t mask = t->u.table.index_cap - 1;
		size_t slot = (size_t)hash_key(k, n) & mask;
		for (size_t i; (i = t->u.table.index[slot]) != 0; slot = (slot + 1) & mask) {
			struct toml_entry *e = &t->u.table.entries[i - 1];
			if (e->key_len == n && memcmp(e->key, k, n) == 0)
				return e;
		}
		return NULL;
	}
	for (size_t i = 0; i < t->u.table.n; i++) {
		struct toml_entry *e = &t->u.table.entries[i];
		if (e->key_len == n && memcmp(e->key, k, n) == 0)
			return e;
	}
	return NULL;
}

/* Add KP (its string is taken) = V to table T. */
static void table_add(struct toml_value *t, struct keypart *kp,
		      struct toml_value *v)
{
	if (t->u.table.n == t->u.table.alloc) {
		t->u.table.alloc = t->u.table.alloc ? 2 * t->u.table.alloc : 4;
		t->u.table.entries = xrealloc(t->u.table.entries,
					      t->u.table.alloc * sizeof(struct toml_entry));
	}
	struct toml_entry *e = &t->u.table.entries[t->u.table.n++];
	e->key = kp->s;
	e->key_len = kp->n;
	kp->s = NULL;
	e->line = kp->line;
	e->column = kp->col;
	e->value = v;
	index_update(t);
}

static void array_push(struct toml_value *a, struct toml_value *v)
{
	if (a->u.array.n == a->u.array.alloc) {
		a->u.array.alloc = a->u.array.alloc ? 2 * a->u.array.alloc : 4;
		a->u.array.items = xrealloc(a->u.array.items,
					    a->u.array.alloc * sizeof(struct toml_value *));
	}
	a->u.array.items[a->u.array.n++] = v;
}

const struct toml_entry *toml_table_entry(const struct toml_value *t, const char *key)
{
	if (!t || t->type != TOML_TABLE || !key)
		return NULL;
	return table_find(t, key, strlen(key));
}

const struct toml_value *toml_table_get(const struct toml_value *t, const char *key)
{
	const struct toml_entry *e = toml_table_entry(t, key);
	return e ? e->value : NULL;
}

const struct toml_value *toml_array_get(const struct toml_value *a, size_t i)
{
	if (!a || a->type != TOML_ARRAY || i >= a->u.array.n)
		return NULL;
	return a->u.array.items[i];
}

/* ---- whitespace, comments, newlines ---- */

static void skip_ws(struct parser *p)
{
	while (peek(p, 0) == ' ' || peek(p, 0) == '\t')
		p->pos++;
}

static bool at_newline(const struct parser *p)
{
	return peek(p, 0) == '\n' || (peek(p, 0) == '\r' && peek(p, 1) == '\n');
}

static void eat_newline(struct parser *p)
{
	p->pos += peek(p, 0) == '\r' ? 2 : 1;
}

/* At '#': skip the comment up to (not including) the newline. */
static int skip_comment(struct parser *p)
{
	p->pos++;
	for (;;) {
		int c = peek(p, 0);
		if (c == -1 || at_newline(p))
			return 0;
		if (is_control(c))
			return perr(p, p->pos, "control character U+%04X is not allowed in a comment", c);
		p->pos++;
	}
}

/* After a value or header: optional spaces and comment, then newline/EOF. */
static int end_of_line(struct parser *p, const char *after)
{
	char descbuf[16];
	skip_ws(p);
	if (peek(p, 0) == '#' && skip_comment(p))
		return -1;
	if (peek(p, 0) == -1)
		return 0;
	if (at_newline(p)) {
		eat_newline(p);
		return 0;
	}
	return perr(p, p->pos, "expected a newline after %s, found %s", after, DESC(p, p->pos));
}

/* Inside arrays: spaces, newlines and comments, in any number. */
static int skip_ws_nl(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		if (peek(p, 0) == '#') {
			if (skip_comment(p))
				return -1;
		} else if (at_newline(p)) {
			eat_newline(p);
		} else {
			return 0;
		}
	}
}

static int check_utf8(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t i = 0;
	while (i < p->len) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c == '\r' && (i + 1 >= p->len || s[i + 1] != '\n'))
				return perr(p, i, "carriage return not followed by a line feed");
			i++;
			continue;
		}
		size_t n;
		uint32_t cp, min;
		if ((c & 0xE0) == 0xC0)
			n = 2, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			n = 3, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			n = 4, cp = c & 0x07, min = 0x10000;
		else
			return perr(p, i, "invalid UTF-8 byte 0x%02X", c);
		if (i + n > p->len)
			return perr(p, i, "truncated UTF-8 sequence at end of file");
		for (size_t k = 1; k < n; k++) {
			unsigned d = s[i + k];
			if ((d & 0xC0) != 0x80)
				return perr(p, i, "invalid UTF-8 sequence");
			cp = (cp << 6) | (d & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return perr(p, i, "invalid UTF-8 sequence");
		i += n;
	}
	return 0;
}

/* ---- strings ---- */

static void add_utf8(struct strbuf *sb, uint32_t cp)
{
	if (cp < 0x80) {
		strbuf_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		strbuf_addc(sb, (char)(0xC0 | (cp >> 6)));
		strbuf_addc(sb, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		strbuf_addc(sb, (char)(0xE0 | (cp >> 12)));
		strbuf_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
		strbuf_addc(sb, (char)(0x80 | (cp & 0x3F)));
	} else {
		strbuf_addc(sb, (char)(0xF0 | (cp >> 18)));
		strbuf_addc(sb, (char)(0x80 | ((cp >> 12) & 0x3F)));
		strbuf_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
		strbuf_addc(sb, (char)(0x80 | (cp & 0x3F)));
	}
}

/* At '\\' in a basic string: decode one escape into SB. */
static int parse_escape(struct parser *p, struct strbuf *sb)
{
	char descbuf[16];
	size_t at = p->pos;
	int c = peek(p, 1);
	size_t digits = 0;
	switch (c) {
	case 'b': strbuf_addc(sb, '\b'); break;
	case 't': strbuf_addc(sb, '\t'); break;
	case 'n': strbuf_addc(sb, '\n'); break;
	case 'f': strbuf_addc(sb, '\f'); break;
	case 'r': strbuf_addc(sb, '\r'); break;
	case '"': strbuf_addc(sb, '"'); break;
	case '\\': strbuf_addc(sb, '\\'); break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default:
		if (c >= 0x20 && c < 0x7F)
			return perr(p, at, "invalid escape sequence '\\%c'; accepted: "
				    "\\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX", c);
		return perr(p, at, "invalid escape sequence: '\\' followed by %s",
			    DESC(p, at + 1));
	}
	p->pos += 2;
	if (!digits)
		return 0;
	uint32_t cp = 0;
	for (size_t i = 0; i < digits; i++) {
		int h = peek(p, 0);
		if (!is_hex(h))
			return perr(p, at, "invalid escape '\\%c': expected %zu hex digits",
				    c, digits);
		cp = (cp << 4) | (uint32_t)hex_value(h);
		p->pos++;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return perr(p, at, "escape '\\%c%0*X' is not a Unicode scalar value",
			    c, (int)digits, (unsigned)cp);
	add_utf8(sb, cp);
	return 0;
}

static void finish_string(struct strbuf *sb, char **out, size_t *outlen)
{
	*outlen = sb->len;
	*out = strbuf_detach(sb);
}

/*
 * One character of a string's content at p->pos (not its closing quote,
 * not a newline): an escape in a BASIC string, else the character itself.
 * -1 on a control character, which MULTILINE helps to word.
 */
static int string_char(struct parser *p, bool basic, bool multiline, struct strbuf *sb)
{
	int c = peek(p, 0);
	if (c == '\\' && basic)
		return parse_escape(p, sb);
	if (is_control(c))
		return perr(p, p->pos, "control character U+%04X %s in a %sstring", c,
			    basic ? "must be escaped" : "is not allowed",
			    multiline ? "multi-line " : basic ? "" : "literal ");
	strbuf_addc(sb, (char)c);
	p->pos++;
	return 0;
}

/* At '"' (BASIC: escapes allowed) or '\'' (literal): a one-line string. */
static int parse_string(struct parser *p, bool basic, char **out, size_t *outlen)
{
	int q = basic ? '"' : '\'';
	size_t start = p->pos;
	struct strbuf sb;
	strbuf_init(&sb);
	p->pos++;
	for (;;) {
		int c = peek(p, 0);
		if (c == -1 || c == '\n' || c == '\r') {
			perr(p, start, "string not closed before end of %s",
			     c == -1 ? "file" : "line");
			goto fail;
		}
		if (c == q) {
			p->pos++;
			break;
		}
		if (string_char(p, basic, false, &sb))
			goto fail;
	}
	finish_string(&sb, out, outlen);
	return 0;
fail:
	strbuf_release(&sb);
	return -1;
}

/*
 * At a run of three quotes Q that may close a multi-line string: up to two
 * more quotes belong to the content. Returns 1 when it closed the string.
 */
static int close_multiline(struct parser *p, int q, struct strbuf *sb)
{
	if (peek(p, 0) != q || peek(p, 1) != q || peek(p, 2) != q)
		return 0;
	size_t n = 3;
	while (peek(p, n) == q)
		n++;
	if (n > 5)
		return perr(p, p->pos + 5, "too many quotes at the end of a multi-line string");
	for (size_t i = 3; i < n; i++)
		strbuf_addc(sb, (char)q);
	p->pos += n;
	return 1;
}

/* At '"""' (BASIC) or '\'\'\''. */
static int parse_multiline(struct parser *p, bool basic, char **out, size_t *outlen)
{
	int q = basic ? '"' : '\'';
	size_t start = p->pos;
	struct strbuf sb;
	strbuf_init(&sb);
	p->pos += 3;
	if (at_newline(p))
		eat_newline(p);
	for (;;) {
		int c = peek(p, 0);
		if (c == -1) {
			perr(p, start, "multi-line string not closed before end of file");
			goto fail;
		}
		if (c == q) {
			int r = close_multiline(p, q, &sb);
			if (r < 0)
				goto fail;
			if (r)
				break;
			strbuf_addc(&sb, (char)c);
			p->pos++;
			continue;
		}
		if (at_newline(p)) {
			strbuf_addc(&sb, '\n');
			eat_newline(p);
			continue;
		}
		if (c == '\\' && basic) {
			/* line-ending backslash: trim whitespace up to the next text */
			size_t k = 1;
			while (peek(p, k) == ' ' || peek(p, k) == '\t')
				k++;
			if (peek(p, k) == '\n' || (peek(p, k) == '\r' && peek(p, k + 1) == '\n')) {
				p->pos += k;
				for (;;) {
					skip_ws(p);
					if (!at_newline(p))
						break;
					eat_newline(p);
				}
				continue;
			}
		}
		if (string_char(p, basic, true, &sb))
			goto fail;
	}
	finish_string(&sb, out, outlen);
	return 0;
fail:
	strbuf_release(&sb);
	return -1;
}

/* ---- keys ---- */

static void keypath_release(struct keypath *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].s);
	free(k->v);
	k->v = NULL;
	k->n = k->alloc = 0;
}

static int parse_simple_key(struct parser *p, struct keypart *kp)
{
	char descbuf[16];
	int c = peek(p, 0);
	kp->at = p->pos;
	kp->s = NULL;
	locate(p, p->pos, &kp->line, &kp->col);
	if (c == '"' || c == '\'') {
		if (peek(p, 1) == c && peek(p, 2) == c)
			return perr(p, p->pos, "a multi-line string cannot be a key");
		return parse_string(p, c == '"', &kp->s, &kp->n);
	}
	if (!is_bare(c))
		return perr(p, p->pos, "expected a key, found %s", DESC(p, p->pos));
	size_t start = p->pos;
	while (is_bare(peek(p, 0)))
		p->pos++;
	kp->n = p->pos - start;
	kp->s = xstrndup(p->s + start, kp->n);
	return 0;
}

/* A dotted key; skips the whitespace after it. */
static int parse_key(struct parser *p, struct keypath *k)
{
	for (;;) {
		if (k->n == k->alloc) {
			k->alloc = k->alloc ? 2 * k->alloc : 4;
			k->v = xrealloc(k->v, k->alloc * sizeof(*k->v));
		}
		if (k->n >= TOML_MAX_DEPTH)
			return perr(p, p->pos, "key has more than %d parts", TOML_MAX_DEPTH);
		struct keypart *kp = &k->v[k->n];
		if (parse_simple_key(p, kp))
			return -1;
		k->n++;
		skip_ws(p);
		if (peek(p, 0) != '.')
			return 0;
		p->pos++;
		skip_ws(p);
	}
}

/* ---- tables ---- */

/* At '[' at the start of a line. */
static int parse_header(struct parser *p)
{
	char descbuf[16];
	size_t start = p->pos;
	bool aot = peek(p, 1) == '[';
	struct keypath k = { 0 };
	char *name = NULL;
	int rc = -1;
	int hl, hc;

	locate(p, start, &hl, &hc);
	p->pos += aot ? 2 : 1;
	skip_ws(p);
	if (parse_key(p, &k))
		goto out;
	if (peek(p, 0) != ']' || (aot && peek(p, 1) != ']')) {
		perr(p, p->pos, "expected '%s' to close the table header, found %s",
		     aot ? "]]" : "]", DESC(p, p->pos));
		goto out;
	}
	p->pos += aot ? 2 : 1;
	name = keypath_str(&k, k.n);

	struct toml_value *t = p->root;
	for (size_t i = 0; i + 1 < k.n; i++) {
		struct keypart *kp = &k.v[i];
		struct toml_entry *e = table_find(t, kp->s, kp->n);
		if (!e) {
			struct toml_value *nt = new_container(p, TOML_TABLE, KIND_IMPLICIT,
							      t->depth + 1, start, hl, hc);
			if (!nt)
				goto out;
			table_add(t, kp, nt);
			t = nt;
			continue;
		}
		struct toml_value *v = e->value;
		if (v->type == TOML_ARRAY && v->kind == KIND_AOT)
			v = v->u.array.items[v->u.array.n - 1];
		if (v->type != TOML_TABLE) {
			char *part = keypath_str(&k, i + 1);
			perr(p, kp->at, "cannot define table [%s]: '%s' is already %s "
			     "(defined at line %d)", name, part, kind_name(v), e->line);
			free(part);
			goto out;
		}
		if (v->kind == KIND_INLINE) {
			char *part = keypath_str(&k, i + 1);
			perr(p, kp->at, "cannot define table [%s]: inline table '%s' "
			     "(line %d) cannot be extended", name, part, e->line);
			free(part);
			goto out;
		}
		t = v;
	}

	struct keypart *last = &k.v[k.n - 1];
	struct toml_entry *e = table_find(t, last->s, last->n);
	struct toml_value *v = e ? e->value : NULL;
	if (!aot) {
		if (!v) {
			v = new_container(p, TOML_TABLE, KIND_HEADER, t->depth + 1, start,
					  hl, hc);
			if (!v)
				goto out;
			table_add(t, last, v);
		} else if (v->type == TOML_TABLE && v->kind == KIND_IMPLICIT) {
			v->kind = KIND_HEADER;
			v->line = hl;
			v->column = hc;
		} else if (v->type == TOML_TABLE && v->kind == KIND_HEADER) {
			perr(p, start, "table [%s] is defined twice (first at line %d)",
			     name, v->line);
			goto out;
		} else if (v->type == TOML_TABLE && v->kind == KIND_DOTTED) {
			perr(p, start, "table [%s] was already defined by dotted keys "
			     "at line %d", name, e->line);
			goto out;
		} else if (v->type == TOML_ARRAY && v->kind == KIND_AOT) {
			perr(p, start, "[%s] is an array of tables (first at line %d); "
			     "use [[%s]] to add an element", name, e->line, name);
			goto out;
		} else {
			perr(p, start, "cannot define table [%s]: key '%s' is already %s "
			     "(defined at line %d)", name, name, kind_name(v), e->line);
			goto out;
		}
		p->cur = v;
	} else {
		struct toml_value *arr = v;
		if (!arr) {
			arr = new_container(p, TOML_ARRAY, KIND_AOT, t->depth + 1, start,
					    hl, hc);
			if (!arr)
				goto out;
			table_add(t, last, arr);
		} else if (!(arr->type == TOML_ARRAY && arr->kind == KIND_AOT)) {
			perr(p, start, "cannot define array of tables [[%s]]: '%s' is "
			     "already %s (defined at line %d)", name, name, kind_name(arr),
			     e->line);
			goto out;
		}
		struct toml_value *nt = new_container(p, TOML_TABLE, KIND_HEADER,
						      arr->depth + 1, start, hl, hc);
		if (!nt)
			goto out;
		array_push(arr, nt);
		p->cur = nt;
	}
	rc = end_of_line(p, "the table header");
out:
	free(name);
	keypath_release(&k);
	return rc;
}

/* Freeze an inline table: nothing may be added to it or inside it later. */
static void freeze(struct toml_value *t)
{
	t->kind = KIND_INLINE;
	for (size_t i = 0; i < t->u.table.n; i++) {
		struct toml_value *v = t->u.table.entries[i].value;
		if (v->type == TOML_TABLE && v->kind != KIND_INLINE)
			freeze(v);
	}
}

/* key = value, into table T. Leaves the position after the value. */
static int parse_keyval(struct parser *p, struct toml_value *t)
{
	char descbuf[16];
	struct keypath k = { 0 };
	int rc = -1;

	if (parse_key(p, &k))
		goto out;
	if (peek(p, 0) != '=') {
		char *name = keypath_str(&k, k.n);
		perr(p, p->pos, "expected '=' after key '%s', found %s", name,
		     DESC(p, p->pos));
		free(name);
		goto out;
	}
	p->pos++;
	skip_ws(p);

	for (size_t i = 0; i + 1 < k.n; i++) {
		struct keypart *kp = &k.v[i];
		struct toml_entry *e = table_find(t, kp->s, kp->n);
		if (!e) {
			struct toml_value *nt = new_container(p, TOML_TABLE, KIND_DOTTED,
							      t->depth + 1, kp->at,
							      kp->line, kp->col);
			if (!nt)
				goto out;
			table_add(t, kp, nt);
			t = nt;
			continue;
		}
		struct toml_value *v = e->value;
		char *part = keypath_str(&k, i + 1);
		if (v->type == TOML_TABLE && v->kind == KIND_IMPLICIT) {
			v->kind = KIND_DOTTED;
		} else if (v->type == TOML_TABLE && v->kind == KIND_HEADER) {
			perr(p, kp->at, "cannot add to table [%s] with dotted keys: it was "
			     "defined by a table header at line %d", part, v->line);
		} else if (v->type == TOML_TABLE && v->kind == KIND_INLINE) {
			perr(p, kp->at, "inline table '%s' (line %d) cannot be extended",
			     part, e->line);
		} else if (v->type != TOML_TABLE) {
			perr(p, kp->at, "key '%s' is already %s (defined at line %d), "
			     "not a table", part, kind_name(v), e->line);
		}
		free(part);
		if (p->err)
			goto out;
		t = v;
	}

	struct keypart *last = &k.v[k.n - 1];
	struct toml_entry *e = table_find(t, last->s, last->n);
	if (e) {
		char *name = keypath_str(&k, k.n);
		perr(p, last->at, "duplicate key '%s' (first defined at line %d)",
		     name, e->line);
		free(name);
		goto out;
	}
	struct toml_value *v = parse_value(p, t->depth + 1);
	if (!v)
		goto out;
	table_add(t, last, v);
	rc = 0;
out:
	keypath_release(&k);
	return rc;
}

/* ---- values ---- */

/* At the '[' or '{' that opens an inline array or table: the new empty
 * container, located there, with the opener consumed. NULL when too deep. */
static struct toml_value *open_inline(struct parser *p, enum toml_type type, unsigned kind, int depth)
{
	int line, col;
	locate(p, p->pos, &line, &col);
	struct toml_value *v = new_container(p, type, kind, depth, p->pos, line, col);
	if (v)
		p->pos++;
	return v;
}

/* After an item of an inline array or table: 1 past a ',', 0 past CLOSE,
 * -1 at anything else (left for the caller to name). */
static int inline_separator(struct parser *p, int close)
{
	int c = peek(p, 0);
	if (c != ',' && c != close)
		return -1;
	p->pos++;
	return c == ',';
}

/* At '['. */
static struct toml_value *parse_array(struct parser *p, int depth)
{
	char descbuf[16];
	size_t start = p->pos;
	struct toml_value *a = open_inline(p, TOML_ARRAY, KIND_STATIC_ARRAY, depth);
	if (!a)
		return NULL;
	for (;;) {
		if (skip_ws_nl(p))
			goto fail;
		int c = peek(p, 0);
		if (c == ']') {
			p->pos++;
			return a;
		}
		if (c == -1) {
			perr(p, start, "array not closed before end of file");
			goto fail;
		}
		struct toml_value *item = parse_value(p, depth + 1);
		if (!item)
			goto fail;
		array_push(a, item);
		if (skip_ws_nl(p))
			goto fail;
		int sep = inline_separator(p, ']');
		if (sep > 0)
			continue;
		if (sep == 0)
			return a;
		if (peek(p, 0) == -1)
			perr(p, start, "array not closed before end of file");
		else
			perr(p, p->pos, "expected ',' or ']' in array, found %s", DESC(p, p->pos));
		goto fail;
	}
fail:
	toml_free(a);
	return NULL;
}

/* At '{'. */
static struct toml_value *parse_inline_table(struct parser *p, int depth)
{
	char descbuf[16];
	size_t start = p->pos;
	struct toml_value *t = open_inline(p, TOML_TABLE, KIND_DOTTED, depth);
	if (!t)
		return NULL;
	skip_ws(p);
	if (peek(p, 0) == '}') {
		p->pos++;
		freeze(t);
		return t;
	}
	for (;;) {
		skip_ws(p);
		if (at_newline(p)) {
			perr(p, p->pos, "newline is not allowed inside an inline table");
			goto fail;
		}
		if (peek(p, 0) == '}') {
			perr(p, p->pos, "trailing comma is not allowed in an inline table");
			goto fail;
		}
		if (parse_keyval(p, t))
			goto fail;
		skip_ws(p);
		int sep = inline_separator(p, '}');
		if (sep > 0)
			continue;
		if (sep == 0) {
			freeze(t);
			return t;
		}
		int c = peek(p, 0);
		if (c == -1)
			perr(p, start, "inline table not closed before end of file");
		else if (at_newline(p))
			perr(p, p->pos, "newline is not allowed inside an inline table");
		else if (c == '#')
			perr(p, p->pos, "comment is not allowed inside an inline table");
		else
			perr(p, p->pos, "expected ',' or '}' in inline table, found %s",
			     DESC(p, p->pos));
		goto fail;
	}
fail:
	toml_free(t);
	return NULL;
}

static bool is_token_char(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

static bool digits_at(const char *t, size_t n, size_t i, size_t count)
{
	if (i + count > n)
		return false;
	for (size_t k = 0; k < count; k++)
		if (!is_digit((unsigned char)t[i + k]))
			return false;
	return true;
}

static int num2(const char *t)
{
	return (t[0] - '0') * 10 + (t[1] - '0');
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && is_leap(y))
		return 29;
	return days[m - 1];
}

/* A date, date-time or time token; on error *why says what is wrong. */
static int parse_datetime(const char *t, size_t n, struct toml_value *v, const char **why)
{
	struct toml_datetime d = { 0 };
	bool has_date = false, has_offset = false;
	size_t i = 0;

	if (n >= 5 && digits_at(t, n, 0, 4) && t[4] == '-') {
		if (n < 10 || !digits_at(t, n, 5, 2) || t[7] != '-' || !digits_at(t, n, 8, 2)) {
			*why = "expected a date as YYYY-MM-DD";
			return -1;
		}
		d.year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + num2(t + 2);
		d.month = num2(t + 5);
		d.day = num2(t + 8);
		if (d.month < 1 || d.month > 12) {
			*why = "month must be 01 to 12";
			return -1;
		}
		if (d.day < 1 || d.day > days_in_month(d.year, d.month)) {
			*why = "day is out of range for the month";
			return -1;
		}
		has_date = true;
		i = 10;
		if (i == n) {
			v->type = TOML_DATE_LOCAL;
			v->u.datetime = d;
			return 0;
		}
		if (t[i] != 'T' && t[i] != 't' && t[i] != ' ') {
			*why = "expected 'T' or a space between date and time";
			return -1;
		}
		i++;
	}
	if (!digits_at(t, n, i, 2) || i + 2 >= n || t[i + 2] != ':' ||
	    !digits_at(t, n, i + 3, 2) || i + 5 >= n || t[i + 5] != ':' ||
	    !digits_at(t, n, i + 6, 2)) {
		*why = "expected a time as HH:MM:SS";
		return -1;
	}
	d.hour = num2(t + i);
	d.minute = num2(t + i + 3);
	d.second = num2(t + i + 6);
	if (d.hour > 23 || d.minute > 59 || d.second > 60) {
		*why = "time out of range (hour 00-23, minute 00-59, second 00-60)";
		return -1;
	}
	i += 8;
	if (i < n && t[i] == '.') {
		i++;
		size_t fs = i;
		while (i < n && is_digit((unsigned char)t[i])) {
			if (i - fs < 9) {
				d.nanosecond = d.nanosecond * 10 + (t[i] - '0');
				d.frac_digits++;
			}
			i++;
		}
		if (i == fs) {
			*why = "expected digits after '.' in the seconds";
			return -1;
		}
		for (int k = d.frac_digits; k < 9; k++)
			d.nanosecond *= 10;
	}
	if (has_date && i < n) {
		if (t[i] == 'Z' || t[i] == 'z') {
			d.offset_z = true;
			has_offset = true;
			i++;
		} else if (t[i] == '+' || t[i] == '-') {
			if (!digits_at(t, n, i + 1, 2) || i + 3 >= n || t[i + 3] != ':' ||
			    !digits_at(t, n, i + 4, 2)) {
				*why = "expected a time offset as Z, +HH:MM or -HH:MM";
				return -1;
			}
			int oh = num2(t + i + 1), om = num2(t + i + 4);
			if (oh > 23 || om > 59) {
				*why = "time offset out of range";
				return -1;
			}
			d.offset_minutes = (oh * 60 + om) * (t[i] == '-' ? -1 : 1);
			has_offset = true;
			i += 6;
		}
	}
	if (i != n) {
		*why = "unexpected text after the time";
		return -1;
	}
	if (!has_date)
		v->type = TOML_TIME_LOCAL;
	else
		v->type = has_offset ? TOML_DATETIME : TOML_DATETIME_LOCAL;
	v->u.datetime = d;
	return 0;
}

/*
 * Digits of RADIX with single underscores between them, appended to SB.
 * Returns the number of digits, or -1 for a misplaced underscore.
 */
static int scan_digits(const char *t, size_t n, size_t *i, int radix, struct strbuf *sb)
{
	int count = 0;
	bool prev_digit = false;
	while (*i < n) {
		int c = (unsigned char)t[*i];
		bool digit = radix == 16 ? is_hex(c) : (c >= '0' && c < '0' + radix);
		if (digit) {
			strbuf_addc(sb, (char)c);
			count++;
			prev_digit = true;
		} else if (c == '_') {
			if (!prev_digit)
				return -1;
			int next = *i + 1 < n ? (unsigned char)t[*i + 1] : -1;
			bool next_digit = radix == 16 ? is_hex(next) : (next >= '0' && next < '0' + radix);
			if (!next_digit)
				return -1;
			prev_digit = false;
		} else {
			break;
		}
		(*i)++;
	}
	return count;
}

static int parse_number(const char *t, size_t n, struct toml_value *v, const char **why)
{
	struct strbuf sb;
	size_t i = 0;
	int rc = -1;
	strbuf_init(&sb);

	if (n >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
		int radix = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
		i = 2;
		int count = scan_digits(t, n, &i, radix, &sb);
		if (count < 0) {
			*why = "an underscore must sit between two digits";
			goto out;
		}
		if (count == 0 || i != n) {
			*why = radix == 16 ? "expected hexadecimal digits after 0x" :
			       radix == 8 ? "expected octal digits (0-7) after 0o" :
			       "expected binary digits (0 or 1) after 0b";
			goto out;
		}
		uint64_t u = 0;
		for (size_t k = 0; k < sb.len; k++) {
			uint64_t dv = (uint64_t)hex_value((unsigned char)sb.buf[k]);
			if (u > ((uint64_t)INT64_MAX - dv) / (uint64_t)radix) {
				*why = "integer does not fit in 64 bits";
				goto out;
			}
			u = u * (uint64_t)radix + dv;
		}
		v->type = TOML_INTEGER;
		v->u.integer = (int64_t)u;
		rc = 0;
		goto out;
	}

	if (i < n && (t[i] == '+' || t[i] == '-'))
		strbuf_addc(&sb, t[i++]);
	size_t int_start = sb.len;
	int count = scan_digits(t, n, &i, 10, &sb);
	if (count < 0) {
		*why = "an underscore must sit between two digits";
		goto out;
	}
	if (count == 0) {
		*why = "expected digits";
		goto out;
	}
	if (count > 1 && sb.buf[int_start] == '0') {
		*why = "leading zeros are not allowed";
		goto out;
	}
	bool is_float = false;
	if (i < n && t[i] == '.') {
		is_float = true;
		strbuf_addc(&sb, '.');
		i++;
		count = scan_digits(t, n, &i, 10, &sb);
		if (count <= 0) {
			*why = count < 0 ? "an underscore must sit between two digits" :
			       "expected digits after the decimal point";
			goto out;
		}
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		is_float = true;
		strbuf_addc(&sb, 'e');
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			strbuf_addc(&sb, t[i++]);
		count = scan_digits(t, n, &i, 10, &sb);
		if (count <= 0) {
			*why = count < 0 ? "an underscore must sit between two digits" :
			       "expected digits in the exponent";
			goto out;
		}
	}
	if (i != n) {
		*why = "not a number, date or time";
		goto out;
	}
	char *end;
	errno = 0;
	if (is_float) {
		double d = strtod(sb.buf, &end);
		if (*end || (errno == ERANGE && isinf(d))) {
			*why = "float out of range";
			goto out;
		}
		v->type = TOML_FLOAT;
		v->u.fp = d;
	} else {
		long long ll = strtoll(sb.buf, &end, 10);
		if (*end || errno == ERANGE) {
			*why = "integer does not fit in 64 bits";
			goto out;
		}
		v->type = TOML_INTEGER;
		v->u.integer = ll;
	}
	rc = 0;
out:
	strbuf_release(&sb);
	return rc;
}

static bool token_is(const char *t, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(t, word, n) == 0;
}

/* Booleans, numbers, dates and times: one token of bare characters. */
static struct toml_value *parse_scalar(struct parser *p, int depth)
{
	char descbuf[16];
	size_t start = p->pos;
	size_t end = start;
	(void)depth;
	while (end < p->len && is_token_char((unsigned char)p->s[end]))
		end++;
	/* a date, a space, then a time: one date-time */
	if (end - start == 10 && p->s[start + 4] == '-' && end + 3 < p->len &&
	    p->s[end] == ' ' && is_digit((unsigned char)p->s[end + 1]) &&
	    is_digit((unsigned char)p->s[end + 2]) && p->s[end + 3] == ':') {
		end++;
		while (end < p->len && is_token_char((unsigned char)p->s[end]))
			end++;
	}
	const char *t = p->s + start;
	size_t n = end - start;
	if (n == 0) {
		perr(p, start, "expected a value, found %s", DESC(p, start));
		return NULL;
	}
	struct toml_value *v = new_value(p, TOML_BOOL, start);
	const char *why = NULL;
	p->pos = end;
	if (token_is(t, n, "true") || token_is(t, n, "false")) {
		v->u.boolean = t[0] == 't';
		return v;
	}
	size_t sign = (t[0] == '+' || t[0] == '-') ? 1 : 0;
	if (token_is(t + sign, n - sign, "inf") || token_is(t + sign, n - sign, "nan")) {
		v->type = TOML_FLOAT;
		if (t[sign] == 'i')
			v->u.fp = t[0] == '-' ? -INFINITY : INFINITY;
		else
			v->u.fp = t[0] == '-' ? -NAN : NAN;
		return v;
	}
	int rc;
	if ((n >= 3 && t[2] == ':') || (n >= 5 && digits_at(t, n, 0, 4) && t[4] == '-'))
		rc = parse_datetime(t, n, v, &why);
	else if (is_digit((unsigned char)t[0]) || t[0] == '+' || t[0] == '-')
		rc = parse_number(t, n, v, &why);
	else
		rc = -1, why = NULL;
	if (rc == 0)
		return v;
	toml_free(v);
	int shown = n > 40 ? 40 : (int)n;
	if (why)
		perr(p, start, "invalid value '%.*s%s': %s", shown, t, n > 40 ? "..." : "", why);
	else
		perr(p, start, "invalid value '%.*s%s': expected a string, number, boolean, "
		     "date, time, array or inline table", shown, t, n > 40 ? "..." : "");
	return NULL;
}

static struct toml_value *parse_value(struct parser *p, int depth)
{
	int c = peek(p, 0);
	size_t start = p->pos;
	if (c == '"' || c == '\'') {
		struct toml_value *v = new_value(p, TOML_STRING, start);
		int rc;
		if (peek(p, 1) == c && peek(p, 2) == c)
			rc = parse_multiline(p, c == '"', &v->u.string.ptr, &v->u.string.len);
		else
			rc = parse_string(p, c == '"', &v->u.string.ptr, &v->u.string.len);
		if (rc) {
			free(v);
			return NULL;
		}
		return v;
	}
	if (c == '[')
		return parse_array(p, depth);
	if (c == '{')
		return parse_inline_table(p, depth);
	return parse_scalar(p, depth);
}

/* ---- the document ---- */

static int parse_document(struct parser *p)
{
	if (check_utf8(p))
		return -1;
	if (p->len >= 3 && memcmp(p->s, "\xEF\xBB\xBF", 3) == 0)
		p->pos = 3;
	for (;;) {
		skip_ws(p);
		int c = peek(p, 0);
		if (c == -1)
			return 0;
		if (c == '#') {
			if (skip_comment(p))
				return -1;
		} else if (at_newline(p)) {
			eat_newline(p);
		} else if (c == '[') {
			if (parse_header(p))
				return -1;
		} else {
			if (parse_keyval(p, p->cur) || end_of_line(p, "the value"))
				return -1;
		}
	}
}

struct toml_value *toml_parse(const char *text, size_t len, const char *name,
			      char **cause)
{
	struct parser p = {
		.s = text ? text : "",
		.len = text ? len : 0,
		.name = name ? name : "<input>",
		.lc_line = 1,
		.lc_col = 1,
	};
	p.root = new_value(&p, TOML_TABLE, 0);
	p.root->kind = KIND_HEADER;
	p.cur = p.root;
	if (parse_document(&p)) {
		toml_free(p.root);
		if (cause)
			*cause = p.err;
		else
			free(p.err);
		return NULL;
	}
	return p.root;
}
