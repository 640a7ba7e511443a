#include "common.h"
#include "tests/mysql/helpers.h"

#include <mysql.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static struct mysql_facts the_facts;
static bool loaded;

static void need(char *v, const char *key, const char *path)
{
	if (!v) {
		fprintf(stderr, "mysql tests: %s has no %s\n", path, key);
		abort();
	}
}

const struct mysql_facts *facts(void)
{
	if (loaded)
		return &the_facts;
	const char *path = getenv("REPORTBOT_MYSQL_ENV");
	if (!path || !*path) {
		fprintf(stderr, "mysql tests: REPORTBOT_MYSQL_ENV is not set; run tests/mysql/run.sh "
				"(or tests/mysql/server.sh start DIR and export REPORTBOT_MYSQL_ENV=DIR/env)\n");
		abort();
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mysql tests: cannot open %s: %s\n", path, strerror(errno));
		abort();
	}
	char line[1024];
	struct mysql_facts *m = &the_facts;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *k = line, *v = eq + 1;
		if (!strcmp(k, "MYSQL_DIR"))
			m->dir = xstrdup(v);
		else if (!strcmp(k, "MYSQL_HOST"))
			m->host = xstrdup(v);
		else if (!strcmp(k, "MYSQL_SOCKET"))
			m->socket = xstrdup(v);
		else if (!strcmp(k, "MYSQL_DATABASE"))
			m->database = xstrdup(v);
		else if (!strcmp(k, "MYSQL_USER"))
			m->user = xstrdup(v);
		else if (!strcmp(k, "MYSQL_PASSWORD"))
			m->password = xstrdup(v);
		else if (!strcmp(k, "MYSQL_ADMIN_USER"))
			m->admin_user = xstrdup(v);
		else if (!strcmp(k, "MYSQL_ADMIN_PASSWORD"))
			m->admin_password = xstrdup(v);
		else if (!strcmp(k, "MYSQL_TLS_CA"))
			m->tls_ca = xstrdup(v);
		else if (!strcmp(k, "MYSQL_TLS_OTHER_CA"))
			m->tls_other_ca = xstrdup(v);
		else if (!strcmp(k, "MYSQL_PORT")) {
			char *end;
			m->port = (int)strtol(v, &end, 10);
		}
	}
	fclose(f);
	need(m->dir, "MYSQL_DIR", path);
	need(m->host, "MYSQL_HOST", path);
	need(m->socket, "MYSQL_SOCKET", path);
	need(m->database, "MYSQL_DATABASE", path);
	need(m->user, "MYSQL_USER", path);
	need(m->password, "MYSQL_PASSWORD", path);
	need(m->admin_user, "MYSQL_ADMIN_USER", path);
	need(m->admin_password, "MYSQL_ADMIN_PASSWORD", path);
	loaded = true;
	return m;
}

void test_config(struct mysql_test_config *cfg, const char *name)
{
	const struct mysql_facts *m = facts();
	memset(cfg, 0, sizeof(*cfg));
	cfg->base.name = (char *)name;
	cfg->base.driver = &source_driver_mysql;
	cfg->base.settings = &cfg->set;
	cfg->set.host = m->host;
	cfg->set.port = m->port;
	cfg->set.user = m->user;
	cfg->set.password = m->password;
	cfg->set.database = m->database;
	cfg->set.connect_timeout = 5;
	cfg->set.tls_verify = true;
}

void admin_config(struct mysql_test_config *cfg, const char *name)
{
	test_config(cfg, name);
	cfg->set.user = facts()->admin_user;
	cfg->set.password = facts()->admin_password;
}

int client_query(const char *sql, struct strbuf *out)
{
	const struct mysql_facts *m = facts();
	int pipefd[2];
	if (pipe(pipefd))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		char sockarg[600];
		snprintf(sockarg, sizeof(sockarg), "--socket=%s", m->socket);
		setenv("MYSQL_PWD", m->password, 1);
		execlp("mariadb", "mariadb", "--no-defaults", "--protocol=socket", sockarg, "-u", m->user,
		       "--batch", "--raw", "-N", "--default-character-set=utf8mb4", "-D", m->database, "-e", sql,
		       (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	char buf[65536];
	ssize_t n;
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)n);
	close(pipefd[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

enum source_result driver_query(struct source *src, const char *sql, const struct bind_value *binds,
				size_t nbinds, int64_t timeout_ms, struct strbuf *out, char **cause)
{
	enum source_result r = source_execute(src, sql, binds, nbinds, timeout_ms, cause);
	if (r != SOURCE_OK)
		return r;
	struct source_row row;
	while ((r = source_next(src, &row, cause)) == SOURCE_ROW) {
		for (size_t i = 0; i < row.ncols; i++) {
			if (i)
				strbuf_addc(out, '\t');
			if (row.vals[i])
				strbuf_add(out, row.vals[i], row.lens[i]);
			else
				strbuf_adds(out, "NULL");
		}
		strbuf_addc(out, '\n');
	}
	return r;
}

static MYSQL *admin_connect(void)
{
	const struct mysql_facts *m = facts();
	MYSQL *c = mysql_init(NULL);
	unsigned int proto = MYSQL_PROTOCOL_TCP;
	mysql_options(c, MYSQL_OPT_PROTOCOL, &proto);
	if (!mysql_real_connect(c, m->host, m->admin_user, m->admin_password, m->database,
				(unsigned int)m->port, NULL, 0)) {
		fprintf(stderr, "admin connect: %s\n", mysql_error(c));
		mysql_close(c);
		return NULL;
	}
	return c;
}

long admin_scalar(const char *sql)
{
	MYSQL *c = admin_connect();
	if (!c)
		return -1;
	long v = -1;
	if (mysql_query(c, sql) == 0) {
		MYSQL_RES *res = mysql_store_result(c);
		MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
		if (row && row[0]) {
			char *end;
			v = strtol(row[0], &end, 10);
		}
		mysql_free_result(res);
	} else {
		fprintf(stderr, "admin query: %s\n", mysql_error(c));
	}
	mysql_close(c);
	return v;
}

int admin_exec(const char *sql)
{
	MYSQL *c = admin_connect();
	if (!c)
		return -1;
	int rc = mysql_query(c, sql) ? -1 : 0;
	if (rc)
		fprintf(stderr, "admin exec: %s\n", mysql_error(c));
	mysql_close(c);
	return rc;
}

long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}
