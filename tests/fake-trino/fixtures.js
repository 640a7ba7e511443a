'use strict';
// fixtures.js: the statements the fake Trino knows, a table the engine
// reads. Each fixture: match (the exact statement, or a RegExp), columns
// ([name, Trino type]), rows(match, params, headers) (an iterable of rows
// in the JSON form of the client protocol), and how to serve it:
// queuedPages (documents with no data before it runs), pageRows (rows per
// data page), delayMs (each executing page held that long, like a long
// poll; a DELETE answers it at once), fail503 / fail429 (gateway answers
// before each real GET answer), postFail429 (the POST refused first),
// error ([errorName, message]).

function* range(n, f) {
	for (let i = 1; i <= n; i++)
		yield f(i);
}

function defaultFixtures() {
	return [
		{
			// several pages after a queued phase: 10 rows, 3 to a page
			match: 'SELECT id, name FROM paged ORDER BY id',
			columns: [['id', 'bigint'], ['name', 'varchar']],
			rows: () => range(10, (i) => [i, `name ${i}`]),
			queuedPages: 3, pageRows: 3, trailingEmptyPage: true,
		},
		{
			// the bound values, sent back as the engine read them
			match: /^SELECT \? AS text_value, \? AS int_value, \? AS date_value$/,
			columns: [['text_value', 'varchar'], ['int_value', 'bigint'], ['date_value', 'date']],
			rows: (m, p) => [[p[0].value, Number(p[1].value), p[2].value]],
		},
		{
			match: /^SELECT name FROM people WHERE name = \?$/,
			columns: [['name', 'varchar']],
			rows: (m, p) => (p[0].value === 'alice' ? [['alice']] : []),
		},
		{
			// every type the CLI prints in its own way
			match: 'SELECT * FROM types',
			columns: [
				['b', 'boolean'], ['i', 'integer'], ['big', 'bigint'], ['d', 'double'], ['r', 'real'],
				['dec', 'decimal(10,2)'], ['s', 'varchar'], ['day', 'date'], ['ts', 'timestamp(3)'],
				['tstz', 'timestamp(3) with time zone'], ['bin', 'varbinary'], ['js', 'json'],
				['arr', 'array(integer)'], ['m', 'map(varchar,bigint)'], ['rw', 'row(x integer, y varchar)'],
			],
			rows: () => [
				[true, 42, 9007199254740991, 1e7, 0.1, '12.30', 'a, "quoted"\nline', '2024-11-01',
					'2024-11-01 12:34:56.789', '2024-11-01 12:34:56.789 Europe/Paris', 'YWJj', '{"a":1}',
					[1, null, 3], { k: 1, z: null }, [1, 'x']],
				[false, -1, 0, 'NaN', 1.5, '-0.05', 'ünïcødé 😀', '1970-01-01', '1970-01-01 00:00:00.000',
					'1970-01-01 00:00:00.000 UTC', '', 'null', [], {}, [null, null]],
				[null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
			],
		},
		{
			// a query that runs until it is stopped
			match: 'SELECT * FROM slow',
			columns: [['n', 'bigint']],
			rows: () => range(1000, (i) => [i]),
			queuedPages: 1, pageRows: 1, delayMs: 120000,
		},
		{
			match: 'SELECT nam FROM people',
			columns: [['nam', 'varchar']],
			error: ['COLUMN_NOT_FOUND', "line 1:8: Column 'nam' cannot be resolved"],
		},
		{
			// a gateway that is busy: 429 on the POST, 503 then 429 before pages
			match: 'SELECT n FROM flaky ORDER BY n',
			columns: [['n', 'bigint']],
			rows: () => range(5, (i) => [i]),
			pageRows: 2, fail503: 2, fail429: 1, postFail429: 1,
		},
		{
			// the benchmark's events: N generated rows, 8192 to a page
			match: /^SELECT id, name, amount, day FROM events LIMIT (\d+|\?)$/,
			columns: [['id', 'bigint'], ['name', 'varchar'], ['amount', 'decimal(12,2)'], ['day', 'date']],
			rows: (m, p) => range(Number(m[1] === '?' ? p[0].value : m[1]), (i) => [i, `customer ${i % 1000}`,
				((i % 100000) / 100).toFixed(2), `2024-11-${String(1 + (i % 28)).padStart(2, '0')}`]),
			queuedPages: 1, pageRows: 8192,
		},
	];
}

module.exports = { defaultFixtures };
