'use strict';
// Messages say each thing once (issue 11): a failing auth.test at startup
// names the method once, not "auth.test: auth.test: …".

const test = require('node:test');
const assert = require('node:assert/strict');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV } = require('./lib');

async function startAndExit(t, arrange) {
	const h = await startHarness();
	t.after(() => h.close());
	arrange(h.slack);
	const fx = makeFixture(h);
	const bot = h.spawnBot({ bin: BIN, config: botConfig(fx), env: { ...FAST_ENV, REPORTBOT_HTTP_RETRIES: '1' } });
	const r = await Promise.race([bot.exited, new Promise((res) => setTimeout(() => res(null), 15000))]);
	if (!r) {
		await bot.stop();
		assert.fail('the bot kept running although auth.test failed');
	}
	return r;
}

test('auth.test answered HTTP 503: exit 2, the method named once', async (t) => {
	const r = await startAndExit(t, (slack) => slack.serverErrorNext('auth.test', { status: 503, count: 10 }));
	assert.equal(r.code, 2);
	assert.match(r.stderr, /auth\.test: Slack answered HTTP 503/);
	assert.doesNotMatch(r.stderr, /auth\.test: auth\.test/);
});

test('auth.test refused the token: exit 1, the method named once', async (t) => {
	const r = await startAndExit(t, (slack) => slack.errorNext('auth.test', 'invalid_auth', { count: 1 }));
	assert.equal(r.code, 1);
	assert.match(r.stderr, /auth\.test: the bot token is not valid \(check SLACK_BOT_TOKEN/);
	assert.doesNotMatch(r.stderr, /auth\.test: auth\.test/);
});
