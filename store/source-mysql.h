/*
 * source-mysql.h: the settings of the mysql driver (store/source-mysql.c),
 * for code that builds a source by hand (tests); the config fills them
 * through the driver's key specs.
 */
#ifndef SOURCE_MYSQL_H
#define SOURCE_MYSQL_H

#include "store/source.h"

struct mysql_settings {
	char *host;                 /* default "127.0.0.1" */
	int port;                   /* default 3306 */
	char *socket;               /* unix socket path, or NULL */
	char *user;
	char *password_env;         /* name of the env var, or NULL */
	char *password;             /* its value at load time; secret, wiped on release */
	char *database;
	int connect_timeout;        /* seconds, default 10 */
	bool tls;                   /* require TLS, default false */
	char *tls_ca;               /* CA file, or NULL for the system store */
	bool tls_verify;            /* verify server cert, default true */
};

extern const struct source_driver source_driver_mysql;

#endif
