/*
 * test-slack-form: the report form of issue 13 (bot/slack-form.h,
 * bot/slack-view-json.h): the picker lists exactly the reports a person
 * may run in a channel; every param type becomes its typed input with its
 * hint and default; a run's values prefill it; a submission's
 * view.state.values become the binder's words, and each binder mistake
 * lands under the field that caused it; Slack's limits are kept.
 */
#include "common.h"

#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "bot/access.h"
#include "bot/config.h"
#include "bot/slack-form.h"
#include "bot/slack-view-json.h"
#include "commands/args.h"
#include "commands/catalog.h"

#define ALICE "U0ALICE0001"
#define BOB "U0BOB000001"
#define GENERAL "C0GENERAL01"
#define FINANCE "C0FINANCE01"
/* 2024-12-15 12:00 UTC: yesterday is 2024-12-14, last month 2024-11 */
#define NOW ((time_t)1734264000)

static char tmpdir[64], cfgpath[128];
static struct config cfg;
static struct catalog cat;
static struct access *acc;

static const char *const files[][2] = {
	{ "monthly", "-- summary: Daily usage of one customer over a month\n"
		     "-- param: customer string        Customer slug, e.g. acme\n"
		     "-- param: month month=last       Month as YYYY-MM, or this / last\n"
		     "SELECT :customer, :month_start, :month_end\n" },
	{ "daily", "-- summary: One day\n"
		   "-- param: n int                 Any number\n"
		   "-- param: day date=yesterday   The day\n"
		   "-- param: top int(1..52)=10     How many\n"
		   "-- param: fmt enum(csv|tsv)=tsv Format\n"
		   "-- param: tags list=a,b         Tags\n"
		   "SELECT :day, :top, :fmt, :tags, :n\n" },
	{ "finance", "-- summary: For finance only\n-- allow: finance\nSELECT 1\n" },
	{ "restricted", "-- summary: Only in the finance channel\n-- channels: " FINANCE "\nSELECT 1\n" },
	{ "span", "-- summary: A span\n"
		  "-- param: from date   First day\n"
		  "-- param: to date     Last day\n"
		  "-- order: from <= to\n"
		  "SELECT :from, :to\n" },
};

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	unsetenv("SLACK_API_URL");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-slack-form-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.toml", tmpdir);
	FILE *f = fopen(cfgpath, "w");
	fputs("[sources.main]\ndriver = \"sqlite\"\npath = \"/tmp/x.db\"\n"
	      "[access.groups]\nfinance = [\"" ALICE "\"]\n", f);
	fclose(f);
	char *cause = NULL;
	if (config_load(&cfg, cfgpath, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	memset(&cat, 0, sizeof(cat));
	cat.cmds = xcalloc(ARRAY_SIZE(files), sizeof(*cat.cmds));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct strlist errs;
		strlist_init(&errs);
		if (command_parse(&cat.cmds[cat.n], files[i][0], files[i][0], files[i][1],
				  strlen(files[i][1]), &errs) < 0) {
			fprintf(stderr, "%s\n", errs.v[0]);
			return -1;
		}
		strlist_release(&errs);
		cat.n++;
	}
	/* sorted as the catalog keeps them */
	for (size_t i = 0; i < cat.n; i++)
		for (size_t j = i + 1; j < cat.n; j++)
			if (strcmp(cat.cmds[i].name, cat.cmds[j].name) > 0) {
				struct command t = cat.cmds[i];
				cat.cmds[i] = cat.cmds[j];
				cat.cmds[j] = t;
			}
	acc = access_new(&cfg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	access_free(acc);
	catalog_release(&cat);
	config_release(&cfg);
	unlink(cfgpath);
	rmdir(tmpdir);
	return 0;
}

static struct slack_form_ctx ctx_for(const char *user, const char *channel)
{
	return (struct slack_form_ctx){ .cat = &cat, .access = acc, .user = user,
					.channel = channel, .slash = "/report", .now = NOW };
}

/* The view for user in channel, cmd (NULL: the picker alone), parsed. */
static json_t *view_of(const char *user, const char *channel, const char *report,
		       const struct strlist *prefill)
{
	struct slack_form_ctx c = ctx_for(user, channel);
	char *view = NULL, *cause = NULL;
	const struct command *cmd = report ? catalog_find(&cat, report) : NULL;
	if (slack_form_view(&c, cmd, prefill, &view, &cause) < 0)
		fail_msg("slack_form_view: %s", cause);
	json_error_t err;
	json_t *v = json_loads(view, 0, &err);
	assert_non_null(v);
	free(view);
	return v;
}

static json_t *block(json_t *view, const char *block_id)
{
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(view, "blocks"), i, b)
		if (!strcmp(json_string_value(json_object_get(b, "block_id")), block_id))
			return b;
	fail_msg("no block %s", block_id);
	return NULL;
}

