/* Envelope parsing and the ack built from what was parsed: any bytes. */
#include "common.h"

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
