#include "common.h"
#include "bot/serve.h"

/* Placeholder until the Socket Mode loop lands. */
int serve_run(struct app *app, char **cause)
{
	(void)app;
	fail(cause, "serve is not built yet");
	return 2;
}
