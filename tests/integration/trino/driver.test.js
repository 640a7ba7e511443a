'use strict';
// driver = "trino" against the fake Trino (tests/fake-trino): `reportbot
// run` and `check` through Trino's client protocol. A result of several
// pages after a queued phase arrives whole and in order; bound values full
// of quotes, semicolons and comments stay values (the fake parses the
// EXECUTE ... USING literals back); a timeout and a cancel (Ctrl-C) send
// DELETE for the running query; 429 and 503 are retried; a Trino error is
// told with its errorName and without the SQL; check catches a misspelt
// column; a password over plain http is refused by the config.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startFakeTrino } = require('../../fake-trino/fake-trino');

const BIN = process.env.REPORTBOT_BIN || path.resolve('build/san/reportbot');

function setup(t, fake, extra = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reportbot-trino-'));
	t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	const cmds = path.join(dir, 'cmds');
	fs.mkdirSync(cmds);
	const files = {
		'paged.sql': '-- summary: ten rows in pages\nSELECT id, name FROM paged ORDER BY id;\n',
		'echo.sql': '-- summary: the values back\n-- param: t string  any text\n-- param: n int  a number\n' +
			'-- param: d date  a day\nSELECT :t AS text_value, :n AS int_value, :d AS date_value\n',
		'slow.sql': '-- summary: never ends\n-- timeout: 2\nSELECT * FROM slow\n',
		'flaky.sql': '-- summary: behind a busy gateway\nSELECT n FROM flaky ORDER BY n\n',
		'types.sql': '-- summary: every type\nSELECT * FROM types\n',
		...(extra.files || {}),
	};
	for (const [name, text] of Object.entries(files))
		fs.writeFileSync(path.join(cmds, name), text);
	const src = extra.source || `port = ${fake.port}\nuser = "alice"\ncatalog = "memory"\nschema = "default"\n`;
	const config = path.join(dir, 'config.toml');
	fs.writeFileSync(config, `[bot]\ncommands_dir = "${cmds}"\ndata_dir = "${path.join(dir, 'var')}"\n` +
		`timezone = "Europe/Paris"\ndefault_source = "tr"\n\n[sources.tr]\ndriver = "trino"\n${src}`);
	return { dir, config };
}

// Run reportbot; resolves { code, stdout, stderr } when it exits.
function reportbot(config, args, opts = {}) {
	const child = spawn(BIN, ['-c', config, ...args], { env: { ...process.env, ...(opts.env || {}) } });
	let stdout = '', stderr = '';
	child.stdout.on('data', (d) => { stdout += d; });
	child.stderr.on('data', (d) => { stderr += d; });
	const done = new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
	return { child, done };
}

async function until(cond, ms, what) {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end)
			assert.fail(`timed out waiting for ${what}`);
		await new Promise((r) => setImmediate(r));
	}
}

const BOM = '\ufeff';

test('several pages after a queued phase arrive whole and in order, with the session headers', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake);
	const r = await reportbot(config, ['run', 'paged']).done;
	assert.equal(r.code, 0, r.stderr);
	const want = ['id,name', ...Array.from({ length: 10 }, (_, i) => `${i + 1},name ${i + 1}`)];
	assert.equal(r.stdout, BOM + want.join('\r\n') + '\r\n');
	const q = fake.query(/FROM paged/);
	assert.equal(q.state, 'FINISHED');
	// 3 queued documents, the columns, 4 pages of rows and a last empty one
	assert.ok(q.gets >= 8, `only ${q.gets} GETs of nextUri`);
	assert.equal(q.sql, 'SELECT id, name FROM paged ORDER BY id', 'no trailing ;, no EXECUTE without parameters');
	assert.equal(q.headers['x-trino-user'], 'alice');
	assert.equal(q.headers['x-trino-source'], 'reportbot');
	assert.equal(q.headers['x-trino-catalog'], 'memory');
	assert.equal(q.headers['x-trino-schema'], 'default');
	assert.equal(q.headers['x-trino-time-zone'], 'Europe/Paris');
	assert.equal(fake.deletes.length, 0, 'a finished query is not deleted');
});

test('values print as the Trino CLI prints them in CSV', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake);
	const r = await reportbot(config, ['run', 'types']).done;
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, BOM + [
		'b,i,big,d,r,dec,s,day,ts,tstz,bin,js,arr,m,rw',
		'true,42,9007199254740991,1.0E7,0.1,12.30,"a, ""quoted""\nline",2024-11-01,2024-11-01 12:34:56.789,' +
			'2024-11-01 12:34:56.789 Europe/Paris,61 62 63,"{""a"":1}","[1, NULL, 3]","{k=1, z=NULL}","{x=1, y=x}"',
		'false,-1,0,NaN,1.5,-0.05,ünïcødé 😀,1970-01-01,1970-01-01 00:00:00.000,1970-01-01 00:00:00.000 UTC,,' +
			'null,[],{},"{x=NULL, y=NULL}"',
		',,,,,,,,,,,,,,',
	].join('\r\n') + '\r\n');
});

