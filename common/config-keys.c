/*
 * config-keys.c: the key-spec walker and fault list of config-keys.h.
 */
#include "common.h"

#include "common/config-keys.h"
#include "common/strbuf.h"

/* ---- faults ---- */

void config_faults_init(struct config_faults *F, const char *path)
{
	F->path = path;
	strlist_init(&F->errs);
	F->order = NULL;
}

void config_fault(struct config_faults *F, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	strlist_pushf(&F->errs, "%s:%d:%d: %s", F->path, line, col, msg);
	free(msg);
	F->order = xrealloc(F->order, F->errs.n * sizeof(*F->order));
	F->order[F->errs.n - 1] = (long)line * 65536 + (col < 65536 ? col : 65535);
}

char *config_faults_text(struct config_faults *F)
{
	if (!F->errs.n)
		return NULL;
	/* in file order: a stable insertion sort, the list is short */
	for (size_t i = 1; i < F->errs.n; i++) {
		for (size_t j = i; j > 0 && F->order[j - 1] > F->order[j]; j--) {
			long o = F->order[j];
			F->order[j] = F->order[j - 1];
			F->order[j - 1] = o;
			char *m = F->errs.v[j];
			F->errs.v[j] = F->errs.v[j - 1];
			F->errs.v[j - 1] = m;
		}
	}
	struct strbuf msg;
	strbuf_init(&msg);
	for (size_t i = 0; i < F->errs.n; i++)
		strbuf_addf(&msg, "%s%s", i ? "\n" : "", F->errs.v[i]);
	return strbuf_detach(&msg);
}

void config_faults_release(struct config_faults *F)
{
	strlist_release(&F->errs);
	free(F->order);
	F->order = NULL;
}

/* ---- pieces for messages ---- */

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Edit distance, for "did you mean"; keys are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			row[j] = min3(row[j] + 1, row[j - 1] + 1,
				      diag + (a[i - 1] != b[j - 1] ? 1 : 0));
			diag = up;
		}
	}
	return row[lb];
}

char *config_suggestion(const char *key, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(key, names[i]);
		if (d < best_d)
			best_d = d, best = names[i];
	}
	size_t limit = strlen(key) / 3 > 2 ? strlen(key) / 3 : 2;
	if (best && best_d <= limit)
		return xasprintf(" (did you mean '%s'?)", best);
	return xstrdup("");
}

char *config_join(const char *const *names, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", names[i]);
	return strbuf_detach(&sb);
}

char *config_show_value(const struct toml_value *v, bool secret)
{
	struct strbuf sb;
	char buf[64];
	strbuf_init(&sb);
	if (secret) {
		strbuf_adds(&sb, "(hidden)");
		return strbuf_detach(&sb);
	}
	switch (v->type) {
	case TOML_STRING:
		strbuf_addc(&sb, '"');
		for (size_t i = 0; i < v->u.string.len && i < 60; i++) {
			unsigned char c = (unsigned char)v->u.string.ptr[i];
			if (c == '"' || c == '\\')
				strbuf_addf(&sb, "\\%c", c);
			else if (c < 0x20 || c == 0x7F)
				strbuf_addf(&sb, "\\u%04X", c);
			else
				strbuf_addc(&sb, (char)c);
		}
		strbuf_adds(&sb, v->u.string.len > 60 ? "...\"" : "\"");
		break;
	case TOML_INTEGER:
		strbuf_addf(&sb, "%lld", (long long)v->u.integer);
		break;
	case TOML_BOOL:
		strbuf_adds(&sb, v->u.boolean ? "true" : "false");
		break;
	case TOML_FLOAT:
		strbuf_addf(&sb, "%g", v->u.fp);
		break;
	case TOML_ARRAY:
		strbuf_adds(&sb, "[...]");
		break;
	case TOML_TABLE:
		strbuf_adds(&sb, "{...}");
		break;
	default:
		toml_format_datetime(v, buf, sizeof(buf));
		strbuf_adds(&sb, buf);
		break;
	}
	return strbuf_detach(&sb);
}

const char *config_article(enum toml_type t)
{
	return strchr("aeiou", toml_type_name(t)[0]) ? "an" : "a";
}

static void wrong_type(struct config_faults *F, const char *section, const char *key,
		       const struct toml_value *v, const char *want, bool secret)
{
	char *shown = config_show_value(v, secret);
	config_fault(F, v->line, v->column, "[%s] %s = %s is %s %s; accepted: %s", section, key,
		     shown, config_article(v->type), toml_type_name(v->type), want);
	free(shown);
}

const char *config_string(struct config_faults *F, const char *section, const char *key,
			  const struct toml_value *v, bool secret)
{
	if (v->type != TOML_STRING) {
		wrong_type(F, section, key, v, "a string", secret);
		return NULL;
	}
	if (strlen(v->u.string.ptr) != v->u.string.len) {
		config_fault(F, v->line, v->column, "[%s] %s contains a NUL character; accepted: "
			     "text without \\u0000", section, key);
		return NULL;
	}
	return v->u.string.ptr;
}

/* ---- the walker ---- */

const struct config_key *config_keys_find(const struct config_key *keys, size_t nkeys, const char *key)
{
	for (size_t k = 0; k < nkeys; k++)
		if (strcmp(keys[k].key, key) == 0)
			return &keys[k];
	return NULL;
}

