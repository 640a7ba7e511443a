#!/bin/sh
# Benchmark: driver = "trino" through the fake Trino (tests/fake-trino):
# rows per second of `reportbot run -o FILE` at 50k and 5M rows (4 columns,
# 8192 rows a page), next to a client that only walks the pages (walk.js:
# the pace the fake itself allows); the bot's own overhead per page is its
# CPU time (user + system) over the pages, since the wall time is the
# fake's; and peak RSS at 50k and 5M rows, which must be flat (one page in
# memory at a time).
#   RUNS=3 bench/trino/run.sh
set -eu
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
BIN=${REPORTBOT:-./reportbot}
BIG=${BIG:-5000000}
tmp=$(mktemp -d)
fifo="$tmp/fake.out"
node tests/fake-trino/fake-trino.js 0 > "$fifo" 2>&1 &
fake=$!
trap 'kill $fake 2>/dev/null; rm -rf "$tmp"' EXIT
while ! grep -q '^listening' "$fifo"; do
	kill -0 $fake 2>/dev/null || { cat "$fifo"; exit 1; }
	sleep 0.1   # polls the fake's start-up line; not a test
done
port=$(sed -n 's/^listening //p' "$fifo")
mkdir -p "$tmp/cmds"
cat > "$tmp/cmds/events.sql" <<'EOS'
-- summary: generated events
-- param: n int   rows
SELECT id, name, amount, day FROM events LIMIT :n
EOS
cat > "$tmp/config.toml" <<EOC
[bot]
commands_dir = "$tmp/cmds"
data_dir = "$tmp/var"
default_source = "fake"
[sources.fake]
driver = "trino"
port = $port
user = "bench"
EOC
# The driver sends EXECUTE ... USING n; the fake's engine answers the
# prepared statement. walk.js sends the same rows as a plain statement.

secs() { /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null 2>&1; cat "$tmp/t"; }
# wall and CPU (user + system) seconds of one run
wall_cpu() { /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$@" >/dev/null 2>&1; awk '{print $1, $2 + $3}' "$tmp/t"; }
rss_kb() { /usr/bin/time -f %M -o "$tmp/m" "$@" >/dev/null 2>&1; cat "$tmp/m"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "bench: $BIG rows x 4 columns through the fake Trino (8192 rows a page), $RUNS runs each, alternating"
: > "$tmp/rb"; : > "$tmp/walk"
for i in $(seq "$RUNS"); do
	wall_cpu "$BIN" -c "$tmp/config.toml" run -o "$tmp/rb.csv" events "$BIG" >> "$tmp/rb"
	secs node bench/trino/walk.js "http://127.0.0.1:$port" "SELECT id, name, amount, day FROM events LIMIT $BIG" >> "$tmp/walk"
done
rows=$(($(wc -l < "$tmp/rb.csv") - 1))
pages=$(node bench/trino/walk.js "http://127.0.0.1:$port" "SELECT id, name, amount, day FROM events LIMIT 1" | awk '{print $2}')
pages=$((pages - 1 + (BIG + 8191) / 8192))
rb=$(awk '{print $1}' "$tmp/rb" | median); cpu=$(awk '{print $2}' "$tmp/rb" | median); walk=$(median < "$tmp/walk")
rss_small=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/small.csv" events 50000)
rss_big=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/big.csv" events "$BIG")
[ "$rows" = "$BIG" ] && whole="all $rows rows written" || whole="ONLY $rows OF $BIG ROWS"
printf '%-34s %8s s  (median of %s)  %s\n' "reportbot run -o FILE, wall" "$rb" "$RUNS" "$whole"
printf '%-34s %8s s\n' "reportbot run -o FILE, CPU" "$cpu"
printf '%-34s %8s s\n' "walk.js (protocol only, no parse)" "$walk"
awk -v n="$BIG" -v a="$rb" -v c="$cpu" -v p="$pages" 'BEGIN {
	printf "rows per second through reportbot: %.0f (the fake, one node thread, sets the pace)\n", n / a
	printf "the bot'"'"'s own CPU: %.2f ms per page of 8192 rows, %.0f ns a row (%.0f rows per CPU second)\n", c * 1000 / p, c * 1e9 / n, n / c
}'
printf 'peak RSS reportbot: %.1f MB at 50k rows, %.1f MB at %s rows (flat: one page at a time)\n' \
	"$(echo "$rss_small / 1024" | bc -l)" "$(echo "$rss_big / 1024" | bc -l)" "$BIG"
