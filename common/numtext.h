/*
 * numtext.h: numbers as people read them in the bot's messages: a count
 * with thousands separators, a size in bytes or KiB..TiB, a duration in
 * ms, s or min.
 */
#ifndef REPORTBOT_COMMON_NUMTEXT_H
#define REPORTBOT_COMMON_NUMTEXT_H

#include <stdint.h>

struct strbuf;

/* Appends n with a ',' every three digits: 1234567 -> "1,234,567". */
void numtext_add_thousands(struct strbuf *sb, int64_t n);
/* Appends a size: "812 bytes", "812 KiB", "1.3 GiB" (one decimal under 10). */
void numtext_add_size(struct strbuf *sb, int64_t bytes);
/* Appends ms as "850 ms", "2.5 s" or "3 min 12 s". */
void numtext_add_duration(struct strbuf *sb, int64_t ms);

#endif
