/*
 * source-config.c: load and release one [sources.NAME] table through its
 * driver's key specs (see source-config.h).
 */
#include "common.h"
#include "store/source-config.h"

#include "common/config-keys.h"
#include "common/toml.h"
#include "store/source.h"

/* What other_key needs to word "does not apply". */
struct load_ctx {
	struct config_faults *F;
	const char *section;
	const struct source_driver *driver;
};

/* A key another driver takes: say so instead of "unknown key". */
static bool other_driver_key(void *ctx, const struct toml_entry *e)
{
	struct load_ctx *c = ctx;
	if (!source_driver_with_key(e->key, c->driver))
		return false;
	config_fault(c->F, e->line, e->column, "[%s] key '%s' does not apply to driver %s",
		     c->section, e->key, c->driver->name);
	return true;
}

/* The driver named in T, or NULL after reporting why there is none. */
static const struct source_driver *driver_of(const struct toml_value *t, const char *section,
					     struct config_faults *F)
{
	const struct toml_entry *drv = toml_table_entry(t, "driver");
	const struct source_driver *d = NULL;
	char *names = source_driver_names();
	if (!drv) {
		config_fault(F, t->line, t->column, "[%s] is missing key 'driver'; accepted: %s",
			     section, names);
	} else if (config_string(F, section, "driver", drv->value, false)) {
		d = source_driver_find(drv->value->u.string.ptr);
		if (!d) {
			char *shown = config_show_value(drv->value, false);
			config_fault(F, drv->value->line, drv->value->column, "[%s] driver = %s is not "
				     "supported; accepted: %s", section, shown, names);
			free(shown);
		}
	}
	free(names);
	return d;
}

void source_config_load(struct source_config *cfg, const char *name, const struct toml_value *t,
			struct config_faults *F)
{
	char *section = xasprintf("sources.%s", name);
	cfg->name = xstrdup(name);
	const struct source_driver *d = driver_of(t, section, F);
	if (!d)
		goto out;
	cfg->driver = d;
	cfg->settings = xcalloc(1, d->settings_size);
	config_keys_defaults(d->keys, d->nkeys, cfg->settings);

	static const char *const also[] = { "driver" };
	struct load_ctx ctx = { F, section, d };
	const struct config_table tab = {
		.section = section, .keys = d->keys, .nkeys = d->nkeys, .base = cfg->settings,
		.also = also, .nalso = ARRAY_SIZE(also), .other_key = other_driver_key, .ctx = &ctx,
	};
	config_keys_apply(F, t, &tab);
	for (size_t i = 0; i < d->nkeys; i++) {
		const struct config_key *k = &d->keys[i];
		if ((k->flags & CONFIG_REQUIRED) && !toml_table_entry(t, k->key))
			config_fault(F, t->line, t->column, "[%s] is missing key '%s' (required for "
				     "driver %s%s%s)", section, k->key, d->name, k->what ? ": " : "",
				     k->what ? k->what : "");
	}
	if (d->validate)
		d->validate(cfg->settings, t, section, F);
out:
	free(section);
}

void source_config_release(struct source_config *cfg)
{
	if (!cfg)
		return;
	if (cfg->driver && cfg->settings) {
		if (cfg->driver->release)
			cfg->driver->release(cfg->settings);
		config_keys_release(cfg->driver->keys, cfg->driver->nkeys, cfg->settings);
	}
	free(cfg->settings);
	free(cfg->name);
	memset(cfg, 0, sizeof(*cfg));
}

const struct source_config *source_config_find(const struct source_config *v, size_t n, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i].name && strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

void source_password_from_env(const char *password_env, const struct toml_value *t,
			      const char *section, char **password, struct config_faults *F)
{
	if (!password_env)
		return;
	const char *pw = getenv(password_env);
	const struct toml_value *pv = toml_table_get(t, "password_env");
	if (!pw)
		config_fault(F, pv->line, pv->column, "[%s] password_env = \"%s\": environment "
			     "variable %s is not set; set it, or remove password_env for a "
			     "password-less login", section, password_env, password_env);
	else
		*password = xstrdup(pw);
}

void source_password_release(char **password)
{
	if (!*password)
		return;
	volatile char *p = *password;
	while (*p)
		*p++ = '\0';
	free(*password);
	*password = NULL;
}
