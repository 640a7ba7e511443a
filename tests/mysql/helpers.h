/*
 * helpers.h: shared pieces of the MySQL driver tests (tests/mysql/test-*.c).
 *
 * The server facts come from the env file written by tests/mysql/server.sh,
 * whose path is in $REPORTBOT_MYSQL_ENV; a missing file fails the test.
 */
#ifndef MYSQL_TEST_HELPERS_H
#define MYSQL_TEST_HELPERS_H

#include "common.h"
#include "common/strbuf.h"
#include "store/source-mysql.h"

struct mysql_facts {
	char *dir, *host, *socket, *database;
	char *user, *password, *admin_user, *admin_password;
	char *tls_ca, *tls_other_ca;   /* NULL when the server has no TLS */
	int port;
};

/* Load the facts once; aborts the program with a message when missing. */
const struct mysql_facts *facts(void);

/* A mysql source config built by hand: base.settings points at set. */
struct mysql_test_config {
	struct source_config base;
	struct mysql_settings set;
};

/* A config for the read-only user over TCP (by hand, no config loader).
 * Strings point into facts() and name; nothing to release. */
void test_config(struct mysql_test_config *cfg, const char *name);
void admin_config(struct mysql_test_config *cfg, const char *name);

/* Run sql through the `mariadb` client (--batch --raw -N) as report_ro,
 * its stdout into out. Returns the exit status. */
int client_query(const char *sql, struct strbuf *out);

/*
 * Run sql through the driver and print the rows as the client does: fields
 * joined by a tab, rows ended by a newline, NULL as "NULL". Returns the
 * source result of the last call (SOURCE_DONE on success); *cause set on
 * failure.
 */
enum source_result driver_query(struct source *src, const char *sql, const struct bind_value *binds,
				size_t nbinds, int64_t timeout_ms, struct strbuf *out, char **cause);

/* A query as the admin user through libmariadb; the first column of the
 * first row as a long, or -1 on error. */
long admin_scalar(const char *sql);
/* A statement as the admin user; 0 or -1. */
int admin_exec(const char *sql);

/* The peak resident set of this process, in KiB. */
long peak_rss_kb(void);

#endif
