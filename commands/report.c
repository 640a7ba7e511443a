/*
 * report.c: the generic executor every report goes through: bind, run on
 * the source, stream rows into the CSV writer.
 */
#include "common.h"
#include "commands/report.h"
#include "commands/invocation.h"
#include "commands/script-run.h"

#include "common/log.h"
#include "common/numtext.h"
#include "common/strbuf.h"
#include "store/csv.h"

void report_result_release(struct report_result *r)
{
	free(r->error);
	r->error = NULL;
	report_preview_free(r->preview);
	r->preview = NULL;
	strlist_release(&r->notes);
}

char *report_file_name(const struct invocation *inv, const struct report_result *res)
{
	char *name = invocation_filename(inv);
	if (!res || !res->gzipped)
		return name;
	char *gz = xasprintf("%s.gz", name);
	free(name);
	return gz;
}

/* The refusal of a file Slack would not take: its size, and what to do. */
static char *too_large_words(const struct command *cmd, const struct report_result *res,
			     int64_t limit)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_addf(&sb, "the result of %s is ", cmd->name);
	numtext_add_size(&sb, res->file_bytes);
	if (res->gzipped) {
		strbuf_adds(&sb, " gzipped (");
		numtext_add_size(&sb, res->bytes);
		strbuf_adds(&sb, " of CSV, ");
	} else {
		strbuf_adds(&sb, " (");
	}
	numtext_add_thousands(&sb, res->rows);
	strbuf_adds(&sb, res->rows == 1 ? " row), more than the " : " rows), more than the ");
	numtext_add_size(&sb, limit);
	strbuf_adds(&sb, " a file may have in Slack, so it was not uploaded; "
		    "narrow the arguments (a shorter period, fewer values) and run it again");
	return strbuf_detach(&sb);
}

/* Notes for the person beside a good result. */
static void add_notes(struct report_result *res)
{
	if (res->rows + 1 > REPORT_EXCEL_MAX_LINES) {
		struct strbuf sb;
		strbuf_init(&sb);
		strbuf_adds(&sb, "Excel opens at most ");
		numtext_add_thousands(&sb, REPORT_EXCEL_MAX_LINES - 1);
		strbuf_adds(&sb, " rows below the header; this CSV has ");
		numtext_add_thousands(&sb, res->rows);
		strbuf_adds(&sb, ", so Excel will not show all of it");
		strlist_push(&res->notes, strbuf_detach(&sb));
	}
}

/* --- the preview (issue 12) ---------------------------------------------- */

void report_preview_free(struct report_preview *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->shown_cols; i++)
		free(p->colnames[i]);
	free(p->colnames);
	for (size_t i = 0; i < p->nrows * p->shown_cols; i++)
		free(p->cells[i]);
	free(p->cells);
	free(p->cut);
	for (size_t i = 0; i < p->npoints * (1 + p->ny); i++)
		free(p->points[i]);
	free(p->points);
	free(p->chart_missing);
	free(p);
}

/* A copy of the first bytes of v (at most REPORT_CELL_KEEP, never ending
 * inside a UTF-8 sequence); NULL for NULL. *cut: bytes were left out. */
static char *keep_cell(const char *v, size_t len, bool *cut)
{
	*cut = false;
	if (!v)
		return NULL;
	if (len > REPORT_CELL_KEEP) {
		*cut = true;
		len = REPORT_CELL_KEEP;
		while (len > 0 && ((unsigned char)v[len] & 0xC0) == 0x80)
			len--;
	}
	return xstrndup(v, len);
}

