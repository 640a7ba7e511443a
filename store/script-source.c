/*
 * script-source.c: a script's process read as a row source (see
 * script-source.h): fork/exec, the pipes, the CSV reader over stdout, the
 * stderr ring, the end of the process group, and the words for each way
 * a script can fail.
 *
 * Threads: one worker owns the source; only script_cancel runs on another
 * thread (the pool's canceller), under s->lock. The leader is never
 * reaped before source_close (its exit is read with WNOWAIT), so its pid,
 * which is the group's id, cannot be given to another process while a
 * cancel may still signal the group. Children are waited for by pid or by
 * the group's id, never with waitpid(-1), so no other child of the bot is
 * taken; SIGCHLD keeps its default disposition.
 */
#include "common.h"
#include "store/script-source.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/env.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "store/csv-read.h"

#define READ_CHUNK (256 * 1024)
#define PIPE_SIZE (1024 * 1024)

struct script_source {
	struct source base;          /* first: source.c dispatches through it */
	pid_t pid;                   /* the leader, and the group's id */
	int out_fd, err_fd;          /* our ends; -1 once at EOF (err) or closed */
	int wake[2];                 /* script_cancel writes a byte to wake the reader */
	pthread_mutex_t lock;        /* script_cancel against the end of the source */
	atomic_int cancelled;
	bool exited;                 /* the leader's exit was seen (not reaped) */
	int wstatus;                 /* its status, as waitpid gives it */
	bool out_eof;
	bool finished;               /* SOURCE_DONE was returned */
	int64_t deadline;            /* monotonic ms; 0: none */
	int64_t timeout_ms;
	char *shown;
	struct csv_reader rd;
	char *in;                    /* bytes read from stdout, not yet pushed */
	size_t inpos, inlen;
	char **names;                /* the header */
	size_t ncols;
	char ring[SCRIPT_STDERR_KEEP];
	uint64_t ring_total;         /* stderr bytes seen */
	char **secrets;
	size_t nsecrets;
};

static const struct source_driver script_driver;

/* --- words -------------------------------------------------------------- */

char *script_status_words(int wstatus)
{
	if (WIFEXITED(wstatus))
		return xasprintf("exited with status %d", WEXITSTATUS(wstatus));
	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);
		const char *abbrev = sigabbrev_np(sig);
		return xasprintf("was killed by signal %d (%s%s%s)", sig, abbrev ? "SIG" : "",
				 abbrev ? abbrev : "unknown", WCOREDUMP(wstatus) ? ", core dumped" : "");
	}
	return xasprintf("ended with wait status %d", wstatus);
}

static bool token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

char *script_redact(const char *text, size_t len, const char *const *secrets, size_t nsecrets)
{
	struct strbuf out;
	strbuf_init(&out);
	size_t i = 0;
	while (i < len) {
		size_t hit = 0;
		for (size_t k = 0; k < nsecrets; k++) {
			size_t n = secrets[k] ? strlen(secrets[k]) : 0;
			if (n && n <= len - i && memcmp(text + i, secrets[k], n) == 0 && n > hit)
				hit = n;
		}
		if (!hit && len - i >= 5 &&
		    ((memcmp(text + i, "xox", 3) == 0 && strchr("abp", text[i + 3]) && text[i + 4] == '-') ||
		     memcmp(text + i, "xapp-", 5) == 0)) {
			hit = 5;
			while (i + hit < len && token_char(text[i + hit]))
				hit++;
		}
		if (hit) {
			strbuf_adds(&out, "[redacted]");
			i += hit;
		} else {
			strbuf_addc(&out, text[i++]);
		}
	}
	return strbuf_detach(&out);
}

