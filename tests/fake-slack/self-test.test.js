'use strict';
// Tests of the fake Slack itself and of the harness, with plain fetch and a
// plain `ws` client (and a raw TCP client where frame boundaries matter).
// Run: cd tests/fake-slack && node --test

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const crypto = require('node:crypto');
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const { WebSocket } = require('ws');
const { startHarness, toToml, latencyStats } = require('./harness');

const BOT = 'xoxb-fake-bot-token';
const APP = 'xapp-fake-app-token';

async function api(h, method, body = {}, { token = BOT, form = false, headers = {} } = {}) {
	const hdrs = { ...headers };
	if (token)
		hdrs.authorization = `Bearer ${token}`;
	let payload;
	if (form) {
		hdrs['content-type'] = 'application/x-www-form-urlencoded';
		payload = new URLSearchParams(body).toString();
	} else {
		hdrs['content-type'] = 'application/json; charset=utf-8';
		payload = JSON.stringify(body);
	}
	const res = await fetch(h.apiUrl + method, { method: 'POST', headers: hdrs, body: payload });
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch (err) {
		json = null;
	}
	return { status: res.status, headers: res.headers, json, text };
}

// A Socket Mode client: messages are queued; next(pred) waits for one.
async function connectClient(h, { url, autoAck = false } = {}) {
	if (!url) {
		const r = await api(h, 'apps.connections.open', {}, { token: APP });
		assert.equal(r.json.ok, true);
		url = r.json.url;
	}
	const ws = new WebSocket(url);
	const queue = [];
	const waiters = [];
	const push = (m) => {
		queue.push(m);
		for (const w of [...waiters])
			w();
	};
	ws.on('message', (data, isBinary) => {
		const text = data.toString('utf8');
		const msg = isBinary ? { binary: data } : JSON.parse(text);
		if (autoAck && msg.envelope_id)
			ws.send(JSON.stringify({ envelope_id: msg.envelope_id, payload: {} }));
		push({ msg, bytes: data.length });
	});
	const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	ws.on('error', () => {});
	const next = (pred = () => true, timeoutMs = 3000) => new Promise((resolve, reject) => {
		const check = () => {
			const i = queue.findIndex((m) => pred(m.msg));
			if (i >= 0) {
				const [m] = queue.splice(i, 1);
				cleanup();
				resolve(m.msg);
				return true;
			}
			return false;
		};
		const cleanup = () => {
			clearTimeout(timer);
			const k = waiters.indexOf(check);
			if (k >= 0)
				waiters.splice(k, 1);
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(new Error('no matching socket message in time'));
		}, timeoutMs);
		if (!check())
			waiters.push(check);
	});
	await new Promise((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('unexpected-response', (req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
		ws.once('error', reject);
	});
	const hello = await next((m) => m.type === 'hello');
	return { ws, next, closed, hello, url };
}

// Tries a WebSocket upgrade that is expected to fail; resolves with the HTTP status.
function refusedStatus(url) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url);
		ws.on('unexpected-response', (req, res) => {
			resolve(res.statusCode);
			req.destroy();
		});
		ws.on('open', () => {
			ws.terminate();
			reject(new Error('upgrade was accepted'));
		});
		ws.on('error', () => {});
	});
}

// Raw WebSocket client over TCP: returns the frames as the server sent them.
async function rawSocket(h) {
	const r = await api(h, 'apps.connections.open', {}, { token: APP });
	const u = new URL(r.json.url);
	const sock = net.connect(Number(u.port), u.hostname);
	await new Promise((resolve) => sock.once('connect', resolve));
	const key = crypto.randomBytes(16).toString('base64');
	sock.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
		`Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
	let buf = Buffer.alloc(0);
	let headerDone = false;
	const frames = [];
	const waiters = [];
	sock.on('data', (d) => {
		buf = Buffer.concat([buf, d]);
		if (!headerDone) {
			const end = buf.indexOf('\r\n\r\n');
			if (end < 0)
				return;
			headerDone = true;
			buf = buf.subarray(end + 4);
		}
		for (;;) {
			if (buf.length < 2)
				break;
			const fin = (buf[0] & 0x80) !== 0;
			const opcode = buf[0] & 0x0f;
			let len = buf[1] & 0x7f;
			let off = 2;
			if (len === 126) {
				if (buf.length < 4)
					break;
				len = buf.readUInt16BE(2);
				off = 4;
			} else if (len === 127) {
				if (buf.length < 10)
					break;
				len = Number(buf.readBigUInt64BE(2));
				off = 10;
			}
			if (buf.length < off + len)
				break;
			frames.push({ fin, opcode, lengthCode: buf[1] & 0x7f, payload: buf.subarray(off, off + len) });
			buf = buf.subarray(off + len);
		}
		for (const w of [...waiters])
			w();
	});
	const waitFrames = (n, timeoutMs = 3000) => new Promise((resolve, reject) => {
		const check = () => {
			if (frames.length >= n) {
				clearTimeout(timer);
				waiters.splice(waiters.indexOf(check), 1);
				resolve(frames.slice(0, n));
			}
		};
		const timer = setTimeout(() => reject(new Error(`only ${frames.length} frames`)), timeoutMs);
		waiters.push(check);
		check();
	});
	return { sock, frames, waitFrames };
}

let h;
test.beforeEach(async () => {
	h = await startHarness({ notInChannel: ['C0NOTIN001'], unknownChannels: ['C0GONE0001'] });
});
test.afterEach(async () => {
	await h.close();
});

// ---- Web API -----------------------------------------------------------

test('auth.test: bot token ok, wrong or missing token refused', async () => {
	const ok = await api(h, 'auth.test');
	assert.equal(ok.status, 200);
	assert.equal(ok.json.ok, true);
	assert.equal(ok.json.user_id, 'U0FAKEBOT1');
	assert.match(ok.headers.get('content-type'), /application\/json/);
	assert.equal((await api(h, 'auth.test', {}, { token: 'xoxb-wrong' })).json.error, 'invalid_auth');
	assert.equal((await api(h, 'auth.test', {}, { token: null })).json.error, 'not_authed');
	assert.equal((await api(h, 'auth.test', {}, { token: APP })).json.error, 'not_allowed_token_type');
	const call = h.slack.calls[0];
	assert.equal(call.method, 'auth.test');
	assert.equal(call.headers.authorization, `Bearer ${BOT}`);
	assert.equal(typeof call.time, 'number');
	assert.equal(call.response.ok, true);
});

test('unknown method answers unknown_method', async () => {
	const r = await api(h, 'chat.nonsense');
	assert.deepEqual(r.json, { ok: false, error: 'unknown_method' });
});

test('apps.connections.open: app token only, a fresh ticket every call', async () => {
	const a = await api(h, 'apps.connections.open', {}, { token: APP });
	const b = await api(h, 'apps.connections.open', {}, { token: APP });
	assert.equal(a.json.ok, true);
	assert.match(a.json.url, new RegExp(`^ws://127\\.0\\.0\\.1:${h.port}/link/\\?ticket=[^&]+`));
	assert.notEqual(a.json.url, b.json.url);
	assert.equal((await api(h, 'apps.connections.open', {}, { token: BOT })).json.error, 'not_allowed_token_type');
	assert.equal((await api(h, 'apps.connections.open', {}, { token: 'xapp-nope' })).json.error, 'invalid_auth');
});

