/*
 * slack-form.h: the Block Kit modal that runs a report (issue 13), with no
 * I/O: the view for `views.open` / `views.update`, and a submission's
 * values back into the name=value words the binder takes.
 *
 * The view (https://docs.slack.dev/surfaces/modals,
 * https://docs.slack.dev/reference/block-kit/blocks/input-block):
 *  - an input block SLACK_FORM_PICKER with a static_select of the reports
 *    this person may run in this channel (access_may_run, the filter of
 *    `help`), the summary as each option's description, dispatch_action
 *    true so choosing one sends a block_actions envelope;
 *  - once a report is chosen, one input block per param, typed from the
 *    command header: date → datepicker, month → a select of this, last
 *    and the past 24 months, enum → a select, list → a multi-select when
 *    its values are declared, else a text input of comma-separated values,
 *    int → number_input (min/max from int(MIN..MAX)), string → a text
 *    input of at most ARG_STRING_MAX characters. The description is the
 *    hint; the default (relative words resolved at now, in the process
 *    time zone, i.e. bot.timezone) or a run's value is prefilled; required
 *    params are required inputs, optional ones say their default.
 *  - private_metadata {"channel":…,"report":…}: where to post; it is
 *    read back, never trusted: permissions are checked again on submit.
 * Block ids of params are "p.REPORT.PARAM" (a new report's fields start
 * empty rather than keep another report's values), action ids "v".
 *
 * Limits kept (else -1 with a cause): ≤ 100 blocks, labels and hints
 * ≤ 2000, ids ≤ 255, title ≤ 24, option text and description ≤ 75 (cut
 * with "…"), ≤ 100 options (reports beyond are left out, and said so),
 * private_metadata ≤ 3000.
 */
#ifndef SLACK_FORM_H
#define SLACK_FORM_H

#include <time.h>

#include "common.h"
#include "bot/access.h"
#include "bot/slack-view-json.h"
#include "commands/catalog.h"

#define SLACK_FORM_CALLBACK "reportbot-run"   /* the view's callback_id */
#define SLACK_FORM_PICKER "report"            /* block_id and action_id of the report select */
#define SLACK_FORM_MAX_OPTIONS 100
#define SLACK_FORM_MONTHS 24                  /* past months offered besides this and last */

/* Who the form is for (all borrowed). */
struct slack_form_ctx {
	const struct catalog *cat;
	const struct access *access;
	const char *user;
	const char *channel;
	const char *slash;          /* "/report", for the words of mistakes */
	time_t now;                 /* resolves relative defaults */
};

/*
 * The modal view as JSON text (caller frees): the picker, and when cmd is
 * not NULL, cmd's inputs. prefill (may be NULL) holds "name=value" words,
 * e.g. a run's resolved arguments ("Change arguments"); a value that does
 * not fit its param is left out (the default shows instead). -1 with
 * *cause when a limit cannot be kept, or the person may run no report here.
 */
int slack_form_view(const struct slack_form_ctx *ctx, const struct command *cmd,
		    const struct strlist *prefill, char **view, char **cause);

/* private_metadata read back. */
struct slack_form_meta {
	char *channel;
	char *report;               /* NULL while none is chosen */
};
int slack_form_meta_parse(const char *text, struct slack_form_meta *m, char **cause);
void slack_form_meta_release(struct slack_form_meta *m);

/* The block_id of param i of cmd (caller frees). */
char *slack_form_block_id(const struct command *cmd, size_t i);

/* The report the submission names: the picker's value, else the
 * metadata's; NULL when neither names a report of cat. Borrowed. */
const struct command *slack_form_chosen(const struct catalog *cat, const struct slack_form_event *in,
					const struct slack_form_meta *meta);

/* The submission's values of cmd's inputs as "name=value" words appended
 * to words: a multi-select joined with ','; an empty input gives no word
 * (the binder then takes the default or says it is missing). */
void slack_form_words(const struct command *cmd, const struct slack_form_event *in,
		      struct strlist *words);

/* {"response_action":"errors","errors":{BLOCK:message}} for a binder
 * mistake about param (SIZE_MAX or a param without a field in the
 * submitted view: under the report picker). Caller frees. */
char *slack_form_errors(const struct command *cmd, const struct slack_form_event *in,
			size_t param, const char *message);

/* Request bodies: views.open {trigger_id, view} and views.update
 * {view_id, hash, view} (hash NULL: none); view is JSON text from
 * slack_form_view. Caller frees. */
char *slack_form_open_body(const char *trigger_id, const char *view);
char *slack_form_update_body(const char *view_id, const char *hash, const char *view);

#endif