/* The length of the valid UTF-8 sequence at s, 0 when not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t need = s[0] >= 0xC2 && s[0] <= 0xDF ? 1 : s[0] >= 0xE0 && s[0] <= 0xEF ? 2 :
		s[0] >= 0xF0 && s[0] <= 0xF4 ? 3 : 0;
	if (!need || need >= n)
		return 0;
	for (size_t k = 1; k <= need; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return need + 1;
}

char *script_tail_text(const char *kept, size_t len, bool wrapped, size_t max_lines,
		       size_t max_bytes)
{
	size_t start = 0;
	if (wrapped) {   /* the first line is cut: drop it */
		const char *nl = memchr(kept, '\n', len);
		start = nl ? (size_t)(nl - kept) + 1 : len;
	}
	size_t end = len;
	while (end > start && (kept[end - 1] == '\n' || kept[end - 1] == '\r'))
		end--;
	/* the last max_lines lines, at most max_bytes */
	size_t from = end, lines = 0;
	while (from > start && end - from < max_bytes) {
		if (kept[from - 1] == '\n' && ++lines == max_lines)
			break;
		from--;
	}
	while (from < end && ((unsigned char)kept[from] & 0xC0) == 0x80)
		from++;   /* never begin inside a character */
	struct strbuf out;
	strbuf_init(&out);
	for (size_t i = from; i < end;) {
		const unsigned char *p = (const unsigned char *)kept + i;
		size_t n = utf8_len(p, end - i);
		if (n == 1 && (p[0] < 0x20 || p[0] == 0x7f) && p[0] != '\n' && p[0] != '\t')
			n = 0;
		if (n) {
			strbuf_add(&out, p, n);
			i += n;
		} else {
			strbuf_addc(&out, '?');
			i++;
		}
	}
	return strbuf_detach(&out);
}

static void ring_add(struct script_source *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s->ring[(s->ring_total + i) % SCRIPT_STDERR_KEEP] = p[i];
	s->ring_total += n;
}

/* The whole kept stderr, in order, redacted; *wrapped: bytes were lost. */
static char *kept_stderr(const struct script_source *s, bool *wrapped)
{
	size_t n = s->ring_total < SCRIPT_STDERR_KEEP ? (size_t)s->ring_total : SCRIPT_STDERR_KEEP;
	char *lin = xmalloc(n + 1);
	size_t first = (size_t)((s->ring_total - n) % SCRIPT_STDERR_KEEP);
	for (size_t i = 0; i < n; i++)
		lin[i] = s->ring[(first + i) % SCRIPT_STDERR_KEEP];
	*wrapped = s->ring_total > SCRIPT_STDERR_KEEP;
	char *red = script_redact(lin, n, (const char *const *)s->secrets, s->nsecrets);
	free(lin);
	return red;
}

char *script_source_stderr(struct source *src, size_t max_lines)
{
	struct script_source *s = (struct script_source *)src;
	bool wrapped;
	char *red = kept_stderr(s, &wrapped);
	char *tail = script_tail_text(red, strlen(red), wrapped, max_lines, SCRIPT_TAIL_BYTES);
	free(red);
	return tail;
}

/* cause = "WHAT" and, when it wrote any, the last lines of its stderr;
 * quiet: say nothing when it wrote none. */
static enum source_result PRINTF_LIKE(5, 6) script_fail(struct script_source *s, char **cause,
						 enum source_result r, bool quiet,
						 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	char *tail = script_source_stderr(&s->base, SCRIPT_TAIL_LINES);
	if (*tail)
		fail(cause, "%s; the last lines of its stderr:\n%s", what, tail);
	else
		fail(cause, "%s%s", what, quiet ? "" : " (it wrote nothing to stderr)");
	free(tail);
	free(what);
	return r;
}

/* --- the process --------------------------------------------------------- */

enum child_stage { STAGE_SETUP, STAGE_CHDIR, STAGE_EXEC };
struct child_error {
	int stage;
	int err;
};

static void child_report(int fd, int stage)
{
	struct child_error ce = { stage, errno };
	ssize_t w = write(fd, &ce, sizeof(ce));
	(void)w;
	_exit(127);
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child_exec(const struct script_spec *spec, int devnull, int out_w, int err_w, int report)
{
	setpgid(0, 0);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);   /* the bot ignores SIGPIPE; a script must not */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);   /* the bot's threads block SIGTERM */
	if (dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		child_report(report, STAGE_SETUP);
	if (chdir(spec->cwd) < 0)
		child_report(report, STAGE_CHDIR);
#ifdef CLOSE_RANGE_CLOEXEC
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);   /* no descriptor of the bot leaks in */
#endif
	execve(spec->path, spec->argv, spec->envp);
	child_report(report, STAGE_EXEC);
}

/* Why the exec failed, for the person. */
static char *start_words(const struct script_spec *spec, const struct child_error *ce)
{
	const char *name = spec->shown ? spec->shown : spec->path;
	if (ce->stage == STAGE_CHDIR)
		return xasprintf("cannot run %s: cannot enter %s: %s", name, spec->cwd, strerror(ce->err));
	if (ce->stage == STAGE_SETUP)
		return xasprintf("cannot run %s: %s", name, strerror(ce->err));
	switch (ce->err) {
	case ENOENT:
		if (access(spec->path, F_OK) == 0)
			return xasprintf("cannot run %s: the interpreter of its #! line does not exist", name);
		return xasprintf("cannot run %s: the file does not exist", name);
	case EACCES:
		return xasprintf("cannot run %s: it is not executable (chmod +x %s)", name, name);
	case ENOEXEC:
		return xasprintf("cannot run %s: it has no #! line and is not a program; start it "
				 "with e.g. #!/usr/bin/python3", name);
	default:
		return xasprintf("cannot run %s: %s", name, strerror(ce->err));
	}
}

