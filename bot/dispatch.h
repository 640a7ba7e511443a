/*
 * dispatch.h: one line a person typed (the text after the slash command),
 * turned into an immediate reply and, for a report or a built-in that reads
 * the database, a job on the pool. Used by Slack, console and the
 * scheduler alike. Never blocks on a database, file or network.
 */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <time.h>

#include "common.h"
#include "bot/app.h"
#include "bot/job.h"

struct dispatch_request {
	const char *text;              /* e.g. "monthly acme 2024-11" */
	const char *user_id;           /* "console" outside Slack */
	const char *channel_id;        /* NULL outside Slack */
	const char *response_url;      /* Slack's reply hook for this command, else NULL */
	bool replace_original;         /* response_url's message is ours to replace (a
	                                * slash command's ack; an ephemeral a button was on) */
	bool from_click;               /* a button: no ack can carry the reply */
	const char *schedule;          /* schedule name when scheduled, else NULL */
	int64_t slot_ms;               /* scheduled slot */
	time_t now;                    /* resolve today/last/... at this time; 0: the real now
	                                * (a scheduled run resolves at its slot, retries too) */
	int attempt;
	bool skip_empty;               /* scheduled: see [[schedule]] */
	bool only_changed;
	const struct delivery *delivery;
	bool forms;                    /* the asker can get a form (Slack, with a trigger_id):
	                                * `/report` alone, or a report whose required params
	                                * are all missing, asks for one (reply.open_form) */
};

struct dispatch_reply {
	char *text;                    /* owned; shown at once (Slack ack payload) */
	int64_t run_id;                /* > 0 when a report was queued */
	bool mistake;                  /* text explains a mistake in the input */
	bool open_form;                /* open the report form (req.forms); text is NULL */
	char *form_report;             /* owned; the report to show in it, or NULL: the picker */
};

void dispatch_line(struct app *app, const struct dispatch_request *req, struct dispatch_reply *reply);

/* The report part of dispatch_line for a command already found (in cat,
 * a snapshot the caller holds: the job takes its own reference) and its
 * words already split (`reportbot run` passes its argv): bind, queue,
 * reply. reply must be zeroed by the caller. */
void dispatch_report(struct app *app, const struct dispatch_request *req, struct catalog *cat,
		     const struct command *cmd, char *const *argv, size_t argc,
		     struct dispatch_reply *reply);
/* dispatch_report in two steps, for a caller that must speak before the
 * run may start (rerun: its "Running…" is posted before the run can end
 * and replace it). prepare checks, binds and takes the run id: the job
 * (the caller's) and reply's text, or NULL with reply a mistake. submit
 * queues it (the pool's from then on); when the pool refuses, the job is
 * freed, its id given back, and reply becomes the mistake. */
struct job *dispatch_report_prepare(struct app *app, const struct dispatch_request *req,
				   struct catalog *cat, const struct command *cmd,
				   char *const *argv, size_t argc, struct dispatch_reply *reply);
void dispatch_report_submit(struct app *app, struct job *job, struct dispatch_reply *reply);
void dispatch_reply_release(struct dispatch_reply *reply);

/*
 * A button clicked (bot/slack-actions.h): action_id and the button's value
 * (a run id) become the built-in a person would type (`rerun ID`, `cancel
 * ID`, `resend ID`, or the `/report` line to edit), through the same
 * checks. req->text is ignored. The ack of a click shows nothing, so a
 * mistake or refusal in reply->text is also queued to the person as an
 * ephemeral message; what a click starts speaks for itself. An unknown
 * action_id is a mistake, told the same way.
 */
void dispatch_action(struct app *app, const struct dispatch_request *req, const char *action_id,
		     const char *value, struct dispatch_reply *reply);

#endif
