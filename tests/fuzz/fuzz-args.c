/* fuzz-args: args_split + args_bind on arbitrary text against a command
 * with every param type (a ranged int and an order too); what binds must
 * give SQL with one bind per '?' and a safe file name: valid UTF-8, at
 * most 204 bytes, no separator, control or Windows-forbidden byte, no
 * leading dot or space. */
#include "common.h"
#include "commands/args.h"
#include "commands/invocation.h"
#include "commands/command.h"
#include "commands/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char every_type[] =
	"-- summary: Every param type\n"
	"-- param: customer string   Customer slug, e.g. acme\n"
	"-- param: month month=last  Month\n"
	"-- param: day date=today\n"
	"-- param: n int=10\n"
	"-- param: fmt enum(csv|tsv)=csv\n"
	"-- param: ids list=1\n"
	"-- param: note string=\"\"\n"
	"-- param: weeks int(1..52)=4\n"
	"-- param: to date=today\n"
	"-- order: day <= to\n"
	"-- filename: x-{customer}-{month_start}.csv\n"
	"SELECT :customer, :month, :month_start, :month_end, :day, :n, :fmt, :note, :weeks, :to\n"
	"WHERE id IN (:ids)\n";

static struct command cmd;
static bool ready;

static void setup(void)
{
	struct strlist errors;
	strlist_init(&errors);
	if (command_parse(&cmd, "all", "all.sql", every_type, strlen(every_type), &errors) < 0)
		abort();
	strlist_release(&errors);
	ready = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		setup();
	char *text = xstrndup((const char *)data, size);   /* stops at a NUL, as C strings do */
	struct strlist words;
	char *cause = NULL;
	strlist_init(&words);
	if (args_split(text, &words, &cause) == 0) {
		struct invocation inv;
		if (args_bind(&cmd, words.v, words.n, (time_t)1732980600, &inv, &cause) == 0) {
			struct strbuf sql;
			struct bind_value *binds;
			size_t nbinds, marks = 0;
			strbuf_init(&sql);
			if (invocation_sql(&inv, &sql, &binds, &nbinds, &cause) < 0)
				abort();
			for (size_t i = 0; i < sql.len; i++)
				marks += sql.buf[i] == '?';
			if (marks != nbinds)
				abort();
			free(binds);
			free(invocation_describe(&inv));
			char *f = invocation_filename(&inv);
			size_t flen = strlen(f);
			if (f[0] == '.' || f[0] == ' ' || flen > 204 || utf8_invalid_at(f, flen) != flen ||
			    strcmp(f + flen - 4, ".csv") != 0)
				abort();
			for (const char *c = f; *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f || strchr("<>:\"/\\|?*", *c))
					abort();
			if (inv.values[7].i < 1 || inv.values[7].i > 52 ||
			    strcmp(inv.values[2].text, inv.values[8].text) > 0)
				abort();
			free(f);
			strbuf_release(&sql);
			invocation_release(&inv);
		}
	}
	free(cause);
	strlist_release(&words);
	free(text);
	return 0;
}
