/*
 * slack-post.h: the Block Kit of one result post (issue 12), built with no
 * I/O from what a run kept (struct report_preview) and what the job says.
 *
 * A post is, in order:
 *  - a section naming the report, the resolved arguments, the row count,
 *    the time taken, the run id and who asked (a <@U…> reference written
 *    with common/markup.h) or which schedule;
 *  - a `table` block with the header row and the first rows: numbers
 *    right-aligned through column_settings, cells cut to
 *    SLACK_POST_CELL_CHARS characters with "…", SQL NULL shown as an
 *    italic NULL (a rich_text cell), so an empty string stays empty;
 *  - a `data_visualization` block when the command has `-- chart:` and the
 *    result fits (slack_post_chart_fit says why not otherwise);
 *  - a context line saying what was left out ("first 10 of 31,245 rows ·
 *    7 of 23 columns · full CSV attached"), the reason there is no chart,
 *    then the notes other parts add (one context element each);
 *  - the blocks other parts add (buttons), appended as given.
 * Every text goes through slack_text_prepare (bot/slack-text.h); values
 * from the data are stripped of markup marks first, so a value can never
 * become a mention or a link.
 */
#ifndef SLACK_POST_H
#define SLACK_POST_H

#include <jansson.h>

#include "common.h"
#include "commands/command.h"
#include "commands/report.h"

#define SLACK_POST_CELL_CHARS 60      /* a table cell's characters, "…" included */
#define SLACK_CHART_TITLE_MAX 50      /* Slack: title at most 50 characters */
#define SLACK_CHART_LABEL_MAX 20      /* Slack: category label at most 20 characters */
#define SLACK_CHART_NAME_MAX 50       /* series name and axis labels, like x_label/y_label */
#define SLACK_CHART_CATEGORIES_MAX REPORT_CHART_POINTS   /* 20: see docs/design.md */
#define SLACK_CHART_SEGMENTS_MAX 6    /* Slack: a pie has 1 to 6 segments */
#define SLACK_POST_NOTES_MAX 8        /* context: 10 elements; the line and the chart note first */

/* Where the CSV is, for the context line. */
enum slack_post_file {
	SLACK_POST_FILE_ATTACHED,     /* the post is the file share itself */
	SLACK_POST_FILE_IN_THREAD,    /* the fallback: the file is in the thread */
	SLACK_POST_FILE_NONE,
};

/* What a post is built from; everything borrowed. */
struct slack_post {
	const char *report;                  /* the command's name */
	const char *title;                   /* the chart's title (summary), NULL: the name */
	const char *args_shown;              /* "customer=acme month=2024-11", or NULL */
	int64_t rows;
	int64_t duration_ms;
	int64_t run_id;
	const char *user_id;                 /* who asked (U…/W…), or NULL */
	const char *schedule;                /* the schedule's name, or NULL */
	enum slack_post_file file;
	const struct report_preview *preview;   /* NULL: no table, no chart */
	const struct chart_spec *chart;      /* the command's; NULL or CHART_NONE: none */
	const char *const *notes;            /* context notes of other parts (Excel rows…) */
	size_t nnotes;
	json_t *extra_blocks;                /* an array of blocks appended (buttons), or NULL */
};

/* The blocks of a post: a new JSON array (caller decrefs). */
json_t *slack_post_blocks(const struct slack_post *p);

/* The plain `text` of a post (notification and screen-reader fallback),
 * e.g. "`monthly` customer=acme: 1,234 rows in 2.3 s (run 12, asked by
 * <@U1>)", still to be prepared by the JSON builder. Caller frees. */
char *slack_post_text(const struct slack_post *p);

/* 0 when the preview's chart can be drawn; else -1 and *why (caller
 * frees) in words for the context line, e.g. "no chart: 31 categories, a
 * line chart shows at most 20". No chart asked for is -1 with *why NULL. */
int slack_post_chart_fit(const struct slack_post *p, char **why);

/* value as a cell or label: MARKUP_MARK bytes dropped, control characters
 * made spaces, cut to at most max characters once escaped (`&amp;` counts
 * 5), ending with "…" when cut (or when already_cut), then escaped by
 * slack_text_prepare. Caller frees. */
char *slack_post_cut(const char *value, size_t max, bool already_cut);

/* Whether text is a plain decimal number ("-12", "3.5", "1e6"). */
bool slack_post_is_number(const char *text);

#endif
