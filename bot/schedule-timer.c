/*
 * schedule-timer.c: when scheduled reports are due (bot/schedule-timer.h).
 */
#include "common.h"
#include "bot/schedule-timer.h"

#include <ctype.h>
#include <pthread.h>

#include "common/backoff.h"
#include "common/cron.h"
#include "common/log.h"

/*
 * Decision logic for scheduled reports; see scheduler.h for the rules.
 *
 * Locking: s->lock guards the schedule list and every entry. Store calls
 * are made with s->lock held (the store takes the history lock inside, and
 * never calls back), so the order is always scheduler lock, then history
 * lock. submit is called with no lock held.
 */

/* After a store error, try that schedule again this much later. */
#define STORE_RETRY_SECONDS 10
/* The longest retry delay, whatever the doubling says. */
#define MAX_BACKOFF_SECONDS (24 * 3600)

enum attempt_state {
	ATTEMPT_RUNNING,     /* submitted, waiting for its outcome */
	ATTEMPT_WAITING,     /* failed; the next attempt is due at `due` */
};

/* A claimed slot whose outcome is not final yet. */
struct sched_attempt {
	int64_t slot_ms;
	int attempt;             /* the running attempt, or the next one */
	enum attempt_state state;
	time_t due;
};

struct sched_entry {
	struct schedule_def def;
	struct cron cron;
	bool started;            /* the first tick looked at the store */
	time_t seen;             /* every slot <= seen has been dealt with */
	time_t next;             /* first slot after seen, -1 if none */
	time_t blocked_until;    /* after a store error */
	bool fresh;              /* never run before: record no misses yet */
	int64_t gap_run_ms;      /* a slot run in the tick that recorded... */
	int64_t gap_missed;      /* ...this many misses just before it */
	struct sched_attempt *att;
	size_t natt, aatt;
};

struct scheduler {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct history *store;
	struct scheduler_options opt;
	struct sched_entry **v;
	size_t n, alloc;
	/* the loop thread */
	pthread_t thread;
	bool running, stopping, changed;
	/* The earliest tick of this process (ms), and whether a tick has
	 * ended: after the first tick, a claimed slot of a schedule added
	 * (again) with attempt_ms at or after first_tick_ms was claimed here,
	 * its attempt still running on a worker, not cut short by a stop.
	 * Under lock. */
	int64_t first_tick_ms;
	bool ticked;
};

/* A due attempt, copied out of the entry so submit runs unlocked; or,
 * with gave_up set, a slot given up at start, for the gave_up callback. */
struct pending_fire {
	char *name, *run, *channel;
	char *gave_up;           /* owned; NULL for an attempt to submit */
	struct scheduled_fire f;
};

struct fire_list {
	struct pending_fire *v;
	size_t n, alloc;
};

static time_t scheduler_now(struct scheduler *s)
{
	return s->opt.clock ? s->opt.clock(s->opt.clock_ctx) : time(NULL) + s->opt.clock_offset;
}

time_t scheduler_time(struct scheduler *s)
{
	return scheduler_now(s);
}

/* "2024-11-01 09:00 JST", for logs. */
static void format_slot(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M %Z", &tm) == 0)
		snprintf(buf, size, "@%lld", (long long)t);
}

static time_t slot_time(int64_t slot_ms)
{
	return (time_t)(slot_ms >= 0 ? slot_ms / 1000 : -((-slot_ms + 999) / 1000));
}

static int max_attempts(const struct scheduler *s)
{
	return 1 + (s->opt.retries > 0 ? s->opt.retries : 0);
}

static time_t late_limit(const struct scheduler *s)
{
	return s->opt.catch_up_seconds > SCHEDULER_GRACE ? s->opt.catch_up_seconds : SCHEDULER_GRACE;
}

void schedule_def_release(struct schedule_def *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->cron);
	free(d->run);
	free(d->channel);
	memset(d, 0, sizeof(*d));
}

static void schedule_def_copy(struct schedule_def *dst, const struct schedule_def *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->cron = xstrdup(src->cron);
	dst->run = xstrdup(src->run);
	dst->channel = xstrdup(src->channel);
}

