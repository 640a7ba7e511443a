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
	if (app_open(app, config_default_path(config), flags, &cause) < 0) {
		fprintf(stderr, "reportbot: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}
