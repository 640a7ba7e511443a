/*
 * config.c: load config.toml into struct config (see config.h).
 *
 * Each section is described by a table of key specs (name, type, where in
 * the struct, range, default); the generic walker of common/config-keys.h
 * checks every key of a TOML table against it, so an unknown key, a wrong
 * type or an out-of-range number gets the same kind of message everywhere.
 * Each [sources.NAME] table goes to its driver's specs (store/source-config.h).
 * Every fault found is reported, not just the first, one per line.
 */
#include "common.h"

#include <limits.h>
#include <stddef.h>

#include "bot/config.h"
#include "commands/command.h"
#include "commands/report.h"
#include "common/config-keys.h"
#include "common/cron.h"
#include "common/timezone.h"
#include "common/toml.h"
#include "common/strbuf.h"
#include "store/source.h"

#define DEFAULT_API_URL "https://slack.com/api/"

#define STR(st, k, f, fl, d) CONFIG_KEY_STR(st, k, f, fl, d)
#define INT(st, k, f, lo, hi, d) CONFIG_KEY_INT(st, k, f, lo, hi, d)
#define BOOL(st, k, f, d) CONFIG_KEY_BOOL(st, k, f, d)

static const struct config_key slack_keys[] = {
	STR(struct config, "app_token", app_token, CONFIG_SECRET | CONFIG_EMPTY_NULL, NULL),
	STR(struct config, "bot_token", bot_token, CONFIG_SECRET | CONFIG_EMPTY_NULL, NULL),
	STR(struct config, "api_url", api_url, CONFIG_NONEMPTY, DEFAULT_API_URL),
	STR(struct config, "command", command, CONFIG_NONEMPTY, "/report"),
};

static const struct config_key bot_keys[] = {
	STR(struct config, "commands_dir", commands_dir, CONFIG_NONEMPTY, "commands"),
	STR(struct config, "data_dir", data_dir, CONFIG_NONEMPTY, "var"),
	INT(struct config, "workers", workers, 1, 64, 4),
	INT(struct config, "queue_size", queue_size, 1, 100000, 64),
	STR(struct config, "timezone", timezone, CONFIG_NONEMPTY, "UTC"),
	STR(struct config, "default_source", default_source, CONFIG_NONEMPTY, NULL),
	INT(struct config, "default_timeout", default_timeout, 1, 86400, 300),
	INT(struct config, "shutdown_grace", shutdown_grace, 0, 3600, 30),
};

static const struct config_key output_keys[] = {
	BOOL(struct config, "bom", bom, true),   /* Excel reads BOM-less UTF-8 as the ANSI code page */
	/* issue 12: rows of the post's table; Slack's table holds 100, the header one */
	INT(struct config, "preview_rows", preview_rows, 0, COMMAND_PREVIEW_MAX, 10),
	INT(struct config, "gzip_over", gzip_over, -1, INT_MAX, 50 * 1024 * 1024),
	INT(struct config, "max_upload_bytes", max_upload_bytes, 1, 1024 * 1024 * 1024, 1024 * 1024 * 1024),
	INT(struct config, "keep_hours", keep_hours, 1, 8760, 24),
};

static const struct config_key scheduler_keys[] = {
	INT(struct config, "catch_up_minutes", catch_up_minutes, 0, 10080, 60),
	INT(struct config, "retries", schedule_retries, 0, 10, 2),
	INT(struct config, "retry_backoff", schedule_retry_backoff, 1, 86400, 60),
	STR(struct config, "alert_channel", alert_channel, CONFIG_EMPTY_NULL, NULL),
	CONFIG_KEY_STRS(struct config, "admins", schedule_admins, nschedule_admins, CONFIG_NONEMPTY),
};

static const struct config_key access_keys[] = {
	INT(struct config, "refresh_minutes", access_refresh_minutes, 1, 1440, 10),
};