test('chat.postMessage: JSON and form bodies, recorded; shape errors', async () => {
	const r = await api(h, 'chat.postMessage', { channel: 'C0FAKECHAN1', text: 'hello' });
	assert.equal(r.json.ok, true);
	assert.equal(r.json.channel, 'C0FAKECHAN1');
	assert.match(r.json.ts, /^\d+\.\d{6}$/);
	const f = await api(h, 'chat.postMessage', { channel: 'C0FAKECHAN1', text: 'form body' }, { form: true });
	assert.equal(f.json.ok, true);
	assert.equal(h.slack.calls[1].body.text, 'form body');
	assert.equal(h.slack.messages.length, 2);
	assert.equal(h.slack.messages[0].ephemeral, false);
	const m = await h.waitForMessage({ channel: 'C0FAKECHAN1', text: /form/ }, 1000);
	assert.equal(m.text, 'form body');

	assert.equal((await api(h, 'chat.postMessage', { text: 'x' })).json.error, 'channel_not_found');
	assert.equal((await api(h, 'chat.postMessage', { channel: 'C0GONE0001', text: 'x' })).json.error, 'channel_not_found');
	assert.equal((await api(h, 'chat.postMessage', { channel: 'C0NOTIN001', text: 'x' })).json.error, 'not_in_channel');
	assert.equal((await api(h, 'chat.postMessage', { channel: 'C0FAKECHAN1' })).json.error, 'no_text');
	const bad = await fetch(h.apiUrl + 'chat.postMessage', {
		method: 'POST', headers: { authorization: `Bearer ${BOT}`, 'content-type': 'application/json' }, body: '{nope',
	});
	assert.equal((await bad.json()).error, 'invalid_json');
	assert.equal(h.slack.messages.length, 2);
});

test('chat.postEphemeral: needs channel and user', async () => {
	const r = await api(h, 'chat.postEphemeral', { channel: 'C0FAKECHAN1', user: 'U0FAKEUSER1', text: 'only you' });
	assert.equal(r.json.ok, true);
	assert.match(r.json.message_ts, /^\d+\.\d+$/);
	const m = await h.waitForMessage({ ephemeral: true, user: 'U0FAKEUSER1' }, 1000);
	assert.equal(m.text, 'only you');
	assert.equal((await api(h, 'chat.postEphemeral', { channel: 'C0FAKECHAN1', text: 'x' })).json.error, 'user_not_found');
	assert.equal((await api(h, 'chat.postEphemeral', { user: 'U1', text: 'x' })).json.error, 'channel_not_found');
});

test('file upload: URL, raw POST, completion with channel and comment', async () => {
	const content = Buffer.from('a,b\r\n1,2\r\n');
	const u = await api(h, 'files.getUploadURLExternal', { filename: 'r.csv', length: String(content.length) }, { form: true });
	assert.equal(u.json.ok, true);
	assert.match(u.json.file_id, /^F[A-Z0-9]+$/);
	assert.equal(u.json.upload_url, `http://127.0.0.1:${h.port}/upload/${u.json.file_id}`);
	const up = await fetch(u.json.upload_url, { method: 'POST', body: content });
	assert.equal(up.status, 200);
	assert.equal(await up.text(), `OK - ${content.length}`);
	assert.equal(h.slack.uploads[0].bytes, content.length);
	assert.equal(h.slack.uploads[0].lengthMatches, true);

	const c = await api(h, 'files.completeUploadExternal', {
		files: JSON.stringify([{ id: u.json.file_id, title: 'Report' }]),
		channel_id: 'C0FAKECHAN1',
		initial_comment: 'monthly acme 2024-11: 1 row',
	}, { form: true });
	assert.equal(c.json.ok, true);
	assert.equal(c.json.files[0].id, u.json.file_id);
	const f = await h.waitForFile({ channel: 'C0FAKECHAN1', comment: /1 row/ }, 1000);
	assert.equal(f.text, content.toString());
	assert.equal(f.filename, 'r.csv');
	assert.equal(f.title, 'Report');
	assert.ok(f.content.equals(content));

	// completing the same file again, or an unknown id
	const again = await api(h, 'files.completeUploadExternal', { files: [{ id: u.json.file_id }], channel_id: 'C0FAKECHAN1' });
	assert.equal(again.json.error, 'file_not_found');
	const unknown = await api(h, 'files.completeUploadExternal', { files: [{ id: 'F0NOPE' }], channel_id: 'C0FAKECHAN1' });
	assert.equal(unknown.json.error, 'file_not_found');
});

