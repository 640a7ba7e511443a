/* Envelope parsing and the ack built from what was parsed: any bytes. */
#include "common.h"

#include "bot/slack-actions.h"
#include "bot/slack-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slack_frame f;
	char *cause = NULL;
	slack_frame_parse((const char *)data, size, &f, &cause);
	free(cause);
	if (f.envelope_id) {
		char *ack = slack_json_ack(f.envelope_id, f.text);
		free(ack);
	}
	/* a click's fields, back into the JSON built from them */
	const struct slack_interaction *in = f.interaction;
	if (in) {
		const char *v = in->value ? in->value : (in->private_metadata ? in->private_metadata : "");
		int64_t id = (int64_t)strlen(v) * 7919;
		char *blocks = slack_actions_running(v, id);
		char *ack = slack_json_ack_blocks(f.envelope_id ? f.envelope_id : "", in->action_id, blocks);
		char *resp = slack_json_response_blocks(v, blocks, in->is_ephemeral);
		char *eph = slack_json_post_ephemeral_blocks(f.channel_id, f.user_id, v, blocks);
		char *done = slack_actions_done(in->action_id ? in->action_id : "", v);
		char *failed = slack_actions_failed(v, id, in->is_ephemeral);
		for (size_t i = 0; i < in->nvalues; i++) {
			char *b = slack_actions_done(in->values[i].value ? in->values[i].value : "",
						     in->values[i].block_id);
			free(b);
		}
		free(failed);
		free(done);
		free(eph);
		free(resp);
		free(ack);
		free(blocks);
	}
	slack_frame_release(&f);

	struct slack_response r;
	cause = NULL;
	if (slack_response_parse((const char *)data, size, &r, &cause) == 0) {
		char *w = slack_error_words(r.error, r.needed);
		free(w);
	}
	free(cause);
	slack_response_release(&r);

	/* text preparation on arbitrary bytes, NUL-terminated copy */
	char *s = xstrndup((const char *)data, size);
	char *t = slack_text_prepare(s, size % 64 + 8);
	char *m = slack_json_post_message("C1", t);
	free(m);
	free(t);
	free(s);
	return 0;
}