static void make_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		log_warn("scripts: cannot become a child subreaper (%s); a script's orphans are "
			 "reparented elsewhere", strerror(errno));
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Reap what of the group is ours; true once nothing of it is left. */
static bool group_gone(struct script_source *s)
{
	for (;;) {
		int st;
		pid_t w = waitpid(-s->pid, &st, WNOHANG | __WALL);
		if (w > 0) {
			if (w == s->pid && !s->exited) {
				s->exited = true;
				s->wstatus = st;
			}
			continue;
		}
		if (w == 0)
			return false;
		if (errno == EINTR)
			continue;
		break;   /* ECHILD: none of our children is left in it */
	}
	return kill(-s->pid, 0) < 0 && errno == ESRCH;
}

/* SIGTERM to the group, SIGKILL after the grace, until nothing of it is
 * left. Called once, by source_close. */
static void end_group(struct script_source *s)
{
	long long grace = env_number_or("REPORTBOT_SCRIPT_GRACE_MS", 0, 600000, SCRIPT_GRACE_MS);
	if (group_gone(s))
		return;
	kill(-s->pid, SIGTERM);
	for (int64_t end = now_ms_monotonic() + grace; now_ms_monotonic() < end;) {
		if (group_gone(s))
			return;
		sleep_ms(10);
	}
	log_warn("%s: still running %lld ms after SIGTERM; sending SIGKILL to its process group",
		 s->shown, grace);
	kill(-s->pid, SIGKILL);
	for (int64_t end = now_ms_monotonic() + 5000; now_ms_monotonic() < end;) {
		if (group_gone(s))
			return;
		kill(-s->pid, SIGKILL);
		sleep_ms(10);
	}
	log_error("%s: processes of its group %d outlived SIGKILL", s->shown, (int)s->pid);
}

/* Has the leader exited? Read without reaping it (WNOWAIT). */
static bool leader_exited(struct script_source *s)
{
	if (s->exited)
		return true;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
		return false;
	s->exited = true;
	if (si.si_code == CLD_EXITED)
		s->wstatus = (si.si_status & 0xff) << 8;
	else
		s->wstatus = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
	return true;
}

static void read_stderr(struct script_source *s)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(s->err_fd, buf, sizeof(buf));
		if (n > 0) {
			ring_add(s, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(s->err_fd);
			s->err_fd = -1;
		}
		return;
	}
}

/* One read of stdout into s->in; true when bytes came or it ended. */
static bool read_stdout(struct script_source *s)
{
	ssize_t got;
	do
		got = read(s->out_fd, s->in, READ_CHUNK);
	while (got < 0 && errno == EINTR);
	if (got > 0) {
		s->inpos = 0;
		s->inlen = (size_t)got;
		return true;
	}
	if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
		s->out_eof = true;
		return true;
	}
	return false;
}

static enum source_result stopped(struct script_source *s, char **cause)
{
	if (atomic_load(&s->cancelled))
		return script_fail(s, cause, SOURCE_ECANCELLED, true, "%s was cancelled", s->shown);
	return script_fail(s, cause, SOURCE_ETIMEOUT, true, "%s ran longer than its timeout of %lld s",
			   s->shown, (long long)(s->timeout_ms / 1000));
}

/*
 * Wait for something: stdout (unless at EOF), stderr, a cancel, the
 * deadline; at most max_ms (-1: no bound). Reads what came. SOURCE_OK, or
 * SOURCE_ECANCELLED / SOURCE_ETIMEOUT with *cause.
 */
