-- Builds the demo database: customers, users and about a million product
-- events over the 365 days that end today. Deterministic for a given day:
-- every "random" choice is an integer hash of the row number.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;

CREATE TABLE customers (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	plan TEXT NOT NULL,
	country TEXT NOT NULL,
	created_at TEXT NOT NULL
);

INSERT INTO customers (id, slug, name, plan, country, created_at) VALUES
	(1, 'acme', 'Acme Corporation', 'enterprise', 'US', '2021-03-14'),
	(2, 'globex', 'Globex, Inc.', 'business', 'US', '2021-07-02'),
	(3, 'initech', 'Initech', 'team', 'US', '2022-01-10'),
	(4, 'umbrella', 'Umbrella "Bio" Corp', 'enterprise', 'GB', '2020-11-30'),
	(5, 'yamato', '大和運輸株式会社', 'business', 'JP', '2022-04-01'),
	(6, 'sakura', 'さくらソフト', 'team', 'JP', '2023-02-20'),
	(7, 'hooli', 'Hooli', 'enterprise', 'US', '2021-09-09'),
	(8, 'stark', 'Stark Industries', 'enterprise', 'US', '2020-05-05'),
	(9, 'wayne', 'Wayne Enterprises', 'business', 'US', '2022-08-15'),
	(10, 'tyrell', 'Tyrell Corp', 'team', 'US', '2023-06-01'),
	(11, 'cyberdyne', 'Cyberdyne Systems', 'business', 'US', '2021-12-12'),
	(12, 'soylent', 'Soylent Green Co', 'team', 'FR', '2023-09-18'),
	(13, 'wonka', 'Wonka Industries', 'business', 'GB', '2022-10-31'),
	(14, 'oscorp', 'Oscorp', 'team', 'US', '2024-01-08'),
	(15, 'nakatomi', '中富商事', 'enterprise', 'JP', '2020-12-24'),
	(16, 'vandelay', 'Vandelay Industries', 'team', 'US', '2024-03-03'),
	(17, 'dunder', 'Dunder Mifflin', 'business', 'US', '2021-04-01'),
	(18, 'pied-piper', 'Pied Piper', 'team', 'US', '2024-06-06'),
	(19, 'aperture', 'Aperture Science', 'enterprise', 'US', '2020-02-02'),
	(20, 'blacksun', 'Black Sun, Ltd.', 'business', 'DE', '2023-11-11');

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	email TEXT NOT NULL,
	role TEXT NOT NULL
);

-- 3000 users; bigger customers (low ids) get more of them.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO users (id, customer_id, email, role)
SELECT i,
       1 + ((i * 2654435761) % 4294967296 % 400) * ((i * 40503) % 65536 % 400) / 8000,
       'user' || i || '@example.com',
       CASE (i * 97) % 10 WHEN 0 THEN 'admin' WHEN 1 THEN 'viewer' ELSE 'member' END
FROM n;

CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	day TEXT NOT NULL,              -- YYYY-MM-DD
	occurred_at TEXT NOT NULL,      -- YYYY-MM-DD HH:MM:SS
	customer_id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	event TEXT NOT NULL,            -- login, query, dashboard_view, report_export, api_call
	duration_ms INTEGER,            -- NULL for events without a duration
	amount REAL                     -- billable units, NULL when not billable
);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000),
h(i, a, b) AS (
	SELECT i, (i * 2654435761) % 4294967296, (i * 2246822519) % 4294967296 FROM n
)
INSERT INTO events (id, day, occurred_at, customer_id, user_id, event, duration_ms, amount)
SELECT i,
       date('now', 'localtime', '-' || (a % 365) || ' days'),
       date('now', 'localtime', '-' || (a % 365) || ' days') || ' ' ||
           printf('%02d:%02d:%02d', 8 + b % 12, (b / 12) % 60, (b / 720) % 60),
       (SELECT customer_id FROM users WHERE users.id = 1 + b % 3000),
       1 + b % 3000,
       CASE b % 20 WHEN 0 THEN 'report_export' WHEN 1 THEN 'login' WHEN 2 THEN 'login'
            WHEN 3 THEN 'api_call' WHEN 4 THEN 'api_call' WHEN 5 THEN 'api_call'
            WHEN 6 THEN 'dashboard_view' WHEN 7 THEN 'dashboard_view' ELSE 'query' END,
       CASE WHEN b % 20 IN (1, 2) THEN NULL ELSE 20 + (a / 365) % 4000 END,
       CASE WHEN b % 20 >= 3 AND b % 20 <= 5 THEN round(((a / 7) % 1000) / 100.0, 2) END
FROM h;

CREATE INDEX events_customer_day ON events (customer_id, day);
CREATE INDEX events_day ON events (day);
ANALYZE;
