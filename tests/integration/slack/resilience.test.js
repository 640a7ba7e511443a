'use strict';
// Each resilience case of issue 4, against the fake Slack. Timers are
// shortened through the REPORTBOT_* variables (lib.js FAST_ENV).

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, expectedCsv, historyOf } = require('./lib');

const eventsOf = (slack, kind, since = 0) => slack.events.filter((e) => e.kind === kind && e.seq >= since);

for (const reason of ['refresh_requested', 'warning']) {
	test(`disconnect ${reason}: new socket first, then the old closes, nothing lost`, async (t) => {
		const { h } = await startBot(t);
		const slack = h.slack;
		const old = slack.activeConnections().pop();
		const since = h.mark();
		slack.sendDisconnect(reason, reason === 'warning' ? { closeAfterMs: 3000 } : {});
		// envelopes still arriving on the old socket while the switch happens
		const during = [];
		for (let i = 0; i < 3; i++)
			during.push(h.sendSlashCommand({ text: 'help', conn: old }));
		const hello = await h.waitForConnection({ since }, 10000);
		assert.notEqual(hello.connId, old.id);
		const close = await h.waitForClose({ connId: old.id, since }, 10000);
		assert.ok(close.seq > hello.seq, 'the old socket closed only after the new one said hello');
		assert.equal(close.initiator, 'client');
		// envelopes routed after the switch
		for (let i = 0; i < 3; i++)
			during.push(h.sendSlashCommand({ text: 'help' }));
		const acks = await Promise.all(during.map((d) => d.ack));
		for (const a of acks)
			assert.match(a.payload.text, /monthly/);
		// exactly one fresh URL was asked for
		assert.equal(slack.calls.filter((c) => c.seq >= since && c.method === 'apps.connections.open').length, 1);
	});
}

test('link_disabled: stop, no reconnect, non-zero exit with a clear message', async (t) => {
	const { h, bot } = await startBot(t);
	const since = h.mark();
	h.slack.sendDisconnect('link_disabled');
	const r = await bot.exited;
	assert.notEqual(r.code, 0);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /Socket Mode/);
	assert.match(r.stderr, /link_disabled/);
	assert.equal(h.slack.calls.filter((c) => c.seq >= since && c.method === 'apps.connections.open').length, 0);
});

test('too_many_websockets: close and reconnect after a backoff', async (t) => {
	const { h } = await startBot(t);
	const since = h.mark();
	const old = h.slack.activeConnections().pop();
	h.slack.sendDisconnect('too_many_websockets');
	const close = await h.waitForClose({ connId: old.id, since }, 10000);
	const hello = await h.waitForConnection({ since }, 10000);
	assert.ok(hello.seq > close.seq);
	// REPORTBOT_RECONNECT_MIN_MS=100 doubled once, jittered: at least 100 ms
	const open = h.slack.calls.filter((c) => c.seq >= since && c.method === 'apps.connections.open');
	assert.equal(open.length, 1);
	assert.ok(open[0].time - close.time >= 90, `reconnected ${open[0].time - close.time} ms after the close`);
	const { ack } = h.sendSlashCommand({ text: 'help' });
	await ack;
});

test('a dropped socket is replaced; refused connects back off', async (t) => {
	const { h } = await startBot(t);
	const slack = h.slack;
	const since = h.mark();
	slack.refuseNextConnect({ status: 409, count: 3 });
	slack.terminate();
	const hello = await h.waitForConnection({ since }, 15000);
	const refused = eventsOf(slack, 'connect_refused', since);
	assert.equal(refused.length, 3);
	// a fresh URL for every connect
	const opens = slack.calls.filter((c) => c.seq >= since && c.method === 'apps.connections.open');
	assert.equal(opens.length, 4);
	const urls = new Set(opens.map((c) => c.response.url));
	assert.equal(urls.size, 4);
	// gaps grow (exponential backoff with jitter between d/2 and d)
	const gaps = opens.slice(1).map((c, i) => c.time - opens[i].time);
	assert.ok(gaps[2] > gaps[0], `gaps ${gaps}`);
	assert.ok(hello);
	const { ack } = h.sendSlashCommand({ text: 'help' });
	await ack;
});

test('apps.connections.open: Retry-After is honoured, errors retried', async (t) => {
	const { h } = await startBot(t);
	const slack = h.slack;
	const since = h.mark();
	slack.refuseConnectionsOpen({ retryAfter: 1, count: 1 });
	slack.refuseConnectionsOpen({ error: 'internal_error', count: 1 });
	slack.terminate();
	await h.waitForConnection({ since }, 15000);
	const opens = slack.calls.filter((c) => c.seq >= since && c.method === 'apps.connections.open');
	assert.ok(opens.length >= 3, `${opens.length} calls`);
	assert.equal(opens[0].status, 429);
	assert.ok(opens[1].time - opens[0].time >= 950, `waited ${opens[1].time - opens[0].time} ms after a Retry-After of 1 s`);
});

