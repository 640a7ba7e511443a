/*
 * slack-forms.h: the report form at work in `serve` (issue 13): one
 * thread that only serves interactions, with its own curl handle, fed by
 * a queue, so a form opens within the trigger's 3 seconds even while
 * every worker runs a slow report, and the network thread never waits.
 *
 *  - slack_forms_open (network thread, after `/report` alone or `/report
 *    NAME` with its required params missing; the slash command is acked
 *    at once without text): the thread builds the view (bot/slack-form.h)
 *    and calls views.open with the trigger_id. When Slack refuses
 *    (expired_trigger_id, ...) or there is no report to offer, the person
 *    gets a plain ephemeral reply through the command's response_url:
 *    type `/report NAME ARGS`.
 *  - slack_forms_interaction (network thread, an interactive envelope):
 *    choosing a report (block_actions from the form's picker) queues a
 *    views.update with the view's hash (a stale one is refused by Slack
 *    with hash_conflict and dropped); a view_submission is checked at
 *    once, before the ack: the report and channel come from the view, the
 *    person's permission is asked again (access_may_run), the values go
 *    through the binder (args_bind_at) and a mistake is the ack's
 *    response_action "errors" under its field. A valid form is queued like
 *    a typed command (dispatch_report) in the channel where /report was
 *    typed; the ack closes the form and the thread posts the ephemeral
 *    "Running …" to the person.
 */
#ifndef SLACK_FORMS_H
#define SLACK_FORMS_H

#include "common.h"
#include "bot/app.h"
#include "bot/job.h"

struct slack_forms;

/* Start the thread (app and delivery borrowed: the delivery of the runs a
 * form queues). */
int slack_forms_start(struct slack_forms **out, struct app *app, const struct delivery *delivery,
		      char **cause);
/* Stop and join the thread; queued tasks are dropped. NULL ok. */
void slack_forms_stop(struct slack_forms *f);

/* Queue a views.open (never blocks). report: the report to show (NULL:
 * the picker alone); prefill: "name=value" words to fill in, or NULL. All
 * borrowed (copied). */
void slack_forms_open(struct slack_forms *f, const char *trigger_id, const char *user,
		      const char *channel, const char *response_url, const char *report,
		      const struct strlist *prefill);

/* Queue the form of run RUN_ID's report filled with that run's resolved
 * arguments (the "Change arguments" button; never blocks). The run is
 * read and the person's right to see and run it checked on the form's
 * thread. Strings borrowed (copied). */
void slack_forms_open_run(struct slack_forms *f, const char *trigger_id, const char *user,
			  const char *channel, const char *response_url, int64_t run_id);

/* An interactive envelope's frame (data, len): the ack payload (JSON
 * object text, caller frees) or NULL. Memory work only. */
char *slack_forms_interaction(struct slack_forms *f, const char *data, size_t len);

#endif
