#!/usr/bin/env node
'use strict';
// A loopback fake of the parts of Slack that reportbot talks to: the Web API
// over HTTP (POST /api/<method>), the file upload endpoint, and Socket Mode
// over WebSocket (/link). It records everything the client does and lets a
// test inject faults. Library API and examples: README.md beside this file.

const http = require('node:http');
const crypto = require('node:crypto');
const { EventEmitter } = require('node:events');
const { performance } = require('node:perf_hooks');
const { WebSocketServer, WebSocket } = require('ws');
const { readBlocks } = require('./blocks.js');

const DEFAULTS = {
	host: '127.0.0.1',
	port: 0,
	botToken: 'xoxb-fake-bot-token',
	appToken: 'xapp-fake-app-token',
	teamId: 'T0FAKE0001',
	teamDomain: 'fake-team',
	teamName: 'Fake Team',
	botUserId: 'U0FAKEBOT1',
	botUserName: 'reportbot',
	botId: 'B0FAKEBOT1',
	appId: 'A0FAKEAPP1',
	command: '/report',
	// channels where the bot is not a member: not_in_channel
	notInChannel: [],
	// channels that do not exist: channel_not_found
	unknownChannels: [],
	// Slack user groups: {S…: ['U…', …]} for usergroups.users.list
	usergroups: {},
	approximateConnectionTime: 18060,
	// a socket that would make more than this many open gets a
	// too_many_websockets disconnect instead of hello
	maxConnections: 10,
	helloDelayMs: 0,
	serverPingIntervalMs: 0,
	maxBodyBytes: 512 * 1024 * 1024,
	maxWsPayload: 64 * 1024 * 1024,
	ackTimeoutMs: 10000,
};

// payload.text while an envelope with rawText is serialized; replaced by
// the raw bytes afterwards (spliceRawText).
const RAW_TEXT_MARK = 'fake-slack-raw-text-7f3a9c';

// The JSON text with the quoted RAW_TEXT_MARK replaced by "RAW" (a Buffer).
function spliceRawText(json, raw) {
	const quoted = JSON.stringify(RAW_TEXT_MARK);
	const at = json.indexOf(quoted);
	return Buffer.concat([
		Buffer.from(json.slice(0, at) + '"', 'utf8'),
		Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw), 'utf8'),
		Buffer.from('"' + json.slice(at + quoted.length), 'utf8'),
	]);
}

const DISCONNECT_REASONS = ['warning', 'refresh_requested', 'too_many_websockets', 'link_disabled'];

function isRegExp(v) {
	return Object.prototype.toString.call(v) === '[object RegExp]';
}

// string: substring; RegExp: test; function: call; undefined: anything.
function matchValue(want, got) {
	if (want === undefined)
		return true;
	if (typeof want === 'function')
		return Boolean(want(got));
	if (isRegExp(want))
		return typeof got === 'string' && want.test(got);
	if (typeof want === 'string' && typeof got === 'string')
		return got.includes(want);
	return want === got;
}

function parseContentType(header) {
	if (!header)
		return { type: '', params: {} };
	const [type, ...rest] = header.split(';');
	const params = {};
	for (const p of rest) {
		const eq = p.indexOf('=');
		if (eq < 0)
			continue;
		let v = p.slice(eq + 1).trim();
		if (v.startsWith('"') && v.endsWith('"'))
			v = v.slice(1, -1);
		params[p.slice(0, eq).trim().toLowerCase()] = v;
	}
	return { type: type.trim().toLowerCase(), params };
}

// Returns [{name, filename, contentType, headers, data: Buffer}] or null when
// the body is not well-formed multipart.
function parseMultipart(buf, boundary) {
	if (!boundary)
		return null;
	const first = Buffer.from('--' + boundary);
	const delim = Buffer.from('\r\n--' + boundary);
	let pos = buf.indexOf(first);
	if (pos < 0)
		return null;
	pos += first.length;
	const parts = [];
	for (;;) {
		if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d)
			return parts;
		if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a)
			pos += 2;
		else
			return null;
		const headEnd = buf.indexOf('\r\n\r\n', pos);
		if (headEnd < 0)
			return null;
		const headers = {};
		for (const line of buf.subarray(pos, headEnd).toString('utf8').split('\r\n')) {
			const c = line.indexOf(':');
			if (c > 0)
				headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
		}
		const next = buf.indexOf(delim, headEnd + 4);
		if (next < 0)
			return null;
		const disp = headers['content-disposition'] || '';
		const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disp);
		const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disp);
		parts.push({
			name: name ? name[1] : null,
			filename: filename ? filename[1] : null,
			contentType: headers['content-type'] || null,
			headers,
			data: buf.subarray(headEnd + 4, next),
		});
		pos = next + delim.length;
	}
}

function formToObject(text) {
	const out = {};
	for (const [k, v] of new URLSearchParams(text))
		out[k] = v;
	return out;
}

function randomId(prefix, n) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
	const bytes = crypto.randomBytes(n);
	let s = prefix;
	for (const b of bytes)
		s += alphabet[b % alphabet.length];
	return s;
}

// Buttons as Block Kit allows them
// (https://docs.slack.dev/reference/block-kit/block-elements/button-element,
// https://docs.slack.dev/reference/block-kit/blocks/actions-block): at most
// 25 elements an actions block, action_id ≤ 255 and value ≤ 2000
// characters. Returns the [ERROR] message Slack gives, or null.
function invalidButtons(blocks) {
	if (!Array.isArray(blocks))
		return null;
	for (let i = 0; i < blocks.length; i++) {
		const b = blocks[i];
		if (!b || b.type !== 'actions')
			continue;
		if (!Array.isArray(b.elements) || b.elements.length > 25)
			return `[ERROR] no more than 25 items allowed [json-pointer:/blocks/${i}/elements]`;
		for (let j = 0; j < b.elements.length; j++) {
			const el = b.elements[j];
			if (el && typeof el.action_id === 'string' && el.action_id.length > 255)
				return `[ERROR] must be less than 256 characters [json-pointer:/blocks/${i}/elements/${j}/action_id]`;
			if (el && typeof el.value === 'string' && el.value.length > 2000)
				return `[ERROR] must be less than 2001 characters [json-pointer:/blocks/${i}/elements/${j}/value]`;
		}
	}
	return null;
}

// The first button whose action_id is actionId in a blocks array (or a
// message/payload holding one): {button, blockId}, or null.
function findButton(blocks, actionId) {
	if (blocks && !Array.isArray(blocks))
		blocks = blocks.blocks;
	for (const block of blocks || []) {
		if (!block || block.type !== 'actions' || !Array.isArray(block.elements))
			continue;
		for (const el of block.elements)
			if (el && el.type === 'button' && el.action_id === actionId)
				return { button: el, blockId: block.block_id || 'actions' };
	}
	return null;
}