static const struct config_key schedule_keys[] = {
	STR(struct schedule_config, "name", name, CONFIG_NONEMPTY, NULL),
	STR(struct schedule_config, "cron", cron, CONFIG_NONEMPTY, NULL),
	STR(struct schedule_config, "run", run, CONFIG_NONEMPTY, NULL),
	STR(struct schedule_config, "channel", channel, CONFIG_NONEMPTY, NULL),
	BOOL(struct schedule_config, "skip_empty", skip_empty, false),
	BOOL(struct schedule_config, "only_changed", only_changed, false),
};

/* The top-level sections with a fixed key table, and where they go. */
static const struct section {
	const char *name;
	const struct config_key *keys;
	size_t nkeys;
} fixed_sections[] = {
	{ "slack", slack_keys, ARRAY_SIZE(slack_keys) },
	{ "bot", bot_keys, ARRAY_SIZE(bot_keys) },
	{ "output", output_keys, ARRAY_SIZE(output_keys) },
	{ "scheduler", scheduler_keys, ARRAY_SIZE(scheduler_keys) },
};

static const char *const sections[] = {
	"slack", "bot", "sources", "output", "scheduler", "schedule", "access",
};

/* Check table T against KEYS, storing into BASE. */
static void apply(struct config_faults *F, const struct toml_value *t, const char *section,
		  const struct config_key *keys, size_t nkeys, void *base)
{
	const struct config_table tab = { .section = section, .keys = keys, .nkeys = nkeys, .base = base };
	config_keys_apply(F, t, &tab);
}

