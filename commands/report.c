/*
 * report.c: the generic executor every report goes through: bind, run on
 * the source, stream rows into the CSV writer.
 */
#include "common.h"
#include "commands/report.h"
#include "commands/invocation.h"

#include "common/log.h"
#include "common/strbuf.h"
#include "store/csv.h"

void report_result_release(struct report_result *r)
{
	free(r->error);
	r->error = NULL;
}

static void watch_source(const struct report_watch *watch, struct source *src)
{
	if (watch && watch->on_source)
		watch->on_source(watch->ctx, src);
}

/* detail without the "source 'NAME': " the driver starts it with, when
 * the words around it name the source already. */
static const char *without_source(const char *detail, const char *name)
{
	char *prefix = xasprintf("source '%s': ", name);
	size_t n = strlen(prefix);
	bool has = strncmp(detail, prefix, n) == 0;
	free(prefix);
	return has ? detail + n : detail;
}

/* What the person reads for a failed source call; the detail is logged. */
static char *failure_words(const struct command *cmd, const struct source_config *scfg,
			   enum source_result r, int timeout, const char *detail)
{
	switch (r) {
	case SOURCE_ETIMEOUT:
		return xasprintf("%s stopped after its timeout of %d s; narrow the arguments or raise "
				 "`-- timeout:` in %s", cmd->name, timeout, cmd->path);
	case SOURCE_ECANCELLED:
		return xasprintf("%s was cancelled", cmd->name);
	case SOURCE_ECONNECT:
	case SOURCE_EAUTH:
		return xasprintf("data source '%s' is not reachable (%s): %s", scfg->name,
				 source_strerror(r), detail ? without_source(detail, scfg->name) : "no detail");
	case SOURCE_EQUERY:
	case SOURCE_EBIND:
	default:
		return xasprintf("%s failed on data source '%s': %s", cmd->name, scfg->name,
				 detail ? without_source(detail, scfg->name) : source_strerror(r));
	}
}

static bool watch_cancelled(const struct report_watch *watch)
{
	return watch && watch->cancelled && atomic_load(watch->cancelled);
}

static enum run_status status_of(enum source_result r)
{
	if (r == SOURCE_ETIMEOUT)
		return RUN_TIMEOUT;
	if (r == SOURCE_ECANCELLED)
		return RUN_CANCELLED;
	return RUN_ERROR;
}

int report_execute(const struct report_options *opt, struct source_cache *cache,
		   const struct invocation *inv, int fd,
		   const struct report_watch *watch, struct report_result *res)
{
	const struct command *cmd = inv->cmd;
	const char *source_name = opt->source_name;
	const struct source_config *scfg = opt->source;
	int timeout = opt->timeout;
	bool bom = opt->bom;
	int64_t start = now_ms_monotonic();
	struct strbuf sql;
	struct bind_value *binds = NULL;
	size_t nbinds = 0;
	struct source *src = NULL;
	char *cause = NULL;
	enum source_result r = SOURCE_OK;
	struct csv_writer *w = NULL;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	res->status = RUN_ERROR;
	strbuf_init(&sql);

	if (!scfg) {
		res->error = xasprintf("%s: data source '%s' is not in the config; add [sources.%s]",
				       cmd->path, source_name ? source_name : "(none)",
				       source_name ? source_name : "NAME");
		goto out;
	}
	if (invocation_sql(inv, &sql, &binds, &nbinds, &cause) < 0) {
		res->error = cause;
		cause = NULL;
		goto out;
	}

	/* One reconnect: a cached connection may have been dropped by the server. */
	for (int attempt = 0; attempt < 2; attempt++) {
		r = source_cache_get(cache, scfg, &src, &cause);
		if (r == SOURCE_OK) {
			watch_source(watch, src);
			if (watch_cancelled(watch)) {
				r = SOURCE_ECANCELLED;
				break;
			}
			r = source_execute(src, sql.buf, binds, nbinds, (int64_t)timeout * 1000, &cause);
		}
		if (r != SOURCE_ECONNECT || attempt == 1)
			break;
		log_warn("%s: source '%s' connection lost, reconnecting: %s", cmd->name, scfg->name,
			 cause ? cause : "");
		watch_source(watch, NULL);
		source_cache_drop(cache, scfg);
		src = NULL;
		free(cause);
		cause = NULL;
	}
	if (r != SOURCE_OK)
		goto fail;

	w = xmalloc(sizeof(*w));
	csv_init(w, fd);
	if (bom && csv_write_bom(w) < 0)
		goto write_fail;
	size_t ncols = source_ncols(src);
	const char **names = xcalloc(ncols, sizeof(*names));
	for (size_t i = 0; i < ncols; i++)
		names[i] = source_colname(src, i);
	int hr = csv_write_header(w, ncols, names);
	free(names);
	if (hr < 0)
		goto write_fail;

	for (;;) {
		struct source_row row;
		r = source_next(src, &row, &cause);
		if (r == SOURCE_DONE)
			break;
		if (r != SOURCE_ROW)
			goto fail;
		if ((w->rows & 1023) == 0 && watch_cancelled(watch)) {
			r = SOURCE_ECANCELLED;
			goto fail;
		}
		if (cmd->max_rows > 0 && (int64_t)w->rows >= cmd->max_rows) {
			/* Stop reading; each driver drops a half-read result on
			 * the connection's next use (MySQL kills the query). */
			res->error = xasprintf("%s has more than %lld rows (its max_rows); narrow the arguments",
					       cmd->name, (long long)cmd->max_rows);
			goto out;
		}
		if (csv_write_row(w, row.ncols, row.vals, row.lens) < 0)
			goto write_fail;
	}
	if (csv_flush(w, &cause) < 0)
		goto write_fail;
	res->status = RUN_OK;
	ret = 0;
	goto out;

write_fail:
	if (!cause)
		csv_flush(w, &cause);
	res->error = xasprintf("could not write the CSV for %s: %s", cmd->name,
			       cause ? cause : "write failed");
	goto out;
fail:
	log_warn("%s on source '%s' failed (%s): %s", cmd->name, scfg->name, source_strerror(r),
		 cause ? without_source(cause, scfg->name) : "");
	res->status = status_of(r);
	res->error = failure_words(cmd, scfg, r, timeout, cause);
	if (r == SOURCE_ECONNECT)
		source_cache_drop(cache, scfg);
out:
	watch_source(watch, NULL);
	if (w) {
		res->rows = (int64_t)w->rows;
		res->bytes = (int64_t)w->bytes;
	}
	res->duration_ms = now_ms_monotonic() - start;
	free(w);
	free(cause);
	free(binds);
	strbuf_release(&sql);
	return ret;
}
