'use strict';
// bench/soak/soak.js: the long soak of issue 11. The release `reportbot
// serve` against the loopback fake Slack, on a throwaway data_dir with the
// demo SQLite data, for SOAK_SECONDS (default 600):
//   - a slash command every 3 s from three users in two channels: most
//     reports normal, some failing (an unknown column, a timeout, a bad
//     argument), some cancelled (`cancel ID` once a slow report started);
//   - every 30 s the fake Slack closes the socket, in turn: a `disconnect`
//     (refresh_requested), a clean close from its side, an abrupt TCP drop.
//     Reconnecting is the bot's job. An envelope left unacked on a closed
//     socket is redelivered with retry_attempt + 1, as Slack does;
//   - VmRSS of the serve process from /proc/PID/status every 30 s.
// At the end each request is matched, by its run id, to its outcome in the
// fake Slack's records and in `reportbot history`, and the promises are
// checked (README.md beside this file). Prints a table; exit 1 when any
// promise is broken, 2 when the soak could not run.
// Usage: node bench/soak/soak.js   (REPORTBOT_BIN, default ./reportbot;
// SOAK_SECONDS, default 600; SOAK_DB, default demo/demo.db;
// SOAK_CLOSE_SECONDS, default 30, only to try the checks out faster)

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startHarness, latencyStats } = require('../../tests/fake-slack/harness');

const BIN = path.resolve(process.env.REPORTBOT_BIN || './reportbot');
const SECONDS = Number(process.env.SOAK_SECONDS || 600);
const DB = path.resolve(process.env.SOAK_DB || 'demo/demo.db');
const REQUEST_EVERY_MS = 3000;
const CLOSE_EVERY_MS = Number(process.env.SOAK_CLOSE_SECONDS || 30) * 1000;
const RSS_EVERY_MS = 30000;
const WARMUP_MS = Math.min(120000, Math.max(RSS_EVERY_MS, Math.floor(SECONDS * 1000 / 2 / RSS_EVERY_MS) * RSS_EVERY_MS));
const RSS_FACTOR = 1.2;
const WORKERS = 4;
const DRAIN_MS = 120000;         // after the last request, for every outcome
const RECONNECT_MS = 20000;      // a closed socket must be replaced within this

const USERS = ['U0SOAKUSER1', 'U0SOAKUSER2', 'U0SOAKUSER3'];
const CHANNELS = ['C0SOAKCHAN1', 'C0SOAKCHAN2'];

// The soak's own reports, beside copies of the demo's commands/*.sql.
const SOAK_COMMANDS = {
	// about 3.5 days of counting: only a cancel (or the 5 min timeout) ends it
	'slow.sql': [
		'-- summary: A report that takes far too long (soak: cancelled)',
		'-- timeout: 300',
		'WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000000000000)',
		'SELECT count(*) AS n FROM c',
		'',
	].join('\n'),
	'too-slow.sql': [
		'-- summary: A report slower than its timeout (soak: times out)',
		'-- timeout: 2',
		'WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000000000000)',
		'SELECT count(*) AS n FROM c',
		'',
	].join('\n'),
	'broken.sql': [
		'-- summary: Reads a column that does not exist (soak: fails)',
		'SELECT day, no_such_column FROM events LIMIT 10',
		'',
	].join('\n'),
};

// One slot per request, in turn. expect: ok (a file), error / timeout /
// cancelled (a message naming the run), mistake (answered in the ack, no run).
const MIX = [
	{ expect: 'ok', text: 'monthly acme' },
	{ expect: 'ok', text: 'usage-all' },
	{ expect: 'ok', text: 'wau 12 team' },
	{ expect: 'error', text: 'broken' },
	{ expect: 'ok', text: 'customers acme,globex' },
	{ expect: 'cancelled', text: 'slow' },
	{ expect: 'ok', text: 'north-star yesterday' },
	{ expect: 'timeout', text: 'too-slow' },
	{ expect: 'mistake', text: ['monthly acme 2024-13', 'wau 99', 'mothly acme', 'north-star'] },
	{ expect: 'ok', text: 'monthly globex last' },
];
const KINDS = [
	['ok', 'report, normal'],
	['error', 'unknown column'],
	['timeout', 'timeout'],
	['cancelled', 'cancelled'],
	['cancel', '`cancel ID`'],
	['mistake', 'bad argument'],
];
// the words of bot/slack-delivery.c for a run that did not end ok
const TOLD = { error: 'failed', timeout: 'timed out', cancelled: 'was cancelled' };

