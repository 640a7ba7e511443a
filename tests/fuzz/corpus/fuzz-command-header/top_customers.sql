-- summary: Top customers by spend
-- source: demo
-- param: limit int=10            How many rows
-- param: region enum(apac|emea|amer)=apac   Region
-- filename: top-{region}-{limit}.csv
-- bom: true
-- timeout: 60
SELECT customer, SUM(amount)::numeric AS spend
FROM orders WHERE region = :region
GROUP BY customer ORDER BY spend DESC LIMIT :limit
