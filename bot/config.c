/*
 * config.c: load config.toml into struct config (see config.h).
 *
 * Each section is described by a table of key specs (name, type, where in
 * the struct, range); one generic walker checks every key of a TOML table
 * against it, so an unknown key, a wrong type or an out-of-range number
 * gets the same kind of message everywhere. Every fault found is reported,
 * not just the first, one per line.
 */
#include "common.h"

#include <stddef.h>

#include "bot/config.h"
#include "common/cron.h"
#include "common/timezone.h"
#include "common/toml.h"
#include "common/strbuf.h"

#define DEFAULT_API_URL "https://slack.com/api/"

enum spec_type {
	T_STR,
	T_INT,
	T_BOOL,
	T_STRS,         /* array of strings: char ** at off, size_t at count_off */
	T_DRIVER,       /* enum source_driver */
};

enum {
	F_SECRET = 1 << 0,      /* never show the value */
	F_MYSQL = 1 << 1,       /* only for driver = "mysql" */
	F_SQLITE = 1 << 2,      /* only for driver = "sqlite" */
	F_NONEMPTY = 1 << 3,    /* a string that must not be empty */
	F_EMPTY_NULL = 1 << 4,  /* "" means unset (NULL) */
};

struct spec {
	const char *key;
	enum spec_type type;
	size_t off;
	size_t count_off;
	int min, max;
	unsigned flags;
};

#define STR(st, k, f, fl) { k, T_STR, offsetof(st, f), 0, 0, 0, fl }
#define INT(st, k, f, lo, hi) { k, T_INT, offsetof(st, f), 0, lo, hi, 0 }
#define BOOL(st, k, f, fl) { k, T_BOOL, offsetof(st, f), 0, 0, 0, fl }

static const struct spec slack_specs[] = {
	STR(struct config, "app_token", app_token, F_SECRET | F_EMPTY_NULL),
	STR(struct config, "bot_token", bot_token, F_SECRET | F_EMPTY_NULL),
	STR(struct config, "api_url", api_url, F_NONEMPTY),
	STR(struct config, "command", command, F_NONEMPTY),
};

static const struct spec bot_specs[] = {
	STR(struct config, "commands_dir", commands_dir, F_NONEMPTY),
	STR(struct config, "data_dir", data_dir, F_NONEMPTY),
	INT(struct config, "workers", workers, 1, 64),
	INT(struct config, "queue_size", queue_size, 1, 100000),
	STR(struct config, "timezone", timezone, F_NONEMPTY),
	STR(struct config, "default_source", default_source, F_NONEMPTY),
	INT(struct config, "default_timeout", default_timeout, 1, 86400),
	INT(struct config, "shutdown_grace", shutdown_grace, 0, 3600),
};

static const struct spec output_specs[] = {
	BOOL(struct config, "bom", bom, 0),
};

static const struct spec scheduler_specs[] = {
	INT(struct config, "catch_up_minutes", catch_up_minutes, 0, 10080),
	INT(struct config, "retries", schedule_retries, 0, 10),
	INT(struct config, "retry_backoff", schedule_retry_backoff, 1, 86400),
	STR(struct config, "alert_channel", alert_channel, F_EMPTY_NULL),
	{ "admins", T_STRS, offsetof(struct config, schedule_admins),
	  offsetof(struct config, nschedule_admins), 0, 0, F_NONEMPTY },
};

static const struct spec source_specs[] = {
	{ "driver", T_DRIVER, offsetof(struct source_config, driver), 0, 0, 0, 0 },
	STR(struct source_config, "path", path, F_SQLITE | F_NONEMPTY),
	STR(struct source_config, "host", host, F_MYSQL | F_NONEMPTY),
	INT(struct source_config, "port", port, 1, 65535),
	STR(struct source_config, "socket", socket, F_MYSQL | F_NONEMPTY),
	STR(struct source_config, "user", user, F_MYSQL | F_NONEMPTY),
	STR(struct source_config, "password_env", password_env, F_MYSQL | F_NONEMPTY),
	STR(struct source_config, "database", database, F_MYSQL | F_NONEMPTY),
	INT(struct source_config, "connect_timeout", connect_timeout, 1, 3600),
	BOOL(struct source_config, "tls", tls, F_MYSQL),
	STR(struct source_config, "tls_ca", tls_ca, F_MYSQL | F_NONEMPTY),
	BOOL(struct source_config, "tls_verify", tls_verify, F_MYSQL),
};

