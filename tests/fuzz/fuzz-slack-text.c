/*
 * fuzz-slack-text.c: Slack text both ways. slack_text_unescape (what a
 * person typed, from Slack's &amp; &lt; &gt; and <#C|name>) never grows the
 * text; slack_text_prepare then slack_text_unescape gives back any text
 * that holds no mention, when nothing is cut; prepare keeps to its limit.
 */
#include "common.h"

#include "bot/slack-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	size_t n = strlen(s);

	char *typed = slack_text_unescape(s);
	if (strlen(typed) > n)
		abort();
	free(typed);

	/* round trip: room for every byte as &amp; */
	char *sent = slack_text_prepare(s, 5 * n + 64);
	char *back = slack_text_unescape(sent);
	/* a mention, or the mark byte of the bot's own references
	 * (common/markup.h), which prepare keeps or drops: not plain text */
	bool markup = strstr(s, "<#") || strstr(s, "<@") || strstr(s, "<!") || strchr(s, '\001');
	if (!markup && strcmp(back, s) != 0)
		abort();
	free(back);
	free(sent);

	/* a small limit is kept, the cut note aside */
	size_t max = size ? (size_t)data[0] % 64 + 16 : 16;
	char *cut = slack_text_prepare(s, max);
	if (strlen(cut) > max + 16)
		abort();
	free(cut);
	free(s);
	return 0;
}