test('file upload: multipart body, JSON args, not_in_channel, shape errors', async () => {
	const content = 'x,y\r\n"q,1",2\r\n';
	const u = await api(h, 'files.getUploadURLExternal', { filename: 'm.csv', length: Buffer.byteLength(content) });
	assert.equal(u.json.ok, true);
	const form = new FormData();
	form.append('filename', 'm.csv');
	form.append('file', new Blob([content], { type: 'text/csv' }), 'm.csv');
	const up = await fetch(u.json.upload_url, { method: 'POST', body: form });
	assert.equal(await up.text(), `OK - ${Buffer.byteLength(content)}`);
	const rec = h.slack.uploads[0];
	assert.equal(rec.multipart, true);
	assert.equal(rec.text, content);
	assert.equal(rec.partFilename, 'm.csv');

	const no = await api(h, 'files.completeUploadExternal', { files: [{ id: u.json.file_id }], channel_id: 'C0NOTIN001' });
	assert.equal(no.json.error, 'not_in_channel');
	const gone = await api(h, 'files.completeUploadExternal', { files: [{ id: u.json.file_id }], channel_id: 'C0GONE0001' });
	assert.equal(gone.json.error, 'channel_not_found');
	assert.equal((await api(h, 'files.completeUploadExternal', { channel_id: 'C0FAKECHAN1' })).json.error, 'invalid_arguments');
	assert.equal((await api(h, 'files.completeUploadExternal', { files: 'nope' })).json.error, 'invalid_arguments');
	// after the refusals the file is still there to complete
	const ok = await api(h, 'files.completeUploadExternal', { files: [{ id: u.json.file_id }], channel_id: 'C0FAKECHAN1' });
	assert.equal(ok.json.ok, true);

	assert.equal((await api(h, 'files.getUploadURLExternal', { length: 3 })).json.error, 'invalid_arguments');
	assert.equal((await api(h, 'files.getUploadURLExternal', { filename: 'a' })).json.error, 'invalid_arguments');
	assert.equal((await api(h, 'files.getUploadURLExternal', { filename: 'a', length: -1 })).json.error, 'invalid_arguments');
	const noSlot = await fetch(`${h.slack.baseUrl}/upload/F0NOPE`, { method: 'POST', body: 'x' });
	assert.equal(noSlot.status, 404);
	// a file id whose bytes never arrived cannot be completed
	const u2 = await api(h, 'files.getUploadURLExternal', { filename: 'e.csv', length: 1 });
	const c2 = await api(h, 'files.completeUploadExternal', { files: [{ id: u2.json.file_id }], channel_id: 'C0FAKECHAN1' });
	assert.equal(c2.json.error, 'file_not_found');
});

test('streamed (chunked) upload is recorded whole', async () => {
	const u = await api(h, 'files.getUploadURLExternal', { filename: 's.csv', length: 200000 });
	const chunks = [];
	for (let i = 0; i < 100; i++)
		chunks.push(Buffer.alloc(2000, 97 + (i % 26)));
	const stream = new ReadableStream({
		pull(ctrl) {
			if (chunks.length)
				ctrl.enqueue(chunks.shift());
			else
				ctrl.close();
		},
	});
	const up = await fetch(u.json.upload_url, { method: 'POST', body: stream, duplex: 'half' });
	assert.equal(await up.text(), 'OK - 200000');
	assert.equal(h.slack.uploads[0].chunked, true);
	assert.equal(h.slack.uploads[0].lengthMatches, true);
});

// ---- Socket Mode -------------------------------------------------------

test('ticket flow: hello on connect, tickets single-use, bad tickets refused', async () => {
	const c = await connectClient(h);
	assert.equal(c.hello.type, 'hello');
	assert.equal(c.hello.num_connections, 1);
	assert.equal(c.hello.debug_info.approximate_connection_time, 18060);
	assert.equal(c.hello.connection_info.app_id, 'A0FAKEAPP1');
	const c2 = await connectClient(h);
	assert.equal(c2.hello.num_connections, 2);
	assert.equal(await refusedStatus(c.url), 401);
	assert.equal(await refusedStatus(`ws://127.0.0.1:${h.port}/link/?ticket=bogus`), 401);
	assert.equal(await refusedStatus(`ws://127.0.0.1:${h.port}/elsewhere`), 404);
	const kinds = h.slack.events.filter((e) => e.kind === 'connect_refused').map((e) => e.why);
	assert.deepEqual(kinds, ['ticket already used', 'unknown ticket', 'not /link']);
	const since = h.mark();
	c.ws.close(1000, 'bye');
	const closed = await h.waitForClose({ connId: 1, since }, 2000);
	assert.equal(closed.code, 1000);
	assert.equal(closed.initiator, 'client');
	assert.equal(h.slack.connections[0].closeReason, 'bye');
	assert.equal(h.slack.activeConnections().length, 1);
});

test('more sockets than maxConnections: too_many_websockets instead of hello', async () => {
	await h.close();
	h = await startHarness({ maxConnections: 2 });
	await connectClient(h);
	await connectClient(h);
	const r = await api(h, 'apps.connections.open', {}, { token: APP });
	const ws = new WebSocket(r.json.url);
	const first = await new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
	assert.equal(first.type, 'disconnect');
	assert.equal(first.reason, 'too_many_websockets');
	assert.equal(first.num_connections, 3);
	assert.equal(h.slack.connections[2].helloSent, false);
	ws.terminate();
});

