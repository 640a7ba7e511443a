'use strict';
// A large result goes up as one raw body of the declared length, read from
// disk (the bot never holds it whole), and arrives byte for byte.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startBot, BIN, BOM, postText } = require('./lib');

// ASan's allocator keeps freed memory in quarantine, so the peak memory
// check only means something for a build without sanitizers.
const SANITIZED = /(^|\/)san\/|-san$|tsan/.test(BIN);

function expected(n) {
	const parts = [BOM + 'i,twice,label\r\n'];
	for (let i = 1; i <= n; i++)
		parts.push(`${i},${2 * i},"row ${i}, ""quoted"""\r\n`);
	return parts.join('');
}

function vmHwmKb(pid) {
	const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
	return m ? Number(m[1]) : 0;
}

test('300,000 rows arrive intact through a streamed upload', async (t) => {
	const { h, bot } = await startBot(t);
	const small = h.mark();
	await h.sendSlashCommand({ text: 'bignums 1000', channel: 'C0FAKECHAN1' }).ack;
	await h.waitForFile({ channel: 'C0FAKECHAN1', since: small }, 20000);
	const before = vmHwmKb(bot.pid);

	const since = h.mark();
	const { ack } = h.sendSlashCommand({ text: 'bignums 300000', channel: 'C0FAKECHAN1' });
	await ack;
	const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 60000);
	const want = expected(300000);
	assert.equal(file.bytes, Buffer.byteLength(want));
	assert.ok(file.text === want, 'content differs');
	assert.match(postText(file), /300,000 rows/);
	const up = h.slack.uploads.filter((u) => u.seq >= since).pop();
	assert.equal(up.multipart, false);
	assert.equal(up.lengthMatches, true);
	// memory: the bot's peak grew by far less than the file's size
	const grew = vmHwmKb(bot.pid) - before;
	t.diagnostic(`peak RSS grew ${grew} kB for a ${Math.round(file.bytes / 1024)} kB file`);
	if (!SANITIZED)
		assert.ok(grew * 1024 < file.bytes / 4, `peak RSS grew ${grew} kB`);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});
