/*
 * main.c: the reportbot command line: global options, the usage, and the
 * table of programs (docs/design.md), each in its own bot/program-*.c.
 * Exit codes: 0 ok, 1 bad input or config, 2 runtime failure (database,
 * network); see bot/program.h.
 */
#include "common.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "bot/program.h"

#define REPORTBOT_VERSION "0.1.0"

static const char usage_text[] =
	"usage: reportbot [-c FILE] serve                     connect to Slack and serve\n"
	"       reportbot [-c FILE] run [-o FILE] CMD [ARG...]  run one report, CSV to stdout or FILE\n"
	"       reportbot [-c FILE] console                   type /report lines on stdin\n"
	"       reportbot [-c FILE] check                     validate config and command files\n"
	"       reportbot [-c FILE] history [-n N]            recent runs\n"
	"       reportbot --help | --version\n"
	"\n"
	"The config is -c FILE, else $REPORTBOT_CONFIG, else ./config.toml.\n"
	"Exit codes: 0 ok, 1 bad input or config, 2 runtime failure.\n";

static const struct program {
	const char *name;
	bool takes_args;   /* else any word after the name is a mistake */
	int (*main)(const char *config, int argc, char **argv);
} programs[] = {
	{ "run", true, program_run },
	{ "check", false, program_check },
	{ "history", true, program_history },
	{ "console", false, program_console },
	{ "serve", false, program_serve },
};

/* A program's PROGRAM_USAGE: the mistake is printed, the usage follows. */
static int exit_code(int ret)
{
	if (ret != PROGRAM_USAGE)
		return ret;
	fprintf(stderr, "\n%s", usage_text);
	return EXIT_INPUT;
}

/* A crash must not write the tokens and passwords in memory to a core
 * file: no core (RLIMIT_CORE 0) and not dumpable, which also keeps other
 * processes of the same user from reading this one's memory. */
static void no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	int i = 1;

	no_core_dumps();
	/* A reader that goes away (`run | head`) is a write error, not a kill. */
	signal(SIGPIPE, SIG_IGN);

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("reportbot " REPORTBOT_VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			config = argv[i + 1];
			i += 2;
		} else {
			return exit_code(program_usage_error("unknown option '%s'", argv[i]));
		}
	}
	if (i >= argc)
		return exit_code(program_usage_error("name a command"));
	const char *sub = argv[i++];
	int rest = argc - i;

	for (size_t k = 0; k < ARRAY_SIZE(programs); k++)
		if (strcmp(sub, programs[k].name) == 0 && (programs[k].takes_args || !rest))
			return exit_code(programs[k].main(config, rest, argv + i));
	return exit_code(program_usage_error("unknown command or extra arguments after '%s'", sub));
}
