/*
 * fuzz-cron: cron_parse on arbitrary text; for what parses, a few
 * cron_next calls around daylight-saving changes must terminate and move
 * strictly forward. A failed parse must say why.
 */
#include "common.h"

#include <time.h>

#include "common/cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool tz_set;
	static const time_t starts[] = {
		0,
		1710050400,     /* 2024-03-10 02:00 EST, spring forward */
		1730612400,     /* 2024-11-03 01:40 EST, after fall back */
		4107542400,     /* 2100-03-01, no Feb 29 that year */
		-86400,
	};
	struct cron c;
	char *text, *cause = NULL;
	size_t i;

	if (!tz_set) {
		setenv("TZ", "America/New_York", 1);
		tzset();
		tz_set = true;
	}
	if (size > 512)
		return 0;
	text = xstrndup((const char *)data, size);
	if (cron_parse(&c, text, &cause) < 0) {
		if (!cause || !*cause)
			abort();
		free(cause);
		free(text);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		time_t t = starts[i], next;
		int k;
		for (k = 0; k < 3; k++) {
			if (cron_next(&c, t, &next) < 0)
				abort();   /* every accepted expression fires */
			if (next <= t)
				abort();
			t = next;
		}
	}
	free(text);
	return 0;
}
