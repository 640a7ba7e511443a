'use strict';
// Issue 13: `/report` alone opens a form. Against the fake Slack's
// views.open / views.update and its block_actions / view_submission
// envelopes:
//  - `/report` opens a form listing exactly the reports the person may run
//    in that channel (allow: and channels: as `help` applies them);
//  - choosing a report (block_actions from the picker) updates the form
//    with views.update and the view's hash: its typed inputs with defaults;
//  - submitting valid values posts the same CSV as the typed command with
//    the same arguments, and tells the person "Running …";
//  - each kind of mistake comes back in the ack under its field, in the
//    words the typed command gets;
//  - `/report NAME` with its required params missing opens the form for it;
//  - an expired trigger gets a plain ephemeral fallback;
//  - a person who lost permission between opening and submitting is refused.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV, expectedCsv } = require('./lib');

const ALICE = 'U0ALICE0001';   // finance by id
const BOB = 'U0BOB000001';     // no group
const CAROL = 'W0CAROL0001';   // finance through the Slack user group
const FIN_GROUP = 'S0FIN000001';
const GENERAL = 'C0GENERAL01';
const FINANCE_CH = 'C0FINANCE01';   // lib's restricted.sql runs only here

const EXTRA_COMMANDS = {
	'finance.sql': [
		'-- summary: Per-customer revenue, for finance only',
		'-- allow: finance',
		'-- param: customer string   Customer slug',
		'SELECT :customer AS customer, count(*) AS n FROM usage',
		'',
	].join('\n'),
	'kinds.sql': [
		'-- summary: One param of each kind',
		'-- param: day date              The day',
		'-- param: top int(1..52)        How many, 1 to 52',
		'-- param: fmt enum(csv|tsv)=csv Format',
		'-- param: tags list=a,b         Tags, comma-separated',
		'-- param: label string=none     A label',
		'SELECT :day AS day, :top AS top, :fmt AS fmt, :label AS label FROM usage',
		'WHERE customer NOT IN (:tags) LIMIT 1',
		'',
	].join('\n'),
};

async function start(t, { refreshMs = 60000 } = {}) {
	const h = await startHarness({ usergroups: { [FIN_GROUP]: [CAROL] } });
	t.after(() => h.close());
	const fx = makeFixture(h);
	for (const [name, text] of Object.entries(EXTRA_COMMANDS))
		h.writeFile(fx.commandsDir, name, text);
	const config = botConfig(fx);
	config.access = { groups: { finance: [ALICE, FIN_GROUP] } };
	const since = h.mark();
	h.spawnBot({ bin: BIN, config, env: { ...FAST_ENV, REPORTBOT_ACCESS_REFRESH_MS: String(refreshMs) } });
	await h.waitForConnection({ since }, 15000);
	return h;
}

// `/report TEXT` as user in channel; resolves with the opened view's
// record and the ack.
async function openForm(h, user, channel, text = '') {
	const since = h.mark();
	const s = h.sendSlashCommand({ user, channel, text });
	const ack = await s.ack;
	const trigger = s.envelope.payload.trigger_id;
	const ev = await h.waitFor((e) => e.kind === 'view_open' && e.triggerId === trigger, 10000,
		{ since, description: `views.open with ${trigger}` });
	assert.equal(ev.error, null, `views.open: ${ev.error} ${JSON.stringify(ev.problems)}`);
	return { ack, view: h.slack.view(ev.viewId), s };
}

const picker = (view) => view.blocks.find((b) => b.block_id === 'report');
const optionValues = (view) => picker(view).element.options.map((o) => o.value);
const input = (view, name) => view.blocks.find((b) => b.type === 'input' && b.block_id.endsWith(`.${name}`));

// Choose report in the form; resolves with the updated view.
async function choose(h, rec, report) {
	const since = h.mark();
	const hash = rec.hash;
	await h.slack.sendViewBlockActions({ viewId: rec.id, blockId: 'report', value: report }).ack;
	const ev = await h.waitFor((e) => e.kind === 'view_update' && e.viewId === rec.id, 10000,
		{ since, description: 'views.update' });
	assert.equal(ev.error, null, `views.update: ${ev.error} ${JSON.stringify(ev.problems)}`);
	assert.equal(ev.hash, hash, 'views.update sends the hash of the view the person acted on');
	return h.slack.view(rec.id).view;
}

