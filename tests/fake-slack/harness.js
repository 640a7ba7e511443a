'use strict';
// Test harness for reportbot's integration tests (node:test): a fake Slack on
// a free port, helpers that wait on its events, temporary directories and
// config files, and a bot process under control. API: README.md beside this.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');
const { WebSocket } = require('ws');
const { FakeSlack, matchValue } = require('./fake-slack');

function isPlainObject(v) {
	return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function tomlKey(k) {
	return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

function tomlValue(v, where) {
	if (typeof v === 'string')
		return JSON.stringify(v);
	if (typeof v === 'number') {
		if (!Number.isFinite(v))
			throw new Error(`toToml: ${where} is not a finite number`);
		return String(v);
	}
	if (typeof v === 'boolean')
		return v ? 'true' : 'false';
	if (Array.isArray(v))
		return `[${v.map((x, i) => tomlValue(x, `${where}[${i}]`)).join(', ')}]`;
	throw new Error(`toToml: ${where} has a value of type ${typeof v}; accepted: string, number, boolean, array, table`);
}

// Serialises a plain object as TOML: scalars and scalar arrays as key =
// value, nested objects as [a.b] tables, arrays of objects as [[a]] tables.
// Keys whose value is undefined or null are left out.
function toToml(obj) {
	const lines = [];
	const emit = (o, prefix) => {
		const tables = [];
		for (const [k, v] of Object.entries(o)) {
			if (v === undefined || v === null)
				continue;
			const full = prefix ? `${prefix}.${tomlKey(k)}` : tomlKey(k);
			if (isPlainObject(v))
				tables.push([full, v, false]);
			else if (Array.isArray(v) && v.length > 0 && v.every(isPlainObject))
				tables.push([full, v, true]);
			else
				lines.push(`${tomlKey(k)} = ${tomlValue(v, full)}`);
		}
		for (const [full, v, isArray] of tables) {
			if (isArray) {
				for (const item of v) {
					lines.push('', `[[${full}]]`);
					emit(item, full);
				}
			} else {
				lines.push('', `[${full}]`);
				emit(v, full);
			}
		}
	};
	emit(obj, '');
	return lines.join('\n').replace(/^\n+/, '') + '\n';
}

class BotProcess extends EventEmitter {
	constructor(child, info) {
		super();
		this.setMaxListeners(0);
		this.child = child;
		this.pid = child.pid;
		this.bin = info.bin;
		this.args = info.args;
		this.configPath = info.configPath;
		this.stdout = '';
		this.stderr = '';
		this.exitCode = null;
		this.signal = null;
		this.running = true;
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stdout.on('data', (s) => {
			this.stdout += s;
			this.emit('output', 'stdout', s);
		});
		child.stderr.on('data', (s) => {
			this.stderr += s;
			this.emit('output', 'stderr', s);
		});
		// Resolves with {code, signal, stdout, stderr} once the process has
		// exited and its output is fully read. Never rejects; a spawn error
		// gives code null and `error`.
		this.exited = new Promise((resolve) => {
			let done = false;
			const finish = (code, signal, error) => {
				if (done)
					return;
				done = true;
				this.running = false;
				this.exitCode = code;
				this.signal = signal;
				const r = { code, signal, stdout: this.stdout, stderr: this.stderr };
				if (error)
					r.error = error;
				this.emit('exit', r);
				resolve(r);
			};
			child.on('close', (code, signal) => finish(code, signal));
			child.on('error', (err) => finish(null, null, err));
		});
	}

	get output() {
		return this.stdout + this.stderr;
	}

	// Resolves with the text seen so far once `pattern` (string or RegExp)
	// appears on `stream` ('stdout', 'stderr' or 'both'); rejects on timeout
	// or if the process exits first.
	waitForOutput(pattern, { stream = 'both', timeoutMs = 5000 } = {}) {
		const text = () => (stream === 'stdout' ? this.stdout : stream === 'stderr' ? this.stderr : this.output);
		const hit = () => matchValue(pattern, text());
		if (hit())
			return Promise.resolve(text());
		if (!this.running)
			return Promise.reject(new Error(`bot exited (code ${this.exitCode}, signal ${this.signal}) ` +
				`without printing ${pattern}; stderr: ${this.stderr.slice(-2000)}`));
		return new Promise((resolve, reject) => {
			const cleanup = () => {
				clearTimeout(timer);
				this.off('output', onOut);
				this.off('exit', onExit);
			};
			const onOut = () => {
				if (hit()) {
					cleanup();
					resolve(text());
				}
			};
			const onExit = (r) => {
				cleanup();
				if (hit())
					resolve(text());
				else
					reject(new Error(`bot exited (code ${r.code}, signal ${r.signal}) before printing ${pattern}; ` +
						`stderr: ${this.stderr.slice(-2000)}`));
			};
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`bot did not print ${pattern} within ${timeoutMs} ms; output: ${this.output.slice(-2000)}`));
			}, timeoutMs);
			this.on('output', onOut);
			this.on('exit', onExit);
		});
	}

	kill(signal = 'SIGTERM') {
		if (this.running)
			this.child.kill(signal);
	}

	// SIGTERM (or `signal`), then wait up to timeoutMs for the exit; if it is
	// still running then, SIGKILL and `killed: true`. Resolves with
	// {code, signal, stdout, stderr, killed}.
	async stop({ signal = 'SIGTERM', timeoutMs = 10000 } = {}) {
		if (!this.running)
			return { ...(await this.exited), killed: false };
		this.child.kill(signal);
		let timer;
		const timedOut = new Promise((resolve) => {
			timer = setTimeout(() => resolve(null), timeoutMs);
		});
		const r = await Promise.race([this.exited, timedOut]);
		clearTimeout(timer);
		if (r)
			return { ...r, killed: false };
		this.child.kill('SIGKILL');
		return { ...(await this.exited), killed: true };
	}
}

