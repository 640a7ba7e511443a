/*
 * toml.h: a TOML 1.0 parser. Text in, tree out; no I/O.
 *
 * toml_parse returns the root table, owned by the caller, who frees it with
 * toml_free (which accepts NULL). Every value in the tree knows the line and
 * column (1-based, columns count characters) where it starts, and every
 * table entry where its key starts, so callers can point at the faulty spot.
 * Getters return borrowed pointers into the tree, valid until toml_free.
 *
 * The tree is read-only for callers: the structs are public so a caller can
 * walk them, but only the parser builds them. Tables keep their keys in the
 * order they were first defined.
 *
 * Errors come back as "NAME:LINE:COLUMN: what is wrong", for example
 * "config.toml:4:1: duplicate key 'port' (first defined at line 2)".
 *
 * Any input is safe: invalid UTF-8, NUL bytes, deep nesting (refused past
 * TOML_MAX_DEPTH) and huge tables (hash-indexed) neither crash nor hang.
 * Floats are read with strtod, so the process must keep the C locale for
 * LC_NUMERIC (reportbot never calls setlocale).
 */
#ifndef TOML_H
#define TOML_H

#include "common.h"

#include "common/strbuf.h"

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,          /* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL,    /* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,        /* 1979-05-27 */
	TOML_TIME_LOCAL,        /* 07:32:00 */
};

/* Nesting deeper than this (tables, arrays, dotted keys) is refused. */
#define TOML_MAX_DEPTH 128

struct toml_datetime {
	int year, month, day;       /* 0 for TOML_TIME_LOCAL */
	int hour, minute, second;   /* 0 for TOML_DATE_LOCAL; second may be 60 */
	int nanosecond;             /* the fraction, truncated to nanoseconds */
	int frac_digits;            /* digits of fraction kept, 0..9 */
	int offset_minutes;         /* TOML_DATETIME: minutes east of UTC */
	bool offset_z;              /* TOML_DATETIME: written as Z */
};

struct toml_value;

struct toml_entry {
	char *key;                  /* NUL-terminated; may also hold NUL */
	size_t key_len;
	int line, column;           /* where the key (its last part) starts */
	struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	int line, column;           /* where the value starts */
	union {
		struct {
			char *ptr;          /* NUL-terminated; may also hold NUL */
			size_t len;
		} string;
		int64_t integer;
		double fp;
		bool boolean;
		struct toml_datetime datetime;
		struct {
			struct toml_value **items;
			size_t n, alloc;
		} array;
		struct {
			struct toml_entry *entries;
			size_t n, alloc;
			size_t *index;      /* parser's hash index, or NULL */
			size_t index_cap;
		} table;
	} u;
	/* Parser bookkeeping: how a table or array came to be, its depth. */
	unsigned kind;
	int depth;
};

/*
 * Parse LEN bytes of TEXT (need not be NUL-terminated). NAME is used in
 * error messages only (e.g. the file name). Returns the root table, or NULL
 * with *cause set.
 */
struct toml_value *toml_parse(const char *text, size_t len, const char *name,
			      char **cause);
void toml_free(struct toml_value *v);

/* "string", "integer", "float", "boolean", "offset date-time", ... */
const char *toml_type_name(enum toml_type type);

/*
 * Borrowed lookups; NULL when T is not a table (or A not an array) or the
 * key or index is absent. KEY is matched exactly (no dotted paths).
 */
const struct toml_entry *toml_table_entry(const struct toml_value *t, const char *key);
const struct toml_value *toml_table_get(const struct toml_value *t, const char *key);
const struct toml_value *toml_array_get(const struct toml_value *a, size_t i);

/*
 * Write the canonical RFC 3339 form of a date/time value into BUF (at most
 * SIZE bytes, NUL-terminated): 'T' as separator, 'Z' for a zero offset
 * written as Z, the fraction as written (at most 9 digits). Returns the
 * length, or 0 when V is not a date/time value.
 */
size_t toml_format_datetime(const struct toml_value *v, char *buf, size_t size);

/*
 * The tagged JSON form of the toml-test suite: tables as objects, arrays as
 * arrays, each leaf {"type": "integer", "value": "42"}. Appends to OUT.
 */
void toml_to_json(const struct toml_value *v, struct strbuf *out);

#endif
