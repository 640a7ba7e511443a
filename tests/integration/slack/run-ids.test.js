'use strict';
// Ids that never lie (issue 10, item 4). Two processes write one history:
// `serve` answering Slack and CLI `reportbot run`s on the same data_dir.
// Every ack's "run N" must be the history row of that very run (command,
// arguments, user), and `cancel N` from Slack must stop that run. Then: a
// second `serve` on the same data_dir refuses, naming the first; after the
// first is killed with SIGKILL the next one starts (no stale lock).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV } = require('./lib');

// Counts for a very long time on the SQLite source until cancelled.
const SPIN_SQL = [
	'-- summary: counts for a very long time',
	'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000)',
	'SELECT count(*) AS n FROM c',
	'',
].join('\n');

const ALICE = 'U0ALICE0001';
const BOB = 'U0BOB000001';
const CHAN = 'C0FAKECHAN1';

async function start(t, { workers = 2 } = {}) {
	const h = await startHarness();
	t.after(() => h.close());
	const fx = makeFixture(h);
	h.writeFile(fx.commandsDir, 'spin.sql', SPIN_SQL);
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx, { workers }), env: FAST_ENV });
	await h.waitForConnection({ since }, 15000);
	return { h, fx, bot };
}

function sql(fx, query) {
	return execFileSync('sqlite3', [path.join(fx.dir, 'var', 'history.db'), query], { encoding: 'utf8' }).trim();
}

