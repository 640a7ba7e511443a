'use strict';
// Scheduled reports end to end (issue 6): config schedules fire on the real
// timer and post with the scheduled comment; a restart never posts a slot
// twice; downtime catches up once inside the window and records misses
// outside it; failures are posted, alerted and retried; skip_empty and
// only_changed; schedule add/list/remove from Slack.
//
// Time: REPORTBOT_CLOCK_OFFSET (seconds added to the scheduler's clock)
// makes the bot believe it stands a little before a minute, so a slot fires
// on the real timer within seconds. Every schedule names explicit minutes
// (never `* * * * *`), so a fresh start never fires a slot from the minute
// before. Nothing here sleeps to synchronise: each "did not happen" is
// asserted after a positive signal that the moment passed (a later slot's
// file, the scheduler's own log line, or a reply to `/report schedules`,
// which the worker answers after the scheduler's tick).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, BOM, makeFixture, botConfig, FAST_ENV, historyOf, postText } = require('./lib');

const ADMIN = 'U0ADMIN0001';
const LEAD = 2.5;              // seconds the bot starts before its minute

// 'YYYY-MM' of the month before the real one, in UTC (the bot's timezone
// in these configs): what `last` resolves to.
function lastMonth() {
	const d = new Date();
	const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
	return m.toISOString().slice(0, 7);
}

function minuteOf(t) {
	return Math.floor(t / 60) % 60;
}

// "2026-11-25 22:19", as the bot prints slots (UTC).
function hhmm(t) {
	return new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

function sqlite(db, sql) {
	return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' });
}

// The shared fixture plus rows in last month (so `monthly acme last` has
// content) and a report whose CSV changes when a row is added.
function fixture(h) {
	const fx = makeFixture(h);
	const lm = lastMonth();
	fx.lastMonth = lm;
	sqlite(fx.db, `INSERT INTO usage VALUES ('acme', '${lm}-03', 11), ('acme', '${lm}-17', 4);`);
	fx.lastMonthCsv = `${BOM}day,events\r\n${lm}-03,11\r\n${lm}-17,4\r\n`;
	h.writeFile(fx.commandsDir, 'count-usage.sql', [
		'-- summary: How many usage rows there are',
		'SELECT count(*) AS n FROM usage',
		'',
	].join('\n'));
	return fx;
}

function config(fx, scheduler, schedules) {
	const c = botConfig(fx, { workers: 2 });
	c.scheduler = scheduler;
	// the tests list every channel's schedules as an admin (issue 10)
	c.access = { groups: { admins: ['U0FAKEUSER1'] } };
	if (schedules.length)
		c.schedule = schedules;
	return c;
}

// A minute boundary (bot clock) at least LEAD seconds after the real now,
// and at least `after` (a bot time) if given.
function nextBoundary(after = 0) {
	const now = Date.now() / 1000;
	return Math.max(Math.ceil((now + LEAD) / 60) * 60, Math.ceil(after / 60) * 60);
}

// Spawn the bot so that its clock reads `botTime` about LEAD seconds from
// now (or `at` exactly now). Returns {bot, offset, since}.
async function spawnAt(h, cfg, { fireAt, at }) {
	const target = at !== undefined ? at : fireAt - LEAD;
	const offset = Math.round(target - Date.now() / 1000);
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config: cfg,
		env: { ...FAST_ENV, REPORTBOT_LOG: 'info', REPORTBOT_CLOCK_OFFSET: String(offset) } });
	await h.waitForConnection({ since }, 15000);
	return { bot, offset, since };
}

// The bot's reply to `/report schedules`, as one string.
async function schedules(h, { user = 'U0FAKEUSER1', channel = 'C0FAKECHAN1' } = {}) {
	const since = h.mark();
	const { ack } = h.sendSlashCommand({ text: 'schedules all', channel, user });
	await ack;
	const m = await h.waitForMessage({ channel, text: /Schedules|No schedules/, since }, 10000);
	return m.text;
}

// The line of `/report schedules` about NAME.
function lineOf(text, name) {
	const line = text.split('\n').find((l) => l.includes(`*${name}*`));
	assert.ok(line, `no line for ${name} in:\n${text}`);
	return line;
}

