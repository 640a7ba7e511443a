'use strict';
// Who may run, see and stop what (issue 10, items 1-3), with two people, a
// finance member by id, one through a Slack user group, an admin, and three
// channels: #general, a private channel and one the bot has not joined.
// Each leak the issue lists is one test here:
//  - history in any channel listed every run with its arguments;
//  - anyone could cancel anyone's run;
//  - a failed ephemeral reply posted history to the whole channel;
//  - help listed reports the asker may not run;
//  - schedules listed every channel's schedules;
// and the new rules: allow: by person, group and Slack user group (read with
// usergroups.users.list and refreshed), admins, schedule add as its owner.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV, historyOf } = require('./lib');

const ALICE = 'U0ALICE0001';   // in finance by id
const BOB = 'U0BOB000001';     // in no group
const CAROL = 'W0CAROL0001';   // in finance through the Slack user group
const ADMIN = 'U0ADMIN0001';
const FIN_GROUP = 'S0FIN000001';
const GENERAL = 'C0GENERAL01';
const PRIVATE = 'G0PRIVATE01';
const NOT_JOINED = 'C0NOTIN0001';

const EXTRA_COMMANDS = {
	'finance.sql': [
		'-- summary: Per-customer revenue, for finance only',
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

async function start(t, { refreshMs = 60000 } = {}) {
	const h = await startHarness({ notInChannel: [NOT_JOINED], usergroups: { [FIN_GROUP]: [CAROL] } });
	t.after(() => h.close());
	const fx = makeFixture(h);
	for (const [name, text] of Object.entries(EXTRA_COMMANDS))
		h.writeFile(fx.commandsDir, name, text);
	const config = botConfig(fx);
	config.access = { groups: { admins: [ADMIN], finance: [ALICE, FIN_GROUP] } };
	config.schedule = [
		{ name: 'general-monthly', cron: '0 9 1 1 *', run: 'monthly acme', channel: GENERAL },
		{ name: 'private-monthly', cron: '0 9 1 1 *', run: 'monthly hushco', channel: PRIVATE },
	];
	const since = h.mark();
	h.spawnBot({ bin: BIN, config, env: { ...FAST_ENV, REPORTBOT_ACCESS_REFRESH_MS: String(refreshMs) } });
	await h.waitForConnection({ since }, 15000);
	return { h, fx };
}

// Send a command as user in channel; resolves with the ack text and the
// command's response_url id.
async function ask(h, user, channel, text) {
	const s = h.sendSlashCommand({ user, channel, text });
	const a = await s.ack;
	const url = s.envelope.payload.response_url;
	return { text: (a.payload && a.payload.text) || '', hook: url.slice(url.lastIndexOf('/') + 1) };
}

// The private reply to user in channel from `since` on (a worker built-in).
async function ephemeralTo(h, user, channel, since) {
	const ev = await h.waitFor((e) => e.kind === 'message' && e.ephemeral && e.user === user &&
		e.channel === channel, 15000, { since, description: `an ephemeral reply to ${user} in ${channel}` });
	return ev.text;
}

function runId(ackText) {
	const m = ackText.match(/as run (\d+)/);
	assert.ok(m, `not queued: ${ackText}`);
	return m[1];
}

async function until(cond, ms, what) {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

async function finished(fx, id) {
	await until(() => new RegExp(`\\(${id},[^\\n]*'(ok|error|cancelled)'`).test(historyOf(fx)), 15000, `run ${id} to finish`);
}

test('history lists this channel and the asker\'s own runs, never arguments of runs they could not have run', async (t) => {
	const { h, fx } = await start(t);
	const secret = runId((await ask(h, ALICE, PRIVATE, 'monthly secretcust 2024-11')).text);
	const fin = runId((await ask(h, ALICE, GENERAL, 'finance megacorp')).text);
	const own = runId((await ask(h, BOB, PRIVATE, 'monthly bobco 2024-11')).text);
	const here = runId((await ask(h, BOB, GENERAL, 'monthly acme 2024-11')).text);
	for (const id of [secret, fin, own, here])
		await finished(fx, id);

	let since = h.mark();
	await ask(h, BOB, GENERAL, 'history');
	let text = await ephemeralTo(h, BOB, GENERAL, since);
	assert.match(text, new RegExp(`#${here} .*acme`));             // this channel
	assert.match(text, new RegExp(`#${own} .*bobco`));             // his own, elsewhere
	assert.doesNotMatch(text, /secretcust/);                        // another channel's
	assert.doesNotMatch(text, /megacorp/);                          // a report he may not run
	assert.doesNotMatch(text, new RegExp(`#${fin} `));

	// history all is for admins
	const refused = await ask(h, BOB, GENERAL, 'history all');
	assert.match(refused.text, /only admins/);
	since = h.mark();
	await ask(h, ADMIN, GENERAL, 'history all');
	text = await ephemeralTo(h, ADMIN, GENERAL, since);
	for (const word of ['secretcust', 'megacorp', 'bobco', 'acme'])
		assert.match(text, new RegExp(word));

	// in the private channel, Alice sees her run there and her own finance run
	since = h.mark();
	await ask(h, ALICE, PRIVATE, 'history');
	text = await ephemeralTo(h, ALICE, PRIVATE, since);
	assert.match(text, /secretcust/);
	assert.match(text, /megacorp/);
	assert.match(text, /bobco/);                                    // run in this channel
	assert.doesNotMatch(text, new RegExp(`#${here} `));             // Bob's, in #general
});

test('cancel is for the person who asked and for admins; others learn nothing of the run', async (t) => {
	const { h, fx } = await start(t);
	const first = runId((await ask(h, ALICE, GENERAL, 'slow zetacorp')).text);
	const second = runId((await ask(h, ALICE, GENERAL, 'slow zetacorp')).text);

	const bob = await ask(h, BOB, GENERAL, `cancel ${first}`);
	assert.match(bob.text, /someone else/);
	assert.doesNotMatch(bob.text, /zetacorp|slow|U0ALICE/);
	const bobElsewhere = await ask(h, BOB, PRIVATE, `cancel ${second}`);
	assert.match(bobElsewhere.text, /someone else/);
	assert.doesNotMatch(historyOf(fx), /'cancelled'/);

	assert.match((await ask(h, ADMIN, GENERAL, `cancel ${first}`)).text, new RegExp(`Cancelling run ${first}`));
	assert.match((await ask(h, ALICE, GENERAL, `cancel ${second}`)).text, new RegExp(`Cancelling run ${second}`));
	await until(() => {
		const dump = historyOf(fx);
		return [first, second].every((id) => new RegExp(`\\(${id},'slow'.*'cancelled'`).test(dump));
	}, 20000, 'both runs cancelled');
});

test('a private reply that cannot be ephemeral goes to the response_url, never to the channel', async (t) => {
	const { h, fx } = await start(t);
	const secret = runId((await ask(h, ALICE, GENERAL, 'monthly secretcust 2024-11')).text);
	await finished(fx, secret);

	// Slack refuses the ephemeral message (the person is not in the channel)
	let since = h.mark();
	h.slack.errorNext('chat.postEphemeral', 'user_not_in_channel');
	const asked = await ask(h, ALICE, GENERAL, 'history');
	const told = await h.waitFor((e) => e.kind === 'response_url' && e.id === asked.hook, 15000,
		{ since, description: 'history through the response_url' });
	assert.match(told.json.text, /secretcust/);
	assert.equal(told.json.response_type, 'ephemeral');
	const posted = h.slack.events.filter((e) => e.seq >= since && e.kind === 'message' && !e.ephemeral);
	assert.deepEqual(posted.map((e) => e.text), []);

	// in a channel the bot has not joined the person hears it the same way
	since = h.mark();
	const there = await ask(h, ALICE, NOT_JOINED, 'history');
	const told2 = await h.waitFor((e) => e.kind === 'response_url' && e.id === there.hook, 15000,
		{ since, description: 'history in a channel the bot is not in' });
	assert.match(told2.json.text, /secretcust/);              // her own run
	assert.equal(h.slack.events.filter((e) => e.seq >= since && e.kind === 'message' && !e.ephemeral).length, 0);
});

test('help lists what the asker may run here and counts, without naming, the rest', async (t) => {
	const { h } = await start(t);
	// 6 reports: monthly, bignums, broken, slow for anyone anywhere;
	// restricted only in C0FINANCE01; finance only for the finance group
	const bob = await ask(h, BOB, GENERAL, 'help');
	assert.match(bob.text, /monthly/);
	assert.doesNotMatch(bob.text, /finance|restricted|Per-customer revenue/i);
	assert.match(bob.text, /2 more reports exist/);

	const alice = await ask(h, ALICE, GENERAL, 'help');
	assert.match(alice.text, /\*finance\*/);
	assert.doesNotMatch(alice.text, /restricted/);
	assert.match(alice.text, /1 more report exists/);

	// through the Slack user group, read with usergroups.users.list
	const carol = await ask(h, CAROL, GENERAL, 'help');
	assert.match(carol.text, /\*finance\*/);
	const call = h.slack.calls.find((c) => c.method === 'usergroups.users.list');
	assert.ok(call, 'usergroups.users.list was called');
	assert.equal(call.contentType, 'application/x-www-form-urlencoded');
	assert.equal(call.body.usergroup, FIN_GROUP);
	assert.deepEqual(call.response, { ok: true, users: [CAROL] });

	// help CMD for a report they may not run: says so, no details
	const detail = await ask(h, BOB, GENERAL, 'help finance');
	assert.match(detail.text, /may not run `finance`/);
	assert.doesNotMatch(detail.text, /customer|Per-customer/);
	// and a typo never suggests it
	const typo = await ask(h, BOB, GENERAL, 'financ megacorp');
	assert.doesNotMatch(typo.text, /Did you mean `\/report finance`/);
});

test('allow: limits who may run a report, by id, group and Slack user group, refreshed', async (t) => {
	const { h } = await start(t, { refreshMs: 300 });
	const bob = await ask(h, BOB, GENERAL, 'finance megacorp');
	assert.match(bob.text, /You may not run `finance`/);
	assert.doesNotMatch(bob.text, /as run/);
	assert.match((await ask(h, ALICE, GENERAL, 'finance megacorp')).text, /as run \d+/);
	assert.match((await ask(h, CAROL, GENERAL, 'finance megacorp')).text, /as run \d+/);

	// Carol leaves the user group: after the next read she may not run it
	h.slack.setUsergroup(FIN_GROUP, []);
	const since = h.mark();
	await h.waitFor((e) => e.kind === 'api' && e.method === 'usergroups.users.list' && e.response.ok &&
		e.response.users.length === 0, 10000, { since, description: 'the next read of the user group' });
	// the cache is written right after the answer; ask until it shows
	let text = '';
	for (let i = 0; i < 50 && !/may not run/.test(text); i++)
		text = (await ask(h, CAROL, GENERAL, 'help finance')).text;
	assert.match(text, /You may not run `finance`/);
	assert.match((await ask(h, CAROL, GENERAL, 'finance megacorp')).text, /You may not run/);
});

test('schedules shows this channel\'s; all and schedule add are for admins, as the report\'s owner', async (t) => {
	const { h } = await start(t);
	let since = h.mark();
	await ask(h, BOB, GENERAL, 'schedules');
	let text = await ephemeralTo(h, BOB, GENERAL, since);
	assert.match(text, /general-monthly/);
	assert.doesNotMatch(text, /private-monthly|hushco/);

	assert.match((await ask(h, BOB, GENERAL, 'schedules all')).text, /only admins/);
	since = h.mark();
	await ask(h, ADMIN, GENERAL, 'schedules all');
	text = await ephemeralTo(h, ADMIN, GENERAL, since);
	assert.match(text, /general-monthly/);
	assert.match(text, /private-monthly/);

	const bobAdd = await ask(h, BOB, GENERAL, `schedule add bobs "0 9 * * *" ${GENERAL} monthly acme`);
	assert.match(bobAdd.text, /only admins/);
	// the admin is not in finance: a schedule they own may not run it
	const adminAdd = await ask(h, ADMIN, GENERAL, `schedule add fin "0 9 * * *" ${GENERAL} finance acme`);
	assert.match(adminAdd.text, /You may not run `finance`/);
	since = h.mark();
	const ok = await ask(h, ADMIN, GENERAL, `schedule add gen "0 9 * * *" ${GENERAL} monthly acme`);
	assert.equal(ok.text, '');
	assert.match(await ephemeralTo(h, ADMIN, GENERAL, since), /Added schedule \*gen\*/);
});
