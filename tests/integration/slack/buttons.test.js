'use strict';
// Buttons (issue 12): the ephemeral "Running…" carries Cancel and is
// replaced through the slash command's response_url when the run ends; a
// failure reaches the asker alone with "Try again" (and "Retry upload"
// when only the upload failed); "Run again" reruns with the same resolved
// arguments; every click goes through the same permission checks as a
// typed command; `rerun` keeps a `last` month as the month it was.
// Clicks are block_actions envelopes as Slack sends them, made by the
// fake from the buttons the bot itself posted wherever the bot posts them.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, FAST_ENV, makeFixture, botConfig, expectedCsv, historyOf, postText } = require('./lib');

const ALICE = 'U0ALICE0001';   // in finance
const BOB = 'U0BOB000001';     // in no group
const CHAN = 'C0FAKECHAN1';

const EXTRA_COMMANDS = {
	'finance.sql': [
		'-- summary: For finance only',
		'-- allow: finance',
		'-- param: customer string   Customer slug',
		'SELECT :customer AS customer, count(*) AS n FROM usage',
		'',
	].join('\n'),
	'slow.sql': [
		'-- summary: Counts for a long time, to be cancelled',
		'-- param: customer string   Customer slug',
		'WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 4000000000)',
		'SELECT :customer AS customer, count(*) AS n FROM seq',
		'',
	].join('\n'),
};

function hookOf(url) {
	return url.slice(url.lastIndexOf('/') + 1);
}

function runId(text) {
	const m = /as run (\d+)/.exec(text || '');
	assert.ok(m, `no run id in ${JSON.stringify(text)}`);
	return m[1];
}

function sql(fx, query) {
	return execFileSync('sqlite3', [path.join(fx.dir, 'var', 'history.db'), query], { encoding: 'utf8' }).trim();
}

