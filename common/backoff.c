/*
 * backoff.c: capped exponential backoff with optional jitter (backoff.h).
 */
#include "common.h"
#include "common/backoff.h"

int64_t backoff_delay(int64_t base, int64_t cap, int attempt, unsigned *seed)
{
	int64_t d = base > 0 ? base : 0;

	/* double, but never past cap (so never past INT64_MAX either) */
	for (int i = 0; i < attempt && d > 0 && d < cap; i++)
		d = d > cap / 2 ? cap : d * 2;
	if (d > cap)
		d = cap > 0 ? cap : 0;
	if (!seed)
		return d;
	int64_t half = d / 2;
	return half + (int64_t)rand_r(seed) % (half + 1);
}
