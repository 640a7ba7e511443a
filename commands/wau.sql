-- summary: Weekly active users per plan over the last weeks
-- param: weeks int(1..52)=8     How many weeks back, e.g. 12
-- param: plan enum(all|enterprise|business|team)=all   Customer plan to count
-- timeout: 120
-- chart: line x=week y=weekly_active_users
SELECT strftime('%Y-W%W', e.day) AS week,
       min(e.day) AS first_day,
       count(DISTINCT e.user_id) AS weekly_active_users
FROM events e
JOIN customers c ON c.id = e.customer_id
WHERE e.day >= date('now', 'localtime', '-' || (:weeks * 7) || ' days')
  AND (:plan = 'all' OR c.plan = :plan)
GROUP BY week
ORDER BY week