static void entry_free(struct sched_entry *e)
{
	if (!e)
		return;
	schedule_def_release(&e->def);
	free(e->att);
	free(e);
}

static struct sched_entry *find_entry(struct scheduler *s, const char *name, size_t *index)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i]->def.name, name) == 0) {
			if (index)
				*index = i;
			return s->v[i];
		}
	}
	return NULL;
}

static struct sched_attempt *find_attempt(struct sched_entry *e, int64_t slot_ms)
{
	for (size_t i = 0; i < e->natt; i++)
		if (e->att[i].slot_ms == slot_ms)
			return &e->att[i];
	return NULL;
}

static void drop_attempt(struct sched_entry *e, struct sched_attempt *a)
{
	size_t i = (size_t)(a - e->att);
	memmove(&e->att[i], &e->att[i + 1], (e->natt - i - 1) * sizeof(*a));
	e->natt--;
}

static struct sched_attempt *add_attempt(struct sched_entry *e, int64_t slot_ms)
{
	struct sched_attempt *a;

	if (e->natt == e->aatt) {
		e->aatt = e->aatt ? e->aatt * 2 : 4;
		e->att = xrealloc(e->att, e->aatt * sizeof(*e->att));
	}
	a = &e->att[e->natt++];
	a->slot_ms = slot_ms;
	a->attempt = 1;
	a->state = ATTEMPT_RUNNING;
	a->due = 0;
	return a;
}

static struct pending_fire *fire_push(struct fire_list *fl, const struct scheduler *s,
				      const struct sched_entry *e, int64_t slot_ms, int attempt, bool late)
{
	struct pending_fire *p;

	if (fl->n == fl->alloc) {
		fl->alloc = fl->alloc ? fl->alloc * 2 : 8;
		fl->v = xrealloc(fl->v, fl->alloc * sizeof(*fl->v));
	}
	p = &fl->v[fl->n++];
	p->name = xstrdup(e->def.name);
	p->run = xstrdup(e->def.run);
	p->channel = xstrdup(e->def.channel);
	p->f.schedule = p->name;
	p->f.run = p->run;
	p->f.channel = p->channel;
	p->f.skip_empty = e->def.skip_empty;
	p->f.only_changed = e->def.only_changed;
	p->f.slot_ms = slot_ms;
	p->f.attempt = attempt;
	p->f.max_attempts = max_attempts(s);
	p->f.late = late;
	p->gave_up = NULL;
	return p;
}

static void fire_list_release(struct fire_list *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->v[i].name);
		free(fl->v[i].run);
		free(fl->v[i].channel);
		free(fl->v[i].gave_up);
	}
	free(fl->v);
	memset(fl, 0, sizeof(*fl));
}

int scheduler_new(struct scheduler **out, struct history *store,
		  const struct scheduler_options *opt, char **cause)
{
	struct scheduler *s;

	if (!store || !opt || !opt->submit)
		return fail(cause, "scheduler: a store and a submit callback are required");
	if (opt->catch_up_seconds < 0 || opt->retries < 0 || opt->retry_backoff_seconds < 0)
		return fail(cause, "scheduler: catch-up window, retries and backoff must not be negative");
	s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->store = store;
	s->opt = *opt;
	*out = s;
	return 0;
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	scheduler_stop(s);
	for (size_t i = 0; i < s->n; i++)
		entry_free(s->v[i]);
	free(s->v);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int check_name(const char *name, char **cause)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0)
		return fail(cause, "schedule name is empty; use letters, digits, '-', '_' or '.'");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return fail(cause, "schedule name '%s' is not valid; use letters, digits, "
				    "'-', '_' or '.' (up to 64)", name);
	}
	if (len > 64)
		return fail(cause, "schedule name '%.64s...' is %zu characters long; up to 64 are "
			    "accepted", name, len);
	return 0;
}

/* The caller holds s->lock. */
static void wake_loop(struct scheduler *s)
{
	s->changed = true;
	pthread_cond_broadcast(&s->cond);
}