function filesIn(h, channel, since) {
	return h.slack.files.filter((f) => f.seq >= since && f.channel === channel);
}

function messagesIn(h, channel, since) {
	return h.slack.messages.filter((m) => m.seq >= since && m.channel === channel);
}

// The worker has written the slot's outcome (the file or the skip comes
// first, so /report schedules must wait for this).
function recorded(bot, name, t, status) {
	return bot.waitForOutput(new RegExp(`schedule ${name}: slot ${hhmm(t)} recorded ${status}`), { timeoutMs: 15000 });
}

// Where only_changed keeps the last CSV a schedule posted.
function keptCsv(fx, name) {
	return path.join(fx.dir, 'var', 'schedules', `${name}.csv`);
}

// Log lines of one schedule's queued attempts in OUT.
function queued(out, name) {
	const re = new RegExp(`schedule ${name}: slot (\\S+ \\S+) \\S+ attempt (\\d+) of (\\d+) queued`, 'g');
	return [...out.matchAll(re)].map((m) => ({ slot: m[1], attempt: Number(m[2]), of: Number(m[3]) }));
}

test('config schedules: fire, restart, failures and retries, skip_empty, only_changed', async (t) => {
	const h = await startHarness({});
	t.after(() => h.close());
	const fx = fixture(h);
	const B0 = nextBoundary();
	const [m0, m1, m2] = [B0, B0 + 60, B0 + 120].map(minuteOf);
	const cfg = config(fx, { retries: 2, retry_backoff: 1, alert_channel: 'C0ALERTS001' }, [
		{ name: 'usage-last', cron: `${m0},${m1} * * * *`, run: 'monthly acme last', channel: 'C0SCHED0001' },
		{ name: 'quiet', cron: `${m0},${m1} * * * *`, run: 'monthly nobody last', channel: 'C0SCHED0002', skip_empty: true },
		{ name: 'counts', cron: `${m0},${m1},${m2} * * * *`, run: 'count-usage', channel: 'C0SCHED0003', only_changed: true },
		{ name: 'broken', cron: `${m0} * * * *`, run: 'broken', channel: 'C0SCHED0004' },
	]);
	let { bot, offset, since } = await spawnAt(h, cfg, { fireAt: B0 });
	const first = since;

	await t.test('a config schedule fires at its minute with the scheduled comment', async () => {
		const file = await h.waitForFile({ channel: 'C0SCHED0001', since }, 15000);
		assert.equal(file.text, fx.lastMonthCsv);
		assert.match(postText(file), /scheduled by usage-last/);
		assert.match(postText(file), /`monthly`/);
		assert.match(postText(file), new RegExp(`month=${fx.lastMonth}`), 'the comment shows what `last` became');
		assert.match(postText(file), /customer=acme/);
		assert.match(postText(file), /2 rows/);
		assert.equal(file.filename, `usage-acme-${fx.lastMonth}.csv`);
		// on the real timer, at (not before) the minute in the bot's clock
		const firedAt = file.time / 1000 + offset;
		assert.ok(firedAt >= B0, `posted ${(B0 - firedAt).toFixed(3)} s before its minute`);
		assert.ok(firedAt < B0 + 10, `posted ${(firedAt - B0).toFixed(3)} s after its minute`);
		const q = queued(bot.output, 'usage-last');
		assert.deepEqual(q.map((x) => x.slot), [hhmm(B0)]);
	});

	await t.test('only_changed posts the first CSV', async () => {
		const file = await h.waitForFile({ channel: 'C0SCHED0003', since }, 15000);
		assert.equal(file.text, BOM + 'n\r\n8\r\n');
		assert.match(postText(file), /scheduled by counts/);
	});

	await t.test('skip_empty: no rows, nothing posted, slot recorded skipped', async () => {
		await bot.waitForOutput(/schedule quiet: no rows, not posted \(skip_empty\)/, { timeoutMs: 15000 });
		await recorded(bot, 'quiet', B0, 'skipped');
		const text = await schedules(h);
		assert.match(lineOf(text, 'quiet'), new RegExp(`last ${hhmm(B0)} skipped`));
		assert.equal(filesIn(h, 'C0SCHED0002', first).length, 0);
		assert.equal(messagesIn(h, 'C0SCHED0002', first).length, 0);
	});

	await t.test('a failing report posts its failure, is retried, then alerts once', async () => {
		// attempt 1 at the minute, 2 after 1 s, 3 after 2 s more
		const last = await h.waitForMessage({ channel: 'C0SCHED0004', since,
			text: (s) => /Scheduled report \*broken\* failed/.test(s) && !/will retry/.test(s) }, 20000);
		const fails = messagesIn(h, 'C0SCHED0004', first);
		assert.equal(fails.length, 3, fails.map((m) => m.text).join('\n'));
		assert.match(fails[0].text, /no_such_table/);
		assert.match(fails[0].text, /will retry at \d\d:\d\d:\d\d \(attempt 2 of 3\)/);
		assert.match(fails[1].text, /will retry at \d\d:\d\d:\d\d \(attempt 3 of 3\)/);
		assert.equal(fails[2], last);
		for (const m of fails)
			assert.equal(m.ephemeral, false, 'failures are posted in the channel');
		// the scheduler logs "queued" after handing over, so a quick
		// failure may be posted before that line is written
		await bot.waitForOutput(/schedule broken: slot \S+ \S+ \S+ attempt 3 of 3 queued/, { timeoutMs: 5000 });
		const q = queued(bot.output, 'broken');
		assert.deepEqual(q.map((x) => [x.slot, x.attempt, x.of]),
			[[hhmm(B0), 1, 3], [hhmm(B0), 2, 3], [hhmm(B0), 3, 3]]);
		// the alert channel hears about the failure for good, once
		const alert = await h.waitForMessage({ channel: 'C0ALERTS001', since }, 10000);
		assert.match(alert.text, /Scheduled report \*broken\* failed/);
		assert.ok(alert.seq > last.seq, 'the alert follows the last attempt');
		const text = await schedules(h);
		const line = lineOf(text, 'broken');
		assert.match(line, new RegExp(`last ${hhmm(B0)} error`));
		assert.doesNotMatch(line, /retry at/);
		assert.equal(messagesIn(h, 'C0ALERTS001', first).length, 1);
		// three runs recorded, each an error
		const runs = historyOf(fx).split('\n').filter((l) => /INSERT INTO "?runs"? /.test(l) && l.includes("'broken'"));
		assert.equal(runs.length, 3, runs.join('\n'));
		for (const r of runs)
			assert.match(r, /'error'/);
	});

	await t.test('a restart right after a fire does not post that slot again', async () => {
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
		// back just before the next minute: slot B0 is under a minute old,
		// inside the grace that would run a slot nobody claimed
		const B1 = B0 + 60;
		({ bot, offset, since } = await spawnAt(h, cfg, { fireAt: B1 }));
		const file = await h.waitForFile({ channel: 'C0SCHED0001', since }, 15000);
		assert.equal(file.text, fx.lastMonthCsv);
		// the positive signal: B1's run; B0 was not run again
		assert.deepEqual(queued(bot.output, 'usage-last').map((x) => x.slot), [hhmm(B1)]);
		assert.equal(filesIn(h, 'C0SCHED0001', since).length, 1);
		assert.equal(filesIn(h, 'C0SCHED0001', first).length, 2);
		assert.deepEqual(queued(bot.output, 'broken'), [], 'no retry survives a restart');
	});

	await t.test('only_changed: the same CSV is not posted, a changed one is', async () => {
		const B1 = B0 + 60;
		await bot.waitForOutput(/schedule counts: same CSV as last posted, not posted \(only_changed\)/,
			{ timeoutMs: 15000 });
		assert.equal(filesIn(h, 'C0SCHED0003', since).length, 0);
		await recorded(bot, 'counts', B1, 'skipped');
		await recorded(bot, 'quiet', B1, 'skipped');
		let text = await schedules(h);
		assert.match(lineOf(text, 'counts'), new RegExp(`last ${hhmm(B1)} skipped`));
		assert.match(lineOf(text, 'quiet'), new RegExp(`last ${hhmm(B1)} skipped`));
		assert.equal(filesIn(h, 'C0SCHED0002', first).length, 0);

		sqlite(fx.db, "INSERT INTO usage VALUES ('gamma', '2024-11-05', 1);");
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
		const B2 = B0 + 120;
		({ bot, offset, since } = await spawnAt(h, cfg, { fireAt: B2 }));
		const file = await h.waitForFile({ channel: 'C0SCHED0003', since }, 15000);
		assert.equal(file.text, BOM + 'n\r\n9\r\n');
		await recorded(bot, 'counts', B2, 'ok');
		text = await schedules(h);
		assert.match(lineOf(text, 'counts'), new RegExp(`last ${hhmm(B2)} ok`));
		assert.equal(filesIn(h, 'C0SCHED0003', first).length, 2);
		const stop = await bot.stop();
		assert.equal(stop.code, 0, stop.stderr.slice(-2000));
	});
});

