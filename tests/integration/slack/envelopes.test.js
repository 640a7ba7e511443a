'use strict';
// Every envelope is acknowledged (issue 11): a slash command whose text
// jansson rejects the whole frame for — \u0000, a lone surrogate \ud800,
// bytes that are not UTF-8 — is acked at once and answered with what could
// not be read, never run, never redelivered; the bot keeps serving.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, historyOf } = require('./lib');

const CASES = [
	{ name: '\\u0000', raw: 'monthly acme \\u0000', words: /Sorry, I could not read that command \(it contains a character Slack sent as \\u0000\)/ },
	{ name: 'a lone \\ud800', raw: 'monthly \\ud800 acme', words: /Sorry, I could not read that command \(it contains a character Slack sent as \\ud800 \(half of a UTF-16 pair\)\)/ },
	{ name: 'invalid UTF-8', raw: Buffer.concat([Buffer.from('monthly acme '), Buffer.from([0xff, 0xfe]), Buffer.from(' 2024-11')]),
		words: /Sorry, I could not read that command \(it contains bytes that are not UTF-8 \(0xff\)\)/ },
];

test('unreadable envelopes are acknowledged and answered', async (t) => {
	const { h, fx, bot } = await startBot(t);
	const slack = h.slack;

	for (const c of CASES) {
		await t.test(`${c.name} in payload.text`, async () => {
			const since = h.mark();
			const { envelopeId, ack } = h.sendSlashCommand({ rawText: c.raw, ackTimeoutMs: 5000 });
			const a = await ack;
			assert.ok(a.latencyMs < 3000, `ack took ${a.latencyMs} ms`);
			assert.equal(a.envelopeId, envelopeId);
			assert.equal(a.hasPayload, true);
			assert.match(a.payload.text, c.words);
			assert.equal(a.payload.response_type, 'ephemeral');
			await bot.waitForOutput(new RegExp(`unreadable frame .*recovered envelope ${envelopeId}`), { timeoutMs: 5000 });
			// a Slack retry of the same bytes is acked again with the same answer
			const again = slack.redeliver(envelopeId, { retryAttempt: 1, ackTimeoutMs: 5000 });
			const b = await again.ack;
			assert.equal(b.payload.text, a.payload.text);
			// nothing was run and nothing else was posted
			assert.equal(slack.acks.filter((x) => x.seq >= since && x.envelopeId === envelopeId).length, 2);
			assert.equal(slack.calls.filter((x) => x.seq >= since && /^(files|chat)\./.test(x.method)).length, 0);
		});
	}

	await t.test('the bot still serves', async () => {
		const { ack } = h.sendSlashCommand({ text: 'monthly acme 2024-11' });
		const a = await ack;
		assert.match(a.payload.text, /run \d+/);
		const file = await h.waitForFile({}, 15000);
		assert.match(file.text, /^\uFEFFday,events/);   // the BOM is on by default
		// one run recorded: the unreadable ones ran nothing (ids set aside ahead stay 'reserved')
		assert.equal((historyOf(fx).match(/INSERT INTO runs VALUES\(\d+,'monthly'/g) || []).length, 1);
	});
});
