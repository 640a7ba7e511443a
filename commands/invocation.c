/*
 * invocation.c: a bound command turned into the SQL and binds the source
 * runs, the description people read, and the CSV file name.
 */
#include "common.h"
#include "commands/invocation.h"

#include <ctype.h>

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
			strbuf_addc(sql, '?');
			push_bind(binds, nbinds, &alloc, BIND_TEXT, value_part(v, part), 0);
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

#define FILENAME_MAX_BASE 200

static bool filename_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* Append raw to out keeping only [A-Za-z0-9._-]; other runs become one '_'. */
static void add_safe(struct strbuf *out, const char *raw)
{
	for (const char *c = raw; *c; c++) {
		if (filename_char(*c))
			strbuf_addc(out, *c);
		else if (out->len == 0 || out->buf[out->len - 1] != '_')
			strbuf_addc(out, '_');
	}
}

char *invocation_filename(const struct invocation *inv)
{
	const struct command *cmd = inv->cmd;
	struct strbuf sb;
	strbuf_init(&sb);
	if (cmd->filename) {
		const char *t = cmd->filename;
		while (*t) {
			const char *open = strchr(t, '{');
			const char *close = open ? strchr(open, '}') : NULL;
			if (!open || !close) {
				add_safe(&sb, t);
				break;
			}
			char *lit = xstrndup(t, (size_t)(open - t));
			char *field = xstrndup(open + 1, (size_t)(close - open - 1));
			add_safe(&sb, lit);
			size_t idx;
			int part;
			if (lookup(cmd, field, &idx, &part) == 0)
				add_safe(&sb, value_part(&inv->values[idx], part));
			free(lit);
			free(field);
			t = close + 1;
		}
	} else {
		add_safe(&sb, cmd->name);
		for (size_t i = 0; i < cmd->nparams; i++) {
			if (!*inv->values[i].text)
				continue;
			strbuf_addc(&sb, '-');
			add_safe(&sb, inv->values[i].text);
		}
	}
	/* always .csv, no hidden files or "..", bounded length */
	if (sb.len >= 4 && strcmp(sb.buf + sb.len - 4, ".csv") == 0)
		sb.buf[sb.len -= 4] = '\0';
	size_t skip = 0;
	while (sb.buf[skip] == '.')
		skip++;
	char *base = xstrdup(sb.buf + skip);
	strbuf_release(&sb);
	size_t n = strlen(base);
	if (n > FILENAME_MAX_BASE)
		base[n = FILENAME_MAX_BASE] = '\0';
	char *name = xasprintf("%s.csv", n ? base : cmd->name);
	free(base);
	return name;
}
