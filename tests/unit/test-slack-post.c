/* test-slack-post: the Block Kit of a result post (bot/slack-post.h):
 * cell cutting, alignment, NULL, the truncation line, a chart that fits
 * and one that does not, escaping of values. */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "bot/slack-post.h"
#include "common/markup.h"
#include "common/strbuf.h"

/* A preview of nrows x ncols cells given row by row (NULL = SQL NULL). */
static struct report_preview *preview(size_t ncols, size_t want, size_t nrows, const char *const *names,
				      const char *const *cells)
{
	struct report_preview *p = xcalloc(1, sizeof(*p));
	p->ncols = ncols;
	p->shown_cols = ncols < REPORT_PREVIEW_COLS ? ncols : REPORT_PREVIEW_COLS;
	p->colnames = xcalloc(p->shown_cols, sizeof(char *));
	for (size_t i = 0; i < p->shown_cols; i++)
		p->colnames[i] = xstrdup(names[i]);
	p->want_rows = want;
	p->nrows = nrows;
	p->cells = xcalloc(nrows * p->shown_cols + 1, sizeof(char *));
	p->cut = xcalloc(nrows * p->shown_cols + 1, sizeof(bool));
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < p->shown_cols; c++) {
			const char *v = cells[r * ncols + c];
			p->cells[r * p->shown_cols + c] = v ? xstrdup(v) : NULL;
		}
	return p;
}

/* Chart points: npoints rows of x then ny y values. */
static void points(struct report_preview *p, size_t ny, size_t npoints, const char *const *v)
{
	p->chart = true;
	p->ny = ny;
	p->npoints = npoints;
	p->points = xcalloc(npoints * (1 + ny) + 1, sizeof(char *));
	for (size_t i = 0; i < npoints * (1 + ny); i++)
		p->points[i] = v[i] ? xstrdup(v[i]) : NULL;
}

static json_t *block_of(json_t *blocks, const char *type)
{
	size_t i;
	json_t *b;
	json_array_foreach(blocks, i, b)
		if (!strcmp(json_string_value(json_object_get(b, "type")), type))
			return b;
	return NULL;
}

static const char *cell(json_t *table, size_t r, size_t c)
{
	json_t *x = json_array_get(json_array_get(json_object_get(table, "rows"), r), c);
	return json_string_value(json_object_get(x, "text"));
}

static const char *context_text(json_t *blocks, size_t i)
{
	json_t *ctx = block_of(blocks, "context");
	return json_string_value(json_object_get(json_array_get(json_object_get(ctx, "elements"), i), "text"));
}

static void test_cut(void **state)
{
	(void)state;
	char *s = slack_post_cut("short", 10, false);
	assert_string_equal(s, "short");
	free(s);
	s = slack_post_cut("exactly10!", 10, false);
	assert_string_equal(s, "exactly10!");
	free(s);
	s = slack_post_cut("eleven char", 10, false);
	assert_string_equal(s, "eleven ch\xE2\x80\xA6");    /* 9 + … */
	free(s);
	/* a character boundary: é is two bytes, kept whole */
	s = slack_post_cut("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3, false);
	assert_string_equal(s, "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
	free(s);
	/* kept bytes were already cut by the run: ellipsis even when it fits */
	s = slack_post_cut("abc", 10, true);
	assert_string_equal(s, "abc\xE2\x80\xA6");
	free(s);
	/* escaped, and the escape counts toward the limit */
	s = slack_post_cut("a&b<c>", 100, false);
	assert_string_equal(s, "a&amp;b&lt;c&gt;");
	free(s);
	s = slack_post_cut("&&&", 8, false);
	assert_string_equal(s, "&amp;\xE2\x80\xA6");
	free(s);
	/* a value cannot smuggle a marked reference; controls become spaces */
	struct strbuf sb;
	strbuf_init(&sb);
	markup_add_user(&sb, "U123");
	strbuf_adds(&sb, "\tx\n");
	s = slack_post_cut(sb.buf, 100, false);
	assert_string_equal(s, "&lt;@U123&gt; x ");
	free(s);
	strbuf_release(&sb);
	s = slack_post_cut(NULL, 5, false);
	assert_string_equal(s, "");
	free(s);
}

static void test_is_number(void **state)
{
	(void)state;
	const char *yes[] = { "0", "-12", "+3", "3.5", ".5", "5.", "1e6", "1.5E-3" };
	const char *no[] = { "", "-", ".", "1e", "abc", "12a", "0x10", "inf", "nan", " 1", "1 ", "1,000" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		assert_true(slack_post_is_number(yes[i]));
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_false(slack_post_is_number(no[i]));
	assert_false(slack_post_is_number(NULL));
}

static void test_table_and_context(void **state)
{
	(void)state;
	static const char *const names[] = { "day", "events", "note" };
	static const char *const cells[] = {
		"2024-11-01", "3", "",
		"2024-11-02", NULL, "a <b>",
	};
	struct report_preview *pv = preview(3, 2, 2, names, cells);
	struct slack_post p = { .report = "monthly", .args_shown = "customer=acme", .rows = 31245,
				.duration_ms = 2300, .run_id = 42, .user_id = "U0ALICE", .preview = pv,
				.file = SLACK_POST_FILE_ATTACHED };
	json_t *blocks = slack_post_blocks(&p);
	assert_int_equal(json_array_size(blocks), 3);
	json_t *sec = json_array_get(blocks, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(sec, "text"), "text")),
			    "*`monthly` customer=acme*\n31,245 rows · 2.3 s · run 42 · asked by <@U0ALICE>");
	json_t *table = block_of(blocks, "table");
	assert_int_equal(json_array_size(json_object_get(table, "rows")), 3);
	assert_string_equal(cell(table, 0, 0), "day");
	assert_string_equal(cell(table, 1, 1), "3");
	assert_string_equal(cell(table, 1, 2), "");
	assert_string_equal(cell(table, 2, 2), "a &lt;b&gt;");
	/* NULL: an italic NULL in a rich_text cell, never "" */
	json_t *null = json_array_get(json_array_get(json_object_get(table, "rows"), 2), 1);
	assert_string_equal(json_string_value(json_object_get(null, "type")), "rich_text");
	json_t *t = json_array_get(json_object_get(json_array_get(json_object_get(null, "elements"), 0), "elements"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "text")), "NULL");
	assert_true(json_is_true(json_object_get(json_object_get(t, "style"), "italic")));
	/* numbers right, text left; a NULL does not make a column text */
	json_t *cs = json_object_get(table, "column_settings");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 0), "align")), "left");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 1), "align")), "right");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 2), "align")), "left");
	assert_string_equal(context_text(blocks, 0), "first 2 of 31,245 rows · full CSV attached");
	json_decref(blocks);

	/* the fallback says where the file is; the text names the run */
	p.file = SLACK_POST_FILE_IN_THREAD;
	p.schedule = "nightly";
	blocks = slack_post_blocks(&p);
	assert_string_equal(context_text(blocks, 0), "first 2 of 31,245 rows · full CSV in the thread");
	json_decref(blocks);
	char *text = slack_post_text(&p);
	assert_string_equal(text, "`monthly` customer=acme: 31,245 rows in 2.3 s (run 42, scheduled by nightly)");
	free(text);
	report_preview_free(pv);
}

