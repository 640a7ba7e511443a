/*
 * source-config.h: one [sources.NAME] table of the config: which driver,
 * and that driver's own settings.
 *
 * source_config_load picks the driver named by `driver = "..."` from the
 * table in store/source.c and checks the other keys against that driver's
 * key specs (common/config-keys.h), so config.c knows no driver's keys.
 */
#ifndef SOURCE_CONFIG_H
#define SOURCE_CONFIG_H

#include "common.h"

struct config_faults;
struct source_driver;
struct toml_value;

struct source_config {
	char *name;                         /* the NAME of [sources.NAME]; owned */
	const struct source_driver *driver; /* a row of the driver table; NULL when unknown */
	void *settings;                     /* the driver's settings struct; owned */
};

/*
 * Fill cfg from table T of [sources.NAME] (cfg zeroed by the caller; T
 * borrowed). Faults (missing or unknown driver, keys the driver does not
 * take, wrong types, missing required keys, the driver's own checks) go to
 * F; cfg is filled as far as it could be and must be released either way.
 */
void source_config_load(struct source_config *cfg, const char *name, const struct toml_value *t,
			struct config_faults *F);
/* Frees everything cfg owns, wiping secrets; accepts NULL. */
void source_config_release(struct source_config *cfg);

/*
 * For a driver's validate: when password_env (borrowed; NULL: none) is set,
 * the password from that environment variable into *password (owned), or
 * a fault at T's password_env key in [SECTION] when it is not set.
 */
void source_password_from_env(const char *password_env, const struct toml_value *t,
			      const char *section, char **password, struct config_faults *F);
/* For a driver's release: wipes *password (best effort: the secret does
 * not lie in freed memory), frees it and sets it NULL. */
void source_password_release(char **password);

/* The config named NAME among V[0..N), borrowed; or NULL. */
const struct source_config *source_config_find(const struct source_config *v, size_t n, const char *name);

#endif