static const struct spec schedule_specs[] = {
	STR(struct schedule_config, "name", name, F_NONEMPTY),
	STR(struct schedule_config, "cron", cron, F_NONEMPTY),
	STR(struct schedule_config, "run", run, F_NONEMPTY),
	STR(struct schedule_config, "channel", channel, F_NONEMPTY),
	BOOL(struct schedule_config, "skip_empty", skip_empty, 0),
	BOOL(struct schedule_config, "only_changed", only_changed, 0),
};

static const char *const sections[] = {
	"slack", "bot", "sources", "output", "scheduler", "schedule",
};

struct loader {
	const char *path;
	struct strlist errs;
	long *order;            /* line * 65536 + column of each error, to sort */
};

static void lerr(struct loader *L, int line, int col, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void lerr(struct loader *L, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	strlist_pushf(&L->errs, "%s:%d:%d: %s", L->path, line, col, msg);
	free(msg);
	L->order = xrealloc(L->order, L->errs.n * sizeof(*L->order));
	L->order[L->errs.n - 1] = (long)line * 65536 + (col < 65536 ? col : 65535);
}

/* ---- helpers for messages ---- */

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

/* " (did you mean 'x'?)" or "", for KEY among NAMES. */
static char *suggestion(const char *key, const char *const *names, size_t n)
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

static char *join_names(const char *const *names, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", names[i]);
	return strbuf_detach(&sb);
}

/* A short printable form of a value, or "(hidden)" for secrets. */
static char *show_value(const struct toml_value *v, bool secret)
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

static const char *article(enum toml_type t)
{
	return strchr("aeiou", toml_type_name(t)[0]) ? "an" : "a";
}

static const char *spec_type_name(enum spec_type t)
{
	switch (t) {
	case T_STR: return "a string";
	case T_INT: return "an integer";
	case T_BOOL: return "a boolean (true or false)";
	case T_STRS: return "an array of strings";
	case T_DRIVER: return "a string (mysql or sqlite)";
	}
	return "a value";
}

static void wrong_type(struct loader *L, const char *section, const char *key,
		       const struct toml_value *v, const char *want, bool secret)
{
	char *shown = show_value(v, secret);
	lerr(L, v->line, v->column, "[%s] %s = %s is %s %s; accepted: %s", section, key,
	     shown, article(v->type), toml_type_name(v->type), want);
	free(shown);
}

/* A string value with no NUL inside, or NULL after reporting. */
static const char *string_of(struct loader *L, const char *section, const char *key,
			     const struct toml_value *v, bool secret)
{
	if (v->type != TOML_STRING) {
		wrong_type(L, section, key, v, "a string", secret);
		return NULL;
	}
	if (strlen(v->u.string.ptr) != v->u.string.len) {
		lerr(L, v->line, v->column, "[%s] %s contains a NUL character; accepted: "
		     "text without \\u0000", section, key);
		return NULL;
	}
	return v->u.string.ptr;
}

/* ---- the generic walker ---- */

/*
 * Check every key of table T (section name SECTION, e.g. "bot" or
 * "sources.main") against SPECS and store the values into BASE.
 */
static void apply_table(struct loader *L, const struct toml_value *t, const char *section,
			const struct spec *specs, size_t nspecs, void *base)
{
	char *base_bytes = base;
	for (size_t i = 0; i < t->u.table.n; i++) {
		const struct toml_entry *e = &t->u.table.entries[i];
		const struct toml_value *v = e->value;
		const struct spec *sp = NULL;
		for (size_t k = 0; k < nspecs; k++)
			if (strcmp(specs[k].key, e->key) == 0 && strlen(e->key) == e->key_len)
				sp = &specs[k];
		if (!sp) {
			const char *names[32] = { NULL };
			size_t n = 0;
			for (size_t k = 0; k < nspecs && n < ARRAY_SIZE(names); k++)
				names[n++] = specs[k].key;
			char *sugg = suggestion(e->key, names, n);
			char *list = join_names(names, n);
			struct strbuf shown;
			strbuf_init(&shown);
			for (size_t k = 0; k < e->key_len && k < 60; k++) {
				unsigned char c = (unsigned char)e->key[k];
				if (c < 0x20 || c == 0x7F)
					strbuf_addf(&shown, "\\u%04X", c);
				else
					strbuf_addc(&shown, (char)c);
			}
			lerr(L, e->line, e->column, "unknown key '%s' in [%s]%s; accepted: %s",
			     shown.buf, section, sugg, list);
			strbuf_release(&shown);
			free(sugg);
			free(list);
			continue;
		}
		bool secret = sp->flags & F_SECRET;
		void *field = base_bytes + sp->off;
		switch (sp->type) {
		case T_STR: {
			const char *s = string_of(L, section, sp->key, v, secret);
			if (!s)
				break;
			if (!*s && (sp->flags & F_NONEMPTY)) {
				lerr(L, v->line, v->column, "[%s] %s is empty; accepted: a "
				     "non-empty string", section, sp->key);
				break;
			}
			char **dst = field;
			free(*dst);
			*dst = (!*s && (sp->flags & F_EMPTY_NULL)) ? NULL : xstrdup(s);
			break;
		}
		case T_INT:
			if (v->type != TOML_INTEGER) {
				wrong_type(L, section, sp->key, v, "an integer", secret);
				break;
			}
			if (v->u.integer < sp->min || v->u.integer > sp->max) {
				lerr(L, v->line, v->column, "[%s] %s = %lld is out of range; "
				     "accepted: %d to %d", section, sp->key,
				     (long long)v->u.integer, sp->min, sp->max);
				break;
			}
			*(int *)field = (int)v->u.integer;
			break;
		case T_BOOL:
			if (v->type != TOML_BOOL) {
				wrong_type(L, section, sp->key, v, "true or false", secret);
				break;
			}
			*(bool *)field = v->u.boolean;
			break;
		case T_DRIVER: {
			const char *s = string_of(L, section, sp->key, v, false);
			if (!s)
				break;
			if (strcmp(s, "mysql") == 0) {
				*(enum source_driver *)field = SOURCE_DRIVER_MYSQL;
			} else if (strcmp(s, "sqlite") == 0) {
				*(enum source_driver *)field = SOURCE_DRIVER_SQLITE;
			} else {
				char *shown = show_value(v, false);
				lerr(L, v->line, v->column, "[%s] driver = %s is not supported; "
				     "accepted: mysql, sqlite", section, shown);
				free(shown);
			}
			break;
		}
		case T_STRS: {
			if (v->type != TOML_ARRAY) {
				wrong_type(L, section, sp->key, v, spec_type_name(sp->type), secret);
				break;
			}
			char ***dst = field;
			size_t *count = (size_t *)(void *)(base_bytes + sp->count_off);
			for (size_t k = 0; k < *count; k++)
				free((*dst)[k]);
			free(*dst);
			*dst = NULL;
			*count = 0;
			*dst = xcalloc(v->u.array.n ? v->u.array.n : 1, sizeof(char *));
			for (size_t k = 0; k < v->u.array.n; k++) {
				const struct toml_value *item = v->u.array.items[k];
				char *key = xasprintf("%s[%zu]", sp->key, k);
				const char *s = string_of(L, section, key, item, secret);
				if (s && !*s)
					lerr(L, item->line, item->column, "[%s] %s is empty; "
					     "accepted: a non-empty string", section, key);
				else if (s)
					(*dst)[(*count)++] = xstrdup(s);
				free(key);
			}
			break;
		}
		}
	}
}

/* The table SECTION of ROOT, or NULL; complains if it is not a table. */
static const struct toml_value *section_table(struct loader *L, const struct toml_value *root,
					      const char *section)
{
	const struct toml_entry *e = toml_table_entry(root, section);
	if (!e)
		return NULL;
	if (e->value->type != TOML_TABLE) {
		char *shown = show_value(e->value, false);
		lerr(L, e->line, e->column, "%s = %s is %s %s; accepted: a table [%s]", section,
		     shown, article(e->value->type), toml_type_name(e->value->type), section);
		free(shown);
		return NULL;
	}
	return e->value;
}

/* ---- sources and schedules ---- */

static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void load_source(struct loader *L, struct source_config *src,
			const struct toml_entry *e)
{
	const struct toml_value *t = e->value;
	char *section = xasprintf("sources.%s", src->name);

	src->host = xstrdup("127.0.0.1");
	src->port = 3306;
	src->connect_timeout = 10;
	src->tls_verify = true;
	apply_table(L, t, section, source_specs, ARRAY_SIZE(source_specs), src);

	const struct toml_entry *drv = toml_table_entry(t, "driver");
	if (!drv) {
		lerr(L, t->line, t->column, "[%s] is missing key 'driver'; accepted: "
		     "mysql, sqlite", section);
		goto out;
	}
	if (drv->value->type != TOML_STRING)
		goto out;
	bool mysql = src->driver == SOURCE_DRIVER_MYSQL;
	const char *dname = mysql ? "mysql" : "sqlite";
	if (strcmp(drv->value->u.string.ptr, dname) != 0)
		goto out; /* an unsupported driver was reported already */
	for (size_t i = 0; i < ARRAY_SIZE(source_specs); i++) {
		const struct spec *sp = &source_specs[i];
		unsigned wrong = mysql ? F_SQLITE : F_MYSQL;
		const struct toml_entry *ke = toml_table_entry(t, sp->key);
		bool portlike = !mysql && (strcmp(sp->key, "port") == 0 ||
					   strcmp(sp->key, "connect_timeout") == 0);
		if (ke && ((sp->flags & wrong) || portlike))
			lerr(L, ke->line, ke->column, "[%s] key '%s' does not apply to "
			     "driver %s", section, sp->key, dname);
	}
	static const char *const mysql_required[] = { "user", "database" };
	if (mysql) {
		for (size_t i = 0; i < ARRAY_SIZE(mysql_required); i++)
			if (!toml_table_entry(t, mysql_required[i]))
				lerr(L, t->line, t->column, "[%s] is missing key '%s' "
				     "(required for driver mysql)", section, mysql_required[i]);
		if (src->password_env) {
			const char *pw = getenv(src->password_env);
			const struct toml_value *pv = toml_table_get(t, "password_env");
			if (!pw)
				lerr(L, pv->line, pv->column, "[%s] password_env = \"%s\": "
				     "environment variable %s is not set; set it, or remove "
				     "password_env for a password-less login", section,
				     src->password_env, src->password_env);
			else
				src->password = xstrdup(pw);
		}
	} else if (!toml_table_entry(t, "path")) {
		lerr(L, t->line, t->column, "[%s] is missing key 'path' (required for "
		     "driver sqlite: the database file)", section);
	}
out:
	free(section);
}

static void load_sources(struct loader *L, struct config *cfg, const struct toml_value *root)
{
	const struct toml_value *t = section_table(L, root, "sources");
	if (!t)
		return;
	cfg->sources = xcalloc(t->u.table.n ? t->u.table.n : 1, sizeof(*cfg->sources));
	for (size_t i = 0; i < t->u.table.n; i++) {
		const struct toml_entry *e = &t->u.table.entries[i];
		if (!valid_name(e->key, e->key_len)) {
			lerr(L, e->line, e->column, "source name '%.64s' is not valid; "
			     "accepted: letters, digits, '_' and '-'", e->key);
			continue;
		}
		if (e->value->type != TOML_TABLE) {
			char *shown = show_value(e->value, false);
			lerr(L, e->line, e->column, "sources.%s = %s is %s %s; accepted: a "
			     "table [sources.%s] with a driver", e->key, shown,
			     article(e->value->type), toml_type_name(e->value->type), e->key);
			free(shown);
			continue;
		}
		struct source_config *src = &cfg->sources[cfg->nsources++];
		src->name = xstrdup(e->key);
		load_source(L, src, e);
	}
}

static void load_schedules(struct loader *L, struct config *cfg, const struct toml_value *root)
{
	const struct toml_entry *e = toml_table_entry(root, "schedule");
	if (!e)
		return;
	const struct toml_value *a = e->value;
	if (a->type != TOML_ARRAY) {
		lerr(L, e->line, e->column, "schedule is %s %s; accepted: [[schedule]] tables",
		     article(a->type), toml_type_name(a->type));
		return;
	}
	cfg->schedules = xcalloc(a->u.array.n ? a->u.array.n : 1, sizeof(*cfg->schedules));
	for (size_t i = 0; i < a->u.array.n; i++) {
		const struct toml_value *t = a->u.array.items[i];
		if (t->type != TOML_TABLE) {
			lerr(L, t->line, t->column, "schedule[%zu] is %s %s; accepted: a table",
			     i, article(t->type), toml_type_name(t->type));
			continue;
		}
		struct schedule_config *sc = &cfg->schedules[cfg->nschedules++];
		apply_table(L, t, "[schedule]", schedule_specs, ARRAY_SIZE(schedule_specs), sc);
		static const char *const required[] = { "name", "cron", "run", "channel" };
		for (size_t k = 0; k < ARRAY_SIZE(required); k++)
			if (!toml_table_entry(t, required[k]))
				lerr(L, t->line, t->column, "[[schedule]] is missing key '%s'; "
				     "required: name, cron, run, channel", required[k]);
		if (sc->cron) {
			struct cron parsed;
			char *why = NULL;
			if (cron_parse(&parsed, sc->cron, &why) < 0) {
				const struct toml_value *cv = toml_table_get(t, "cron");
				lerr(L, cv->line, cv->column, "[[schedule]] %s", why);
				free(why);
			}
		}
		if (!sc->name)
			continue;
		for (size_t k = 0; k + 1 < cfg->nschedules; k++) {
			const struct schedule_config *other = &cfg->schedules[k];
			if (other->name && strcmp(other->name, sc->name) == 0) {
				const struct toml_value *nv = toml_table_get(t, "name");
				const struct toml_value *ov = toml_table_get(a->u.array.items[k], "name");
				lerr(L, nv->line, nv->column, "duplicate schedule name \"%s\" "
				     "(first used at line %d); accepted: a unique name per "
				     "[[schedule]]", sc->name, ov ? ov->line : 0);
				break;
			}
		}
	}
}

/* ---- the whole file ---- */

static void set_defaults(struct config *cfg)
{
	cfg->api_url = xstrdup(DEFAULT_API_URL);
	cfg->command = xstrdup("/report");
	cfg->commands_dir = xstrdup("commands");
	cfg->data_dir = xstrdup("var");
	cfg->workers = 4;
	cfg->queue_size = 64;
	cfg->timezone = xstrdup("UTC");
	cfg->default_timeout = 300;
	cfg->shutdown_grace = 30;
	cfg->catch_up_minutes = 60;
	cfg->schedule_retries = 2;
	cfg->schedule_retry_backoff = 60;
}

static void env_override(char **field, const char *var)
{
	const char *v = getenv(var);
	if (v && *v) {
		free(*field);
		*field = xstrdup(v);
	}
}

/* Where in the file a key of a section is, for messages; 0:0 if absent. */
static void where(const struct toml_value *root, const char *section, const char *key,
		  int *line, int *col)
{
	const struct toml_value *v = toml_table_get(toml_table_get(root, section), key);
	*line = v ? v->line : 1;
	*col = v ? v->column : 1;
}

static void check_slack(struct loader *L, struct config *cfg, const struct toml_value *root)
{
	int line, col;
	env_override(&cfg->app_token, "SLACK_APP_TOKEN");
	env_override(&cfg->bot_token, "SLACK_BOT_TOKEN");
	env_override(&cfg->api_url, "SLACK_API_URL");
	if (strncmp(cfg->api_url, "http://", 7) != 0 && strncmp(cfg->api_url, "https://", 8) != 0) {
		where(root, "slack", "api_url", &line, &col);
		lerr(L, line, col, "[slack] api_url = \"%.100s\" is not a URL; accepted: "
		     "http://... or https://... (default %s)", cfg->api_url, DEFAULT_API_URL);
	} else if (cfg->api_url[strlen(cfg->api_url) - 1] != '/') {
		char *u = xasprintf("%s/", cfg->api_url);
		free(cfg->api_url);
		cfg->api_url = u;
	}
	if (cfg->command[0] != '/' || strpbrk(cfg->command, " \t\r\n")) {
		where(root, "slack", "command", &line, &col);
		lerr(L, line, col, "[slack] command = \"%.100s\" is not a slash command; "
		     "accepted: '/' and a word, e.g. \"/report\"", cfg->command);
	}
}

static void check_bot(struct loader *L, struct config *cfg, const struct toml_value *root)
{
	int line, col;
	char *why = NULL;
	if (timezone_check(cfg->timezone, &why)) {
		where(root, "bot", "timezone", &line, &col);
		lerr(L, line, col, "[bot] timezone: %s", why);
		free(why);
	}
	if (cfg->default_source) {
		if (!config_find_source(cfg, cfg->default_source)) {
			const char *names[16] = { NULL };
			size_t n = 0;
			for (size_t i = 0; i < cfg->nsources && n < ARRAY_SIZE(names); i++)
				names[n++] = cfg->sources[i].name;
			char *list = join_names(names, n);
			char *sugg = suggestion(cfg->default_source, names, n);
			where(root, "bot", "default_source", &line, &col);
			lerr(L, line, col, "[bot] default_source = \"%.64s\" names no source%s; "
			     "accepted: %s", cfg->default_source, sugg,
			     n ? list : "a NAME from a [sources.NAME] table");
			free(list);
			free(sugg);
		}
	} else if (cfg->nsources == 1) {
		cfg->default_source = xstrdup(cfg->sources[0].name);
	} else if (cfg->nsources > 1) {
		const char *names[16] = { NULL };
		size_t n = 0;
		for (size_t i = 0; i < cfg->nsources && n < ARRAY_SIZE(names); i++)
			names[n++] = cfg->sources[i].name;
		char *list = join_names(names, n);
		const struct toml_value *b = toml_table_get(root, "bot");
		lerr(L, b ? b->line : 1, b ? b->column : 1, "[bot] default_source is not set "
		     "and there are %zu sources; accepted: one of %s", cfg->nsources, list);
		free(list);
	}
}

static void load_root(struct loader *L, struct config *cfg, const struct toml_value *root)
{
	for (size_t i = 0; i < root->u.table.n; i++) {
		const struct toml_entry *e = &root->u.table.entries[i];
		bool known = false;
		for (size_t k = 0; k < ARRAY_SIZE(sections); k++)
			if (strcmp(e->key, sections[k]) == 0 && strlen(e->key) == e->key_len)
				known = true;
		if (!known) {
			char *sugg = suggestion(e->key, sections, ARRAY_SIZE(sections));
			char *list = join_names(sections, ARRAY_SIZE(sections));
			lerr(L, e->line, e->column, "unknown key '%.64s' at the top level%s; "
			     "accepted: %s", e->key, sugg, list);
			free(sugg);
			free(list);
		}
	}
	const struct toml_value *t;
	if ((t = section_table(L, root, "slack")))
		apply_table(L, t, "slack", slack_specs, ARRAY_SIZE(slack_specs), cfg);
	if ((t = section_table(L, root, "bot")))
		apply_table(L, t, "bot", bot_specs, ARRAY_SIZE(bot_specs), cfg);
	if ((t = section_table(L, root, "output")))
		apply_table(L, t, "output", output_specs, ARRAY_SIZE(output_specs), cfg);
	if ((t = section_table(L, root, "scheduler")))
		apply_table(L, t, "scheduler", scheduler_specs, ARRAY_SIZE(scheduler_specs), cfg);
	load_sources(L, cfg, root);
	load_schedules(L, cfg, root);
	if (cfg->nsources == 0)
		lerr(L, 1, 1, "no data source is configured; add a [sources.NAME] table "
		     "with driver = \"sqlite\" or \"mysql\"");
	check_slack(L, cfg, root);
	check_bot(L, cfg, root);
}

static int read_file(const char *path, struct strbuf *sb, char **cause)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return fail(cause, "config file '%s' not found; choose another with "
				    "-c FILE or $REPORTBOT_CONFIG", path);
		return fail(cause, "cannot open config file '%s': %s", path, strerror(errno));
	}
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		strbuf_add(sb, chunk, n);
		if (sb->len > 16 * 1024 * 1024) {
			fclose(f);
			return fail(cause, "config file '%s' is larger than 16 MiB", path);
		}
	}
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return fail(cause, "cannot read config file '%s'", path);
	return 0;
}

