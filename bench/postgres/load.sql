-- load.sql: 5,000,000 usage events for bench/postgres (the same shape as
-- bench/mysql's): bigint id, int customer and user ids, a timestamp, short
-- texts, an int quantity, a numeric(12,2) amount, a bigint duration; NULLs
-- in four columns. bench/postgres/run.sh replaces 5000000 with $ROWS.
CREATE TABLE usage_events (
	id bigint PRIMARY KEY,
	customer_id int NOT NULL,
	user_id int,
	occurred_at timestamp NOT NULL,
	event text NOT NULL,
	plan text,
	quantity int,
	amount numeric(12, 2),
	duration_ms bigint
);
INSERT INTO usage_events
SELECT g,
	1 + g % 997,
	CASE WHEN g % 13 = 0 THEN NULL ELSE 1 + g % 50021 END,
	timestamp '2024-01-01' + (g * interval '6 seconds'),
	(ARRAY['login', 'export', 'query', 'upload', 'share', 'delete'])[1 + g % 6],
	CASE WHEN g % 17 = 0 THEN NULL ELSE (ARRAY['free', 'team', 'business', 'enterprise'])[1 + g % 4] END,
	1 + g % 40,
	CASE WHEN g % 19 = 0 THEN NULL ELSE (g % 100000) / 100.0 END,
	CASE WHEN g % 23 = 0 THEN NULL ELSE g % 86400000 END
FROM generate_series(1, 5000000) g;
VACUUM ANALYZE usage_events;
