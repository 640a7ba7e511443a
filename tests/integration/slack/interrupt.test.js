'use strict';
// Issue 11, items 3 and 4: interrupted runs are told, and a retry promised
// is a retry that happens.
//
// - kill -9 while two people's reports and one scheduled report run, then
//   a restart: each person hears ephemerally, in the channel where they
//   asked, that their report (named, with its arguments) was interrupted;
//   the schedule's channel hears the same of the scheduled run; the slot
//   the crash left `claimed` is retried (attempt 2 of 3) and posts.
// - kill -9 while a person's report still waits in the queue (one worker,
//   busy): the run is in the history as queued before any worker takes
//   it, so the restart marks it interrupted and tells its asker that the
//   bot stopped before it started.
// - SIGTERM while a scheduled run outlives shutdown_grace: the channel is
//   told the retry's time and attempt, the slot is kept `retrying` with
//   that attempt, and after a restart the retry happens and posts.
//
// Slowness: `slowish` counts up to the number in the `knob` table (four
// billion while a run must stay busy); the test lowers it before the
// restart, so the retry finishes at once. Time: REPORTBOT_CLOCK_OFFSET
// puts the bot a little before a minute, as in schedule.test.js. Nothing
// sleeps to synchronise: every step awaits a log line, a message or a file.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV, postText } = require('./lib');

const LEAD = 2.5;   // seconds the bot starts before its minute
const ALICE = 'U0ALICE0001';
const BOB = 'U0BOB000001';
const GENERAL = 'C0GENERAL01';
const SALES = 'C0SALES0001';
const SCHED = 'C0SCHED0001';
const ALERTS = 'C0ALERTS001';
const BIG = 4000000000;

function sqlite(db, sql) {
	return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' });
}

function minuteOf(t) {
	return Math.floor(t / 60) % 60;
}

function hhmm(t) {
	return new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

function nextBoundary() {
	return Math.ceil((Date.now() / 1000 + LEAD) / 60) * 60;
}

function fixture(h) {
	const fx = makeFixture(h);
	sqlite(fx.db, `CREATE TABLE knob (n INTEGER); INSERT INTO knob VALUES (${BIG});`);
	h.writeFile(fx.commandsDir, 'slowish.sql', [
		'-- summary: Counts up to the knob: slow while it is high',
		'-- param: tag string   Any word',
		'WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < (SELECT n FROM knob))',
		'SELECT :tag AS tag, count(*) AS n FROM seq',
		'',
	].join('\n'));
	fx.historyDb = path.join(fx.dir, 'var', 'history.db');
	return fx;
}

function config(fx, { grace = 10 } = {}, minute) {
	const c = botConfig(fx, { workers: 3, grace });
	c.scheduler = { retries: 2, retry_backoff: 1, alert_channel: ALERTS };
	c.schedule = [{ name: 'nightly', cron: `${minute} * * * *`, run: 'slowish sched', channel: SCHED }];
	return c;
}

async function spawnAt(h, cfg, botTime) {
	const offset = Math.round(botTime - Date.now() / 1000);
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config: cfg,
		env: { ...FAST_ENV, REPORTBOT_LOG: 'info', REPORTBOT_CLOCK_OFFSET: String(offset) } });
	await h.waitForConnection({ since }, 15000);
	return { bot, since };
}

// How many runs of `slowish` have started on a worker, per the log.
function started(out) {
	return (out.match(/run \d+: slowish .* started on worker/g) || []).length;
}

async function waitStarted(bot, n) {
	await bot.waitForOutput((text) => started(text) >= n, { timeoutMs: 20000 });
}

// The slot's status, and "status|attempt" with the attempt (schema 3).
function slot(fx, name, t, { attempt = false } = {}) {
	return sqlite(fx.historyDb, `SELECT status${attempt ? ', attempt' : ''} FROM schedule_slots ` +
		`WHERE schedule = '${name}' AND slot_ms = ${t * 1000}`).trim();
}

function runStatuses(fx) {
	return sqlite(fx.historyDb, "SELECT args || ':' || status FROM runs WHERE command = 'slowish' ORDER BY id")
		.trim().split('\n');
}

