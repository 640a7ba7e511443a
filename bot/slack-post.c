/*
 * slack-post.c: the Block Kit of one result post (bot/slack-post.h).
 */
#include "common.h"
#include "bot/slack-post.h"

#include <ctype.h>
#include <math.h>

#include "bot/slack-text.h"
#include "common/markup.h"
#include "common/numtext.h"
#include "common/strbuf.h"

#define ELLIPSIS "\xE2\x80\xA6"     /* … */
#define TEXT_MAX 3000               /* a section's text, Slack's limit */

/* Bytes of the UTF-8 sequence starting with lead (1 for a stray byte). */
static size_t utf8_len(unsigned char lead)
{
	if (lead >= 0xF0 && lead <= 0xF4)
		return 4;
	if (lead >= 0xE0)
		return lead <= 0xEF ? 3 : 1;
	if (lead >= 0xC2)
		return 2;
	return 1;
}

/* Characters text takes once escaped (`&` is `&amp;`). */
static size_t escaped_chars(const char *p, size_t n)
{
	if (n == 1 && *p == '&')
		return 5;
	if (n == 1 && (*p == '<' || *p == '>'))
		return 4;
	return 1;
}

char *slack_post_cut(const char *value, size_t max, bool already_cut)
{
	struct strbuf sb;
	strbuf_init(&sb);
	const char *p = value ? value : "";
	size_t used = 0;
	bool cut = already_cut;
	size_t room = max > 0 ? max - 1 : 0;   /* keep one for "…" until we know */
	size_t total = 0;
	/* does it fit whole? */
	for (const char *q = p; *q;) {
		size_t n = utf8_len((unsigned char)*q);
		for (size_t k = 1; k < n; k++)
			if (!q[k]) {
				n = k;
				break;
			}
		if (*q != MARKUP_MARK)
			total += escaped_chars(q, n);
		q += n;
	}
	if (!cut && total <= max)
		room = max;
	while (*p) {
		size_t n = utf8_len((unsigned char)*p);
		for (size_t k = 1; k < n; k++)
			if (!p[k]) {
				n = k;
				break;
			}
		if (*p == MARKUP_MARK) {
			p++;
			continue;
		}
		size_t w = escaped_chars(p, n);
		if (used + w > room) {
			cut = true;
			break;
		}
		if (n == 1 && (unsigned char)*p < 0x20)
			strbuf_addc(&sb, ' ');
		else if (n == 1 && *p == 0x7F)
			strbuf_addc(&sb, ' ');
		else
			strbuf_add(&sb, p, n);
		used += w;
		p += n;
	}
	if (cut && max > 0)
		strbuf_adds(&sb, ELLIPSIS);
	char *out = slack_text_prepare(sb.buf, SIZE_MAX / 2);
	strbuf_release(&sb);
	return out;
}

