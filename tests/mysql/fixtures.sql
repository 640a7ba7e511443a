-- Fixtures for the mysql driver tests, loaded by server.sh as report_admin
-- into reportbot_test. Values chosen for edge cases of each type's text.

CREATE TABLE ints (
	id INT PRIMARY KEY,
	ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
	mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
	bi BIGINT, bu BIGINT UNSIGNED, iz INT(8) UNSIGNED ZEROFILL, y YEAR
);
INSERT INTO ints VALUES
	(1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
	 -9223372036854775808, 18446744073709551615, 42, 1901),
	(2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0, 2155),
	(3, 0, 1, -1, 1, -1, 1, -1, 1, -1, 1, 12345678, 0),
	(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE nums (
	id INT PRIMARY KEY,
	d DECIMAL(10,2), dz DECIMAL(65,30), d0 DECIMAL(20,0),
	f FLOAT, db DOUBLE, fs FLOAT(7,2), ds DOUBLE(16,4)
);
INSERT INTO nums VALUES
	(1, 12345678.90, 0.000000000000000000000000000001, 99999999999999999999,
	 0.1, 0.1, 3.14159, 2.71828182),
	(2, -0.01, -12345678901234567890123456789012345.123456789012345678901234567890, 0,
	 3.4e38, 1.7976931348623157e308, -99999.99, -0.00005),
	(3, 0.00, 0, -1, 1e-30, 5e-324, 0, 0),
	(4, 1.50, 1.5, 1, 123456789, 0.30000000000000004, 1.005, 1.00005),
	(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(6, 100, 100, 100, -1.17549e-38, 1e15, 100, 1e11),
	(7, 7, 7, 7, 16777217, 2e14, 7, 7),
	(8, 8, 8, 8, 0.000123457, 1.2345678901234567e-7, 8, 8),
	(9, 9, 9, 9, 1e16, 12345678901234567890, 9, 9);

CREATE TABLE times (
	id INT PRIMARY KEY,
	dt DATE, t0 DATETIME, t3 DATETIME(3), t6 DATETIME(6),
	ts TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL,
	tm TIME, tm2 TIME(2), tm6 TIME(6), y4 YEAR
);
INSERT INTO times VALUES
	(1, '2024-11-30', '2024-11-30 23:59:59', '2024-11-30 23:59:59.123', '2024-11-30 23:59:59.123456',
	 '2024-02-29 12:00:00', '2038-01-19 03:14:07.999999', '838:59:59', '-838:59:59.99', '00:00:00.000001', 2024),
	(2, '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.000', '9999-12-31 23:59:59.999999',
	 '1970-01-01 00:00:01', '1970-01-01 00:00:01.000001', '-00:00:01', '00:00:00.5', '-12:34:56.000100', 1901),
	(3, '0000-00-00', '0000-00-00 00:00:00', '2024-01-01 00:00:00.5', '2024-01-01 00:00:00',
	 NULL, NULL, '00:00:00', '100:00:00', '23:59:59.999999', 0),
	(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE strs (
	id INT PRIMARY KEY,
	c CHAR(5), v VARCHAR(40), t TEXT, mt MEDIUMTEXT,
	b BLOB, bn BINARY(4), vb VARBINARY(16),
	e ENUM('small','medium','large'), s SET('a','b','c'), j JSON,
	ip INET6, u UUID, g POINT
);
INSERT INTO strs VALUES
	(1, 'ab', 'plain text', 'text, with "quotes" and commas', 'line1\nline2\r\nline3',
	 X'00FF10', X'01020304', X'DEADBEEF00', 'medium', 'a,c', '{"a": [1, 2.50, "x"], "b": null}',
	 '2001:db8::1', '123e4567-e89b-12d3-a456-426614174000', POINT(1, 2)),
	(2, '', '', '', '', '', X'00000000', X'', 'small', '', '[]',
	 '::ffff:192.0.2.1', '00000000-0000-0000-0000-000000000000', POINT(-1.5, 0.25)),
	(3, 'NULL', 'NULL', 'tab\there', 'ends with space ', X'0A0D09', X'41', X'5C27',
	 'large', 'a,b,c', '"just a string"', '::', 'ffffffff-ffff-ffff-ffff-ffffffffffff', NULL),
	(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE bits (
	id INT PRIMARY KEY, b1 BIT(1), b8 BIT(8), b12 BIT(12), b64 BIT(64)
);
INSERT INTO bits VALUES
	(1, b'1', b'10100101', b'111111111111', b'1111111111111111111111111111111111111111111111111111111111111111'),
	(2, b'0', b'0', b'100000000000', b'1'),
	(3, NULL, NULL, NULL, NULL);

CREATE TABLE unicode (
	id INT PRIMARY KEY, name VARCHAR(100), note TEXT
);
INSERT INTO unicode VALUES
	(1, '株式会社テスト', '日本語のテキスト、カンマ,あり'),
	(2, '😀🎉👨‍👩‍👧‍👦', 'emoji in a "quoted" field'),
	(3, 'Ünïcödé Çafé', 'Ελληνικά • Кириллица • עברית • العربية'),
	(4, '𠮷野家', 'four-byte kanji 𠮷');

CREATE TABLE events (
	id INT PRIMARY KEY,
	customer VARCHAR(32) NOT NULL,
	day DATE NOT NULL,
	kind VARCHAR(16),
	amount DECIMAL(12,2),
	KEY (customer)
);
INSERT INTO events
	SELECT seq, ELT(1 + seq % 5, 'acme', 'globex', 'initech', 'umbrella', 'x'' OR ''1''=''1'),
	       '2024-01-01' + INTERVAL (seq % 366) DAY,
	       IF(seq % 7 = 0, NULL, ELT(1 + seq % 3, 'login', 'export', 'view')),
	       IF(seq % 11 = 0, NULL, (seq % 1000) * 1.25)
	FROM seq_1_to_2000;

CREATE TABLE big_blob (id INT PRIMARY KEY, data LONGBLOB, txt LONGTEXT);
INSERT INTO big_blob VALUES
	(1, REPEAT(X'00FF', 300000), REPEAT('長い', 100000)),
	(2, 'short', 'short'),
	(3, REPEAT('x', 70000), REPEAT('y', 9000));