static enum source_result pump(struct script_source *s, int max_ms, char **cause)
{
	if (atomic_load(&s->cancelled))
		return stopped(s, cause);
	int wait = max_ms;
	if (s->deadline) {
		int64_t left = s->deadline - now_ms_monotonic();
		if (left <= 0)
			return stopped(s, cause);
		if (wait < 0 || left < wait)
			wait = left > INT32_MAX ? INT32_MAX : (int)left;
	}
	/* Data is usually waiting while the script prints: read first, and
	 * poll only when there is nothing (stderr is drained then, and a
	 * script blocked on a full stderr pipe stops filling stdout). */
	if (!s->out_eof && read_stdout(s))
		return SOURCE_OK;
	struct pollfd fds[3];
	nfds_t n = 0;
	int iout = -1, ierr = -1;
	fds[n] = (struct pollfd){ .fd = s->wake[0], .events = POLLIN };
	n++;
	if (!s->out_eof) {
		iout = (int)n;
		fds[n++] = (struct pollfd){ .fd = s->out_fd, .events = POLLIN };
	}
	if (s->err_fd >= 0) {
		ierr = (int)n;
		fds[n++] = (struct pollfd){ .fd = s->err_fd, .events = POLLIN };
	}
	int k = poll(fds, n, wait);
	if (k < 0 && errno != EINTR)
		return script_fail(s, cause, SOURCE_EQUERY, true, "cannot wait for %s: %s", s->shown,
				   strerror(errno));
	if (k <= 0)
		return SOURCE_OK;
	if (ierr >= 0 && fds[ierr].revents)
		read_stderr(s);
	if (fds[0].revents || atomic_load(&s->cancelled))
		return stopped(s, cause);
	if (iout >= 0 && fds[iout].revents)
		read_stdout(s);
	return SOURCE_OK;
}

static enum source_result malformed(struct script_source *s, char **cause)
{
	return script_fail(s, cause, SOURCE_EQUERY, true, "%s printed a line that is not valid CSV, so "
			   "nothing of it was posted: %s", s->shown, s->rd.error ? s->rd.error : "?");
}

/* The next record of stdout (the header first), once it is whole. */
static enum source_result next_record(struct script_source *s, char **cause)
{
	for (;;) {
		if (s->inpos < s->inlen) {
			size_t used;
			enum csv_read_result r = csv_read_push(&s->rd, s->in + s->inpos,
							       s->inlen - s->inpos, &used);
			s->inpos += used;
			if (r == CSV_READ_ROW)
				return SOURCE_ROW;
			if (r == CSV_READ_ERROR)
				return malformed(s, cause);
			continue;
		}
		if (s->out_eof) {
			if (s->finished)
				return SOURCE_DONE;
			/* stdout is closed: the exit status decides before the
			 * last record (perhaps cut short by a crash) is read */
			while (!leader_exited(s)) {
				enum source_result r = pump(s, 20, cause);
				if (r != SOURCE_OK)
					return r;
			}
			if (s->err_fd >= 0)
				read_stderr(s);   /* what it wrote last (non-blocking) */
			if (!WIFEXITED(s->wstatus) || WEXITSTATUS(s->wstatus) != 0) {
				char *how = script_status_words(s->wstatus);
				enum source_result r = script_fail(s, cause, SOURCE_EQUERY, false, "%s %s", s->shown, how);
				free(how);
				return r;
			}
			enum csv_read_result r = csv_read_finish(&s->rd);
			if (r == CSV_READ_ROW)
				return SOURCE_ROW;
			if (r == CSV_READ_ERROR)
				return malformed(s, cause);
			s->finished = true;
			return SOURCE_DONE;
		}
		enum source_result r = pump(s, -1, cause);
		if (r != SOURCE_OK)
			return r;
	}
}

static void script_close(struct source *src)
{
	struct script_source *s = (struct script_source *)src;
	if (s->out_fd >= 0)
		close(s->out_fd);   /* a script still writing gets EPIPE */
	s->out_fd = -1;
	if (s->pid > 0) {
		pthread_mutex_lock(&s->lock);
		end_group(s);       /* the leader is reaped here, and every orphan */
		s->pid = 0;
		pthread_mutex_unlock(&s->lock);
	}
	if (s->ring_total) {
		char *tail = script_source_stderr(src, SCRIPT_TAIL_LINES);
		log_info("%s: the end of its stderr: %s", s->shown, tail);
		free(tail);
	}
	if (s->err_fd >= 0)
		close(s->err_fd);
	close(s->wake[0]);
	close(s->wake[1]);
	pthread_mutex_destroy(&s->lock);
	csv_reader_release(&s->rd);
	free(s->in);
	for (size_t i = 0; i < s->ncols; i++)
		free(s->names[i]);
	free(s->names);
	for (size_t i = 0; i < s->nsecrets; i++)
		free(s->secrets[i]);
	free(s->secrets);
	free(s->shown);
	free(s);
}

