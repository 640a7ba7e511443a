'use strict';
// Large results (issue 12, item 5): over [output] gzip_over the CSV goes up
// as NAME.csv.gz, compressed while written, and gunzips to exactly what
// `reportbot run` prints; over max_upload_bytes nothing is uploaded and the
// person is told the size; the result file is kept in data_dir for resend.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');
const { startHarness } = require('../../fake-slack/harness');
const { BIN, makeFixture, botConfig, FAST_ENV, postText } = require('./lib');

const SANITIZED = /(^|\/)san\/|-san$|tsan/.test(BIN);

async function startGzipBot(t, output) {
	const h = await startHarness({});
	t.after(() => h.close());
	const fx = makeFixture(h);
	const config = { ...botConfig(fx), output };
	const since = h.mark();
	const bot = h.spawnBot({ bin: BIN, config, env: FAST_ENV });
	await h.waitForConnection({ since }, 15000);
	return { h, fx, bot };
}

// What `reportbot run` gives for the same report with the same config.
function runCsv(bot, args) {
	return execFileSync(BIN, ['-c', bot.configPath, 'run', ...args],
		{ maxBuffer: 1 << 30, env: { ...process.env, REPORTBOT_LOG: 'error' } });
}

function vmHwmKb(pid) {
	const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
	return m ? Number(m[1]) : 0;
}

function runIdOf(text) {
	const m = /\brun (\d+)/.exec(text);   // the post says "· run 42 ·"
	assert.ok(m, `no run id in ${text}`);
	return m[1];
}

test('over gzip_over the CSV goes up as .csv.gz and gunzips to what `reportbot run` gives', async (t) => {
	const { h, fx, bot } = await startGzipBot(t, { gzip_over: 1000000 });

	// under the threshold: plain, as before
	let since = h.mark();
	await h.sendSlashCommand({ text: 'bignums 1000', channel: 'C0FAKECHAN1' }).ack;
	const small = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 20000);
	assert.equal(small.filename, 'bignums-1000.csv');
	assert.ok(small.content.equals(runCsv(bot, ['bignums', '1000'])));
	const before = vmHwmKb(bot.pid);

	since = h.mark();
	await h.sendSlashCommand({ text: 'bignums 100000', channel: 'C0FAKECHAN1' }).ack;
	const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 60000);
	assert.equal(file.filename, 'bignums-100000.csv.gz');
	const want = runCsv(bot, ['bignums', '100000']);
	assert.ok(want.length > 3000000, `the CSV is ${want.length} bytes`);
	assert.ok(file.bytes < want.length / 2, `gzip made ${file.bytes} of ${want.length} bytes`);
	const got = zlib.gunzipSync(file.content);
	assert.equal(got.length, want.length);
	assert.ok(got.equals(want), 'the gunzipped upload differs from `reportbot run`');
	assert.match(postText(file), /100,000 rows/);
	assert.doesNotMatch(postText(file), /Excel/);

	// kept for resend under the name it was posted with
	const kept = path.join(fx.dir, 'var', 'results', runIdOf(postText(file)), 'bignums-100000.csv.gz');
	assert.ok(fs.readFileSync(kept).equals(file.content), 'the kept file differs from the upload');
	assert.equal(fs.statSync(kept).mode & 0o777, 0o600);
	// the history counts the CSV's bytes, not the compressed ones
	const hist = execFileSync('sqlite3', [path.join(fx.dir, 'var', 'history.db'),
		`SELECT bytes FROM runs WHERE id = ${runIdOf(postText(file))}`], { encoding: 'utf8' });
	assert.equal(Number(hist.trim()), want.length);

	const grew = vmHwmKb(bot.pid) - before;
	t.diagnostic(`peak RSS grew ${grew} kB for a ${Math.round(want.length / 1024)} kB CSV`);
	if (!SANITIZED)
		assert.ok(grew * 1024 < want.length / 4, `peak RSS grew ${grew} kB`);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});

test('over 1,048,575 rows the comment says Excel will not open all of it', async (t) => {
	const { h, bot } = await startGzipBot(t, { gzip_over: 0 });
	const since = h.mark();
	await h.sendSlashCommand({ text: 'bignums 1048576', channel: 'C0FAKECHAN1' }).ack;
	const file = await h.waitForFile({ channel: 'C0FAKECHAN1', since }, 180000);
	assert.equal(file.filename, 'bignums-1048576.csv.gz');
	assert.match(postText(file), /Excel opens at most 1,048,575 rows below the header; this CSV has 1,048,576/);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});

test('over max_upload_bytes nothing is uploaded; the person is told the size; the file is kept', async (t) => {
	const { h, fx, bot } = await startGzipBot(t, { gzip_over: 1000000, max_upload_bytes: 100000 });
	const since = h.mark();
	await h.sendSlashCommand({ text: 'bignums 100000', channel: 'C0FAKECHAN1' }).ack;
	// to the asker alone, in place of "Running…" (issue 12)
	const msg = await h.waitForResponse({ text: /not uploaded/, replace: true, since }, 60000);
	msg.text = msg.json.text;
	assert.match(msg.text, /the result of bignums is [\d.]+ (KiB|MiB) gzipped \([\d.]+ MiB of CSV, 100,000 rows\), more than the 98 KiB a file may have in Slack/);
	assert.match(msg.text, /narrow the arguments/);
	assert.equal(h.slack.uploads.filter((u) => u.seq >= since).length, 0, 'something was uploaded');
	assert.equal(h.slack.files.filter((f) => f.seq >= since).length, 0, 'a file was shared');
	const dir = path.join(fx.dir, 'var', 'results', runIdOf(msg.text));
	assert.deepEqual(fs.readdirSync(dir), ['bignums-100000.csv.gz']);
	const r = await bot.stop();
	assert.equal(r.code, 0);
});
