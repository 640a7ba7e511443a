/*
 * job-run.h: what a worker does with one job: record it in history, run
 * the report into a temporary file, hand the outcome to the job's
 * delivery, record the final status. A failure is never recorded as ok.
 */
#ifndef RUN_JOB_H
#define RUN_JOB_H

#include "common.h"
#include "bot/job.h"
#include "commands/report.h"
#include "store/source-cache.h"

struct app;

/* One worker's private state; never shared between threads. */
struct run_worker {
	struct app *app;
	int index;
	struct source_cache sources;     /* this worker's connections */
	struct report_watch watch;       /* set by the pool for cancellation */
	struct {
		const struct delivery *delivery;
		void *wstate;
	} deliveries[4];                 /* per-delivery worker state, made lazily */
	size_t ndeliveries;
};

void run_worker_init(struct run_worker *rw, struct app *app, int index);
void run_worker_release(struct run_worker *rw);

/* The history record of report job JOB as it is queued (its strings
 * borrowed from job and its command): what the worker's claim and the
 * queued record (bot/dispatch.c) write. */
struct run_record;
void job_run_record(const struct app *app, const struct job *job, struct run_record *rec);

/* Run job to the end (the caller frees it afterwards). */
void run_job(struct run_worker *rw, struct job *job);

#endif
