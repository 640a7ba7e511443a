'use strict';
// The everyday paths: a report arrives as a file equal to the source's
// rows; help; mistakes explained; a refused channel; a failing report;
// Web API faults on the delivery path; no token anywhere.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, BOM, expectedCsv, secrets, historyOf, postText } = require('./lib');

test('slash commands end to end', async (t) => {
	const { h, fx, bot } = await startBot(t, { harness: { notInChannel: ['C0NOTIN0001'] } });
	const slack = h.slack;

	await t.test('a report arrives as a file whose CSV equals the rows', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' });
		const a = await ack;
		assert.ok(a.latencyMs < 3000, `ack took ${a.latencyMs} ms`);
		assert.match(a.payload.text, /run \d+/);
		assert.equal(a.payload.response_type, 'ephemeral');
		const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 15000);
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
		assert.equal(file.filename, 'usage-acme-2024-11.csv');
		assert.match(postText(file), /monthly/);
		assert.match(postText(file), /customer=acme/);
		assert.match(postText(file), /2024-11/);
		assert.match(postText(file), /3 rows/);
		assert.match(postText(file), /\d+(\.\d)? (ms|s)/);
		// the upload was a raw streamed body of the declared length
		const up = slack.uploads.filter((u) => u.seq >= since).pop();
		assert.equal(up.lengthMatches, true);
		assert.equal(up.multipart, false);
		// every Web API call carried the bot token as a Bearer header, JSON body
		for (const c of slack.calls.filter((x) => x.seq >= since)) {
			assert.equal(c.tokenKind, 'bot', `${c.method} used ${c.tokenKind}`);
			assert.match(c.contentType || '', /application\/json/);
		}
	});

	await t.test('`last` resolves and the comment shows the month', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'monthly beta 2024-11', channel: 'C0FAKECHAN1' });
		await ack;
		const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 15000);
		assert.equal(file.text, expectedCsv('beta', '2024-11'));
		assert.match(postText(file), /1 row\b/);
	});

	await t.test('help is answered in the ack', async () => {
		const { ack } = h.sendSlashCommand({ text: 'help' });
		const a = await ack;
		assert.match(a.payload.text, /monthly/);
		// restricted runs only in C0FINANCE01: counted, not named (issue 10)
		assert.doesNotMatch(a.payload.text, /restricted/);
		assert.match(a.payload.text, /1 more report exists/);
	});

	await t.test('a bad month gets the accepted forms', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'monthly acme 2024-13' });
		const a = await ack;
		assert.match(a.payload.text, /2024-13/);
		assert.match(a.payload.text, /YYYY-MM/);
		// and nothing runs
		await new Promise((r) => setTimeout(r, 300));
		assert.equal(slack.files.filter((f) => f.seq >= since).length, 0);
	});

	await t.test('an unknown command gets the closest name', async () => {
		const { ack } = h.sendSlashCommand({ text: 'montly acme' });
		const a = await ack;
		assert.match(a.payload.text, /montly/);
		assert.match(a.payload.text, /monthly/);
	});

	await t.test('a command limited to channels is refused elsewhere', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'restricted', channel: 'C0FAKECHAN1' });
		const a = await ack;
		assert.match(a.payload.text, /C0FINANCE01/);
		await new Promise((r) => setTimeout(r, 300));
		assert.equal(slack.files.filter((f) => f.seq >= since).length, 0);
		// and allowed where it may run
		const ok = h.sendSlashCommand({ text: 'restricted', channel: 'C0FINANCE01' });
		await ok.ack;
		const file = await h.waitForFile({ channel: 'C0FINANCE01', since }, 15000);
		assert.equal(file.text, BOM + 'n\r\n6\r\n');
	});

	await t.test('a failing report is told in plain words and recorded as error', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'broken', channel: 'C0FAKECHAN1' });
		const a = await ack;
		const m = a.payload.text.match(/run (\d+)/);
		assert.ok(m, a.payload.text);
		// to the asker alone, in place of "Running…" (issue 12)
		const msg = await h.waitForResponse({ text: /broken/, replace: true, since }, 15000);
		assert.match(msg.json.text, /failed/);
		await new Promise((r) => setTimeout(r, 200));
		assert.match(historyOf(fx), new RegExp(`${m[1]},'broken'.*'error'`));
	});

	await t.test('not_in_channel reaches the person and the run is an error', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0NOTIN0001' });
		const a = await ack;
		const id = a.payload.text.match(/run (\d+)/)[1];
		const ev = await h.waitFor((e) => e.kind === 'api' && e.method === 'files.completeUploadExternal'
			&& e.response && e.response.error === 'not_in_channel', 15000, { since });
		assert.ok(ev);
		// the bot may not post there, so the person hears it through the
		// slash command's response_url, privately
		const told = await h.waitFor((e) => e.kind === 'response_url', 15000, { since: ev.seq });
		assert.match(told.json.text, /invite @reportbot/);
		assert.equal(told.json.response_type, 'ephemeral');
		await new Promise((r) => setTimeout(r, 300));
		assert.match(historyOf(fx), new RegExp(`${id},'monthly'.*'error'`));
		void bot;
	});

	await t.test('Web API 429, 5xx and dropped connections are retried', async () => {
		const since = h.mark();
		slack.rateLimitNext('files.getUploadURLExternal', { retryAfter: 1 });
		slack.serverErrorNext('files.completeUploadExternal', { status: 503 });
		slack.dropNext('upload');
		const t0 = Date.now();
		const { ack } = h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' });
		await ack;
		const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 20000);
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
		assert.ok(Date.now() - t0 >= 1000, 'Retry-After was honoured');
		const gets = slack.calls.filter((c) => c.seq >= since && c.method === 'files.getUploadURLExternal');
		assert.equal(gets.length, 2);
		assert.equal(gets[0].status, 429);
	});

	await t.test('a retry budget runs out and the run is an error, not ok', async () => {
		const since = h.mark();
		slack.serverErrorNext('files.getUploadURLExternal', { status: 500, count: 50 });
		const { ack } = h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' });
		const a = await ack;
		const id = a.payload.text.match(/run (\d+)/)[1];
		await h.waitForResponse({ text: /could not be posted/, replace: true, since }, 20000);
		slack.clearFaults();
		const gets = slack.calls.filter((c) => c.seq >= since && c.method === 'files.getUploadURLExternal');
		assert.equal(gets.length, 5, 'first try + REPORTBOT_HTTP_RETRIES (4)');
		await new Promise((r) => setTimeout(r, 300));
		assert.match(historyOf(fx), new RegExp(`${id},'monthly'.*'error'`));
	});

	await t.test('SIGTERM stops cleanly and no token appears anywhere', async () => {
		const r = await bot.stop();
		assert.equal(r.code, 0, r.stderr.slice(-2000));
		const hist = historyOf(fx);
		for (const s of secrets(h)) {
			assert.ok(!r.stdout.includes(s), 'token in stdout');
			assert.ok(!r.stderr.includes(s), 'token in stderr');
			assert.ok(!hist.includes(s), 'token in history');
			for (const m of slack.messages)
				assert.ok(!JSON.stringify(m.args).includes(s), 'token in a message');
			for (const a of slack.acks)
				assert.ok(!JSON.stringify(a.payload || {}).includes(s), 'token in an ack');
		}
		// the socket was closed with a close frame, not dropped
		const closes = slack.events.filter((e) => e.kind === 'close');
		assert.ok(closes.length >= 1);
		assert.equal(closes[closes.length - 1].initiator, 'client');
	});
});
