/*
 * slack-form.c: the report form as a Block Kit modal (bot/slack-form.h).
 */
#include "common.h"
#include "bot/slack-form.h"

#include <jansson.h>
#include <strings.h>

#include "commands/args.h"
#include "commands/reldate.h"
#include "common/strbuf.h"

#define TITLE_MAX 24
#define LABEL_MAX 2000
#define ID_MAX 255
#define OPTION_MAX 75
#define BLOCKS_MAX 100
#define METADATA_MAX 3000
#define TEXT_INPUT_MAX 3000

/* Slack counts characters as JavaScript does (UTF-16 units): a character
 * above U+FFFF counts two. */
static size_t units_of(const unsigned char *p, size_t *bytes)
{
	size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
	for (size_t i = 1; i < n; i++)
		if (!p[i]) {
			n = i;
			break;
		}
	*bytes = n;
	return n == 4 ? 2 : 1;
}

/* text cut to at most max units, ending in "…" when cut; caller frees. */
static char *cut(const char *text, size_t max)
{
	size_t total = 0, keep = 0;
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	while (p[i]) {
		size_t b, u = units_of(p + i, &b);
		if (total + u <= max - 1)
			keep = i + b;
		total += u;
		i += b;
	}
	if (total <= max)
		return xstrdup(text);
	return xasprintf("%.*s\xE2\x80\xA6", (int)keep, text);
}

static json_t *plain(const char *text, size_t max)
{
	char *t = cut(text, max);
	json_t *o = json_pack("{s:s, s:s}", "type", "plain_text", "text", t);
	free(t);
	if (!o)   /* not UTF-8: never from our own text */
		o = json_pack("{s:s, s:s}", "type", "plain_text", "text", "?");
	return o;
}

static json_t *option(const char *text, const char *value, const char *description)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", plain(text, OPTION_MAX));
	json_object_set_new(o, "value", json_string(value));
	if (description && *description)
		json_object_set_new(o, "description", plain(description, OPTION_MAX));
	return o;
}

/* The value of param name in prefill ("name=value" words), or NULL; borrowed. */
static const char *prefilled(const struct strlist *prefill, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; prefill && i < prefill->n; i++)
		if (!strncasecmp(prefill->v[i], name, n) && prefill->v[i][n] == '=')
			return prefill->v[i] + n + 1;
	return NULL;
}

/* An input block; element is stolen. */
static json_t *input_block(const char *block_id, const char *label, json_t *element,
			   bool optional, const char *hint)
{
	json_t *b = json_object();
	json_object_set_new(b, "type", json_string("input"));
	json_object_set_new(b, "block_id", json_string(block_id));
	json_object_set_new(b, "label", plain(label, LABEL_MAX));
	json_object_set_new(b, "element", element);
	json_object_set_new(b, "optional", json_boolean(optional));
	if (hint && *hint)
		json_object_set_new(b, "hint", plain(hint, LABEL_MAX));
	return b;
}

/* The options' entry whose value is value (case-insensitive), or NULL. */
static json_t *find_option(json_t *options, const char *value)
{
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o) {
		const char *v = json_string_value(json_object_get(o, "value"));
		if (v && !strcasecmp(v, value))
			return o;
	}
	return NULL;
}

static json_t *select_element(json_t *options, const char *initial, const char *placeholder)
{
	json_t *el = json_object();
	json_object_set_new(el, "type", json_string("static_select"));
	json_object_set_new(el, "action_id", json_string("v"));
	json_object_set_new(el, "placeholder", plain(placeholder, 150));
	json_t *o = initial ? find_option(options, initial) : NULL;
	if (o)
		json_object_set(el, "initial_option", o);
	json_object_set_new(el, "options", options);
	return el;
}

static json_t *text_element(const char *initial, size_t max, const char *placeholder)
{
	json_t *el = json_object();
	json_object_set_new(el, "type", json_string("plain_text_input"));
	json_object_set_new(el, "action_id", json_string("v"));
	json_object_set_new(el, "max_length", json_integer((json_int_t)max));
	if (placeholder)
		json_object_set_new(el, "placeholder", plain(placeholder, 150));
	if (initial && *initial)
		json_object_set_new(el, "initial_value", json_string(initial));
	return el;
}

/* The month select: this, last, then the SLACK_FORM_MONTHS months before
 * this one as YYYY-MM; a resolved initial month not among them is added. */