test('slash command envelope, ack recorded with payload and latency', async () => {
	const c = await connectClient(h);
	const sent = h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1', user: 'U0FAKEUSER9' });
	const env = await c.next((m) => m.envelope_id === sent.envelopeId);
	assert.equal(env.type, 'slash_commands');
	assert.equal(env.accepts_response_payload, true);
	assert.equal(env.payload.text, 'monthly acme 2024-11');
	assert.equal(env.payload.command, '/report');
	assert.equal(env.payload.channel_id, 'C0FAKECHAN1');
	assert.equal(env.payload.user_id, 'U0FAKEUSER9');
	c.ws.send(JSON.stringify({ envelope_id: env.envelope_id, payload: { text: 'run 7 started' } }));
	const ack = await sent.ack;
	assert.equal(ack.envelopeId, sent.envelopeId);
	assert.deepEqual(ack.payload, { text: 'run 7 started' });
	assert.equal(ack.known, true);
	assert.equal(ack.duplicate, false);
	assert.equal(ack.envelopeType, 'slash_commands');
	assert.ok(ack.latencyMs >= 0 && ack.latencyMs < 1000, `latency ${ack.latencyMs}`);
	assert.equal(h.slack.acks.length, 1);
	// any frame is recorded, JSON or not
	c.ws.send('not json');
	const fr = await h.waitFor((e) => e.kind === 'frame' && e.text === 'not json', 1000);
	assert.ok(fr.parseError);
});

test('ack promise rejects when no ack comes', async () => {
	await connectClient(h);
	const sent = h.sendSlashCommand({ text: 'x', ackTimeoutMs: 100 });
	await assert.rejects(sent.ack, /timed out/);
});

test('client pings are answered with the same payload; server pings recorded', async () => {
	const c = await connectClient(h);
	const pong = new Promise((resolve) => c.ws.once('pong', (d) => resolve(d.toString())));
	c.ws.ping('p-1');
	assert.equal(await pong, 'p-1');
	await h.waitFor((e) => e.kind === 'ping' && e.data === 'p-1' && e.answered, 1000);
	h.slack.ping();
	await h.waitFor((e) => e.kind === 'pong' && e.data === 'fake-slack-ping', 1000);
});

test('server sends pings on its own schedule when asked', async () => {
	await h.close();
	h = await startHarness({ serverPingIntervalMs: 30 });
	await connectClient(h);
	await h.waitFor((e) => e.kind === 'pong', 1000);
});

test('envelopes sent while no socket is ready wait for the next hello', async () => {
	const sent = h.sendSlashCommand({ text: 'early' });
	assert.ok(h.slack.events.some((e) => e.kind === 'envelope_queued'));
	const c = await connectClient(h);
	const env = await c.next((m) => m.envelope_id === sent.envelopeId);
	assert.equal(env.payload.text, 'early');
});

// ---- fault injection: Web API -----------------------------------------

test('fault: 429 with Retry-After for the next N calls, then normal', async () => {
	h.slack.rateLimitNext('chat.postMessage', { retryAfter: 3, count: 2 });
	for (let i = 0; i < 2; i++) {
		const r = await api(h, 'chat.postMessage', { channel: 'C0FAKECHAN1', text: 'x' });
		assert.equal(r.status, 429);
		assert.equal(r.headers.get('retry-after'), '3');
		assert.equal(r.json.error, 'ratelimited');
	}
	assert.equal((await api(h, 'chat.postMessage', { channel: 'C0FAKECHAN1', text: 'x' })).json.ok, true);
	assert.equal(h.slack.messages.length, 1);
	assert.equal(h.slack.calls[0].status, 429);
	assert.equal(h.slack.calls[0].fault.retryAfter, 3);
});

test('fault: HTTP 500/503, ok:false error, dropped connection, delay', async () => {
	h.slack.serverErrorNext('auth.test');
	h.slack.serverErrorNext('auth.test', { status: 503 });
	h.slack.errorNext('auth.test', 'fatal_error');
	assert.equal((await api(h, 'auth.test')).status, 500);
	assert.equal((await api(h, 'auth.test')).status, 503);
	const e = await api(h, 'auth.test');
	assert.equal(e.status, 200);
	assert.deepEqual(e.json, { ok: false, error: 'fatal_error' });
	assert.equal((await api(h, 'auth.test')).json.ok, true);

	h.slack.dropNext('auth.test');
	await assert.rejects(api(h, 'auth.test'));
	h.slack.delayNext('auth.test', 150);
	const t0 = Date.now();
	assert.equal((await api(h, 'auth.test')).json.ok, true);
	assert.ok(Date.now() - t0 >= 140);

	h.slack.failNext('*', { error: 'team_disabled' });
	assert.equal((await api(h, 'chat.postMessage', { channel: 'C0FAKECHAN1', text: 'x' })).json.error, 'team_disabled');
	h.slack.failNext('upload', { status: 500 });
	const u = await api(h, 'files.getUploadURLExternal', { filename: 'a.csv', length: 1 });
	assert.equal((await fetch(u.json.upload_url, { method: 'POST', body: 'a' })).status, 500);
	assert.equal((await fetch(u.json.upload_url, { method: 'POST', body: 'a' })).status, 200);
});

test('fault: apps.connections.open refusal (ok:false and 429)', async () => {
	h.slack.refuseConnectionsOpen({ error: 'ratelimited' });
	h.slack.refuseConnectionsOpen({ retryAfter: 2 });
	h.slack.refuseConnectionsOpen({ status: 502 });
	assert.equal((await api(h, 'apps.connections.open', {}, { token: APP })).json.error, 'ratelimited');
	const r = await api(h, 'apps.connections.open', {}, { token: APP });
	assert.equal(r.status, 429);
	assert.equal(r.headers.get('retry-after'), '2');
	assert.equal((await api(h, 'apps.connections.open', {}, { token: APP })).status, 502);
	assert.equal((await api(h, 'apps.connections.open', {}, { token: APP })).json.ok, true);
	h.slack.refuseConnectionsOpen({ count: 5 });
	h.slack.clearFaults();
	assert.equal((await api(h, 'apps.connections.open', {}, { token: APP })).json.ok, true);
});

// ---- fault injection: Socket Mode -------------------------------------

for (const reason of ['warning', 'refresh_requested', 'too_many_websockets', 'link_disabled']) {
	test(`fault: disconnect ${reason}; the socket gets no new envelopes`, async () => {
		const c = await connectClient(h);
		h.slack.sendDisconnect(reason);
		const d = await c.next((m) => m.type === 'disconnect');
		assert.equal(d.reason, reason);
		if (reason === 'too_many_websockets')
			assert.equal(d.num_connections, 1);
		const sent = h.sendSlashCommand({ text: 'after' });
		assert.ok(h.slack.events.some((e) => e.kind === 'envelope_queued' && e.envelopeId === sent.envelopeId));
		const c2 = await connectClient(h);
		assert.equal((await c2.next((m) => m.envelope_id)).envelope_id, sent.envelopeId);
	});
}