void config_keys_defaults(const struct config_key *keys, size_t nkeys, void *base)
{
	char *bytes = base;
	for (size_t k = 0; k < nkeys; k++) {
		void *field = bytes + keys[k].off;
		switch (keys[k].type) {
		case CONFIG_STR:
			*(char **)field = xstrdup(keys[k].def);
			break;
		case CONFIG_INT:
			*(int *)field = keys[k].idef;
			break;
		case CONFIG_BOOL:
			*(bool *)field = keys[k].idef != 0;
			break;
		case CONFIG_STRS:
			break;
		}
	}
}

void config_keys_release(const struct config_key *keys, size_t nkeys, void *base)
{
	char *bytes = base;
	for (size_t k = 0; k < nkeys; k++) {
		void *field = bytes + keys[k].off;
		if (keys[k].type == CONFIG_STR) {
			free(*(char **)field);
			*(char **)field = NULL;
		} else if (keys[k].type == CONFIG_STRS) {
			char ***v = field;
			size_t *n = (size_t *)(void *)(bytes + keys[k].count_off);
			for (size_t i = 0; i < *n; i++)
				free((*v)[i]);
			free(*v);
			*v = NULL;
			*n = 0;
		}
	}
}

static void unknown_key(struct config_faults *F, const struct toml_entry *e, const struct config_table *tab)
{
	const char *names[32] = { NULL };
	size_t n = 0;
	for (size_t k = 0; k < tab->nalso && n < ARRAY_SIZE(names); k++)
		names[n++] = tab->also[k];
	for (size_t k = 0; k < tab->nkeys && n < ARRAY_SIZE(names); k++)
		names[n++] = tab->keys[k].key;
	char *sugg = config_suggestion(e->key, names, n);
	char *list = config_join(names, n);
	struct strbuf shown;
	strbuf_init(&shown);
	for (size_t k = 0; k < e->key_len && k < 60; k++) {
		unsigned char c = (unsigned char)e->key[k];
		if (c < 0x20 || c == 0x7F)
			strbuf_addf(&shown, "\\u%04X", c);
		else
			strbuf_addc(&shown, (char)c);
	}
	config_fault(F, e->line, e->column, "unknown key '%s' in [%s]%s; accepted: %s",
		     shown.buf, tab->section, sugg, list);
	strbuf_release(&shown);
	free(sugg);
	free(list);
}

static void apply_strs(struct config_faults *F, const char *section, const struct config_key *sp,
		       const struct toml_value *v, char *bytes)
{
	bool secret = sp->flags & CONFIG_SECRET;
	if (v->type != TOML_ARRAY) {
		wrong_type(F, section, sp->key, v, "an array of strings", secret);
		return;
	}
	char ***dst = (char ***)(void *)(bytes + sp->off);
	size_t *count = (size_t *)(void *)(bytes + sp->count_off);
	for (size_t k = 0; k < *count; k++)
		free((*dst)[k]);
	free(*dst);
	*count = 0;
	*dst = xcalloc(v->u.array.n ? v->u.array.n : 1, sizeof(char *));
	for (size_t k = 0; k < v->u.array.n; k++) {
		const struct toml_value *item = v->u.array.items[k];
		char *key = xasprintf("%s[%zu]", sp->key, k);
		const char *s = config_string(F, section, key, item, secret);
		if (s && !*s)
			config_fault(F, item->line, item->column, "[%s] %s is empty; "
				     "accepted: a non-empty string", section, key);
		else if (s)
			(*dst)[(*count)++] = xstrdup(s);
		free(key);
	}
}

void config_keys_apply(struct config_faults *F, const struct toml_value *t, const struct config_table *tab)
{
	char *bytes = tab->base;
	const char *section = tab->section;
	for (size_t i = 0; i < t->u.table.n; i++) {
		const struct toml_entry *e = &t->u.table.entries[i];
		const struct toml_value *v = e->value;
		bool whole = strlen(e->key) == e->key_len;
		const struct config_key *sp = whole ? config_keys_find(tab->keys, tab->nkeys, e->key) : NULL;
		if (!sp) {
			bool also = false;
			for (size_t k = 0; whole && k < tab->nalso; k++)
				also |= strcmp(tab->also[k], e->key) == 0;
			if (!also && !(whole && tab->other_key && tab->other_key(tab->ctx, e)))
				unknown_key(F, e, tab);
			continue;
		}
		bool secret = sp->flags & CONFIG_SECRET;
		void *field = bytes + sp->off;
		switch (sp->type) {
		case CONFIG_STR: {
			const char *s = config_string(F, section, sp->key, v, secret);
			if (!s)
				break;
			if (!*s && (sp->flags & CONFIG_NONEMPTY)) {
				config_fault(F, v->line, v->column, "[%s] %s is empty; accepted: a "
					     "non-empty string", section, sp->key);
				break;
			}
			char **dst = field;
			free(*dst);
			*dst = (!*s && (sp->flags & CONFIG_EMPTY_NULL)) ? NULL : xstrdup(s);
			break;
		}
		case CONFIG_INT:
			if (v->type != TOML_INTEGER) {
				wrong_type(F, section, sp->key, v, "an integer", secret);
				break;
			}
			if (v->u.integer < sp->min || v->u.integer > sp->max) {
				config_fault(F, v->line, v->column, "[%s] %s = %lld is out of range; "
					     "accepted: %d to %d", section, sp->key,
					     (long long)v->u.integer, sp->min, sp->max);
				break;
			}
			*(int *)field = (int)v->u.integer;
			break;
		case CONFIG_BOOL:
			if (v->type != TOML_BOOL) {
				wrong_type(F, section, sp->key, v, "true or false", secret);
				break;
			}
			*(bool *)field = v->u.boolean;
			break;
		case CONFIG_STRS:
			apply_strs(F, section, sp, v, bytes);
			break;
		}
	}
}