// Polls the condition (bounded) until it holds; fails naming it.
async function until(what, cond, timeoutMs = 15000) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		if (cond())
			return;
		if (Date.now() > end)
			assert.fail(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

// A CLI `reportbot run` on the serve's own config (same data_dir).
async function cliRun(h, bot, args) {
	const p = h.spawnBot({ bin: BIN, args: ['run', ...args], configPath: bot.configPath, env: FAST_ENV });
	const r = await p.exited;
	assert.equal(r.code, 0, `run ${args.join(' ')}: ${r.stderr}`);
}

// Send a slash command; returns {id, command, args, user} from the ack.
async function ask(h, text, user) {
	const a = await h.sendSlashCommand({ text, user, channel: CHAN }).ack;
	const m = a.payload.text.match(/^Running `([a-z0-9_-]+) ?([^`]*)` as run (\d+)/);
	assert.ok(m, `ack of '${text}': ${a.payload.text}`);
	return { id: m[3], command: m[1], args: m[2], user };
}

function rowOf(fx, id) {
	return sql(fx, `SELECT command, args, user FROM runs WHERE id = ${Number(id)}`);
}

test('with CLI runs writing the same history, every ack names its own row and cancel stops it', async (t) => {
	const { h, fx, bot } = await start(t);
	const asked = [];

	// Taking turns: a CLI run, then a Slack run, four times.
	for (let i = 0; i < 4; i++) {
		await cliRun(h, bot, ['monthly', 'beta', `2024-0${i + 1}`]);
		asked.push(await ask(h, `monthly acme 2024-0${i + 1}`, ALICE));
	}
	// At the same time: a loop of CLI runs while Slack commands arrive.
	const loop = (async () => {
		for (let i = 0; i < 4; i++)
			await cliRun(h, bot, ['monthly', 'beta', '2024-11']);
	})();
	for (let i = 0; i < 4; i++)
		asked.push(await ask(h, `monthly customer=acme month=2024-${i + 9}`.replace('-9', '-09'), BOB));
	await loop;

	const ids = asked.map((a) => a.id);
	assert.equal(new Set(ids).size, ids.length, `distinct ids: ${ids.join(' ')}`);
	await until('every Slack run to finish', () =>
		Number(sql(fx, `SELECT count(*) FROM runs WHERE id IN (${ids.join(',')}) AND status = 'ok'`)) === ids.length);
	for (const a of asked)
		assert.equal(rowOf(fx, a.id), `${a.command}|${a.args}|${a.user}`, `history row of run ${a.id}`);
	assert.equal(Number(sql(fx, "SELECT count(*) FROM runs WHERE user = 'cli' AND status = 'ok'")), 8);

	// A slow run from Bob, CLI runs writing around it, another Slack run.
	const spin = await ask(h, 'spin', BOB);
	await cliRun(h, bot, ['monthly', 'beta', '2024-11']);
	const other = await ask(h, 'monthly acme 2024-11', ALICE);
	await until(`run ${spin.id} to be running`, () =>
		sql(fx, `SELECT status FROM runs WHERE id = ${spin.id}`) === 'running');
	assert.equal(rowOf(fx, spin.id), `spin||${BOB}`);
	const since = h.mark();
	const c = await h.sendSlashCommand({ text: `cancel ${spin.id}`, user: BOB, channel: CHAN }).ack;
	assert.match(c.payload.text, new RegExp(`Cancelling run ${spin.id}\\b`));
	await until(`run ${spin.id} to be cancelled`, () =>
		sql(fx, `SELECT status FROM runs WHERE id = ${spin.id}`) === 'cancelled');
	// told to Bob alone, in place of his "Running…" (issue 12)
	await h.waitForResponse({ text: new RegExp(`run ${spin.id}\\b`), since }, 10000);
	await until(`run ${other.id} to finish`, () =>
		sql(fx, `SELECT status FROM runs WHERE id = ${other.id}`) === 'ok');
	assert.equal(rowOf(fx, other.id), `${other.command}|${other.args}|${ALICE}`);

	const r = await bot.stop();
	assert.equal(r.code, 0, r.stderr.slice(-2000));
	// ids set aside and not used are gone; no run was recorded twice
	assert.equal(sql(fx, "SELECT count(*) FROM runs WHERE status = 'reserved'"), '0');
	assert.doesNotMatch(r.stderr, /taken|cannot record/);
});

test('a second serve on one data_dir refuses naming the first; after SIGKILL the next one starts', async (t) => {
	const { h, fx, bot: first } = await start(t);
	const a = await ask(h, 'monthly acme 2024-11', ALICE);

	const second = h.spawnBot({ bin: BIN, configPath: first.configPath, env: FAST_ENV });
	const r2 = await Promise.race([second.exited, new Promise((res) => setTimeout(() => res(null), 15000))]);
	assert.ok(r2, 'the second serve kept running');
	assert.equal(r2.code, 2, r2.stderr);
	assert.match(r2.stderr, new RegExp(`another reportbot serve is running on data_dir '${fx.dir}/var' ` +
		`\\(pid ${first.pid}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d`));
	assert.match(r2.stderr, /serve\.lock/);
	// the first one did not notice
	assert.ok(first.running);
	const b = await ask(h, 'monthly acme 2024-10', ALICE);
	assert.ok(Number(b.id) > Number(a.id));

	// A crash: the lock goes with the process, its reserved ids stay behind.
	await until(`run ${b.id} to finish`, () => sql(fx, `SELECT status FROM runs WHERE id = ${b.id}`) === 'ok');
	first.kill('SIGKILL');
	await first.exited;
	const left = Number(sql(fx, "SELECT coalesce(max(id), 0) FROM runs WHERE status = 'reserved'"));
	assert.ok(left > 0, 'the killed serve left reserved ids');

	const since = h.mark();
	const third = h.spawnBot({ bin: BIN, configPath: first.configPath, env: FAST_ENV });
	await h.waitForConnection({ since }, 15000);
	assert.equal(sql(fx, `SELECT count(*) FROM runs WHERE status = 'reserved' AND id <= ${left}`), '0');
	const c = await ask(h, 'monthly acme 2024-11', BOB);
	assert.ok(Number(c.id) > left, `a new id (${c.id}) after the ones left behind (${left})`);
	await until(`run ${c.id} to finish`, () => sql(fx, `SELECT status FROM runs WHERE id = ${c.id}`) === 'ok');
	assert.equal(rowOf(fx, c.id), `${c.command}|${c.args}|${BOB}`);
	const r3 = await third.stop();
	assert.equal(r3.code, 0, r3.stderr.slice(-2000));
});