test('fault: disconnect then close from the server after a delay', async () => {
	const c = await connectClient(h);
	h.slack.sendDisconnect('warning', { closeAfterMs: 50 });
	const closed = await c.closed;
	assert.equal(closed.code, 1000);
	const ev = await h.waitForClose({ connId: 1 }, 1000);
	assert.equal(ev.initiator, 'server');
});

test('fault: abrupt close (no close frame)', async () => {
	const c = await connectClient(h);
	h.slack.terminate();
	assert.equal((await c.closed).code, 1006);
});

test('fault: silence stops pongs and envelopes, keeps TCP open', async () => {
	const c = await connectClient(h);
	h.slack.silence();
	let ponged = false;
	c.ws.on('pong', () => {
		ponged = true;
	});
	c.ws.ping('anyone?');
	const sent = h.sendSlashCommand({ text: 'held' });
	await h.waitFor((e) => e.kind === 'ping' && e.data === 'anyone?', 1000);
	await assert.rejects(c.next((m) => m.envelope_id, 200));
	assert.equal(ponged, false);
	assert.equal(c.ws.readyState, WebSocket.OPEN);
	assert.throws(() => h.slack.sendRaw({ type: 'x' }, { conn: 99 }), /no connection/);
	// a replacement socket gets the held envelope
	const c2 = await connectClient(h);
	assert.equal((await c2.next((m) => m.envelope_id)).envelope_id, sent.envelopeId);
	h.slack.unsilence(1);
	c.ws.ping('back');
	await h.waitFor((e) => e.kind === 'pong' || (e.kind === 'ping' && e.data === 'back' && e.answered), 1000);
});

test('fault: same envelope twice, and a retry with retry_attempt 1', async () => {
	const c = await connectClient(h, { autoAck: true });
	const first = h.sendSlashCommand({ text: 'once' });
	await first.ack;
	const dup = h.slack.redeliver(first.envelopeId);
	const retry = h.slack.redeliver(first.envelopeId, { retryAttempt: 1 });
	assert.equal(dup.envelopeId, first.envelopeId);
	const got = [await c.next((m) => m.envelope_id), await c.next((m) => m.envelope_id), await c.next((m) => m.envelope_id)];
	assert.deepEqual(got.map((m) => m.envelope_id), [first.envelopeId, first.envelopeId, first.envelopeId]);
	assert.equal(got[1].payload.text, 'once');
	assert.equal(got[1].retry_attempt, undefined);
	assert.equal(got[2].retry_attempt, 1);
	assert.equal(got[2].retry_reason, 'timeout');
	await retry.ack;
	await h.waitFor(() => h.slack.acks.length === 3, 1000);
	assert.deepEqual(h.slack.acks.map((a) => a.duplicate), [false, true, true]);
	assert.equal(h.slack.envelopes.get(first.envelopeId).deliveries.length, 3);
	// events_api envelopes carry retry fields always
	h.slack.sendEnvelope({ type: 'events_api', payload: { type: 'event_callback' }, retryAttempt: 2 });
	const ev = await c.next((m) => m.type === 'events_api');
	assert.equal(ev.retry_attempt, 2);
	assert.equal(ev.accepts_response_payload, false);
});

test('fault: a frame larger than 64 KiB (64-bit length) arrives whole', async () => {
	const raw = await rawSocket(h);
	await raw.waitFrames(1);
	const sent = h.sendSlashCommand({ text: 'big', padTo: 70000 });
	const [, big] = await raw.waitFrames(2);
	assert.equal(big.fin, true);
	assert.equal(big.opcode, 1);
	assert.equal(big.lengthCode, 127);
	assert.equal(big.payload.length, 70000);
	const env = JSON.parse(big.payload.toString('utf8'));
	assert.equal(env.envelope_id, sent.envelopeId);
	assert.equal(env.payload.text, 'big');
	raw.sock.destroy();
});

test('fault: a fragmented message (fin=false frames then continuation)', async () => {
	const raw = await rawSocket(h);
	await raw.waitFrames(1);
	const sent = h.sendSlashCommand({ text: 'pieces ✓ multibyte', fragments: 4 });
	const frames = (await raw.waitFrames(5)).slice(1);
	assert.deepEqual(frames.map((f) => [f.fin, f.opcode]), [[false, 1], [false, 0], [false, 0], [true, 0]]);
	const env = JSON.parse(Buffer.concat(frames.map((f) => f.payload)).toString('utf8'));
	assert.equal(env.envelope_id, sent.envelopeId);
	raw.sock.destroy();
	// and a ws client reassembles a fragmented >64 KiB message
	const c = await connectClient(h);
	const s2 = h.sendSlashCommand({ text: 'both', padTo: 100000, fragments: 3 });
	const got = await c.next((m) => m.envelope_id === s2.envelopeId);
	assert.equal(got.payload.x_fake_padding.length > 90000, true);
});

test('fault: unknown envelope type', async () => {
	const c = await connectClient(h, { autoAck: true });
	const s = h.slack.sendUnknownEnvelope();
	const env = await c.next((m) => m.envelope_id === s.envelopeId);
	assert.equal(env.type, 'fake_unknown_type');
	assert.equal((await s.ack).envelopeType, 'fake_unknown_type');
});

test('fault: next connect refused with 409 (then 403), later ones accepted', async () => {
	h.slack.refuseNextConnect({ status: 409 });
	h.slack.refuseNextConnect({ status: 403 });
	const url1 = (await api(h, 'apps.connections.open', {}, { token: APP })).json.url;
	assert.equal(await refusedStatus(url1), 409);
	const url2 = (await api(h, 'apps.connections.open', {}, { token: APP })).json.url;
	assert.equal(await refusedStatus(url2), 403);
	const c = await connectClient(h);
	assert.equal(c.hello.type, 'hello');
});

