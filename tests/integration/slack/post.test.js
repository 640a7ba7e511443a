'use strict';
// The result post of issue 12: one message per run, built from Block Kit:
// a section naming the run, a native table of the first rows, a chart when
// the report asks for one and the result fits, a context line saying what
// was left out, and the CSV in the same message (or, when Slack refuses the
// blocks on the file share, in the thread of a message that carries them).
// Also: the fake Slack refuses blocks the way Slack does (invalid_blocks).

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, expectedCsv, USAGE, BOM, postText, blockOf } = require('./lib');

const COLS = 23;
const cols = [];
for (let c = 1; c <= COLS; c++) {
	if (c === 3)
		cols.push('CASE WHEN i = 2 THEN NULL ELSE \'x\' || i END AS c3');     // NULL in row 2
	else if (c === 4)
		cols.push('\'\' AS c4');                                             // empty strings
	else if (c === 5)
		cols.push('printf(\'%.100c\', \'é\') AS c5');                        // 100 characters
	else if (c === 6)
		cols.push('\'<!channel> & co\' AS c6');                              // markup as data
	else
		cols.push(`i * ${c} AS c${c}`);
}

const COMMANDS = {
	'wide.sql': [
		'-- summary: 31 rows of 23 columns',
		'-- param: n int=31                 How many rows',
		'WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n)',
		`SELECT ${cols.join(', ')} FROM seq`,
		'',
	].join('\n'),
	'daily.sql': [
		'-- summary: Daily events of one customer',
		'-- param: customer string        Customer slug',
		'-- chart: line x=day y=events,doubled',
		'SELECT day, events, events * 2 AS doubled FROM usage WHERE customer = :customer ORDER BY day',
		'',
	].join('\n'),
	'shares.sql': [
		'-- summary: Events by customer',
		'-- chart: pie x=customer y=events',
		'SELECT customer, sum(events) AS events FROM usage GROUP BY customer ORDER BY customer',
		'',
	].join('\n'),
	'seqchart.sql': [
		'-- summary: Too many categories for a chart',
		'-- param: n int=31                 How many rows',
		'-- chart: bar x=i y=twice',
		'WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n)',
		'SELECT i, i * 2 AS twice FROM seq',
		'',
	].join('\n'),
	'textchart.sql': [
		'-- summary: A chart whose y is not a number',
		'-- chart: bar x=customer y=day',
		'SELECT customer, day FROM usage WHERE events > 4',
		'',
	].join('\n'),
	'private.sql': [
		'-- summary: No preview: wide or sensitive',
		'-- preview: 0',
		'SELECT customer, day FROM usage',
		'',
	].join('\n'),
};

const cellText = (c) => c.type === 'raw_text' ? c.text : c;