static const char *str_at(json_t *o, const char *path)
{
	/* "a.b.c" through objects */
	char *copy = xstrdup(path), *save = NULL;
	json_t *cur = o;
	for (char *k = strtok_r(copy, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, k);
	free(copy);
	return json_string_value(cur);
}

static void test_picker_lists_what_the_person_may_run(void **state)
{
	(void)state;
	/* Bob in #general: not finance (allow:), not restricted (channels:) */
	json_t *v = view_of(BOB, GENERAL, NULL, NULL);
	assert_string_equal(str_at(v, "type"), "modal");
	assert_string_equal(str_at(v, "callback_id"), SLACK_FORM_CALLBACK);
	assert_true(strlen(str_at(v, "title.text")) <= 24);
	json_t *pb = block(v, SLACK_FORM_PICKER);
	assert_true(json_is_true(json_object_get(pb, "dispatch_action")));
	assert_false(json_is_true(json_object_get(pb, "optional")));
	json_t *el = json_object_get(pb, "element");
	assert_string_equal(str_at(el, "type"), "static_select");
	assert_string_equal(str_at(el, "action_id"), SLACK_FORM_PICKER);
	json_t *opts = json_object_get(el, "options");
	const char *want[] = { "daily", "monthly", "span" };
	assert_int_equal(json_array_size(opts), ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		json_t *o = json_array_get(opts, i);
		assert_string_equal(str_at(o, "value"), want[i]);
		assert_string_equal(str_at(o, "text.text"), want[i]);
	}
	assert_string_equal(str_at(json_array_get(opts, 1), "description.text"),
			    "Daily usage of one customer over a month");
	assert_null(json_object_get(el, "initial_option"));
	assert_int_equal(json_array_size(json_object_get(v, "blocks")), 1);
	struct slack_form_meta m;
	char *cause = NULL;
	assert_int_equal(slack_form_meta_parse(str_at(v, "private_metadata"), &m, &cause), 0);
	assert_string_equal(m.channel, GENERAL);
	assert_null(m.report);
	slack_form_meta_release(&m);
	json_decref(v);

	/* Alice in #finance: every report */
	v = view_of(ALICE, FINANCE, NULL, NULL);
	opts = json_object_get(json_object_get(block(v, SLACK_FORM_PICKER), "element"), "options");
	assert_int_equal(json_array_size(opts), 5);
	json_decref(v);

	/* a report the person may not run is refused, not shown */
	struct slack_form_ctx c = ctx_for(BOB, GENERAL);
	char *view = NULL;
	assert_int_equal(slack_form_view(&c, catalog_find(&cat, "finance"), NULL, &view, &cause), -1);
	assert_null(view);
	assert_non_null(strstr(cause, "may not run finance"));
	free(cause);
}

static void test_month_and_string_inputs(void **state)
{
	(void)state;
	json_t *v = view_of(BOB, GENERAL, "monthly", NULL);
	assert_string_equal(str_at(block(v, SLACK_FORM_PICKER), "element.initial_option.value"), "monthly");
	assert_int_equal(json_array_size(json_object_get(v, "blocks")), 3);

	json_t *cust = block(v, "p.monthly.customer");
	assert_string_equal(str_at(cust, "label.text"), "customer");
	assert_string_equal(str_at(cust, "hint.text"), "Customer slug, e.g. acme");
	assert_false(json_is_true(json_object_get(cust, "optional")));
	assert_string_equal(str_at(cust, "element.type"), "plain_text_input");
	assert_string_equal(str_at(cust, "element.action_id"), "v");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cust, "element"), "max_length")),
			 ARG_STRING_MAX);
	assert_null(json_object_get(json_object_get(cust, "element"), "initial_value"));

	json_t *month = block(v, "p.monthly.month");
	assert_true(json_is_true(json_object_get(month, "optional")));
	assert_string_equal(str_at(month, "hint.text"),
			    "Month as YYYY-MM, or this / last (optional; default: last)");
	json_t *el = json_object_get(month, "element");
	assert_string_equal(str_at(el, "type"), "static_select");
	json_t *opts = json_object_get(el, "options");
	assert_int_equal(json_array_size(opts), 2 + SLACK_FORM_MONTHS);
	assert_string_equal(str_at(json_array_get(opts, 0), "value"), "this");
	assert_string_equal(str_at(json_array_get(opts, 0), "text.text"), "this (2024-12)");
	assert_string_equal(str_at(json_array_get(opts, 1), "value"), "last");
	assert_string_equal(str_at(json_array_get(opts, 1), "text.text"), "last (2024-11)");
	assert_string_equal(str_at(json_array_get(opts, 2), "value"), "2024-11");
	assert_string_equal(str_at(json_array_get(opts, 2 + SLACK_FORM_MONTHS - 1), "value"), "2022-12");
	assert_string_equal(str_at(el, "initial_option.value"), "last");

	struct slack_form_meta m;
	char *cause = NULL;
	assert_int_equal(slack_form_meta_parse(str_at(v, "private_metadata"), &m, &cause), 0);
	assert_string_equal(m.report, "monthly");
	slack_form_meta_release(&m);
	json_decref(v);
}

