/*
 * script-run.c: a script report's argv, environment and secrets, and its
 * start as the executor's row source (see script-run.h).
 */
#include "common.h"
#include "commands/script-run.h"

#include <unistd.h>

#include "commands/report.h"
#include "common/config-keys.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "store/script-source.h"

extern char **environ;

char *script_param_text(const struct param *p, const struct arg_value *v)
{
	(void)p;   /* every type's resolved text: "2024-11", "42", "a,b" */
	return xstrdup(v->text ? v->text : "");
}

/* NAME's value in env (NULL-terminated NAME=VALUE), or NULL. */
static const char *env_lookup(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static bool listed(const struct strlist *l, const char *name)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return true;
	return false;
}

static char *upper(const char *s)
{
	char *u = xstrdup(s);
	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return u;
}

void script_call_build(const struct invocation *inv, const char *exec_path, const char *tz,
		       char *const *environ_in, const struct strlist *blocked,
		       struct script_call *out)
{
	const struct command *cmd = inv->cmd;
	static const char *const passed[] = { "PATH", "HOME", "LANG" };

	strlist_init(&out->argv);
	strlist_init(&out->env);
	strlist_push(&out->argv, xstrdup(exec_path));
	for (size_t i = 0; i < ARRAY_SIZE(passed); i++) {
		const char *v = env_lookup(environ_in, passed[i]);
		if (v)
			strlist_pushf(&out->env, "%s=%s", passed[i], v);
		else if (strcmp(passed[i], "PATH") == 0)
			strlist_pushf(&out->env, "PATH=/usr/local/bin:/usr/bin:/bin");
	}
	if (tz && *tz)
		strlist_pushf(&out->env, "TZ=%s", tz);
	for (size_t i = 0; i < cmd->nenv; i++) {
		const char *v = env_lookup(environ_in, cmd->env[i]);
		if (v && !listed(blocked, cmd->env[i]))
			strlist_pushf(&out->env, "%s=%s", cmd->env[i], v);
	}
	for (size_t i = 0; i < cmd->nparams; i++) {
		const struct param *p = &cmd->params[i];
		const struct arg_value *v = &inv->values[i];
		char *text = script_param_text(p, v);
		char *name = upper(p->name);
		strlist_pushf(&out->argv, "--%s=%s", p->name, text);
		strlist_pushf(&out->env, "REPORT_%s=%s", name, text);
		if (p->type == PARAM_MONTH) {
			strlist_pushf(&out->env, "REPORT_%s_START=%s", name, v->start ? v->start : "");
			strlist_pushf(&out->env, "REPORT_%s_END=%s", name, v->end ? v->end : "");
		}
		free(name);
		free(text);
	}
}

void script_call_release(struct script_call *c)
{
	if (!c)
		return;
	strlist_release(&c->argv);
	strlist_release(&c->env);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

void script_secrets(const struct source_config *sources, size_t nsources,
		    struct strlist *values, struct strlist *names)
{
	for (size_t i = 0; i < nsources; i++) {
		const struct source_config *sc = &sources[i];
		if (!sc->driver || !sc->settings)
			continue;
		for (size_t k = 0; k < sc->driver->nkeys; k++) {
			const struct config_key *key = &sc->driver->keys[k];
			if (key->type != CONFIG_STR)
				continue;
			const char *v = *(char *const *)((const char *)sc->settings + key->off);
			if (!v || !*v)
				continue;
			if (key->flags & CONFIG_SECRET)
				strlist_push(values, xstrdup(v));
			if (strcmp(key->key, "password_env") == 0 || ends_with(key->key, "_password_env")) {
				strlist_push(names, xstrdup(v));
				const char *pw = getenv(v);
				if (pw && *pw)
					strlist_push(values, xstrdup(pw));
			}
		}
	}
	strlist_push(names, xstrdup("SLACK_APP_TOKEN"));
	strlist_push(names, xstrdup("SLACK_BOT_TOKEN"));
}

/* A NULL-terminated array over l's strings (borrowed); caller frees it. */
static char **terminated(const struct strlist *l)
{
	char **v = xcalloc(l->n + 1, sizeof(*v));
	for (size_t i = 0; i < l->n; i++)
		v[i] = l->v[i];
	return v;
}

enum source_result script_run_start(const struct report_options *opt, const struct invocation *inv,
				    struct source **out, char **cause)
{
	const struct command *cmd = inv->cmd;
	char *abs = NULL;
	if (cmd->path[0] == '/') {
		abs = xstrdup(cmd->path);
	} else {
		char *cwd = getcwd(NULL, 0);
		if (!cwd) {
			fail(cause, "cannot run %s: cannot read the working directory: %s", cmd->path,
			     strerror(errno));
			return SOURCE_ECONNECT;
		}
		abs = xasprintf("%s/%s", cwd, cmd->path);
		free(cwd);
	}
	char *dir = xstrndup(abs, (size_t)(strrchr(abs, '/') - abs));
	if (!*dir) {
		free(dir);
		dir = xstrdup("/");
	}

	struct strlist values, names;
	strlist_init(&values);
	strlist_init(&names);
	script_secrets(opt->sources, opt->nsources, &values, &names);
	for (size_t i = 0; i < ARRAY_SIZE(opt->tokens); i++)
		if (opt->tokens[i] && *opt->tokens[i])
			strlist_push(&values, xstrdup(opt->tokens[i]));

	struct script_call call;
	script_call_build(inv, abs, opt->timezone, environ, &names, &call);
	char **argv = terminated(&call.argv), **envp = terminated(&call.env);
	struct script_spec spec = {
		.path = abs,
		.shown = cmd->path,
		.argv = argv,
		.envp = envp,
		.cwd = dir,
		.timeout_ms = (int64_t)opt->timeout * 1000,
		.secrets = (const char *const *)values.v,
		.nsecrets = values.n,
	};
	enum source_result r = script_source_start(out, &spec, cause);
	free(argv);
	free(envp);
	script_call_release(&call);
	strlist_release(&values);
	strlist_release(&names);
	free(dir);
	free(abs);
	return r;
}

char *script_failure_words(const struct command *cmd, enum source_result r, const char *cause)
{
	if (r == SOURCE_ECANCELLED)
		return xasprintf("%s was cancelled", cmd->name);
	if (r == SOURCE_ETIMEOUT && cause)
		return xasprintf("%s; narrow the arguments or raise `timeout:` in its header", cause);
	return xstrdup(cause ? cause : source_strerror(r));
}
