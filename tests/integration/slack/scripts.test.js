'use strict';
// Script reports from Slack (issue 15): a script's CSV is posted like a
// SQL report's (params in argv and REPORT_*, no token in its environment),
// a failing script is told with its exit status and the redacted end of
// its stderr, cancel ends its whole process group (a grandchild that
// ignores SIGTERM included), a schedule runs one, and 100k rows stream.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, BOM, makeFixture, botConfig, FAST_ENV, secrets, historyOf, postText } = require('./lib');

const CHAN = 'C0FAKECHAN1';
const DB_PASSWORD = 'hunter2-slack-db-secret';

// Every script of these tests; `token` is written into fail.sh so it can
// print it to stderr (a script never receives it).
function scripts(token, pidDir) {
	return {
		'dump.py': [
			'#!/usr/bin/python3',
			'# summary: What a script is given',
			'# param: who string someone',
			'# param: month month=last the month',
			'# env: PROBE_VAR',
			'import csv, os, sys',
			'w = csv.writer(sys.stdout)',
			'w.writerow(["kind", "name", "value"])',
			'for i, a in enumerate(sys.argv[1:]):',
			'    w.writerow(["argv", str(i + 1), a])',
			'for k in sorted(os.environ):',
			'    w.writerow(["env", k, os.environ[k]])',
			'',
		].join('\n'),
		'fail.sh': [
			'#!/bin/sh',
			'# summary: Fails after a row, printing secrets to stderr',
			'echo "a,b"',
			'echo "1,2"',
			`echo "auth with ${token} and ${DB_PASSWORD} refused" >&2`,
			'exit 3',
			'',
		].join('\n'),
		'waits.sh': [
			'#!/bin/sh',
			'# summary: Waits to be cancelled, with a grandchild that ignores SIGTERM',
			'echo "a"',
			`sh -c 'trap "" TERM; echo $$ > ${pidDir}/gc.tmp; mv ${pidDir}/gc.tmp ${pidDir}/gc.pid; exec sleep 60' &`,
			'sleep 60',
			'',
		].join('\n'),
		'rows.py': [
			'#!/usr/bin/python3',
			'# summary: n rows',
			'# param: n int(1..) how many',
			'import sys',
			'n = int(sys.argv[1].split("=", 1)[1])',
			'out = sys.stdout',
			'out.write("id,label\\n")',
			'for i in range(n):',
			'    out.write("%d,row %d\\n" % (i, i))',
			'',
		].join('\n'),
	};
}

async function start(t, { schedule, offset } = {}) {
	const h = await startHarness({});
	t.after(() => h.close());
	const token = secrets(h)[0];
	const pidDir = h.tempDir('reportbot-scripts-pid-');
	const fx = makeFixture(h, scripts(token, pidDir));
	for (const f of fs.readdirSync(fx.commandsDir))
		if (!f.endsWith('.sql'))
			fs.chmodSync(path.join(fx.commandsDir, f), 0o755);
	const cfg = botConfig(fx, { workers: 2 });
	cfg.sources.pg = { driver: 'mysql', host: '127.0.0.1', user: 'u', database: 'd', password_env: 'TEST_SLACK_DB_PASSWORD' };
	if (schedule)
		cfg.schedule = [schedule];
	const since = h.mark();
	const env = { ...FAST_ENV, REPORTBOT_LOG: 'info', PROBE_VAR: 'probe', TEST_SLACK_DB_PASSWORD: DB_PASSWORD,
		REPORTBOT_SCRIPT_GRACE_MS: '300' };
	if (offset !== undefined)
		env.REPORTBOT_CLOCK_OFFSET = String(offset);
	const bot = h.spawnBot({ bin: BIN, config: cfg, env });
	await h.waitForConnection({ since }, 15000);
	return { h, fx, bot, pidDir, token };
}

// The rows of a CSV without quoted newlines (what dump.py prints here).
function rowsOf(text) {
	return text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean).map((l) => l.split(','));
}

