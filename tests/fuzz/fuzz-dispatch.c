/*
 * fuzz-dispatch.c: any typed line, from any of three people in any of three
 * channels, through dispatch_line: every built-in's in-memory half (help,
 * history, cancel, schedules, schedule add/remove with its checks), report
 * parsing, binding and the permission rules. No pool runs here, so a line
 * that would queue a job is answered "not started"; what is fuzzed is what
 * the network thread does with the text.
 *
 * Input: byte 0 picks the person, byte 1 the channel, the rest is the line.
 * Every line gets a reply text; a reply never announces a run that was not
 * queued.
 */
#include "common.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/app.h"
#include "bot/dispatch.h"
#include "bot/job.h"
#include "bot/schedule-service.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct app app;
static struct delivery no_delivery;   /* nothing is ever delivered: no pool */
static char dir[64];

static void write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	free(path);
}

static void cleanup(void)
{
	schedules_stop(&app);
	app_close(&app);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz-dispatch: could not remove %s\n", dir);
	free(cmd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char *cause = NULL;
	snprintf(dir, sizeof(dir), "/dev/shm/fuzz-dispatch.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	char *p = xasprintf("%s/commands", dir);
	if (mkdir(p, 0700) < 0)
		abort();
	free(p);
	write_file("commands/monthly.sql",
		   "-- summary: usage of one customer in a month\n"
		   "-- param: customer string   Customer slug\n"
		   "-- param: month month=last  Month\n"
		   "SELECT :customer AS c, :month_start AS s, :month_end AS e\n");
	write_file("commands/range.sql",
		   "-- summary: typed params of every kind\n"
		   "-- param: weeks int(1..52)=4  Weeks\n"
		   "-- param: from date=yesterday From\n"
		   "-- param: to date=today       To\n"
		   "-- param: kind enum(a|b|c)=a  Kind\n"
		   "-- param: ids list=1          Ids\n"
		   "-- order: from <= to\n"
		   "SELECT :weeks, :from, :to, :kind WHERE 1 IN (:ids)\n");
	write_file("commands/secret.sql",
		   "-- summary: finance only, in one channel\n"
		   "-- channels: C0FINANCE01\n"
		   "-- allow: finance\n"
		   "SELECT 1 AS n\n");
	sqlite3 *db;
	p = xasprintf("%s/data.db", dir);
	if (sqlite3_open(p, &db) != SQLITE_OK)
		abort();
	sqlite3_close(db);
	free(p);
	char *text = xasprintf("[bot]\ncommands_dir = \"%s/commands\"\ndata_dir = \"%s/var\"\n"
			       "timezone = \"Asia/Tokyo\"\n"
			       "[sources.main]\ndriver = \"sqlite\"\npath = \"%s/data.db\"\n"
			       "[access.groups]\nadmins = [\"U0ADMIN0001\"]\n"
			       "finance = [\"U0ALICE0001\"]\n",
			       dir, dir, dir);
	write_file("config.toml", text);
	free(text);
	char *cfg = xasprintf("%s/config.toml", dir);
	if (app_open(&app, cfg, APP_NEED_HISTORY, &cause) < 0 ||
	    app_start_run_ids(&app, false, &cause) < 0 ||
	    schedules_start(&app, &no_delivery, false, &cause) < 0) {
		fprintf(stderr, "fuzz-dispatch: %s\n", cause);
		abort();
	}
	free(cfg);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const users[] = { "U0ADMIN0001", "U0ALICE0001", "U0BOB000001", "console" };
	static const char *const channels[] = { "C0FINANCE01", "C0GENERAL01", "G0PRIVATE01", NULL };
	if (size < 2)
		return 0;
	char *line = xstrndup((const char *)data + 2, size - 2);
	struct dispatch_request req = {
		.text = line,
		.user_id = users[data[0] % ARRAY_SIZE(users)],
		.channel_id = channels[data[1] % ARRAY_SIZE(channels)],
		.response_url = "http://127.0.0.1:9/hook",
		.now = 1732406400,   /* 2024-11-24 00:00 UTC: the same resolution every run */
		.delivery = &no_delivery,
	};
	struct dispatch_reply reply;
	dispatch_line(&app, &req, &reply);
	if (!reply.text)
		abort();   /* every line gets an answer */
	if (reply.run_id > 0)
		abort();   /* nothing can be queued without a pool */
	dispatch_reply_release(&reply);
	free(line);
	return 0;
}
