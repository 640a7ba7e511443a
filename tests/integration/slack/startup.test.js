'use strict';
// Startup: a wrong or missing token is a clear error with exit 1, and the
// token itself is never printed.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV } = require('./lib');

async function run(t, env) {
	const h = await startHarness();
	t.after(() => h.close());
	const fx = makeFixture(h);
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx), env: { ...FAST_ENV, ...env } });
	const r = await Promise.race([bot.exited, new Promise((res) => setTimeout(() => res(null), 15000))]);
	if (!r) {
		await bot.stop();
		assert.fail('the bot kept running with a bad token');
	}
	return { h, r };
}

test('a wrong bot token: auth.test fails, exit 1, clear message', async (t) => {
	const bad = 'xoxb-wrong-secret-1234';
	const { r } = await run(t, { SLACK_BOT_TOKEN: bad });
	assert.equal(r.code, 1);
	assert.match(r.stderr, /bot token is not valid/);
	assert.ok(!r.stdout.includes(bad) && !r.stderr.includes(bad));
});

test('a wrong app token: apps.connections.open fails, exit 1, clear message', async (t) => {
	const bad = 'xapp-wrong-secret-5678';
	const { h, r } = await run(t, { SLACK_APP_TOKEN: bad });
	assert.equal(r.code, 1);
	assert.match(r.stderr, /SLACK_APP_TOKEN/);
	assert.ok(!r.stdout.includes(bad) && !r.stderr.includes(bad));
	// an auth failure is not retried
	assert.equal(h.slack.calls.filter((c) => c.method === 'apps.connections.open').length, 1);
});

test('a bot token given as the app token is refused in words', async (t) => {
	const { r } = await run(t, { SLACK_APP_TOKEN: 'xoxb-fake-bot-token' });
	assert.equal(r.code, 1);
	assert.match(r.stderr, /wrong kind/);
	assert.ok(!r.stderr.includes('xoxb-fake-bot-token'));
});

test('no tokens at all: exit 1 naming the variables', async (t) => {
	const { r } = await run(t, { SLACK_APP_TOKEN: null, SLACK_BOT_TOKEN: null });
	assert.equal(r.code, 1);
	assert.match(r.stderr, /SLACK_BOT_TOKEN/);
});

test('Slack unreachable at start: exit 2 after bounded retries', async (t) => {
	const { r } = await run(t, { SLACK_API_URL: 'http://127.0.0.1:9/api/', REPORTBOT_HTTP_RETRIES: '1' });
	assert.equal(r.code, 2);
	assert.match(r.stderr, /cannot reach Slack/);
});
