/*
 * source-cache.h: one thread's open connections, one per source name,
 * opened on first use and kept (each worker owns one cache; never shared).
 */
#ifndef SOURCE_CACHE_H
#define SOURCE_CACHE_H

#include "common.h"
#include "store/source.h"

struct source_cache {
	struct source_cache_entry {
		const struct source_config *cfg;   /* borrowed from the config */
		struct source *src;                /* owned */
	} *v;
	size_t n;
};

void source_cache_init(struct source_cache *c);
/* The open connection for cfg, opening it if needed. */
enum source_result source_cache_get(struct source_cache *c, const struct source_config *cfg,
				    struct source **out, char **cause);
/* Close and forget cfg's connection (after a lost connection). */
void source_cache_drop(struct source_cache *c, const struct source_config *cfg);
void source_cache_release(struct source_cache *c);   /* closes all */

#endif
