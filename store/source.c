#include "common.h"
#include "store/source.h"

/*
 * The generic half of source.h: pick a driver by cfg->driver, then call
 * through src->ops. A driver that leaves an entry point out (a placeholder)
 * gets a plain error instead of a NULL call.
 */

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
	const struct source_driver_ops *ops;

	*out = NULL;
	switch (cfg->driver) {
	case SOURCE_DRIVER_SQLITE:
		ops = &source_sqlite_ops;
		break;
	case SOURCE_DRIVER_MYSQL:
		ops = &source_mysql_ops;
		break;
	default:
		fail(cause, "source '%s': unknown driver %d; accepted: sqlite, mysql",
		     cfg->name ? cfg->name : "?", (int)cfg->driver);
		return SOURCE_ECONNECT;
	}
	if (!ops->open) {
		fail(cause, "source '%s': the driver is not built", cfg->name ? cfg->name : "?");
		return SOURCE_ECONNECT;
	}
	enum source_result r = ops->open(out, cfg, cause);
	if (r != SOURCE_OK) {
		*out = NULL;
		return r;
	}
	(*out)->ops = ops;
	(*out)->cfg = cfg;
	return SOURCE_OK;
}

enum source_result source_execute(struct source *src, const char *sql,
				  const struct bind_value *binds, size_t nbinds,
				  int64_t timeout_ms, char **cause)
{
	if (!src->ops->execute)
		return source_unsupported(src, "run a query", cause);
	return src->ops->execute(src, sql, binds, nbinds, timeout_ms, cause);
}

size_t source_ncols(struct source *src)
{
	return src->ops->ncols ? src->ops->ncols(src) : 0;
}

const char *source_colname(struct source *src, size_t i)
{
	return src->ops->colname ? src->ops->colname(src, i) : NULL;
}

enum source_result source_next(struct source *src, struct source_row *row, char **cause)
{
	if (!src->ops->next)
		return source_unsupported(src, "fetch rows", cause);
	return src->ops->next(src, row, cause);
}

enum source_result source_check(struct source *src, const char *sql, size_t nparams, char **cause)
{
	if (!src->ops->check)
		return source_unsupported(src, "check a query", cause);
	return src->ops->check(src, sql, nparams, cause);
}

void source_cancel(struct source *src)
{
	if (src && src->ops->cancel)
		src->ops->cancel(src);
}

void source_close(struct source *src)
{
	if (src && src->ops->close)
		src->ops->close(src);
}
