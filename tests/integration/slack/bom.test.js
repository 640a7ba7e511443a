'use strict';
// Excel by default (issue 10, item 9): every CSV starts with a UTF-8 BOM
// unless the config (`[output] bom = false`) or the command file
// (`-- bom: false`) says otherwise.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startBot, BOM, expectedCsv } = require('./lib');

const CHAN = 'C0FAKECHAN1';

async function fileFor(h, text) {
	const since = h.mark();
	await h.sendSlashCommand({ text, channel: CHAN }).ack;
	return h.waitForFile({ channel: CHAN, since }, 15000);
}

// The bytes the fake received for the upload of file, first three.
function firstBytes(file) {
	return Buffer.from(file.text, 'utf8').subarray(0, 3).toString('hex');
}

test('a default config posts CSVs with a BOM', async (t) => {
	const { h } = await startBot(t);
	const file = await fileFor(h, 'monthly acme 2024-11');
	assert.equal(firstBytes(file), 'efbbbf');
	assert.equal(file.text, expectedCsv('acme', '2024-11'));
	// and `-- bom: false` leaves it out for that report only
	const plain = await fileFor(h, 'nobom');
	assert.equal(plain.text, 'n\r\n6\r\n');
});

test('[output] bom = false posts CSVs without one', async (t) => {
	const { h } = await startBot(t, { config: { output: { bom: false } } });
	const file = await fileFor(h, 'monthly acme 2024-11');
	assert.notEqual(firstBytes(file), 'efbbbf');
	assert.equal(BOM + file.text, expectedCsv('acme', '2024-11'));
});