int scheduler_add(struct scheduler *s, const struct schedule_def *def, char **cause)
{
	struct sched_entry *e;
	struct cron c;
	char *why = NULL;

	if (check_name(def->name, cause) < 0)
		return -1;
	if (!def->cron || cron_parse(&c, def->cron, &why) < 0) {
		int r = fail(cause, "schedule '%s': %s", def->name, why ? why : "cron text is missing");
		free(why);
		return r;
	}
	if (!def->run || !*def->run)
		return fail(cause, "schedule '%s': the report to run is empty; give what you would "
			    "type after the slash command, e.g. 'usage-all last'", def->name);
	if (!def->channel || !*def->channel)
		return fail(cause, "schedule '%s': the channel is empty; give a channel id such as "
			    "C0123456789", def->name);

	pthread_mutex_lock(&s->lock);
	if (find_entry(s, def->name, NULL)) {
		pthread_mutex_unlock(&s->lock);
		return fail(cause, "schedule '%s' exists already; remove it first or pick another name",
			    def->name);
	}
	e = xcalloc(1, sizeof(*e));
	schedule_def_copy(&e->def, def);
	e->cron = c;
	e->next = -1;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 8;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	s->v[s->n++] = e;
	wake_loop(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int scheduler_remove(struct scheduler *s, const char *name, char **cause)
{
	struct sched_entry *e;
	size_t i;

	pthread_mutex_lock(&s->lock);
	e = find_entry(s, name, &i);
	if (!e) {
		pthread_mutex_unlock(&s->lock);
		return fail(cause, "no schedule named '%s'", name);
	}
	if (e->def.from_config) {
		pthread_mutex_unlock(&s->lock);
		return fail(cause, "schedule '%s' comes from the config file; remove it there", name);
	}
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
	entry_free(e);
	wake_loop(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int scheduler_get(struct scheduler *s, const char *name, struct schedule_def *out, char **cause)
{
	struct sched_entry *e;

	pthread_mutex_lock(&s->lock);
	e = find_entry(s, name, NULL);
	if (e)
		schedule_def_copy(out, &e->def);
	pthread_mutex_unlock(&s->lock);
	return e ? 0 : fail(cause, "no schedule named '%s'", name);
}

/*
 * The slots of C in (from, now], the latest `cap` of them (oldest first)
 * into ring, their number into *n. Looks back from now over a span that
 * grows until it holds cap slots or reaches from, so a long downtime with
 * a schedule every minute costs a few hundred cron_next calls, not one
 * per minute of the downtime.
 */
static void collect_slots(const struct cron *c, time_t from, time_t now,
			  time_t *ring, size_t cap, size_t *n)
{
	time_t span = 3600, start;
	size_t k;

	for (;;) {
		time_t t, x;

		start = now - from > span ? now - span : from;
		k = 0;
		t = start;
		while (cron_next(c, t, &x) == 0 && x <= now) {
			ring[k % cap] = x;
			k++;
			t = x;
		}
		if (k >= cap || start == from)
			break;
		span = span > (time_t)1 << 40 ? now - from : span * 4;
	}
	if (k > cap) {
		/* rotate so the oldest kept comes first */
		time_t tmp[SCHEDULER_MAX_MISSED + 1];
		for (size_t i = 0; i < cap; i++)
			tmp[i] = ring[(k + i) % cap];
		memcpy(ring, tmp, cap * sizeof(*ring));
		k = cap;
	}
	*n = k;
}

static void entry_set_seen(struct sched_entry *e, time_t seen)
{
	time_t next;

	e->seen = seen;
	e->next = cron_next(&e->cron, seen, &next) == 0 ? next : -1;
}

/*
 * One slot a stopped process left unsettled (claimed: its attempt was
 * cut short; retrying: its next attempt was promised), on the first tick.
 * It becomes a waiting attempt (claimed: the next one, due now; retrying:
 * the promised one, at its time or now if that passed), persisted first;
 * or, with no attempts left or too long ago, an error handed to gave_up.
 * s->lock held.
 */
static int entry_resume_slot(struct scheduler *s, struct sched_entry *e, const struct slot_record *r,
			     time_t now, struct fire_list *fl, char **cause)
{
	bool cut = r->status == SLOT_CLAIMED;
	int attempt = r->attempt > 0 ? r->attempt : 1;
	int next = cut ? attempt + 1 : attempt;
	time_t at = slot_time(r->attempt_ms > 0 ? r->attempt_ms : r->slot_ms);
	char when[64], at_text[64];
	char *why = NULL;

	format_slot(slot_time(r->slot_ms), when, sizeof(when));
	format_slot(at, at_text, sizeof(at_text));
	if (next > max_attempts(s))
		why = cut ? xasprintf("the bot stopped while attempt %d of %d ran; no attempts are left",
				      attempt, max_attempts(s))
			: xasprintf("attempt %d was due, but only %d are allowed now", next, max_attempts(s));
	else if (now - at > late_limit(s))
		why = cut ? xasprintf("the bot stopped while attempt %d of %d ran (started %s) and was "
				      "down too long to try again", attempt, max_attempts(s), at_text)
			: xasprintf("attempt %d of %d was due at %s, while the bot was down, too long ago "
				    "to run now", next, max_attempts(s), at_text);
	if (why) {
		if (schedule_store_update_slot(s->store, e->def.name, r->slot_ms, 0, SLOT_ERROR, cause) < 0) {
			free(why);
			return -1;
		}
		log_error("schedule %s: slot %s: %s; recorded as error", e->def.name, when, why);
		struct pending_fire *p = fire_push(fl, s, e, r->slot_ms, attempt, true);
		p->gave_up = why;
		return 0;
	}

	time_t due = cut || at < now ? now : at;
	if (schedule_store_set_attempt(s->store, e->def.name, r->slot_ms, SLOT_RETRYING, next,
				       (int64_t)due * 1000, 0, cause) < 0)
		return -1;
	struct sched_attempt *a = add_attempt(e, r->slot_ms);
	a->attempt = next;
	a->state = ATTEMPT_WAITING;
	a->due = due;
	if (cut)
		log_warn("schedule %s: slot %s: the bot stopped while attempt %d of %d ran; retrying now "
			 "(attempt %d of %d)", e->def.name, when, attempt, max_attempts(s), next, max_attempts(s));
	else
		log_info("schedule %s: slot %s: attempt %d of %d, promised before the bot stopped, is due %s",
			 e->def.name, when, next, max_attempts(s), due > now ? at_text : "now");
	return 0;
}

/* The first tick: where to look back from, and what a stopped process
 * left unsettled. */
static int entry_start(struct scheduler *s, struct sched_entry *e, time_t now, struct fire_list *fl)
{
	struct slot_record last, *unsettled = NULL;
	size_t nunsettled = 0;
	char *cause = NULL;
	time_t from;
	int r;

	r = schedule_store_last_slot(s->store, e->def.name, &last, &cause);
	if (r < 0)
		goto fail;
	if (r == 0) {
		from = slot_time(last.slot_ms);
		if (schedule_store_unsettled(s->store, e->def.name, &unsettled, &nunsettled, &cause) < 0)
			goto fail;
		for (size_t i = 0; i < nunsettled; i++) {
			/* a slot of this process is never unsettled: not one of this
			 * entry's attempts, nor one claimed here before the schedule
			 * was removed and added again (its run is still going) */
			if (find_attempt(e, unsettled[i].slot_ms))
				continue;
			if (unsettled[i].status == SLOT_CLAIMED && s->ticked &&
			    unsettled[i].attempt_ms >= s->first_tick_ms)
				continue;
			if (entry_resume_slot(s, e, &unsettled[i], now, fl, &cause) < 0)
				goto fail;
		}
		free(unsettled);
		unsettled = NULL;
	} else if (e->def.created_ms > 0) {
		/* Slack-made: it existed since then, so later slots were missed */
		from = slot_time(e->def.created_ms + 999) - 1;
	} else {
		/* A config schedule never run before: it may have been added
		 * just now, so only the grace looks back (no catch-up run, no
		 * misses for a schedule that did not exist). */
		from = now - SCHEDULER_GRACE - 1;
		e->fresh = true;
	}
	entry_set_seen(e, from);
	e->started = true;
	return 0;
fail:
	free(unsettled);
	log_error("schedule %s: %s", e->def.name, cause);
	free(cause);
	return -1;
}

/* Claim and queue (into fl) what is due for e at now; s->lock held. */
static int entry_due(struct scheduler *s, struct sched_entry *e, time_t now, struct fire_list *fl)
{
	time_t ring[SCHEDULER_MAX_MISSED + 1];
	int64_t missed[SCHEDULER_MAX_MISSED + 1];
	size_t n, nmissed = 0;
	bool run_latest, fresh;
	char *cause = NULL;
	char when[64];

	if (e->blocked_until > now)
		return 0;
	if (!e->started && entry_start(s, e, now, fl) < 0)
		goto blocked;
	fresh = e->fresh;
	e->fresh = false;
	if (e->next < 0 || e->next > now)
		return 0;

	collect_slots(&e->cron, e->seen, now, ring, ARRAY_SIZE(ring), &n);
	if (n == 0) {
		entry_set_seen(e, now);
		return 0;
	}
	run_latest = now - ring[n - 1] <= late_limit(s);
	for (size_t i = 0; !fresh && i < n - (run_latest ? 1 : 0); i++)
		missed[nmissed++] = (int64_t)ring[i] * 1000;
	if (nmissed > 0) {
		if (schedule_store_mark_missed(s->store, e->def.name, missed, nmissed, &cause) < 0)
			goto store_failed;
		format_slot(slot_time(missed[nmissed - 1]), when, sizeof(when));
		log_warn("schedule %s: %zu slot%s missed while the bot was down (latest %s); "
			 "recorded, not run", e->def.name, nmissed, nmissed == 1 ? "" : "s", when);
	}
	if (run_latest) {
		int64_t slot_ms = (int64_t)ring[n - 1] * 1000;
		int r = schedule_store_claim_at(s->store, e->def.name, slot_ms, (int64_t)now * 1000, &cause);
		format_slot(ring[n - 1], when, sizeof(when));
		if (r < 0)
			goto store_failed;
		if (r == 0) {
			log_info("schedule %s: slot %s was claimed already; not run again",
				 e->def.name, when);
		} else {
			bool late = now - ring[n - 1] > SCHEDULER_GRACE;
			/* so the list still counts the misses this run came after */
			e->gap_run_ms = slot_ms;
			e->gap_missed = (int64_t)nmissed;
			add_attempt(e, slot_ms);
			fire_push(fl, s, e, slot_ms, 1, late);
			if (late)
				log_info("schedule %s: catching up slot %s, missed while the bot was down",
					 e->def.name, when);
		}
	}
	entry_set_seen(e, now);
	return 0;

store_failed:
	log_error("schedule %s: %s; trying again in %d s", e->def.name, cause, STORE_RETRY_SECONDS);
	free(cause);
blocked:
	e->blocked_until = now + STORE_RETRY_SECONDS;
	return -1;
}

int scheduler_tick(struct scheduler *s, time_t now)
{
	struct fire_list fl = { 0 };
	int ret = 0, submitted = 0;

	pthread_mutex_lock(&s->lock);
	if (!s->first_tick_ms || (int64_t)now * 1000 < s->first_tick_ms)
		s->first_tick_ms = (int64_t)now * 1000;
	for (size_t i = 0; i < s->n; i++) {
		struct sched_entry *e = s->v[i];
		if (entry_due(s, e, now, &fl) < 0)
			ret = -1;
		for (size_t j = 0; j < e->natt; j++) {
			struct sched_attempt *a = &e->att[j];
			char *cause = NULL;
			if (a->state != ATTEMPT_WAITING || a->due > now)
				continue;
			a->state = ATTEMPT_RUNNING;
			/* claimed again, by this attempt: a stop now leaves it
			 * to the next start, as attempt + 1 */
			if (schedule_store_set_attempt(s->store, e->def.name, a->slot_ms, SLOT_CLAIMED,
						       a->attempt, (int64_t)now * 1000, 0, &cause) < 0) {
				log_error("schedule %s: %s", e->def.name, cause);
				free(cause);
			}
			fire_push(&fl, s, e, a->slot_ms, a->attempt, false);
		}
	}
	s->ticked = true;
	pthread_mutex_unlock(&s->lock);

	for (size_t i = 0; i < fl.n; i++) {
		const struct scheduled_fire *f = &fl.v[i].f;
		char *cause = NULL, when[64];
		if (fl.v[i].gave_up) {
			if (s->opt.gave_up)
				s->opt.gave_up(s->opt.submit_ctx, f, fl.v[i].gave_up);
			continue;
		}
		/* in the scheduler's clock, so a test offset does not skew it */
		int64_t late_ms = s->opt.clock ? 0
			: now_ms_wall() + (int64_t)s->opt.clock_offset * 1000 - f->slot_ms;

		format_slot(slot_time(f->slot_ms), when, sizeof(when));
		if (s->opt.submit(s->opt.submit_ctx, f, &cause) < 0) {
			log_warn("schedule %s: slot %s attempt %d could not be queued: %s",
				 f->schedule, when, f->attempt, cause ? cause : "no reason given");
			scheduler_report_outcome(s, f->schedule, f->slot_ms, SLOT_ERROR, 0, cause, NULL);
			free(cause);
			continue;
		}
		if (s->opt.clock)
			log_info("schedule %s: slot %s attempt %d of %d queued", f->schedule, when,
				 f->attempt, f->max_attempts);
		else
			log_info("schedule %s: slot %s attempt %d of %d queued %lld ms after its time",
				 f->schedule, when, f->attempt, f->max_attempts, (long long)late_ms);
		submitted++;
	}
	fire_list_release(&fl);
	return ret < 0 ? -1 : submitted;
}

time_t scheduler_next_wakeup(struct scheduler *s)
{
	time_t best = -1;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++) {
		struct sched_entry *e = s->v[i];
		time_t t = -1;
		if (!e->started)
			t = e->blocked_until;   /* 0 unless the store failed */
		else if (e->next >= 0)
			t = e->next > e->blocked_until ? e->next : e->blocked_until;
		if (t >= 0 && (best < 0 || t < best))
			best = t;
		for (size_t j = 0; j < e->natt; j++) {
			const struct sched_attempt *a = &e->att[j];
			if (a->state == ATTEMPT_WAITING && (best < 0 || a->due < best))
				best = a->due;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return best;
}

int scheduler_report_outcome(struct scheduler *s, const char *name, int64_t slot_ms,
			     enum slot_status status, int64_t run_id, const char *cause,
			     time_t *retry_at)
{
	struct sched_entry *e;
	struct sched_attempt *a = NULL;
	enum slot_status stored = status;
	char *why = NULL, when[64];
	int ret = 0, attempt = 0;

	format_slot(slot_time(slot_ms), when, sizeof(when));
	pthread_mutex_lock(&s->lock);
	e = find_entry(s, name, NULL);
	if (e)
		a = find_attempt(e, slot_ms);
	if (a)
		attempt = a->attempt;
	if (status == SLOT_ERROR && a && a->attempt < max_attempts(s)) {
		/* attempt N failed: the configured backoff doubled N - 1
		 * times, no jitter */
		time_t delay = (time_t)backoff_delay(s->opt.retry_backoff_seconds, MAX_BACKOFF_SECONDS,
						     a->attempt - 1, NULL);
		a->attempt++;
		a->state = ATTEMPT_WAITING;
		a->due = scheduler_now(s) + delay;
		if (retry_at)
			*retry_at = a->due;
		stored = SLOT_RETRYING;
		ret = 1;
		log_warn("schedule %s: slot %s attempt %d of %d failed: %s; retrying in %lld s",
			 name, when, attempt, max_attempts(s), cause ? cause : "no reason given",
			 (long long)delay);
		wake_loop(s);
	} else {
		if (a)
			drop_attempt(e, a);
		if (status == SLOT_ERROR)
			log_error("schedule %s: slot %s failed%s: %s", name, when,
				  attempt ? " on its last attempt" : "", cause ? cause : "no reason given");
	}
	if (stored == SLOT_RETRYING
	    ? schedule_store_set_attempt(s->store, name, slot_ms, SLOT_RETRYING, a->attempt,
					 (int64_t)a->due * 1000, run_id, &why) < 0
	    : schedule_store_update_slot(s->store, name, slot_ms, run_id, stored, &why) < 0) {
		log_error("schedule %s: %s", name, why);
		free(why);
		ret = -1;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scheduler_report_result(struct scheduler *s, const char *name, int64_t slot_ms,
			    bool ok, const char *cause)
{
	return scheduler_report_outcome(s, name, slot_ms, ok ? SLOT_OK : SLOT_ERROR, 0, cause, NULL);
}

void schedule_infos_free(struct schedule_info *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		schedule_def_release(&v[i].def);
	free(v);
}

static int info_cmp(const void *a, const void *b)
{
	const struct schedule_info *x = a, *y = b;
	return strcmp(x->def.name, y->def.name);
}

int scheduler_list(struct scheduler *s, struct schedule_info **out, size_t *n, char **cause)
{
	struct schedule_info *v;
	time_t now = scheduler_now(s);
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	v = xcalloc(s->n ? s->n : 1, sizeof(*v));
	for (size_t i = 0; i < s->n && ret == 0; i++) {
		struct sched_entry *e = s->v[i];
		struct schedule_info *info = &v[i];
		time_t next;
		int r;

		schedule_def_copy(&info->def, &e->def);
		if (e->started)
			info->next = e->next;
		else
			info->next = cron_next(&e->cron, now, &next) == 0 ? next : -1;
		for (size_t j = 0; j < e->natt; j++)
			if (e->att[j].state == ATTEMPT_WAITING &&
			    (info->retry_at == 0 || e->att[j].due < info->retry_at))
				info->retry_at = e->att[j].due;
		r = schedule_store_last_run_slot(s->store, e->def.name, &info->last, cause);
		if (r < 0) {
			ret = -1;
			break;
		}
		info->has_last = r == 0;
		if (schedule_store_count_slots(s->store, e->def.name, SLOT_MISSED,
					       info->has_last ? info->last.slot_ms + 1 : INT64_MIN,
					       &info->missed, cause) < 0)
			ret = -1;
		else if (info->has_last && info->last.slot_ms == e->gap_run_ms)
			info->missed += e->gap_missed;
	}
	*n = s->n;
	pthread_mutex_unlock(&s->lock);
	if (ret < 0) {
		schedule_infos_free(v, *n);
		*n = 0;
		return -1;
	}
	qsort(v, *n, sizeof(*v), info_cmp);
	*out = v;
	return 0;
}

/* ---- the real loop ----------------------------------------------------- */

static void *scheduler_loop(void *arg)
{
	struct scheduler *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		time_t wake;

		s->changed = false;
		pthread_mutex_unlock(&s->lock);
		scheduler_tick(s, scheduler_now(s));
		wake = scheduler_next_wakeup(s);
		pthread_mutex_lock(&s->lock);
		if (s->stopping)
			break;
		if (s->changed)
			continue;
		if (wake < 0) {
			pthread_cond_wait(&s->cond, &s->lock);
		} else {
			struct timespec ts = { .tv_sec = wake - s->opt.clock_offset, .tv_nsec = 0 };
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int scheduler_start(struct scheduler *s, char **cause)
{
	int r;

	pthread_mutex_lock(&s->lock);
	if (s->running) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	s->stopping = false;
	r = pthread_create(&s->thread, NULL, scheduler_loop, s);
	if (r == 0)
		s->running = true;
	pthread_mutex_unlock(&s->lock);
	if (r != 0)
		return fail(cause, "scheduler: cannot start its thread: %s", strerror(r));
	return 0;
}

void scheduler_stop(struct scheduler *s)
{
	pthread_mutex_lock(&s->lock);
	if (!s->running) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	s->stopping = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_lock(&s->lock);
	s->running = false;
	pthread_mutex_unlock(&s->lock);
}