int config_load(struct config *cfg, const char *path, char **cause)
{
	struct strbuf text;
	struct loader L = { .path = path };
	struct toml_value *root = NULL;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	strbuf_init(&text);
	strlist_init(&L.errs);
	if (!path || !*path) {
		fail(cause, "no config file given; choose one with -c FILE or $REPORTBOT_CONFIG");
		goto out;
	}
	if (read_file(path, &text, cause))
		goto out;
	root = toml_parse(text.buf, text.len, path, cause);
	if (!root)
		goto out;
	cfg->path = xstrdup(path);
	set_defaults(cfg);
	load_root(&L, cfg, root);
	if (L.errs.n) {
		/* in file order: a stable insertion sort, the list is short */
		for (size_t i = 1; i < L.errs.n; i++) {
			for (size_t j = i; j > 0 && L.order[j - 1] > L.order[j]; j--) {
				long o = L.order[j];
				L.order[j] = L.order[j - 1];
				L.order[j - 1] = o;
				char *m = L.errs.v[j];
				L.errs.v[j] = L.errs.v[j - 1];
				L.errs.v[j - 1] = m;
			}
		}
		struct strbuf msg;
		strbuf_init(&msg);
		for (size_t i = 0; i < L.errs.n; i++)
			strbuf_addf(&msg, "%s%s", i ? "\n" : "", L.errs.v[i]);
		if (cause)
			*cause = strbuf_detach(&msg);
		else
			strbuf_release(&msg);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		config_release(cfg);
	toml_free(root);
	strbuf_release(&text);
	strlist_release(&L.errs);
	free(L.order);
	return rc;
}

static void release_source(struct source_config *s)
{
	free(s->name);
	free(s->path);
	free(s->host);
	free(s->socket);
	free(s->user);
	free(s->password_env);
	if (s->password) {
		/* best effort: do not leave the secret lying in freed memory */
		volatile char *p = s->password;
		while (*p)
			*p++ = '\0';
		free(s->password);
	}
	free(s->database);
	free(s->tls_ca);
}

void config_release(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->app_token);
	free(cfg->bot_token);
	free(cfg->api_url);
	free(cfg->command);
	free(cfg->commands_dir);
	free(cfg->data_dir);
	free(cfg->timezone);
	free(cfg->default_source);
	free(cfg->alert_channel);
	for (size_t i = 0; i < cfg->nschedule_admins; i++)
		free(cfg->schedule_admins[i]);
	free(cfg->schedule_admins);
	for (size_t i = 0; i < cfg->nsources; i++)
		release_source(&cfg->sources[i]);
	free(cfg->sources);
	for (size_t i = 0; i < cfg->nschedules; i++) {
		struct schedule_config *s = &cfg->schedules[i];
		free(s->name);
		free(s->cron);
		free(s->run);
		free(s->channel);
	}
	free(cfg->schedules);
	memset(cfg, 0, sizeof(*cfg));
}

const struct source_config *config_find_source(const struct config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (size_t i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

const char *config_default_path(const char *flag_value)
{
	if (flag_value && *flag_value)
		return flag_value;
	const char *env = getenv("REPORTBOT_CONFIG");
	if (env && *env)
		return env;
	return "./config.toml";
}
