/*
 * suggest.h: "did you mean ...?" — the closest candidate by edit distance.
 *
 * Distance is the optimal string alignment distance (insert, delete,
 * substitute, swap two neighbours), compared case-insensitively on bytes.
 */
#ifndef SUGGEST_H
#define SUGGEST_H

#include "common.h"

/* Edit distance between a and b (case-insensitive). */
size_t suggest_distance(const char *a, const char *b);

/*
 * The candidate closest to word, or NULL when none is close enough: at
 * most 1 edit for words up to 4 bytes, 2 up to 8, 3 beyond; a candidate
 * that starts with word (3 bytes or more) also counts as close. Ties go to
 * the earlier candidate. NULL entries in cands are skipped. Borrowed.
 * word is compared width-folded (commands/fold.h): ｍｏｎｔｈｌｙ is monthly.
 */
const char *suggest_closest(const char *word, const char *const *cands, size_t n);

#endif