static void test_columns_left_out_and_long_cells(void **state)
{
	(void)state;
	const char *names[23], *cells[23];
	char buf[23][8];
	char longv[300];
	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	for (int i = 0; i < 23; i++) {
		snprintf(buf[i], sizeof(buf[i]), "c%d", i + 1);
		names[i] = buf[i];
		cells[i] = i == 1 ? longv : buf[i];
	}
	struct report_preview *pv = preview(23, 10, 1, names, cells);
	struct slack_post p = { .report = "wide", .rows = 1, .preview = pv, .file = SLACK_POST_FILE_ATTACHED };
	json_t *blocks = slack_post_blocks(&p);
	json_t *table = block_of(blocks, "table");
	assert_int_equal(json_array_size(json_array_get(json_object_get(table, "rows"), 0)), 20);
	assert_int_equal(json_array_size(json_object_get(table, "column_settings")), 20);
	const char *c = cell(table, 1, 1);
	assert_int_equal(strlen(c), SLACK_POST_CELL_CHARS - 1 + 3);    /* 59 x and … */
	assert_string_equal(context_text(blocks, 0), "20 of 23 columns · long values cut · full CSV attached");
	json_decref(blocks);
	report_preview_free(pv);
}

static void test_no_rows_and_no_preview(void **state)
{
	(void)state;
	static const char *const names[] = { "n" };
	struct report_preview *pv = preview(1, 10, 0, names, NULL);
	struct slack_post p = { .report = "empty", .rows = 0, .preview = pv, .file = SLACK_POST_FILE_ATTACHED };
	json_t *blocks = slack_post_blocks(&p);
	assert_null(block_of(blocks, "table"));
	assert_string_equal(context_text(blocks, 0), "the result has no rows · full CSV attached");
	json_decref(blocks);
	report_preview_free(pv);

	p.preview = NULL;     /* preview: 0 */
	p.rows = 5;
	static const char *const notes[] = { "over 1,048,576 rows: Excel opens only the first" };
	p.notes = notes;
	p.nnotes = 1;
	p.extra_blocks = json_pack("[{s:s}]", "type", "divider");
	blocks = slack_post_blocks(&p);
	assert_null(block_of(blocks, "table"));
	assert_string_equal(context_text(blocks, 0), "full CSV attached");
	assert_string_equal(context_text(blocks, 1), "over 1,048,576 rows: Excel opens only the first");
	assert_non_null(block_of(blocks, "divider"));    /* other parts' blocks come last */
	assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, json_array_size(blocks) - 1), "type")),
			    "divider");
	json_decref(blocks);
	json_decref(p.extra_blocks);
}

static struct chart_spec spec(enum chart_type type, const char *x, size_t ny, const char *const *y)
{
	struct chart_spec c = { .type = type, .x = (char *)x, .ny = ny, .y = (char **)y };
	return c;
}