test('the result post', async (t) => {
	const { h } = await startBot(t, { commands: COMMANDS });
	const slack = h.slack;
	const run = async (text) => {
		const since = h.mark();
		await h.sendSlashCommand({ text, channel: 'C0FAKECHAN1', user: 'U0ALICE0001' }).ack;
		return h.waitForFile({ channel: 'C0FAKECHAN1', since }, 15000);
	};

	await t.test('one file share carries the blocks: section, table, context; no initial_comment', async () => {
		const file = await run('monthly acme 2024-11');
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
		assert.equal(file.comment, null, 'initial_comment would make Slack ignore the blocks');
		assert.equal(file.threadTs, null);
		assert.deepEqual(file.blocks.map((b) => b.type), ['section', 'table', 'context', 'actions']);   // actions: Run again, Change arguments
		const words = postText(file);
		assert.match(words, /`monthly` customer=acme month=2024-11/);
		assert.match(words, /3 rows/);
		assert.match(words, /run \d+/);
		assert.match(words, /asked by <@U0ALICE0001>/);
		const table = blockOf(file, 'table');
		assert.deepEqual(table.rows.map((r) => r.map(cellText)), [
			['day', 'events'], ['2024-11-01', '3'], ['2024-11-02', '5'], ['2024-11-30', '7'],
		]);
		assert.deepEqual(table.column_settings, [{ align: 'left' }, { align: 'right' }]);
		assert.equal(blockOf(file, 'context').elements[0].text, 'full CSV attached');
	});

	await t.test('a large result: the first 10 rows, 20 of 23 columns, the truncation line', async () => {
		const file = await run('wide');
		const lines = file.text.slice(BOM.length).split('\r\n').filter(Boolean);
		assert.equal(lines.length, 32, 'the CSV has every row');
		const table = blockOf(file, 'table');
		assert.equal(table.rows.length, 11, 'header and 10 rows');
		assert.ok(table.rows.every((r) => r.length === 20));
		assert.deepEqual(table.rows[0].map(cellText).slice(0, 3), ['c1', 'c2', 'c3']);
		assert.deepEqual(table.rows.slice(1).map((r) => r[0].text), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
		assert.equal(table.rows[3][1].text, '6');
		// NULL is an italic NULL; an empty string stays empty
		assert.equal(table.rows[2][2].type, 'rich_text');
		assert.deepEqual(table.rows[2][2].elements[0].elements[0], { type: 'text', text: 'NULL', style: { italic: true } });
		assert.equal(table.rows[1][2].text, 'x1');
		assert.equal(table.rows[1][3].text, '');
		// a long cell is cut at a character boundary with an ellipsis
		const long = table.rows[1][4].text;
		assert.equal([...long].length, 60);
		assert.equal(long, 'é'.repeat(59) + '…');
		// data never becomes markup
		assert.equal(table.rows[1][5].text, '&lt;!channel&gt; &amp; co');
		assert.equal(table.column_settings[0].align, 'right');
		assert.equal(table.column_settings[2].align, 'left');
		assert.equal(blockOf(file, 'context').elements[0].text,
			'first 10 of 31 rows · 20 of 23 columns · long values cut · full CSV attached');
	});

	await t.test('a chart report carries a chart whose values equal the query\'s', async () => {
		const file = await run('daily acme');
		const rows = USAGE.filter(([c]) => c === 'acme').sort((a, b) => a[1].localeCompare(b[1]));
		const viz = blockOf(file, 'data_visualization');
		assert.ok(viz, 'a data_visualization block');
		assert.equal(viz.title, 'Daily events of one customer');
		assert.equal(viz.chart.type, 'line');
		assert.deepEqual(viz.chart.axis_config.categories, rows.map((r) => r[1]));
		assert.equal(viz.chart.axis_config.x_label, 'day');
		assert.deepEqual(viz.chart.series.map((s) => s.name), ['events', 'doubled']);
		assert.deepEqual(viz.chart.series[0].data, rows.map((r) => ({ label: r[1], value: r[2] })));
		assert.deepEqual(viz.chart.series[1].data, rows.map((r) => ({ label: r[1], value: 2 * r[2] })));
		assert.doesNotMatch(postText(file), /no chart/);
	});

	await t.test('a pie chart has one segment per row', async () => {
		const file = await run('shares');
		const viz = blockOf(file, 'data_visualization');
		const sums = {};
		for (const [c, , n] of USAGE)
			sums[c] = (sums[c] || 0) + n;
		assert.deepEqual(viz.chart.segments, Object.keys(sums).sort().map((c) => ({ label: c, value: sums[c] })));
	});

	await t.test('a result too large for a chart posts without one and says why', async () => {
		const file = await run('seqchart');
		assert.equal(blockOf(file, 'data_visualization'), undefined);
		assert.ok(blockOf(file, 'table'), 'the table is still there');
		assert.match(postText(file), /no chart: 31 categories, a bar chart shows at most 20/);
		const small = await run('seqchart 20');
		assert.equal(blockOf(small, 'data_visualization').chart.axis_config.categories.length, 20);
	});

	await t.test('a y column that is not a number: no chart, and why', async () => {
		const file = await run('textchart');
		assert.equal(blockOf(file, 'data_visualization'), undefined);
		assert.match(postText(file), /no chart: column 'day' holds '2024-10-31', not a number/);
	});

	await t.test('-- preview: 0 posts no table, with the file', async () => {
		const file = await run('private');
		assert.equal(blockOf(file, 'table'), undefined);
		assert.match(file.text, /customer,day/);
		assert.equal(blockOf(file, 'context').elements[0].text, 'full CSV attached');
	});

	await t.test('blocks refused on the file share: the blocks as a message, the file in its thread', async () => {
		slack.setRefuseFileBlocks(true);
		t.after(() => slack.setRefuseFileBlocks(false));
		const since = h.mark();
		await h.sendSlashCommand({ text: 'daily acme', channel: 'C0FAKECHAN1' }).ack;
		const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 15000);
		const refused = slack.calls.filter((c) => c.seq >= since && c.method === 'files.completeUploadExternal');
		assert.equal(refused[0].response.error, 'invalid_blocks');
		const msg = slack.messages.filter((m) => m.seq >= since && !m.ephemeral && m.blocks).pop();
		assert.ok(msg, 'a chat.postMessage with the blocks');
		assert.equal(file.threadTs, msg.ts, 'the file is in the post\'s thread');
		assert.equal(file.blocks, null);
		assert.ok(file.text.includes('2024-11-01,3,6\r\n'), 'the CSV is delivered');
		assert.ok(blockOf(msg, 'table'));
		assert.ok(blockOf(msg, 'data_visualization'));
		assert.match(postText(msg), /full CSV in the thread/);
		assert.match(msg.text, /`daily` customer=acme: 5 rows/, 'a text fallback');
		slack.setRefuseFileBlocks(false);
	});

	await t.test('a refusal with another block error code takes the same way', async () => {
		slack.setRefuseFileBlocks('invalid_blocks_format');
		const since = h.mark();
		await h.sendSlashCommand({ text: 'monthly acme 2024-11', channel: 'C0FAKECHAN1' }).ack;
		const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 15000);
		assert.ok(file.threadTs);
		assert.equal(file.text, expectedCsv('acme', '2024-11'));
		slack.setRefuseFileBlocks(false);
	});
});

