/* fuzz-command-header: command_parse on arbitrary bytes must never crash,
 * and a file it accepts must bind its defaults and build bound SQL. The
 * same bytes as a script report's header (command_parse_script, issue 15)
 * must not crash either, and an accepted script must bind its defaults
 * and give its argv and environment. */
#include "common.h"
#include "commands/args.h"
#include "commands/invocation.h"
#include "commands/command.h"
#include "commands/utf8.h"
#include "commands/script-run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct command cmd;
	struct strlist errors;
	strlist_init(&errors);
	int rc = command_parse(&cmd, "fuzz", "fuzz.sql", (const char *)data, size, &errors);
	if (rc == 0) {
		struct invocation inv;
		char *cause = NULL;
		/* feed every required param its default-free sample: just the defaults */
		if (args_bind(&cmd, NULL, 0, (time_t)1732980600, &inv, &cause) == 0) {
			struct strbuf sql;
			struct bind_value *binds;
			size_t nbinds;
			strbuf_init(&sql);
			if (invocation_sql(&inv, &sql, &binds, &nbinds, &cause) == 0)
				free(binds);
			free(cause);
			cause = NULL;
			free(invocation_describe(&inv));
			char *f = invocation_filename(&inv);
			if (strlen(f) > 204 || utf8_invalid_at(f, strlen(f)) != strlen(f))
				abort();
			free(f);
			strbuf_release(&sql);
			invocation_release(&inv);
		}
		free(cause);
	}
	command_release(&cmd);
	strlist_release(&errors);

	/* issue 15: the script form */
	strlist_init(&errors);
	if (command_parse_script(&cmd, "fuzz", "fuzz.py", (const char *)data, size, &errors) == 0) {
		struct invocation inv;
		char *cause = NULL;
		if (args_bind(&cmd, NULL, 0, (time_t)1732980600, &inv, &cause) == 0) {
			char *env[] = { (char *)"PATH=/bin", NULL };
			struct script_call call;
			script_call_build(&inv, "/x/fuzz.py", "UTC", env, NULL, &call);
			if (call.argv.n != 1 + cmd.nparams)
				abort();
			script_call_release(&call);
			invocation_release(&inv);
		}
		free(cause);
	}
	command_release(&cmd);
	strlist_release(&errors);
	return 0;
}
