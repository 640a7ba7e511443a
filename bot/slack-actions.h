/*
 * slack-actions.h: the buttons reportbot puts on its messages, as Block
 * Kit JSON (I/O-free, unit tested), and the action ids a click comes back
 * with (bot/dispatch.h, dispatch_action, reads them).
 *
 * Every button's value is a run id in decimal, nothing else: a click is
 * never trusted for more than naming a run. The server reads that run
 * from the history and asks bot/access.h again, as for a typed command.
 *
 * Every function returns JSON text the caller frees: a blocks array, or
 * (slack_actions_result) one block object for a post built elsewhere.
 * Text is escaped for Slack (bot/slack-text.h) and cut to fit a section.
 */
#ifndef SLACK_ACTIONS_H
#define SLACK_ACTIONS_H

#include "common.h"

/* action_id of each button (Slack allows 255 characters). */
#define SLACK_ACTION_RERUN  "reportbot_rerun"    /* Run again, Try again: `rerun ID` */
#define SLACK_ACTION_EDIT   "reportbot_edit"     /* Change arguments: the `/report` line to edit */
#define SLACK_ACTION_CANCEL "reportbot_cancel"   /* Cancel: `cancel ID` */
#define SLACK_ACTION_RESEND "reportbot_resend"   /* Retry upload: `resend ID` */

#define SLACK_ACTION_ID_MAX 255     /* Slack's limits on a button */
#define SLACK_ACTION_VALUE_MAX 2000

/* The actions block of a result post: "Run again" and, when the report
 * has parameters, "Change arguments". One block object. */
char *slack_actions_result(int64_t run_id, bool has_params);

/* The ephemeral "Running…" reply: a section with text and a "Cancel"
 * button. */
char *slack_actions_running(const char *text, int64_t run_id);

/* A failed run for the person who asked: a section with text (the
 * reason) and "Try again"; with retry_upload (the CSV was made, the
 * upload failed) "Retry upload" first. */
char *slack_actions_failed(const char *text, int64_t run_id, bool retry_upload);

/* The one line a finished run leaves in the asker's view: text and, when
 * permalink is an http(s) address with no character that would break
 * Slack's link syntax, a link to the result. */
char *slack_actions_done(const char *text, const char *permalink);

#endif