async function submit(h, rec, filled, user) {
	const a = await h.slack.sendViewSubmission({ viewId: rec.id, filled, user }).ack;
	return a.payload || {};
}

test('/report alone opens a form listing exactly the reports the person may run here', async (t) => {
	const h = await start(t);
	const bob = await openForm(h, BOB, GENERAL);
	assert.equal(bob.ack.hasPayload, false, 'the slash command is acked without text');
	const all = ['bignums', 'broken', 'echo', 'echo_broken', 'kinds', 'monthly', 'nobom'];
	assert.deepEqual(optionValues(bob.view.view), all);
	const monthly = picker(bob.view.view).element.options.find((o) => o.value === 'monthly');
	assert.equal(monthly.description.text, 'Daily usage of one customer over a month');
	assert.equal(picker(bob.view.view).dispatch_action, true);
	assert.deepEqual(JSON.parse(bob.view.view.private_metadata), { channel: GENERAL });

	// Alice is in finance; in the finance channel `restricted` is there too
	const alice = await openForm(h, ALICE, FINANCE_CH);
	assert.deepEqual(optionValues(alice.view.view), [...all, 'finance', 'restricted'].sort());
	// Bob in the finance channel: restricted yes, finance no
	const bob2 = await openForm(h, BOB, FINANCE_CH);
	assert.deepEqual(optionValues(bob2.view.view), [...all, 'restricted'].sort());
});

test('choosing a report shows its typed inputs with defaults; submitting posts the typed CSV', async (t) => {
	const h = await start(t);
	const { view: rec } = await openForm(h, BOB, GENERAL);
	const view = await choose(h, rec, 'monthly');
	assert.equal(picker(view).element.initial_option.value, 'monthly');
	const customer = input(view, 'customer');
	assert.equal(customer.element.type, 'plain_text_input');
	assert.equal(customer.optional, false);
	assert.equal(customer.hint.text, 'Customer slug, e.g. acme');
	const month = input(view, 'month');
	assert.equal(month.element.type, 'static_select');
	assert.equal(month.optional, true);
	assert.equal(month.element.initial_option.value, 'last');
	assert.match(month.hint.text, /default: last/);
	assert.deepEqual(month.element.options.slice(0, 2).map((o) => o.value), ['this', 'last']);
	assert.equal(month.element.options.length, 26);

	// the kinds report: datepicker, number_input with its range, enum select, list text
	const kinds = await choose(h, h.slack.view(rec.id), 'kinds');
	assert.equal(input(kinds, 'day').element.type, 'datepicker');
	const top = input(kinds, 'top').element;
	assert.deepEqual([top.type, top.min_value, top.max_value], ['number_input', '1', '52']);
	const fmt = input(kinds, 'fmt').element;
	assert.deepEqual([fmt.type, fmt.initial_option.value], ['static_select', 'csv']);
	assert.deepEqual([input(kinds, 'tags').element.type, input(kinds, 'tags').element.initial_value], ['plain_text_input', 'a,b']);
	assert.equal(input(kinds, 'label').element.initial_value, 'none');

	// back to monthly, fill it in and submit
	await choose(h, h.slack.view(rec.id), 'monthly');
	const since = h.mark();
	const payload = await submit(h, h.slack.view(rec.id), { customer: 'acme', month: '2024-11' });
	assert.equal(payload.response_action, undefined, `the form closes: ${JSON.stringify(payload)}`);
	const file = await h.waitForFile({ channel: GENERAL, since }, 15000);
	assert.equal(file.text, expectedCsv('acme', '2024-11'));
	const running = await h.waitForMessage({ ephemeral: true, user: BOB, channel: GENERAL, since }, 10000);
	assert.match(running.text, /^Running `monthly customer=acme month=2024-11` as run \d+; .*cancel \d+/);

	// the typed command gives the same file
	const since2 = h.mark();
	const typedAck = await h.sendSlashCommand({ user: BOB, channel: GENERAL, text: 'monthly acme 2024-11' }).ack;
	assert.equal(typedAck.payload.text.replace(/\d+/g, 'N'), running.text.replace(/\d+/g, 'N'));
	const typed = await h.waitForFile({ channel: GENERAL, since: since2 }, 15000);
	assert.equal(typed.text, file.text);
	assert.equal(typed.filename, file.filename);
});

