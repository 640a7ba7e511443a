#!/bin/sh
# Benchmark: `reportbot run` against `sqlite3 -csv` on the same 1M-row
# query over the demo database, alternating runs, then peak RSS of
# reportbot at 10k and 1M rows. Prints medians and ratios.
#   RUNS=7 bench/sqlite/run.sh
set -eu
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
BIN=${REPORTBOT:-./reportbot}
./demo/make-db.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cmds"
cat > "$tmp/cmds/events.sql" <<'EOS'
-- summary: every event row
-- param: n int=1000000   rows
SELECT * FROM events ORDER BY id LIMIT :n
EOS
cat > "$tmp/config.toml" <<EOC
[bot]
commands_dir = "$tmp/cmds"
data_dir = "$tmp/var"
default_source = "demo"
[sources.demo]
driver = "sqlite"
path = "$PWD/demo/demo.db"
EOC

# secs CMD...: wall seconds of one run (GNU time), output discarded.
secs() { /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null 2>&1; cat "$tmp/t"; }
rss_kb() { /usr/bin/time -f %M -o "$tmp/m" "$@" >/dev/null 2>&1; cat "$tmp/m"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "bench: 1M rows x 8 columns from demo/demo.db, $RUNS runs each, alternating"
: > "$tmp/rb"; : > "$tmp/sq"
for i in $(seq "$RUNS"); do
	secs "$BIN" -c "$tmp/config.toml" run -o "$tmp/rb.csv" events >> "$tmp/rb"
	secs sh -c "sqlite3 -csv -header '$PWD/demo/demo.db' 'SELECT * FROM events ORDER BY id LIMIT 1000000' > '$tmp/sq.csv'" >> "$tmp/sq"
done
[ "$(wc -l < "$tmp/rb.csv")" = "$(wc -l < "$tmp/sq.csv")" ] && same="same row count" || same="ROW COUNTS DIFFER"
rb=$(median < "$tmp/rb"); sq=$(median < "$tmp/sq")
rss_small=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/small.csv" events 10000)
rss_big=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/big.csv" events 1000000)
rss_sq=$(rss_kb sh -c "sqlite3 -csv -header '$PWD/demo/demo.db' 'SELECT * FROM events ORDER BY id' > /dev/null")
printf '%-28s %8s s  (median of %s)\n' "reportbot run -o FILE" "$rb" "$RUNS"
printf '%-28s %8s s\n' "sqlite3 -csv > FILE" "$sq"
awk -v a="$rb" -v b="$sq" 'BEGIN { printf "time ratio reportbot/sqlite3: %.2fx (target <= 1.10x)\n", a / b }'
echo "outputs: $same"
printf 'peak RSS reportbot: %.1f MB at 10k rows, %.1f MB at 1M rows (target < 20 MB, flat)\n' \
	"$(echo "$rss_small / 1024" | bc -l)" "$(echo "$rss_big / 1024" | bc -l)"
printf 'peak RSS sqlite3 shell at 1M rows: %.1f MB\n' "$(echo "$rss_sq / 1024" | bc -l)"