class Harness {
	constructor(slack) {
		this.slack = slack;
		this.bots = [];
		this.dirs = [];
	}

	get apiUrl() {
		return this.slack.apiUrl;
	}

	get port() {
		return this.slack.port;
	}

	mark() {
		return this.slack.mark();
	}

	waitFor(predicate, timeoutMs = 5000, opts = {}) {
		return this.slack.waitFor(predicate, timeoutMs, opts);
	}

	// {envelopeId, envelope, ack}: ack resolves with the ack event
	// ({envelopeId, payload, latencyMs, connId, time, ...}).
	sendSlashCommand(opts = {}) {
		return this.slack.sendSlashCommand(opts);
	}

	waitForAck(envelopeId, timeoutMs, opts) {
		return this.slack.waitForAck(envelopeId, timeoutMs, opts);
	}

	// match: {channel, filename, comment, text, title, since} (strings match
	// as substrings, RegExps by test, functions by call) or a predicate on
	// the 'file' event. Resolves with the event; ev.text is the content.
	waitForFile(match = {}, timeoutMs = 10000) {
		if (typeof match === 'function')
			return this.waitFor((ev) => ev.kind === 'file' && match(ev), timeoutMs, { description: 'a file' });
		const pred = (ev) => ev.kind === 'file' &&
			matchValue(match.channel, ev.channel) &&
			matchValue(match.filename, ev.filename) &&
			matchValue(match.title, ev.title) &&
			matchValue(match.comment, ev.comment ?? '') &&
			matchValue(match.text, ev.text);
		return this.waitFor(pred, timeoutMs, { since: match.since, description: `file ${describeMatch(match)}` });
	}

	// match: {channel, text, ephemeral, user, since} or a predicate on the
	// 'message' event (chat.postMessage and chat.postEphemeral).
	waitForMessage(match = {}, timeoutMs = 10000) {
		if (typeof match === 'function')
			return this.waitFor((ev) => ev.kind === 'message' && match(ev), timeoutMs, { description: 'a message' });
		const pred = (ev) => ev.kind === 'message' &&
			matchValue(match.channel, ev.channel) &&
			matchValue(match.text, messageText(ev)) &&
			matchValue(match.ephemeral, ev.ephemeral) &&
			matchValue(match.user, ev.user);
		return this.waitFor(pred, timeoutMs, { since: match.since, description: `message ${describeMatch(match)}` });
	}

	// match: {id (the response_url's last part), text, replace, since} or a
	// predicate on the 'response_url' event (a post to a response_url).
	waitForResponse(match = {}, timeoutMs = 10000) {
		if (typeof match === 'function')
			return this.waitFor((ev) => ev.kind === 'response_url' && match(ev), timeoutMs, { description: 'a response_url post' });
		const pred = (ev) => ev.kind === 'response_url' &&
			matchValue(match.id, ev.id) &&
			matchValue(match.text, ev.json ? ev.json.text : ev.text) &&
			matchValue(match.replace, ev.replaceOriginal);
		return this.waitFor(pred, timeoutMs, { since: match.since, description: `response_url ${describeMatch(match)}` });
	}

	// A button click (FakeSlack.sendBlockActions / clickButton).
	sendBlockActions(opts) {
		return this.slack.sendBlockActions(opts);
	}

	clickButton(blocks, actionId, opts) {
		return this.slack.clickButton(blocks, actionId, opts);
	}

	// The next hello (a Socket Mode connection that is ready), from `since`.
	waitForConnection({ since } = {}, timeoutMs = 10000) {
		return this.waitFor((ev) => ev.kind === 'hello', timeoutMs, { since, description: 'a socket connection' });
	}