test('sendRaw: arbitrary text and binary frames', async () => {
	const c = await connectClient(h);
	h.slack.sendRaw({ type: 'weird', n: 1 });
	assert.equal((await c.next((m) => m.type === 'weird')).n, 1);
	h.slack.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
	assert.deepEqual([...(await c.next((m) => m.binary)).binary], [1, 2, 3]);
});

// ---- harness -----------------------------------------------------------

test('waitFor resolves on a later event and times out with context', async () => {
	const since = h.mark();
	const p = h.waitFor((e) => e.kind === 'api' && e.method === 'auth.test', 2000, { since });
	await api(h, 'auth.test');
	assert.equal((await p).method, 'auth.test');
	await assert.rejects(h.waitFor(() => false, 50), /timed out after 50 ms; last events: api auth\.test/);
	// `since` skips what already happened
	await assert.rejects(h.waitForCall('auth.test', { since: h.mark() }, 50));
});

test('latencyStats', () => {
	const s = latencyStats([5, 1, 3, 2, 4, 6, 7, 8, 9, 10]);
	assert.deepEqual([s.count, s.min, s.p50, s.p90, s.p99, s.max, s.mean], [10, 1, 5, 9, 10, 10, 5.5]);
	assert.equal(latencyStats([]).count, 0);
});

test('a burst of 50 envelopes: every ack recorded with its latency', async () => {
	await connectClient(h, { autoAck: true });
	const sent = [];
	for (let i = 0; i < 50; i++)
		sent.push(h.sendSlashCommand({ text: `n ${i}` }));
	const acks = await Promise.all(sent.map((s) => s.ack));
	const st = latencyStats(acks.map((a) => a.latencyMs));
	assert.equal(st.count, 50);
	assert.ok(st.max < 2000, JSON.stringify(st));
});

test('toToml and writeConfig', () => {
	const text = toToml({
		slack: { command: '/report', api_url: 'http://x/' },
		bot: { workers: 4, timezone: 'Asia/Tokyo' },
		sources: { main: { driver: 'sqlite', path: 'a "b".db' } },
		output: { bom: false },
		schedule: [{ name: 'm', cron: '0 9 1 * *', channel: 'C1' }, { name: 'n', cron: '* * * * *' }],
		tags: ['a', 'b'],
	});
	assert.equal(text, [
		'tags = ["a", "b"]',
		'',
		'[slack]',
		'command = "/report"',
		'api_url = "http://x/"',
		'',
		'[bot]',
		'workers = 4',
		'timezone = "Asia/Tokyo"',
		'',
		'[sources]',
		'',
		'[sources.main]',
		'driver = "sqlite"',
		'path = "a \\"b\\".db"',
		'',
		'[output]',
		'bom = false',
		'',
		'[[schedule]]',
		'name = "m"',
		'cron = "0 9 1 * *"',
		'channel = "C1"',
		'',
		'[[schedule]]',
		'name = "n"',
		'cron = "* * * * *"',
		'',
	].join('\n'));
	const p = h.writeConfig('[bot]\nworkers = 1\n');
	assert.equal(fs.readFileSync(p, 'utf8'), '[bot]\nworkers = 1\n');
	const d = h.tempDir();
	assert.ok(fs.statSync(d).isDirectory());
	assert.equal(h.writeFile(d, 'commands/x.sql', 'SELECT 1'), path.join(d, 'commands/x.sql'));
});

test('spawnBot: example bot end to end, output captured, SIGTERM exit code', async () => {
	const bot2 = h.spawnBot({ bin: path.join(__dirname, 'example-bot.js'), config: { comment_prefix: '» ' } });
	assert.equal(bot2.args[0], '-c');
	assert.equal(fs.readFileSync(bot2.args[1], 'utf8'), 'comment_prefix = "» "\n');
	assert.equal(bot2.args[2], 'serve');
	await bot2.waitForOutput('connected', { stream: 'stdout' });
	const since = h.mark();
	const sent = h.sendSlashCommand({ text: 'echo a,b', channel: 'C0FAKECHAN1' });
	const ack = await sent.ack;
	assert.deepEqual(ack.payload, { text: 'working on it' });
	const file = await h.waitForFile({ channel: 'C0FAKECHAN1', filename: 'echo.csv', comment: 'echo: a,b', since });
	assert.equal(file.text, 'a,b\r\n');
	assert.equal(file.comment, '» echo: a,b');
	h.sendSlashCommand({ text: 'nope' });
	await h.waitForMessage({ ephemeral: true, text: /unknown command: nope/ });
	// a refresh: the bot reconnects and keeps serving
	const s2 = h.mark();
	h.slack.sendDisconnect('refresh_requested');
	await h.waitForConnection({ since: s2 });
	const again = h.sendSlashCommand({ text: 'echo again' });
	assert.equal((await again.ack).connId, 2);
	const r = await bot2.stop();
	assert.equal(r.code, 0);
	assert.equal(r.killed, false);
	assert.match(r.stdout, /stopping/);
	const call = h.slack.calls.find((c) => c.method === 'auth.test');
	assert.equal(call.headers.authorization, `Bearer ${BOT}`);
});

test('spawnBot: env overrides and removal; wrong token exits 1', async () => {
	const bot = h.spawnBot({
		bin: process.execPath,
		args: [path.join(__dirname, 'example-bot.js'), 'serve'],
		env: { SLACK_BOT_TOKEN: 'xoxb-wrong', SLACK_APP_TOKEN: null },
	});
	const r = await bot.exited;
	assert.equal(r.code, 1);
	assert.match(r.stderr, /invalid_auth/);
	await assert.rejects(bot.waitForOutput('never'), /exited/);
});

test('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
	const bot = h.spawnBot({
		bin: process.execPath,
		args: ['-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'],
	});
	await bot.waitForOutput('up');
	const r = await bot.stop({ timeoutMs: 200 });
	assert.equal(r.killed, true);
	assert.equal(r.signal, 'SIGKILL');
});