bool slack_post_is_number(const char *s)
{
	if (!s)
		return false;
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	size_t digits = 0;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

static bool is_person(const char *user)
{
	return user && (user[0] == 'U' || user[0] == 'W');
}

/* "…, asked by <@U1>" or "…, scheduled by NAME" (plain text with a mark). */
static void add_who(struct strbuf *sb, const struct slack_post *p, const char *sep)
{
	if (p->schedule && *p->schedule) {
		char *name = markup_plain(p->schedule);
		strbuf_addf(sb, "%sscheduled by %s", sep, name);
		free(name);
	} else if (is_person(p->user_id)) {
		strbuf_addf(sb, "%sasked by ", sep);
		markup_add_user(sb, p->user_id);
	}
}

/* "`name` args": the report and what it ran with; typed values unmarked. */
static void add_name_args(struct strbuf *sb, const struct slack_post *p)
{
	strbuf_addf(sb, "`%s`", p->report ? p->report : "report");
	if (p->args_shown && *p->args_shown) {
		char *args = markup_plain(p->args_shown);
		strbuf_addf(sb, " %s", args);
		free(args);
	}
}

char *slack_post_text(const struct slack_post *p)
{
	struct strbuf sb;
	strbuf_init(&sb);
	add_name_args(&sb, p);
	strbuf_adds(&sb, ": ");
	numtext_add_thousands(&sb, p->rows);
	strbuf_adds(&sb, p->rows == 1 ? " row in " : " rows in ");
	numtext_add_duration(&sb, p->duration_ms);
	strbuf_addf(&sb, " (run %lld", (long long)p->run_id);
	add_who(&sb, p, ", ");
	strbuf_adds(&sb, ")");
	return strbuf_detach(&sb);
}

/* A mrkdwn text object from plain text (escaped here, once). verbatim:
 * Slack links nothing by itself; only the bot's own references render. */
static json_t *mrkdwn(const char *plain)
{
	char *t = slack_text_prepare(plain, TEXT_MAX);
	json_t *o = json_pack("{s:s, s:s, s:b}", "type", "mrkdwn", "text", t, "verbatim", 1);
	free(t);
	return o;
}

static json_t *header_section(const struct slack_post *p)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_adds(&sb, "*");
	add_name_args(&sb, p);
	strbuf_adds(&sb, "*\n");
	numtext_add_thousands(&sb, p->rows);
	strbuf_adds(&sb, p->rows == 1 ? " row" : " rows");
	strbuf_adds(&sb, " · ");
	numtext_add_duration(&sb, p->duration_ms);
	strbuf_addf(&sb, " · run %lld", (long long)p->run_id);
	add_who(&sb, p, " · ");
	json_t *b = json_pack("{s:s, s:o}", "type", "section", "text", mrkdwn(sb.buf));
	strbuf_release(&sb);
	return b;
}

static json_t *raw_cell(const char *value, bool already_cut)
{
	char *t = slack_post_cut(value, SLACK_POST_CELL_CHARS, already_cut);
	json_t *c = json_pack("{s:s, s:s}", "type", "raw_text", "text", t);
	free(t);
	return c;
}

/* SQL NULL: an italic NULL, so it never looks like the text "NULL" or "". */
static json_t *null_cell(void)
{
	return json_pack("{s:s, s:[{s:s, s:[{s:s, s:s, s:{s:b}}]}]}",
			 "type", "rich_text", "elements", "type", "rich_text_section", "elements",
			 "type", "text", "text", "NULL", "style", "italic", 1);
}

static bool column_is_numeric(const struct report_preview *pv, size_t col)
{
	bool any = false;
	for (size_t r = 0; r < pv->nrows; r++) {
		const char *v = pv->cells[r * pv->shown_cols + col];
		if (!v)
			continue;
		if (!slack_post_is_number(v))
			return false;
		any = true;
	}
	return any;
}

static json_t *table_block(const struct report_preview *pv)
{
	json_t *rows = json_array();
	json_t *head = json_array();
	json_t *settings = json_array();
	for (size_t c = 0; c < pv->shown_cols; c++) {
		json_array_append_new(head, raw_cell(pv->colnames[c], false));
		json_array_append_new(settings, json_pack("{s:s}", "align",
							  column_is_numeric(pv, c) ? "right" : "left"));
	}
	json_array_append_new(rows, head);
	for (size_t r = 0; r < pv->nrows; r++) {
		json_t *row = json_array();
		for (size_t c = 0; c < pv->shown_cols; c++) {
			size_t i = r * pv->shown_cols + c;
			json_array_append_new(row, pv->cells[i] ? raw_cell(pv->cells[i], pv->cut[i]) : null_cell());
		}
		json_array_append_new(rows, row);
	}
	return json_pack("{s:s, s:o, s:o}", "type", "table", "column_settings", settings, "rows", rows);
}