test('kill -9 during two reports and a scheduled one: each is told, the slot is retried', async () => {
	const h = await startHarness({});
	try {
		const fx = fixture(h);
		const B = nextBoundary();
		const cfg = config(fx, {}, minuteOf(B));
		let { bot } = await spawnAt(h, cfg, B - LEAD);

		// the scheduled run starts at B; two people ask meanwhile
		await bot.waitForOutput(new RegExp(`schedule nightly: slot ${hhmm(B)} \\S+ attempt 1 of 3 queued`),
			{ timeoutMs: 15000 });
		const a = await h.sendSlashCommand({ channel: GENERAL, user: ALICE, text: 'slowish alpha' }).ack;
		const b = await h.sendSlashCommand({ channel: SALES, user: BOB, text: 'slowish beta' }).ack;
		assert.match(a.payload.text, /as run \d+/);
		assert.match(b.payload.text, /as run \d+/);
		await waitStarted(bot, 3);
		// the timer names the slot's run after dispatch (a crash before
		// that is told without the schedule's name): await it
		await until('the slot naming its run', () => sqlite(fx.historyDb, 'SELECT run_id FROM schedule_slots ' +
			`WHERE schedule = 'nightly' AND slot_ms = ${B * 1000}`).trim() !== '');

		bot.kill('SIGKILL');
		const gone = await bot.exited;
		assert.equal(gone.signal, 'SIGKILL');
		// the retry will finish at once
		sqlite(fx.db, 'UPDATE knob SET n = 3');
		assert.equal(slot(fx, 'nightly', B), 'claimed');

		const since = h.mark();
		({ bot } = await spawnAt(h, cfg, B + 20));

		// each person, ephemerally, where they asked, naming report and arguments
		const toAlice = await h.waitForMessage({ channel: GENERAL, since, text: /interrupted/ }, 15000);
		assert.equal(toAlice.ephemeral, true);
		assert.equal(toAlice.user, ALICE);
		assert.match(toAlice.text, /`slowish` tag=alpha \(run \d+\)/);
		assert.match(toAlice.text, /the bot stopped while it ran/);
		const toBob = await h.waitForMessage({ channel: SALES, since, text: /interrupted/ }, 15000);
		assert.equal(toBob.ephemeral, true);
		assert.equal(toBob.user, BOB);
		assert.match(toBob.text, /`slowish` tag=beta \(run \d+\)/);

		// the schedule's channel, naming the schedule, report and arguments
		const toChannel = await h.waitForMessage({ channel: SCHED, since, text: /interrupted/ }, 15000);
		assert.equal(toChannel.ephemeral, false);
		assert.match(toChannel.text, /Scheduled report \*nightly\*: `slowish` tag=sched \(run \d+\) was interrupted/);

		// the claimed slot is retried as attempt 2 and posts
		await bot.waitForOutput(new RegExp(`schedule nightly: slot ${hhmm(B)} \\S+ attempt 2 of 3 queued`),
			{ timeoutMs: 15000 });
		const file = await h.waitForFile({ channel: SCHED, since }, 15000);
		assert.match(postText(file), /scheduled by nightly/);
		await bot.waitForOutput(new RegExp(`schedule nightly: slot ${hhmm(B)} recorded ok`), { timeoutMs: 15000 });
		assert.equal(slot(fx, 'nightly', B, { attempt: true }), 'ok|2');
		assert.equal(h.slack.messages.filter((m) => m.seq >= since && m.channel === ALERTS).length, 0,
			'a retried slot is not an alert');

		// told once: nobody hears it again on the next start
		await bot.waitForOutput(/its interruption was told in C0SALES0001/, { timeoutMs: 15000 });
		assert.deepEqual(runStatuses(fx).slice(0, 3).sort(),
			['tag=alpha:interrupted', 'tag=beta:interrupted', 'tag=sched:interrupted'].sort());
		let r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
		const again = h.mark();
		({ bot } = await spawnAt(h, cfg, B + 40));
		// the start looked, and found nothing left to tell
		await bot.waitForOutput(/interrupted runs: none to tell/, { timeoutMs: 15000 });
		assert.equal(h.slack.messages.filter((m) => m.seq >= again && /interrupted/.test(m.text)).length, 0);
		r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
	} finally {
		await h.close();
	}
});

// Polls a condition (a file another process writes) until it holds.
async function until(what, cond, timeoutMs = 15000) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		if (cond())
			return;
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

function statusOf(fx, id) {
	return sqlite(fx.historyDb, `SELECT status FROM runs WHERE id = ${id}`).trim();
}

