-- summary: North-star metric: reports exported per day, over a date range
-- param: from date              First day, YYYY-MM-DD (or today / yesterday)
-- param: to date=today          Last day, inclusive
-- filename: north-star-{from}-{to}.csv
-- order: from <= to
SELECT day,
       count(*) AS reports_exported,
       count(DISTINCT customer_id) AS exporting_customers
FROM events
WHERE event = 'report_export'
  AND day >= :from AND day <= :to
GROUP BY day
ORDER BY day
