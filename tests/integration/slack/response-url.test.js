'use strict';
// A run that fails at once, in a channel the bot has not joined, still
// reaches the person: the failure goes to the slash command's
// response_url, which travels inside the request and the job. (It used to
// sit in a side table filled after the job was queued, so a worker that
// finished first found no response_url and the person heard nothing.)

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, historyOf } = require('./lib');

const NOT_JOINED = 'C0NOTIN0001';
// Several at once: each is a chance for a worker to finish before the
// network thread is done with the envelope.
const RUNS = 12;

// Resolves once cond() holds (checked every 50 ms), rejects after ms.
async function until(cond, ms, what) {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

test('an instant failure in a channel the bot is not in reaches the response_url', async (t) => {
	const { h, fx } = await startBot(t, {
		harness: { notInChannel: [NOT_JOINED] },
		config: { workers: 4 },
	});
	const since = h.mark();

	const sent = [];
	for (let i = 0; i < RUNS; i++)
		sent.push(h.sendSlashCommand({ text: 'broken', channel: NOT_JOINED }));
	const runs = [];
	for (const s of sent) {
		const a = await s.ack;
		const m = a.payload.text.match(/run (\d+)/);
		assert.ok(m, a.payload.text);
		const url = s.envelope.payload.response_url;
		runs.push({ id: m[1], hook: url.slice(url.lastIndexOf('/') + 1) });
	}

	for (const r of runs) {
		// a failure goes to the asker alone, in place of the ack's
		// "Running…", through this command's own response_url (issue 12)
		const told = await h.waitFor((e) => e.kind === 'response_url' && e.id === r.hook, 15000,
			{ since, description: `the response_url reply for run ${r.id}` });
		assert.ok(told.json, told.text);
		assert.match(told.json.text, /`broken`/);
		assert.match(told.json.text, new RegExp(`failed \\(run ${r.id}\\)`));
		assert.match(told.json.text, /no_such_table|no such table/);
		assert.equal(told.json.response_type, 'ephemeral');
		assert.equal(told.json.replace_original, true);
	}
	// one reply per command, no more
	assert.equal(h.slack.events.filter((e) => e.seq >= since && e.kind === 'response_url').length, RUNS);

	// and every run is recorded as an error
	await until(() => {
		const dump = historyOf(fx);
		return runs.every((r) => new RegExp(`${r.id},'broken'.*'error'`).test(dump));
	}, 15000, 'every run recorded as error');
});
