/*
 * env.c: whole numbers from the environment (env.h).
 */
#include "common.h"
#include "common/env.h"
#include "common/log.h"

int env_number(const char *name, long long lo, long long hi, long long *out, char **cause)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end || end == v || n < lo || n > hi)
		return fail(cause, "%s='%s' is not a whole number from %lld to %lld", name, v, lo, hi);
	*out = n;
	return 1;
}

long long env_number_or(const char *name, long long lo, long long hi, long long def)
{
	long long v = def;
	char *cause = NULL;
	if (env_number(name, lo, hi, &v, &cause) < 0) {
		log_warn("%s; using %lld", cause, def);
		free(cause);
		v = def;
	}
	return v;
}