static void test_chart_fits(void **state)
{
	(void)state;
	static const char *const names[] = { "day", "a", "b" };
	static const char *const cells[] = { "d1", "1", "2.5", "d2", "3", "-4" };
	static const char *const ys[] = { "a", "b" };
	struct report_preview *pv = preview(3, 10, 2, names, cells);
	points(pv, 2, 2, cells);
	struct chart_spec ch = spec(CHART_BAR, "day", 2, ys);
	struct slack_post p = { .report = "r", .title = "A title that is longer than fifty characters, by far",
				.rows = 2, .preview = pv, .chart = &ch };
	char *why = NULL;
	assert_int_equal(slack_post_chart_fit(&p, &why), 0);
	assert_null(why);
	json_t *blocks = slack_post_blocks(&p);
	json_t *viz = block_of(blocks, "data_visualization");
	assert_non_null(viz);
	const char *title = json_string_value(json_object_get(viz, "title"));
	assert_int_equal(strlen(title), 49 + 3);
	json_t *chart = json_object_get(viz, "chart");
	assert_string_equal(json_string_value(json_object_get(chart, "type")), "bar");
	json_t *cats = json_object_get(json_object_get(chart, "axis_config"), "categories");
	assert_int_equal(json_array_size(cats), 2);
	assert_string_equal(json_string_value(json_array_get(cats, 1)), "d2");
	json_t *s1 = json_array_get(json_object_get(chart, "series"), 1);
	assert_string_equal(json_string_value(json_object_get(s1, "name")), "b");
	json_t *pt = json_array_get(json_object_get(s1, "data"), 0);
	assert_string_equal(json_string_value(json_object_get(pt, "label")), "d1");
	assert_true(json_is_real(json_object_get(pt, "value")));
	assert_true(json_real_value(json_object_get(pt, "value")) == 2.5);
	pt = json_array_get(json_object_get(json_array_get(json_object_get(chart, "series"), 0), "data"), 1);
	assert_int_equal(json_integer_value(json_object_get(pt, "value")), 3);
	json_decref(blocks);
	report_preview_free(pv);
}

static void expect_no_chart(struct slack_post *p, const char *want)
{
	char *why = NULL;
	assert_int_equal(slack_post_chart_fit(p, &why), -1);
	assert_non_null(why);
	if (!strstr(why, want))
		fail_msg("'%s' does not hold '%s'", why, want);
	json_t *blocks = slack_post_blocks(p);
	assert_null(block_of(blocks, "data_visualization"));
	json_t *ctx = json_object_get(block_of(blocks, "context"), "elements");
	bool said = false;
	for (size_t i = 0; i < json_array_size(ctx); i++)
		said |= strstr(json_string_value(json_object_get(json_array_get(ctx, i), "text")), want) != NULL;
	assert_true(said);
	json_decref(blocks);
	free(why);
}

static void test_chart_does_not_fit(void **state)
{
	(void)state;
	static const char *const names[] = { "k", "v" };
	static const char *const ys[] = { "v" };
	static const char *const ok[] = { "a", "1", "b", "2" };
	struct report_preview *pv = preview(2, 10, 2, names, ok);
	points(pv, 1, 2, ok);
	struct chart_spec ch = spec(CHART_LINE, "k", 1, ys);
	struct slack_post p = { .report = "r", .rows = 2, .preview = pv, .chart = &ch };

	p.rows = 21;     /* more rows than a chart's categories */
	expect_no_chart(&p, "no chart: 21 categories, a line chart shows at most 20");
	p.rows = 31245;
	expect_no_chart(&p, "no chart: 31,245 categories");
	struct chart_spec pie = spec(CHART_PIE, "k", 1, ys);
	p.chart = &pie;
	p.rows = 7;
	expect_no_chart(&p, "no chart: 7 segments, a pie chart shows at most 6");
	p.rows = 0;
	expect_no_chart(&p, "no chart: the result has no rows");
	p.rows = 2;
	p.chart = &ch;
	free(pv->points[3]);
	pv->points[3] = xstrdup("n/a");
	expect_no_chart(&p, "no chart: column 'v' holds 'n/a', not a number");
	free(pv->points[3]);
	pv->points[3] = NULL;
	expect_no_chart(&p, "no chart: column 'v' holds NULL, not a number");
	pv->points[3] = xstrdup("2");
	free(pv->points[2]);
	pv->points[2] = xstrdup("a");
	expect_no_chart(&p, "no chart: the category 'a' appears twice");
	pv->chart_missing = xstrdup("vv");
	expect_no_chart(&p, "no chart: the result has no column 'vv'");
	free(pv->chart_missing);
	pv->chart_missing = NULL;
	p.chart = &pie;
	free(pv->points[1]);
	pv->points[1] = xstrdup("-1");
	free(pv->points[2]);
	pv->points[2] = xstrdup("b");
	expect_no_chart(&p, "no chart: a pie cannot show the negative value -1");
	report_preview_free(pv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_is_number),
		cmocka_unit_test(test_table_and_context),
		cmocka_unit_test(test_columns_left_out_and_long_cells),
		cmocka_unit_test(test_no_rows_and_no_preview),
		cmocka_unit_test(test_chart_fits),
		cmocka_unit_test(test_chart_does_not_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
