/*
 * source.c: the table of data-source drivers and the generic half of
 * source.h: source_open calls the config's driver, the rest call through
 * src->driver. A driver that leaves an entry point out (a placeholder) gets
 * a plain error instead of a NULL call.
 */
#include "common.h"
#include "store/source.h"

#include "common/strbuf.h"

/* Each is defined by its store/source-NAME.c; declared here so a driver
 * needs no header. */
extern const struct source_driver source_driver_mysql;
extern const struct source_driver source_driver_sqlite;
extern const struct source_driver source_driver_trino;
extern const struct source_driver source_driver_postgres;

/* Every driver, one row each, in the order messages list them. */
static const struct source_driver *const drivers[] = {
	&source_driver_mysql,
	&source_driver_sqlite,
	&source_driver_trino,
	&source_driver_postgres,
};

const struct source_driver *source_driver_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(drivers); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

char *source_driver_names(void)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", drivers[i]->name);
	return strbuf_detach(&sb);
}

const struct source_driver *source_driver_with_key(const char *key, const struct source_driver *except)
{
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (drivers[i] != except && config_keys_find(drivers[i]->keys, drivers[i]->nkeys, key))
			return drivers[i];
	return NULL;
}

const char *source_strerror(enum source_result r)
{
	switch (r) {
	case SOURCE_OK:
		return "ok";
	case SOURCE_ROW:
		return "a row is available";
	case SOURCE_DONE:
		return "no more rows";
	case SOURCE_ECONNECT:
		return "could not connect to the data source";
	case SOURCE_EQUERY:
		return "the query failed";
	case SOURCE_ETIMEOUT:
		return "the query ran longer than its timeout";
	case SOURCE_ECANCELLED:
		return "the query was cancelled";
	case SOURCE_EAUTH:
		return "the data source refused the user or password";
	case SOURCE_EBIND:
		return "a parameter value could not be bound";
	}
	return "unknown data source error";
}

static const char *source_name(const struct source *src)
{
	return src->cfg && src->cfg->name ? src->cfg->name : "?";
}

static enum source_result source_unsupported(const struct source *src, const char *what, char **cause)
{
	fail(cause, "source '%s': the driver cannot %s", source_name(src), what);
	return SOURCE_EQUERY;
}

enum source_result source_open(struct source **out, const struct source_config *cfg, char **cause)
{
	const struct source_driver *d = cfg->driver;
	const char *name = cfg->name ? cfg->name : "?";

	*out = NULL;
	if (!d) {
		char *names = source_driver_names();
		fail(cause, "source '%s': no driver; accepted: %s", name, names);
		free(names);
		return SOURCE_ECONNECT;
	}
	if (!d->open) {
		fail(cause, "source '%s': the driver is not built", name);
		return SOURCE_ECONNECT;
	}
	enum source_result r = d->open(out, cfg, cause);
	if (r != SOURCE_OK) {
		*out = NULL;
		return r;
	}
	(*out)->driver = d;
	(*out)->cfg = cfg;
	return SOURCE_OK;
}

enum source_result source_execute(struct source *src, const char *sql,
				  const struct bind_value *binds, size_t nbinds,
				  int64_t timeout_ms, char **cause)
{
	if (!src->driver->execute)
		return source_unsupported(src, "run a query", cause);
	return src->driver->execute(src, sql, binds, nbinds, timeout_ms, cause);
}

size_t source_ncols(struct source *src)
{
	return src->driver->ncols ? src->driver->ncols(src) : 0;
}

const char *source_colname(struct source *src, size_t i)
{
	return src->driver->colname ? src->driver->colname(src, i) : NULL;
}

enum source_result source_next(struct source *src, struct source_row *row, char **cause)
{
	if (!src->driver->next)
		return source_unsupported(src, "fetch rows", cause);
	return src->driver->next(src, row, cause);
}

enum source_result source_check(struct source *src, const char *sql, size_t nparams, char **cause)
{
	return source_check_columns(src, sql, nparams, NULL, cause);
}

enum source_result source_check_columns(struct source *src, const char *sql, size_t nparams,
					struct strlist *columns, char **cause)
{
	size_t have = 0;
	struct strlist got;
	strlist_init(&got);
	if (!src->driver->check)
		return source_unsupported(src, "check a query", cause);
	enum source_result r = src->driver->check(src, sql, &have, columns ? &got : NULL, cause);
	if (r == SOURCE_OK && columns) {
		for (size_t i = 0; i < got.n; i++)
			strlist_push(columns, got.v[i]);
		free(got.v);
		strlist_init(&got);
	}
	strlist_release(&got);
	if (r != SOURCE_OK)
		return r;
	if (have != nparams) {
		fail(cause, "source '%s': the statement has %zu parameters but %zu were declared",
		     source_name(src), have, nparams);
		return SOURCE_EBIND;
	}
	return SOURCE_OK;
}

enum source_result source_bind_mismatch(const struct source *src, size_t have, size_t given, char **cause)
{
	fail(cause, "source '%s': the statement has %zu parameters but %zu values were given",
	     source_name(src), have, given);
	return SOURCE_EBIND;
}

void source_cancel(struct source *src)
{
	if (src && src->driver->cancel)
		src->driver->cancel(src);
}

void source_close(struct source *src)
{
	if (src && src->driver->close)
		src->driver->close(src);
}
