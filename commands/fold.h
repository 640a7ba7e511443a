/*
 * fold.h: text as a Japanese IME types it, read as ASCII where it stands
 * for syntax. The full-width ASCII block U+FF01..U+FF5E ("ｍｏｎｔｈｌｙ",
 * "＝", "２０２４－１１") folds to U+0021..U+007E and the ideographic space
 * U+3000 to a space; every other byte is kept. Folding never makes text
 * longer, keeps it valid UTF-8 when it was, and does no I/O.
 *
 * Folded: command names, param names, the name=value sign, ints, dates,
 * months, enum values. Never folded: string values and list items, which
 * stay exactly as typed.
 */
#ifndef FOLD_H
#define FOLD_H

#include "common.h"

/* If s starts with a character that folds, its ASCII byte in *c and the
 * length of the sequence (3); 0 otherwise. */
size_t fold_width_char(const char *s, char *c);

/* Fold s in place (the result is never longer). */
void fold_width_inplace(char *s);

/* A folded copy of s; caller frees. */
char *fold_width(const char *s);

#endif