/* The table SECTION of ROOT, or NULL; complains if it is not a table. */
static const struct toml_value *section_table(struct config_faults *F, const struct toml_value *root,
					      const char *section)
{
	const struct toml_entry *e = toml_table_entry(root, section);
	if (!e)
		return NULL;
	if (e->value->type != TOML_TABLE) {
		char *shown = config_show_value(e->value, false);
		config_fault(F, e->line, e->column, "%s = %s is %s %s; accepted: a table [%s]", section,
			     shown, config_article(e->value->type), toml_type_name(e->value->type), section);
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

static void load_sources(struct config_faults *F, struct config *cfg, const struct toml_value *root)
{
	const struct toml_value *t = section_table(F, root, "sources");
	if (!t)
		return;
	cfg->sources = xcalloc(t->u.table.n ? t->u.table.n : 1, sizeof(*cfg->sources));
	for (size_t i = 0; i < t->u.table.n; i++) {
		const struct toml_entry *e = &t->u.table.entries[i];
		if (!valid_name(e->key, e->key_len)) {
			config_fault(F, e->line, e->column, "source name '%.64s' is not valid; "
				     "accepted: letters, digits, '_' and '-'", e->key);
			continue;
		}
		if (e->value->type != TOML_TABLE) {
			char *shown = config_show_value(e->value, false);
			config_fault(F, e->line, e->column, "sources.%s = %s is %s %s; accepted: a "
				     "table [sources.%s] with a driver", e->key, shown,
				     config_article(e->value->type), toml_type_name(e->value->type), e->key);
			free(shown);
			continue;
		}
		source_config_load(&cfg->sources[cfg->nsources++], e->key, e->value, F);
	}
}

static void load_schedules(struct config_faults *F, struct config *cfg, const struct toml_value *root)
{
	const struct toml_entry *e = toml_table_entry(root, "schedule");
	if (!e)
		return;
	const struct toml_value *a = e->value;
	if (a->type != TOML_ARRAY) {
		config_fault(F, e->line, e->column, "schedule is %s %s; accepted: [[schedule]] tables",
			     config_article(a->type), toml_type_name(a->type));
		return;
	}
	cfg->schedules = xcalloc(a->u.array.n ? a->u.array.n : 1, sizeof(*cfg->schedules));
	for (size_t i = 0; i < a->u.array.n; i++) {
		const struct toml_value *t = a->u.array.items[i];
		if (t->type != TOML_TABLE) {
			config_fault(F, t->line, t->column, "schedule[%zu] is %s %s; accepted: a table",
				     i, config_article(t->type), toml_type_name(t->type));
			continue;
		}
		struct schedule_config *sc = &cfg->schedules[cfg->nschedules++];
		config_keys_defaults(schedule_keys, ARRAY_SIZE(schedule_keys), sc);
		apply(F, t, "[schedule]", schedule_keys, ARRAY_SIZE(schedule_keys), sc);
		sc->line = t->line;
		static const char *const required[] = { "name", "cron", "run", "channel" };
		for (size_t k = 0; k < ARRAY_SIZE(required); k++)
			if (!toml_table_entry(t, required[k]))
				config_fault(F, t->line, t->column, "[[schedule]] is missing key '%s'; "
					     "required: name, cron, run, channel", required[k]);
		if (sc->cron) {
			struct cron parsed;
			char *why = NULL;
			if (cron_parse(&parsed, sc->cron, &why) < 0) {
				const struct toml_value *cv = toml_table_get(t, "cron");
				config_fault(F, cv->line, cv->column, "[[schedule]] %s", why);
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
				config_fault(F, nv->line, nv->column, "duplicate schedule name \"%s\" "
					     "(first used at line %d); accepted: a unique name per "
					     "[[schedule]]", sc->name, ov ? ov->line : 0);
				break;
			}
		}
	}
}

/* ---- [access] ---- */

/* A group name: a lowercase letter, then [a-z0-9_-], at most 64 bytes, so
 * it can never be mistaken for a Slack id (U…, W…, S…). */
static bool group_name_valid(const char *s, size_t n)
{
	if (!valid_name(s, n) || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return false;
	return true;
}

/* A Slack user id (U…, W…) or user group id (S…): the letter, then at
 * least two of [A-Z0-9]. */
static bool access_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 32 || (s[0] != 'U' && s[0] != 'W' && s[0] != 'S'))
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}

struct groups_ctx {
	struct config_faults *F;
	struct config *cfg;
};

/* other_key of [access.groups]: every key is a group, its value an array
 * of ids, checked by the walker with a spec made for that one key. */
static bool access_group_entry(void *ctx, const struct toml_entry *e)
{
	struct groups_ctx *g = ctx;
	if (!group_name_valid(e->key, e->key_len)) {
		config_fault(g->F, e->line, e->column, "[access.groups] group name '%.64s' is not "
			     "valid; accepted: a lowercase letter, then lowercase letters, digits, "
			     "'_' or '-' (e.g. admins, finance)", e->key);
		return true;
	}
	struct access_group *grp = &g->cfg->access_groups[g->cfg->naccess_groups++];
	grp->name = xstrdup(e->key);
	grp->line = e->line;
	struct config_key spec = CONFIG_KEY_STRS(struct access_group, "", ids, nids, CONFIG_NONEMPTY);
	spec.key = grp->name;
	struct toml_value one = { .type = TOML_TABLE };
	one.u.table.entries = (struct toml_entry *)e;
	one.u.table.n = 1;
	const struct config_table tab = { .section = "access.groups", .keys = &spec, .nkeys = 1, .base = grp };
	config_keys_apply(g->F, &one, &tab);
	for (size_t i = 0; i < grp->nids; i++) {
		if (access_id_valid(grp->ids[i]))
			continue;
		const struct toml_value *item = toml_array_get(e->value, i);
		config_fault(g->F, item ? item->line : e->line, item ? item->column : e->column,
			     "[access.groups] %s[%zu] = \"%.64s\" is not a Slack id; accepted: a user id "
			     "(U0123456789 or W0123456789, from the person's profile → ⋮ → Copy member ID) "
			     "or a user group id (S0123456789)", grp->name, i, grp->ids[i]);
	}
	return true;
}

static void load_access(struct config_faults *F, struct config *cfg, const struct toml_value *root)
{
	const struct toml_value *t = section_table(F, root, "access");
	if (!t)
		return;
	static const char *const also[] = { "groups" };
	const struct config_table tab = {
		.section = "access", .keys = access_keys, .nkeys = ARRAY_SIZE(access_keys),
		.base = cfg, .also = also, .nalso = ARRAY_SIZE(also),
	};
	config_keys_apply(F, t, &tab);
	const struct toml_entry *ge = toml_table_entry(t, "groups");
	if (!ge)
		return;
	if (ge->value->type != TOML_TABLE) {
		char *shown = config_show_value(ge->value, false);
		config_fault(F, ge->line, ge->column, "[access] groups = %s is %s %s; accepted: a table "
			     "[access.groups] of NAME = [\"U0123456789\", \"S0123456789\", …]", shown,
			     config_article(ge->value->type), toml_type_name(ge->value->type));
		free(shown);
		return;
	}
	const struct toml_value *g = ge->value;
	cfg->access_groups = xcalloc(g->u.table.n ? g->u.table.n : 1, sizeof(*cfg->access_groups));
	struct groups_ctx ctx = { F, cfg };
	const struct config_table gtab = {
		.section = "access.groups", .other_key = access_group_entry, .ctx = &ctx,
	};
	config_keys_apply(F, g, &gtab);
}

const struct access_group *config_find_group(const struct config *cfg, const char *name)
{
	for (size_t i = 0; cfg && name && i < cfg->naccess_groups; i++)
		if (strcmp(cfg->access_groups[i].name, name) == 0)
			return &cfg->access_groups[i];
	return NULL;
}

/* ---- the whole file ---- */

static void set_defaults(struct config *cfg)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixed_sections); i++)
		config_keys_defaults(fixed_sections[i].keys, fixed_sections[i].nkeys, cfg);
	config_keys_defaults(access_keys, ARRAY_SIZE(access_keys), cfg);
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

