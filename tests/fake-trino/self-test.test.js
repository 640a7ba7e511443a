'use strict';
// The fake Trino against the protocol document, before the bot is tested
// against it: a query walks queued -> columns -> data pages -> no nextUri;
// DELETE cancels; an error is a document with `error`; 503/429 come before
// the real answer; the USING parser reads Trino literals and nothing else.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startFakeTrino } = require('./fake-trino');
const { parseUsing, countParameters, decodePrepared } = require('./sql');

async function call(method, url, body, headers = {}) {
	const res = await fetch(url, { method, body, headers });
	const text = await res.text();
	let json = null;
	try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
	return { status: res.status, json, text };
}

async function walk(fake, sql, headers = { 'X-Trino-User': 'u' }) {
	const docs = [];
	let r = await call('POST', `${fake.url}/v1/statement`, sql, headers);
	assert.equal(r.status, 200);
	docs.push(r.json);
	while (docs.at(-1).nextUri) {
		r = await call('GET', docs.at(-1).nextUri);
		if (r.status !== 200) continue;   // a fault; the same nextUri again
		docs.push(r.json);
	}
	return docs;
}

test('a query walks queued pages, columns, data pages, then ends', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const docs = await walk(fake, 'SELECT id, name FROM paged ORDER BY id');
	assert.equal(docs[0].stats.state, 'QUEUED');
	assert.ok(!docs[0].data && !docs[0].columns);
	const queued = docs.filter((d) => d.nextUri && d.nextUri.includes('/queued/'));
	assert.ok(queued.length >= 3);
	const rows = docs.flatMap((d) => d.data || []);
	assert.deepEqual(rows.map((r) => r[0]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
	assert.ok(docs.filter((d) => d.data).length >= 4, 'several data pages');
	assert.equal(docs.at(-1).stats.state, 'FINISHED');
	assert.equal(docs.at(-1).nextUri, undefined);
	assert.deepEqual(docs.find((d) => d.columns).columns[0],
		{ name: 'id', type: 'bigint', typeSignature: { rawType: 'bigint', arguments: [] } });
});

test('POST without X-Trino-User is refused; an old token is gone', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	assert.equal((await call('POST', `${fake.url}/v1/statement`, 'SELECT * FROM types')).status, 400);
	const first = await call('POST', `${fake.url}/v1/statement`, 'SELECT * FROM types', { 'X-Trino-User': 'u' });
	const second = await call('GET', first.json.nextUri);
	assert.equal(second.status, 200);
	assert.equal((await call('GET', first.json.nextUri.replace(/\/1$/, '/7'))).status, 410);
});

test('DELETE cancels: recorded, and the query then fails USER_CANCELED', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const first = await call('POST', `${fake.url}/v1/statement`, 'SELECT * FROM slow', { 'X-Trino-User': 'u' });
	const del = await call('DELETE', first.json.nextUri);
	assert.equal(del.status, 204);
	assert.equal(fake.deletes.length, 1);
	const after = await call('GET', first.json.nextUri);
	assert.equal(after.json.error.errorName, 'USER_CANCELED');
	assert.equal(after.json.nextUri, undefined);
});

test('an error is a document with `error` and no nextUri', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const docs = await walk(fake, 'SELECT nam FROM people');
	const last = docs.at(-1);
	assert.equal(last.error.errorName, 'COLUMN_NOT_FOUND');
	assert.equal(last.error.errorType, 'USER_ERROR');
	assert.equal(typeof last.error.errorCode, 'number');
	assert.equal(last.stats.state, 'FAILED');
});

test('a busy gateway: 429 on the POST, 503s and a 429 before pages', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const refused = await call('POST', `${fake.url}/v1/statement`, 'SELECT n FROM flaky ORDER BY n', { 'X-Trino-User': 'u' });
	assert.equal(refused.status, 429);
	const docs = await walk(fake, 'SELECT n FROM flaky ORDER BY n');
	assert.deepEqual(docs.flatMap((d) => d.data || []).map((r) => r[0]), [1, 2, 3, 4, 5]);
	assert.equal(fake.statusCounts[503], 2);
	assert.equal(fake.statusCounts[429], 2);
});

