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
#include "store/history.h"
#include "store/source-cache.h"

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
	/* Compress once the CSV passes gzip_over bytes (0: always, <0: never)
	 * into gzip_fd (borrowed, not closed; -1: never). With a gzip_fd, fd
	 * must be a new regular file opened read-write (store/csv.h). */
	int64_t gzip_over;
	int gzip_fd;
	int64_t max_file_bytes;                /* a bigger file is refused (0: no limit) */
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