static void check_slack(struct config_faults *F, struct config *cfg, const struct toml_value *root)
{
	int line, col;
	env_override(&cfg->app_token, "SLACK_APP_TOKEN");
	env_override(&cfg->bot_token, "SLACK_BOT_TOKEN");
	env_override(&cfg->api_url, "SLACK_API_URL");
	if (strncmp(cfg->api_url, "http://", 7) != 0 && strncmp(cfg->api_url, "https://", 8) != 0) {
		where(root, "slack", "api_url", &line, &col);
		config_fault(F, line, col, "[slack] api_url = \"%.100s\" is not a URL; accepted: "
			     "http://... or https://... (default %s)", cfg->api_url, DEFAULT_API_URL);
	} else if (cfg->api_url[strlen(cfg->api_url) - 1] != '/') {
		char *u = xasprintf("%s/", cfg->api_url);
		free(cfg->api_url);
		cfg->api_url = u;
	}
	if (cfg->command[0] != '/' || strpbrk(cfg->command, " \t\r\n")) {
		where(root, "slack", "command", &line, &col);
		config_fault(F, line, col, "[slack] command = \"%.100s\" is not a slash command; "
			     "accepted: '/' and a word, e.g. \"/report\"", cfg->command);
	}
}

static void check_bot(struct config_faults *F, struct config *cfg, const struct toml_value *root)
{
	int line, col;
	char *why = NULL;
	if (timezone_check(cfg->timezone, &why)) {
		where(root, "bot", "timezone", &line, &col);
		config_fault(F, line, col, "[bot] timezone: %s", why);
		free(why);
	}
	if (cfg->default_source) {
		if (!config_find_source(cfg, cfg->default_source)) {
			const char *names[16] = { NULL };
			size_t n = 0;
			for (size_t i = 0; i < cfg->nsources && n < ARRAY_SIZE(names); i++)
				names[n++] = cfg->sources[i].name;
			char *list = config_join(names, n);
			char *sugg = config_suggestion(cfg->default_source, names, n);
			where(root, "bot", "default_source", &line, &col);
			config_fault(F, line, col, "[bot] default_source = \"%.64s\" names no source%s; "
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
		char *list = config_join(names, n);
		const struct toml_value *b = toml_table_get(root, "bot");
		config_fault(F, b ? b->line : 1, b ? b->column : 1, "[bot] default_source is not set "
			     "and there are %zu sources; accepted: one of %s", cfg->nsources, list);
		free(list);
	}
}

static void load_root(struct config_faults *F, struct config *cfg, const struct toml_value *root)
{
	for (size_t i = 0; i < root->u.table.n; i++) {
		const struct toml_entry *e = &root->u.table.entries[i];
		bool known = false;
		for (size_t k = 0; k < ARRAY_SIZE(sections); k++)
			if (strcmp(e->key, sections[k]) == 0 && strlen(e->key) == e->key_len)
				known = true;
		if (!known) {
			char *sugg = config_suggestion(e->key, sections, ARRAY_SIZE(sections));
			char *list = config_join(sections, ARRAY_SIZE(sections));
			config_fault(F, e->line, e->column, "unknown key '%.64s' at the top level%s; "
				     "accepted: %s", e->key, sugg, list);
			free(sugg);
			free(list);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed_sections); i++) {
		const struct section *sec = &fixed_sections[i];
		const struct toml_value *t = section_table(F, root, sec->name);
		if (t)
			apply(F, t, sec->name, sec->keys, sec->nkeys, cfg);
	}
	load_sources(F, cfg, root);
	load_schedules(F, cfg, root);
	load_access(F, cfg, root);
	if (cfg->nsources == 0) {
		char *names = source_driver_names();
		config_fault(F, 1, 1, "no data source is configured; add a [sources.NAME] table "
			     "with a driver (accepted: %s)", names);
		free(names);
	}
	check_slack(F, cfg, root);
	check_bot(F, cfg, root);
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
	struct config_faults faults;
	struct toml_value *root = NULL;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	strbuf_init(&text);
	config_faults_init(&faults, path);
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
	load_root(&faults, cfg, root);
	char *msg = config_faults_text(&faults);
	if (msg) {
		if (cause)
			*cause = msg;
		else
			free(msg);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		config_release(cfg);
	toml_free(root);
	strbuf_release(&text);
	config_faults_release(&faults);
	return rc;
}

void config_release(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	for (size_t i = 0; i < ARRAY_SIZE(fixed_sections); i++)
		config_keys_release(fixed_sections[i].keys, fixed_sections[i].nkeys, cfg);
	for (size_t i = 0; i < cfg->nsources; i++)
		source_config_release(&cfg->sources[i]);
	free(cfg->sources);
	for (size_t i = 0; i < cfg->nschedules; i++)
		config_keys_release(schedule_keys, ARRAY_SIZE(schedule_keys), &cfg->schedules[i]);
	free(cfg->schedules);
	static const struct config_key group_ids =
		CONFIG_KEY_STRS(struct access_group, "", ids, nids, 0);
	for (size_t i = 0; i < cfg->naccess_groups; i++) {
		free(cfg->access_groups[i].name);
		config_keys_release(&group_ids, 1, &cfg->access_groups[i]);
	}
	free(cfg->access_groups);
	memset(cfg, 0, sizeof(*cfg));
}

const struct source_config *config_find_source(const struct config *cfg, const char *name)
{
	return cfg ? source_config_find(cfg->sources, cfg->nsources, name) : NULL;
}

void config_report_options(const struct config *cfg, const struct command *cmd,
			   struct report_options *out)
{
	out->source_name = cmd->source ? cmd->source : cfg->default_source;
	out->source = config_find_source(cfg, out->source_name);
	out->timeout = cmd->timeout > 0 ? cmd->timeout : cfg->default_timeout;
	out->bom = cmd->bom >= 0 ? cmd->bom : cfg->bom;
	out->preview_rows = cmd->preview >= 0 ? cmd->preview : cfg->preview_rows;
	out->gzip_over = cfg->gzip_over;
	out->gzip_fd = -1;
	out->max_file_bytes = cfg->max_upload_bytes;
	/* script reports (issue 15) */
	out->timezone = cfg->timezone;
	out->sources = cfg->sources;
	out->nsources = cfg->nsources;
	out->tokens[0] = cfg->app_token;
	out->tokens[1] = cfg->bot_token;
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
