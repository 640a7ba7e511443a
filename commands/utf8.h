/*
 * utf8.h: UTF-8 validation for text people type and command files.
 * Rejects overlong forms, surrogates and code points above U+10FFFF.
 */
#ifndef UTF8_H
#define UTF8_H

#include "common.h"

/* Length of the valid sequence at s (n bytes available), 0 if invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* Offset of the first invalid byte in s[0..n), or n when all is valid. */
size_t utf8_invalid_at(const char *s, size_t n);

/* The longest prefix of s no longer than max bytes that ends on a
 * character boundary (s must be valid UTF-8). */
size_t utf8_prefix(const char *s, size_t max);

#endif
