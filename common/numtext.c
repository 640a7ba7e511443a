/*
 * numtext.c: counts, sizes and durations as the bot's messages print them (see
 * numtext.h).
 */
#include "common.h"
#include "common/numtext.h"

#include "common/strbuf.h"

void numtext_add_thousands(struct strbuf *sb, int64_t n)
{
	char digits[32];
	snprintf(digits, sizeof(digits), "%llu", n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n);
	if (n < 0)
		strbuf_addc(sb, '-');
	size_t len = strlen(digits);
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			strbuf_addc(sb, ',');
		strbuf_addc(sb, digits[i]);
	}
}

void numtext_add_duration(struct strbuf *sb, int64_t ms)
{
	if (ms < 1000)
		strbuf_addf(sb, "%lld ms", (long long)ms);
	else if (ms < 60000)
		strbuf_addf(sb, "%.1f s", (double)ms / 1000);
	else
		strbuf_addf(sb, "%lld min %lld s", (long long)(ms / 60000), (long long)(ms % 60000 / 1000));
}

void numtext_add_size(struct strbuf *sb, int64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	if (bytes < 1024) {
		strbuf_addf(sb, "%lld bytes", (long long)bytes);
		return;
	}
	double v = (double)bytes / 1024;
	size_t u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	strbuf_addf(sb, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}
