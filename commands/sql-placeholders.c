#include "common.h"
#include "commands/sql-placeholders.h"
#include "common/sql-lex.h"
#include "common/strbuf.h"

struct splitter {
	struct sql_split *out;
	size_t alloc;
	struct strbuf text;     /* literal text not yet stored */
	int text_line;
};

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static void push_piece(struct splitter *sp, char *text, char *name, int line)
{
	struct sql_split *o = sp->out;
	if (o->npieces == sp->alloc) {
		sp->alloc = sp->alloc ? sp->alloc * 2 : 8;
		o->pieces = xrealloc(o->pieces, sp->alloc * sizeof(*o->pieces));
		o->lines = xrealloc(o->lines, sp->alloc * sizeof(*o->lines));
	}
	o->pieces[o->npieces].text = text;
	o->pieces[o->npieces].name = name;
	o->lines[o->npieces] = line;
	o->npieces++;
}

static void flush_text(struct splitter *sp)
{
	if (sp->text.len == 0)
		return;
	push_piece(sp, strbuf_detach(&sp->text), NULL, sp->text_line);
}

static void add_text(struct splitter *sp, const char *s, size_t n, int line)
{
	if (sp->text.len == 0)
		sp->text_line = line;
	strbuf_add(&sp->text, s, n);
}

static int count_lines(const char *s, size_t n)
{
	int lines = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			lines++;
	return lines;
}

/* Whether sql[i..len) holds anything but whitespace and comments. */
static bool more_code(const char *sql, size_t len, size_t i)
{
	while (i < len) {
		char c = sql[i];
		bool closed;
		size_t past_comment = sql_skip_comment(sql, len, i, &closed);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == ';') {
			i++;
		} else if (past_comment > i) {
			if (!closed)
				return false;
			i = past_comment;
		} else {
			return true;
		}
	}
	return false;
}

int sql_split(const char *sql, size_t len, const char *path, int first_line,
	      struct sql_split *out, struct strlist *errors)
{
	struct splitter sp = { .out = out };
	size_t nerrors = errors->n;
	int line = first_line;
	size_t i = 0;

	out->pieces = NULL;
	out->lines = NULL;
	out->npieces = 0;
	out->has_code = false;
	strbuf_init(&sp.text);

	while (i < len) {
		char c = sql[i];
		size_t start = i;
		int start_line = line;
		bool closed;
		size_t past_comment = sql_skip_comment(sql, len, i, &closed);

		if (c == '\'' || c == '"' || c == '`') {
			out->has_code = true;
			i = sql_skip_quoted(sql, len, i, &closed);
			if (!closed) {
				const char *kind = c == '\'' ? "string literal '...'" :
						   c == '"' ? "quoted text \"...\"" : "identifier `...`";
				strlist_pushf(errors, "%s:%d: unterminated %s; close the %c opened here",
					      path, start_line, kind, c);
			}
		} else if (past_comment > i) {
			i = past_comment;
			if (!closed)
				strlist_pushf(errors, "%s:%d: unterminated /* comment; close it with */",
					      path, start_line);
		} else if (c == ':' && i + 1 < len && (sql[i + 1] == ':' || sql[i + 1] == '=')) {
			out->has_code = true;
			i += 2;
		} else if (c == ':' && i + 1 < len && is_name_start(sql[i + 1])) {
			out->has_code = true;
			i++;
			while (i < len && is_name_char(sql[i]))
				i++;
			flush_text(&sp);
			push_piece(&sp, NULL, xstrndup(sql + start + 1, i - start - 1), line);
			continue;
		} else if (c == '?') {
			out->has_code = true;
			strlist_pushf(errors, "%s:%d: '?' in the SQL; parameters are written :name "
				      "(a literal question mark belongs in quotes: '?')", path, line);
			i++;
		} else if (c == ';') {
			i++;
			if (more_code(sql, len, i))
				strlist_pushf(errors, "%s:%d: more than one statement; a report runs one "
					      "SQL statement (remove the ';' and what follows)", path, line);
			/* keep a trailing ';' out of the SQL that runs */
			line += count_lines(sql + start, len - start);
			break;
		} else {
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v')
				out->has_code = true;
			i++;
		}
		add_text(&sp, sql + start, i - start, start_line);
		line += count_lines(sql + start, i - start);
	}
	flush_text(&sp);
	strbuf_release(&sp.text);
	return errors->n == nerrors ? 0 : -1;
}

void sql_split_release(struct sql_split *s)
{
	sql_pieces_free(s->pieces, s->npieces);
	free(s->lines);
	s->pieces = NULL;
	s->lines = NULL;
	s->npieces = 0;
}

void sql_pieces_free(struct sql_piece *pieces, size_t n)
{
	for (size_t i = 0; i < n && pieces; i++) {
		free(pieces[i].text);
		free(pieces[i].name);
	}
	free(pieces);
}
