/*
 * source-cache.c: one thread's open connections by source (see source-cache.h).
 */
#include "common.h"
#include "store/source-cache.h"

void source_cache_init(struct source_cache *c)
{
	c->v = NULL;
	c->n = 0;
}

static struct source_cache_entry *cache_entry(struct source_cache *c, const struct source_config *cfg)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].cfg == cfg)
			return &c->v[i];
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n].cfg = cfg;
	c->v[c->n].src = NULL;
	return &c->v[c->n++];
}

enum source_result source_cache_get(struct source_cache *c, const struct source_config *cfg,
				    struct source **out, char **cause)
{
	struct source_cache_entry *e = cache_entry(c, cfg);
	if (!e->src) {
		enum source_result r = source_open(&e->src, cfg, cause);
		if (r != SOURCE_OK) {
			e->src = NULL;
			*out = NULL;
			return r;
		}
	}
	*out = e->src;
	return SOURCE_OK;
}

void source_cache_drop(struct source_cache *c, const struct source_config *cfg)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].cfg == cfg) {
			source_close(c->v[i].src);
			c->v[i].src = NULL;
		}
	}
}

void source_cache_release(struct source_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		source_close(c->v[i].src);
	free(c->v);
	source_cache_init(c);
}
