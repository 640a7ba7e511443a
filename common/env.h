/*
 * env.h: numbers from the environment (the REPORTBOT_* knobs and test
 * hooks), read and checked in one place so every variable accepts the
 * same spelling and a bad value is named the same way.
 */
#ifndef ENV_H
#define ENV_H

#include "common.h"

/*
 * Read the environment variable NAME as a whole decimal number in
 * [LO, HI]. Returns 0 when it is unset or empty (*out untouched), 1 with
 * *out set, or -1 with an allocated *cause naming the variable, the value
 * and the range accepted (*out untouched).
 */
int env_number(const char *name, long long lo, long long hi, long long *out, char **cause);

/* env_number for a knob with a default: DEF when NAME is unset or empty,
 * and also when it is bad, after a warning in the log that says so. */
long long env_number_or(const char *name, long long lo, long long hi, long long def);

#endif
