'use strict';
// Issue 15, item 6: no restart to add or change a report.
//
// While `serve` runs, a report file is added, edited, broken and removed:
// each is picked up / kept at its last good version / dropped within a few
// seconds, while a long report started before the edit finishes with the
// version it started with (its CSV has the old query's columns). A broken
// file is logged with FILE:LINE and told to the alert channel once, not
// again at the next reload. SIGHUP applies an edit at once, with polling
// set to an hour.
//
// Nothing sleeps to synchronise: each step polls the bot's answers (help,
// a run) or awaits a log line or a message, with a deadline.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, FAST_ENV, makeFixture, botConfig, postText } = require('./lib');

const CHAN = 'C0RELOAD001';
const ALERTS = 'C0ALERTS001';
const FEW_SECONDS = 5000;   // "within a few seconds" (the watcher polls every 200 ms here)
const LONG_N = 20000000;    // the long run: counting this far takes seconds

const SLOW_OLD = [
	'-- summary: Counts (old version)',
	`-- param: n int=${LONG_N}   How far`,
	'WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n)',
	'SELECT count(*) AS old_count FROM seq',
	'',
].join('\n');
const SLOW_NEW = [
	'-- summary: Says n (new version)',
	'-- param: n int=1   Any number',
	"SELECT :n AS new_n, 'new' AS version",
	'',
].join('\n');
const SLOW_BROKEN = [
	'-- summary: Broken on purpose',
	'-- sumary: a typo makes this file broken',
	'SELECT 1 AS x',
	'',
].join('\n');

// Write a command file whole, as an editor saves (a temporary name, then
// a rename), so no listing ever sees it half written.
function save(dir, name, text) {
	const tmp = path.join(dir, `.${name}.tmp`);
	fs.writeFileSync(tmp, text);
	fs.renameSync(tmp, path.join(dir, name));
}

function csvOf(file) {
	return file.text.replace(/^\uFEFF/, '');
}

// Poll `ask()` (resolves with a value) until `ok(value)`, for up to ms;
// resolves with {value, ms}, or fails naming what was last seen.
async function until(ask, ok, ms, what) {
	const t0 = Date.now();
	let last;
	for (;;) {
		last = await ask();
		if (ok(last))
			return { value: last, ms: Date.now() - t0 };
		if (Date.now() - t0 > ms)
			assert.fail(`${what}: not within ${ms} ms; last answer: ${JSON.stringify(last).slice(0, 500)}`);
		await new Promise((r) => setTimeout(r, 100));   // the pace of polling, not a synchronisation
	}
}

async function ack(h, text) {
	const a = await h.sendSlashCommand({ text, channel: CHAN }).ack;
	return (a.payload && a.payload.text) || '';
}

// Run `text` and return {id, csv} of the file it posts; the file is
// awaited only when wait is true (else {id, file}: a promise of it).
async function run(h, text, { wait = true } = {}) {
	const since = h.mark();
	const said = await ack(h, text);
	assert.match(said, /Running/, `${text}: ${said}`);
	const id = said.match(/run (\d+)/)[1];
	const mine = new RegExp(`run ${id}\\b`);
	const file = h.waitForFile((ev) => ev.seq >= since && ev.channel === CHAN && mine.test(postText(ev)), 60000);
	if (!wait)
		return { id, file };
	return { id, csv: csvOf(await file) };
}

function count(text, re) {
	return (text.match(re) || []).length;
}

// A bot whose commands/ holds slowcount.sql (the old version) besides the
// shared fixtures; [scheduler] alert_channel is where the admins hear.
async function start(t, env) {
	const h = await startHarness({});
	t.after(() => h.close());
	const fx = makeFixture(h, { 'slowcount.sql': SLOW_OLD, 'hup.sql': "-- summary: v1\nSELECT 'v1' AS hup\n" });
	const cfg = botConfig(fx, { workers: 3 });
	cfg.scheduler = { alert_channel: ALERTS };
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config: cfg, env: { ...FAST_ENV, REPORTBOT_LOG: 'info', ...env } });
	await h.waitForConnection({ since }, 15000);
	return { h, fx, bot };
}