test('downtime: one catch-up inside the window, misses recorded outside it', async (t) => {
	const h = await startHarness({});
	t.after(() => h.close());
	const fx = fixture(h);
	const B = nextBoundary();
	const [c0, c1, c2] = [B, B + 60, B + 120].map(minuteOf);
	const cfg = config(fx, { catch_up_minutes: 2 }, [
		{ name: 'catchup', cron: `${c0},${c1},${c2} * * * *`, run: 'count-usage', channel: 'C0CATCHUP01' },
	]);
	const first = h.mark();
	let { bot, since } = await spawnAt(h, cfg, { fireAt: B });
	await h.waitForFile({ channel: 'C0CATCHUP01', since }, 15000);
	let r = await bot.stop();
	assert.equal(r.code, 0, r.stderr.slice(-2000));

	await t.test('inside the window: the latest missed slot posts once, the older one is missed', async () => {
		// down through c1 and c2; back 90 s after c2: older than the
		// 60 s grace, inside the 2-minute window
		({ bot, since } = await spawnAt(h, cfg, { at: B + 120 + 90 }));
		await bot.waitForOutput(new RegExp(`schedule catchup: 1 slot missed while the bot was down \\(latest ${hhmm(B + 60)}`),
			{ timeoutMs: 15000 });
		await bot.waitForOutput(new RegExp(`schedule catchup: catching up slot ${hhmm(B + 120)}`), { timeoutMs: 15000 });
		const file = await h.waitForFile({ channel: 'C0CATCHUP01', since }, 15000);
		assert.equal(file.text, BOM + 'n\r\n8\r\n');
		await recorded(bot, 'catchup', B + 120, 'ok');
		const text = await schedules(h);
		const line = lineOf(text, 'catchup');
		assert.match(line, new RegExp(`last ${hhmm(B + 120)} ok`));
		assert.match(line, /1 missed while the bot was down/);
		assert.deepEqual(queued(bot.output, 'catchup').map((x) => x.slot), [hhmm(B + 120)]);
		assert.equal(filesIn(h, 'C0CATCHUP01', since).length, 1);
		assert.equal(filesIn(h, 'C0CATCHUP01', first).length, 2);
		r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
	});

	await t.test('outside the window: nothing posted, every slot recorded missed', async () => {
		// an hour later: c0, c1, c2 of the next hour all passed, the
		// latest 3 minutes ago (the window is 2)
		const H = B + 3600;
		({ bot, since } = await spawnAt(h, cfg, { at: H + 120 + 180 }));
		await bot.waitForOutput(new RegExp(`schedule catchup: 3 slots missed while the bot was down \\(latest ${hhmm(H + 120)}`),
			{ timeoutMs: 15000 });
		const text = await schedules(h);
		const line = lineOf(text, 'catchup');
		assert.match(line, new RegExp(`last ${hhmm(B + 120)} ok`));
		assert.match(line, /3 missed while the bot was down/);
		assert.deepEqual(queued(bot.output, 'catchup'), []);
		assert.equal(filesIn(h, 'C0CATCHUP01', since).length, 0);
		const hist = historyOf(fx);
		const missed = hist.split('\n').filter((l) => l.includes("'catchup'") && l.includes("'missed'"));
		assert.equal(missed.length, 4, missed.join('\n'));
		r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
	});
});

