'use strict';
// Fire precision of scheduled reports (issue 6): how long after its minute
// (in the bot's clock) a `* * * * *` schedule is queued and its file posted,
// with the real timer.
//
// Each round starts the bot with REPORTBOT_CLOCK_OFFSET so its clock reads
// about LEAD_S seconds before a minute boundary; the scheduler sleeps on its
// real timer until then and fires. The data_dir is kept across rounds, so a
// round never re-runs the previous slot (the first round also runs the
// slot of the minute before at once, within the grace; that one is left
// out). Three figures per slot:
//   queued  - the scheduler's own log, "queued N ms after its time"
//   logged  - the log line's wall-clock stamp + offset - slot
//   posted  - the fake Slack's files.completeUploadExternal + offset - slot
// Target: within 1 s of the minute.
// Usage: node bench/schedule/bench.js [ROUNDS]   (REPORTBOT_BIN, default ./reportbot)

const path = require('node:path');
const { startHarness, latencyStats } = require('../../tests/fake-slack/harness');
const { makeFixture, botConfig } = require('../../tests/integration/slack/lib');

const BIN = process.env.REPORTBOT_BIN || './reportbot';
const ROUNDS = Number(process.argv[2] || process.env.ROUNDS || 6);
const LEAD_S = 1.5;
const CHANNEL = 'C0BENCHSCHED';

const fmt = (s) => `p50 ${s.p50.toFixed(0)} ms  p99 ${s.p99.toFixed(0)} ms  max ${s.max.toFixed(0)} ms  (n=${s.count})`;

// "2026-11-25 22:19" (UTC, as the bot logs slots) -> epoch ms
const slotMs = (s) => Date.parse(s.replace(' ', 'T') + ':00Z');

async function main() {
	const h = await startHarness();
	const queued = [], logged = [], posted = [];
	let failed = false;
	try {
		const fx = makeFixture(h);
		const cfg = botConfig(fx, { workers: 2 });
		cfg.schedule = [{ name: 'every-minute', cron: '* * * * *', run: 'monthly acme 2024-11', channel: CHANNEL }];
		let boundary = 0;
		for (let round = 0; round < ROUNDS; round++) {
			// the next minute (bot clock) at least LEAD_S away, after the last one
			const now = Date.now() / 1000;
			boundary = Math.max(boundary + 60, Math.ceil((now + LEAD_S) / 60) * 60);
			const offset = Math.round(boundary - LEAD_S - now);
			const since = h.mark();
			const bot = h.spawnBot({ bin: path.resolve(BIN), config: cfg,
				env: { REPORTBOT_LOG: 'info', REPORTBOT_CLOCK_OFFSET: String(offset) } });
			await h.waitForConnection({ since }, 15000);
			const want = new Date(boundary * 1000).toISOString().slice(0, 16).replace('T', ' ');
			// the fire log for this slot, then every queued run's file (the
			// first round also ran the minute before, at start)
			await bot.waitForOutput(`slot ${want} `, { timeoutMs: 15000 });
			const nq = (bot.output.match(/schedule every-minute: slot .* queued/g) || []).length;
			await h.waitFor(() => h.slack.files.filter((f) => f.seq >= since && f.channel === CHANNEL).length >= nq,
				15000, { since });
			const file = h.slack.files.filter((f) => f.seq >= since && f.channel === CHANNEL).pop();
			const r = await bot.stop();
			if (r.code !== 0)
				throw new Error(`bot exited ${r.code}: ${r.stderr.slice(-1000)}`);
			const re = new RegExp(`^(\\S+) info schedule every-minute: slot ${want} \\S+ attempt 1 of \\d+ queued (-?\\d+) ms after its time`, 'm');
			const m = r.stderr.match(re) || r.stdout.match(re);
			if (!m)
				throw new Error(`no fire log for ${want}:\n${r.stderr.slice(-2000)}`);
			const slot = slotMs(want);
			queued.push(Number(m[2]));
			logged.push(Date.parse(m[1]) + offset * 1000 - slot);
			posted.push(file.time + offset * 1000 - slot);
			console.log(`slot ${want}: queued ${m[2]} ms, logged ${logged[logged.length - 1]} ms, posted ${posted[posted.length - 1]} ms after the minute`);
		}
		const q = latencyStats(queued), p = latencyStats(posted);
		console.log(`fire precision, ${ROUNDS} slots of a * * * * * schedule on the real timer:`);
		console.log(`  queued after the minute: ${fmt(q)}  target < 1000 ms`);
		console.log(`  logged after the minute: ${fmt(latencyStats(logged))}`);
		console.log(`  file posted after the minute: ${fmt(p)}`);
		if (q.max >= 1000 || Math.min(...queued) < 0)
			failed = true;
	} finally {
		await h.close();
	}
	if (failed) {
		console.log('FAILED: a slot was queued early or 1 s or more after its minute');
		process.exitCode = 1;
	}
}

main().catch((e) => { console.error(e); process.exit(1); });
