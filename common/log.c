/*
 * log.c: the log, one line per event on stderr; control characters in
 * what is logged are escaped so no value can forge a line.
 */
#include "common.h"
#include "common/log.h"

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "common/strbuf.h"

static atomic_int log_quiet;
static atomic_int log_debug_on = -1;

void log_set_quiet(bool quiet)
{
	atomic_store(&log_quiet, quiet);
}

/* msg appended with its control characters escaped (\n, \r, \t, else
 * \xNN, DEL too), so a value can never start a line of its own. */
static void add_escaped(struct strbuf *sb, const char *msg)
{
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			strbuf_addc(sb, (char)*p);
		else if (*p == '\n')
			strbuf_adds(sb, "\\n");
		else if (*p == '\r')
			strbuf_adds(sb, "\\r");
		else if (*p == '\t')
			strbuf_adds(sb, "\\t");
		else
			strbuf_addf(sb, "\\x%02x", *p);
	}
}

static void log_write(const char *level, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	struct strbuf sb;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	strbuf_init(&sb);
	strbuf_addf(&sb, "%s.%03ldZ %s ", stamp, ts.tv_nsec / 1000000, level);
	char *msg = xvasprintf(fmt, ap);
	add_escaped(&sb, msg);
	free(msg);
	strbuf_addc(&sb, '\n');
	/* One write(2) per line so lines from several threads never interleave. */
	ssize_t off = 0;
	while ((size_t)off < sb.len) {
		ssize_t n = write(STDERR_FILENO, sb.buf + off, sb.len - (size_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	strbuf_release(&sb);
}

void log_debug(const char *fmt, ...)
{
	int on = atomic_load(&log_debug_on);
	if (on < 0) {
		const char *v = getenv("REPORTBOT_LOG");
		on = v && strcmp(v, "debug") == 0;
		atomic_store(&log_debug_on, on);
	}
	if (!on || atomic_load(&log_quiet))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_write("debug", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	if (atomic_load(&log_quiet))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_write("info", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write("warn", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write("error", fmt, ap);
	va_end(ap);
}