static void test_date_int_enum_list_inputs(void **state)
{
	(void)state;
	json_t *v = view_of(BOB, GENERAL, "daily", NULL);
	json_t *day = block(v, "p.daily.day");
	assert_string_equal(str_at(day, "element.type"), "datepicker");
	assert_string_equal(str_at(day, "element.initial_date"), "2024-12-14");   /* yesterday */
	assert_string_equal(str_at(day, "hint.text"), "The day (optional; default: yesterday)");

	json_t *top = json_object_get(block(v, "p.daily.top"), "element");
	assert_string_equal(str_at(top, "type"), "number_input");
	assert_true(json_is_false(json_object_get(top, "is_decimal_allowed")));
	assert_string_equal(str_at(top, "min_value"), "1");
	assert_string_equal(str_at(top, "max_value"), "52");
	assert_string_equal(str_at(top, "initial_value"), "10");

	json_t *n = block(v, "p.daily.n");
	assert_false(json_is_true(json_object_get(n, "optional")));
	assert_null(json_object_get(json_object_get(n, "element"), "min_value"));
	assert_null(json_object_get(json_object_get(n, "element"), "initial_value"));

	json_t *fmt = json_object_get(block(v, "p.daily.fmt"), "element");
	assert_string_equal(str_at(fmt, "type"), "static_select");
	assert_int_equal(json_array_size(json_object_get(fmt, "options")), 2);
	assert_string_equal(str_at(fmt, "initial_option.value"), "tsv");

	json_t *tags = json_object_get(block(v, "p.daily.tags"), "element");
	assert_string_equal(str_at(tags, "type"), "plain_text_input");
	assert_string_equal(str_at(tags, "initial_value"), "a,b");
	json_decref(v);

	/* a list with declared values is a multi-select */
	struct command *daily = (struct command *)catalog_find(&cat, "daily");
	struct param *p = &daily->params[4];
	p->choices = xcalloc(3, sizeof(char *));
	p->choices[0] = xstrdup("a");
	p->choices[1] = xstrdup("b");
	p->choices[2] = xstrdup("c");
	p->nchoices = 3;
	v = view_of(BOB, GENERAL, "daily", NULL);
	tags = json_object_get(block(v, "p.daily.tags"), "element");
	assert_string_equal(str_at(tags, "type"), "multi_static_select");
	assert_int_equal(json_array_size(json_object_get(tags, "options")), 3);
	json_t *init = json_object_get(tags, "initial_options");
	assert_int_equal(json_array_size(init), 2);
	assert_string_equal(str_at(json_array_get(init, 1), "value"), "b");
	json_decref(v);
	for (size_t i = 0; i < 3; i++)
		free(p->choices[i]);
	free(p->choices);
	p->choices = NULL;
	p->nchoices = 0;
}

