-- summary: Events per day for a date range
-- Plain comments like this one are ignored.
-- param: from date=yesterday   First day, e.g. 2024-11-01
-- param: to date=today         Day after the last one
-- param: kinds list=click,view Event kinds, e.g. click,view
-- channels: C0123456789
-- max_rows: 100000
SELECT day, kind, COUNT(*) AS events
FROM events
WHERE day >= :from AND day < :to AND kind IN (:kinds)
  AND note <> ':not_a_param' -- nor :this
GROUP BY day, kind
ORDER BY day, kind;
