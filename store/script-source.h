/*
 * script-source.h: a script report's process as a row source (issue 15).
 *
 * script_source_start forks and execs the file itself (never a shell) in
 * its own process group, stdin /dev/null, with exactly the argv and
 * environment given, and reads its stdout as CSV (store/csv-read.h) until
 * the header row has come. The struct source it returns is read like a
 * statement's (source_ncols, source_colname, source_next), so the
 * executor, the CSV writer, preview, chart, max_rows and history treat a
 * script as they treat SQL.
 *
 * - A row is returned as soon as its line is read; memory is one record
 *   plus a 1 MiB pipe.
 * - Success is exit status 0 after valid CSV (checked once stdout ends,
 *   before the last record without a line end is handed out). A non-zero
 *   exit, a signal, a malformed line or the timeout is an error whose
 *   cause says which, followed by the last lines of stderr (redacted).
 * - source_cancel (any thread) sends SIGTERM to the process group and wakes
 *   the reader: source_next returns SOURCE_ECANCELLED.
 * - source_close ends the run: SIGTERM to the group, SIGKILL after
 *   SCRIPT_GRACE_MS, every process of the group reaped. The bot is made
 *   a child subreaper (prctl) so a script's orphans come back to it and
 *   are reaped too: no process of a script outlives source_close (one
 *   that leaves the group with setsid is out of its reach).
 * - stderr is drained all along; its last SCRIPT_STDERR_KEEP bytes are
 *   kept (a ring) for the log and the failure message.
 */
#ifndef SCRIPT_SOURCE_H
#define SCRIPT_SOURCE_H

#include "common.h"
#include "store/source.h"

#define SCRIPT_STDERR_KEEP 8192    /* bytes of stderr kept */
#define SCRIPT_GRACE_MS 5000       /* from SIGTERM to SIGKILL */
#define SCRIPT_TAIL_LINES 10       /* lines of stderr in a failure message */
#define SCRIPT_TAIL_BYTES 1500     /* at most this many bytes of them */

struct script_spec {
	const char *path;            /* the file to exec: absolute, or relative to cwd */
	const char *shown;           /* its name in messages, e.g. commands/x.py */
	char *const *argv;           /* NULL-terminated */
	char *const *envp;           /* NULL-terminated: the whole environment it gets */
	const char *cwd;             /* its working directory */
	int64_t timeout_ms;          /* > 0: bounds the whole run */
	const char *const *secrets;  /* values never shown from its stderr; borrowed */
	size_t nsecrets;
};

/* Start the script and read its header row. On failure *cause says why
 * in words for the person (an exit status, a signal, a malformed header,
 * the last lines of stderr); nothing is left running. The spec is only
 * borrowed during the call (secrets are copied). */
enum source_result script_source_start(struct source **out, const struct script_spec *spec,
				       char **cause);

/* The last lines of the script's stderr so far, redacted, at most
 * max_lines lines; "" when it wrote nothing. Caller frees. */
char *script_source_stderr(struct source *src, size_t max_lines);

/* text[0..len) with every secret (non-empty) and every Slack token
 * (xoxa-, xoxb-, xoxp-, xapp- and what follows of [A-Za-z0-9-]) replaced by
 * "[redacted]"; caller frees. */
char *script_redact(const char *text, size_t len, const char *const *secrets, size_t nsecrets);

/* "exited with status 3", "was killed by signal 9 (SIGKILL)" for a
 * waitpid status; caller frees. */
char *script_status_words(int wstatus);

/* The kept stderr tail as text a person may read: the partial first line
 * dropped when the ring wrapped, the last max_lines lines of at most
 * max_bytes, invalid UTF-8 and control characters (but LF, tab) as '?'.
 * I/O-free, for tests. Caller frees. */
char *script_tail_text(const char *kept, size_t len, bool wrapped, size_t max_lines,
		       size_t max_bytes);

#endif
