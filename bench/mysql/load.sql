-- 5M rows of product usage events for bench/mysql/run.sh, generated on the
-- server from the SEQUENCE engine: ints, a DATETIME, a short VARCHAR, a
-- DECIMAL, and NULLs in some columns. Deterministic (no RAND()), so every
-- run exports the same bytes.
CREATE TABLE usage_events (
	id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	customer_id INT NOT NULL,
	user_id INT NOT NULL,
	occurred_at DATETIME NOT NULL,
	event VARCHAR(24) NOT NULL,
	plan VARCHAR(12),
	quantity INT,
	amount DECIMAL(12,2),
	duration_ms INT UNSIGNED,
	KEY (customer_id, occurred_at)
) ENGINE=InnoDB;

INSERT INTO usage_events
SELECT seq,
       1 + (seq * 7919) % 1200,
       1 + (seq * 104729) % 250000,
       TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (seq * 6151) % 31536000 SECOND,
       ELT(1 + (seq * 31) % 8, 'login', 'export', 'report.view', 'dashboard.open',
           'api.call', 'invite.sent', 'file.upload', 'search'),
       IF(seq % 13 = 0, NULL, ELT(1 + seq % 4, 'free', 'team', 'business', 'enterprise')),
       IF(seq % 17 = 0, NULL, 1 + (seq * 13) % 500),
       IF(seq % 5 = 0, NULL, ((seq * 7) % 100000) / 100),
       IF(seq % 9 = 0, NULL, (seq * 37) % 120000)
FROM seq_1_to_5000000;
ANALYZE TABLE usage_events;
