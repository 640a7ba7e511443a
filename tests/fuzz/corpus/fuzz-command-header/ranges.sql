-- summary: ranges
-- param: from date=yesterday
-- param: to date=today
-- param: w int(1..52)=4
-- param: n int(..0)=-1
-- order: from <= to
-- filename: r-{from}-{to}-{w}.csv
SELECT :from, :to, :w, :n
