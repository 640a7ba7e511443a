'use strict';
// 20 slash commands for a slow report sent at once to 4 workers: every one
// acked within 3 s, every one delivered. The slowness (2 s per report) is
// put where a worker waits without burning CPU on this shared machine:
// files.getUploadURLExternal answers 2 s late, so each worker is busy
// for 2 s per report exactly as with a slow query (with a MariaDB source,
// `SELECT SLEEP(2)` gives the same shape).

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, expectedCsv, historyOf } = require('./lib');
const { latencyStats } = require('../../fake-slack/harness');

test('20 slow reports at once with 4 workers: acked in 3 s, all delivered', async (t) => {
	const { h, fx, bot } = await startBot(t, { config: { workers: 4 } });
	const slack = h.slack;
	const since = h.mark();
	slack.delayNext('files.getUploadURLExternal', 2000, { count: 20 });
	const t0 = Date.now();
	const sent = [];
	for (let i = 0; i < 20; i++)
		sent.push(h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' }));
	const acks = await Promise.all(sent.map((s) => s.ack));
	const stats = latencyStats(acks.map((a) => a.latencyMs));
	t.diagnostic(`ack latency ms: p50 ${stats.p50.toFixed(1)} p99 ${stats.p99.toFixed(1)} max ${stats.max.toFixed(1)}`);
	for (const a of acks) {
		assert.ok(a.latencyMs < 3000, `ack after ${a.latencyMs} ms`);
		assert.match(a.payload.text, /run \d+/);
	}
	const ids = new Set(acks.map((a) => a.payload.text.match(/run (\d+)/)[1]));
	assert.equal(ids.size, 20, 'twenty distinct runs');

	await h.waitFor(() => slack.files.filter((f) => f.seq >= since).length >= 20, 40000);
	const took = Date.now() - t0;
	t.diagnostic(`20 reports delivered in ${took} ms`);
	const files = slack.files.filter((f) => f.seq >= since);
	assert.equal(files.length, 20);
	for (const f of files)
		assert.equal(f.text, expectedCsv('acme', '2024-11'));
	// 4 at a time, 2 s each: about 10 s, never serial (40 s)
	assert.ok(took >= 9500 && took < 30000, `took ${took} ms`);

	const r = await bot.stop();
	assert.equal(r.code, 0, r.stderr.slice(-2000));
	const hist = historyOf(fx);
	for (const id of ids)
		assert.match(hist, new RegExp(`VALUES\\(${id},'monthly'.*'ok'`));
});

test('a full queue is told to the person, not dropped', async (t) => {
	const { h, bot } = await startBot(t, { config: { workers: 1, extra: { queue_size: 2 } } });
	const slack = h.slack;
	const since = h.mark();
	slack.delayNext('files.getUploadURLExternal', 1500, { count: 3 });
	const sent = [];
	for (let i = 0; i < 5; i++)
		sent.push(h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' }));
	const acks = await Promise.all(sent.map((s) => s.ack));
	const queued = acks.filter((a) => /run \d+/.test(a.payload.text));
	const busy = acks.filter((a) => /busy/.test(a.payload.text));
	assert.equal(queued.length + busy.length, 5, acks.map((a) => a.payload.text).join(' | '));
	assert.ok(busy.length >= 1, 'someone was told the bot is busy');
	assert.ok(queued.length >= 2);
	await h.waitFor(() => slack.files.filter((f) => f.seq >= since).length >= queued.length, 20000);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});