int slack_post_chart_fit(const struct slack_post *p, char **why)
{
	const struct report_preview *pv = p->preview;
	const struct chart_spec *ch = p->chart;
	*why = NULL;
	if (!ch || ch->type == CHART_NONE || !pv || !pv->chart)
		return -1;
	const char *kind = chart_type_name(ch->type);
	if (pv->chart_missing) {
		char *col = markup_plain(pv->chart_missing);
		*why = xasprintf("no chart: the result has no column '%s'", col);
		free(col);
		return -1;
	}
	if (p->rows == 0) {
		*why = xstrdup("no chart: the result has no rows");
		return -1;
	}
	size_t cap = ch->type == CHART_PIE ? SLACK_CHART_SEGMENTS_MAX : SLACK_CHART_CATEGORIES_MAX;
	if (p->rows > (int64_t)cap) {
		struct strbuf sb;
		strbuf_init(&sb);
		strbuf_adds(&sb, "no chart: ");
		numtext_add_thousands(&sb, p->rows);
		strbuf_addf(&sb, " %s, a %s chart shows at most %zu", ch->type == CHART_PIE ? "segments" :
			    "categories", kind, cap);
		*why = strbuf_detach(&sb);
		return -1;
	}
	size_t w = 1 + pv->ny;
	for (size_t r = 0; r < pv->npoints; r++) {
		for (size_t k = 0; k < pv->ny; k++) {
			const char *v = pv->points[r * w + 1 + k];
			if (!v || !slack_post_is_number(v) || !isfinite(strtod(v, NULL))) {
				char *col = markup_plain(ch->y[k]);
				char *shown = v ? slack_post_cut(v, SLACK_CHART_LABEL_MAX, false) : NULL;
				*why = v ? xasprintf("no chart: column '%s' holds '%s', not a number", col, shown)
					 : xasprintf("no chart: column '%s' holds NULL, not a number", col);
				free(shown);
				free(col);
				return -1;
			}
			if (ch->type == CHART_PIE && strtod(v, NULL) < 0) {
				*why = xasprintf("no chart: a pie cannot show the negative value %s", v);
				return -1;
			}
		}
	}
	/* categories are matched by label: each must be told apart once cut */
	for (size_t r = 0; r < pv->npoints; r++) {
		char *a = slack_post_cut(pv->points[r * w] ? pv->points[r * w] : "NULL", SLACK_CHART_LABEL_MAX, false);
		for (size_t q = 0; q < r && !*why; q++) {
			char *b = slack_post_cut(pv->points[q * w] ? pv->points[q * w] : "NULL",
						 SLACK_CHART_LABEL_MAX, false);
			if (strcmp(a, b) == 0)
				*why = xasprintf("no chart: the category '%s' appears twice in column '%s'", a, ch->x);
			free(b);
		}
		free(a);
		if (*why) {
			char *plain = markup_plain(*why);
			free(*why);
			*why = plain;
			return -1;
		}
	}
	return 0;
}

/* A JSON number from text that slack_post_is_number accepted. */
static json_t *number(const char *v)
{
	bool integral = !strpbrk(v, ".eE");
	if (integral) {
		errno = 0;
		long long x = strtoll(v, NULL, 10);
		if (!errno)
			return json_integer(x);
	}
	return json_real(strtod(v, NULL));
}

static json_t *text_value(const char *value, size_t max)
{
	char *t = slack_post_cut(value, max, false);
	json_t *s = json_string(t);
	free(t);
	return s ? s : json_string("?");
}

static json_t *chart_block(const struct slack_post *p)
{
	const struct report_preview *pv = p->preview;
	const struct chart_spec *ch = p->chart;
	size_t w = 1 + pv->ny;
	json_t *chart = json_pack("{s:s}", "type", chart_type_name(ch->type));
	if (ch->type == CHART_PIE) {
		json_t *segs = json_array();
		for (size_t r = 0; r < pv->npoints; r++) {
			const char *label = pv->points[r * w] ? pv->points[r * w] : "NULL";
			json_array_append_new(segs, json_pack("{s:o, s:o}", "label",
							      text_value(label, SLACK_CHART_LABEL_MAX),
							      "value", number(pv->points[r * w + 1])));
		}
		json_object_set_new(chart, "segments", segs);
	} else {
		json_t *cats = json_array();
		json_t *series = json_array();
		for (size_t r = 0; r < pv->npoints; r++)
			json_array_append_new(cats, text_value(pv->points[r * w] ? pv->points[r * w] : "NULL",
							       SLACK_CHART_LABEL_MAX));
		for (size_t k = 0; k < pv->ny; k++) {
			json_t *data = json_array();
			for (size_t r = 0; r < pv->npoints; r++)
				json_array_append_new(data, json_pack("{s:O, s:o}", "label", json_array_get(cats, r),
								      "value", number(pv->points[r * w + 1 + k])));
			json_array_append_new(series, json_pack("{s:o, s:o}", "name",
								text_value(ch->y[k], SLACK_CHART_NAME_MAX),
								"data", data));
		}
		json_object_set_new(chart, "series", series);
		json_t *axis = json_pack("{s:o, s:o}", "categories", cats, "x_label",
					 text_value(ch->x, SLACK_CHART_NAME_MAX));
		if (pv->ny == 1)
			json_object_set_new(axis, "y_label", text_value(ch->y[0], SLACK_CHART_NAME_MAX));
		json_object_set_new(chart, "axis_config", axis);
	}
	const char *title = p->title && *p->title ? p->title : (p->report ? p->report : "report");
	return json_pack("{s:s, s:o, s:o}", "type", "data_visualization", "title",
			 text_value(title, SLACK_CHART_TITLE_MAX), "chart", chart);
}