test('each kind of mistake comes back under its field, in the typed words', async (t) => {
	const h = await start(t);
	const { view: rec } = await openForm(h, BOB, GENERAL, 'kinds');   // required params missing: the form for it
	assert.equal(picker(rec.view).element.initial_option.value, 'kinds');
	const good = { day: '2024-11-03', top: '7', fmt: 'csv', tags: 'a,b', label: 'x' };
	const cases = [
		['top', { top: '99' }, 'top=99'],
		['top', { top: '3.5' }, 'top=3.5'],
		['day', { day: '2024-02-30' }, 'day=2024-02-30'],
		['fmt', { fmt: 'xml' }, 'fmt=xml'],
		['tags', { tags: 'a,,b' }, 'tags=a,,b'],
		['day', { day: null }, null],
	];
	for (const [field, bad, typedWord] of cases) {
		const filled = { ...good, ...bad };
		const payload = await submit(h, h.slack.view(rec.id), filled);
		assert.equal(payload.response_action, 'errors', JSON.stringify(bad));
		const keys = Object.keys(payload.errors);
		assert.deepEqual(keys, [`p.kinds.${field}`], JSON.stringify(payload));
		const msg = payload.errors[keys[0]];
		if (typedWord) {
			// the same words as the typed command
			const words = Object.entries(good).filter(([k]) => !(k in bad)).map(([k, v]) => `${k}=${v}`);
			const a = await h.sendSlashCommand({ user: BOB, channel: GENERAL, text: `kinds ${typedWord} ${words.join(' ')}` }).ack;
			assert.equal(msg, a.payload.text);
		} else {
			assert.match(msg, /^missing day/);
		}
	}
	// nothing ran
	assert.equal(h.slack.files.length, 0);
});

test('an expired trigger gets a plain ephemeral fallback instead of silence', async (t) => {
	const h = await start(t);
	const since = h.mark();
	const s = h.sendSlashCommand({ user: BOB, channel: GENERAL, text: '', triggerAgeMs: 4000 });
	await s.ack;
	const ev = await h.waitFor((e) => e.kind === 'view_open', 10000, { since });
	assert.equal(ev.error, 'expired_trigger_id');
	const hook = s.envelope.payload.response_url.split('/').pop();
	const reply = await h.waitFor((e) => e.kind === 'response_url' && e.id === hook, 10000, { since });
	assert.match(reply.json.text, /The form could not open: it took too long to open/);
	assert.match(reply.json.text, /Type `\/report NAME ARGS` instead/);
	assert.equal(reply.json.response_type, 'ephemeral');
});

test('a person who lost permission between opening and submitting is refused', async (t) => {
	const h = await start(t, { refreshMs: 200 });
	await h.waitFor((e) => e.kind === 'api' && e.method === 'usergroups.users.list' && e.response.ok, 10000);
	const { view: rec } = await openForm(h, CAROL, GENERAL, 'finance');
	assert.equal(picker(rec.view).element.initial_option.value, 'finance');
	// Carol leaves the user group; two refreshes later the bot knows
	h.slack.setUsergroup(FIN_GROUP, []);
	const since = h.mark();
	for (let i = 0; i < 2; i++)
		await h.waitFor((e) => e.kind === 'api' && e.method === 'usergroups.users.list' && e.seq >= since + i, 10000, { since: since + i });
	const payload = await submit(h, h.slack.view(rec.id), { customer: 'acme' });
	assert.equal(payload.response_action, 'errors');
	assert.ok(payload.errors.report, JSON.stringify(payload));
	assert.equal(h.slack.files.length, 0);
	assert.equal(h.slack.messages.filter((m) => /Running/.test(m.text)).length, 0);
});