static void test_prefill_from_a_run(void **state)
{
	(void)state;
	struct strlist pre;
	strlist_init(&pre);
	strlist_push(&pre, xstrdup("customer=acme"));
	strlist_push(&pre, xstrdup("month=2021-03"));   /* older than the list: added */
	json_t *v = view_of(BOB, GENERAL, "monthly", &pre);
	assert_string_equal(str_at(block(v, "p.monthly.customer"), "element.initial_value"), "acme");
	json_t *el = json_object_get(block(v, "p.monthly.month"), "element");
	assert_string_equal(str_at(el, "initial_option.value"), "2021-03");
	assert_int_equal(json_array_size(json_object_get(el, "options")), 3 + SLACK_FORM_MONTHS);
	json_decref(v);
	strlist_release(&pre);

	/* a value that no longer fits its param leaves the default */
	strlist_init(&pre);
	strlist_push(&pre, xstrdup("top=99"));
	strlist_push(&pre, xstrdup("day=2024-11-03"));
	v = view_of(BOB, GENERAL, "daily", &pre);
	assert_string_equal(str_at(block(v, "p.daily.top"), "element.initial_value"), "10");
	assert_string_equal(str_at(block(v, "p.daily.day"), "element.initial_date"), "2024-11-03");
	json_decref(v);
	strlist_release(&pre);
}

/* An interactive envelope of a view_submission with state values. */
static void submission(struct slack_form_event *in, const char *values_json)
{
	char *frame = xasprintf("{\"envelope_id\":\"e1\",\"type\":\"interactive\",\"accepts_response_payload\":true,"
				"\"payload\":{\"type\":\"view_submission\",\"user\":{\"id\":\"" BOB "\"},"
				"\"trigger_id\":\"1.2\",\"view\":{\"id\":\"V1\",\"hash\":\"h1\","
				"\"callback_id\":\"" SLACK_FORM_CALLBACK "\",\"private_metadata\":"
				"\"{\\\"channel\\\":\\\"" GENERAL "\\\",\\\"report\\\":\\\"daily\\\"}\","
				"\"state\":{\"values\":%s}}}}", values_json);
	char *cause = NULL;
	if (slack_form_event_parse(frame, strlen(frame), in, &cause) < 0)
		fail_msg("%s", cause);
	free(frame);
}

#define DAILY_OK \
	"{\"report\":{\"report\":{\"type\":\"static_select\",\"selected_option\":{\"text\":{\"type\":\"plain_text\",\"text\":\"daily\"},\"value\":\"daily\"}}}," \
	"\"p.daily.day\":{\"v\":{\"type\":\"datepicker\",\"selected_date\":\"2024-11-03\"}}," \
	"\"p.daily.top\":{\"v\":{\"type\":\"number_input\",\"value\":\"%s\"}}," \
	"\"p.daily.fmt\":{\"v\":{\"type\":\"static_select\",\"selected_option\":{\"value\":\"csv\"}}}," \
	"\"p.daily.tags\":{\"v\":{\"type\":\"multi_static_select\",\"selected_options\":[{\"value\":\"x\"},{\"value\":\"y z\"}]}}," \
	"\"p.daily.n\":{\"v\":{\"type\":\"number_input\",\"value\":%s}}}"

/* Bind the submission; returns the param index of a mistake (SIZE_MAX: none). */
static size_t bind_submission(const char *top, const char *n, char **errors)
{
	char *values = xasprintf(DAILY_OK, top, n);
	struct slack_form_event in;
	submission(&in, values);
	free(values);
	assert_int_equal(in.type, SLACK_FORM_EVENT_VIEW_SUBMISSION);
	assert_string_equal(in.view_id, "V1");
	assert_string_equal(in.view_hash, "h1");
	struct slack_form_meta m;
	char *cause = NULL;
	assert_int_equal(slack_form_meta_parse(in.private_metadata, &m, &cause), 0);
	const struct command *cmd = slack_form_chosen(&cat, &in, &m);
	assert_non_null(cmd);
	assert_string_equal(cmd->name, "daily");
	struct strlist words;
	strlist_init(&words);
	slack_form_words(cmd, &in, &words);
	struct invocation inv;
	size_t at = 0;
	int rc = args_bind_at(cmd, "/report", words.v, words.n, NOW, &inv, &cause, &at);
	*errors = NULL;
	if (rc == 0) {
		assert_int_equal(at, SIZE_MAX);
		assert_int_equal(inv.values[0].i, 3);
		assert_string_equal(inv.values[1].text, "2024-11-03");
		assert_int_equal(inv.values[2].i, 7);
		assert_string_equal(inv.values[3].text, "csv");
		assert_int_equal(inv.values[4].nitems, 2);
		assert_string_equal(inv.values[4].items[1], "y z");
		invocation_release(&inv);
	} else {
		*errors = slack_form_errors(cmd, &in, at, cause);
		free(cause);
	}
	strlist_release(&words);
	slack_form_meta_release(&m);
	slack_form_event_release(&in);
	return at;
}