/* "first 10 of 31,245 rows · 7 of 23 columns · long values cut · full CSV attached" */
static char *left_out_line(const struct slack_post *p, bool table)
{
	const struct report_preview *pv = p->preview;
	struct strbuf sb;
	strbuf_init(&sb);
	const char *sep = "";
	if (p->rows == 0) {
		strbuf_adds(&sb, "the result has no rows");
		sep = " · ";
	} else if (table && (int64_t)pv->nrows < p->rows) {
		strbuf_addf(&sb, "first %zu of ", pv->nrows);
		numtext_add_thousands(&sb, p->rows);
		strbuf_adds(&sb, " rows");
		sep = " · ";
	}
	if (table && pv->shown_cols < pv->ncols) {
		strbuf_addf(&sb, "%s%zu of %zu columns", sep, pv->shown_cols, pv->ncols);
		sep = " · ";
	}
	if (table) {
		bool cut = false;
		for (size_t i = 0; i < pv->nrows * pv->shown_cols && !cut; i++) {
			char *t = pv->cells[i] ? slack_post_cut(pv->cells[i], SLACK_POST_CELL_CHARS, pv->cut[i]) : NULL;
			cut = t && strstr(t, ELLIPSIS) && (pv->cut[i] || !strstr(pv->cells[i], ELLIPSIS));
			free(t);
		}
		if (cut) {
			strbuf_addf(&sb, "%slong values cut", sep);
			sep = " · ";
		}
	}
	if (p->file == SLACK_POST_FILE_ATTACHED)
		strbuf_addf(&sb, "%sfull CSV attached", sep);
	else if (p->file == SLACK_POST_FILE_IN_THREAD)
		strbuf_addf(&sb, "%sfull CSV in the thread", sep);
	return strbuf_detach(&sb);
}

json_t *slack_post_blocks(const struct slack_post *p)
{
	json_t *blocks = json_array();
	json_array_append_new(blocks, header_section(p));

	const struct report_preview *pv = p->preview;
	bool table = pv && pv->want_rows > 0 && pv->shown_cols > 0 && pv->nrows > 0;
	if (table)
		json_array_append_new(blocks, table_block(pv));

	char *no_chart = NULL;
	if (slack_post_chart_fit(p, &no_chart) == 0)
		json_array_append_new(blocks, chart_block(p));

	json_t *elems = json_array();
	char *line = left_out_line(p, table);
	if (*line)
		json_array_append_new(elems, mrkdwn(line));
	free(line);
	if (no_chart)
		json_array_append_new(elems, mrkdwn(no_chart));
	free(no_chart);
	for (size_t i = 0; i < p->nnotes && i < SLACK_POST_NOTES_MAX; i++)
		if (p->notes[i] && *p->notes[i])
			json_array_append_new(elems, mrkdwn(p->notes[i]));
	if (json_array_size(elems))
		json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "context", "elements", elems));
	else
		json_decref(elems);

	if (json_is_array(p->extra_blocks))
		json_array_extend(blocks, p->extra_blocks);
	return blocks;
}
