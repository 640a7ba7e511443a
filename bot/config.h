/*
 * config.h: the configuration model (docs/config.md), loaded from TOML.
 *
 * config_load fills a struct config (every string owned by it) and applies
 * the environment overrides SLACK_APP_TOKEN, SLACK_BOT_TOKEN, SLACK_API_URL.
 * config_release frees everything. Secrets (tokens, passwords) live only
 * here and are never printed.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include "common.h"

#include "store/source-config.h"

struct schedule_config {
	char *name;
	char *cron;
	char *run;                  /* what a person would type after /report */
	char *channel;
	bool skip_empty;            /* default false */
	bool only_changed;          /* default false */
	int line;                   /* where its [[schedule]] table starts, for messages */
};

/* One group of [access.groups]: who is in it. */
struct access_group {
	char *name;                 /* [a-z][a-z0-9_-]*, e.g. "admins" */
	char **ids;                 /* Slack user ids (U…, W…) and user group ids (S…) */
	size_t nids;
	int line;                   /* where it is defined, for messages */
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
	int preview_rows;           /* rows of the post's table, default 10, 0..99 (issue 12) */
	int gzip_over;              /* bytes; over it the CSV goes up gzipped; 0 always, -1 never; default 50 MiB */
	int max_upload_bytes;       /* a bigger file is refused, not uploaded; default 1 GiB (Slack's limit) */
	int keep_hours;             /* result files kept this long for resend, default 24, 1..8760 */

	/* [scheduler] */
	int catch_up_minutes;       /* missed slots younger than this run once on start, default 60 */
	int schedule_retries;       /* default 2 */
	int schedule_retry_backoff; /* seconds, first retry delay, doubles, default 60 */
	char *alert_channel;        /* or NULL */
	char **schedule_admins;     /* deprecated: read into the "admins" group of [access] */
	size_t nschedule_admins;

	/* [access] (bot/access.h applies it) */
	int access_refresh_minutes; /* Slack user groups read again this often, default 10 */
	struct access_group *access_groups;  /* [access.groups] NAME = [ids] */
	size_t naccess_groups;

	struct source_config *sources;   /* each [sources.NAME], via its driver */
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

/* The [access.groups] group NAME, or NULL; borrowed from cfg. */
const struct access_group *config_find_group(const struct config *cfg, const char *name);

/* Borrowed pointer into cfg, or NULL. */
const struct source_config *config_find_source(const struct config *cfg, const char *name);

struct command;
struct report_options;
/* What a run of cmd takes from cfg (commands/report.h): the command's own
 * source, timeout and bom, else the config's defaults; gzip_over and the
 * upload limit of [output] (gzip_fd -1: the caller gives one). Borrows
 * from both. */
void config_report_options(const struct config *cfg, const struct command *cmd,
			   struct report_options *out);

/* The config path from -c, else $REPORTBOT_CONFIG, else "./config.toml". */
const char *config_default_path(const char *flag_value);

#endif