const mb = (kb) => (kb / 1024).toFixed(1);
const clock = (ms) => `${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

function vmRssKb(pid) {
	try {
		const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
		return m ? Number(m[1]) : null;
	} catch {
		return null;
	}
}

function makeSetup(h) {
	const dir = h.tempDir('reportbot-soak-');
	const commandsDir = path.join(dir, 'commands');
	fs.mkdirSync(commandsDir);
	for (const f of fs.readdirSync('commands').filter((n) => n.endsWith('.sql')))
		fs.copyFileSync(path.join('commands', f), path.join(commandsDir, f));
	for (const [name, text] of Object.entries(SOAK_COMMANDS))
		h.writeFile(commandsDir, name, text);
	const config = {
		slack: { command: '/report' },
		bot: {
			commands_dir: commandsDir,
			data_dir: path.join(dir, 'var'),
			workers: WORKERS,
			timezone: 'UTC',
			default_source: 'demo',
			shutdown_grace: 10,
		},
		sources: { demo: { driver: 'sqlite', path: DB } },
	};
	return { dir, config, configPath: h.writeConfig(config, { dir }) };
}

// Resolves when cond() holds, checked now and after every fake Slack event
// and every chunk of bot output; rejects after timeoutMs.
function until(h, bot, cond, timeoutMs, what) {
	if (cond())
		return Promise.resolve();
	return new Promise((resolve, reject) => {
		const check = () => {
			if (cond()) {
				done();
				resolve();
			}
		};
		const done = () => {
			clearTimeout(timer);
			h.slack.off('event', check);
			bot.off('output', check);
		};
		const timer = setTimeout(() => {
			done();
			reject(new Error(`soak: ${what} did not happen within ${timeoutMs} ms`));
		}, timeoutMs);
		h.slack.on('event', check);
		bot.on('output', check);
	});
}

async function main() {
	if (!(SECONDS >= 60))
		throw new Error(`SOAK_SECONDS=${process.env.SOAK_SECONDS}: use 60 or more (the RSS rule needs a sample after warm-up)`);
	if (!fs.existsSync(DB))
		throw new Error(`${DB} is missing; run demo/make-db.sh (make demo builds it)`);
	const h = await startHarness();
	const slack = h.slack;
	const broken = [];
	try {
		const setup = makeSetup(h);
		const requests = [];              // every slash command sent, in order
		const byEnvelope = new Map();     // envelope_id -> request
		const outcomes = new Map();       // run id -> [{how, status, text}]
		const startedLogs = new Map();    // run id -> "started" log lines seen
		const redelivered = [];           // envelope ids sent again after a close
		const closes = [];                // {how, connId, at, helloAfterMs}
		const rss = [];                   // {at, kb}

		// --- records, as they come ---
		slack.on('ack', (ev) => {
			const r = byEnvelope.get(ev.envelopeId);
			if (!r)
				return;
			r.acks.push(ev);
			if (r.acks.length > 1)
				return;
			r.ackText = ev.payload && typeof ev.payload.text === 'string' ? ev.payload.text : '';
			const m = r.ackText.match(/ as run (\d+);/);
			r.runId = m ? Number(m[1]) : null;
			r.emitter?.();
		});
		const addOutcome = (runId, o) => {
			if (!outcomes.has(runId))
				outcomes.set(runId, []);
			outcomes.get(runId).push(o);
		};
		slack.on('file', (ev) => {
			const m = (ev.comment || '').match(/\(run (\d+)[,)]/);
			if (m)
				addOutcome(Number(m[1]), { how: 'file', status: 'ok', channel: ev.channel, text: ev.comment });
		});
		// "`broken` failed (run 7): …", or "`monthly` (run 8) finished with
		// 3 rows, but the CSV could not be posted: …" (told, recorded error)
		const toldOf = (text) => {
			let m = (text || '').match(/ (failed|timed out|was cancelled) \(run (\d+)\): /);
			if (m)
				return { runId: Number(m[2]), status: Object.keys(TOLD).find((k) => TOLD[k] === m[1]) };
			m = (text || '').match(/\(run (\d+)\) finished with \d+ rows, but the CSV could not be posted: /);
			return m ? { runId: Number(m[1]), status: 'error' } : null;
		};
		slack.on('message', (ev) => {
			const t = toldOf(ev.text);
			if (t)
				addOutcome(t.runId, { how: ev.ephemeral ? 'ephemeral' : 'message', status: t.status, channel: ev.channel, text: ev.text });
		});
		slack.on('response_url', (ev) => {
			const t = toldOf(ev.text);
			if (t)
				addOutcome(t.runId, { how: 'response_url', status: t.status, text: ev.text });
		});
		// Slack retries an envelope that was not acked: when a socket
		// closes, each envelope last sent on it and still unacked goes again.
		slack.on('close', (ev) => {
			for (const r of requests) {
				const rec = slack.envelopes.get(r.envelopeId);
				const last = rec && rec.deliveries[rec.deliveries.length - 1];
				if (!last || last.connId !== ev.connId)
					continue;
				if (r.acks.some((a) => a.time >= last.time))
					continue;
				redelivered.push(r.envelopeId);
				slack.redeliver(r.envelopeId, { retryAttempt: rec.deliveries.length });
			}
		});

		// --- the bot ---
		let since = h.mark();
		const bot = h.spawnBot({ bin: BIN, configPath: setup.configPath, env: { REPORTBOT_LOG: 'info' } });
		let partial = '';
		bot.on('output', (stream, chunk) => {
			if (stream !== 'stderr')
				return;
			const lines = (partial + chunk).split('\n');
			partial = lines.pop();
			for (const line of lines) {
				const m = line.match(/ run (\d+): \S+ .*started on worker/);
				if (m)
					startedLogs.set(Number(m[1]), (startedLogs.get(Number(m[1])) || 0) + 1);
			}
		});
		await h.waitForConnection({ since }, 15000);
		const t0 = Date.now();
		const sampleRss = () => {
			const kb = vmRssKb(bot.pid);
			if (kb !== null)
				rss.push({ at: Date.now() - t0, kb });
		};
		sampleRss();
		const rssTimer = setInterval(sampleRss, RSS_EVERY_MS);

		// --- the socket closed every 30 s ---
		const CLOSE_WAYS = ['disconnect', 'close', 'terminate'];
		let closing = Promise.resolve();
		const closeTimer = setInterval(() => {
			const open = slack.activeConnections().filter((c) => c.helloSent && !c.draining);
			const how = CLOSE_WAYS[closes.length % CLOSE_WAYS.length];
			if (!open.length) {
				closes.push({ how, connId: null, at: Date.now() - t0, helloAfterMs: null, skipped: true });
				return;
			}
			const c = open[open.length - 1];
			const rec = { how, connId: c.id, at: Date.now() - t0, helloAfterMs: null };
			closes.push(rec);
			const mark = h.mark();
			const t = performance.now();
			if (how === 'disconnect')
				slack.sendDisconnect('refresh_requested', { conn: c });
			else if (how === 'close')
				slack.closeConnection(c, 1000, '');
			else
				slack.terminate(c);
			closing = h.waitForConnection({ since: mark }, RECONNECT_MS).then(
				(hello) => { rec.helloAfterMs = hello.hr - t; },
				() => { rec.helloAfterMs = null; });
		}, CLOSE_EVERY_MS);

		// --- a request every 3 s ---
		const send = (text, expect, i, extra = {}) => {
			const user = USERS[i % USERS.length];
			const channel = CHANNELS[i % CHANNELS.length];
			const r = { i, text, expect, user, channel, acks: [], ackText: null, runId: null, sentAt: Date.now() - t0, ...extra };
			requests.push(r);
			const sent = slack.sendSlashCommand({ text, user, channel, userName: user.toLowerCase() });
			r.envelopeId = sent.envelopeId;
			sent.ack.catch(() => {});   // acks are read from the records
			byEnvelope.set(sent.envelopeId, r);
			return r;
		};
		const cancels = [];
		// Once the slow run is logged as started, `cancel ID` by the same person.
		const cancelWhenStarted = async (r) => {
			await until(h, bot, () => r.acks.length > 0, 60000, `the ack of request ${r.i}`);
			if (r.runId === null)
				return;
			await until(h, bot, () => startedLogs.has(r.runId), 60000, `the start of run ${r.runId}`)
				.catch(() => {});   // cancelled while queued is fine too
			const c = send(`cancel ${r.runId}`, 'cancel', r.i, { target: r.runId });
			cancels.push(c);
		};
		const pending = [];
		const ticks = Math.floor(SECONDS * 1000 / REQUEST_EVERY_MS);
		await new Promise((resolve) => {
			let i = 0;
			const tick = () => {
				const slot = MIX[i % MIX.length];
				const text = Array.isArray(slot.text)
					? slot.text[Math.floor(i / MIX.length) % slot.text.length] : slot.text;
				const r = send(text, slot.expect, i);
				if (slot.expect === 'cancelled')
					pending.push(cancelWhenStarted(r).catch((e) => { r.cancelError = e.message; }));
				if (++i >= ticks) {
					clearInterval(timer);
					resolve();
				}
			};
			tick();
			const timer = setInterval(tick, REQUEST_EVERY_MS);
		});
		clearInterval(closeTimer);
		await closing;
		await Promise.all(pending);
		const requestsDoneAt = Date.now() - t0;

		// --- drain: every request acked, every run told ---
		const settled = (r) => r.acks.length > 0 && (r.runId === null || (outcomes.get(r.runId) || []).length > 0);
		await until(h, bot, () => requests.every(settled), DRAIN_MS, 'an ack and an outcome for every request')
			.catch((e) => broken.push(e.message));
		const drainedAt = Date.now() - t0;
		sampleRss();
		clearInterval(rssTimer);

		since = h.mark();
		const stopped = await bot.stop({ timeoutMs: 30000 });
		if (stopped.code !== 0 || stopped.killed)
			broken.push(`serve did not stop cleanly on SIGTERM: exit ${stopped.code}, signal ${stopped.signal}`);
		const stats = stopped.stderr.match(/slack: (\d+) connections?, (\d+) envelopes \((\d+) duplicates\)/);

		// --- the history, as `reportbot history` prints it ---
		const histText = execFileSync(BIN, ['-c', setup.configPath, 'history', '-n', '10000'], { encoding: 'utf8' });
		const history = new Map();
		let historyRows = 0;
		for (const line of histText.split('\n')) {
			const m = line.match(/^#(\d+)  \S+ \S+  (\S+) (.*?)  (queued|running|ok|error|timeout|cancelled|skipped|interrupted)\b/);
			if (!m)
				continue;
			historyRows++;
			const id = Number(m[1]);
			history.set(id, { command: m[2], args: m[3], status: m[4], count: (history.get(id)?.count || 0) + 1 });
		}

		// --- the promises ---
		const table = new Map(KINDS.map(([k]) => [k, { requested: 0, acked: 0, delivered: 0, told: 0, toldAtAck: 0, missing: 0, wrong: 0, dup: 0 }]));
		const runIds = new Map();         // run id -> request
		const problems = [];
		for (const r of requests) {
			const row = table.get(r.expect);
			row.requested++;
			if (!r.acks.length) {
				row.missing++;
				problems.push(`request ${r.i} (${r.text}, envelope ${r.envelopeId}): never acked`);
				continue;
			}
			row.acked++;
			const texts = new Set(r.acks.map((a) => a.payload?.text));
			if (texts.size > 1) {
				row.dup++;
				problems.push(`request ${r.i} (${r.text}): its redeliveries were answered differently: ${[...texts].join(' | ')}`);
			}
			if (r.expect === 'mistake' || r.expect === 'cancel') {
				// answered in the ack; no run may come of it
				const want = r.expect === 'cancel' ? new RegExp(`^Cancelling run ${r.target}\\.`) : /\S/;
				if (r.runId !== null || !want.test(r.ackText)) {
					row.wrong++;
					problems.push(`request ${r.i} (${r.text}): ack "${r.ackText}"`);
				} else {
					row.toldAtAck++;
				}
				continue;
			}
			if (r.runId === null) {
				row.wrong++;
				problems.push(`request ${r.i} (${r.text}): ack gives no run id: "${r.ackText}"`);
				continue;
			}
			if (runIds.has(r.runId)) {
				row.dup++;
				problems.push(`run ${r.runId} was given to two requests (${runIds.get(r.runId).i} and ${r.i})`);
			}
			runIds.set(r.runId, r);
			const outs = outcomes.get(r.runId) || [];
			if (!outs.length) {
				row.missing++;
				problems.push(`run ${r.runId} (${r.text}): no file and no message`);
				continue;
			}
			if (outs.length > 1) {
				row.dup++;
				problems.push(`run ${r.runId} (${r.text}): posted ${outs.length} times (${outs.map((o) => o.how).join(', ')})`);
			}
			const o = outs[0];
			if (o.status === 'ok')
				row.delivered++;
			else
				row.told++;
			if (o.status !== r.expect) {
				row.wrong++;
				problems.push(`run ${r.runId} (${r.text}): expected ${r.expect}, got ${o.status}: ${o.text}`);
			} else if (o.channel !== undefined && o.channel !== r.channel) {
				row.wrong++;
				problems.push(`run ${r.runId} (${r.text}): answered in ${o.channel}, asked in ${r.channel}`);
			}
			const hist = history.get(r.runId);
			if (!hist) {
				row.wrong++;
				problems.push(`run ${r.runId} (${r.text}): not in \`reportbot history\``);
			} else if (hist.status !== o.status || hist.command !== r.text.split(' ')[0]) {
				row.wrong++;
				problems.push(`run ${r.runId} (${r.text}): history says ${hist.command} ${hist.status}, Slack was told ${o.status}`);
			}
			if ((startedLogs.get(r.runId) || 0) > 1) {
				row.dup++;
				problems.push(`run ${r.runId}: started ${startedLogs.get(r.runId)} times`);
			}
		}
		const extraRuns = [...history.keys()].filter((id) => !runIds.has(id));
		if (extraRuns.length)
			problems.push(`runs in the history that no request was given: ${extraRuns.join(', ')}`);
		if (historyRows !== history.size)
			problems.push(`the history lists a run id twice (${historyRows} rows, ${history.size} ids)`);
		const strayOutcomes = [...outcomes.keys()].filter((id) => !runIds.has(id));
		if (strayOutcomes.length)
			problems.push(`files or messages for runs nobody asked for: ${strayOutcomes.join(', ')}`);

		// RSS: flat after warm-up
		const warm = rss.find((s) => s.at >= WARMUP_MS - 1000);
		const after = warm ? rss.filter((s) => s.at >= warm.at) : [];
		const rssMax = after.length ? Math.max(...after.map((s) => s.kb)) : null;
		const rssOk = warm && rssMax <= RSS_FACTOR * warm.kb;
		if (!warm)
			problems.push(`no RSS sample at ${clock(WARMUP_MS)} (serve exited?)`);
		else if (!rssOk)
			problems.push(`RSS grew after warm-up: ${mb(rssMax)} MB > ${RSS_FACTOR} x ${mb(warm.kb)} MB (at ${clock(warm.at)})`);

		// reconnects
		const reconnects = closes.filter((c) => !c.skipped);
		const lost = reconnects.filter((c) => c.helloAfterMs === null);
		if (lost.length)
			problems.push(`${lost.length} closed socket(s) not replaced within ${RECONNECT_MS} ms (at ${lost.map((c) => clock(c.at)).join(', ')})`);
		if (closes.some((c) => c.skipped))
			problems.push(`no open socket to close at ${closes.filter((c) => c.skipped).map((c) => clock(c.at)).join(', ')}`);

		// --- the summary ---
		const total = { requested: 0, acked: 0, delivered: 0, told: 0, toldAtAck: 0, missing: 0, wrong: 0, dup: 0 };
		const cols = ['requested', 'acked', 'delivered', 'told', 'toldAtAck', 'missing', 'wrong', 'dup'];
		const heads = ['requested', 'acked', 'delivered', 'failed+told', 'told in ack', 'missing', 'wrong', 'duplicate'];
		const pad = (s, n) => String(s).padStart(n);
		console.log(`soak: ${Math.round(requestsDoneAt / 1000)} s of requests (one every ${REQUEST_EVERY_MS / 1000} s, ` +
			`users ${USERS.length}, channels ${CHANNELS.length}, ${WORKERS} workers), all settled at ${clock(drainedAt)}`);
		console.log(`${'kind'.padEnd(16)}${heads.map((x) => pad(x, 12)).join('')}`);
		for (const [k, label] of KINDS) {
			const row = table.get(k);
			for (const c of cols)
				total[c] += row[c];
			console.log(`${label.padEnd(16)}${cols.map((c) => pad(row[c], 12)).join('')}`);
		}
		console.log(`${'total'.padEnd(16)}${cols.map((c) => pad(total[c], 12)).join('')}`);
		console.log(`requested ${total.requested} = acked ${total.acked} = delivered ${total.delivered} + ` +
			`failed-and-told ${total.told} + told in the ack ${total.toldAtAck}; ${total.missing} missing, ` +
			`${total.wrong} wrong, ${total.dup} duplicate(s)`);
		const acks = requests.flatMap((r) => r.acks.slice(0, 1).map((a) => a.latencyMs));
		const al = latencyStats(acks);
		console.log(`acks: p50 ${al.p50?.toFixed(1)} ms, p99 ${al.p99?.toFixed(1)} ms, max ${al.max?.toFixed(1)} ms ` +
			`(from the envelope's latest delivery); ${redelivered.length} envelope(s) redelivered after a close`);
		const rt = latencyStats(reconnects.filter((c) => c.helloAfterMs !== null).map((c) => c.helloAfterMs));
		const ways = CLOSE_WAYS.map((w) => `${reconnects.filter((c) => c.how === w).length} ${w}`).join(', ');
		console.log(`socket closed ${reconnects.length} times (${ways})` + (rt.count
			? `; new socket ready after p50 ${rt.p50.toFixed(0)} ms, max ${rt.max.toFixed(0)} ms` : ''));
		if (stats)
			console.log(`serve's own count: ${stats[1]} connections, ${stats[2]} envelopes, ${stats[3]} duplicates dropped`);
		console.log(`history: ${history.size} runs in \`reportbot history\`, ${runIds.size} run ids handed out`);
		console.log(`RSS (VmRSS every ${RSS_EVERY_MS / 1000} s, MB): ${rss.map((s) => `${clock(s.at)} ${mb(s.kb)}`).join(', ')}`);
		if (warm)
			console.log(`RSS rule: every sample from ${clock(warm.at)} on <= ${RSS_FACTOR} x the sample at ${clock(warm.at)} ` +
				`(${mb(warm.kb)} MB): max ${mb(rssMax)} MB, ${rssOk ? 'flat' : 'GREW'}`);
		const logWarnings = stopped.stderr.split('\n').filter((l) => / (warn|error) /.test(l));
		console.log(`serve logged ${logWarnings.length} warn/error line(s)` +
			(logWarnings.length ? `; first: ${logWarnings.slice(0, 3).join(' / ')}` : ''));
		broken.push(...problems);
	} finally {
		await h.close();
	}
	if (broken.length) {
		console.log(`soak: ${broken.length} promise(s) broken:`);
		for (const b of broken.slice(0, 40))
			console.log(`  - ${b}`);
		process.exitCode = 1;
	} else {
		console.log('soak: every promise kept (requested = acked = delivered or failed-and-told, 0 duplicates, RSS flat)');
	}
}

main().catch((e) => {
	console.error(`soak: could not run: ${e && e.message ? e.message : e}`);
	process.exitCode = 2;
});
