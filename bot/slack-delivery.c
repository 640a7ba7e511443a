/*
 * slack-delivery.c: struct delivery for Slack (bot/slack-delivery.h).
 */
#include "common.h"

#include "common/log.h"
#include "bot/slack-actions.h"
#include "bot/slack-api.h"
#include "bot/slack-delivery.h"
#include "bot/slack-post.h"
#include "common/markup.h"
#include "common/numtext.h"
#include "common/strbuf.h"

#define RESPONSE_URL_TTL_MS (30 * 60 * 1000)   /* Slack's response_url lifetime */

/* The job's response_url while Slack still takes it, else NULL (borrowed). */
static const char *response_url_of(const struct job *job)
{
	if (!job->response_url || !*job->response_url)
		return NULL;
	if (now_ms_wall() - job->queued_ms > RESPONSE_URL_TTL_MS)
		return NULL;
	return job->response_url;
}

static void *sd_worker_init(void *ctx)
{
	struct slack_delivery *sd = ctx;
	struct slack_api *api = NULL;
	char *cause = NULL;
	if (slack_api_new(&api, sd->cfg->api_url, &cause) < 0) {
		log_error("slack: worker cannot make its Web API client: %s", cause);
		free(cause);
		return NULL;
	}
	return api;
}

static void sd_worker_free(void *ctx, void *wstate)
{
	(void)ctx;
	slack_api_free(wstate);
}

static bool is_person(const char *user)
{
	return user && (user[0] == 'U' || user[0] == 'W');
}

/* Tell the person. in_channel: a channel message (everyone waiting for
 * the report sees it); when the bot may not post there, ephemeral, then
 * the slash command's response_url, which works without channel
 * membership. Else a private text (history, help, schedules, a refusal):
 * ephemeral, then the response_url, and never a channel message: when
 * neither works it is logged and dropped. Scheduled runs and runs not
 * asked by a person go to the channel only. response_url may be NULL. */
static int tell(struct slack_delivery *sd, struct slack_api *api, const struct job *job,
		const char *text, bool in_channel, const char *response_url, char **cause)
{
	if (!api)
		return fail(cause, "no Slack client on this worker");
	if (!job->channel_id)
		return fail(cause, "the job has no channel to answer in");
	const char *token = sd->cfg->bot_token;
	if (job->schedule || !is_person(job->user_id))
		return slack_post_message(api, token, job->channel_id, text, cause);

	char *err = NULL;
	int rc = in_channel
		? slack_post_message(api, token, job->channel_id, text, &err)
		: slack_post_ephemeral(api, token, job->channel_id, job->user_id, text, &err);
	if (rc == 0)
		return 0;
	log_info("slack: %s reply in %s failed (%s); trying another way", in_channel ? "channel" : "ephemeral",
		 job->channel_id, err);
	if (in_channel) {
		free(err);
		err = NULL;
		rc = slack_post_ephemeral(api, token, job->channel_id, job->user_id, text, &err);
	}
	if (rc == 0 || !response_url) {
		if (rc < 0) {
			if (!in_channel)
				log_warn("slack: a private reply to %s in %s was dropped: no ephemeral message and "
					 "no response_url; it is never posted to the channel instead",
					 job->user_id, job->channel_id);
			fail(cause, "%s", err);
		}
		free(err);
		return rc;
	}
	free(err);
	return slack_post_response_url(api, response_url, text, cause);
}

/* To the person who asked, with blocks (buttons): replacing the message
 * the job's response_url belongs to when it is this request's own
 * ("Running…", a failure whose button was clicked), else a new ephemeral
 * message, else a new one through the response_url. Never the channel. */
static int tell_asker(struct slack_delivery *sd, struct slack_api *api, const struct job *job,
		      const char *text, const char *blocks, char **cause)
{
	const char *hook = response_url_of(job);
	char *err = NULL, *body;
	int rc;
	if (job->replace_original && hook) {
		body = slack_json_response_blocks(text, blocks, true);
		rc = slack_post_response_json(api, hook, body, &err);
		free(body);
		if (rc == 0)
			return 0;
		log_info("slack: replacing the reply to %s failed (%s); posting a new one", job->user_id, err);
		free(err);
		err = NULL;
	}
	body = slack_json_post_ephemeral_blocks(job->channel_id, job->user_id, text, blocks);
	struct slack_response r;
	rc = slack_api_call(api, sd->cfg->bot_token, "chat.postEphemeral", body, 0, &r, &err);
	free(body);
	if (rc == 0) {
		slack_response_release(&r);
		return 0;
	}
	if (!hook) {
		fail(cause, "%s", err);
		free(err);
		return -1;
	}
	free(err);
	body = slack_json_response_blocks(text, blocks, false);
	rc = slack_post_response_json(api, hook, body, cause);
	free(body);
	return rc;
}

