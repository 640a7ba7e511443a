/*
 * report.h: the one generic executor. Binds an invocation's values, runs
 * its SQL on the source, streams rows into the CSV writer on fd (gzipped
 * into a second fd past a size). Nothing holds the whole result in memory.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdatomic.h>

#include "common.h"
#include "commands/args.h"
#include "commands/command.h"
#include "store/history.h"
#include "store/source-cache.h"

/* Bounds of what a run keeps for its post (issue 12): memory is at most
 * rows x REPORT_PREVIEW_COLS x REPORT_CELL_KEEP bytes, plus the chart's
 * REPORT_CHART_POINTS x (1 + CHART_SERIES_MAX) cells. */
#define REPORT_PREVIEW_COLS 20     /* Slack's table: at most 20 cells a row */
#define REPORT_CELL_KEEP 400       /* bytes kept of a cell, cut on a UTF-8 boundary */
#define REPORT_CHART_POINTS 20     /* categories kept for a chart */

/*
 * The first rows of a result and the chart's columns, captured as the rows
 * stream into the CSV (the CSV is never read back). Cells are NUL-terminated
 * copies, NULL for SQL NULL; everything is owned by the preview.
 */
struct report_preview {
	size_t ncols;             /* columns of the result */
	size_t shown_cols;        /* min(ncols, REPORT_PREVIEW_COLS) */
	char **colnames;          /* shown_cols names */
	size_t want_rows;         /* rows asked for (0: no table) */
	size_t nrows;             /* rows kept, <= want_rows */
	char **cells;             /* nrows x shown_cols, row by row */
	bool *cut;                /* nrows x shown_cols: the cell was longer than REPORT_CELL_KEEP */

	/* the command's `-- chart:` (inv->cmd->chart), when it has one */
	bool chart;
	char *chart_missing;      /* a chart column the result does not have, or NULL */
	size_t chart_x;           /* column index of x */
	size_t chart_y[CHART_SERIES_MAX];   /* column index of each y */
	size_t ny;
	size_t npoints;           /* rows kept for the chart, <= REPORT_CHART_POINTS */
	char **points;            /* npoints x (1 + ny): x, then each y; NULL = SQL NULL */
};
void report_preview_free(struct report_preview *p);   /* NULL ok */

/* Excel opens at most this many lines of a CSV, the header included. */
#define REPORT_EXCEL_MAX_LINES 1048576

struct report_result {
	enum run_status status;   /* RUN_OK, RUN_ERROR, RUN_TIMEOUT, RUN_CANCELLED */
	int64_t rows;
	int64_t bytes;            /* the CSV's bytes, uncompressed */
	int64_t duration_ms;
	char *error;              /* for the person, NULL when ok; owned */
	bool gzipped;             /* the file holds the CSV gzipped: NAME.csv.gz */
	int64_t file_bytes;       /* the file's size (compressed when gzipped) */
	bool file_complete;       /* the file holds the whole result: ok, or
	                           * refused as too large to upload (kept for resend) */
	struct strlist notes;     /* for the person beside the result, e.g. Excel's
	                           * row limit; owned (zeroed is an empty list) */
	/* the first rows and the chart's values (issue 12); owned, NULL when
	 * the run made no result or preview_rows is 0 and there is no chart */
	struct report_preview *preview;
};
void report_result_release(struct report_result *r);

/* The name the result file is posted under: invocation_filename, plus
 * ".gz" when res->gzipped. Owned by the caller. */
char *report_file_name(const struct invocation *inv, const struct report_result *res);

/* Told which connection the run uses (and NULL when it ends) so another
 * thread can source_cancel it. Called on the running thread. */
struct report_watch {
	void (*on_source)(void *ctx, struct source *src);
	void *ctx;
	/* Set by another thread to stop the run; checked before the statement
	 * starts and between rows (closes the window in which a cancel sent
	 * to the source would be forgotten by source_execute). May be NULL. */
	atomic_int *cancelled;
};

/* What a run takes from the config, resolved for its command by the caller
 * (the command's own source, timeout and bom win over the defaults). */
struct report_options {
	const char *source_name;               /* for the message when source is NULL */
	const struct source_config *source;    /* borrowed; NULL: not in the config */
	int timeout;                           /* seconds */
	bool bom;                              /* start the CSV with a UTF-8 BOM */
	int preview_rows;                      /* rows kept for the post (0: none) */
	/* Compress once the CSV passes gzip_over bytes (0: always, <0: never)
	 * into gzip_fd (borrowed, not closed; -1: never). With a gzip_fd, fd
	 * must be a new regular file opened read-write (store/csv.h). */
	int64_t gzip_over;
	int gzip_fd;
	int64_t max_file_bytes;                /* a bigger file is refused (0: no limit) */
	/* script reports (issue 15, commands/script-run.h) */
	const char *timezone;                  /* bot.timezone: the script's TZ */
	const struct source_config *sources;   /* every source: passwords kept from scripts */
	size_t nsources;
	const char *tokens[2];                 /* the Slack tokens, ditto; may be NULL */
};

/*
 * Run inv, writing CSV to fd (borrowed, not closed), or gzipped to
 * opt->gzip_fd past opt->gzip_over. Connections come from cache (opened
 * lazily, reopened after a lost connection). Fills *res; returns 0 when the
 * run finished ok, -1 otherwise (res says why). A file over
 * opt->max_file_bytes is an error that states its size and asks to narrow
 * the arguments (res->file_complete: the file is whole).
 * Detail for the log (SQL, driver message) goes to the log only.
 */
int report_execute(const struct report_options *opt, struct source_cache *cache,
		   const struct invocation *inv, int fd,
		   const struct report_watch *watch, struct report_result *res);

#endif
