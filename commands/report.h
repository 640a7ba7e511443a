/*
 * report.h: the one generic executor. Binds an invocation's values, runs
 * its SQL on the source, streams rows into the CSV writer on fd. Nothing
 * holds the whole result in memory.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdatomic.h>

#include "common.h"
#include "commands/args.h"
#include "store/history.h"
#include "store/source-cache.h"

struct report_result {
	enum run_status status;   /* RUN_OK, RUN_ERROR, RUN_TIMEOUT, RUN_CANCELLED */
	int64_t rows;
	int64_t bytes;
	int64_t duration_ms;
	char *error;              /* for the person, NULL when ok; owned */
};
void report_result_release(struct report_result *r);

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
};

/*
 * Run inv, writing CSV to fd (borrowed, not closed). Connections come from
 * cache (opened lazily, reopened after a lost connection). Fills *res;
 * returns 0 when the run finished ok, -1 otherwise (res says why).
 * Detail for the log (SQL, driver message) goes to the log only.
 */
int report_execute(const struct report_options *opt, struct source_cache *cache,
		   const struct invocation *inv, int fd,
		   const struct report_watch *watch, struct report_result *res);

#endif