// The fake answers as Slack does for blocks beyond its limits.
test('the fake Slack validates blocks', async (t) => {
	const { startHarness } = require('../../fake-slack/harness');
	const h = await startHarness({});
	t.after(() => h.close());
	const call = async (method, body) => {
		const res = await fetch(h.apiUrl + method, {
			method: 'POST',
			headers: { authorization: `Bearer ${h.slack.options.botToken}`, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		return res.json();
	};
	const post = (blocks) => call('chat.postMessage', { channel: 'C0FAKECHAN1', text: 't', blocks });
	const section = (text) => ({ type: 'section', text: { type: 'mrkdwn', text } });
	const cell = (text) => ({ type: 'raw_text', text });
	const button = (o) => ({ type: 'button', text: { type: 'plain_text', text: 'Go' }, action_id: 'a', value: 'v', ...o });
	const chart = (o) => ({ type: 'data_visualization', title: 'T', chart: {
		type: 'line', axis_config: { categories: ['a'] }, series: [{ name: 's', data: [{ label: 'a', value: 1 }] }], ...o } });

	assert.equal((await post([section('ok')])).ok, true);
	const bad = {
		'51 blocks': Array.from({ length: 51 }, () => section('x')),
		'section text of 3001': [section('x'.repeat(3001))],
		'101 table rows': [{ type: 'table', rows: Array.from({ length: 101 }, () => [cell('a')]) }],
		'21 table cells': [{ type: 'table', rows: [Array.from({ length: 21 }, () => cell('a'))] }],
		'rows of unequal width': [{ type: 'table', rows: [[cell('a'), cell('b')], [cell('a')]] }],
		'chart title of 51': [{ ...chart({}), title: 'x'.repeat(51) }],
		'7 series': [chart({ series: Array.from({ length: 7 }, (_, i) => ({ name: `s${i}`, data: [] })) })],
		'label of 21': [chart({ axis_config: { categories: ['x'.repeat(21)] }, series: [{ name: 's', data: [] }] })],
		'7 pie segments': [{ type: 'data_visualization', title: 'T', chart: { type: 'pie',
			segments: Array.from({ length: 7 }, (_, i) => ({ label: `l${i}`, value: 1 })) } }],
		'a value that is not a number': [chart({ series: [{ name: 's', data: [{ label: 'a', value: '1' }] }] })],
		'button value of 2001': [{ type: 'actions', elements: [button({ value: 'v'.repeat(2001) })] }],
		'action_id of 256': [{ type: 'actions', elements: [button({ action_id: 'a'.repeat(256) })] }],
		'26 actions elements': [{ type: 'actions', elements: Array.from({ length: 26 }, () => button({})) }],
	};
	for (const [what, blocks] of Object.entries(bad)) {
		const r = await post(blocks);
		assert.equal(r.ok, false, what);
		assert.equal(r.error, 'invalid_blocks', what);
		assert.match(r.response_metadata.messages[0], /^\[ERROR\] .* \[json-pointer:\/blocks/, what);
	}
	const eph = await call('chat.postEphemeral', { channel: 'C0FAKECHAN1', user: 'U1', text: 't',
		blocks: [section('x'.repeat(3001))] });
	assert.equal(eph.error, 'invalid_blocks');
	// response_url posts are checked too
	const r = await fetch(`${h.slack.baseUrl}/response/R1`, { method: 'POST', headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ text: 't', blocks: [section('x'.repeat(3001))] }) });
	assert.equal(r.status, 400);
	assert.equal((await r.json()).error, 'invalid_blocks');
});
