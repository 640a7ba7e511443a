'use strict';
// fake-trino.js: a Trino coordinator as its client sees it, on 127.0.0.1,
// following the client protocol (README.md cites the document): POST
// /v1/statement answers a QUEUED document with a nextUri, GETs of nextUri
// walk the query through queued pages (no data), an executing page with
// only the columns, pages of `data`, and a last document without nextUri;
// DELETE of a nextUri cancels the query (recorded); a failed query is a
// document with an `error` object. The "engine" is a table of known
// statements (fixtures.js); anything else fails as Trino would fail it.
//
// Transactions as the protocol carries them: START TRANSACTION [READ ONLY
// | READ WRITE] answers X-Trino-Started-Transaction-Id; a POST names its
// transaction in X-Trino-Transaction-Id (NONE outside one; a client that
// sends no such header cannot start one: INCOMPATIBLE_CLIENT); COMMIT and
// ROLLBACK end it and answer X-Trino-Clear-Transaction-Id. Inside a READ
// ONLY transaction a write (INSERT, DELETE, CREATE, ..., and EXPLAIN
// ANALYZE of one, which runs it) fails with READ_ONLY_VIOLATION; outside
// one it "runs": recorded in fake.writes, answered with Trino's `rows`.
//
// Faults on demand, per query (fixture fields): queued pages, page sizes,
// slow pages (held like a long poll, answered at once on DELETE), HTTP 503
// and 429 (with Retry-After) before an answer, and errors.
//
// Use: const fake = await startFakeTrino({ fixtures }); fake.url, fake.queries,
// fake.deletes, fake.statusCounts, await fake.close(). Run alone (bench):
// node fake-trino.js [port]  prints "listening PORT".

const http = require('node:http');
const crypto = require('node:crypto');
const { defaultFixtures } = require('./fixtures');
const { parseUsing, countParameters, decodePrepared, isWrite } = require('./sql');

function errorDoc(q, name, message, type = 'USER_ERROR', code = 1) {
	return {
		id: q.id, infoUri: q.infoUri,
		stats: { state: 'FAILED', queued: false, scheduled: false, nodes: 0 },
		error: {
			message, errorCode: code, errorName: name, errorType: type,
			failureInfo: { type: 'io.trino.spi.TrinoException', message, suppressed: [], stack: [] },
		},
		warnings: [],
	};
}

// The client protocol's column description: name, type and typeSignature.
function column(name, type) {
	return { name, type, typeSignature: typeSignature(type) };
}

function typeSignature(type) {
	// timestamp(3) with time zone: raw type "timestamp with time zone", argument 3
	const tz = type.match(/^(time|timestamp)\((\d+)\) with time zone$/);
	if (tz)
		return { rawType: `${tz[1]} with time zone`, arguments: [{ kind: 'LONG', value: Number(tz[2]) }] };
	const m = type.match(/^(\w[\w ]*?)\((.*)\)$/);
	if (!m)
		return { rawType: type, arguments: [] };
	const raw = m[1];
	const args = splitTop(m[2]);
	if (raw === 'array')
		return { rawType: raw, arguments: [{ kind: 'TYPE', value: typeSignature(args[0]) }] };
	if (raw === 'map')
		return { rawType: raw, arguments: args.map((a) => ({ kind: 'TYPE', value: typeSignature(a) })) };
	if (raw === 'row')
		return {
			rawType: raw, arguments: args.map((a) => {
				const f = a.match(/^(\w+) (.*)$/);
				return { kind: 'NAMED_TYPE', value: { fieldName: { name: f[1] }, typeSignature: typeSignature(f[2]) } };
			}),
		};
	return { rawType: raw, arguments: args.map((a) => ({ kind: 'LONG', value: Number(a) })) };
}

function splitTop(s) {
	const out = [];
	let depth = 0, cur = '';
	for (const ch of s) {
		if (ch === '(') depth++;
		if (ch === ')') depth--;
		if (ch === ',' && depth === 0) {
			out.push(cur.trim());
			cur = '';
		} else {
			cur += ch;
		}
	}
	if (cur.trim()) out.push(cur.trim());
	return out;
}