test('bound values full of quotes, semicolons and comments stay values', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake);
	const evil = [
		"x'; DROP TABLE t; --",
		"' OR '1'='1' /* comment */ --",
		"a'); DELETE FROM t WHERE ('1'='1",
		"\\'; SELECT 1; -- backslash",
		"'''",
		'*/ ; /* ; -- ?',
	];
	for (const v of evil) {
		const r = await reportbot(config, ['run', 'echo', v, '-42', '2024-11-01']).done;
		assert.equal(r.code, 0, r.stderr);
		const q = fake.query(/text_value/);
		// the engine parsed the USING list back to exactly these values
		assert.deepEqual(q.params, [
			{ type: 'varchar', value: v }, { type: 'bigint', value: '-42' }, { type: 'date', value: '2024-11-01' },
		]);
		assert.match(q.sql, /^EXECUTE reportbot USING '/);
		const lines = r.stdout.slice(1).split('\r\n');
		assert.equal(lines[0], 'text_value,int_value,date_value');
		const field = /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
		assert.equal(lines[1], `${field},-42,2024-11-01`);
	}
	// the statement itself travels prepared, with its '?', never the values
	const q = fake.query(/text_value/);
	assert.match(q.headers['x-trino-prepared-statement'], /^reportbot=SELECT%20%3F%20AS%20text_value/);
});

test('a timeout sends DELETE for the running query', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake);
	const t0 = Date.now();
	const r = await reportbot(config, ['run', 'slow']).done;
	assert.equal(r.code, 2, r.stderr);
	assert.match(r.stderr, /timeout of 2 s/);
	assert.ok(Date.now() - t0 < 10000, 'stopped near its timeout');
	const q = fake.query(/FROM slow/);
	assert.ok(fake.deletes.some((d) => d.id === q.id), 'the fake received DELETE for the query');
	assert.equal(q.canceled, true);
});

test('Ctrl-C cancels the run and sends DELETE for the running query', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake, {
		files: { 'slow.sql': '-- summary: never ends\nSELECT * FROM slow\n' },
	});
	const run = reportbot(config, ['run', 'slow']);
	// wait until the query runs on the "cluster" with a GET held open
	await until(() => { const q = fake.query(/FROM slow/); return q && q.wake; }, 15000, 'the slow page');
	run.child.kill('SIGINT');
	const r = await run.done;
	assert.equal(r.code, 2, r.stderr);
	assert.match(r.stderr, /cancel/);
	const q = fake.query(/FROM slow/);
	assert.ok(fake.deletes.some((d) => d.id === q.id), 'the fake received DELETE for the query');
});

test('HTTP 429 and 503 are retried until the answer comes', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake);
	const r = await reportbot(config, ['run', 'flaky']).done;
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, BOM + ['n', '1', '2', '3', '4', '5'].join('\r\n') + '\r\n');
	assert.ok(fake.statusCounts[503] >= 2, `503 answered ${fake.statusCounts[503]} times`);
	assert.ok(fake.statusCounts[429] >= 2, `429 answered ${fake.statusCounts[429]} times`);
});

test('a Trino error names the source and errorName, never the SQL; check catches it first', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake, {
		files: { 'misspelt.sql': '-- summary: a typo\nSELECT nam FROM people\n' },
	});
	const r = await reportbot(config, ['run', 'misspelt']).done;
	assert.equal(r.code, 2);
	assert.match(r.stderr, /data source 'tr'/);
	assert.match(r.stderr, /unknown column \(Trino COLUMN_NOT_FOUND: line 1:8: Column 'nam' cannot be resolved\)/);
	assert.doesNotMatch(r.stderr, /SELECT nam FROM people/);
	const c = await reportbot(config, ['check']).done;
	assert.equal(c.code, 1);
	assert.match(c.stderr + c.stdout, /misspelt\.sql:2: .*COLUMN_NOT_FOUND/);
	// check prepared each statement: DESCRIBE INPUT and DESCRIBE OUTPUT of it
	assert.ok(fake.posts.some((p) => p.body === 'DESCRIBE OUTPUT reportbot' &&
		/FROM%20paged/.test(p.headers['x-trino-prepared-statement'])));
});

test('a password over plain http is refused by the config', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const { config } = setup(t, fake, {
		source: `port = ${fake.port}\nuser = "alice"\npassword_env = "RB_TRINO_PW"\n`,
	});
	const c = await reportbot(config, ['check'], { env: { RB_TRINO_PW: 'hunter2-secret' } }).done;
	assert.equal(c.code, 1);
	assert.match(c.stderr, /password_env: a password is sent only over TLS; set tls = true/);
	assert.doesNotMatch(c.stderr + c.stdout, /hunter2/);
	assert.equal(fake.posts.length, 0, 'nothing was sent');
});
