/* Interactive envelopes of the report form (bot/slack-view-json.h) and
 * what the form makes of them (bot/slack-form.h): any bytes. */
#include "common.h"

#include "bot/slack-form.h"
#include "bot/slack-view-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slack_form_event in;
	char *cause = NULL;
	slack_form_event_parse((const char *)data, size, &in, &cause);
	free(cause);
	cause = NULL;
	struct slack_form_meta m;
	if (slack_form_meta_parse(in.private_metadata, &m, &cause) == 0)
		slack_form_meta_release(&m);
	free(cause);
	/* a command with one param of each kind the form maps */
	static const char text[] = "-- param: d date=yesterday x\n-- param: m month=last x\n"
				   "-- param: e enum(a|b)=a x\n-- param: l list=a x\n-- param: i int(1..9)=2 x\n"
				   "-- param: s string=z x\nSELECT :d, :m_start, :e, :l, :i, :s\n";
	struct command cmd;
	struct strlist errs;
	strlist_init(&errs);
	if (command_parse(&cmd, "f", "f", text, sizeof(text) - 1, &errs) == 0) {
		struct strlist words;
		strlist_init(&words);
		slack_form_words(&cmd, &in, &words);
		char *e = slack_form_errors(&cmd, &in, words.n % (cmd.nparams + 1), "why");
		free(e);
		strlist_release(&words);
	}
	command_release(&cmd);
	strlist_release(&errs);
	char *ack = slack_view_ack(in.view_id, in.private_metadata);
	free(ack);
	slack_form_event_release(&in);
	return 0;
}
