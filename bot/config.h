/*
 * config.h: the configuration model of DESIGN.md, loaded from TOML.
 *
 * config_load fills a struct config (every string owned by it) and applies
 * the environment overrides SLACK_APP_TOKEN, SLACK_BOT_TOKEN, SLACK_API_URL.
 * config_release frees everything. Secrets (tokens, passwords) live only
 * here and are never printed.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include "common.h"

enum source_driver {
	SOURCE_DRIVER_SQLITE,
	SOURCE_DRIVER_MYSQL,
};

struct source_config {
	char *name;                 /* the key in [sources.NAME] */
	enum source_driver driver;
	/* sqlite */
	char *path;                 /* relative paths resolved against the cwd */
	/* mysql */
	char *host;                 /* default "127.0.0.1" */
	int port;                   /* default 3306 */
	char *socket;               /* unix socket path, or NULL */
	char *user;
	char *password_env;         /* name of the env var, or NULL */
	char *password;             /* its value at load time; secret */
	char *database;
	int connect_timeout;        /* seconds, default 10 */
	bool tls;                   /* require TLS, default false */
	char *tls_ca;               /* CA file, or NULL for the system store */
	bool tls_verify;            /* verify server cert, default true */
};

struct schedule_config {
	char *name;
	char *cron;
	char *run;                  /* what a person would type after /report */
	char *channel;
	bool skip_empty;            /* default false */
	bool only_changed;          /* default false */
};

struct config {
	char *path;                 /* the file it came from */

	/* [slack] */
	char *app_token;            /* secret */
	char *bot_token;            /* secret */
	char *api_url;              /* always ends with '/' */
	char *command;              /* default "/report" */

	/* [bot] */
	char *commands_dir;         /* default "commands" */
	char *data_dir;             /* default "var" */
	int workers;                /* default 4, 1..64 */
	int queue_size;             /* default 64: queued reports beyond workers */
	char *timezone;             /* default "UTC"; validated against tzdata */
	char *default_source;       /* default: the only source, if just one */
	int default_timeout;        /* seconds, default 300 */
	int shutdown_grace;         /* seconds to let runs finish on SIGTERM, default 30 */

	/* [output] */
	bool bom;

	/* [scheduler] */
	int catch_up_minutes;       /* missed slots younger than this run once on start, default 60 */
	int schedule_retries;       /* default 2 */
	int schedule_retry_backoff; /* seconds, first retry delay, doubles, default 60 */
	char *alert_channel;        /* or NULL */
	char **schedule_admins;     /* user ids allowed to add/remove schedules */
	size_t nschedule_admins;

	struct source_config *sources;
	size_t nsources;
	struct schedule_config *schedules;
	size_t nschedules;
};

/*
 * Load and validate FILE. On error returns -1 with *cause like
 * "config.toml:12:1: unknown key 'wrokers' in [bot] (did you mean
 * 'workers'?); accepted: ...". When the TOML itself is sound, *cause holds
 * every fault found, one per line. Validation covers unknown keys, wrong
 * types, ranges, missing sources, bad timezone, a password_env naming an
 * unset variable. The timezone is only checked here: main applies it with
 * timezone_apply (common/timezone.h). app_token and bot_token are NULL when
 * neither the file nor the environment sets them. cfg is zeroed on failure.
 * See docs/config.md for every key.
 */
int config_load(struct config *cfg, const char *path, char **cause);
void config_release(struct config *cfg);

/* Borrowed pointer into cfg, or NULL. */
const struct source_config *config_find_source(const struct config *cfg, const char *name);

/* The config path from -c, else $REPORTBOT_CONFIG, else "./config.toml". */
const char *config_default_path(const char *flag_value);

#endif
