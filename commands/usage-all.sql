-- summary: Monthly usage of every customer, one row per customer
-- param: month month=last       Month as YYYY-MM, or this / last
-- filename: usage-all-{month}.csv
-- timeout: 300
SELECT c.slug AS customer,
       c.name,
       c.plan,
       count(e.id) AS events,
       count(DISTINCT e.user_id) AS active_users,
       round(sum(coalesce(e.amount, 0)), 2) AS billable_units
FROM customers c
LEFT JOIN events e
       ON e.customer_id = c.id AND e.day >= :month_start AND e.day < :month_end
GROUP BY c.id
ORDER BY events DESC, c.slug