function slackTs() {
	const now = Date.now();
	return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + Math.floor(Math.random() * 1000)).padStart(6, '0')}`;
}

// Block Kit limits of a modal view (https://docs.slack.dev/surfaces/modals,
// https://docs.slack.dev/reference/block-kit/blocks/input-block, the
// select, datepicker, number input and plain-text input element pages and
// https://docs.slack.dev/reference/block-kit/composition-objects/option-object).
// Lengths are counted as JavaScript counts them. Returns Slack-style
// messages, "[ERROR] … [json-pointer:/view/…]"; [] when the view is valid.
function validateView(view) {
	const out = [];
	const err = (ptr, msg) => out.push(`[ERROR] ${msg} [json-pointer:/view${ptr}]`);
	const text = (t, ptr, max, { plainOnly = true } = {}) => {
		if (!t || typeof t !== 'object' || typeof t.text !== 'string' || t.text.length === 0)
			return err(ptr, 'must provide a text object');
		if (plainOnly && t.type !== 'plain_text')
			err(`${ptr}/type`, 'must be plain_text');
		if (t.text.length > max)
			err(`${ptr}/text`, `must be less than ${max + 1} characters`);
	};
	if (view.type !== 'modal')
		err('/type', 'must be modal');
	text(view.title, '/title', 24);
	if (view.submit !== undefined)
		text(view.submit, '/submit', 24);
	if (view.close !== undefined)
		text(view.close, '/close', 24);
	if (typeof view.callback_id === 'string' && view.callback_id.length > 255)
		err('/callback_id', 'must be less than 256 characters');
	if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
		err('/private_metadata', 'must be less than 3001 characters');
	const blocks = view.blocks;
	if (!Array.isArray(blocks))
		return err('/blocks', 'must be an array'), out;
	if (blocks.length > 100)
		err('/blocks', 'no more than 100 items allowed');
	const ids = new Set();
	const option = (o, ptr) => {
		if (!o || typeof o !== 'object')
			return err(ptr, 'must be an option object');
		text(o.text, `${ptr}/text`, 75);
		if (typeof o.value !== 'string' || o.value.length > 150)
			err(`${ptr}/value`, 'must be a string of at most 150 characters');
		if (o.description !== undefined)
			text(o.description, `${ptr}/description`, 75);
	};
	const sameOption = (a, b) => a && b && a.value === b.value && a.text && b.text && a.text.text === b.text.text;
	blocks.forEach((b, i) => {
		const p = `/blocks/${i}`;
		if (b.block_id !== undefined) {
			if (typeof b.block_id !== 'string' || b.block_id.length > 255)
				err(`${p}/block_id`, 'must be less than 256 characters');
			else if (ids.has(b.block_id))
				err(`${p}/block_id`, `duplicate block_id ${b.block_id}`);
			ids.add(b.block_id);
		}
		if (b.type !== 'input')
			return;
		text(b.label, `${p}/label`, 2000);
		if (b.hint !== undefined)
			text(b.hint, `${p}/hint`, 2000);
		const el = b.element;
		if (!el || typeof el !== 'object')
			return err(`${p}/element`, 'must provide an element');
		const ep = `${p}/element`;
		if (typeof el.action_id === 'string' && el.action_id.length > 255)
			err(`${ep}/action_id`, 'must be less than 256 characters');
		switch (el.type) {
		case 'static_select':
		case 'multi_static_select': {
			if (!Array.isArray(el.options) || el.options.length === 0)
				err(`${ep}/options`, 'must provide options');
			else if (el.options.length > 100)
				err(`${ep}/options`, 'no more than 100 items allowed');
			(el.options || []).forEach((o, k) => option(o, `${ep}/options/${k}`));
			if (el.initial_option !== undefined && !(el.options || []).some((o) => sameOption(o, el.initial_option)))
				err(`${ep}/initial_option`, 'must match one of the options');
			for (const [k, io] of (el.initial_options || []).entries())
				if (!(el.options || []).some((o) => sameOption(o, io)))
					err(`${ep}/initial_options/${k}`, 'must match one of the options');
			break;
		}
		case 'datepicker':
			if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(el.initial_date))
				err(`${ep}/initial_date`, 'must be in YYYY-MM-DD format');
			break;
		case 'number_input': {
			if (typeof el.is_decimal_allowed !== 'boolean')
				err(`${ep}/is_decimal_allowed`, 'is required');
			const num = (k) => {
				if (el[k] === undefined)
					return undefined;
				if (typeof el[k] !== 'string' || !/^-?\d+(\.\d+)?$/.test(el[k]))
					err(`${ep}/${k}`, 'must be a number as a string');
				return Number(el[k]);
			};
			const min = num('min_value'), max = num('max_value'), init = num('initial_value');
			if (min !== undefined && max !== undefined && min > max)
				err(`${ep}/min_value`, 'must be less than or equal to max_value');
			if (init !== undefined && ((min !== undefined && init < min) || (max !== undefined && init > max)))
				err(`${ep}/initial_value`, 'must be between min_value and max_value');
			break;
		}
		case 'plain_text_input':
			if (el.max_length !== undefined && (!Number.isInteger(el.max_length) || el.max_length < 1 || el.max_length > 3000))
				err(`${ep}/max_length`, 'must be between 1 and 3000');
			if (typeof el.initial_value === 'string' && el.max_length && el.initial_value.length > el.max_length)
				err(`${ep}/initial_value`, 'must be no longer than max_length');
			break;
		default:
			break;
		}
	});
	return out;
}

class FakeSlack extends EventEmitter {
	constructor(options = {}) {
		super();
		this.setMaxListeners(0);
		this.options = { ...DEFAULTS, ...options };
		this.botToken = this.options.botToken;
		this.appToken = this.options.appToken;
		this.notInChannel = new Set(this.options.notInChannel);
		this.unknownChannels = new Set(this.options.unknownChannels);
		this.refuseFileBlocks = this.options.refuseFileBlocks || false;
		this.usergroups = new Map(Object.entries(this.options.usergroups || {}).map(([k, v]) => [k, [...v]]));
		this.port = null;
		this.apiUrl = null;

		// Everything that happens, in order; events[i].seq === i.
		this.events = [];
		// Views on the same records, by kind.
		this.calls = [];
		this.uploads = [];
		this.files = [];
		this.messages = [];
		this.acks = [];
		this.frames = [];
		this.connections = [];
		this.envelopes = new Map();

		this._faults = new Map();
		this._connectRefusals = [];
		this._tickets = new Map();
		this._ticketSeq = 0;
		this._fileSeq = 0;
		this._connSeq = 0;
		this._slots = new Map();
		this._pending = [];
		this._timers = new Set();
		this._server = null;
		this._wss = null;
	}

	// ---- lifecycle ----------------------------------------------------

	async start() {
		this._wss = new WebSocketServer({
			noServer: true,
			autoPong: false,
			clientTracking: false,
			perMessageDeflate: false,
			maxPayload: this.options.maxWsPayload,
		});
		this._server = http.createServer((req, res) => {
			this._onRequest(req, res).catch((err) => {
				this.record('internal_error', { message: String(err && err.stack || err) });
				if (!res.headersSent)
					res.writeHead(500, { 'content-type': 'text/plain' });
				res.end('fake-slack internal error\n');
			});
		});
		this._server.on('upgrade', (req, socket, head) => this._onUpgrade(req, socket, head));
		this._server.on('clientError', (err, socket) => socket.destroy());
		await new Promise((resolve, reject) => {
			this._server.once('error', reject);
			this._server.listen(this.options.port, this.options.host, () => {
				this._server.off('error', reject);
				resolve();
			});
		});
		this.port = this._server.address().port;
		this.baseUrl = `http://${this.options.host}:${this.port}`;
		this.apiUrl = `${this.baseUrl}/api/`;
		return this;
	}

	async stop() {
		for (const t of this._timers)
			clearTimeout(t);
		this._timers.clear();
		for (const c of this.connections) {
			if (c.pingTimer)
				clearInterval(c.pingTimer);
			if (c.ws.readyState !== WebSocket.CLOSED) {
				c.closeInitiator = c.closeInitiator || 'server';
				c.ws.terminate();
			}
		}
		if (this._server) {
			const server = this._server;
			this._server = null;
			await new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		}
		if (this._wss)
			this._wss.close();
	}

	_later(ms, fn) {
		const t = setTimeout(() => {
			this._timers.delete(t);
			fn();
		}, ms);
		this._timers.add(t);
		return t;
	}

	// ---- recording and waiting ---------------------------------------

	record(kind, fields) {
		const ev = { seq: this.events.length, kind, time: Date.now(), hr: performance.now(), ...fields };
		this.events.push(ev);
		this.emit(kind, ev);
		this.emit('event', ev);
		return ev;
	}

	// Sequence number of the next event: pass as `since` to wait only for
	// what happens from now on.
	mark() {
		return this.events.length;
	}

	// Resolves with the first event (from `since` on, already recorded or
	// still to come) for which predicate(ev) is true; rejects after timeoutMs.
	waitFor(predicate, timeoutMs = 5000, opts = {}) {
		if (typeof timeoutMs === 'object' && timeoutMs !== null) {
			opts = timeoutMs;
			timeoutMs = opts.timeoutMs ?? 5000;
		}
		const since = opts.since ?? 0;
		for (let i = since; i < this.events.length; i++) {
			if (predicate(this.events[i]))
				return Promise.resolve(this.events[i]);
		}
		return new Promise((resolve, reject) => {
			const cleanup = () => {
				clearTimeout(timer);
				this.off('event', onEvent);
			};
			const onEvent = (ev) => {
				let hit;
				try {
					hit = predicate(ev);
				} catch (err) {
					cleanup();
					reject(err);
					return;
				}
				if (hit) {
					cleanup();
					resolve(ev);
				}
			};
			const timer = setTimeout(() => {
				cleanup();
				const what = opts.description ? ` for ${opts.description}` : '';
				reject(new Error(`fake-slack: waitFor${what} timed out after ${timeoutMs} ms; ` +
					`last events: ${this.describeEvents(this.events.slice(-12))}`));
			}, timeoutMs);
			this.on('event', onEvent);
		});
	}

	waitForAck(envelopeId, timeoutMs = this.options.ackTimeoutMs, opts = {}) {
		return this.waitFor((ev) => ev.kind === 'ack' && ev.envelopeId === envelopeId, timeoutMs,
			{ ...opts, description: `ack of envelope ${envelopeId}` });
	}

	describeEvents(list) {
		return list.map((ev) => {
			switch (ev.kind) {
			case 'api': return `api ${ev.method}->${ev.response && ev.response.error || ev.status}`;
			case 'ack': return `ack ${ev.envelopeId}`;
			case 'envelope': return `envelope ${ev.type} ${ev.envelopeId}`;
			case 'close': return `close #${ev.connId} ${ev.code}`;
			case 'connect': return `connect #${ev.connId}`;
			case 'message': return `message ${ev.channel} ${JSON.stringify(String(ev.text).slice(0, 60))}`;
			case 'file': return `file ${ev.fileId} ${ev.channel}`;
			default: return ev.kind;
			}
		}).join(', ') || '(none)';
	}

	// ---- fault injection: Web API -------------------------------------

	// The next `count` calls of `method` ('*' = any method, 'upload' = the
	// upload endpoint) get `fault` instead of a normal answer. Fault forms:
	//   {status: 429, retryAfter: S}   HTTP 429, Retry-After: S, ratelimited
	//   {status: 500..599}             HTTP status, {"ok":false,"error":"internal_error"}
	//   {error: 'E'}                   HTTP 200 {"ok":false,"error":"E"}
	//   {drop: true}                   connection destroyed, no answer
	//   {delayMs: N}                   answer normally after N ms
	// Faults for one method are used in the order they were queued.
	failNext(method, fault, count = 1) {
		if (!this._faults.has(method))
			this._faults.set(method, []);
		this._faults.get(method).push({ ...fault, remaining: count });
		return this;
	}

	rateLimitNext(method, { retryAfter = 1, count = 1 } = {}) {
		return this.failNext(method, { status: 429, retryAfter }, count);
	}

	serverErrorNext(method, { status = 500, count = 1 } = {}) {
		return this.failNext(method, { status }, count);
	}

	errorNext(method, error, { count = 1 } = {}) {
		return this.failNext(method, { error }, count);
	}

	dropNext(method, { count = 1 } = {}) {
		return this.failNext(method, { drop: true }, count);
	}

	delayNext(method, delayMs, { count = 1 } = {}) {
		return this.failNext(method, { delayMs }, count);
	}

	// apps.connections.open refuses: with retryAfter as HTTP 429, with
	// status as that HTTP status, else ok:false with `error`.
	refuseConnectionsOpen({ count = 1, error = 'internal_error', retryAfter, status } = {}) {
		if (retryAfter !== undefined)
			return this.failNext('apps.connections.open', { status: 429, retryAfter }, count);
		if (status !== undefined)
			return this.failNext('apps.connections.open', { status }, count);
		return this.failNext('apps.connections.open', { error }, count);
	}

	clearFaults() {
		this._faults.clear();
		this._connectRefusals = [];
		return this;
	}

	_takeFault(method) {
		for (const key of [method, '*']) {
			const q = this._faults.get(key);
			if (!q || q.length === 0)
				continue;
			const f = q[0];
			if (--f.remaining <= 0)
				q.shift();
			const { remaining, ...fault } = f;
			void remaining;
			return fault;
		}
		return null;
	}

	// ---- fault injection: Socket Mode ---------------------------------

	// The next `count` WebSocket upgrades to /link are answered with HTTP
	// `status` (e.g. 409, 403, 503) and closed.
	refuseNextConnect({ status = 409, count = 1 } = {}) {
		for (let i = 0; i < count; i++)
			this._connectRefusals.push(status);
		return this;
	}

	activeConnections() {
		return this.connections.filter((c) => c.ws.readyState === WebSocket.OPEN);
	}

	// conn: a connection record, its id, or undefined for the newest open one.
	connection(conn) {
		if (conn && typeof conn === 'object')
			return conn;
		if (typeof conn === 'number') {
			const c = this.connections.find((x) => x.id === conn);
			if (!c)
				throw new Error(`fake-slack: no connection #${conn}`);
			return c;
		}
		const open = this.activeConnections();
		if (open.length === 0)
			throw new Error('fake-slack: no open Socket Mode connection');
		return open[open.length - 1];
	}

	// Sends {"type":"disconnect","reason":reason}. The connection then gets
	// no new envelopes. closeAfterMs (optional) closes it from our side that
	// much later, cleanly (close frame 1000) or, with terminate: true, abruptly.
	sendDisconnect(reason = 'refresh_requested', { conn, closeAfterMs, terminate = false } = {}) {
		const c = this.connection(conn);
		const msg = { type: 'disconnect', reason, debug_info: { host: 'fake-slack' } };
		if (reason === 'too_many_websockets') {
			msg.num_connections = this.activeConnections().length;
			msg.connection_info = { app_id: this.options.appId };
		}
		c.draining = true;
		this._sendFrame(c, JSON.stringify(msg), { what: 'disconnect' });
		this.record('disconnect', { connId: c.id, reason });
		if (closeAfterMs !== undefined && closeAfterMs !== null) {
			this._later(closeAfterMs, () => {
				if (terminate)
					this.terminate(c);
				else
					this.closeConnection(c, 1000, '');
			});
		}
		return c;
	}

	// Abrupt close: TCP torn down without a close frame.
	terminate(conn) {
		const c = this.connection(conn);
		c.closeInitiator = 'server';
		this.record('terminate', { connId: c.id });
		c.ws.terminate();
		return c;
	}

	// Clean close from our side (close frame with code and reason).
	closeConnection(conn, code = 1000, reason = '') {
		const c = this.connection(conn);
		if (c.ws.readyState !== WebSocket.OPEN)
			return c;
		c.closeInitiator = 'server';
		c.ws.close(code, reason);
		return c;
	}

	// Stop answering pings and sending anything on the connection; TCP stays
	// open. Envelopes go elsewhere or wait for another connection.
	silence(conn) {
		const c = this.connection(conn);
		c.silenced = true;
		this.record('silence', { connId: c.id });
		return c;
	}

	unsilence(conn) {
		const c = this.connection(conn);
		c.silenced = false;
		this.record('unsilence', { connId: c.id });
		this._flushPending();
		return c;
	}

	// Sends a WebSocket ping from the server; the pong is recorded.
	ping(conn, data = 'fake-slack-ping') {
		const c = this.connection(conn);
		c.ws.ping(data);
		this.record('server_ping', { connId: c.id, data: String(data) });
		return c;
	}

	// Sends any text (or object, as JSON) as one message, optionally split in
	// `fragments` WebSocket frames, optionally as a binary message.
	sendRaw(data, { conn, fragments = 1, binary = false } = {}) {
		const c = this.connection(conn);
		const text = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
		this._sendFrame(c, text, { fragments, binary, what: 'raw' });
		return c;
	}

	_sendFrame(c, text, { fragments = 1, binary = false, what } = {}) {
		if (c.silenced) {
			this.record('send_suppressed', { connId: c.id, what });
			return false;
		}
		if (c.ws.readyState !== WebSocket.OPEN)
			throw new Error(`fake-slack: connection #${c.id} is not open`);
		const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
		const n = Math.max(1, Math.min(fragments, buf.length || 1));
		if (n === 1) {
			c.ws.send(buf, { binary, fin: true });
		} else {
			const step = Math.ceil(buf.length / n);
			for (let i = 0; i < n; i++) {
				const chunk = buf.subarray(i * step, Math.min(buf.length, (i + 1) * step));
				c.ws.send(chunk, { binary, fin: i === n - 1 });
			}
		}
		this.record('sent', { connId: c.id, what, bytes: buf.length, fragments: n, binary });
		return true;
	}

	// ---- envelopes ------------------------------------------------------

	// Sends a Socket Mode envelope and returns {envelopeId, envelope, ack}
	// where ack is a promise of the first ack event (rejects after
	// ackTimeoutMs; an unobserved rejection is harmless).
	//   type, payload: the envelope's type and payload
	//   envelopeId: reuse an id (duplicate delivery); default a fresh UUID
	//   retryAttempt, retryReason: add retry_attempt/retry_reason
	//   acceptsResponsePayload: default true for slash_commands/interactive
	//   padTo: pad the payload (x_fake_padding) so the JSON is this many bytes
	//   fragments: split the message over this many WebSocket frames
	//   rawText: the exact bytes (Buffer or string) put between the quotes of
	//         payload.text, unchecked: '\\u0000', '\\ud800', invalid UTF-8,
	//         which JSON.stringify cannot produce; the message is sent as
	//         a text frame all the same
	//   conn: connection (record or id); default the newest open one that has
	//         had hello and is not draining or silenced; if none, the envelope
	//         waits and goes to the next connection after its hello
	sendEnvelope(opts = {}) {
		const type = opts.type || 'events_api';
		const envelopeId = opts.envelopeId || crypto.randomUUID();
		const envelope = { envelope_id: envelopeId, type, payload: opts.payload || {} };
		const accepts = opts.acceptsResponsePayload ?? (type === 'slash_commands' || type === 'interactive');
		envelope.accepts_response_payload = accepts;
		if (opts.retryAttempt !== undefined || type === 'events_api') {
			envelope.retry_attempt = opts.retryAttempt ?? 0;
			envelope.retry_reason = opts.retryReason ?? (envelope.retry_attempt > 0 ? 'timeout' : '');
		}
		if (opts.rawText !== undefined)
			envelope.payload = { ...envelope.payload, text: RAW_TEXT_MARK };
		let text = JSON.stringify(envelope);
		if (opts.padTo && Buffer.byteLength(text) < opts.padTo) {
			envelope.payload = { ...envelope.payload, x_fake_padding: '' };
			const base = Buffer.byteLength(JSON.stringify(envelope));
			envelope.payload.x_fake_padding = 'x'.repeat(Math.max(0, opts.padTo - base));
			text = JSON.stringify(envelope);
		}
		if (opts.rawText !== undefined)
			text = spliceRawText(text, opts.rawText);
		const rec = this.envelopes.get(envelopeId) || { envelopeId, type, deliveries: [] };
		this.envelopes.set(envelopeId, rec);
		rec.envelope = envelope;
		rec.rawText = opts.rawText;
		const since = this.mark();
		const item = { envelopeId, envelope, text, opts, rec };
		const c = this._route(opts.conn);
		if (c)
			this._deliver(c, item);
		else {
			this._pending.push(item);
			this.record('envelope_queued', { envelopeId, type });
		}
		const ack = this.waitForAck(envelopeId, opts.ackTimeoutMs ?? this.options.ackTimeoutMs, { since });
		ack.catch(() => {});
		return { envelopeId, envelope, ack };
	}

	// A slash command envelope as Slack sends it: payload values are strings.
	sendSlashCommand({ text = '', channel = 'C0FAKECHAN1', user = 'U0FAKEUSER1', userName = 'tester',
		channelName = 'reports', command = this.options.command, ...opts } = {}) {
		const payload = {
			token: 'fake-verification-token',
			team_id: this.options.teamId,
			team_domain: this.options.teamDomain,
			channel_id: channel,
			channel_name: channelName,
			user_id: user,
			user_name: userName,
			command,
			text,
			api_app_id: this.options.appId,
			is_enterprise_install: 'false',
			response_url: `${this.baseUrl}/response/${randomId('R', 8)}`,
			trigger_id: `${Date.now()}.${randomId('', 6)}`,
		};
		this.issueTrigger(payload.trigger_id, { user, ageMs: opts.triggerAgeMs });
		return this.sendEnvelope({ ...opts, type: 'slash_commands', payload });
	}

	// A click on a button, as Slack sends it in an `interactive` envelope
	// (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload):
	// payload.type "block_actions" with user, team, channel, container,
	// trigger_id, response_url (a new one per interaction), message and
	// actions[{type, action_id, block_id, value, action_ts}].
	// `ephemeral` marks the clicked message as an ephemeral one
	// (container.is_ephemeral); `message` is the message it was on.
	sendBlockActions({ user = 'U0FAKEUSER1', userName = 'tester', channel = 'C0FAKECHAN1',
		channelName = 'reports', actionId, value, blockId = 'actions', ephemeral = false,
		messageTs = slackTs(), message = null, ...opts } = {}) {
		const action = { type: 'button', action_id: actionId, block_id: blockId,
			text: { type: 'plain_text', text: actionId, emoji: true }, action_ts: slackTs() };
		if (value !== undefined)
			action.value = value;
		const payload = {
			type: 'block_actions',
			user: { id: user, username: userName, name: userName, team_id: this.options.teamId },
			api_app_id: this.options.appId,
			token: 'fake-verification-token',
			container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: ephemeral },
			trigger_id: `${Date.now()}.${randomId('', 6)}`,
			team: { id: this.options.teamId, domain: this.options.teamDomain },
			enterprise: null,
			is_enterprise_install: false,
			channel: { id: channel, name: channelName },
			message: message || { type: 'message', ts: messageTs, text: '', bot_id: this.options.botId },
			state: { values: {} },
			response_url: `${this.baseUrl}/response/${randomId('R', 8)}`,
			actions: [action],
		};
		if (ephemeral)
			delete payload.message;   // Slack does not send an ephemeral message's content
		// a click's trigger_id opens a modal like a slash command's does
		this.issueTrigger(payload.trigger_id, { user });
		return this.sendEnvelope({ ...opts, type: 'interactive', payload });
	}

	// Click the button `actionId` found in `blocks` (a message's, an ack
	// payload's or a response_url post's): its own action_id, block_id and
	// value go back, as Slack sends them. Throws when there is no such button.
	clickButton(blocks, actionId, opts = {}) {
		const b = findButton(blocks, actionId);
		if (!b)
			throw new Error(`fake-slack: no button ${actionId} in ${JSON.stringify(blocks)}`);
		return this.sendBlockActions({ ...opts, actionId: b.button.action_id, value: b.button.value,
			blockId: b.blockId });
	}

	// Delivers an already sent envelope again with the same envelope_id.
	// retryAttempt (e.g. 1) marks it a Slack retry.
	redeliver(envelopeId, opts = {}) {
		const rec = this.envelopes.get(envelopeId);
		if (!rec)
			throw new Error(`fake-slack: no envelope ${envelopeId} to redeliver`);
		const e = rec.envelope;
		return this.sendEnvelope({
			acceptsResponsePayload: e.accepts_response_payload,
			rawText: rec.rawText,
			...opts,
			type: e.type,
			payload: e.payload,
			envelopeId,
		});
	}

	// An envelope of a type the client cannot know.
	sendUnknownEnvelope(opts = {}) {
		return this.sendEnvelope({ type: 'fake_unknown_type', payload: { something: 'new' }, ...opts });
	}

	_route(conn) {
		if (conn !== undefined && conn !== null)
			return this.connection(conn);
		const ok = this.connections.filter((c) => c.ws.readyState === WebSocket.OPEN &&
			c.helloSent && !c.draining && !c.silenced);
		return ok.length ? ok[ok.length - 1] : null;
	}

	_deliver(c, item) {
		const { fragments = 1 } = item.opts;
		const sentHr = performance.now();
		if (!this._sendFrame(c, item.text, { fragments, what: 'envelope' })) {
			this._pending.push(item);
			return;
		}
		item.rec.deliveries.push({ connId: c.id, hr: sentHr, time: Date.now() });
		item.rec.lastSentHr = sentHr;
		this.record('envelope', {
			envelopeId: item.envelopeId,
			type: item.envelope.type,
			connId: c.id,
			retryAttempt: item.envelope.retry_attempt,
			bytes: Buffer.byteLength(item.text),
			fragments,
			payload: item.envelope.payload,
		});
	}

	_flushPending() {
		while (this._pending.length) {
			const c = this._route();
			if (!c)
				return;
			this._deliver(c, this._pending.shift());
		}
	}

	// ---- modals: views.open, views.update, interactions ----------------
	// https://docs.slack.dev/reference/methods/views.open
	// https://docs.slack.dev/reference/methods/views.update
	// https://docs.slack.dev/surfaces/modals
	// A trigger_id (from a slash command or an interaction) opens one view,
	// once, within triggerTtlMs (3 s): later expired_trigger_id, again
	// exchanged_trigger_id, unknown invalid_trigger_id. Views are checked
	// against Block Kit's limits (validateView); a broken one is refused
	// with invalid_arguments and response_metadata.messages naming the
	// json-pointer, as Slack does.

	_modalState() {
		if (!this._views) {
			this._views = new Map();
			this._triggers = new Map();
			this._viewSeq = 0;
			this.views = [];
			if (this.options.triggerTtlMs === undefined)
				this.options.triggerTtlMs = 3000;
		}
		return this;
	}

	// Make trigger_id usable by views.open; ageMs (optional) issues it that
	// long ago (an expired trigger for ageMs >= 3000).
	issueTrigger(triggerId, { user, ageMs = 0 } = {}) {
		this._modalState();
		this._triggers.set(triggerId, { issuedAt: Date.now() - (ageMs || 0), used: false, user });
		return triggerId;
	}

	_newTrigger(user) {
		return this.issueTrigger(`${Date.now()}.${randomId('', 10)}`, { user });
	}

	_parseView(v) {
		if (typeof v === 'string') {
			try {
				return JSON.parse(v);
			} catch (err) {
				return null;
			}
		}
		return v && typeof v === 'object' ? v : null;
	}

	_viewsOpen(args) {
		this._modalState();
		const t = this._triggers.get(args.trigger_id);
		let error = null;
		if (typeof args.trigger_id !== 'string' || !t)
			error = 'invalid_trigger_id';
		else if (t.used)
			error = 'exchanged_trigger_id';
		else if (Date.now() - t.issuedAt > this.options.triggerTtlMs)
			error = 'expired_trigger_id';
		const view = this._parseView(args.view);
		let problems = [];
		if (!error) {
			t.used = true;
			problems = view ? validateView(view) : ['[ERROR] view is not a JSON object [json-pointer:/view]'];
			if (problems.length)
				error = 'invalid_arguments';
		}
		const ev = this.record('view_open', { triggerId: args.trigger_id, error, problems, view, args });
		if (error) {
			const r = { ok: false, error };
			if (problems.length)
				r.response_metadata = { messages: problems };
			return r;
		}
		const id = `V${String(++this._viewSeq).padStart(4, '0')}${randomId('', 6)}`;
		const rec = { id, view, hash: `${Date.now()}.${randomId('', 8)}`, user: t.user || null, versions: [view], closed: false };
		this._views.set(id, rec);
		ev.viewId = id;
		this.views.push(ev);
		return { ok: true, view: this.viewPayload(id) };
	}

	_viewsUpdate(args) {
		this._modalState();
		const rec = this._views.get(args.view_id) ||
			[...this._views.values()].find((v) => args.external_id && v.view.external_id === args.external_id);
		const view = this._parseView(args.view);
		let error = null;
		let problems = [];
		if (!rec)
			error = 'not_found';
		else if (args.hash !== undefined && args.hash !== rec.hash)
			error = 'hash_conflict';
		else {
			problems = view ? validateView(view) : ['[ERROR] view is not a JSON object [json-pointer:/view]'];
			if (problems.length)
				error = 'invalid_arguments';
		}
		const ev = this.record('view_update', { viewId: args.view_id, hash: args.hash, error, problems, view, args });
		if (error) {
			const r = { ok: false, error };
			if (problems.length)
				r.response_metadata = { messages: problems };
			return r;
		}
		rec.view = view;
		rec.versions.push(view);
		rec.hash = `${Date.now()}.${randomId('', 8)}`;
		return { ok: true, view: this.viewPayload(rec.id) };
	}

	// The view as Slack shows it in payloads: the view the app sent plus
	// id, hash, team_id, app_id and state.values of what is filled in.
	viewPayload(viewId, values = {}) {
		const rec = this._modalState()._views.get(viewId);
		if (!rec)
			throw new Error(`fake-slack: no view ${viewId}`);
		return {
			...rec.view,
			id: rec.id,
			team_id: this.options.teamId,
			app_id: this.options.appId,
			bot_id: this.options.botId,
			hash: rec.hash,
			private_metadata: rec.view.private_metadata || '',
			callback_id: rec.view.callback_id || '',
			state: { values },
		};
	}

	// The current view (as the app last sent it) by id, or of the newest view.
	view(viewId) {
		this._modalState();
		const rec = viewId ? this._views.get(viewId) : [...this._views.values()].pop();
		return rec || null;
	}

	// view.state.values for the view's input blocks as Slack sends them:
	// every input block appears, keyed by block_id then action_id, with
	// `value` (plain_text_input, number_input), `selected_date`,
	// `selected_option` (the whole option) or `selected_options`; a field
	// left empty is null ([] for a multi-select). filled maps block_id (or
	// a block_id suffix after the last '.') to the value: a string, or an
	// array for a multi-select. An initial value counts as filled in.
	stateValues(viewId, filled = {}) {
		const rec = this._modalState()._views.get(viewId);
		const out = {};
		for (const b of rec.view.blocks || []) {
			if (b.type !== 'input' || !b.element)
				continue;
			const el = b.element;
			const key = Object.keys(filled).find((k) => k === b.block_id || b.block_id.endsWith(`.${k}`));
			const has = key !== undefined;
			const want = has ? filled[key] : undefined;
			const st = { type: el.type };
			switch (el.type) {
			case 'datepicker':
				st.selected_date = has ? want : (el.initial_date || null);
				break;
			case 'static_select': {
				const opts = el.options || [];
				st.selected_option = has ? (opts.find((o) => o.value === want) || (want === null ? null : { text: { type: 'plain_text', text: String(want) }, value: String(want) })) :
					(el.initial_option || null);
				break;
			}
			case 'multi_static_select': {
				const opts = el.options || [];
				st.selected_options = has ? [].concat(want || []).map((w) => opts.find((o) => o.value === w) || { text: { type: 'plain_text', text: String(w) }, value: String(w) }) :
					(el.initial_options || []);
				break;
			}
			default:   // plain_text_input, number_input
				st.value = has ? want : (el.initial_value !== undefined ? el.initial_value : null);
				break;
			}
			out[b.block_id] = { [el.action_id]: st };
		}
		return out;
	}

	_interactionBase(user, type) {
		return {
			type,
			team: { id: this.options.teamId, domain: this.options.teamDomain },
			user: { id: user, username: 'tester', name: 'tester', team_id: this.options.teamId },
			api_app_id: this.options.appId,
			token: 'fake-verification-token',
			trigger_id: this._newTrigger(user),
			is_enterprise_install: false,
			enterprise: null,
		};
	}

	// A block_actions envelope from an element of view viewId, as Slack sends
	// it when a select with dispatch_action changes: {envelopeId, envelope,
	// ack}. value: the option value chosen (selected_option), or for a
	// datepicker the date; filled: other fields' values (see stateValues).
	sendViewBlockActions({ viewId, user, blockId, actionId, value, filled = {}, ...opts } = {}) {
		const rec = this.view(viewId);
		if (!rec)
			throw new Error(`fake-slack: no view ${viewId}`);
		const block = (rec.view.blocks || []).find((b) => b.block_id === blockId);
		if (!block)
			throw new Error(`fake-slack: view ${rec.id} has no block ${blockId}`);
		const el = block.element || (block.elements || []).find((e) => e.action_id === actionId);
		actionId = actionId || el.action_id;
		const action = { action_id: actionId, block_id: blockId, type: el.type, action_ts: slackTs() };
		if (el.type === 'datepicker')
			action.selected_date = value;
		else if (el.type === 'static_select')
			action.selected_option = (el.options || []).find((o) => o.value === value) || { text: { type: 'plain_text', text: String(value) }, value: String(value) };
		else
			action.value = value;
		const payload = {
			...this._interactionBase(user || rec.user || 'U0FAKEUSER1', 'block_actions'),
			container: { type: 'view', view_id: rec.id },
			view: this.viewPayload(rec.id, this.stateValues(rec.id, { ...filled, [blockId]: value })),
			actions: [action],
		};
		return this.sendEnvelope({ ...opts, type: 'interactive', payload });
	}

	// A view_submission envelope for view viewId with its fields filled in
	// (stateValues); or values: view.state.values exactly as given. The ack
	// (await .ack) carries response_action "errors" or closes the view.
	sendViewSubmission({ viewId, user, filled = {}, values, ...opts } = {}) {
		const rec = this.view(viewId);
		if (!rec)
			throw new Error(`fake-slack: no view ${viewId}`);
		const payload = {
			...this._interactionBase(user || rec.user || 'U0FAKEUSER1', 'view_submission'),
			view: this.viewPayload(rec.id, values || this.stateValues(rec.id, filled)),
			response_urls: [],
		};
		const sent = this.sendEnvelope({ ...opts, type: 'interactive', payload });
		sent.ack.then((a) => {
			const p = a.payload || {};
			if (!p.response_action || p.response_action === 'clear')
				rec.closed = true;
		}, () => {});
		return sent;
	}

	// ---- Socket Mode server -------------------------------------------

	_refuseUpgrade(socket, status, why) {
		const body = `${why}\n`;
		socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] || 'Error'}\r\n` +
			'Connection: close\r\nContent-Type: text/plain\r\n' +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
		socket.on('error', () => {});
		this._later(200, () => socket.destroy());
	}

	_onUpgrade(req, socket, head) {
		const url = new URL(req.url, 'http://127.0.0.1');
		if (url.pathname !== '/link' && url.pathname !== '/link/') {
			this.record('connect_refused', { status: 404, why: 'not /link', path: url.pathname });
			return this._refuseUpgrade(socket, 404, 'no such endpoint');
		}
		if (this._connectRefusals.length) {
			const status = this._connectRefusals.shift();
			this.record('connect_refused', { status, why: 'injected' });
			return this._refuseUpgrade(socket, status, 'refused by test');
		}
		const ticket = url.searchParams.get('ticket');
		const t = ticket && this._tickets.get(ticket);
		if (!t || t.used) {
			const why = !ticket ? 'no ticket' : !t ? 'unknown ticket' : 'ticket already used';
			this.record('connect_refused', { status: 401, why, ticket });
			return this._refuseUpgrade(socket, 401, why);
		}
		t.used = true;
		this._wss.handleUpgrade(req, socket, head, (ws) => this._onConnection(ws, ticket, req));
	}

	_onConnection(ws, ticket, req) {
		const c = {
			id: ++this._connSeq,
			ws,
			ticket,
			url: req.url,
			openedAt: Date.now(),
			closedAt: null,
			closeCode: null,
			closeReason: null,
			closeInitiator: null,
			helloSent: false,
			silenced: false,
			draining: false,
			pingTimer: null,
		};
		this.connections.push(c);
		this.record('connect', { connId: c.id, ticket });

		ws.on('message', (data, isBinary) => this._onClientMessage(c, data, isBinary));
		ws.on('ping', (data) => {
			this.record('ping', { connId: c.id, data: data.toString('utf8'), answered: !c.silenced });
			if (!c.silenced && ws.readyState === WebSocket.OPEN)
				ws.pong(data);
		});
		ws.on('pong', (data) => this.record('pong', { connId: c.id, data: data.toString('utf8') }));
		ws.on('error', (err) => this.record('ws_error', { connId: c.id, message: err.message }));
		ws.on('close', (code, reason) => {
			if (c.pingTimer)
				clearInterval(c.pingTimer);
			c.closedAt = Date.now();
			c.closeCode = code;
			c.closeReason = reason.toString('utf8');
			if (!c.closeInitiator)
				c.closeInitiator = 'client';
			this.record('close', { connId: c.id, code, reason: c.closeReason, initiator: c.closeInitiator });
			// Envelopes not acked on a closed socket are not redelivered
			// by us; a test may call redeliver() to model Slack's retry.
		});

		const sendHello = () => {
			if (ws.readyState !== WebSocket.OPEN)
				return;
			if (this.activeConnections().length > this.options.maxConnections) {
				this.sendDisconnect('too_many_websockets', { conn: c });
				return;
			}
			const hello = {
				type: 'hello',
				num_connections: this.activeConnections().length,
				connection_info: { app_id: this.options.appId },
				debug_info: {
					host: `fake-slack-${c.id}`,
					build_number: 1,
					approximate_connection_time: this.options.approximateConnectionTime,
				},
			};
			if (!this._sendFrame(c, JSON.stringify(hello), { what: 'hello' }))
				return;
			c.helloSent = true;
			this.record('hello', { connId: c.id, numConnections: hello.num_connections });
			this._flushPending();
		};
		if (this.options.helloDelayMs > 0)
			this._later(this.options.helloDelayMs, sendHello);
		else
			sendHello();

		if (this.options.serverPingIntervalMs > 0) {
			c.pingTimer = setInterval(() => {
				if (!c.silenced && ws.readyState === WebSocket.OPEN)
					this.ping(c);
			}, this.options.serverPingIntervalMs);
		}
	}

	_onClientMessage(c, data, isBinary) {
		const hr = performance.now();
		const text = isBinary ? null : data.toString('utf8');
		let json = null;
		let parseError = null;
		if (!isBinary) {
			try {
				json = JSON.parse(text);
			} catch (err) {
				parseError = err.message;
			}
		}
		const frame = this.record('frame', { connId: c.id, binary: isBinary, bytes: data.length, text, json, parseError });
		this.frames.push(frame);
		if (json && typeof json === 'object' && typeof json.envelope_id === 'string') {
			const rec = this.envelopes.get(json.envelope_id);
			const prior = this.acks.filter((a) => a.envelopeId === json.envelope_id).length;
			const ack = this.record('ack', {
				connId: c.id,
				envelopeId: json.envelope_id,
				payload: json.payload,
				hasPayload: Object.prototype.hasOwnProperty.call(json, 'payload'),
				known: Boolean(rec),
				envelopeType: rec ? rec.type : null,
				latencyMs: rec && rec.lastSentHr !== undefined ? hr - rec.lastSentHr : null,
				duplicate: prior > 0,
			});
			this.acks.push(ack);
		}
	}

	// ---- HTTP -----------------------------------------------------------

	_readBody(req) {
		return new Promise((resolve, reject) => {
			const chunks = [];
			let size = 0;
			let tooBig = false;
			req.on('data', (chunk) => {
				size += chunk.length;
				if (size > this.options.maxBodyBytes)
					tooBig = true;
				else
					chunks.push(chunk);
			});
			req.on('end', () => resolve({ body: Buffer.concat(chunks), size, tooBig }));
			req.on('error', reject);
		});
	}

	_send(res, status, obj, headers = {}) {
		const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
		const type = typeof obj === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
		res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
		res.end(body);
	}

	async _onRequest(req, res) {
		const url = new URL(req.url, 'http://127.0.0.1');
		const path = url.pathname;
		if (path.startsWith('/api/'))
			return this._onApi(req, res, url, path.slice(5));
		if (path.startsWith('/upload/'))
			return this._onUpload(req, res, decodeURIComponent(path.slice(8)));
		if (path.startsWith('/response/'))
			return this._onResponseUrl(req, res, path.slice(10));
		if (path.startsWith('/_control/'))
			return this._onControl(req, res, url, path.slice(10));
		await this._readBody(req);
		this._send(res, 404, 'not found\n');
	}

	// Applies an injected fault; returns true when the request was answered.
	async _applyFault(fault, res, rec) {
		if (!fault)
			return false;
		rec.fault = fault;
		if (fault.delayMs)
			await new Promise((r) => this._later(fault.delayMs, r));
		if (fault.drop) {
			rec.status = null;
			res.socket.destroy();
			return true;
		}
		if (fault.status === 429) {
			rec.status = 429;
			rec.response = { ok: false, error: 'ratelimited' };
			this._send(res, 429, rec.response, { 'retry-after': String(fault.retryAfter ?? 1) });
			return true;
		}
		if (fault.status) {
			rec.status = fault.status;
			rec.response = { ok: false, error: 'internal_error' };
			this._send(res, fault.status, rec.response);
			return true;
		}
		if (fault.error) {
			rec.status = 200;
			rec.response = { ok: false, error: fault.error };
			this._send(res, 200, rec.response);
			return true;
		}
		return false;
	}

	_parseArgs(req, url, raw) {
		const ct = parseContentType(req.headers['content-type']);
		const args = formToObject(url.search);
		if (raw.length === 0)
			return { args, contentType: ct.type };
		if (ct.type === 'application/json') {
			let parsed;
			try {
				parsed = JSON.parse(raw.toString('utf8'));
			} catch (err) {
				return { args, contentType: ct.type, error: 'invalid_json' };
			}
			if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
				return { args, contentType: ct.type, error: 'invalid_json' };
			return { args: { ...args, ...parsed }, contentType: ct.type };
		}
		if (ct.type === 'multipart/form-data') {
			const parts = parseMultipart(raw, ct.params.boundary);
			if (!parts)
				return { args, contentType: ct.type, error: 'invalid_form_data' };
			for (const p of parts) {
				if (p.name !== null)
					args[p.name] = p.filename !== null ? { filename: p.filename, data: p.data } : p.data.toString('utf8');
			}
			return { args, contentType: ct.type };
		}
		if (ct.type === 'application/x-www-form-urlencoded' || ct.type === '')
			return { args: { ...args, ...formToObject(raw.toString('utf8')) }, contentType: ct.type };
		return { args, contentType: ct.type, error: 'invalid_form_data' };
	}

	async _onApi(req, res, url, method) {
		const { body: raw, tooBig } = await this._readBody(req);
		const parsed = this._parseArgs(req, url, raw);
		const rec = {
			method,
			httpMethod: req.method,
			headers: { ...req.headers },
			contentType: parsed.contentType,
			body: parsed.args,
			rawBody: raw.toString('utf8'),
			status: 200,
			response: null,
			fault: null,
		};
		const finish = () => {
			const ev = this.record('api', rec);
			this.calls.push(ev);
		};
		if (await this._applyFault(this._takeFault(method), res, rec))
			return finish();
		let result;
		if (tooBig)
			result = { ok: false, error: 'request_too_large' };
		else if (parsed.error)
			result = { ok: false, error: parsed.error };
		else
			result = this._dispatch(method, req, parsed.args, rec);
		rec.response = result;
		this._send(res, 200, result);
		finish();
	}

	_tokenKind(req) {
		const h = req.headers.authorization;
		if (!h)
			return null;
		const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
		if (!m)
			return 'invalid';
		if (m[1] === this.botToken)
			return 'bot';
		if (m[1] === this.appToken)
			return 'app';
		return 'invalid';
	}

	_channelError(channel) {
		if (channel === undefined || channel === null || channel === '')
			return 'channel_not_found';
		if (typeof channel !== 'string' || !/^[CDG][A-Z0-9]{2,}$/.test(channel) || this.unknownChannels.has(channel))
			return 'channel_not_found';
		if (this.notInChannel.has(channel))
			return 'not_in_channel';
		return null;
	}

	_dispatch(method, req, args, rec) {
		const handlers = {
			'auth.test': () => this._authTest(),
			'apps.connections.open': () => this._connectionsOpen(),
			'chat.postMessage': () => this._postMessage(args, false),
			'chat.postEphemeral': () => this._postMessage(args, true),
			'files.getUploadURLExternal': () => this._getUploadUrl(args),
			'files.completeUploadExternal': () => this._completeUpload(args),
			'usergroups.users.list': () => this._usergroupsUsersList(args, rec),
			'views.open': () => this._viewsOpen(args),
			'views.update': () => this._viewsUpdate(args),
		};
		const handler = handlers[method];
		if (!handler)
			return { ok: false, error: 'unknown_method' };
		const kind = this._tokenKind(req);
		rec.tokenKind = kind;
		if (kind === null)
			return { ok: false, error: 'not_authed' };
		if (kind === 'invalid')
			return { ok: false, error: 'invalid_auth' };
		const wants = method === 'apps.connections.open' ? 'app' : 'bot';
		if (kind !== wants)
			return { ok: false, error: 'not_allowed_token_type' };
		return handler();
	}

	_authTest() {
		const o = this.options;
		return {
			ok: true,
			url: `https://${o.teamDomain}.slack.com/`,
			team: o.teamName,
			user: o.botUserName,
			team_id: o.teamId,
			user_id: o.botUserId,
			bot_id: o.botId,
			is_enterprise_install: false,
		};
	}

	_connectionsOpen() {
		const ticket = `${++this._ticketSeq}-${randomId('', 8).toLowerCase()}`;
		this._tickets.set(ticket, { issuedAt: Date.now(), used: false });
		return {
			ok: true,
			url: `ws://${this.options.host}:${this.port}/link/?ticket=${ticket}&app_id=${this.options.appId}`,
		};
	}

	_postMessage(args, ephemeral) {
		const chErr = this._channelError(args.channel);
		if (chErr)
			return { ok: false, error: chErr };
		if (ephemeral && !args.user)
			return { ok: false, error: 'user_not_found' };
		const hasText = typeof args.text === 'string' && args.text.length > 0;
		if (!hasText && !args.blocks && !args.attachments)
			return { ok: false, error: 'no_text' };
		if (hasText && args.text.length > 40000)
			return { ok: false, error: 'msg_too_long' };
		let blocks = args.blocks;
		if (blocks !== undefined && blocks !== null) {
			const checked = readBlocks(blocks);   // blocks.js: as Slack checks them
			if (checked.error)
				return checked.error;
			blocks = checked.blocks;
		}
		const bad = invalidButtons(blocks);
		if (bad)
			return { ok: false, error: 'invalid_blocks', response_metadata: { messages: [bad] } };
		const ts = slackTs();
		const ev = this.record('message', {
			channel: args.channel,
			text: hasText ? args.text : '',
			blocks: blocks || null,
			user: ephemeral ? args.user : null,
			ephemeral,
			threadTs: args.thread_ts || null,
			ts,
			args,
		});
		this.messages.push(ev);
		if (ephemeral)
			return { ok: true, message_ts: ts };
		return {
			ok: true,
			channel: args.channel,
			ts,
			message: { type: 'message', text: ev.text, user: this.options.botUserId, bot_id: this.options.botId, ts },
		};
	}

	// files.completeUploadExternal refuses any `blocks` while on: true
	// answers invalid_blocks, a string answers that error code; false
	// (or null) takes them again.
	setRefuseFileBlocks(on) {
		this.refuseFileBlocks = on || false;
		return this;
	}

	// Replace the members of user group `id` (S…); [] empties it, null removes it.
	setUsergroup(id, users) {
		if (users === null)
			this.usergroups.delete(id);
		else
			this.usergroups.set(id, [...users]);
		return this;
	}

	// usergroups.users.list (https://api.slack.com/methods/usergroups.users.list):
	// `usergroup` (S…) required, form-encoded or in the query string; the
	// method does not accept JSON bodies, so JSON arguments are not read.
	// {"ok":true,"users":["U…","W…"]}; an unknown id: no_such_subteam.
	_usergroupsUsersList(args, rec) {
		const usergroup = rec.contentType === 'application/json' ? undefined : args.usergroup;
		if (typeof usergroup !== 'string' || usergroup === '')
			return { ok: false, error: 'invalid_arguments' };
		const users = this.usergroups.get(usergroup);
		if (!users)
			return { ok: false, error: 'no_such_subteam' };
		return { ok: true, users: [...users] };
	}

	_getUploadUrl(args) {
		const filename = args.filename;
		if (typeof filename !== 'string' || filename.length === 0)
			return { ok: false, error: 'invalid_arguments' };
		const lenStr = typeof args.length === 'number' ? String(args.length) : args.length;
		if (typeof lenStr !== 'string' || !/^\d+$/.test(lenStr))
			return { ok: false, error: 'invalid_arguments' };
		const id = `F${String(++this._fileSeq).padStart(4, '0')}${randomId('', 6)}`;
		this._slots.set(id, {
			id,
			filename,
			length: Number(lenStr),
			altText: args.alt_txt || null,
			uploaded: false,
			completed: false,
			content: null,
		});
		return { ok: true, upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
	}

	async _onUpload(req, res, fileId) {
		const { body: raw, size, tooBig } = await this._readBody(req);
		const rec = { fileId, httpMethod: req.method, headers: { ...req.headers }, status: 200, response: null, fault: null };
		if (await this._applyFault(this._takeFault('upload'), res, rec)) {
			this.record('upload_fault', rec);
			return;
		}
		const slot = this._slots.get(fileId);
		if (req.method !== 'POST' && req.method !== 'PUT') {
			this._send(res, 405, 'method not allowed\n');
			return;
		}
		if (!slot) {
			this.record('upload_rejected', { fileId, why: 'unknown file id', bytes: size });
			this._send(res, 404, 'file not found\n');
			return;
		}
		if (tooBig) {
			this._send(res, 413, 'too large\n');
			return;
		}
		const ct = parseContentType(req.headers['content-type']);
		let content = raw;
		let multipart = false;
		let partFilename = null;
		if (ct.type === 'multipart/form-data') {
			const parts = parseMultipart(raw, ct.params.boundary);
			if (!parts || parts.length === 0) {
				this.record('upload_rejected', { fileId, why: 'bad multipart body', bytes: size });
				this._send(res, 400, 'bad multipart body\n');
				return;
			}
			const part = parts.find((p) => p.filename !== null) || parts.find((p) => p.name === 'file') || parts[0];
			content = Buffer.from(part.data);
			partFilename = part.filename;
			multipart = true;
		}
		slot.uploaded = true;
		slot.content = content;
		const ev = this.record('upload', {
			fileId,
			filename: slot.filename,
			bytes: content.length,
			declaredLength: slot.length,
			lengthMatches: content.length === slot.length,
			content,
			text: content.toString('utf8'),
			contentType: ct.type,
			multipart,
			partFilename,
			chunked: req.headers['transfer-encoding'] === 'chunked',
			headers: rec.headers,
		});
		this.uploads.push(ev);
		this._send(res, 200, `OK - ${content.length}`);
	}

	_completeUpload(args) {
		let files = args.files;
		if (typeof files === 'string') {
			try {
				files = JSON.parse(files);
			} catch (err) {
				return { ok: false, error: 'invalid_arguments' };
			}
		}
		if (!Array.isArray(files) || files.length === 0 ||
		    !files.every((f) => f && typeof f === 'object' && typeof f.id === 'string'))
			return { ok: false, error: 'invalid_arguments' };
		let channels = [];
		if (args.channel_id !== undefined)
			channels = [args.channel_id];
		else if (typeof args.channels === 'string' && args.channels !== '')
			channels = args.channels.split(',');
		for (const ch of channels) {
			const err = this._channelError(ch);
			if (err)
				return { ok: false, error: err };
		}
		for (const f of files) {
			const slot = this._slots.get(f.id);
			if (!slot || !slot.uploaded || slot.completed)
				return { ok: false, error: 'file_not_found' };
		}
		// blocks: checked as on chat.postMessage; ignored when
		// initial_comment is set (Slack's method page); refused outright
		// while refuseFileBlocks is on (Slack has refused some block
		// types here: the fallback path)
		let blocks = null;
		const hasBlocks = args.blocks !== undefined && args.blocks !== null;
		if (hasBlocks && this.refuseFileBlocks)
			return { ok: false, error: this.refuseFileBlocks === true ? 'invalid_blocks' : this.refuseFileBlocks };
		if (hasBlocks) {
			const checked = readBlocks(args.blocks);
			if (checked.error)
				return checked.error;
			if (args.initial_comment === undefined)
				blocks = checked.blocks;
		}
		const out = [];
		for (const f of files) {
			const slot = this._slots.get(f.id);
			slot.completed = true;
			const ev = this.record('file', {
				fileId: f.id,
				filename: slot.filename,
				title: f.title || slot.filename,
				channel: channels[0] || null,
				channels,
				comment: args.initial_comment ?? null,
				blocks,
				threadTs: args.thread_ts || null,
				bytes: slot.content.length,
				content: slot.content,
				text: slot.content.toString('utf8'),
				args,
			});
			this.files.push(ev);
			// a file object carries its permalink
			// (https://docs.slack.dev/reference/objects/file-object)
			const permalink = `https://${this.options.teamDomain}.slack.com/files/${this.options.botUserId}/${f.id}/${encodeURIComponent(slot.filename)}`;
			ev.permalink = permalink;
			out.push({ id: f.id, title: f.title || slot.filename, name: slot.filename, size: slot.content.length,
				permalink, url_private: `${this.baseUrl}/files/${f.id}` });
		}
		return { ok: true, files: out };
	}

	async _onResponseUrl(req, res, id) {
		const { body: raw } = await this._readBody(req);
		let json = null;
		try {
			json = JSON.parse(raw.toString('utf8'));
		} catch (err) {
			json = null;
		}
		if (json && json.blocks !== undefined && json.blocks !== null) {
			const checked = readBlocks(json.blocks);
			if (checked.error) {
				this.record('response_url_refused', { id, text: raw.toString('utf8'), json, response: checked.error });
				return this._send(res, 400, checked.error);
			}
		}
		// replace_original: the message the response_url belongs to is replaced
		// (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses)
		this.record('response_url', { id, text: raw.toString('utf8'), json,
			replaceOriginal: !!(json && json.replace_original === true) });
		this._send(res, 200, 'ok');
	}

	// ---- control API over HTTP (for tests not written in JavaScript) ----

	async _onControl(req, res, url, action) {
		const { body: raw } = await this._readBody(req);
		let a = {};
		if (raw.length) {
			try {
				a = JSON.parse(raw.toString('utf8'));
			} catch (err) {
				return this._send(res, 400, { ok: false, error: 'invalid_json' });
			}
		}
		const conn = a.conn;
		try {
			switch (action) {
			case 'events': {
				const since = Number(url.searchParams.get('since') || 0);
				const list = this.events.slice(since).map((ev) => eventToJson(ev));
				return this._send(res, 200, { ok: true, next: this.events.length, events: list });
			}
			case 'slash': {
				const { envelopeId } = this.sendSlashCommand(a);
				return this._send(res, 200, { ok: true, envelope_id: envelopeId });
			}
			case 'envelope': {
				const { envelopeId } = this.sendEnvelope(a);
				return this._send(res, 200, { ok: true, envelope_id: envelopeId });
			}
			case 'redeliver': {
				this.redeliver(a.envelopeId, a);
				return this._send(res, 200, { ok: true });
			}
			case 'fault':
				this.failNext(a.method, a, a.count ?? 1);
				break;
			case 'refuse-connect':
				this.refuseNextConnect(a);
				break;
			case 'disconnect':
				this.sendDisconnect(a.reason, a);
				break;
			case 'terminate':
				this.terminate(conn);
				break;
			case 'silence':
				this.silence(conn);
				break;
			case 'unsilence':
				this.unsilence(conn);
				break;
			case 'clear-faults':
				this.clearFaults();
				break;
			case 'refuse-file-blocks':
				this.setRefuseFileBlocks(a.error ?? true);
				break;
			default:
				return this._send(res, 404, { ok: false, error: 'unknown_action' });
			}
		} catch (err) {
			return this._send(res, 409, { ok: false, error: err.message });
		}
		return this._send(res, 200, { ok: true });
	}
}

