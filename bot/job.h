/*
 * job.h: one unit of work for the worker pool (a report run or a built-in
 * that reads the database), and the delivery interface through which its
 * outcome reaches the person (Slack upload, console folder).
 *
 * A job is owned by whoever holds it: the submitter until pool_submit
 * succeeds, then the pool, which frees it with job_free after delivery.
 */
#ifndef JOB_H
#define JOB_H

#include <stdatomic.h>

#include "common.h"
#include "commands/catalog-snapshot.h"
#include "commands/invocation.h"
#include "commands/report.h"

struct builtin;

enum job_kind {
	JOB_REPORT,
	JOB_BUILTIN,       /* a built-in that reads the history store */
	JOB_NOTICE,        /* post args_shown to channel_id (scheduler notices) */
};

struct job {
	enum job_kind kind;
	int64_t run_id;              /* JOB_REPORT: the history id shown to people */
	struct invocation inv;       /* JOB_REPORT; owned (inv.cmd borrowed from catalog) */
	struct catalog *catalog;     /* JOB_REPORT: a reference to the snapshot inv.cmd is in,
	                              * so the run keeps its version whatever is reloaded */
	const struct builtin *builtin;  /* JOB_BUILTIN */
	struct strlist words;        /* JOB_BUILTIN: its arguments; owned */
	void *parsed;                /* JOB_BUILTIN: what exec_now made of words; owned,
	                              * freed by builtin->free_parsed */
	char *args_shown;            /* resolved arguments, "customer=acme month=2024-11" */
	char *user_id;               /* owned; "console", "cli", or a Slack user id */
	char *channel_id;            /* owned; NULL outside Slack */
	char *response_url;          /* owned; the slash command's reply hook, NULL when none */
	bool replace_original;       /* response_url's message is this request's own reply
	                              * ("Running…", a failure the person clicked): replace it */
	char *schedule;              /* owned; schedule name for scheduled runs, else NULL */
	int64_t slot_ms;             /* scheduled: the slot time */
	int attempt;                 /* scheduled: 1 for the first try */
	bool skip_empty;             /* scheduled: no post when the result has no rows */
	bool only_changed;           /* scheduled: no post when the CSV equals the last posted */
	int64_t queued_ms;           /* wall clock */
	atomic_int cancel_requested;  /* 0; 1 asked by a person; JOB_CANCEL_SHUTDOWN */
	const struct delivery *delivery;  /* borrowed; outlives the pool */
};

/* cancel_requested set by a shutdown (bot/job-pool.c), not a person:
 * deliveries may say so (a scheduled run's retry survives it). */
#define JOB_CANCEL_SHUTDOWN 2

struct job *job_new(enum job_kind kind);
void job_free(struct job *job);   /* NULL ok */

/*
 * How results reach the person. Every callback runs on a worker thread
 * (never on the network thread). wstate is per-worker state made by
 * worker_init (e.g. a curl handle) and only used by that worker.
 */
struct delivery {
	void *ctx;
	void *(*worker_init)(void *ctx);
	void (*worker_free)(void *ctx, void *wstate);
	/* A text for the person (built-in output, a refusal). */
	int (*post_text)(void *ctx, void *wstate, const struct job *job, const char *text, char **cause);
	/* A finished report: csv_path holds the CSV when res->status == RUN_OK
	 * (kept by the caller for [output] keep_hours, store/results.h; a
	 * delivery that wants the file elsewhere renames it; its name ends
	 * ".csv.gz" when res->gzipped). On failure res->error says why.
	 * Returns 0 when delivered, DELIVERY_HELD when the result was held
	 * back on purpose (recorded as skipped), -1 with *cause on failure. */
	int (*post_result)(void *ctx, void *wstate, const struct job *job,
			   const struct report_result *res, const char *csv_path, char **cause);
	/* Optional: the fd the CSV streams into instead of a temporary file
	 * (borrowed, not closed; `reportbot run` gives stdout or FILE.partial).
	 * post_result then gets csv_path NULL. */
	int (*result_fd)(void *ctx, const struct job *job);
};

#define DELIVERY_HELD 1

/* The error of a run whose CSV was made but not delivered (CAUSE: why).
 * Caller frees. */
char *delivery_failure_error(const char *cause);

#endif
