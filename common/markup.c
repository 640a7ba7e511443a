/*
 * markup.c: the bot's own channel and person references in plain text
 * (common/markup.h).
 */
#include "common.h"
#include "common/markup.h"

static size_t id_len(const char *id)
{
	size_t n = 0;
	while (n <= MARKUP_ID_MAX && ((id[n] >= 'A' && id[n] <= 'Z') || (id[n] >= '0' && id[n] <= '9')))
		n++;
	return n;
}

static bool is_id(const char *id)
{
	if (!id)
		return false;
	size_t n = id_len(id);
	return n > 0 && n <= MARKUP_ID_MAX && id[n] == '\0';
}

static void add_ref(struct strbuf *out, char sigil, const char *id)
{
	if (is_id(id))
		strbuf_addc(out, MARKUP_MARK);
	strbuf_addf(out, "<%c%s>", sigil, id ? id : "");
}

void markup_add_channel(struct strbuf *out, const char *channel_id)
{
	add_ref(out, '#', channel_id);
}

void markup_add_user(struct strbuf *out, const char *user_id)
{
	add_ref(out, '@', user_id);
}

size_t markup_ref_len(const char *p)
{
	if (p[0] != MARKUP_MARK || p[1] != '<' || (p[2] != '#' && p[2] != '@'))
		return 0;
	size_t n = id_len(p + 3);
	if (n == 0 || n > MARKUP_ID_MAX || p[3 + n] != '>')
		return 0;
	return 3 + n + 1;
}

char *markup_plain(const char *text)
{
	if (!text)
		return NULL;
	char *out = xmalloc(strlen(text) + 1), *o = out;
	for (const char *p = text; *p; p++)
		if (*p != MARKUP_MARK)
			*o++ = *p;
	*o = '\0';
	return out;
}
