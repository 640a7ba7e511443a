#!/bin/sh
# Benchmark: a script report (issue 15). One Python script printing 1M
# CSV rows, run by `reportbot run -o FILE` (fork/exec, stdout read and
# checked as it streams, written again by the CSV writer) and run directly
# into a file, alternating, in one run; then peak RSS of reportbot at 10k
# and 1M rows. Prints medians, the overhead ratio and whether the two
# files are the same bytes (bom = false: the script writes CRLF itself).
#   RUNS=7 bench/script/run.sh
set -eu
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
BIN=${REPORTBOT:-./reportbot}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cmds"
cat > "$tmp/cmds/rows.py" <<'EOS'
#!/usr/bin/python3
# summary: n rows of 6 columns, as an export script would print them
# param: n int(1..)=1000000 rows
import csv, sys
n = int(sys.argv[1].split("=", 1)[1])
w = csv.writer(sys.stdout)
w.writerow(["id", "day", "customer", "event", "amount", "note"])
for i in range(n):
    w.writerow([i, "2024-11-%02d" % (i % 30 + 1), "customer-%d" % (i % 977), "query",
                "%.2f" % (i * 0.37 % 1000), "a, \"quoted\" note" if i % 100 == 0 else "plain"])
EOS
chmod +x "$tmp/cmds/rows.py"
cat > "$tmp/config.toml" <<EOC
[bot]
commands_dir = "$tmp/cmds"
data_dir = "$tmp/var"
[output]
bom = false
# a config needs a source; a script never opens it
[sources.unused]
driver = "sqlite"
path = "$tmp/unused.db"
EOC

secs() { /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null 2>&1; cat "$tmp/t"; }
rss_kb() { /usr/bin/time -f %M -o "$tmp/m" "$@" >/dev/null 2>&1; cat "$tmp/m"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "bench: a Python script printing 1M rows x 6 columns, $RUNS runs each, alternating"
: > "$tmp/rb"; : > "$tmp/py"
for i in $(seq "$RUNS"); do
	secs "$BIN" -c "$tmp/config.toml" run -o "$tmp/rb.csv" rows 1000000 >> "$tmp/rb"
	# the environment a script gets from the bot (an inherited
	# PYTHONUNBUFFERED=1 alone would make the direct run 1.7x slower)
	secs env -i PATH="$PATH" HOME="$HOME" LANG="${LANG:-C.UTF-8}" \
		sh -c "'$PY' '$tmp/cmds/rows.py' --n=1000000 > '$tmp/py.csv'" >> "$tmp/py"
done
cmp -s "$tmp/rb.csv" "$tmp/py.csv" && same="the same bytes" || same="FILES DIFFER"
rb=$(median < "$tmp/rb"); py=$(median < "$tmp/py")
rss_small=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/small.csv" rows 10000)
rss_big=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/big.csv" rows 1000000)
printf '%-34s %8s s  (median of %s)\n' "reportbot run -o FILE rows" "$rb" "$RUNS"
printf '%-34s %8s s\n' "python3 rows.py > FILE (same env)" "$py"
awk -v a="$rb" -v b="$py" 'BEGIN { printf "overhead ratio reportbot/direct: %.2fx (target <= 1.15x)\n", a / b }'
echo "outputs: $same ($(wc -c < "$tmp/rb.csv") bytes)"
printf 'peak RSS reportbot (not the script): %.1f MB at 10k rows, %.1f MB at 1M rows (flat)\n' \
	"$(echo "$rss_small / 1024" | bc -l)" "$(echo "$rss_big / 1024" | bc -l)"