static json_t *month_element(time_t now, const char *initial)
{
	json_t *options = json_array();
	struct reldate today;
	char buf[RELDATE_BUFSZ];
	if (reldate_today(now, &today) != RELDATE_OK)
		today = (struct reldate){ 2000, 1, 1 };
	int y = today.year, m = today.month;
	reldate_format_month(y, m, buf);
	char *t = xasprintf("this (%s)", buf);
	json_array_append_new(options, option(t, "this", NULL));
	free(t);
	for (int k = 1; k <= SLACK_FORM_MONTHS; k++) {
		int yy = y, mm = m;
		reldate_add_months(&yy, &mm, -k);
		reldate_format_month(yy, mm, buf);
		if (k == 1) {
			t = xasprintf("last (%s)", buf);
			json_array_append_new(options, option(t, "last", NULL));
			free(t);
		}
		json_array_append_new(options, option(buf, buf, NULL));
	}
	if (initial && !find_option(options, initial))
		json_array_append_new(options, option(initial, initial, NULL));
	return select_element(options, initial, "Choose a month");
}

/* The typed element of p with its initial value (text, already checked
 * against p; NULL for none). */
static json_t *param_element(const struct param *p, const char *initial, time_t now)
{
	switch (p->type) {
	case PARAM_DATE: {
		json_t *el = json_pack("{s:s, s:s}", "type", "datepicker", "action_id", "v");
		struct arg_value v;
		if (initial && param_value_parse(p, initial, now, &v, NULL) == 0) {
			json_object_set_new(el, "initial_date", json_string(v.text));
			arg_value_release(&v);
		}
		json_object_set_new(el, "placeholder", plain("YYYY-MM-DD", 150));
		return el;
	}
	case PARAM_MONTH: {
		const char *init = initial;
		char *resolved = NULL;
		struct arg_value v;
		if (init && strcasecmp(init, "this") && strcasecmp(init, "last") &&
		    param_value_parse(p, init, now, &v, NULL) == 0) {
			resolved = v.text;
			v.text = NULL;
			arg_value_release(&v);
			init = resolved;
		}
		json_t *el = month_element(now, init);
		free(resolved);
		return el;
	}
	case PARAM_ENUM: {
		json_t *options = json_array();
		for (size_t i = 0; i < p->nchoices && i < SLACK_FORM_MAX_OPTIONS; i++)
			json_array_append_new(options, option(p->choices[i], p->choices[i], NULL));
		return select_element(options, initial, "Choose one");
	}
	case PARAM_LIST: {
		if (!p->nchoices)
			return text_element(initial, TEXT_INPUT_MAX, "comma-separated, like a,b,c");
		json_t *options = json_array();
		for (size_t i = 0; i < p->nchoices && i < SLACK_FORM_MAX_OPTIONS; i++)
			json_array_append_new(options, option(p->choices[i], p->choices[i], NULL));
		json_t *el = json_object();
		json_object_set_new(el, "type", json_string("multi_static_select"));
		json_object_set_new(el, "action_id", json_string("v"));
		json_object_set_new(el, "placeholder", plain("Choose one or more", 150));
		struct arg_value v;
		if (initial && param_value_parse(p, initial, now, &v, NULL) == 0) {
			json_t *init = json_array();
			for (size_t i = 0; i < v.nitems; i++) {
				json_t *o = find_option(options, v.items[i]);
				if (o)
					json_array_append(init, o);
			}
			if (json_array_size(init))
				json_object_set_new(el, "initial_options", init);
			else
				json_decref(init);
			arg_value_release(&v);
		}
		json_object_set_new(el, "options", options);
		return el;
	}
	case PARAM_INT: {
		json_t *el = json_object();
		json_object_set_new(el, "type", json_string("number_input"));
		json_object_set_new(el, "action_id", json_string("v"));
		json_object_set_new(el, "is_decimal_allowed", json_false());
		char num[32];
		if (p->has_min) {
			snprintf(num, sizeof(num), "%lld", (long long)p->min);
			json_object_set_new(el, "min_value", json_string(num));
		}
		if (p->has_max) {
			snprintf(num, sizeof(num), "%lld", (long long)p->max);
			json_object_set_new(el, "max_value", json_string(num));
		}
		if (initial)
			json_object_set_new(el, "initial_value", json_string(initial));
		return el;
	}
	case PARAM_STRING:
	default:
		return text_element(initial, ARG_STRING_MAX, NULL);
	}
}