test('command files added, edited, broken and removed while serve runs', async (t) => {
	const { h, fx, bot } = await start(t, { REPORTBOT_COMMANDS_POLL_MS: '200' });
	const dir = fx.commandsDir;
	let longRun;

	await t.test('an added file is served within a few seconds', async () => {
		assert.doesNotMatch(await ack(h, 'help'), /fresh/);
		save(dir, 'fresh.sql', "-- summary: Fresh report\nSELECT 'v1' AS fresh\n");
		const { ms } = await until(() => ack(h, 'help'), (text) => /fresh/.test(text), FEW_SECONDS,
			'fresh listed by help');
		t.diagnostic(`added: served after ${ms} ms`);
		assert.equal((await run(h, 'fresh')).csv, 'fresh\r\nv1\r\n');
	});

	await t.test('an edit is served within a few seconds; a run started before it keeps the old version', async () => {
		const mark = bot.output.length;
		longRun = await run(h, 'slowcount', { wait: false });   // counts to LONG_N, old version
		await bot.waitForOutput((out) => new RegExp(`run ${longRun.id}: slowcount .*started on worker`).test(out.slice(mark)),
			{ timeoutMs: 15000 });
		let longDone = false;
		longRun.file.then(() => { longDone = true; }, () => {});

		save(dir, 'slowcount.sql', SLOW_NEW);
		const { ms } = await until(() => ack(h, 'help slowcount'), (text) => /new version/.test(text), FEW_SECONDS,
			'the edit of slowcount shown by help');
		t.diagnostic(`changed: served after ${ms} ms`);
		const now = await run(h, 'slowcount n=7');
		assert.equal(now.csv, 'new_n,version\r\n7,new\r\n');
		// the long run was still going when the new version answered ...
		assert.equal(longDone, false, 'the long run ended before the edit was served: raise LONG_N');
		// ... and it ends with the old query's columns and result
		const old = csvOf(await longRun.file);
		assert.equal(old, `old_count\r\n${LONG_N}\r\n`);
	});

	await t.test('a broken file keeps its last good version, told once with FILE:LINE', async () => {
		const since = h.mark();
		const mark = bot.output.length;
		save(dir, 'slowcount.sql', SLOW_BROKEN);
		const where = `${path.join(dir, 'slowcount.sql')}:2:`;
		const alert = await h.waitForMessage({ channel: ALERTS, text: where, since }, FEW_SECONDS);
		assert.match(alert.text, /unknown key 'sumary'/);
		assert.match(alert.text, /last good version of `slowcount` keeps serving/);
		await bot.waitForOutput((out) => out.slice(mark).includes(where), { timeoutMs: FEW_SECONDS });
		// still served, as it was
		assert.equal((await run(h, 'slowcount n=8')).csv, 'new_n,version\r\n8,new\r\n');
		assert.match(await ack(h, 'help slowcount'), /new version/);

		// the next reload (another file changes) tells nobody again
		save(dir, 'fresh.sql', "-- summary: Fresh report, second edit\nSELECT 'v2' AS fresh\n");
		await until(() => ack(h, 'help fresh'), (text) => /second edit/.test(text), FEW_SECONDS, 'fresh v2');
		assert.equal((await run(h, 'fresh')).csv, 'fresh\r\nv2\r\n');
		await bot.waitForOutput((out) => /commands: reloaded .*files changed: fresh\.sql/.test(out.slice(mark)),
			{ timeoutMs: FEW_SECONDS });
		assert.equal(count(bot.output.slice(mark), new RegExp(`warn commands: ${escape(where)}`, 'g')), 1,
			'the fault is logged once');
		const alerts = h.slack.events.filter((ev) => ev.kind === 'message' && ev.seq >= since &&
			ev.channel === ALERTS && (ev.text || '').includes(where));
		assert.equal(alerts.length, 1, 'the admins are told once');
	});

	await t.test('a removed file is dropped within a few seconds', async () => {
		fs.unlinkSync(path.join(dir, 'slowcount.sql'));
		const { ms } = await until(() => ack(h, 'slowcount n=1'), (text) => /There is no command 'slowcount'/.test(text),
			FEW_SECONDS, 'slowcount gone');
		t.diagnostic(`removed: gone after ${ms} ms`);
		assert.match(await ack(h, 'fresh'), /Running/);   // the others stay
	});

	await bot.stop();
});

test('SIGHUP re-reads commands/ at once', async (t) => {
	// polling once an hour: only SIGHUP can apply the edit
	const { h, fx, bot } = await start(t, { REPORTBOT_COMMANDS_POLL_MS: '3600000' });
	await bot.waitForOutput(/watching .*every 3600000 ms/, { timeoutMs: 5000 });
	assert.equal((await run(h, 'hup')).csv, 'hup\r\nv1\r\n');
	save(fx.commandsDir, 'hup.sql', "-- summary: v2\nSELECT 'v2' AS hup, 2 AS n\n");
	assert.equal((await run(h, 'hup')).csv, 'hup\r\nv1\r\n', 'no reload without SIGHUP');

	const mark = bot.output.length;
	bot.kill('SIGHUP');
	await bot.waitForOutput((out) => /commands: re-read \(SIGHUP\) .*files changed: hup\.sql/.test(out.slice(mark)),
		{ timeoutMs: FEW_SECONDS });
	assert.equal((await run(h, 'hup')).csv, 'hup,n\r\nv2,2\r\n');
	assert.equal(bot.running, true, 'SIGHUP does not stop serve');
	const r = await bot.stop();
	assert.equal(r.code, 0);
});

function escape(s) {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
