/*
 * source.h: a data source behind one streaming row interface.
 *
 * A struct source is one open connection, owned by one thread at a time.
 * Only source_cancel may be called from another thread. Rows come one at a
 * time; nothing holds a whole result in memory.
 *
 * Lifecycle: source_open -> (source_execute -> source_next ... SOURCE_DONE)* ->
 * source_close.  source_close(NULL) is a no-op.
 */
#ifndef SOURCE_H
#define SOURCE_H

#include "common.h"
#include "common/config-keys.h"
#include "store/source-config.h"

/* Append-only result codes; source_strerror gives the words. */
enum source_result {
	SOURCE_OK = 0,
	SOURCE_ROW = 1,          /* source_next: a row is available */
	SOURCE_DONE = 2,         /* source_next: no more rows */
	SOURCE_ECONNECT = -1,    /* could not connect / connection lost */
	SOURCE_EQUERY = -2,      /* the statement failed (syntax, unknown column, ...) */
	SOURCE_ETIMEOUT = -3,    /* the run's timeout passed */
	SOURCE_ECANCELLED = -4,  /* source_cancel was called */
	SOURCE_EAUTH = -5,       /* wrong user or password */
	SOURCE_EBIND = -6,       /* a value could not be bound */
};
const char *source_strerror(enum source_result r);

/* One bound statement parameter. Text values are bound as text; a date
 * (BIND_DATE, "YYYY-MM-DD" in text) too, by drivers that need no type. */
enum bind_kind { BIND_TEXT, BIND_INT, BIND_DATE };
struct bind_value {
	enum bind_kind kind;
	const char *text;        /* BIND_TEXT, BIND_DATE: borrowed, NUL-terminated */
	int64_t i;               /* BIND_INT */
};

/* The current row: vals[i] == NULL means SQL NULL. Borrowed until the
 * next source_next/source_execute/source_close call. */
struct source_row {
	size_t ncols;
	const char *const *vals;
	const size_t *lens;
};

struct source;

/* Open a connection described by cfg (borrowed; must outlive the source). */
enum source_result source_open(struct source **out, const struct source_config *cfg, char **cause);

/*
 * Start a statement: sql uses '?' for parameters (the command layer turns
 * :name into '?'), binds[i] is the i-th '?'. timeout_ms > 0 bounds the whole
 * run (execute + every next). On error *cause says what failed in words
 * fit for the log; it never holds a password.
 */
enum source_result source_execute(struct source *src, const char *sql,
				  const struct bind_value *binds, size_t nbinds,
				  int64_t timeout_ms, char **cause);

/* Column names of the running statement; borrowed. */
size_t source_ncols(struct source *src);
const char *source_colname(struct source *src, size_t i);

/* Next row: SOURCE_ROW with *row filled, SOURCE_DONE, or an error. */
enum source_result source_next(struct source *src, struct source_row *row, char **cause);

/* Prepare without executing, for `check`: catches unknown columns, a
 * parameter count other than nparams (SOURCE_EBIND), more than one
 * statement, and (sqlite) a statement that would write. */
enum source_result source_check(struct source *src, const char *sql, size_t nparams, char **cause);
/* source_check that also pushes the names of the columns the statement
 * returns onto *columns (caller releases; untouched on failure), for
 * check's `-- chart:` columns (issue 12). */
enum source_result source_check_columns(struct source *src, const char *sql, size_t nparams,
					struct strlist *columns, char **cause);

/* Ask the running statement to stop (any thread; async-safe for sqlite).
 * The running execute/next then returns SOURCE_ECANCELLED. The request is
 * forgotten by the next source_execute, so a cancel that arrives before
 * execute must be checked by the caller. Only while src is open. */
void source_cancel(struct source *src);

void source_close(struct source *src);

/*
 * A driver: one file store/source-NAME.c defining one
 * `const struct source_driver source_driver_NAME`, listed once in the table
 * in store/source.c. Its settings struct (what its [sources.X] keys fill)
 * is its own; the key specs say where each key goes in it.
 */
struct source_driver {
	const char *name;                 /* the value of driver = "NAME" */

	/* Config: the keys of [sources.X] besides `driver`, with their types,
	 * ranges, defaults and CONFIG_REQUIRED; offsets into the settings. */
	const struct config_key *keys;
	size_t nkeys;
	size_t settings_size;             /* sizeof the settings struct */
	/* Checks across keys once they are stored (e.g. a password read from
	 * the environment); T is the table, for positions. May be NULL. */
	void (*validate)(void *settings, const struct toml_value *t, const char *section,
			 struct config_faults *F);
	/* Free what settings own beyond the keys, wiping secrets. May be NULL. */
	void (*release)(void *settings);

	/* The connection: see the functions above. open allocates the
	 * driver's struct (which starts with struct source); source.c fills
	 * the header. A NULL entry gives a plain "cannot" error. */
	enum source_result (*open)(struct source **out, const struct source_config *cfg, char **cause);
	enum source_result (*execute)(struct source *src, const char *sql, const struct bind_value *binds,
				      size_t nbinds, int64_t timeout_ms, char **cause);
	size_t (*ncols)(struct source *src);
	const char *(*colname)(struct source *src, size_t i);
	enum source_result (*next)(struct source *src, struct source_row *row, char **cause);
	/* Prepare without running; *nparams gets the statement's '?' count
	 * (source_check compares it with the declared ones); when columns is
	 * not NULL, the names of the result's columns are pushed onto it. */
	enum source_result (*check)(struct source *src, const char *sql, size_t *nparams,
				    struct strlist *columns, char **cause);
	void (*cancel)(struct source *src);
	void (*close)(struct source *src);
};

/* Every driver's struct starts with this header so source.c can dispatch. */
struct source {
	const struct source_driver *driver;
	const struct source_config *cfg;
};

/* For a driver's execute: SOURCE_EBIND with the words for a statement
 * with HAVE parameters given GIVEN values. */
enum source_result source_bind_mismatch(const struct source *src, size_t have, size_t given, char **cause);

/* The driver called NAME, or NULL. */
const struct source_driver *source_driver_find(const char *name);
/* Every driver's name, joined by ", " for "accepted: ..."; owned by the caller. */
char *source_driver_names(void);
/* The driver other than EXCEPT that accepts KEY, or NULL. */
const struct source_driver *source_driver_with_key(const char *key, const struct source_driver *except);

#endif