char *slack_form_block_id(const struct command *cmd, size_t i)
{
	return xasprintf("p.%s.%s", cmd->name, cmd->params[i].name);
}

/* The hint of p: its description, and for an optional param its default. */
static char *param_hint(const struct param *p)
{
	const char *d = p->description ? p->description : "";
	if (!p->def)
		return xstrdup(d);
	return xasprintf("%s%s(optional; default: %s)", d, *d ? " " : "", *p->def ? p->def : "empty");
}

static int add_param_blocks(const struct slack_form_ctx *ctx, const struct command *cmd,
			    const struct strlist *prefill, json_t *blocks, char **cause)
{
	if (cmd->nparams + 1 > BLOCKS_MAX)
		return fail(cause, "%s has %zu params; a form holds at most %d", cmd->name,
			    cmd->nparams, BLOCKS_MAX - 1);
	for (size_t i = 0; i < cmd->nparams; i++) {
		const struct param *p = &cmd->params[i];
		char *id = slack_form_block_id(cmd, i);
		if (strlen(id) > ID_MAX) {
			free(id);
			return fail(cause, "%s: the field id of %s is longer than %d characters", cmd->name,
				    p->name, ID_MAX);
		}
		/* a run's value when it still fits the param, else the default */
		const char *initial = prefilled(prefill, p->name);
		struct arg_value v;
		if (initial && param_value_parse(p, initial, ctx->now, &v, NULL) < 0)
			initial = NULL;
		else if (initial)
			arg_value_release(&v);
		if (!initial)
			initial = p->def;
		if (p->type == PARAM_INT && initial && param_value_parse(p, initial, ctx->now, &v, NULL) == 0) {
			char *hint = param_hint(p);
			json_array_append_new(blocks, input_block(id, p->name, param_element(p, v.text, ctx->now),
								  p->def != NULL, hint));
			free(hint);
			arg_value_release(&v);
		} else {
			char *hint = param_hint(p);
			json_array_append_new(blocks, input_block(id, p->name,
								  param_element(p, initial, ctx->now),
								  p->def != NULL, hint));
			free(hint);
		}
		free(id);
	}
	return 0;
}

static char *metadata(const struct slack_form_ctx *ctx, const struct command *cmd)
{
	json_t *m = json_object();
	json_object_set_new(m, "channel", json_string(ctx->channel ? ctx->channel : ""));
	if (cmd)
		json_object_set_new(m, "report", json_string(cmd->name));
	char *s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(m);
	return s;
}

int slack_form_view(const struct slack_form_ctx *ctx, const struct command *cmd,
		    const struct strlist *prefill, char **view, char **cause)
{
	*view = NULL;
	json_t *options = json_array();
	size_t left_out = 0;
	for (size_t i = 0; i < ctx->cat->n; i++) {
		const struct command *c = &ctx->cat->cmds[i];
		if (!access_may_run(ctx->access, c, ctx->user, ctx->channel, NULL))
			continue;
		if (json_array_size(options) == SLACK_FORM_MAX_OPTIONS) {
			left_out++;
			continue;
		}
		json_array_append_new(options, option(c->name, c->name, c->summary));
	}
	if (!json_array_size(options)) {
		json_decref(options);
		return fail(cause, "there is no report you may run in this channel");
	}
	json_t *root = json_object();
	json_object_set_new(root, "type", json_string("modal"));
	json_object_set_new(root, "callback_id", json_string(SLACK_FORM_CALLBACK));
	json_object_set_new(root, "title", plain("Run a report", TITLE_MAX));
	json_object_set_new(root, "submit", plain("Run", TITLE_MAX));
	json_object_set_new(root, "close", plain("Cancel", TITLE_MAX));
	json_t *blocks = json_array();
	json_object_set_new(root, "blocks", blocks);

	json_t *picker = json_object();
	json_object_set_new(picker, "type", json_string("static_select"));
	json_object_set_new(picker, "action_id", json_string(SLACK_FORM_PICKER));
	json_object_set_new(picker, "placeholder", plain("Choose a report", 150));
	json_t *chosen = cmd ? find_option(options, cmd->name) : NULL;
	if (chosen)
		json_object_set(picker, "initial_option", chosen);
	json_object_set_new(picker, "options", options);
	char *hint = left_out ? xasprintf("%zu more not listed: type %s NAME for those", left_out,
					  ctx->slash ? ctx->slash : "/report") : NULL;
	json_t *pb = input_block(SLACK_FORM_PICKER, "Report", picker, false, hint);
	free(hint);
	json_object_set_new(pb, "dispatch_action", json_true());
	json_array_append_new(blocks, pb);

	int rc = 0;
	if (cmd && !chosen)
		rc = fail(cause, "you may not run %s in this channel", cmd->name);
	if (rc == 0 && cmd)
		rc = add_param_blocks(ctx, cmd, prefill, blocks, cause);
	char *meta = metadata(ctx, cmd);
	if (rc == 0 && strlen(meta) > METADATA_MAX)
		rc = fail(cause, "the form's metadata is longer than %d characters", METADATA_MAX);
	json_object_set_new(root, "private_metadata", json_string(meta));
	free(meta);
	if (rc == 0) {
		char *s = json_dumps(root, JSON_COMPACT);
		*view = xstrdup(s);
		free(s);
	}
	json_decref(root);
	return rc;
}