// JSON-safe copy of an event: Buffers become base64 under `<name>Base64`.
function eventToJson(ev) {
	const out = {};
	for (const [k, v] of Object.entries(ev)) {
		if (Buffer.isBuffer(v))
			out[`${k}Base64`] = v.toString('base64');
		else
			out[k] = v;
	}
	return out;
}

function parseCli(argv) {
	const opts = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length)
				throw new Error(`option ${a} needs a value`);
			return argv[++i];
		};
		switch (a) {
		case '--port': {
			const p = Number(val());
			if (!Number.isInteger(p) || p < 0 || p > 65535)
				throw new Error(`--port must be 0..65535, got ${argv[i]}`);
			opts.port = p;
			break;
		}
		case '--host': opts.host = val(); break;
		case '--bot-token': opts.botToken = val(); break;
		case '--app-token': opts.appToken = val(); break;
		case '--not-in-channel': opts.notInChannel = val().split(',').filter(Boolean); break;
		case '--unknown-channel': opts.unknownChannels = val().split(',').filter(Boolean); break;
		case '--server-ping-ms': opts.serverPingIntervalMs = Number(val()); break;
		case '-h':
		case '--help':
			return null;
		default:
			throw new Error(`unknown option ${a}`);
		}
	}
	return opts;
}

async function main() {
	let opts;
	try {
		opts = parseCli(process.argv.slice(2));
	} catch (err) {
		process.stderr.write(`fake-slack: ${err.message}\n`);
		process.exitCode = 1;
		return;
	}
	if (opts === null) {
		process.stdout.write('usage: fake-slack.js [--port N] [--host H] [--bot-token T] [--app-token T]\n' +
			'                    [--not-in-channel C1,C2] [--unknown-channel C3] [--server-ping-ms MS]\n' +
			'Prints {"port":N,"api_url":...} on stdout; control API under /_control/ (README.md).\n');
		return;
	}
	const slack = new FakeSlack(opts);
	await slack.start();
	if (process.env.FAKE_SLACK_LOG) {
		slack.on('event', (ev) => process.stderr.write(`fake-slack: ${slack.describeEvents([ev])}\n`));
	}
	process.stdout.write(JSON.stringify({ port: slack.port, api_url: slack.apiUrl }) + '\n');
	const stop = () => {
		slack.stop().then(() => process.exit(0));
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

module.exports = { findButton, invalidButtons, FakeSlack, DEFAULTS, DISCONNECT_REASONS, matchValue, parseMultipart, eventToJson, validateView };

if (require.main === module)
	main();