test('CLI prints the port as JSON; control API drives the fake', async () => {
	const child = spawn(process.execPath, [path.join(__dirname, 'fake-slack.js'), '--port', '0', '--bot-token', 'xoxb-cli'],
		{ stdio: ['ignore', 'pipe', 'pipe'] });
	try {
		const line = await new Promise((resolve, reject) => {
			let out = '';
			child.stdout.on('data', (d) => {
				out += d;
				if (out.includes('\n'))
					resolve(out.split('\n')[0]);
			});
			child.on('exit', (code) => reject(new Error(`exited ${code}`)));
		});
		const info = JSON.parse(line);
		assert.ok(info.port > 0);
		assert.equal(info.api_url, `http://127.0.0.1:${info.port}/api/`);
		const fake = { apiUrl: info.api_url };
		assert.equal((await api(fake, 'auth.test', {}, { token: 'xoxb-cli' })).json.ok, true);
		const ctl = (action, body) => fetch(`http://127.0.0.1:${info.port}/_control/${action}`, {
			method: 'POST', body: JSON.stringify(body || {}),
		}).then((r) => r.json());
		assert.equal((await ctl('fault', { method: 'auth.test', status: 429, retryAfter: 7 })).ok, true);
		const limited = await api(fake, 'auth.test', {}, { token: 'xoxb-cli' });
		assert.equal(limited.headers.get('retry-after'), '7');
		const c = await connectClient({ apiUrl: info.api_url });
		const s = await ctl('slash', { text: 'via control' });
		const env = await c.next((m) => m.envelope_id === s.envelope_id);
		assert.equal(env.payload.text, 'via control');
		c.ws.send(JSON.stringify({ envelope_id: s.envelope_id }));
		assert.equal((await ctl('disconnect', { reason: 'warning' })).ok, true);
		assert.equal((await c.next((m) => m.type === 'disconnect')).reason, 'warning');
		let events = [];
		for (let i = 0; i < 50 && !events.some((e) => e.kind === 'ack'); i++) {
			events = (await (await fetch(`http://127.0.0.1:${info.port}/_control/events`)).json()).events;
		}
		assert.ok(events.some((e) => e.kind === 'ack' && e.envelopeId === s.envelope_id));
		assert.equal((await ctl('terminate', { conn: 99 })).ok, false);
		c.ws.terminate();
	} finally {
		child.kill('SIGTERM');
		await new Promise((resolve) => child.on('close', resolve));
	}
});

// ---- modals: views.open / views.update / interactions (issue 13) -------

const MODAL = () => ({
	type: 'modal',
	callback_id: 'cb',
	title: { type: 'plain_text', text: 'Run a report' },
	submit: { type: 'plain_text', text: 'Run' },
	private_metadata: '{"channel":"C1"}',
	blocks: [
		{
			type: 'input', block_id: 'report', dispatch_action: true,
			label: { type: 'plain_text', text: 'Report' },
			element: {
				type: 'static_select', action_id: 'report',
				options: [{ text: { type: 'plain_text', text: 'monthly' }, value: 'monthly' },
					{ text: { type: 'plain_text', text: 'daily' }, value: 'daily' }],
			},
		},
		{ type: 'input', block_id: 'p.day', label: { type: 'plain_text', text: 'day' },
			element: { type: 'datepicker', action_id: 'v', initial_date: '2024-11-03' } },
		{ type: 'input', block_id: 'p.n', optional: true, label: { type: 'plain_text', text: 'n' },
			element: { type: 'number_input', action_id: 'v', is_decimal_allowed: false, min_value: '1', max_value: '9' } },
		{ type: 'input', block_id: 'p.tags', label: { type: 'plain_text', text: 'tags' },
			element: { type: 'multi_static_select', action_id: 'v',
				options: [{ text: { type: 'plain_text', text: 'a' }, value: 'a' }, { text: { type: 'plain_text', text: 'b' }, value: 'b' }] } },
	],
});

test('views.open: a trigger opens one view, once, within 3 s', async () => {
	const s = h.sendSlashCommand({ text: '' });
	const trigger = s.envelope.payload.trigger_id;
	const r = await api(h, 'views.open', { trigger_id: trigger, view: MODAL() });
	assert.equal(r.json.ok, true);
	assert.match(r.json.view.id, /^V/);
	assert.equal(typeof r.json.view.hash, 'string');
	assert.deepEqual(r.json.view.state, { values: {} });
	assert.equal(r.json.view.private_metadata, '{"channel":"C1"}');
	// the same trigger again: exchanged
	const again = await api(h, 'views.open', { trigger_id: trigger, view: MODAL() });
	assert.equal(again.json.error, 'exchanged_trigger_id');
	// a trigger older than 3 s: expired; an unknown one: invalid
	const old = h.slack.issueTrigger('old.1', { ageMs: 3100 });
	assert.equal((await api(h, 'views.open', { trigger_id: old, view: MODAL() })).json.error, 'expired_trigger_id');
	assert.equal((await api(h, 'views.open', { trigger_id: 'nope', view: MODAL() })).json.error, 'invalid_trigger_id');
	// the view as a JSON string, as form-encoded clients send it
	const t2 = h.slack.issueTrigger('t.2');
	assert.equal((await api(h, 'views.open', { trigger_id: t2, view: JSON.stringify(MODAL()) }, { form: true })).json.ok, true);
	assert.equal(h.slack.views.length, 2);
});