async function until(cond, ms, what) {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

test('script reports in Slack', async (t) => {
	const { h, fx, pidDir, token } = await start(t);

	await t.test('a script report is posted like a SQL report, with its params and no secret', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'dump "two words" 2024-11', channel: CHAN });
		assert.match((await ack).payload.text, /run \d+/);
		const file = await h.waitForFile({ channel: CHAN, since }, 15000);
		assert.ok(file.text.startsWith(BOM + 'kind,name,value\r\n'), file.text.slice(0, 40));
		const rows = rowsOf(file.text);
		const argv = rows.filter((r) => r[0] === 'argv').map((r) => r[2]);
		assert.deepEqual(argv, ['--who=two words', '--month=2024-11']);
		const env = Object.fromEntries(rows.filter((r) => r[0] === 'env').map((r) => [r[1], r[2]]));
		assert.equal(env.REPORT_WHO, 'two words');
		assert.equal(env.REPORT_MONTH_START, '2024-11-01');
		assert.equal(env.REPORT_MONTH_END, '2024-12-01');
		assert.equal(env.TZ, 'UTC');
		assert.equal(env.PROBE_VAR, 'probe');
		for (const name of Object.keys(env))
			assert.match(name, /^(PATH|HOME|LANG|TZ|PROBE_VAR|REPORT_[A-Z_]+)$/, `unexpected ${name}`);
		for (const s of [...secrets(h), DB_PASSWORD])
			assert.ok(!file.text.includes(s), 'a secret reached the script');
		assert.match(postText(file), /dump/);
		assert.match(postText(file), /rows/);
	});

	await t.test('help shows a script report like any other', async () => {
		const { ack } = h.sendSlashCommand({ text: 'help dump', channel: CHAN });
		const a = await ack;
		assert.match(a.payload.text, /What a script is given/);
		assert.match(a.payload.text, /who/);
	});

	await t.test('a failing script is told with its exit status and redacted stderr', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'fail', channel: CHAN });
		const id = (await ack).payload.text.match(/run (\d+)/)[1];
		// to the asker alone, in place of "Running…" (issue 12)
		const msg = await h.waitForResponse({ text: /fail\.sh exited with status 3/, replace: true, since }, 15000);
		msg.text = msg.json.text;
		assert.match(msg.text, /auth with \[redacted\] and \[redacted\] refused/);
		assert.ok(!msg.text.includes(token) && !msg.text.includes(DB_PASSWORD));
		await until(() => new RegExp(`\\(${id},'fail'.*'error'`).test(historyOf(fx)), 15000, 'the error recorded');
		assert.ok(!historyOf(fx).includes(DB_PASSWORD));
		assert.equal(h.slack.files.filter((f) => f.seq >= since).length, 0, 'nothing was posted');
	});

	await t.test('cancel ends the script and its grandchild', async () => {
		const { ack } = h.sendSlashCommand({ text: 'waits', channel: CHAN });
		const id = (await ack).payload.text.match(/run (\d+)/)[1];
		const pidFile = path.join(pidDir, 'gc.pid');
		await until(() => fs.existsSync(pidFile), 15000, 'the grandchild to start');
		const gc = Number(fs.readFileSync(pidFile, 'utf8'));
		assert.ok(alive(gc));
		const c = h.sendSlashCommand({ text: `cancel ${id}`, channel: CHAN });
		assert.match((await c.ack).payload.text, new RegExp(`Cancelling run ${id}`));
		await until(() => new RegExp(`\\(${id},'waits'.*'cancelled'`).test(historyOf(fx)), 15000, 'the cancel recorded');
		assert.equal(alive(gc), false, `grandchild ${gc} outlived the cancel`);
	});

	await t.test('100k rows from a script stream into one upload', async () => {
		const since = h.mark();
		h.sendSlashCommand({ text: 'rows 100000', channel: CHAN });
		const file = await h.waitForFile({ channel: CHAN, since }, 60000);
		const lines = file.text.split('\r\n');
		assert.equal(lines[0], BOM + 'id,label');
		assert.equal(lines[100000], '99999,row 99999');
		assert.match(postText(file), /100,000 rows|100000 rows/);
	});
});

test('a schedule runs a script report', async (t) => {
	const LEAD = 2.5;
	const now = Date.now() / 1000;
	const fireAt = Math.ceil((now + LEAD) / 60) * 60;
	const minute = new Date(fireAt * 1000).getUTCMinutes();
	const offset = Math.round(fireAt - LEAD - Date.now() / 1000);
	const { h } = await start(t, {
		offset,
		schedule: { name: 'dump-monthly', cron: `${minute} * * * *`, run: 'dump scheduled 2024-10', channel: 'C0SCHED0001' },
	});
	const file = await h.waitForFile({ channel: 'C0SCHED0001' }, 30000);
	const rows = rowsOf(file.text);
	assert.deepEqual(rows.filter((r) => r[0] === 'argv').map((r) => r[2]), ['--who=scheduled', '--month=2024-10']);
	assert.match(postText(file), /dump-monthly|dump/);
});
