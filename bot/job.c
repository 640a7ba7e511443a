/*
 * job.c: making and freeing a job (bot/job.h).
 */
#include "common.h"
#include "bot/job.h"

#include "bot/builtin.h"

struct job *job_new(enum job_kind kind)
{
	struct job *job = xcalloc(1, sizeof(*job));
	job->kind = kind;
	job->attempt = 1;
	strlist_init(&job->words);
	atomic_init(&job->cancel_requested, 0);
	return job;
}

void job_free(struct job *job)
{
	if (!job)
		return;
	invocation_release(&job->inv);
	catalog_put(job->catalog);   /* after inv: inv.cmd lives in it */
	strlist_release(&job->words);
	if (job->parsed && job->builtin && job->builtin->free_parsed)
		job->builtin->free_parsed(job->parsed);
	free(job->args_shown);
	free(job->user_id);
	free(job->channel_id);
	free(job->response_url);
	free(job->schedule);
	free(job);
}

char *delivery_failure_error(const char *cause)
{
	return xasprintf("the CSV was made but could not be delivered: %s", cause ? cause : "unknown error");
}
