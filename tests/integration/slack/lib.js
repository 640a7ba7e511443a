'use strict';
// Shared fixtures for the Slack integration tests: a throwaway SQLite
// source, a commands/ dir, a config, and a bot spawned against the fake.
// Run from the repo root: node --test tests/integration/slack/

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startHarness } = require('../../fake-slack/harness');

const BIN = process.env.REPORTBOT_BIN || './build/san/reportbot';

// Rows of the `usage` table; the CSV the bot posts must equal them.
const USAGE = [
	['acme', '2024-10-31', 9],
	['acme', '2024-11-01', 3],
	['acme', '2024-11-02', 5],
	['acme', '2024-11-30', 7],
	['beta', '2024-11-01', 1],
	['acme', '2024-12-01', 2],
];

const COMMANDS = {
	'monthly.sql': [
		'-- summary: Daily usage of one customer over a month',
		'-- param: customer string        Customer slug, e.g. acme',
		'-- param: month month=last       Month as YYYY-MM, or this / last',
		'-- filename: usage-{customer}-{month}.csv',
		'SELECT day, events FROM usage',
		'WHERE customer = :customer AND day >= :month_start AND day < :month_end',
		'ORDER BY day',
		'',
	].join('\n'),
	'restricted.sql': [
		'-- summary: Only in the finance channel',
		'-- channels: C0FINANCE01',
		'SELECT count(*) AS n FROM usage',
		'',
	].join('\n'),
	'bignums.sql': [
		'-- summary: Many rows, to check the upload streams',
		'-- param: n int=300000            How many rows',
		'WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n)',
		'SELECT i, i * 2 AS twice, printf(\'row %d, "quoted"\', i) AS label FROM seq',
		'',
	].join('\n'),
	'echo.sql': [
		'-- summary: Says back the text it was given',
		'-- param: text string             Any text',
		'SELECT :text AS said',
		'',
	].join('\n'),
	'echo_broken.sql': [
		'-- summary: Fails, with the text it was given in its arguments',
		'-- param: text string             Any text',
		'SELECT :text AS said FROM no_such_table',
		'',
	].join('\n'),
	'nobom.sql': [
		'-- summary: A CSV for a program that does not skip a BOM',
		'-- bom: false',
		'SELECT count(*) AS n FROM usage',
		'',
	].join('\n'),
	'broken.sql': [
		'-- summary: Reads a table that does not exist',
		'SELECT * FROM no_such_table',
		'',
	].join('\n'),
};

// Every CSV starts with a UTF-8 BOM by default ([output] bom = true), so
// Excel on a Japanese Windows machine reads it as UTF-8.
const BOM = '\uFEFF';

// The CSV a person receives for `monthly CUSTOMER MONTH`, BOM first.
function expectedCsv(customer, month) {
	const rows = USAGE.filter(([c, d]) => c === customer && d.startsWith(month));
	return BOM + 'day,events\r\n' + rows.map(([, d, n]) => `${d},${n}\r\n`).join('');
}

// A directory with data.db and commands/; returns {dir, db, commandsDir}.
function makeFixture(h, extraCommands = {}) {
	const dir = h.tempDir('reportbot-slack-');
	const db = path.join(dir, 'data.db');
	const sql = ['CREATE TABLE usage (customer TEXT, day TEXT, events INTEGER);']
		.concat(USAGE.map(([c, d, n]) => `INSERT INTO usage VALUES ('${c}', '${d}', ${n});`))
		.join('\n');
	execFileSync('sqlite3', [db], { input: sql });
	const commandsDir = path.join(dir, 'commands');
	for (const [name, text] of Object.entries({ ...COMMANDS, ...extraCommands }))
		h.writeFile(commandsDir, name, text);
	return { dir, db, commandsDir };
}

function botConfig(fx, { workers = 4, grace = 10, extra = {}, output } = {}) {
	return {
		...(output ? { output } : {}),
		slack: { command: '/report' },
		bot: {
			commands_dir: fx.commandsDir,
			data_dir: path.join(fx.dir, 'var'),
			workers,
			timezone: 'UTC',
			default_source: 'main',
			shutdown_grace: grace,
			...extra,
		},
		sources: { main: { driver: 'sqlite', path: fx.db } },
	};
}

// Short timers so resilience cases finish in seconds.
const FAST_ENV = {
	REPORTBOT_PING_INTERVAL_MS: '200',
	REPORTBOT_DEAD_AFTER_MS: '1500',
	REPORTBOT_RECONNECT_MIN_MS: '100',
	REPORTBOT_RECONNECT_MAX_MS: '1000',
	REPORTBOT_HTTP_BACKOFF_MS: '50',
	REPORTBOT_CLOSE_TIMEOUT_MS: '300',
	REPORTBOT_LOG: 'debug',
};

// Start a fake Slack and a bot connected to it.
async function startBot(t, { harness = {}, config = {}, env = {}, commands = {} } = {}) {
	const h = await startHarness(harness);
	t.after(() => h.close());
	const fx = makeFixture(h, commands);
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx, config), env: { ...FAST_ENV, ...env } });
	await h.waitForConnection({ since }, 15000);
	return { h, fx, bot };
}

// Every secret the fake knows, to grep for.
function secrets(h) {
	return [h.slack.options.botToken, h.slack.options.appToken].filter(Boolean);
}

function historyOf(fx) {
	const db = path.join(fx.dir, 'var', 'history.db');
	if (!fs.existsSync(db))
		return '';
	return execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8' });
}

// The words of a result post (issue 12): every text object of its blocks
// (section, context) joined by newlines, as a person reads them; '' when
// the event has no blocks. ev: a 'file' or 'message' event.
function postText(ev) {
	const out = [];
	for (const b of (ev && ev.blocks) || []) {
		if (b.text && typeof b.text.text === 'string')
			out.push(b.text.text);
		for (const e of b.elements || [])
			if (e && typeof e.text === 'string')
				out.push(e.text);
	}
	return out.join('\n');
}

// The block of type `type` in a post, or undefined.
function blockOf(ev, type) {
	return ((ev && ev.blocks) || []).find((b) => b.type === type);
}

module.exports = { postText, blockOf, BIN, USAGE, BOM, expectedCsv, makeFixture, botConfig, startBot, FAST_ENV, secrets, historyOf };