static void script_cancel(struct source *src)
{
	struct script_source *s = (struct script_source *)src;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->cancelled, 1);
	if (s->pid > 0)
		kill(-s->pid, SIGTERM);   /* the leader is not reaped yet: the id is its group's */
	char b = 1;
	ssize_t w = write(s->wake[1], &b, 1);
	(void)w;
	pthread_mutex_unlock(&s->lock);
}

static size_t script_ncols(struct source *src)
{
	return ((struct script_source *)src)->ncols;
}

static const char *script_colname(struct source *src, size_t i)
{
	struct script_source *s = (struct script_source *)src;
	return i < s->ncols ? s->names[i] : NULL;
}

static enum source_result script_next(struct source *src, struct source_row *row, char **cause)
{
	struct script_source *s = (struct script_source *)src;
	enum source_result r = next_record(s, cause);
	if (r == SOURCE_ROW) {
		row->ncols = s->rd.nfields;
		row->vals = s->rd.vals;
		row->lens = s->rd.lens;
	}
	return r;
}

static const struct source_driver script_driver = {
	.name = "script",
	.ncols = script_ncols,
	.colname = script_colname,
	.next = script_next,
	.cancel = script_cancel,
	.close = script_close,
};

enum source_result script_source_start(struct source **out, const struct script_spec *spec,
				       char **cause)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, rep[2] = { -1, -1 }, devnull = -1;

	*out = NULL;
	pthread_once(&once, make_subreaper);
	struct script_source *s = xcalloc(1, sizeof(*s));
	s->base.driver = &script_driver;
	s->out_fd = s->err_fd = -1;
	s->wake[0] = s->wake[1] = -1;
	s->shown = xstrdup(spec->shown ? spec->shown : spec->path);
	s->timeout_ms = spec->timeout_ms;
	pthread_mutex_init(&s->lock, NULL);
	csv_reader_init(&s->rd);
	s->in = xmalloc(READ_CHUNK);
	if (spec->nsecrets) {
		s->secrets = xcalloc(spec->nsecrets, sizeof(*s->secrets));
		for (size_t i = 0; i < spec->nsecrets; i++)
			if (spec->secrets[i] && *spec->secrets[i])
				s->secrets[s->nsecrets++] = xstrdup(spec->secrets[i]);
	}

	if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(outp, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0 ||
	    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		fail(cause, "cannot run %s: cannot make its pipes: %s", s->shown, strerror(errno));
		goto fail;
	}
	fcntl(outp[0], F_SETPIPE_SZ, PIPE_SIZE);   /* fewer wake-ups; fine if refused */
	if (spec->timeout_ms > 0)
		s->deadline = now_ms_monotonic() + spec->timeout_ms;

	pid_t pid = fork();
	if (pid < 0) {
		fail(cause, "cannot run %s: fork: %s", s->shown, strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_exec(spec, devnull, outp[1], errp[1], rep[1]);
	s->pid = pid;
	setpgid(pid, pid);   /* as the child does: no window without its own group */
	close(outp[1]);
	close(errp[1]);
	close(rep[1]);
	close(devnull);
	outp[1] = errp[1] = rep[1] = devnull = -1;
	s->out_fd = outp[0];
	s->err_fd = errp[0];
	fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(s->err_fd, F_SETFL, O_NONBLOCK);

	/* The exec happened when the report pipe closes without a word. */
	struct child_error ce;
	ssize_t got;
	do
		got = read(rep[0], &ce, sizeof(ce));
	while (got < 0 && errno == EINTR);
	close(rep[0]);
	rep[0] = -1;
	if (got == (ssize_t)sizeof(ce)) {
		char *words = start_words(spec, &ce);
		fail(cause, "%s", words);
		free(words);
		source_close(&s->base);   /* reaps the child */
		return SOURCE_ECONNECT;
	}

	enum source_result r = next_record(s, cause);
	if (r == SOURCE_DONE)   /* cannot happen: no header is a CSV fault */
		r = script_fail(s, cause, SOURCE_EQUERY, true, "%s printed no header row", s->shown);
	if (r != SOURCE_ROW) {
		source_close(&s->base);
		return r;
	}
	s->ncols = s->rd.nfields;
	s->names = xcalloc(s->ncols, sizeof(*s->names));
	for (size_t i = 0; i < s->ncols; i++)
		s->names[i] = xstrndup(s->rd.vals[i], s->rd.lens[i]);
	*out = &s->base;
	return SOURCE_OK;

fail:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (rep[i] >= 0)
			close(rep[i]);
	}
	if (devnull >= 0)
		close(devnull);
	source_close(&s->base);
	return SOURCE_ECONNECT;
}