function startFakeTrino(opts = {}) {
	const fixtures = opts.fixtures || defaultFixtures();
	const queries = new Map();      // id -> query
	const deletes = [];             // { id, path, at }
	const statusCounts = {};        // "503" -> n answered
	const posts = [];               // every POST: { headers, body }
	const postFaults = new Map();   // fixture -> 429s still to answer its POST
	const transactions = new Map(); // id -> { id, readOnly, statements, end, failed }
	const writes = [];              // every write the engine ran: { sql, transaction }
	let seq = 0;
	let base = '';

	function find(sql) {
		for (const f of fixtures) {
			const m = typeof f.match === 'string' ? (f.match === sql ? [sql] : null) : sql.match(f.match);
			if (m)
				return { f, m };
		}
		return null;
	}

	// The statement as the engine sees it: the body, with EXECUTE resolved
	// against the prepared statements of the header.
	function plan(q, body, headers) {
		const prepared = decodePrepared(headers['x-trino-prepared-statement']);
		let sql = body.trim();
		const txHeader = headers['x-trino-transaction-id'];
		const tx = txHeader && txHeader !== 'NONE' ? transactions.get(txHeader) : null;
		if (txHeader && txHeader !== 'NONE' && (!tx || tx.end))
			return { error: ['UNKNOWN_TRANSACTION', `Unknown transaction ID: ${txHeader}. Possibly expired? ` +
				'Commands ignored until end of transaction block'] };
		let m0 = sql.match(/^START\s+TRANSACTION\b\s*([\s\S]*)$/i);
		if (m0) {
			if (txHeader === undefined)
				return { error: ['INCOMPATIBLE_CLIENT', 'Client does not support transactions'] };
			if (tx)
				return { error: ['NOT_SUPPORTED', 'Nested transactions not supported'] };
			const modes = m0[1].split(',').map((x) => x.trim().toUpperCase().replace(/\s+/g, ' ')).filter(Boolean);
			for (const mode of modes)
				if (!/^(READ (ONLY|WRITE)|ISOLATION LEVEL (READ UNCOMMITTED|READ COMMITTED|REPEATABLE READ|SERIALIZABLE))$/.test(mode))
					return { error: ['SYNTAX_ERROR', `line 1:19: mismatched input '${mode.split(' ')[0]}'`] };
			const id = crypto.randomUUID();
			transactions.set(id, { id, readOnly: modes.includes('READ ONLY'), statements: [], end: null, failed: false });
			return { columns: [], rows: [], updateType: 'START TRANSACTION', started: id };
		}
		m0 = sql.match(/^(COMMIT|ROLLBACK)(\s+WORK)?$/i);
		if (m0) {
			if (!tx)
				return { error: ['NOT_IN_TRANSACTION', 'No transaction in progress'] };
			const what = m0[1].toUpperCase();
			tx.end = what;
			if (what === 'COMMIT' && tx.failed)
				return { error: ['TRANSACTION_ALREADY_ABORTED',
					'Current transaction is aborted, commands ignored until end of transaction block'], cleared: true };
			return { columns: [], rows: [], updateType: what, cleared: true };
		}
		if (tx)
			tx.statements.push(body);
		q.transaction = tx;
		let params = null;
		let m = sql.match(/^EXECUTE\s+(\w+)(?:\s+USING\s+([\s\S]*))?$/i);
		if (m) {
			if (!(m[1] in prepared))
				return { error: ['NOT_FOUND', `Prepared statement not found: ${m[1]}`] };
			sql = prepared[m[1]];
			const parsed = m[2] === undefined ? { values: [] } : parseUsing(m[2]);
			if (parsed.error)
				return { error: ['SYNTAX_ERROR', `line 1:${parsed.at + 1}: ${parsed.error}`] };
			params = parsed.values;
			const want = countParameters(sql);
			if (want !== params.length)
				return { error: ['INVALID_PARAMETER_USAGE',
					`Incorrect number of parameters: expected ${want} but found ${params.length}`] };
		}
		m = sql.match(/^DESCRIBE\s+(INPUT|OUTPUT)\s+(\w+)$/i);
		if (m) {
			if (!(m[2] in prepared))
				return { error: ['NOT_FOUND', `Prepared statement not found: ${m[2]}`] };
			const inner = prepared[m[2]];
			if (m[1].toUpperCase() === 'INPUT') {
				const n = countParameters(inner);
				return { columns: [column('Position', 'bigint'), column('Type', 'varchar')],
					rows: Array.from({ length: n }, (_, i) => [i, 'unknown']) };
			}
			const hit = isWrite(inner) ? { f: { columns: [['rows', 'bigint']] } } : find(inner);
			if (!hit)
				return unknown(inner);
			if (hit.f.error)
				return { error: hit.f.error };
			const cols = hit.f.columns.map(([n, t]) => column(n, t));
			return {
				columns: ['Column Name', 'Catalog', 'Schema', 'Table', 'Type', 'Type Size', 'Aliased']
					.map((n) => column(n, n === 'Type Size' ? 'bigint' : n === 'Aliased' ? 'boolean' : 'varchar')),
				rows: cols.map((c) => [c.name, 'memory', 'default', 'fixture', c.type, 8, false]),
			};
		}
		if (countParameters(sql) > 0 && params === null)
			return { error: ['INVALID_PARAMETER_USAGE', 'Incorrect number of parameters: expected ' +
				`${countParameters(sql)} but found 0`] };
		if (isWrite(sql)) {
			if (tx && tx.readOnly)
				return { error: ['READ_ONLY_VIOLATION', 'Cannot execute write in a read-only transaction'] };
			writes.push({ sql, transaction: tx ? tx.id : null });
			return { columns: [column('rows', 'bigint')], rows: [[1]], updateType: 'INSERT' };
		}
		const hit = find(sql);
		if (!hit)
			return unknown(sql);
		q.fixture = hit.f;
		q.params = params;
		if (hit.f.error)
			return { error: hit.f.error, fixture: hit.f };
		return {
			fixture: hit.f,
			columns: hit.f.columns.map(([n, t]) => column(n, t)),
			rows: hit.f.rows(hit.m, params || [], headers),
		};
	}

	function unknown(sql) {
		return { error: ['TABLE_NOT_FOUND', 'line 1:1: fake-trino has no fixture for this statement'] };
	}

	function queryDoc(q, done) {
		const doc = { id: q.id, infoUri: q.infoUri, stats: { state: q.state, queued: q.state === 'QUEUED' } };
		if (!done) doc.nextUri = `${base}/v1/statement/${q.phase}/${q.id}/${q.slug}/${q.token}`;
		doc.warnings = [];
		return doc;
	}

	// The next document of q, advancing its state.
	function nextDocument(q) {
		if (q.canceled)
			return errorDoc(q, 'USER_CANCELED', 'Query was canceled', 'USER_ERROR', 3);
		if (q.queuedLeft > 0) {
			q.queuedLeft--;
			q.token++;
			return queryDoc(q, false);
		}
		if (q.phase === 'queued') {
			q.phase = 'executing';
			q.state = 'RUNNING';
			q.token++;
			if (q.plan.error) {
				q.state = 'FAILED';
				q.done = true;
				if (q.transaction) q.transaction.failed = true;
				return errorDoc(q, q.plan.error[0], q.plan.error[1]);
			}
			// the first executing page: the columns, no data yet
			const doc = queryDoc(q, false);
			doc.columns = q.plan.columns;
			return doc;
		}
		const rows = q.rowsIter;
		const page = [];
		const size = q.pageRows;
		while (page.length < size) {
			const r = rows.next();
			if (r.done) {
				q.exhausted = true;
				break;
			}
			page.push(r.value);
		}
		q.token++;
		if (q.exhausted && (page.length === 0 || !(q.fixture && q.fixture.trailingEmptyPage))) {
			q.state = 'FINISHED';
			q.done = true;
		}
		const doc = queryDoc(q, q.done);
		if (q.plan.updateType) doc.updateType = q.plan.updateType;
		doc.columns = q.plan.columns;
		if (page.length)
			doc.data = page;
		return doc;
	}

	function send(res, status, obj, extra = {}) {
		const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
		statusCounts[status] = (statusCounts[status] || 0) + 1;
		res.writeHead(status, {
			'Content-Type': typeof obj === 'string' ? 'text/plain' : 'application/json',
			'Content-Length': Buffer.byteLength(body), ...extra,
		});
		res.end(body);
	}

	// Gateway faults a fixture asks for, before the real answer: 503s, then 429s.
	function fault(q, res) {
		if (q.fail503 > 0) {
			q.fail503--;
			send(res, 503, '<html><body>503 Service Unavailable</body></html>');
			return true;
		}
		if (q.fail429 > 0) {
			q.fail429--;
			send(res, 429, 'Too Many Requests', { 'Retry-After': '0' });
			return true;
		}
		return false;
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
	});

	function handle(req, res, body) {
		const url = new URL(req.url, base);
		if (req.method === 'POST' && url.pathname === '/v1/statement') {
			posts.push({ headers: req.headers, body });
			if (!req.headers['x-trino-user'])
				return send(res, 400, 'User must be set');
			if (opts.password && req.headers.authorization !==
			    'Basic ' + Buffer.from(`${req.headers['x-trino-user']}:${opts.password}`).toString('base64'))
				return send(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="Trino"' });
			const id = `20241101_000000_${String(++seq).padStart(5, '0')}_fake1`;
			const q = {
				id, slug: 'y' + crypto.randomBytes(8).toString('hex'), token: 0, phase: 'queued',
				state: 'QUEUED', infoUri: `${base}/ui/query.html?${id}`, sql: body,
				headers: req.headers, deleted: [], gets: 0,
			};
			q.plan = plan(q, body, req.headers);
			const f = q.plan.fixture || q.fixture || {};
			q.queuedLeft = f.queuedPages ?? 2;
			q.pageRows = f.pageRows ?? 3;
			q.delayMs = f.delayMs ?? 0;
			q.fail503 = f.fail503 ?? 0;
			q.fail429 = f.fail429 ?? 0;
			q.rowsIter = (q.plan.rows || [])[Symbol.iterator]();
			// a gateway in front refuses the POST: the query never starts
			const left = postFaults.get(f) ?? (f.postFail429 || 0);
			if (left > 0) {
				postFaults.set(f, left - 1);
				seq--;
				return send(res, 429, 'Too Many Requests', { 'Retry-After': '0' });
			}
			postFaults.delete(f);
			queries.set(id, q);
			return send(res, 200, queryDoc(q, false));
		}
		const m = url.pathname.match(/^\/v1\/statement\/(queued|executing)\/([^/]+)\/([^/]+)\/(\d+)$/);
		const q = m && queries.get(m[2]);
		if (!q || q.slug !== m[3])
			return send(res, 404, 'Query not found');
		if (req.method === 'DELETE') {
			deletes.push({ id: q.id, path: url.pathname, at: Date.now() });
			q.canceled = !q.done;
			if (q.canceled && q.transaction) q.transaction.failed = true;
			if (q.wake) q.wake();
			res.writeHead(204);
			return res.end();
		}
		if (req.method !== 'GET')
			return send(res, 405, 'Method not allowed');
		if (fault(q, res))
			return;
		const token = Number(m[4]);
		if (token !== q.token)
			return send(res, 410, 'Gone');
		q.gets++;
		// a slow query: the page comes after delayMs, or at once when cancelled
		const answer = () => {
			q.wake = null;
			if (res.writableEnded) return;
			const doc = nextDocument(q);
			send(res, 200, doc, endHeaders(q, doc));
		};
		if (q.delayMs > 0 && q.phase === 'executing' && !q.canceled) {
			const timer = setTimeout(answer, q.delayMs);
			q.wake = () => { clearTimeout(timer); answer(); };
			return;
		}
		answer();
	}

	// The response headers of a query's last document: a started or ended
	// transaction (the protocol's X-Trino-Started/Clear-Transaction-Id).
	function endHeaders(q, doc) {
		if (doc.nextUri) return {};
		if (q.plan.started) return { 'X-Trino-Started-Transaction-Id': q.plan.started };
		if (q.plan.cleared) return { 'X-Trino-Clear-Transaction-Id': 'true' };
		return {};
	}

	return new Promise((resolve) => {
		server.listen(opts.port || 0, '127.0.0.1', () => {
			base = `http://127.0.0.1:${server.address().port}`;
			resolve({
				url: base, port: server.address().port, queries, deletes, posts, statusCounts, transactions, writes,
				// the last query whose prepared statement matched RE
				query(re) {
					return [...queries.values()].reverse().find((q) => re.test(q.sql) ||
						Object.values(decodePrepared(q.headers['x-trino-prepared-statement'])).some((s) => re.test(s)));
				},
				close() {
					for (const q of queries.values()) if (q.wake) q.wake();
					server.closeAllConnections();
					return new Promise((r) => server.close(() => r()));
				},
			});
		});
	});
}

module.exports = { startFakeTrino, typeSignature };

if (require.main === module) {
	startFakeTrino({ port: Number(process.argv[2] || 0) }).then((f) => {
		process.stdout.write(`listening ${f.port}\n`);
	});
}