/* A person's own run, told to them alone with buttons (scheduled runs
 * and runs of the process itself keep the channel). */
static bool to_asker(const struct job *job, const struct slack_api *api)
{
	return api && job->channel_id && !job->schedule && is_person(job->user_id);
}

static int sd_post_text(void *ctx, void *wstate, const struct job *job, const char *text, char **cause)
{
	if (job->replace_original && response_url_of(job) && to_asker(job, wstate))
		return tell_asker(ctx, wstate, job, text, NULL, cause);
	return tell(ctx, wstate, job, text, false, response_url_of(job), cause);
}

char *slack_delivery_comment(const struct job *job, const char *command_name,
			     int64_t rows, int64_t duration_ms)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_addf(&sb, "`%s`", command_name);
	if (job->args_shown && *job->args_shown)
		strbuf_addf(&sb, " %s", job->args_shown);
	strbuf_adds(&sb, ": ");
	numtext_add_thousands(&sb, rows);
	strbuf_adds(&sb, rows == 1 ? " row in " : " rows in ");
	numtext_add_duration(&sb, duration_ms);
	strbuf_addf(&sb, " (run %lld", (long long)job->run_id);
	if (job->schedule)
		strbuf_addf(&sb, ", scheduled by %s", job->schedule);
	else if (is_person(job->user_id)) {
		strbuf_adds(&sb, ", asked by ");
		markup_add_user(&sb, job->user_id);
	}
	strbuf_adds(&sb, ")");
	return strbuf_detach(&sb);
}

static const char *status_words(enum run_status st)
{
	switch (st) {
	case RUN_TIMEOUT: return "timed out";
	case RUN_CANCELLED: return "was cancelled";
	default: return "failed";
	}
}

/* --- the result post (issue 12) ---------------------------------------- */

/* Errors of a file share with blocks after which the blocks go by
 * chat.postMessage and the file into its thread: the blocks were refused
 * (invalid_blocks, or any code about blocks), or Slack failed on them
 * (internal_error: a block type it does not take on a file share). */
static bool blocks_refused(const char *code)
{
	return code && (strstr(code, "block") || !strcmp(code, "internal_error") ||
			!strcmp(code, "invalid_arguments"));
}

/* The post of a finished run: the CSV shared with the post's blocks; when
 * Slack refuses the blocks there, the blocks as a message and the file in
 * its thread; when the blocks are refused there too, the text alone and
 * the file in its thread. The file, once uploaded, is shared in every
 * case but a channel fault (not_in_channel, ...). */
static int share_post(struct slack_delivery *sd, struct slack_api *api, const struct job *job,
		      const struct report_result *res, const char *csv_path, const char *filename,
		      char **cause)
{
	const char *token = sd->cfg->bot_token;
	const struct command *cmd = job->inv.cmd;
	struct slack_post post = {
		.report = cmd ? cmd->name : "report",
		.title = cmd ? cmd->summary : NULL,
		.args_shown = job->args_shown,
		.rows = res->rows,
		.duration_ms = res->duration_ms,
		.run_id = job->run_id,
		.user_id = job->user_id,
		.schedule = job->schedule,
		.file = SLACK_POST_FILE_ATTACHED,
		.preview = res->preview,
		.chart = cmd ? &cmd->chart : NULL,
		.notes = (const char *const *)res->notes.v,   /* e.g. Excel's row limit */
		.nnotes = res->notes.n,
	};
	char *file_id = NULL, *ts = NULL, *err = NULL;
	if (slack_upload_start(api, token, csv_path, filename, &file_id, cause) < 0)
		return -1;
	/* "Run again" and, with parameters, "Change arguments" (bot/slack-actions.h) */
	char *actions = slack_actions_result(job->run_id, cmd && cmd->nparams > 0);
	json_t *action_block = json_loads(actions, 0, NULL);
	free(actions);
	if (action_block) {
		post.extra_blocks = json_array();
		json_array_append_new(post.extra_blocks, action_block);
	}

	json_t *blocks = slack_post_blocks(&post);
	int rc = slack_upload_complete(api, token, file_id, filename, job->channel_id, blocks, NULL, &err);
	json_decref(blocks);
	if (rc == 0 || !blocks_refused(slack_api_last_error(api))) {
		if (rc < 0)
			fail(cause, "%s", err);
		free(err);
		free(file_id);
		json_decref(post.extra_blocks);
		return rc;
	}
	log_warn("slack: run %lld: the file share refused the post's blocks (%s); posting them "
		 "apart, with the file in the thread", (long long)job->run_id, err);
	free(err);
	err = NULL;

	post.file = SLACK_POST_FILE_IN_THREAD;
	char *text = slack_post_text(&post);
	blocks = slack_post_blocks(&post);
	rc = slack_post_message_blocks(api, token, job->channel_id, text, blocks, NULL, &ts, &err);
	json_decref(blocks);
	if (rc < 0 && blocks_refused(slack_api_last_error(api))) {
		log_warn("slack: run %lld: chat.postMessage refused the blocks too (%s); posting the "
			 "text alone", (long long)job->run_id, err);
		free(err);
		err = NULL;
		rc = slack_post_message_blocks(api, token, job->channel_id, text, NULL, NULL, &ts, &err);
	}
	free(text);
	if (rc < 0) {
		/* no message to thread under: share the file on its own */
		log_warn("slack: run %lld: no message for the thread (%s); sharing the file alone",
			 (long long)job->run_id, err);
		free(err);
		err = NULL;
	}
	rc = slack_upload_complete(api, token, file_id, filename, job->channel_id, NULL, ts, cause);
	free(ts);
	free(file_id);
	json_decref(post.extra_blocks);
	return rc;
}

