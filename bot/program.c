/*
 * program.c: what the programs share (bot/program.h): argument mistakes
 * and opening the app.
 */
#include "common.h"
#include "bot/program.h"

int program_usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "reportbot: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return PROGRAM_USAGE;
}

int program_open_app(struct app *app, const char *config, unsigned flags)
{
	char *cause = NULL;
	int r = app_open(app, config_default_path(config), flags, &cause);
	if (r < 0) {
		fprintf(stderr, "reportbot: %s\n", cause);
		free(cause);
		return r == APP_ERUNTIME ? EXIT_RUNTIME : EXIT_INPUT;
	}
	return 0;
}
