'use strict';
// Echoes are text, not markup (issue 10, item 8). Whatever a person typed
// comes back escaped (& < > as Slack's formatting reference asks:
// https://api.slack.com/reference/surfaces/formatting#escaping), so a
// typed <!channel>, <@U…> or <https://…|…> never becomes a ping, a mention
// or a link; the bot's own <@asker> and <#channel> stay markup.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, historyOf, postText } = require('./lib');

const ASKER = 'U0FAKEUSER1';
const BOB = 'U0BOB000001';
const CHAN = 'C0FAKECHAN1';
const TYPED = `<!channel> <@${BOB}> <https://evil.example|click> &amp;`;

// What Slack sends in a slash command's text for what a person typed.
function asSlackSends(typed) {
	return typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// What a real Slack client would render as markup in message text: every
// <…> span (mentions, channel links, special mentions, links).
// https://api.slack.com/reference/surfaces/formatting#advanced
function markupIn(text) {
	return [...String(text ?? '').matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
}

// Every text the bot sent to Slack since `since`: acks, messages,
// response_url posts, and the words and table cells of result posts.
function sentTexts(slack, h, since) {
	const out = [];
	for (const a of slack.acks)
		if (a.payload && a.payload.text && (a.seq === undefined || a.seq >= since))
			out.push(a.payload.text);
	for (const e of slack.events.filter((x) => x.seq >= since)) {
		if (e.kind === 'message') out.push(e.text ?? (e.args && e.args.text), postText(e));
		if (e.kind === 'response_url') out.push(e.json && e.json.text);
		if (e.kind === 'file') out.push(postText(e));
		// the post's table cells (issue 12): data is text too
		const table = (e.blocks || []).find((b) => b.type === 'table');
		for (const row of (table && table.rows) || [])
			for (const c of row)
				out.push(c.text);
	}
	return out.filter((t) => typeof t === 'string');
}

function assertNoTypedMarkup(texts) {
	for (const t of texts) {
		for (const m of markupIn(t))
			assert.ok(m === `@${ASKER}` || /^#C[A-Z0-9]+$/.test(m),
				`the bot sent markup <${m}> it did not mean, in: ${t}`);
		assert.ok(!t.includes('<!channel>'), `raw <!channel> in: ${t}`);
	}
}

test('typed markup comes back as text', async (t) => {
	const { h, fx } = await startBot(t);
	const slack = h.slack;
	const start = h.mark();

	await t.test('the file comment and the ack escape the arguments', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: `echo "${asSlackSends(TYPED)}"`, channel: CHAN });
		const a = await ack;
		assert.match(a.payload.text, /run \d+/);
		assert.ok(a.payload.text.includes('&lt;!channel&gt;'), a.payload.text);
		const file = await h.waitForFile({ channel: CHAN, since }, 15000);
		// the data is what was typed, unescaped: a CSV is not Slack text
		assert.ok(file.text.includes(TYPED), JSON.stringify(file.text));
		const c = postText(file);
		assert.ok(c.includes('&lt;!channel&gt;'), c);
		assert.ok(c.includes(`&lt;@${BOB}&gt;`), c);
		assert.ok(c.includes('&lt;https://evil.example|click&gt;'), c);
		assert.ok(c.includes('&amp;amp;'), c);
		assert.ok(!c.includes('<!channel>') && !c.includes(`<@${BOB}>`) && !c.includes('<https:'), c);
		// the bot's own mention of the asker is the only markup
		assert.deepEqual(markupIn(c), [`@${ASKER}`]);
	});

	await t.test('a failed run tells the arguments as text', async () => {
		const since = h.mark();
		const { ack } = h.sendSlashCommand({ text: `echo_broken "${asSlackSends('<!here> <@' + BOB + '>')}"`, channel: CHAN });
		await ack;
		// to the asker alone, in place of "Running…" (issue 12)
		const msg = await h.waitForResponse({ text: /echo_broken/, since }, 15000);
		const text = msg.json.text;
		assert.match(text, /failed/);
		assert.ok(text.includes('&lt;!here&gt;') && text.includes(`&lt;@${BOB}&gt;`), text);
		assert.deepEqual(markupIn(text), []);
	});

	await t.test('an unknown command name is echoed as text', async () => {
		const a = await h.sendSlashCommand({ text: asSlackSends('<!channel>'), channel: CHAN }).ack;
		assert.ok(a.payload.text.includes("'&lt;!channel&gt;'"), a.payload.text);
		assert.deepEqual(markupIn(a.payload.text), []);
	});

	await t.test("help's echo of an unknown name is text", async () => {
		const a = await h.sendSlashCommand({ text: `help ${asSlackSends(`<@${BOB}>`)}`, channel: CHAN }).ack;
		assert.ok(a.payload.text.includes(`&lt;@${BOB}&gt;`), a.payload.text);
		assert.deepEqual(markupIn(a.payload.text), []);
	});

	await t.test('a refused value is echoed as text', async () => {
		const a = await h.sendSlashCommand({ text: `monthly acme ${asSlackSends('<!everyone>')}`, channel: CHAN }).ack;
		assert.ok(a.payload.text.includes('&lt;!everyone&gt;'), a.payload.text);
		assert.ok(!a.payload.text.includes('<!everyone>'), a.payload.text);
	});

	await t.test("history's arguments are text", async () => {
		const since = h.mark();
		await h.sendSlashCommand({ text: 'history', channel: CHAN }).ack;
		const msg = await h.waitForMessage({ channel: CHAN, text: /echo_broken/, since }, 15000);
		const text = msg.text ?? msg.args.text;
		assert.ok(text.includes('&lt;!channel&gt;'), text);
		// the only markup: the bot's own "Runs in <#C…> and yours" heading
		assert.deepEqual(markupIn(text), [`#${CHAN}`]);
		// the history itself keeps what was typed
		assert.ok(historyOf(fx).includes('<!channel>'));
	});

	await t.test("the bot's own channel reference stays markup", async () => {
		const a = await h.sendSlashCommand({ text: 'restricted', channel: CHAN }).ack;
		assert.deepEqual(markupIn(a.payload.text), ['#C0FINANCE01']);
	});

	await t.test('nothing the bot sent holds typed markup', async () => {
		const texts = sentTexts(slack, h, start);
		assert.ok(texts.length >= 7, `only ${texts.length} texts recorded`);
		assertNoTypedMarkup(texts);
	});
});