test('schedule add, list and remove from Slack', async (t) => {
	const h = await startHarness({});
	t.after(() => h.close());
	const fx = fixture(h);
	// fires soon after the add; the bot starts a little earlier than usual
	// so the add is made and acknowledged before the minute
	const B = nextBoundary(Date.now() / 1000 + LEAD + 3);
	const cfg = config(fx, { admins: [ADMIN, 'U0ADMIN0002'] }, [
		{ name: 'yearly-cfg', cron: '0 0 1 1 *', run: 'count-usage', channel: 'C0SCHED0009' },
	]);
	let { bot, since } = await spawnAt(h, cfg, { at: B - LEAD - 3 });
	const chan = 'C0FAKECHAN1';

	await t.test('a user not in admins is refused, and nothing is added', async () => {
		const { ack } = h.sendSlashCommand({ channel: chan, user: 'U0NOBODY001',
			text: `schedule add sneaky "${minuteOf(B)} * * * *" C0SLACKMADE monthly acme last` });
		const a = await ack;
		assert.match(a.payload.text, /only admins/);
		assert.match(a.payload.text, new RegExp(`<@${ADMIN}>`));
		const removal = await h.sendSlashCommand({ channel: chan, user: 'U0NOBODY001', text: 'schedule remove yearly-cfg' }).ack;
		assert.match(removal.payload.text, /admins/);
	});

	await t.test('a bad cron text is refused naming the field', async () => {
		const { ack } = h.sendSlashCommand({ channel: chan, user: ADMIN,
			text: 'schedule add bad "0 25 * * *" C0SLACKMADE monthly acme last' });
		const a = await ack;
		assert.match(a.payload.text, /hour '25' is out of range 0-23/);
		const dow = await h.sendSlashCommand({ channel: chan, user: ADMIN,
			text: 'schedule add bad "0 9 * * FUNDAY" C0SLACKMADE monthly acme last' }).ack;
		assert.match(dow.payload.text, /day-of-week 'FUNDAY'/);
	});

	await t.test('an admin adds a schedule; it is listed with its next run, and fires', async () => {
		const s = h.mark();
		const { ack } = h.sendSlashCommand({ channel: chan, user: ADMIN,
			text: `schedule add slack-made "${minuteOf(B)} * * * *" C0SLACKMADE --only-changed monthly acme last` });
		await ack;
		const added = await h.waitForMessage({ channel: chan, text: /Added schedule \*slack-made\*/, since: s }, 10000);
		assert.match(added.text, /monthly acme last/);
		const text = await schedules(h);
		const line = lineOf(text, 'slack-made');
		assert.match(line, new RegExp(`next ${hhmm(B)}`));
		assert.match(line, /not run yet/);
		assert.match(lineOf(text, 'yearly-cfg'), /\(config\)/);
		const file = await h.waitForFile({ channel: 'C0SLACKMADE', since }, 15000);
		assert.match(postText(file), /scheduled by slack-made/);
		assert.equal(file.text, fx.lastMonthCsv);
		await recorded(bot, 'slack-made', B, 'ok');
		assert.ok(fs.existsSync(keptCsv(fx, 'slack-made')), 'only_changed keeps the posted CSV');
		const after = await schedules(h);
		assert.match(lineOf(after, 'slack-made'), new RegExp(`last ${hhmm(B)} ok`));
		assert.match(lineOf(after, 'slack-made'), new RegExp(`next ${hhmm(B + 3600)}`));
	});

	await t.test('a Slack-made schedule survives a restart; a config one cannot be removed', async () => {
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
		({ bot, since } = await spawnAt(h, cfg, { at: B + 30 }));
		let text = await schedules(h);
		assert.match(lineOf(text, 'slack-made'), new RegExp(`last ${hhmm(B)} ok`));
		const s = h.mark();
		await h.sendSlashCommand({ channel: chan, user: ADMIN, text: 'schedule remove yearly-cfg' }).ack;
		const refused = await h.waitForMessage({ channel: chan, text: /yearly-cfg/, since: s }, 10000);
		assert.match(refused.text, /comes from the config file; remove it there/);
		text = await schedules(h);
		lineOf(text, 'yearly-cfg');
	});

	await t.test('remove takes it off the list, for good', async () => {
		const s = h.mark();
		await h.sendSlashCommand({ channel: chan, user: 'U0ADMIN0002', text: 'schedule remove slack-made' }).ack;
		await h.waitForMessage({ channel: chan, text: /Removed schedule \*slack-made\*/, since: s }, 10000);
		assert.ok(!fs.existsSync(keptCsv(fx, 'slack-made')), 'a removed schedule leaves no kept CSV behind');
		let text = await schedules(h);
		assert.ok(!text.includes('*slack-made*'), text);
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
		({ bot, since } = await spawnAt(h, cfg, { at: B + 45 }));
		text = await schedules(h);
		assert.ok(!text.includes('*slack-made*'), text);
		assert.equal(filesIn(h, 'C0SLACKMADE', since).length, 0);
		const stop = await bot.stop();
		assert.equal(stop.code, 0, stop.stderr.slice(-2000));
	});
});

