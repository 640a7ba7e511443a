/*
 * markup.h: the bot's own references to a channel or a person inside the
 * plain text of a reply.
 *
 * Replies are composed as plain text, on every floor, from pieces a person
 * typed and pieces the bot writes. Slack reads `<…>` as markup (a mention,
 * a link, `<!channel>`), so bot/slack-text.c escapes every `&`, `<` and `>`
 * of a reply once, where the text becomes Slack JSON. The only markup that
 * survives is a reference written here: MARKUP_MARK directly before
 * `<#C123>` or `<@U123>`. Typed text cannot carry the mark: dispatch strips
 * it from every line it reads (markup_plain), so a typed `<!channel>` or
 * `<@U…>` stays text. Plain outputs (console, CLI, logs) drop the mark with
 * markup_plain and show `<#C123>` as before.
 */
#ifndef MARKUP_H
#define MARKUP_H

#include "common.h"
#include "common/strbuf.h"

#define MARKUP_MARK '\x01'
#define MARKUP_ID_MAX 32    /* Slack ids are short: C0123ABCDEF, U0BOB000001 */

/* Append a reference to channel_id (`<#C123>`) or user_id (`<@U123>`).
 * An id that is not [A-Z0-9]{1,MARKUP_ID_MAX} is appended unmarked, so
 * Slack shows it as text. */
void markup_add_channel(struct strbuf *out, const char *channel_id);
void markup_add_user(struct strbuf *out, const char *user_id);

/* Length of the marked reference at p (mark, `<`, `#` or `@`, id, `>`),
 * or 0 when p does not start one. */
size_t markup_ref_len(const char *p);

/* A copy of text without any MARKUP_MARK: what plain outputs print, and
 * what typed text is made of before the bot composes with it. NULL gives
 * NULL. Caller frees. */
char *markup_plain(const char *text);

#endif
