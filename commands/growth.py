#!/usr/bin/python3
# summary: Month-over-month change per customer, classified, with its growth streak (a Python script report)
# param: month month=last      Month as YYYY-MM, or this / last
# param: threshold int(1..100)=10  Percent change that counts as growing or shrinking
# env: DEMO_DB
# filename: growth-{month}.csv
# preview: 10
# chart: bar x=customer y=change_pct
# timeout: 120
#
# A script report (README.md, "Script reports"): the bot runs this file
# itself, with --month=YYYY-MM --threshold=N in argv and the same values in
# REPORT_MONTH, REPORT_MONTH_START, REPORT_MONTH_END and REPORT_THRESHOLD; it
# prints CSV with a header row on stdout. Standard library only.
#
# What one SQL statement does not do well: each customer's monthly totals
# for the year before the month, walked in Python for the change, a
# classification against a threshold and the run of months it has grown.
import csv
import os
import sqlite3
import sys


def arg(name):
    for a in sys.argv[1:]:
        if a.startswith("--" + name + "="):
            return a.split("=", 1)[1]
    sys.exit("growth.py: missing --%s=VALUE" % name)


def month_add(ym, k):
    y, m = int(ym[:4]), int(ym[5:7])
    n = y * 12 + (m - 1) + k
    return "%04d-%02d" % (n // 12, n % 12 + 1)


month = arg("month")
threshold = int(arg("threshold"))
here = os.path.dirname(os.path.abspath(__file__))
db = os.environ.get("DEMO_DB") or os.path.join(here, "..", "demo", "demo.db")
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)

first = month_add(month, -11)
totals = {}   # customer id -> {YYYY-MM: events}
for cid, ym, n in con.execute(
        "SELECT customer_id, substr(day, 1, 7), count(*) FROM events "
        "WHERE day >= ? AND day < ? GROUP BY 1, 2",
        (first + "-01", month_add(month, 1) + "-01")):
    totals.setdefault(cid, {})[ym] = n

months = [month_add(first, i) for i in range(12)]
rows = []
for cid, slug, name, plan in con.execute("SELECT id, slug, name, plan FROM customers ORDER BY slug"):
    series = [totals.get(cid, {}).get(m, 0) for m in months]
    prev, cur = series[-2], series[-1]
    if prev == 0 and cur == 0:
        continue
    change = None if prev == 0 else round(100.0 * (cur - prev) / prev, 1)
    if prev == 0:
        trend = "new"
    elif cur == 0:
        trend = "churned"
    elif change >= threshold:
        trend = "growing"
    elif change <= -threshold:
        trend = "shrinking"
    else:
        trend = "steady"
    streak = 0
    for a, b in zip(reversed(series[:-1]), reversed(series)):
        if b > a:
            streak += 1
        else:
            break
    rows.append((slug, name, plan, prev, cur, change, trend, streak))

rows.sort(key=lambda r: (r[5] is None, -(r[5] or 0), r[0]))
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["customer", "name", "plan", "prev_events", "events", "change_pct", "trend", "growth_streak"])
for r in rows:
    out.writerow(["" if v is None else v for v in r])
print("growth.py: %d customers for %s" % (len(rows), month), file=sys.stderr)
