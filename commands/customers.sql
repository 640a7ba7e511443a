-- summary: Usage of several customers side by side for a month
-- param: customers list         Customer slugs, comma-separated, e.g. acme,globex
-- param: month month=last       Month as YYYY-MM, or this / last
-- filename: customers-{customers}-{month}.csv
SELECT c.slug AS customer,
       c.name,
       e.event,
       count(*) AS events,
       round(avg(e.duration_ms), 1) AS avg_duration_ms
FROM events e
JOIN customers c ON c.id = e.customer_id
WHERE c.slug IN (:customers)
  AND e.day >= :month_start AND e.day < :month_end
GROUP BY c.slug, e.event
ORDER BY c.slug, events DESC
