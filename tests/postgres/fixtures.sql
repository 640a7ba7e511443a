-- fixtures.sql: the tables the postgres driver tests read (loaded by
-- tests/postgres/server.sh as the superuser into reportbot_test).

-- Every type the driver promises to print as psql --csv does, one row of
-- NULLs, and the edges of each type.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE types (
	id int PRIMARY KEY,
	b boolean,
	i2 smallint,
	i4 integer,
	i8 bigint,
	n numeric,
	n2 numeric(30, 10),
	f4 real,
	f8 double precision,
	t text,
	vc varchar(20),
	ch char(5),
	d date,
	tm time,
	tmtz timetz,
	ts timestamp(6),
	tstz timestamptz,
	iv interval,
	u uuid,
	j json,
	jb jsonb,
	by bytea,
	ai int[],
	at text[],
	inet_ inet,
	cidr_ cidr,
	mac macaddr,
	pt point,
	bits bit varying(16),
	m mood,
	r int4range,
	tr tstzrange,
	money_ money,
	x xml
);
INSERT INTO types VALUES
(1, true, 32767, 2147483647, 9223372036854775807,
 123456789012345678901234567890.123456789012345678901234567890, 1.5,
 3.4028235e38, 0.1, 'plain', 'varchar', 'ab',
 '2024-02-29', '23:59:59.999999', '12:00:00+09', '2024-02-29 13:45:06.123456',
 '2024-02-29 13:45:06.5+09', '1 year 2 months 3 days 04:05:06.7',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.50, null], "b": "x,y"}',
 '{"b": "x,y", "a": [1, 2.50, null]}', '\x00ff0d0a2c22',
 '{1,2,3}', '{"with space","quote\"d","comma,here",NULL,""}',
 '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '(1.5,-2)', B'1011',
 'happy', '[1,10)', '[2024-01-01 00:00+00,2024-02-01 00:00+00)', 1234.56,
 '<a x="1">b &amp; c</a>'),
(2, false, -32768, -2147483648, -9223372036854775808,
 -0.000000000000000000000000000001, -99999999999999999999.9999999999,
 -1.17549435e-38, -1.7976931348623157e308, '', '', '',
 '0001-01-01 BC', '00:00:00', '00:00:00-12', '1900-01-01 00:00:00',
 '1970-01-01 00:00:00+00', '-1 days -00:00:01', '00000000-0000-0000-0000-000000000000',
 '[]', '{}', '\x', '{}', '{}', '::1', '::/0', '00:00:00:00:00:00', '(0,0)', B'',
 'sad', 'empty', '(,)', -0.01, ''),
(3, NULL, NULL, NULL, NULL, 'NaN', 0, 'Infinity', '-Infinity', NULL, NULL, NULL,
 'infinity', NULL, NULL, '-infinity', 'infinity', '0', NULL, 'null', 'null', NULL,
 '{{1,2},{3,NULL}}', '{NULL}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(4, NULL, 0, 0, 0, 0.10, 0, 'NaN', -0.0, 'line one
line two', 'tab	here', 'x', '2000-01-01', '12:34:56', '12:34:56.789+05:30',
 '2000-01-01 00:00:00.000001', '2000-01-01 00:00:00.000001+00', '1 mon -1 day 00:00:00.000001',
 NULL, '"just a string"', '12.50', '\x5c', NULL, '{"a\\b"}', NULL, NULL, NULL, NULL, NULL,
 'ok', '(1,2]', NULL, 0, NULL),
(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL);

-- Unicode and CSV quoting.
CREATE TABLE unicode (id int PRIMARY KEY, name text, note text);
INSERT INTO unicode VALUES
(1, '株式会社テスト', '日本語のテキスト、カンマ,あり'),
(2, '😀🎉👨‍👩‍👧‍👦', 'emoji in a "quoted" field'),
(3, 'Ünïcödé', 'carriage' || chr(13) || chr(10) || 'return'),
(4, '𠮷野家', 'four-byte kanji 𠮷'),
(5, 'RTL עברית', NULL);

-- Customers' events, for bound parameters.
CREATE TABLE events (id int PRIMARY KEY, customer text NOT NULL, day date NOT NULL,
	kind text, amount numeric(12, 2));
INSERT INTO events
SELECT g, (ARRAY['acme', 'globex', 'initech', 'umbrella', 'x'' OR ''1''=''1'])[1 + g % 5],
	date '2024-01-01' + (g % 366), CASE WHEN g % 7 = 0 THEN NULL ELSE 'kind' || g % 3 END,
	CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 37 % 100000) / 100.0 END
FROM generate_series(1, 2000) g;

-- A million rows, streamed whole.
CREATE TABLE big AS
SELECT g AS id, 'row ' || g AS label, g * 0.25 AS amount,
	timestamp '2024-01-01' + g * interval '1 second' AS at
FROM generate_series(1, 1000000) g;
ANALYZE;
