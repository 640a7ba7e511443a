'use strict';
// The load case of issue 4 with a query that really takes 2 s: 20
// `/report sleepy` at once through the fake Slack, 4 workers, each running
// SELECT SLEEP(2) on the throwaway MariaDB. Every envelope is acked within
// 3 s (the network thread never waits on the database) and every report
// is delivered. Run by tests/mysql/run.sh with REPORTBOT_MYSQL_ENV set.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startHarness, latencyStats } = require('../fake-slack/harness');

function serverEnv() {
	const file = process.env.REPORTBOT_MYSQL_ENV;
	assert.ok(file && fs.existsSync(file), 'REPORTBOT_MYSQL_ENV must name the server env file (tests/mysql/run.sh)');
	const env = {};
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		const m = line.match(/^([A-Z_]+)=(.*)$/);
		if (m)
			env[m[1]] = m[2];
	}
	return env;
}

test('20 two-second MariaDB reports at once with 4 workers: acked in 3 s, all delivered', async (t) => {
	const db = serverEnv();
	const h = await startHarness({});
	t.after(() => h.close());
	const dir = h.tempDir('reportbot-mysql-slack-');
	h.writeFile(path.join(dir, 'commands'), 'sleepy.sql',
		'-- summary: two seconds on the server\n-- param: tag int  any number\n' +
		'SELECT :tag AS tag, SLEEP(2) AS slept\n');
	const since = h.mark();
	const bot = h.spawnBot({
		bin: process.env.REPORTBOT_BIN || path.resolve('build/san/reportbot'),
		config: {
			slack: { command: '/report' },
			bot: { commands_dir: path.join(dir, 'commands'), data_dir: path.join(dir, 'var'),
				workers: 4, timezone: 'UTC', default_source: 'main' },
			sources: { main: { driver: 'mysql', host: db.MYSQL_HOST, port: Number(db.MYSQL_PORT),
				user: db.MYSQL_USER, password_env: 'RB_SLOW_DB_PASSWORD', database: db.MYSQL_DATABASE } },
		},
		env: { RB_SLOW_DB_PASSWORD: db.MYSQL_PASSWORD },
	});
	t.after(() => bot.stop());
	await h.waitForConnection({ since }, 15000);

	const t0 = Date.now();
	const sent = [];
	for (let i = 1; i <= 20; i++)
		sent.push(h.sendSlashCommand({ text: `sleepy ${i}`, channel: 'C0FAKECHAN1' }));
	const acks = await Promise.all(sent.map((s) => s.ack));
	const stats = latencyStats(acks.map((a) => a.latencyMs));
	t.diagnostic(`ack latency ms: p50 ${stats.p50.toFixed(1)} p99 ${stats.p99.toFixed(1)} max ${stats.max.toFixed(1)}`);
	for (const a of acks) {
		assert.ok(a.latencyMs < 3000, `ack after ${a.latencyMs} ms`);
		assert.match(a.payload.text, /run \d+/);
	}

	await h.waitFor(() => h.slack.files.filter((f) => f.seq >= since).length >= 20, 60000);
	const took = Date.now() - t0;
	t.diagnostic(`20 reports delivered in ${took} ms`);
	const files = h.slack.files.filter((f) => f.seq >= since);
	const tags = files.map((f) => Number(f.text.split('\r\n')[1].split(',')[0])).sort((a, b) => a - b);
	assert.deepEqual(tags, Array.from({ length: 20 }, (_, i) => i + 1), 'each report delivered once');
	// 4 at a time, 2 s each: about 10 s; serial would be 40 s
	assert.ok(took >= 9500 && took < 30000, `took ${took} ms`);
	const r = await bot.stop();
	assert.equal(r.code, 0, r.stderr.slice(-2000));
});
