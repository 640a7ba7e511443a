/*
 * suggest.c: "did you mean ...?" by edit distance, on the width-folded
 * word (commands/fold.h), so ｍｏｎｔｈｌｙｙ finds monthly.
 */
#include "common.h"
#include "commands/fold.h"
#include "commands/suggest.h"

#include <ctype.h>

/* Words longer than this are not worth comparing; they are never close. */
#define SUGGEST_MAX_LEN 64

static int fold(unsigned char c)
{
	return tolower(c);
}

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return la > lb ? la : lb;

	/* three rows of the optimal string alignment table */
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = fold((unsigned char)a[i - 1]);
			int cb = fold((unsigned char)b[j - 1]);
			size_t cost = ca == cb ? 0 : 1;
			size_t best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			if (i > 1 && j > 1 && ca == fold((unsigned char)b[j - 2]) &&
			    fold((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

static bool starts_with_folded(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (!*s || fold((unsigned char)*s) != fold((unsigned char)*prefix))
			return false;
	return true;
}

static const char *closest(const char *word, const char *const *cands, size_t n);

const char *suggest_closest(const char *word, const char *const *cands, size_t n)
{
	char *folded = fold_width(word);
	const char *best = closest(folded, cands, n);
	free(folded);
	return best;
}

static const char *closest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word);
	if (len == 0 || len > SUGGEST_MAX_LEN)
		return NULL;
	size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;

	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		size_t d = suggest_distance(word, cands[i]);
		if (d == 0)
			return cands[i];
		if (d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	if (best)
		return best;
	if (len >= 3)
		for (size_t i = 0; i < n; i++)
			if (cands[i] && starts_with_folded(cands[i], word))
				return cands[i];
	return NULL;
}