/* The asker's "Running…" becomes one line with a link to the result. */
static void done_line(struct slack_delivery *sd, struct slack_api *api, const struct job *job,
		      const char *name, int64_t rows)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_addf(&sb, "`%s`%s%s: ", name, job->args_shown && *job->args_shown ? " " : "",
		    job->args_shown ? job->args_shown : "");
	numtext_add_thousands(&sb, rows);
	strbuf_addf(&sb, rows == 1 ? " row (run %lld), posted in " : " rows (run %lld), posted in ",
		    (long long)job->run_id);
	markup_add_channel(&sb, job->channel_id);
	char *blocks = slack_actions_done(sb.buf, slack_api_last_permalink(api));
	char *err = NULL;
	if (tell_asker(sd, api, job, sb.buf, blocks, &err) < 0) {
		log_info("slack: run %lld: the asker's reply was not replaced: %s", (long long)job->run_id, err);
		free(err);
	}
	free(blocks);
	strbuf_release(&sb);
}

static int sd_post_result(void *ctx, void *wstate, const struct job *job,
			  const struct report_result *res, const char *csv_path, char **cause)
{
	struct slack_delivery *sd = ctx;
	struct slack_api *api = wstate;
	const char *name = job->inv.cmd ? job->inv.cmd->name : "report";
	const char *hook = response_url_of(job);
	int rc;

	if (res->status != RUN_OK || !csv_path) {
		/* a source's message may quote data: text, never a reference */
		char *why = markup_plain(res->error ? res->error : "no reason was given");
		char *text = xasprintf("`%s`%s%s %s (run %lld): %s", name,
				       job->args_shown && *job->args_shown ? " " : "",
				       job->args_shown ? job->args_shown : "", status_words(res->status),
				       (long long)job->run_id, why);
		if (to_asker(job, api)) {
			/* privately, with "Try again", in place of "Running…" */
			char *blocks = slack_actions_failed(text, job->run_id, false);
			rc = tell_asker(sd, api, job, text, blocks, cause);
			free(blocks);
		} else {
			rc = tell(sd, api, job, text, true, hook, cause);
		}
		free(text);
		free(why);
		return rc;
	}
	if (!api || !job->channel_id)
		return fail(cause, !api ? "no Slack client on this worker" : "the job has no channel to post the file in");

	char *filename = report_file_name(&job->inv, res);   /* NAME.csv.gz when gzipped */
	char *err = NULL;
	rc = share_post(sd, api, job, res, csv_path, filename, &err);
	if (rc < 0) {
		char *text = xasprintf("`%s` (run %lld) finished with %lld rows, but the CSV could not be posted: %s",
				       name, (long long)job->run_id, (long long)res->rows, err);
		char *err2 = NULL;
		char *blocks = to_asker(job, api) ? slack_actions_failed(text, job->run_id, true) : NULL;
		if ((blocks ? tell_asker(sd, api, job, text, blocks, &err2)
		     : tell(sd, api, job, text, true, hook, &err2)) < 0) {
			log_warn("slack: run %lld: could not tell the person either: %s", (long long)job->run_id, err2);
			free(err2);
		}
		free(blocks);
		free(text);
		fail(cause, "%s", err);
		free(err);
	} else if (job->replace_original && hook && to_asker(job, api)) {
		done_line(sd, api, job, name, res->rows);
	}
	free(filename);
	return rc;
}

void slack_delivery_init(struct slack_delivery *sd, const struct config *cfg)
{
	memset(sd, 0, sizeof(*sd));
	sd->cfg = cfg;
	sd->delivery.ctx = sd;
	sd->delivery.worker_init = sd_worker_init;
	sd->delivery.worker_free = sd_worker_free;
	sd->delivery.post_text = sd_post_text;
	sd->delivery.post_result = sd_post_result;
}