/* The index of the column called name, or ncols. */
static size_t column_index(const char *const *names, size_t ncols, const char *name)
{
	for (size_t i = 0; i < ncols; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	return ncols;
}

/* The preview of a result with these columns, or NULL when nothing is
 * wanted: no rows asked for and no chart. */
static struct report_preview *preview_new(const struct command *cmd, int want_rows,
					  size_t ncols, const char *const *names)
{
	bool chart = cmd->chart.type != CHART_NONE;
	if (want_rows <= 0 && !chart)
		return NULL;
	struct report_preview *p = xcalloc(1, sizeof(*p));
	p->ncols = ncols;
	p->want_rows = want_rows > 0 ? (size_t)want_rows : 0;
	p->shown_cols = ncols < REPORT_PREVIEW_COLS ? ncols : REPORT_PREVIEW_COLS;
	p->colnames = xcalloc(p->shown_cols ? p->shown_cols : 1, sizeof(*p->colnames));
	for (size_t i = 0; i < p->shown_cols; i++)
		p->colnames[i] = xstrdup(names[i] ? names[i] : "");
	if (p->want_rows && p->shown_cols) {
		p->cells = xcalloc(p->want_rows * p->shown_cols, sizeof(*p->cells));
		p->cut = xcalloc(p->want_rows * p->shown_cols, sizeof(*p->cut));
	}
	if (!chart)
		return p;
	p->chart = true;
	p->chart_x = column_index(names, ncols, cmd->chart.x);
	if (p->chart_x == ncols)
		p->chart_missing = xstrdup(cmd->chart.x);
	p->ny = cmd->chart.ny;
	for (size_t k = 0; k < p->ny; k++) {
		p->chart_y[k] = column_index(names, ncols, cmd->chart.y[k]);
		if (p->chart_y[k] == ncols && !p->chart_missing)
			p->chart_missing = xstrdup(cmd->chart.y[k]);
	}
	if (!p->chart_missing)
		p->points = xcalloc(REPORT_CHART_POINTS * (1 + p->ny), sizeof(*p->points));
	return p;
}

/* Keep what the preview still wants of one row. Cheap once it has enough:
 * two comparisons a row. */
static void preview_row(struct report_preview *p, const struct source_row *row)
{
	bool cut;
	if (p->nrows < p->want_rows && p->cells) {
		size_t base = p->nrows * p->shown_cols;
		for (size_t i = 0; i < p->shown_cols; i++) {
			const char *v = i < row->ncols ? row->vals[i] : NULL;
			size_t len = i < row->ncols ? row->lens[i] : 0;
			p->cells[base + i] = keep_cell(v, len, &p->cut[base + i]);
		}
		p->nrows++;
	}
	if (p->points && p->npoints < REPORT_CHART_POINTS) {
		size_t w = 1 + p->ny, base = p->npoints * w;
		for (size_t k = 0; k < w; k++) {
			size_t c = k == 0 ? p->chart_x : p->chart_y[k - 1];
			const char *v = c < row->ncols ? row->vals[c] : NULL;
			p->points[base + k] = keep_cell(v, c < row->ncols ? row->lens[c] : 0, &cut);
		}
		p->npoints++;
	}
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

	if (cmd->script) {   /* issue 15: the script's stdout is the row source */
		r = script_run_start(opt, inv, &src, &cause);
		if (r == SOURCE_OK)
			watch_source(watch, src);
		if (r == SOURCE_OK && watch_cancelled(watch))
			r = SOURCE_ECANCELLED;
		goto started;
	}
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
started:
	if (r != SOURCE_OK)
		goto fail;

	w = xmalloc(sizeof(*w));
	csv_init_gzip(w, fd, opt->gzip_fd, opt->gzip_over);
	if (bom && csv_write_bom(w) < 0)
		goto write_fail;
	size_t ncols = source_ncols(src);
	const char **names = xcalloc(ncols, sizeof(*names));
	for (size_t i = 0; i < ncols; i++)
		names[i] = source_colname(src, i);
	int hr = csv_write_header(w, ncols, names);
	res->preview = preview_new(cmd, opt->preview_rows, ncols, (const char *const *)names);
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
		if (res->preview)
			preview_row(res->preview, &row);
	}
	if (csv_finish(w, &cause) < 0)
		goto write_fail;
	res->rows = (int64_t)w->rows;
	res->bytes = (int64_t)w->bytes;
	res->gzipped = w->compressed;
	res->file_bytes = (int64_t)w->out;
	res->file_complete = true;
	if (opt->max_file_bytes > 0 && res->file_bytes > opt->max_file_bytes) {
		res->error = too_large_words(cmd, res, opt->max_file_bytes);
		goto out;
	}
	add_notes(res);
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
	if (cmd->script) {
		log_warn("%s failed: %s", cmd->path, cause ? cause : source_strerror(r));
		res->status = status_of(r);
		res->error = script_failure_words(cmd, r, cause);
		goto out;
	}
	log_warn("%s on source '%s' failed (%s): %s", cmd->name, scfg->name, source_strerror(r),
		 cause ? without_source(cause, scfg->name) : "");
	res->status = status_of(r);
	res->error = failure_words(cmd, scfg, r, timeout, cause);
	if (r == SOURCE_ECONNECT)
		source_cache_drop(cache, scfg);
out:
	watch_source(watch, NULL);
	if (cmd->script)
		source_close(src);   /* ends its process group (a script's source is its own) */
	if (w) {
		res->rows = (int64_t)w->rows;
		res->bytes = (int64_t)w->bytes;
		res->gzipped = w->compressed;
		res->file_bytes = (int64_t)w->out;
		csv_release(w);
	}
	res->duration_ms = now_ms_monotonic() - start;
	free(w);
	free(cause);
	free(binds);
	strbuf_release(&sql);
	return ret;
}
