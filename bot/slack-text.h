/*
 * slack-text.h: reply text made into Slack message text, the one place a
 * reply is escaped for Slack.
 *
 * Every text the bot sends (acks, messages, ephemeral replies, response_url
 * posts, file comments) goes through slack_text_prepare exactly once, in
 * the JSON builders of bot/slack-json.c. Replies are plain text, so what a
 * person typed is escaped there and can never become a mention, a link or
 * a channel ping; the bot's own references (common/markup.h) are the only
 * markup kept. Escaping at this one boundary, rather than where each
 * message is composed, keeps every new message safe by default and leaves
 * the console and the CLI plain.
 */
#ifndef SLACK_TEXT_H
#define SLACK_TEXT_H

#include "common.h"

/* text as Slack message text: `&` -> `&amp;`, `<` -> `&lt;`, `>` -> `&gt;`
 * (https://api.slack.com/reference/surfaces/formatting#escaping), except a
 * marked reference (markup_ref_len), which is kept as `<#C123>` or
 * `<@U123>` without its mark; a stray mark is dropped. The result is cut
 * at max bytes (a note saying so included) on a UTF-8 boundary, never
 * inside an entity or a reference. NULL is "". Caller frees. */
char *slack_text_prepare(const char *text, size_t max);

#endif