	// The next close of a connection (connId optional), from `since`.
	waitForClose({ connId, since } = {}, timeoutMs = 10000) {
		return this.waitFor((ev) => ev.kind === 'close' && (connId === undefined || ev.connId === connId),
			timeoutMs, { since, description: `close of connection ${connId ?? 'any'}` });
	}

	// The next Web API call of `method`, from `since`.
	waitForCall(method, { since } = {}, timeoutMs = 10000) {
		return this.waitFor((ev) => ev.kind === 'api' && ev.method === method, timeoutMs,
			{ since, description: `call of ${method}` });
	}

	// A new temporary directory, removed by close().
	tempDir(prefix = 'reportbot-test-') {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
		this.dirs.push(dir);
		return dir;
	}

	// Writes `content` to dir/name (creating folders); returns the path.
	writeFile(dir, name, content) {
		const p = path.join(dir, name);
		fs.mkdirSync(path.dirname(p), { recursive: true });
		fs.writeFileSync(p, content);
		return p;
	}

	// Writes a config file and returns its path. config: a TOML string, or
	// an object serialised by toToml(). Default place: a new temp dir.
	writeConfig(config, { dir, name = 'config.toml' } = {}) {
		const d = dir || this.tempDir('reportbot-config-');
		const text = typeof config === 'string' ? config : toToml(config);
		return this.writeFile(d, name, text);
	}

	// Starts `bin` with `args` (default ['serve']). With `config` (object or
	// TOML string) a temp config is written and `-c PATH` goes before args;
	// `configPath` passes an existing file instead. The environment is
	// process.env plus SLACK_API_URL (the fake), SLACK_APP_TOKEN and
	// SLACK_BOT_TOKEN (the fake's tokens), then `env` (a null value removes
	// a variable). inheritEnv: false starts from an empty environment
	// instead (PATH is kept). Returns a BotProcess.
	spawnBot({ bin, args = ['serve'], config, configPath, env = {}, cwd, inheritEnv = true } = {}) {
		if (!bin)
			throw new Error('spawnBot: bin (path of the program to run) is required');
		let cfg = configPath || null;
		if (!cfg && config !== undefined && config !== null)
			cfg = this.writeConfig(config);
		const base = inheritEnv ? { ...process.env } : { PATH: process.env.PATH };
		const fullEnv = {
			...base,
			SLACK_API_URL: this.slack.apiUrl,
			SLACK_APP_TOKEN: this.slack.appToken,
			SLACK_BOT_TOKEN: this.slack.botToken,
		};
		for (const [k, v] of Object.entries(env)) {
			if (v === null || v === undefined)
				delete fullEnv[k];
			else
				fullEnv[k] = String(v);
		}
		const argv = cfg ? ['-c', cfg, ...args] : [...args];
		const child = spawn(bin, argv, { cwd, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
		const bot = new BotProcess(child, { bin, args: argv, configPath: cfg });
		this.bots.push(bot);
		return bot;
	}

	// Kills bots still running (SIGKILL), stops the fake, removes temp dirs.
	async close() {
		for (const b of this.bots) {
			if (b.running) {
				b.kill('SIGKILL');
				await b.exited;
			}
		}
		await this.slack.stop();
		for (const d of this.dirs)
			fs.rmSync(d, { recursive: true, force: true });
		this.dirs = [];
	}
}

function messageText(ev) {
	if (ev.text)
		return ev.text;
	if (ev.blocks)
		return JSON.stringify(ev.blocks);
	return '';
}

function describeMatch(m) {
	const parts = [];
	for (const [k, v] of Object.entries(m)) {
		if (k !== 'since' && v !== undefined)
			parts.push(`${k}=${isRegExp(v) ? String(v) : JSON.stringify(v)}`);
	}
	return parts.join(' ') || '(any)';
}

function isRegExp(v) {
	return Object.prototype.toString.call(v) === '[object RegExp]';
}

// Summary of a list of numbers (e.g. ack latencies in ms): count, min,
// p50, p90, p99 (nearest rank), max, mean.
function latencyStats(values) {
	const v = [...values].sort((a, b) => a - b);
	if (v.length === 0)
		return { count: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null };
	const rank = (p) => v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
	return {
		count: v.length,
		min: v[0],
		p50: rank(50),
		p90: rank(90),
		p99: rank(99),
		max: v[v.length - 1],
		mean: v.reduce((a, b) => a + b, 0) / v.length,
	};
}

// Starts a fake Slack (options as for new FakeSlack) on a free port and
// returns a Harness around it.
async function startHarness(options = {}) {
	const slack = new FakeSlack(options);
	await slack.start();
	return new Harness(slack);
}

module.exports = { startHarness, Harness, BotProcess, FakeSlack, WebSocket, toToml, matchValue, latencyStats };