test('EXECUTE ... USING: the header and the literals, as the engine reads them', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const sql = 'SELECT ? AS text_value, ? AS int_value, ? AS date_value';
	const docs = await walk(fake, "EXECUTE s USING 'it''s; -- no', 7, DATE '2024-11-01'", {
		'X-Trino-User': 'u', 'X-Trino-Prepared-Statement': `s=${encodeURIComponent(sql)}`,
	});
	assert.deepEqual(docs.flatMap((d) => d.data || []), [["it's; -- no", 7, '2024-11-01']]);
	const bad = await walk(fake, "EXECUTE s USING 'x'; DROP TABLE t; --', 7, DATE '2024-11-01'", {
		'X-Trino-User': 'u', 'X-Trino-Prepared-Statement': `s=${encodeURIComponent(sql)}`,
	});
	assert.equal(bad.at(-1).error.errorName, 'SYNTAX_ERROR');
});

test('sql.js: literals, parameters, the prepared header', () => {
	assert.deepEqual(parseUsing("'a''b', -3, DATE '2024-01-31'").values,
		[{ type: 'varchar', value: "a'b" }, { type: 'bigint', value: '-3' }, { type: 'date', value: '2024-01-31' }]);
	assert.ok(parseUsing("'a' OR 1=1").error);
	assert.ok(parseUsing("'unterminated").error);
	assert.ok(parseUsing('99999999999999999999').error);
	assert.equal(countParameters("SELECT ? , '?' , \"?\" -- ?\n /* ? */ ?"), 2);
	assert.deepEqual(decodePrepared('a=SELECT+1%2B1,b=x%3Dy'), { a: 'SELECT 1+1', b: 'x=y' });
});

// The last document of a walk, and the response headers of its answer.
async function walkHeaders(fake, sql, headers) {
	let res = await fetch(`${fake.url}/v1/statement`, { method: 'POST', body: sql, headers });
	let doc = await res.json();
	while (doc.nextUri) {
		res = await fetch(doc.nextUri);
		doc = await res.json();
	}
	return { doc, headers: res.headers };
}

test('transactions: started and cleared by headers; READ ONLY refuses writes, none runs them', async (t) => {
	const fake = await startFakeTrino();
	t.after(() => fake.close());
	const u = { 'X-Trino-User': 'u' };
	// a client that sends no X-Trino-Transaction-Id cannot start one
	let r = await walkHeaders(fake, 'START TRANSACTION READ ONLY', u);
	assert.equal(r.doc.error.errorName, 'INCOMPATIBLE_CLIENT');
	r = await walkHeaders(fake, 'START TRANSACTION READ ONLY', { ...u, 'X-Trino-Transaction-Id': 'NONE' });
	const id = r.headers.get('x-trino-started-transaction-id');
	assert.ok(id && fake.transactions.get(id).readOnly);
	const inTx = { ...u, 'X-Trino-Transaction-Id': id };
	for (const w of ['INSERT INTO t VALUES (1)', 'DELETE FROM t', 'CREATE TABLE t (a int)', 'EXPLAIN ANALYZE INSERT INTO t VALUES (1)']) {
		r = await walkHeaders(fake, w, inTx);
		assert.equal(r.doc.error.errorName, 'READ_ONLY_VIOLATION', w);
	}
	r = await walkHeaders(fake, 'SELECT id, name FROM paged ORDER BY id', inTx);
	assert.ok(!r.doc.error);
	r = await walkHeaders(fake, 'ROLLBACK', inTx);
	assert.equal(r.headers.get('x-trino-clear-transaction-id'), 'true');
	assert.equal(fake.transactions.get(id).end, 'ROLLBACK');
	r = await walkHeaders(fake, 'SELECT id, name FROM paged ORDER BY id', inTx);
	assert.equal(r.doc.error.errorName, 'UNKNOWN_TRANSACTION');
	assert.deepEqual(fake.writes, []);
	// outside a read-only transaction the engine runs a write
	r = await walkHeaders(fake, 'INSERT INTO t VALUES (1)', { ...u, 'X-Trino-Transaction-Id': 'NONE' });
	assert.ok(!r.doc.error);
	assert.equal(fake.writes.length, 1);
});
