'use strict';
// sql.js: the few pieces of Trino's SQL the fake must read: the literals
// of `EXECUTE name USING ...` (integers, DATE '...', '...' with '' for a
// quote: SqlBase.g4's INTEGER_VALUE, STRING and typed literals), the '?'
// of a statement, and the X-Trino-Prepared-Statement header
// (name=URL-encoded text, comma-separated; the server URL-decodes it).

// Parse a USING list. { values: [{ type, value }] } or { error, at }.
function parseUsing(text) {
	const values = [];
	let i = 0;
	const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
	const str = () => {
		if (text[i] !== "'") return null;
		let out = '';
		for (i++; i < text.length; i++) {
			if (text[i] === "'") {
				if (text[i + 1] === "'") { out += "'"; i++; continue; }
				i++;
				return out;
			}
			out += text[i];
		}
		return undefined;   // unterminated
	};
	for (;;) {
		ws();
		const start = i;
		let m;
		if (text[i] === "'") {
			const s = str();
			if (s === undefined) return { error: 'unterminated string literal', at: start };
			values.push({ type: 'varchar', value: s });
		} else if ((m = /^DATE\s*'/i.exec(text.slice(i)))) {
			i += m[0].length - 1;
			const s = str();
			if (s === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(s))
				return { error: `'${s}' is not a valid DATE literal`, at: start };
			values.push({ type: 'date', value: s });
		} else if ((m = /^-?\d+/.exec(text.slice(i)))) {
			i += m[0].length;
			const n = BigInt(m[0]);
			if (n < -(2n ** 63n) || n >= 2n ** 63n)
				return { error: `Invalid numeric literal: ${m[0]}`, at: start };
			values.push({ type: 'bigint', value: m[0] });
		} else {
			return { error: `mismatched input '${text.slice(i, i + 10)}'. Expecting: a literal`, at: i };
		}
		ws();
		if (i === text.length) return { values };
		if (text[i] !== ',') return { error: `mismatched input '${text.slice(i, i + 10)}'. Expecting: ',', <EOF>`, at: i };
		i++;
	}
}

// The '?' of SQL outside quotes and comments.
function countParameters(sql) {
	let n = 0;
	for (let i = 0; i < sql.length; i++) {
		const c = sql[i];
		if (c === "'" || c === '"') {
			for (i++; i < sql.length; i++) {
				if (sql[i] === c) {
					if (sql[i + 1] === c) { i++; continue; }
					break;
				}
			}
		} else if (c === '-' && sql[i + 1] === '-') {
			while (i < sql.length && sql[i] !== '\n') i++;
		} else if (c === '/' && sql[i + 1] === '*') {
			const end = sql.indexOf('*/', i + 2);
			i = end < 0 ? sql.length : end + 1;
		} else if (c === '?') {
			n++;
		}
	}
	return n;
}

// { name: sql } of an X-Trino-Prepared-Statement header (Java's URLDecoder:
// '+' is a space, %XX a byte of UTF-8).
function decodePrepared(header) {
	const out = {};
	if (!header) return out;
	for (const part of header.split(',')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		const dec = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
		out[dec(part.slice(0, eq).trim())] = dec(part.slice(eq + 1).trim());
	}
	return out;
}

// Whether SQL writes: its first keyword, past blanks, comments and '(',
// is one of Trino's writing statements, or it is EXPLAIN ANALYZE of one
// (EXPLAIN ANALYZE runs the statement).
function isWrite(sql) {
	let s = sql;
	for (;;) {
		const t = s.replace(/^[\s(]+/, '').replace(/^--[^\n]*/, '').replace(/^\/\*[\s\S]*?\*\//, '');
		if (t === s) break;
		s = t;
	}
	s = s.replace(/^EXPLAIN\s+ANALYZE(\s+VERBOSE)?\s+/i, '');
	return /^(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|CALL|GRANT|REVOKE|COMMENT|REFRESH)\b/i.test(s);
}

module.exports = { parseUsing, countParameters, decodePrepared, isWrite };
