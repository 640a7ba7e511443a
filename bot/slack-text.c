/*
 * slack-text.c: reply text escaped for Slack (bot/slack-text.h).
 */
#include "common.h"
#include "bot/slack-text.h"

#include "common/markup.h"
#include "common/strbuf.h"

/* Drop a partial UTF-8 sequence from the end of sb. */
static void trim_partial_utf8(struct strbuf *sb)
{
	size_t len = sb->len;
	while (len > 0 && ((unsigned char)sb->buf[len - 1] & 0xC0) == 0x80)
		len--;
	if (len > 0 && ((unsigned char)sb->buf[len - 1] & 0x80)) {
		/* a lead byte: keep the sequence only when it is complete */
		unsigned char lead = (unsigned char)sb->buf[len - 1];
		size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
		if (sb->len - (len - 1) < want)
			sb->len = len - 1;
	}
	sb->buf[sb->len] = '\0';
}

char *slack_text_prepare(const char *text, size_t max)
{
	static const char cut_note[] = "\n… (cut)";
	struct strbuf sb;
	strbuf_init(&sb);
	if (!text)
		text = "";
	size_t room = max > sizeof(cut_note) ? max - sizeof(cut_note) : 0;
	const char *p = text;
	while (*p) {
		const char *piece = p;
		size_t n = 1, skip = 1;
		size_t ref = markup_ref_len(p);
		if (ref) {
			/* the bot's own <#C123> or <@U123>: kept, without the mark */
			piece = p + 1;
			n = ref - 1;
			skip = ref;
		} else if (*p == MARKUP_MARK) {
			p++;
			continue;
		} else if (*p == '&') {
			piece = "&amp;";
			n = 5;
		} else if (*p == '<') {
			piece = "&lt;";
			n = 4;
		} else if (*p == '>') {
			piece = "&gt;";
			n = 4;
		}
		if (sb.len + n > room)
			break;
		strbuf_add(&sb, piece, n);
		p += skip;
	}
	if (*p) {
		trim_partial_utf8(&sb);
		strbuf_adds(&sb, cut_note);
	}
	return strbuf_detach(&sb);
}