test('a silent socket is declared dead and replaced; the bot pings', async (t) => {
	const { h, bot } = await startBot(t);
	const slack = h.slack;
	// The bot pings on its own: wait for the second ping to arrive.
	let pings = 0;
	await h.waitFor((ev) => ev.kind === 'ping' && ++pings >= 2, 3000);
	const since = h.mark();
	const old = slack.activeConnections().pop();
	slack.silence(old);
	const t0 = Date.now();
	const hello = await h.waitForConnection({ since }, 10000);
	const took = Date.now() - t0;
	assert.notEqual(hello.connId, old.id);
	assert.ok(took >= 1000 && took < 6000, `replaced after ${took} ms (dead after 1500 ms)`);
	assert.match(bot.output, /silent/);
	const { ack } = h.sendSlashCommand({ text: 'help' });
	await ack;
});

test('the same envelope twice, or a retry, never runs a report twice', async (t) => {
	const { h, fx, bot } = await startBot(t);
	const slack = h.slack;
	const since = h.mark();
	const { envelopeId, ack } = h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' });
	const first = await ack;
	const again = slack.redeliver(envelopeId);
	const retry = slack.redeliver(envelopeId, { retryAttempt: 1 });
	const a2 = await again.ack;
	const a3 = await retry.ack;
	assert.equal(a2.duplicate, true);
	assert.equal(a2.payload.text, first.payload.text, 'the duplicate gets the same answer');
	assert.equal(a3.payload.text, first.payload.text);
	await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 15000);
	// Proof that nothing else will come: the run finished and the history
	// holds exactly one run (a second file would need a second run).
	await bot.waitForOutput(/run \d+: ok/, { timeoutMs: 5000 });
	assert.equal((historyOf(fx).match(/'monthly'/g) || []).length, 1, 'one run recorded');
	assert.equal(slack.files.filter((f) => f.seq >= since).length, 1);
	// an events_api retry with a new envelope_id but the same event_id
	const payload = { type: 'event_callback', event_id: 'Ev0TEST0001', event: { type: 'app_mention' } };
	const e1 = slack.sendEnvelope({ type: 'events_api', payload });
	const e2 = slack.sendEnvelope({ type: 'events_api', payload, retryAttempt: 1 });
	await e1.ack;
	await e2.ack;
});

test('frames over 64 KiB and fragmented frames are reassembled; unknown types acked', async (t) => {
	const { h, bot } = await startBot(t);
	const big = h.sendSlashCommand({ text: 'help', padTo: 200000 });
	const a = await big.ack;
	assert.match(a.payload.text, /monthly/);
	const frag = h.sendSlashCommand({ text: 'help', fragments: 5, padTo: 70000 });
	assert.match((await frag.ack).payload.text, /monthly/);
	const unknown = h.slack.sendUnknownEnvelope();
	const u = await unknown.ack;
	assert.equal(u.hasPayload, false);
	// The ack goes out before the log line is written: wait for it.
	await bot.waitForOutput(/fake_unknown_type/, { timeoutMs: 3000 });
	// still serving
	assert.match((await h.sendSlashCommand({ text: 'help' }).ack).payload.text, /monthly/);
});

test('SIGTERM: running reports finish, queued ones are cancelled, exit 0', async (t) => {
	const { h, fx, bot } = await startBot(t, { config: { workers: 1, grace: 1 } });
	const slack = h.slack;
	const since = h.mark();
	slack.delayNext('files.getUploadURLExternal', 1500, { count: 5 });
	const ids = [];
	for (let i = 0; i < 3; i++) {
		const a = await h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' }).ack;
		ids.push(a.payload.text.match(/run (\d+)/)[1]);
	}
	// run 1 is now in its (delayed) upload; 2 and 3 wait in the queue
	await h.waitForCall('files.getUploadURLExternal', { since }, 5000);
	const r = await bot.stop({ timeoutMs: 15000 });
	if (process.env.SHOW_BOT_LOG) console.error(r.stderr);
	assert.equal(r.code, 0, r.stderr.slice(-3000));
	// the running one was delivered during the grace period
	const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 1000);
	assert.equal(file.text, expectedCsv('acme', '2024-11'));
	const hist = historyOf(fx);
	assert.match(hist, new RegExp(`${ids[0]},'monthly'.*'ok'`));
	for (const id of ids.slice(1)) {
		assert.match(hist, new RegExp(`${id},'monthly'.*'cancelled'`));
		// the person is told it was the shutdown, and that it can run again
		assert.match(hist, new RegExp(`${id},'monthly'.*the bot shut down; run it again when it is back`));
	}
	// sockets closed by us with a close frame
	const closes = eventsOf(slack, 'close', since);
	assert.ok(closes.length >= 1);
	assert.ok(closes.every((c) => c.initiator === 'client'));
});
