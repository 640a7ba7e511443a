/*
 * command.h: a report definition, parsed from commands/NAME.sql.
 *
 * Header: `-- key: value` lines first (summary, source, param, channels,
 * timeout, max_rows, filename, bom, order,
 * allow, preview, chart), the SQL after. Everything in a
 * struct command is owned by it; command_release frees it.
 */
#ifndef COMMAND_H
#define COMMAND_H

#include "common.h"

#define COMMAND_MAX_BYTES (1024 * 1024)   /* the longest command file */
/* The most preview rows: Slack's table holds 100 rows, the header one. */
#define COMMAND_PREVIEW_MAX 99

enum param_type {
	PARAM_STRING,
	PARAM_INT,
	PARAM_DATE,      /* YYYY-MM-DD, today, yesterday */
	PARAM_MONTH,     /* YYYY-MM, this, last; binds NAME_start / NAME_end */
	PARAM_ENUM,      /* enum(a|b|c) */
	PARAM_LIST,      /* comma-separated; :NAME expands to one ? per value */
};
const char *param_type_name(enum param_type t);

struct param {
	char *name;
	enum param_type type;
	char **choices;         /* PARAM_ENUM */
	size_t nchoices;
	char *def;              /* default text as written, or NULL = required */
	char *description;      /* may be "" */
	/* PARAM_INT declared as int(MIN..MAX); either end may be open */
	bool has_min, has_max;
	int64_t min, max;
};

/* `-- order: FIRST <= SECOND`: two date (or two month) params, the first
 * never after the second. Indexes into cmd->params. */
struct param_order {
	size_t first, second;
};

/* One piece of the SQL after placeholder scanning. */
struct sql_piece {
	char *text;             /* literal SQL text, or NULL for a placeholder */
	char *name;             /* placeholder name (without ':'), e.g. month_start */
};

/* `-- chart: TYPE x=COL y=COL[,COL…]` (issue 12): a Slack
 * data_visualization block drawn from the result. */
enum chart_type { CHART_NONE, CHART_LINE, CHART_BAR, CHART_AREA, CHART_PIE };
#define CHART_SERIES_MAX 6      /* Slack: 1 to 6 series; a pie has one */
const char *chart_type_name(enum chart_type t);

struct chart_spec {
	enum chart_type type;   /* CHART_NONE: no chart */
	char *x;                /* the column giving the categories (labels) */
	char **y;               /* the columns giving the values, one series each */
	size_t ny;
	int line;               /* the chart: line, for check's FILE:LINE */
};

struct command {
	char *name;             /* from the file name */
	char *path;
	char *summary;
	char *source;           /* NULL = config default_source */
	struct param *params;   /* in argument order */
	size_t nparams;
	char **channels;        /* allowed channel ids; nchannels == 0: anywhere */
	size_t nchannels;
	int timeout;            /* seconds; 0 = config default */
	int64_t max_rows;       /* 0 = unlimited */
	char *filename;         /* template like "usage-{customer}-{month}.csv", or NULL */
	int bom;                /* -1 = config default, 0, 1 */
	/* allow: who may run it: group names of [access.groups] and Slack ids
	 * (U…/W… a person, S… a user group); nallow == 0: everyone */
	char **allow;
	size_t nallow;
	int allow_line;         /* the allow: line, 0 when absent */
	char *sql;              /* the SQL text as written */
	int sql_line;           /* 1-based line where the SQL starts */
	struct sql_piece *pieces;  /* sql split at placeholders */
	size_t npieces;
	struct param_order *orders;   /* from `-- order:`, checked at binding */
	size_t norders;
	/* issue 12: the post's preview and chart */
	int preview;            /* `-- preview: N` rows (0 = none); -1 = [output] preview_rows */
	struct chart_spec chart;
	/* issue 15: a script report (an executable file; sql is NULL) */
	bool script;
	char *interpreter;      /* its #! line after "#!", trimmed; NULL without one */
	char **env;             /* `env:` names of variables it may receive */
	size_t nenv;
	int env_line;           /* the env: line, 0 when absent */
};

/*
 * Parse a command file's text. Every fault is pushed to errors as
 * "PATH:LINE: message"; returns 0 if none, -1 otherwise (cmd is then
 * still safe to release). Checks: name syntax, unknown keys, duplicate
 * params, bad types/defaults, undeclared placeholders, unused params.
 */
int command_parse(struct command *cmd, const char *name, const char *path,
		  const char *text, size_t len, struct strlist *errors);
void command_release(struct command *cmd);

/*
 * Parse a script report's text (issue 15): an optional `#!` first line,
 * then the same header as a .sql file written after the script's own
 * comment marker (`#`, `//` or `--`, the one its first header line uses:
 * `# summary: ...`, `# param: ...`); the rest is the script, not read.
 * `source:` is a fault (a script reads its data itself); `env: NAME ...`
 * names the variables of the bot's environment it may receive. Faults as
 * for command_parse.
 */
int command_parse_script(struct command *cmd, const char *name, const char *path,
			 const char *text, size_t len, struct strlist *errors);

/* Environment variable names `env:` accepts: [A-Za-z_][A-Za-z0-9_]*. */
bool env_name_valid(const char *name, size_t n);

/* The param called name, or NULL; borrowed from cmd. */
const struct param *command_find_param(const struct command *cmd, const char *name);

/* Name syntax: a command `[a-z0-9_-]+`, a param `[a-z_][a-z0-9_]*` (64 bytes max). */
bool command_name_valid(const char *name);
bool param_name_valid(const char *name);

#endif
