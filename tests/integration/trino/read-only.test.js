'use strict';
// A Trino source is read-only (store/source-trino.c): a report whose
// statement writes is refused before it is sent, with a plain message that
// names the source and never the SQL, and `check` refuses it too; a write
// that starts like a read (EXPLAIN ANALYZE runs its statement) is refused
// by the cluster inside the READ ONLY transaction every statement runs in;
// a normal report runs in such a transaction, committed at its end, with
// X-Trino-Transaction-Id on its POST (the fake follows the protocol's
// transaction headers and runs a write outside a read-only transaction).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startFakeTrino } = require('../../fake-trino/fake-trino');

const BIN = process.env.REPORTBOT_BIN || path.resolve('build/san/reportbot');

function setup(t, fake, files) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reportbot-trino-ro-'));
	t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	const cmds = path.join(dir, 'cmds');
	fs.mkdirSync(cmds);
	for (const [name, text] of Object.entries(files))
		fs.writeFileSync(path.join(cmds, name), text);
	const config = path.join(dir, 'config.toml');
	fs.writeFileSync(config, `[bot]\ncommands_dir = "${cmds}"\ndata_dir = "${path.join(dir, 'var')}"\n` +
		`timezone = "UTC"\ndefault_source = "tr"\n\n[sources.tr]\ndriver = "trino"\nport = ${fake.port}\n` +
		'user = "alice"\ncatalog = "memory"\nschema = "default"\n');
	return config;
}

function reportbot(config, args) {
	const child = spawn(BIN, ['-c', config, ...args]);
	let stdout = '', stderr = '';
	child.stdout.on('data', (d) => { stdout += d; });
	child.stderr.on('data', (d) => { stderr += d; });
	return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const PAGED = '-- summary: ten rows\nSELECT id, name FROM paged ORDER BY id\n';
const WRITE = '-- summary: a report that writes\n-- param: who string  a name\n' +
	"/* looks harmless */ INSERT INTO audit_secret VALUES (:who, 'hunter2')\n";
const SNEAKY = '-- summary: a write that starts like a read\nEXPLAIN ANALYZE DELETE FROM audit_secret\n';

test('a report that writes is refused before it is sent, naming the source and not the SQL', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const config = setup(t, fake, { 'paged.sql': PAGED, 'write.sql': WRITE });
	const r = await reportbot(config, ['run', 'write', 'bob']);
	assert.equal(r.code, 2, r.stderr);
	assert.match(r.stderr, /source 'tr' is read-only: a report may only read: its statement starts with INSERT/);
	assert.doesNotMatch(r.stderr + r.stdout, /audit_secret|hunter2|INTO/);
	assert.deepEqual(fake.writes, [], 'the cluster ran no write');
	assert.equal(fake.posts.filter((p) => /INSERT/.test(p.body + (p.headers['x-trino-prepared-statement'] || ''))).length,
		0, 'the write was never sent');
});

test('check refuses a report that writes', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const config = setup(t, fake, { 'paged.sql': PAGED, 'write.sql': WRITE });
	const c = await reportbot(config, ['check']);
	assert.equal(c.code, 1, c.stderr + c.stdout);
	assert.match(c.stderr + c.stdout, /write\.sql:\d+: .*read-only: a report may only read/);
	assert.doesNotMatch(c.stderr + c.stdout, /audit_secret|hunter2/);
	assert.deepEqual(fake.writes, []);
});

test('a write that starts like a read is refused by the cluster in the read-only transaction', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const config = setup(t, fake, { 'paged.sql': PAGED, 'sneaky.sql': SNEAKY });
	const r = await reportbot(config, ['run', 'sneaky']);
	assert.equal(r.code, 2, r.stderr);
	assert.match(r.stderr, /'tr'/);
	assert.match(r.stderr, /the source is read-only; a report may not change data \(Trino READ_ONLY_VIOLATION: /);
	assert.doesNotMatch(r.stderr + r.stdout, /audit_secret|EXPLAIN ANALYZE/);
	assert.deepEqual(fake.writes, [], 'the cluster ran no write');
	const txs = [...fake.transactions.values()].filter((x) => x.statements.some((s) => /audit_secret/.test(s)));
	assert.equal(txs.length, 1, 'the statement ran inside a transaction');
	assert.equal(txs[0].readOnly, true);
	assert.equal(txs[0].end, 'ROLLBACK', 'the failed statement\'s transaction was rolled back');
});

test('a normal report runs in a read-only transaction, committed at its end', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const config = setup(t, fake, { 'paged.sql': PAGED });
	const r = await reportbot(config, ['run', 'paged']);
	assert.equal(r.code, 0, r.stderr);
	const want = ['id,name', ...Array.from({ length: 10 }, (_, i) => `${i + 1},name ${i + 1}`)];
	assert.equal(r.stdout, '\ufeff' + want.join('\r\n') + '\r\n');
	const q = fake.query(/FROM paged/);
	const tx = fake.transactions.get(q.headers['x-trino-transaction-id']);
	assert.ok(tx, 'the statement named its transaction in X-Trino-Transaction-Id');
	assert.equal(tx.readOnly, true);
	assert.equal(tx.end, 'COMMIT');
	const start = fake.posts.find((p) => /^START TRANSACTION/.test(p.body));
	assert.equal(start.body, 'START TRANSACTION READ ONLY');
	assert.equal(start.headers['x-trino-transaction-id'], 'NONE');
	// check's DESCRIBEs run read-only too
	const c = await reportbot(config, ['check']);
	assert.equal(c.code, 0, c.stderr + c.stdout);
	const describes = fake.posts.filter((p) => /^DESCRIBE/.test(p.body));
	assert.ok(describes.length >= 2);
	for (const p of describes)
		assert.equal(fake.transactions.get(p.headers['x-trino-transaction-id']).readOnly, true);
	assert.ok([...fake.transactions.values()].every((x) => x.end), 'no transaction left open');
});
