#!/usr/bin/env node
'use strict';
// A deliberately small Socket Mode bot used only by self-test.test.js to
// exercise the harness end to end (spawnBot, config, acks, uploads, stop).
// Not a model for the C bot's resilience logic.
//   example-bot.js [-c CONFIG] serve
// Slash command text "echo WORDS" uploads a file "echo.csv" holding WORDS;
// anything else gets an ephemeral "unknown command". Prints "connected"
// after each hello; exits 0 on SIGTERM, 1 when auth.test fails.

const fs = require('node:fs');
const { WebSocket } = require('ws');

const api = process.env.SLACK_API_URL || 'https://slack.com/api/';
const appToken = process.env.SLACK_APP_TOKEN || '';
const botToken = process.env.SLACK_BOT_TOKEN || '';

const argv = process.argv.slice(2);
let configText = '';
if (argv[0] === '-c') {
	configText = fs.readFileSync(argv[1], 'utf8');
	argv.splice(0, 2);
}
if (argv[0] !== 'serve') {
	process.stderr.write('usage: example-bot.js [-c CONFIG] serve\n');
	process.exit(1);
}
const prefix = (/^comment_prefix\s*=\s*"([^"]*)"/m.exec(configText) || [])[1] || '';

async function call(method, token, body) {
	const res = await fetch(api + method, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
		body: JSON.stringify(body || {}),
	});
	return res.json();
}

async function deliver(cmd, words) {
	const content = Buffer.from(`${words}\r\n`);
	const u = await call('files.getUploadURLExternal', botToken, { filename: 'echo.csv', length: content.length });
	if (!u.ok)
		throw new Error(`getUploadURLExternal: ${u.error}`);
	const up = await fetch(u.upload_url, { method: 'POST', body: content });
	if (up.status !== 200)
		throw new Error(`upload: HTTP ${up.status}`);
	const c = await call('files.completeUploadExternal', botToken, {
		files: [{ id: u.file_id, title: 'echo.csv' }],
		channel_id: cmd.channel_id,
		initial_comment: `${prefix}echo: ${words}`,
	});
	if (!c.ok) {
		await call('chat.postEphemeral', botToken, {
			channel: cmd.channel_id, user: cmd.user_id, text: `could not deliver: ${c.error}`,
		});
	}
}

let current = null;
let stopping = false;

async function connect() {
	const r = await call('apps.connections.open', appToken);
	if (!r.ok)
		throw new Error(`apps.connections.open: ${r.error}`);
	const ws = new WebSocket(r.url);
	ws.on('message', (data) => {
		const msg = JSON.parse(data.toString('utf8'));
		if (msg.type === 'hello') {
			const old = current;
			current = ws;
			if (old && old !== ws)
				old.close(1000);
			process.stdout.write('connected\n');
			return;
		}
		if (msg.type === 'disconnect') {
			if (msg.reason === 'link_disabled') {
				process.stderr.write('socket mode disabled\n');
				process.exit(2);
			}
			connect().catch((err) => process.stderr.write(`${err.message}\n`));
			return;
		}
		if (!msg.envelope_id)
			return;
		if (msg.type !== 'slash_commands') {
			ws.send(JSON.stringify({ envelope_id: msg.envelope_id }));
			return;
		}
		const text = msg.payload.text || '';
		const m = /^echo\s+(.*)$/.exec(text);
		ws.send(JSON.stringify({ envelope_id: msg.envelope_id, payload: { text: m ? 'working on it' : 'unknown command' } }));
		if (m)
			deliver(msg.payload, m[1]).catch((err) => process.stderr.write(`${err.message}\n`));
		else
			call('chat.postEphemeral', botToken, { channel: msg.payload.channel_id, user: msg.payload.user_id, text: `unknown command: ${text}` });
	});
	ws.on('error', () => {});
	ws.on('close', () => {
		if (ws === current && !stopping) {
			current = null;
			connect().catch((err) => process.stderr.write(`${err.message}\n`));
		}
	});
}

async function main() {
	const a = await call('auth.test', botToken);
	if (!a.ok) {
		process.stderr.write(`auth.test failed: ${a.error}\n`);
		process.exit(1);
	}
	process.on('SIGTERM', () => {
		stopping = true;
		process.stdout.write('stopping\n');
		if (current)
			current.close(1000);
		setTimeout(() => process.exit(0), 50);
	});
	await connect();
}

main().catch((err) => {
	process.stderr.write(`${err.message}\n`);
	process.exit(2);
});
