-- summary: Monthly usage for one customer
-- source: main
-- param: customer string        Customer slug, e.g. acme
-- param: month month=last       Month as YYYY-MM, or this / last
-- channels: C0123456789 C0987654321
-- timeout: 300
SELECT day, events FROM usage
WHERE customer = :customer AND day >= :month_start AND day < :month_end