test('kill -9 with a report still waiting in the queue: it is recorded, marked interrupted and told', async () => {
	const h = await startHarness({});
	try {
		const fx = fixture(h);
		const cfg = botConfig(fx, { workers: 1 });
		let { bot } = await spawnAt(h, cfg, Date.now() / 1000);

		// Alice's report holds the one worker; Bob's waits in the queue
		const a = await h.sendSlashCommand({ channel: GENERAL, user: ALICE, text: 'slowish alpha' }).ack;
		const runA = Number(/as run (\d+)/.exec(a.payload.text)[1]);
		await waitStarted(bot, 1);
		const b = await h.sendSlashCommand({ channel: SALES, user: BOB, text: 'slowish beta' }).ack;
		const runB = Number(/as run (\d+)/.exec(b.payload.text)[1]);
		// the waiting run is in the history before any worker takes it
		await until(`run ${runB} recorded queued`, () => statusOf(fx, runB) === 'queued');
		assert.equal(statusOf(fx, runA), 'running');
		assert.equal(started(bot.output), 1, 'the queued run has not started');

		bot.kill('SIGKILL');
		assert.equal((await bot.exited).signal, 'SIGKILL');
		sqlite(fx.db, 'UPDATE knob SET n = 3');

		const since = h.mark();
		({ bot } = await spawnAt(h, cfg, Date.now() / 1000));
		const toBob = await h.waitForMessage({ channel: SALES, since, text: /interrupted/ }, 15000);
		assert.equal(toBob.ephemeral, true);
		assert.equal(toBob.user, BOB);
		assert.match(toBob.text, new RegExp(`\`slowish\` tag=beta \\(run ${runB}\\)`));
		assert.match(toBob.text, /the bot stopped before it started/);
		const toAlice = await h.waitForMessage({ channel: GENERAL, since, text: /interrupted/ }, 15000);
		assert.equal(toAlice.user, ALICE);
		assert.match(toAlice.text, new RegExp(`\`slowish\` tag=alpha \\(run ${runA}\\)`));
		assert.match(toAlice.text, /the bot stopped while it ran/);

		await bot.waitForOutput(/its interruption was told in C0SALES0001/, { timeoutMs: 15000 });
		assert.equal(statusOf(fx, runB), 'interrupted');
		assert.equal(statusOf(fx, runA), 'interrupted');
		assert.equal(sqlite(fx.historyDb, `SELECT user || ' ' || channel || ' ' || args || ' ' || started_ms ` +
			`FROM runs WHERE id = ${runB}`).trim(), `${BOB} ${SALES} tag=beta 0`);
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
	} finally {
		await h.close();
	}
});

test('kill -9 during the last attempt: the slot is alerted, not left claimed', async () => {
	const h = await startHarness({});
	try {
		const fx = fixture(h);
		const B = nextBoundary();
		const cfg = config(fx, {}, minuteOf(B));
		cfg.scheduler.retries = 0;
		let { bot } = await spawnAt(h, cfg, B - LEAD);
		await waitStarted(bot, 1);
		bot.kill('SIGKILL');
		await bot.exited;
		assert.equal(slot(fx, 'nightly', B), 'claimed');

		const since = h.mark();
		({ bot } = await spawnAt(h, cfg, B + 20));
		const alert = await h.waitForMessage({ channel: ALERTS, since }, 15000);
		assert.match(alert.text, /Scheduled report \*nightly\* \(`\/report slowish sched`, slot [^)]*\) failed: /);
		assert.match(alert.text, /the bot stopped while attempt 1 of 1 ran; no attempts are left; not retried/);
		await h.waitForMessage({ channel: SCHED, since, text: /no attempts are left/ }, 15000);
		await h.waitForMessage({ channel: SCHED, since, text: /was interrupted/ }, 15000);
		assert.equal(slot(fx, 'nightly', B, { attempt: true }), 'error|1');
		assert.doesNotMatch(bot.output, /attempt \d of 1 queued/);
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
	} finally {
		await h.close();
	}
});

test('SIGTERM past shutdown_grace: the promised retry happens after the restart', async () => {
	const h = await startHarness({});
	try {
		const fx = fixture(h);
		const B = nextBoundary();
		const cfg = config(fx, { grace: 1 }, minuteOf(B));
		let { bot, since } = await spawnAt(h, cfg, B - LEAD);
		await waitStarted(bot, 1);

		const r = await bot.stop({ timeoutMs: 20000 });
		assert.equal(r.killed, false);
		const told = await h.waitForMessage({ channel: SCHED, since, text: /Scheduled report \*nightly\* failed/ }, 5000);
		assert.match(told.text, /the bot shut down before it finished/);
		const m = /will retry at (\d\d:\d\d:\d\d) \(attempt 2 of 3\)/.exec(told.text);
		assert.ok(m, told.text);
		// the promise is kept in the store, not turned into an error
		assert.equal(slot(fx, 'nightly', B), 'retrying');
		assert.equal(h.slack.messages.filter((x) => x.seq >= since && x.channel === ALERTS).length, 0);

		sqlite(fx.db, 'UPDATE knob SET n = 3');
		since = h.mark();
		({ bot } = await spawnAt(h, cfg, B + 30));
		await bot.waitForOutput(new RegExp(`schedule nightly: slot ${hhmm(B)} \\S+ attempt 2 of 3 queued`),
			{ timeoutMs: 15000 });
		const file = await h.waitForFile({ channel: SCHED, since }, 15000);
		assert.match(postText(file), /scheduled by nightly/);
		assert.match(file.text, /sched,3/);
		await bot.waitForOutput(new RegExp(`schedule nightly: slot ${hhmm(B)} recorded ok`), { timeoutMs: 15000 });
		assert.equal(slot(fx, 'nightly', B, { attempt: true }), 'ok|2');
		const stop = await bot.stop();
		assert.equal(stop.code, 0, stop.stderr.slice(-2000));
	} finally {
		await h.close();
	}
});