// Issue 10, item 5: `schedule add` refuses what would fail at fire time,
// before anything is stored: a channel the report's `channels:` header
// does not allow, and a run text whose arguments do not bind.
test('schedule add refuses what its fire would refuse, and stores nothing', async (t) => {
	const h = await startHarness({});
	t.after(() => h.close());
	const fx = fixture(h);
	h.writeFile(fx.commandsDir, 'sales-only.sql', [
		'-- summary: Usage rows, for the sales channel only',
		'-- channels: C0SALES0001',
		'SELECT count(*) AS n FROM usage',
		'',
	].join('\n'));
	const cfg = config(fx, { admins: [ADMIN] }, []);
	const { bot } = await spawnAt(h, cfg, { at: Date.now() / 1000 });
	const chan = 'C0FAKECHAN1';
	// the ack's text: a refusal, or nothing when the add went to a worker
	const add = async (text) => {
		const a = await h.sendSlashCommand({ channel: chan, user: ADMIN, text }).ack;
		return a.payload ? a.payload.text : undefined;
	};
	const stored = () => sqlite(path.join(fx.dir, 'var', 'history.db'), 'SELECT name FROM schedules ORDER BY name').trim();

	await t.test('a report not allowed in that channel is refused, naming the channels it allows', async () => {
		const text = await add('schedule add sales-elsewhere "0 9 1 * *" C0OTHER0001 sales-only');
		assert.match(text, /^schedule: report 'sales-only' may not run in C0OTHER0001/);
		assert.match(text, /allows only C0SALES0001/);
	});

	await t.test('a run whose arguments do not bind is refused with the accepted forms', async () => {
		const month = await add('schedule add bad-month "0 9 1 * *" C0SLACKMADE monthly acme 2024-13');
		assert.match(month, /^schedule: run `monthly acme 2024-13`: month: '2024-13' is not a month; use YYYY-MM/);
		const missing = await add('schedule add no-customer "0 9 1 * *" C0SLACKMADE monthly');
		assert.match(missing, /^schedule: run `monthly`: missing customer/);
		const builtin = await add('schedule add hist "0 9 1 * *" C0SLACKMADE history');
		assert.match(builtin, /'history' is a built-in command, not a report/);
	});

	await t.test('nothing refused is stored or listed; an allowed add still is', async () => {
		const s = h.mark();
		await add('schedule add sales-ok "0 9 1 * *" C0SALES0001 sales-only');
		await h.waitForMessage({ channel: chan, text: /Added schedule \*sales-ok\*/, since: s }, 10000);
		assert.equal(stored(), 'sales-ok');
		const text = await schedules(h);
		lineOf(text, 'sales-ok');
		for (const name of ['sales-elsewhere', 'bad-month', 'no-customer', 'hist'])
			assert.ok(!text.includes(`*${name}*`), text);
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
	});
});
