'use strict';
// wss:// as in production: the bot verifies the server certificate against
// the CA store, so a certificate nobody vouches for is refused, and one the
// store trusts is accepted. A TLS front (test-only self-signed certificate
// in tls/) sits before the fake Slack's Socket Mode port, and a small API
// proxy makes apps.connections.open hand out wss:// URLs to it.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV, postText } = require('./lib');

const CERT = path.join(__dirname, 'tls', 'cert.pem');
const KEY = path.join(__dirname, 'tls', 'key.pem');

function listen(server) {
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

async function tlsFront(t, h, { httpsApi = false } = {}) {
	const sockets = new Set();
	const front = tls.createServer({ key: fs.readFileSync(KEY), cert: fs.readFileSync(CERT) }, (client) => {
		const up = net.connect(h.port, '127.0.0.1');
		sockets.add(client).add(up);
		client.pipe(up).pipe(client);
		client.on('error', () => up.destroy());
		up.on('error', () => client.destroy());
	});
	const handshakes = { failed: 0 };
	front.on('tlsClientError', () => { handshakes.failed++; });
	const tlsPort = await listen(front);
	const handler = (req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const fwd = http.request({ host: '127.0.0.1', port: h.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
				const body = [];
				r.on('data', (c) => body.push(c));
				r.on('end', () => {
					let out = Buffer.concat(body);
					if (req.url.endsWith('/apps.connections.open')) {
						const j = JSON.parse(out.toString());
						if (j.url)
							j.url = j.url.replace(/^ws:\/\/127\.0\.0\.1:\d+/, `wss://localhost:${tlsPort}`);
						out = Buffer.from(JSON.stringify(j));
					}
					const headers = { ...r.headers, 'content-length': out.length };
					res.writeHead(r.statusCode, headers);
					res.end(out);
				});
			});
			fwd.end(Buffer.concat(chunks));
		});
	};
	const api = httpsApi
		? https.createServer({ key: fs.readFileSync(KEY), cert: fs.readFileSync(CERT) }, handler)
		: http.createServer(handler);
	const apiPort = await listen(api);
	t.after(() => {
		for (const s of sockets)
			s.destroy();
		front.close();
		api.close();
	});
	const scheme = httpsApi ? 'https://localhost' : 'http://127.0.0.1';
	return { apiUrl: `${scheme}:${apiPort}/api/`, handshakes };
}

test('wss:// with an untrusted certificate is refused', async (t) => {
	const h = await startHarness();
	t.after(() => h.close());
	const { apiUrl, handshakes } = await tlsFront(t, h);
	const fx = makeFixture(h);
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx), env: { ...FAST_ENV, SLACK_API_URL: apiUrl } });
	await h.waitFor((e) => e.kind === 'api' && e.method === 'apps.connections.open', 10000);
	await new Promise((r) => setTimeout(r, 1500));
	assert.equal(h.slack.events.filter((e) => e.kind === 'hello').length, 0, 'connected despite a bad certificate');
	assert.ok(handshakes.failed >= 1, 'no TLS handshake was refused');
	// it keeps trying with fresh URLs
	assert.ok(h.slack.calls.filter((c) => c.method === 'apps.connections.open').length >= 2);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});

test('wss:// with a certificate the CA store trusts connects and serves', async (t) => {
	const h = await startHarness();
	t.after(() => h.close());
	const { apiUrl } = await tlsFront(t, h);
	const fx = makeFixture(h);
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx), env: { ...FAST_ENV, SLACK_API_URL: apiUrl, SSL_CERT_FILE: CERT } });
	await h.waitForConnection({ since }, 10000);
	const a = await h.sendSlashCommand({ text: 'help' }).ack;
	assert.match(a.payload.text, /monthly/);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});

test('https:// Web API and wss:// socket, both verified, end to end', async (t) => {
	const h = await startHarness();
	t.after(() => h.close());
	const { apiUrl } = await tlsFront(t, h, { httpsApi: true });
	const fx = makeFixture(h);
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx), env: { ...FAST_ENV, SLACK_API_URL: apiUrl, SSL_CERT_FILE: CERT } });
	await h.waitForConnection({ since }, 10000);
	await h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' }).ack;
	const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 15000);
	assert.match(postText(file), /3 rows/);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});

test('https:// Web API with an untrusted certificate: a clear startup failure', async (t) => {
	const h = await startHarness();
	t.after(() => h.close());
	const { apiUrl } = await tlsFront(t, h, { httpsApi: true });
	const fx = makeFixture(h);
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx), env: { ...FAST_ENV, SLACK_API_URL: apiUrl, REPORTBOT_HTTP_RETRIES: '1' } });
	const r = await bot.exited;
	assert.equal(r.code, 2);
	assert.match(r.stderr, /certificate/i);
});
