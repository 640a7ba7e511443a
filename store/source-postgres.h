/*
 * source-postgres.h: the settings of the postgres driver
 * (store/source-postgres.c), for code that builds a source by hand
 * (tests), and its placeholder numbering, for its unit test.
 */
#ifndef SOURCE_POSTGRES_H
#define SOURCE_POSTGRES_H

#include "store/source.h"

struct pg_settings {
	char *host;                 /* default "127.0.0.1"; a path is a unix socket directory */
	int port;                   /* default 5432 */
	char *user;
	char *password_env;         /* name of the env var, or NULL */
	char *password;             /* its value at load time; secret, wiped on release */
	char *database;
	int connect_timeout;        /* seconds, default 10 */
	char *sslmode;              /* libpq's sslmode, default "prefer" */
	char *sslrootcert;          /* CA file for verify-ca/verify-full, or NULL */
};

extern const struct source_driver source_driver_postgres;

/*
 * The statement with each '?' placeholder written $1, $2, … in order.
 * Placeholders are found exactly as the command layer wrote them
 * (commands/sql-placeholders.h): a '?' outside '...', "...", `...`, --
 * comments and slash-star comments. A $N already in the text (outside
 * those) is refused, since it would collide with the numbering. Returns
 * the new text (owned by the caller) and *nparams, or NULL with *cause.
 */
char *pg_numbered_sql(const char *sql, size_t *nparams, char **cause);

#endif
