/*
 * program-history.c: `reportbot history [-n N]`, the recent runs from the
 * history store, newest first.
 */
#include "common.h"
#include "bot/program.h"

#include "bot/builtin.h"
#include "common/log.h"
#include "common/strbuf.h"

int program_history(const char *config, int argc, char **argv)
{
	long n = 20;
	for (int i = 0; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			errno = 0;
			n = strtol(argv[++i], &end, 10);
			if (errno || *end || n < 1 || n > 10000)
				return program_usage_error("history: -n takes a count from 1 to 10000, not '%s'",
							   argv[i]);
		} else {
			return program_usage_error("history: unknown argument '%s'; accepted: -n N", argv[i]);
		}
	}
	struct app app;
	log_set_quiet(true);
	int open_rc = program_open_app(&app, config, APP_NEED_HISTORY);
	if (open_rc)
		return open_rc;
	struct strbuf out;
	strbuf_init(&out);
	history_render(app.history, (size_t)n, &out);
	fputs(out.buf, stdout);
	if (out.len && out.buf[out.len - 1] != '\n')
		putchar('\n');
	strbuf_release(&out);
	app_close(&app);
	return EXIT_OK;
}
