-- summary: Daily usage of one customer over a month
-- param: customer string        Customer slug, e.g. acme
-- param: month month=last       Month as YYYY-MM, or this / last
-- filename: usage-{customer}-{month}.csv
-- timeout: 120
SELECT e.day,
       count(*) AS events,
       count(DISTINCT e.user_id) AS active_users,
       sum(e.event = 'report_export') AS exports,
       round(sum(coalesce(e.amount, 0)), 2) AS billable_units
FROM events e
JOIN customers c ON c.id = e.customer_id
WHERE c.slug = :customer
  AND e.day >= :month_start AND e.day < :month_end
GROUP BY e.day
ORDER BY e.day