// Resolves once cond() holds; the history is a file another process
// writes, so it is read again until then (no fixed sleep decides).
async function until(what, cond, ms = 15000) {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end)
			assert.fail(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

async function slash(h, text, { user = ALICE, channel = CHAN } = {}) {
	const s = h.sendSlashCommand({ text, user, channel });
	const a = await s.ack;
	return { ack: a.payload || {}, hook: hookOf(s.envelope.payload.response_url) };
}

test('buttons', async (t) => {
	const h = await startHarness({});
	t.after(() => h.close());
	const fx = makeFixture(h);
	for (const [name, text] of Object.entries(EXTRA_COMMANDS))
		h.writeFile(fx.commandsDir, name, text);
	const config = botConfig(fx);
	config.access = { groups: { finance: [ALICE] } };
	const since0 = h.mark();
	h.spawnBot({ bin: BIN, config, env: FAST_ENV });
	await h.waitForConnection({ since: since0 }, 15000);

	await t.test('Running… carries Cancel and is replaced by one line with a link when the run ends', async () => {
		const since = h.mark();
		const { ack, hook } = await slash(h, 'monthly acme 2024-11');
		const id = runId(ack.text);
		const cancel = ack.blocks.flatMap((b) => b.elements || []).find((e) => e.action_id === 'reportbot_cancel');
		assert.equal(cancel.value, id);
		const file = await h.waitForFile({ channel: CHAN, since }, 15000);
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
		const done = await h.waitForResponse({ id: hook, since }, 15000);
		assert.equal(done.replaceOriginal, true);
		assert.match(done.json.text, new RegExp(`3 rows \\(run ${id}\\)`));
		const line = done.json.blocks.map((b) => b.text && b.text.text).join('');
		assert.ok(line.includes(`<${file.permalink}|`), line);
		assert.ok(!done.json.blocks.some((b) => b.type === 'actions'), 'no Cancel left');
	});

	await t.test('Cancel, then Try again, each from a click', async () => {
		let since = h.mark();
		const { ack, hook } = await slash(h, 'slow acme');
		const id = runId(ack.text);
		await until(`run ${id} running`, () => sql(fx, `SELECT status FROM runs WHERE id = ${id}`) === 'running');
		h.clickButton(ack.blocks, 'reportbot_cancel', { user: ALICE, channel: CHAN, ephemeral: true });
		const failed = await h.waitForResponse({ id: hook, replace: true, text: /was cancelled/, since }, 15000);
		await until(`run ${id} cancelled`, () => sql(fx, `SELECT status FROM runs WHERE id = ${id}`) === 'cancelled');

		since = h.mark();
		const click = h.clickButton(failed.json.blocks, 'reportbot_rerun', { user: ALICE, channel: CHAN, ephemeral: true });
		const clickHook = hookOf(click.envelope.payload.response_url);
		// "Try again" takes the failure's place: the new run, with its id
		const again = await h.waitForResponse({ id: clickHook, replace: true, since }, 15000);
		assert.match(again.json.text, new RegExp(`Run ${id} again: Running \`slow customer=acme\` as run`));
		const id2 = runId(again.json.text);
		assert.notEqual(id2, id);
		await until(`run ${id2} running`, () => sql(fx, `SELECT status FROM runs WHERE id = ${id2}`) === 'running');
		await slash(h, `cancel ${id2}`);
		const end = await h.waitForResponse({ id: clickHook, replace: true, text: /was cancelled/, since }, 15000);
		assert.match(end.json.text, new RegExp(`run ${id2}`));
	});

	await t.test('Run again on a result: same arguments, a new run', async () => {
		let since = h.mark();
		const { ack } = await slash(h, 'monthly acme 2024-11');
		const id = runId(ack.text);
		const first = await h.waitForFile({ channel: CHAN, since }, 15000);
		since = h.mark();
		// the button the result post carries (slack_actions_result), clicked
		const rerun = first.blocks.flatMap((b) => b.elements || []).find((e) => e.action_id === 'reportbot_rerun');
		assert.equal(rerun.value, id);
		assert.ok(first.blocks.flatMap((b) => b.elements || []).some((e) => e.action_id === 'reportbot_edit'),
			'a report with parameters offers Change arguments');
		h.clickButton(first.blocks, 'reportbot_rerun', { user: ALICE, channel: CHAN });
		const told = await h.waitForMessage({ channel: CHAN, ephemeral: true, user: ALICE, since }, 15000);
		assert.match(told.text, new RegExp(`Run ${id} again: Running \`monthly customer=acme month=2024-11\``));
		const id2 = runId(told.text);
		const file = await h.waitForFile({ channel: CHAN, since }, 15000);
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
		assert.match(postText(file), new RegExp(`run ${id2}`));
	});

	await t.test('a click by someone who may not run the report is refused', async () => {
		let since = h.mark();
		const { ack } = await slash(h, 'finance acme');
		const id = runId(ack.text);
		await h.waitForFile({ channel: CHAN, since }, 15000);
		since = h.mark();
		const runsBefore = sql(fx, "SELECT count(*) FROM runs WHERE status != 'reserved'");
		h.sendBlockActions({ user: BOB, channel: CHAN, actionId: 'reportbot_rerun', value: id });
		const no = await h.waitForMessage({ channel: CHAN, ephemeral: true, user: BOB, since }, 15000);
		assert.match(no.text, new RegExp(`no run ${id} that you may see`));
		// Change arguments: the form thread reads the run and refuses, through
		// the click's response_url; no form opens
		const edit = h.sendBlockActions({ user: BOB, channel: CHAN, actionId: 'reportbot_edit', value: id });
		const no2 = await h.waitForResponse({ id: hookOf(edit.envelope.payload.response_url), since }, 15000);
		assert.match(no2.json.text, /no run .* that you may see/);
		assert.ok(!no2.json.text.includes('acme'), 'nothing of the run is told');
		assert.equal(h.slack.events.filter((e) => e.seq >= since && e.kind === 'view_open').length, 0);
		// and nothing ran
		assert.equal(sql(fx, "SELECT count(*) FROM runs WHERE status != 'reserved'"), runsBefore);
		assert.equal(h.slack.files.filter((f) => f.seq >= since).length, 0);

		// Cancel of someone else's run is refused the same way
		since = h.mark();
		const slow = await slash(h, 'slow acme');
		const sid = runId(slow.ack.text);
		h.clickButton(slow.ack.blocks, 'reportbot_cancel', { user: BOB, channel: CHAN, ephemeral: true });
		const no3 = await h.waitForMessage({ channel: CHAN, ephemeral: true, user: BOB, since }, 15000);
		assert.match(no3.text, /cancel:/);
		assert.equal(sql(fx, `SELECT status FROM runs WHERE id = ${sid}`) === 'cancelled', false);
		await slash(h, `cancel ${sid}`);
		await until(`run ${sid} cancelled`, () => sql(fx, `SELECT status FROM runs WHERE id = ${sid}`) === 'cancelled');
	});

	await t.test("Change arguments opens the report's form filled with that run's arguments", async () => {
		let since = h.mark();
		// `last`: a month the form's select always offers (this, last, the past 24)
		const { ack } = await slash(h, 'monthly acme last');
		const month = /month=(\d{4}-\d{2})/.exec(ack.text)[1];
		const file = await h.waitForFile({ channel: CHAN, since }, 15000);
		since = h.mark();
		const click = h.clickButton(file.blocks, 'reportbot_edit', { user: ALICE, channel: CHAN });
		const trigger = click.envelope.payload.trigger_id;
		const ev = await h.waitFor((e) => e.kind === 'view_open' && e.triggerId === trigger, 10000,
			{ since, description: `views.open with ${trigger}` });
		assert.equal(ev.error, null, `views.open: ${ev.error}`);
		const view = h.slack.view(ev.viewId).view;
		const picked = view.blocks.find((b) => b.block_id === 'report');
		assert.equal(picked.element.initial_option.value, 'monthly');
		const field = (name) => view.blocks.find((b) => b.type === 'input' && b.block_id.endsWith(`.${name}`));
		assert.equal(field('customer').element.initial_value, 'acme');
		assert.equal(field('month').element.initial_option.value, month);
	});

	await t.test('rerun keeps a `last` month as the month it was', async () => {
		let since = h.mark();
		const { ack } = await slash(h, 'monthly acme last');
		const id = runId(ack.text);
		const now = /month=(\d{4}-\d{2})/.exec(ack.text)[1];
		assert.notEqual(now, '2024-11');
		await h.waitForFile({ channel: CHAN, since }, 15000);
		await until(`run ${id} recorded`, () => sql(fx, `SELECT status FROM runs WHERE id = ${id}`) === 'ok');
		// as if `last` had been typed in December 2024: the history keeps
		// what it resolved to
		sql(fx, `UPDATE runs SET args = 'customer=acme month=2024-11' WHERE id = ${id}`);
		since = h.mark();
		await slash(h, `rerun ${id}`);
		const file = await h.waitForFile({ channel: CHAN, since }, 15000);
		assert.equal(file.filename, 'usage-acme-2024-11.csv');
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
	});

	await t.test('a failed upload offers Retry upload, which posts the kept file again without a new run', async () => {
		let since = h.mark();
		h.slack.errorNext('files.completeUploadExternal', 'storage_limit_reached');
		const { ack, hook } = await slash(h, 'monthly acme 2024-11');
		const id = runId(ack.text);
		const failed = await h.waitForResponse({ id: hook, replace: true, text: /could not be posted/, since }, 15000);
		const retry = failed.json.blocks.flatMap((b) => b.elements || []).find((e) => e.action_id === 'reportbot_resend');
		assert.equal(retry.value, id);
		await until(`run ${id} recorded`, () => sql(fx, `SELECT status FROM runs WHERE id = ${id}`) === 'error');
		const runsBefore = sql(fx, "SELECT count(*) FROM runs WHERE status != 'reserved'");
		since = h.mark();
		h.clickButton(failed.json.blocks, 'reportbot_resend', { user: ALICE, channel: CHAN, ephemeral: true });
		// the same bytes, from the file kept in data_dir/results, no query
		const file = await h.waitForFile({ channel: CHAN, since }, 15000);
		assert.equal(file.filename, 'usage-acme-2024-11.csv');
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
		since = h.mark();
		await slash(h, `resend ${id}`);
		const again = await h.waitForFile({ channel: CHAN, since }, 15000);
		assert.equal(again.text, expectedCsv('acme', '2024-11'));
		assert.equal(sql(fx, "SELECT count(*) FROM runs WHERE status != 'reserved'"), runsBefore);
		// a run that is not kept (never made) is told so
		since = h.mark();
		await slash(h, 'resend 999999');
		const no = await h.waitForMessage({ channel: CHAN, ephemeral: true, user: ALICE, since }, 15000);
		assert.match(no.text, /resend/);
		void historyOf;
	});
});
