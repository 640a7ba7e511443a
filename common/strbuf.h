/*
 * strbuf.h: a growable byte buffer, always NUL-terminated (git's strbuf).
 * strbuf_init allocates nothing; strbuf_release frees the contents;
 * strbuf_detach hands the buffer to the caller, who frees it.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include "common.h"

struct strbuf {
	char *buf;   /* never NULL after init: points at "" until first add */
	size_t len;
	size_t alloc;
};

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);             /* len = 0, keeps memory */
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
char *strbuf_detach(struct strbuf *sb);           /* caller frees result */

#endif
