/*
 * config-keys.h: check a TOML table against a table of key specs, and
 * collect the faults found as FILE:LINE:COLUMN messages in file order.
 *
 * A key spec names one accepted key: its type, where its value goes in a
 * struct (an offset from a base pointer), its range or flags and its
 * default. config_keys_apply walks a TOML table, stores every accepted value
 * and reports each unknown key (with the closest accepted one suggested),
 * wrong type, out-of-range number or empty string. bot/config.c uses it for
 * the sections of config.toml, the data-source drivers (store/source-*.c)
 * for their [sources.NAME] keys, so every message has the same form.
 * Secrets are never shown in a message.
 */
#ifndef CONFIG_KEYS_H
#define CONFIG_KEYS_H

#include "common.h"

#include "common/toml.h"

/* Faults found so far; each is "PATH:LINE:COL: message". */
struct config_faults {
	const char *path;           /* borrowed: the file name in messages */
	struct strlist errs;
	long *order;                /* line * 65536 + column of each, to sort */
};

void config_faults_init(struct config_faults *F, const char *path);
void config_fault(struct config_faults *F, int line, int col, const char *fmt, ...) PRINTF_LIKE(4, 5);
/* Every fault in file order (stable), one per line; owned by the caller.
 * NULL when there is none. */
char *config_faults_text(struct config_faults *F);
void config_faults_release(struct config_faults *F);

enum config_key_type {
	CONFIG_STR,                 /* char * at off, owned by the base */
	CONFIG_INT,                 /* int at off, min..max */
	CONFIG_BOOL,                /* bool at off */
	CONFIG_STRS,                /* char ** at off, size_t count at count_off */
};

enum {
	CONFIG_SECRET = 1 << 0,     /* never show the value */
	CONFIG_NONEMPTY = 1 << 1,   /* a string that must not be empty */
	CONFIG_EMPTY_NULL = 1 << 2, /* "" means unset (NULL) */
	CONFIG_REQUIRED = 1 << 3,   /* must be present (checked by the caller) */
};

struct config_key {
	const char *key;
	enum config_key_type type;
	size_t off;
	size_t count_off;           /* CONFIG_STRS only */
	int min, max;               /* CONFIG_INT only */
	unsigned flags;
	const char *def;            /* CONFIG_STR default, or NULL */
	int idef;                   /* CONFIG_INT / CONFIG_BOOL default */
	const char *what;           /* what the key holds, for "missing" messages; or NULL */
};

/* Spec rows: struct ST, key name K, field F. */
#define CONFIG_KEY_STR(st, k, f, fl, d) \
	{ k, CONFIG_STR, offsetof(st, f), 0, 0, 0, fl, d, 0, NULL }
#define CONFIG_KEY_INT(st, k, f, lo, hi, d) \
	{ k, CONFIG_INT, offsetof(st, f), 0, lo, hi, 0, NULL, d, NULL }
#define CONFIG_KEY_BOOL(st, k, f, d) \
	{ k, CONFIG_BOOL, offsetof(st, f), 0, 0, 0, 0, NULL, d, NULL }
#define CONFIG_KEY_STRS(st, k, f, n, fl) \
	{ k, CONFIG_STRS, offsetof(st, f), offsetof(st, n), 0, 0, fl, NULL, 0, NULL }

/* One table to check: its keys and the struct its values go into. */
struct config_table {
	const char *section;        /* in messages: "bot", "sources.main", "[schedule]" */
	const struct config_key *keys;
	size_t nkeys;
	void *base;                 /* borrowed: the struct the offsets point into */
	/* Keys the caller handles itself: skipped here, listed as accepted. */
	const char *const *also;
	size_t nalso;
	/* A key in neither list: return true when the caller reported it (or
	 * accepts it), false for the generic "unknown key" fault. May be NULL. */
	bool (*other_key)(void *ctx, const struct toml_entry *e);
	void *ctx;
};

/* Store every default of KEYS into BASE (strings are copied). */
void config_keys_defaults(const struct config_key *keys, size_t nkeys, void *base);
/* Check every entry of table T against TAB and store the values. */
void config_keys_apply(struct config_faults *F, const struct toml_value *t, const struct config_table *tab);
/* Free what the string keys of BASE own and zero them. */
void config_keys_release(const struct config_key *keys, size_t nkeys, void *base);
/* The spec named KEY, or NULL. */
const struct config_key *config_keys_find(const struct config_key *keys, size_t nkeys, const char *key);

/* ---- pieces for messages the walker does not cover ---- */

/* The string in V (no NUL inside), or NULL after reporting a fault. */
const char *config_string(struct config_faults *F, const char *section, const char *key,
			  const struct toml_value *v, bool secret);
/* A short printable form of V, or "(hidden)"; owned by the caller. */
char *config_show_value(const struct toml_value *v, bool secret);
/* "a" or "an", to go before toml_type_name(T). */
const char *config_article(enum toml_type t);
/* " (did you mean 'x'?)" for the closest of NAMES to KEY, or ""; owned. */
char *config_suggestion(const char *key, const char *const *names, size_t n);
/* NAMES joined by ", "; owned. */
char *config_join(const char *const *names, size_t n);

#endif
