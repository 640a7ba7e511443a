/*
 * backoff.h: the delay before a retry, one rule for every retry loop
 * (Slack Web API calls, Socket Mode reconnects, scheduled-report retries).
 *
 * BASE doubles with each attempt and never exceeds CAP; with a seed the
 * delay is jittered to a value between half and all of it, so many
 * clients failing together do not retry together. Units are the
 * caller's (milliseconds or seconds). No I/O, no clock, no global state.
 */
#ifndef BACKOFF_H
#define BACKOFF_H

#include "common.h"

/*
 * The delay before retry number ATTEMPT (0 = the first retry): BASE * 2^ATTEMPT,
 * at most CAP. SEED is rand_r state owned by the calling thread: given,
 * the result is jittered into [d/2, d]; NULL gives d exactly.
 * BASE <= 0 gives 0; a negative ATTEMPT counts as 0.
 */
int64_t backoff_delay(int64_t base, int64_t cap, int attempt, unsigned *seed);

#endif