test('views: Block Kit limits are checked like Slack (invalid_arguments + json-pointer)', async () => {
	const cases = [
		[(v) => { v.title.text = 'x'.repeat(25); }, '/view/title/text'],
		[(v) => { v.blocks = Array.from({ length: 101 }, (_, i) => ({ type: 'section', block_id: `b${i}`, text: { type: 'plain_text', text: 'x' } })); }, '/view/blocks]'],
		[(v) => { v.blocks[1].label.text = 'x'.repeat(2001); }, '/view/blocks/1/label/text'],
		[(v) => { v.blocks[1].block_id = 'x'.repeat(256); }, '/view/blocks/1/block_id'],
		[(v) => { v.blocks[1].element.action_id = 'x'.repeat(256); }, '/view/blocks/1/element/action_id'],
		[(v) => { v.blocks[0].element.options[0].text.text = 'x'.repeat(76); }, '/view/blocks/0/element/options/0/text/text'],
		[(v) => { v.blocks[0].element.options[0].description = { type: 'plain_text', text: 'x'.repeat(76) }; }, '/view/blocks/0/element/options/0/description/text'],
		[(v) => { v.blocks[0].element.options = Array.from({ length: 101 }, (_, i) => ({ text: { type: 'plain_text', text: `o${i}` }, value: `o${i}` })); }, '/view/blocks/0/element/options]'],
		[(v) => { v.blocks[0].element.initial_option = { text: { type: 'plain_text', text: 'zzz' }, value: 'zzz' }; }, '/view/blocks/0/element/initial_option'],
		[(v) => { v.blocks[2].element.initial_value = '10'; }, '/view/blocks/2/element/initial_value'],
		[(v) => { v.private_metadata = 'x'.repeat(3001); }, '/view/private_metadata'],
	];
	for (const [i, [mutate, pointer]] of cases.entries()) {
		const v = MODAL();
		mutate(v);
		const t = h.slack.issueTrigger(`lim.${i}`);
		const r = await api(h, 'views.open', { trigger_id: t, view: v });
		assert.equal(r.json.error, 'invalid_arguments', `case ${i}`);
		assert.ok(r.json.response_metadata.messages.some((m) => m.includes(`[json-pointer:${pointer}`)),
			`case ${i}: ${JSON.stringify(r.json.response_metadata.messages)}`);
	}
});

test('views.update: replaces the view; a stale hash gets hash_conflict', async () => {
	const t = h.slack.issueTrigger('u.1');
	const opened = (await api(h, 'views.open', { trigger_id: t, view: MODAL() })).json.view;
	const v2 = MODAL();
	v2.title.text = 'Second';
	const up = await api(h, 'views.update', { view_id: opened.id, hash: opened.hash, view: v2 });
	assert.equal(up.json.ok, true);
	assert.notEqual(up.json.view.hash, opened.hash);
	assert.equal(h.slack.view(opened.id).view.title.text, 'Second');
	// the first hash is stale now
	const stale = await api(h, 'views.update', { view_id: opened.id, hash: opened.hash, view: MODAL() });
	assert.equal(stale.json.error, 'hash_conflict');
	assert.equal(h.slack.view(opened.id).view.title.text, 'Second');
	// no hash: last write wins; unknown view: not_found
	assert.equal((await api(h, 'views.update', { view_id: opened.id, view: MODAL() })).json.ok, true);
	assert.equal((await api(h, 'views.update', { view_id: 'V0NOPE', view: MODAL() })).json.error, 'not_found');
});

test('block_actions and view_submission envelopes carry the view and state.values as Slack sends them', async () => {
	const c = await connectClient(h);
	const t = h.slack.issueTrigger('i.1', { user: 'U0ME' });
	const opened = (await api(h, 'views.open', { trigger_id: t, view: MODAL() })).json.view;

	const ba = h.slack.sendViewBlockActions({ viewId: opened.id, blockId: 'report', value: 'daily' });
	const env = await c.next((m) => m.envelope_id === ba.envelopeId);
	assert.equal(env.type, 'interactive');
	assert.equal(env.accepts_response_payload, true);
	const p = env.payload;
	assert.equal(p.type, 'block_actions');
	assert.equal(p.user.id, 'U0ME');
	assert.deepEqual(p.container, { type: 'view', view_id: opened.id });
	assert.equal(p.view.id, opened.id);
	assert.equal(p.view.hash, opened.hash);
	assert.equal(p.view.private_metadata, '{"channel":"C1"}');
	assert.equal(p.actions[0].action_id, 'report');
	assert.equal(p.actions[0].block_id, 'report');
	assert.equal(p.actions[0].selected_option.value, 'daily');
	assert.equal(p.view.state.values.report.report.selected_option.value, 'daily');
	// the interaction's own trigger opens a view
	assert.equal((await api(h, 'views.open', { trigger_id: p.trigger_id, view: MODAL() })).json.ok, true);
	c.ws.send(JSON.stringify({ envelope_id: env.envelope_id }));
	await ba.ack;

	const sub = h.slack.sendViewSubmission({ viewId: opened.id, filled: { report: 'monthly', tags: ['b'] } });
	const senv = await c.next((m) => m.envelope_id === sub.envelopeId);
	const v = senv.payload.view;
	assert.equal(senv.payload.type, 'view_submission');
	assert.deepEqual(v.state.values['p.day'], { v: { type: 'datepicker', selected_date: '2024-11-03' } });
	assert.deepEqual(v.state.values['p.n'], { v: { type: 'number_input', value: null } });
	assert.deepEqual(v.state.values['p.tags'].v.selected_options.map((o) => o.value), ['b']);
	assert.equal(v.state.values.report.report.selected_option.value, 'monthly');
	// the ack payload comes back to the test
	c.ws.send(JSON.stringify({ envelope_id: senv.envelope_id, payload: { response_action: 'errors', errors: { 'p.n': 'bad' } } }));
	const a = await sub.ack;
	assert.deepEqual(a.payload, { response_action: 'errors', errors: { 'p.n': 'bad' } });
	assert.equal(h.slack.view(opened.id).closed, false);
	const sub2 = h.slack.sendViewSubmission({ viewId: opened.id });
	const s2 = await c.next((m) => m.envelope_id === sub2.envelopeId);
	c.ws.send(JSON.stringify({ envelope_id: s2.envelope_id }));
	assert.equal((await sub2.ack).hasPayload, false);
	await new Promise((r) => setImmediate(r));
	assert.equal(h.slack.view(opened.id).closed, true);
	c.ws.close();
});