static void test_submission_binds_like_typed_words(void **state)
{
	(void)state;
	char *errors = NULL;
	assert_int_equal(bind_submission("7", "\"3\"", &errors), SIZE_MAX);
	assert_null(errors);
}

static void expect_error_under(const char *top, const char *n, size_t want_at, const char *block_id,
			       const char *words)
{
	char *errors = NULL;
	assert_int_equal(bind_submission(top, n, &errors), want_at);
	json_t *e = json_loads(errors, 0, NULL);
	assert_non_null(e);
	assert_string_equal(str_at(e, "response_action"), "errors");
	json_t *map = json_object_get(e, "errors");
	assert_int_equal(json_object_size(map), 1);
	const char *msg = json_string_value(json_object_get(map, block_id));
	if (!msg || !strstr(msg, words))
		fail_msg("errors %s: want '%s' under %s", errors, words, block_id);
	json_decref(e);
	free(errors);
}

static void test_each_mistake_under_its_field(void **state)
{
	(void)state;
	/* out of range: the same words as typed, under top */
	expect_error_under("99", "\"3\"", 2, "p.daily.top", "top: '99' is out of range; use a whole number from 1 to 52");
	/* a required input left empty (null): missing, under n */
	expect_error_under("7", "null", 0, "p.daily.n", "missing n");
	/* not a number */
	expect_error_under("7", "\"3.5\"", 0, "p.daily.n", "'3.5' is not a whole number");
}

static void test_order_and_unknown_fields(void **state)
{
	(void)state;
	/* order: from after to, under from */
	const struct command *span = catalog_find(&cat, "span");
	char w0[] = "from=2024-11-05", w1[] = "to=2024-11-01";
	char *w[] = { w0, w1 };
	struct invocation inv;
	char *cause = NULL;
	size_t at = 0;
	assert_int_equal(args_bind_at(span, "/report", w, 2, NOW, &inv, &cause, &at), -1);
	assert_int_equal(at, 0);
	free(cause);
	/* a param given twice, and too many values */
	char x0[] = "2024-11-05", x1[] = "from=2024-11-01";
	char *w2[] = { x0, x1 };
	assert_int_equal(args_bind_at(span, "/report", w2, 2, NOW, &inv, &cause, &at), -1);
	assert_int_equal(at, 0);
	free(cause);
	char y0[] = "a", y1[] = "b", y2[] = "c";
	char *w3[] = { y0, y1, y2 };
	assert_int_equal(args_bind_at(span, "/report", w3, 3, NOW, &inv, &cause, &at), -1);
	assert_int_equal(at, SIZE_MAX);
	free(cause);

	/* a field the view did not have: under the picker */
	struct slack_form_event in;
	submission(&in, "{}");
	char *errors = slack_form_errors(catalog_find(&cat, "daily"), &in, 4, "missing n");
	json_t *e = json_loads(errors, 0, NULL);
	assert_string_equal(str_at(e, "errors.report"), "missing n");
	json_decref(e);
	free(errors);
	errors = slack_form_errors(catalog_find(&cat, "daily"), &in, SIZE_MAX, "too many");
	e = json_loads(errors, 0, NULL);
	assert_string_equal(str_at(e, "errors.report"), "too many");
	json_decref(e);
	free(errors);
	slack_form_event_release(&in);
}