int slack_form_meta_parse(const char *text, struct slack_form_meta *m, char **cause)
{
	memset(m, 0, sizeof(*m));
	json_t *root = text ? json_loads(text, 0, NULL) : NULL;
	const char *ch = json_string_value(json_object_get(root, "channel"));
	const char *rep = json_string_value(json_object_get(root, "report"));
	int rc = 0;
	if (!json_is_object(root) || !ch || !*ch)
		rc = fail(cause, "the form's metadata names no channel");
	else {
		m->channel = xstrdup(ch);
		m->report = rep ? xstrdup(rep) : NULL;
	}
	json_decref(root);
	return rc;
}

void slack_form_meta_release(struct slack_form_meta *m)
{
	if (!m)
		return;
	free(m->channel);
	free(m->report);
	memset(m, 0, sizeof(*m));
}

const struct command *slack_form_chosen(const struct catalog *cat, const struct slack_form_event *in,
					const struct slack_form_meta *meta)
{
	const struct slack_form_value *v = slack_interaction_value(in, SLACK_FORM_PICKER);
	const char *name = v && v->values.n ? v->values.v[0] : meta ? meta->report : NULL;
	return name ? catalog_find(cat, name) : NULL;
}

void slack_form_words(const struct command *cmd, const struct slack_form_event *in,
		      struct strlist *words)
{
	for (size_t i = 0; i < cmd->nparams; i++) {
		char *id = slack_form_block_id(cmd, i);
		const struct slack_form_value *v = slack_interaction_value(in, id);
		free(id);
		if (!v || !v->values.n)
			continue;
		struct strbuf sb;
		strbuf_init(&sb);
		strbuf_addf(&sb, "%s=", cmd->params[i].name);
		for (size_t k = 0; k < v->values.n; k++)
			strbuf_addf(&sb, "%s%s", k ? "," : "", v->values.v[k]);
		strlist_push(words, strbuf_detach(&sb));
	}
}

char *slack_form_errors(const struct command *cmd, const struct slack_form_event *in,
			size_t param, const char *message)
{
	char *id = NULL;
	if (cmd && param < cmd->nparams) {
		id = slack_form_block_id(cmd, param);
		if (!slack_interaction_value(in, id)) {
			free(id);
			id = NULL;
		}
	}
	json_t *errors = json_object();
	json_t *msg = plain(message, LABEL_MAX);
	json_object_set(errors, id ? id : SLACK_FORM_PICKER, json_object_get(msg, "text"));
	json_decref(msg);
	json_t *root = json_pack("{s:s, s:o}", "response_action", "errors", "errors", errors);
	char *s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	free(id);
	char *out = xstrdup(s);
	free(s);
	return out;
}

static char *body_with_view(json_t *root, const char *view)
{
	json_t *v = json_loads(view, 0, NULL);
	json_object_set_new(root, "view", v ? v : json_object());
	char *s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	char *out = xstrdup(s);
	free(s);
	return out;
}

char *slack_form_open_body(const char *trigger_id, const char *view)
{
	return body_with_view(json_pack("{s:s}", "trigger_id", trigger_id ? trigger_id : ""), view);
}

char *slack_form_update_body(const char *view_id, const char *hash, const char *view)
{
	json_t *root = json_pack("{s:s}", "view_id", view_id ? view_id : "");
	if (hash)
		json_object_set_new(root, "hash", json_string(hash));
	return body_with_view(root, view);
}
