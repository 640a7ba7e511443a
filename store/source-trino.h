/*
 * source-trino.h: the settings of the trino driver (store/source-trino.c),
 * for code that builds a source by hand (tests); the config fills them
 * through the driver's key specs.
 */
#ifndef SOURCE_TRINO_H
#define SOURCE_TRINO_H

#include "store/source.h"

struct trino_settings {
	char *host;                 /* default "127.0.0.1" */
	int port;                   /* default 8080 */
	bool tls;                   /* https, default false */
	char *tls_ca;               /* CA file, or NULL for the system store */
	bool tls_verify;            /* verify the server's certificate, default true */
	char *user;                 /* X-Trino-User; required */
	char *password_env;         /* basic auth: the env var, or NULL (tls only) */
	char *password;             /* its value at load time; secret, wiped on release */
	char *catalog;              /* X-Trino-Catalog, or NULL */
	char *schema;               /* X-Trino-Schema, or NULL */
	int connect_timeout;        /* seconds, default 10 */
	int max_page_mb;            /* the largest page of results accepted, default 64 */
};

extern const struct source_driver source_driver_trino;

#endif