static void test_block_actions_and_ack(void **state)
{
	(void)state;
	const char *frame =
		"{\"envelope_id\":\"e2\",\"type\":\"interactive\",\"payload\":{\"type\":\"block_actions\","
		"\"user\":{\"id\":\"" BOB "\"},\"trigger_id\":\"9.9\",\"container\":{\"type\":\"view\",\"view_id\":\"V1\"},"
		"\"view\":{\"id\":\"V1\",\"hash\":\"h2\",\"private_metadata\":\"{}\",\"state\":{\"values\":{}}},"
		"\"actions\":[{\"action_id\":\"report\",\"block_id\":\"report\",\"type\":\"static_select\","
		"\"selected_option\":{\"value\":\"monthly\"},\"action_ts\":\"1.2\"}]}}";
	struct slack_form_event in;
	char *cause = NULL;
	assert_int_equal(slack_form_event_parse(frame, strlen(frame), &in, &cause), 0);
	assert_int_equal(in.type, SLACK_FORM_EVENT_BLOCK_ACTIONS);
	assert_string_equal(in.action_id, "report");
	assert_string_equal(in.action_value, "monthly");
	assert_string_equal(in.view_hash, "h2");
	assert_string_equal(in.trigger_id, "9.9");
	slack_form_event_release(&in);

	/* no user: refused; not JSON: refused */
	assert_int_equal(slack_form_event_parse("{\"payload\":{\"type\":\"view_closed\"}}", 35, &in, &cause), -1);
	free(cause);
	slack_form_event_release(&in);
	assert_int_equal(slack_form_event_parse("nope", 4, &in, &cause), -1);
	free(cause);
	slack_form_event_release(&in);
	/* metadata without a channel */
	struct slack_form_meta m;
	assert_int_equal(slack_form_meta_parse("{\"report\":\"x\"}", &m, &cause), -1);
	free(cause);
	assert_int_equal(slack_form_meta_parse("not json", &m, &cause), -1);
	free(cause);

	char *ack = slack_view_ack("e1", "{\"response_action\":\"errors\",\"errors\":{\"a\":\"b\"}}");
	assert_string_equal(ack, "{\"envelope_id\":\"e1\",\"payload\":{\"response_action\":\"errors\",\"errors\":{\"a\":\"b\"}}}");
	free(ack);
	ack = slack_view_ack("e1", NULL);
	assert_string_equal(ack, "{\"envelope_id\":\"e1\"}");
	free(ack);
	assert_null(slack_view_ack("e1", "[1]"));
}

static void test_limits(void **state)
{
	(void)state;
	/* 120 reports: 100 options, the rest said in the hint; long summaries cut at 75 */
	struct catalog big;
	memset(&big, 0, sizeof(big));
	big.cmds = xcalloc(120, sizeof(*big.cmds));
	for (size_t i = 0; i < 120; i++) {
		char name[16];
		snprintf(name, sizeof(name), "r%03zu", i);
		char *text = xasprintf("-- summary: %s\nSELECT 1\n",
				       "An extremely long summary that goes on and on, well past what a Slack option may hold");
		struct strlist errs;
		strlist_init(&errs);
		assert_int_equal(command_parse(&big.cmds[big.n], name, name, text, strlen(text), &errs), 0);
		strlist_release(&errs);
		free(text);
		big.n++;
	}
	struct slack_form_ctx c = ctx_for(BOB, GENERAL);
	c.cat = &big;
	char *view = NULL, *cause = NULL;
	assert_int_equal(slack_form_view(&c, NULL, NULL, &view, &cause), 0);
	json_t *v = json_loads(view, 0, NULL);
	json_t *pb = block(v, SLACK_FORM_PICKER);
	json_t *opts = json_object_get(json_object_get(pb, "element"), "options");
	assert_int_equal(json_array_size(opts), 100);
	const char *d = str_at(json_array_get(opts, 0), "description.text");
	json_t *ds = json_string(d);
	assert_int_equal(json_string_length(ds) > 0, 1);
	json_decref(ds);
	/* 75 characters: 74 kept and the ellipsis (3 bytes) */
	assert_int_equal(strlen(d), 74 + 3);
	assert_non_null(strstr(str_at(pb, "hint.text"), "20 more not listed"));
	json_decref(v);
	free(view);
	catalog_release(&big);

	/* no report at all: a cause, no view */
	struct catalog none = { 0 };
	c.cat = &none;
	assert_int_equal(slack_form_view(&c, NULL, NULL, &view, &cause), -1);
	assert_non_null(strstr(cause, "no report you may run"));
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_picker_lists_what_the_person_may_run),
		cmocka_unit_test(test_month_and_string_inputs),
		cmocka_unit_test(test_date_int_enum_list_inputs),
		cmocka_unit_test(test_prefill_from_a_run),
		cmocka_unit_test(test_submission_binds_like_typed_words),
		cmocka_unit_test(test_each_mistake_under_its_field),
		cmocka_unit_test(test_order_and_unknown_fields),
		cmocka_unit_test(test_block_actions_and_ack),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
