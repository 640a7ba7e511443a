#!/bin/sh
# Benchmark: exporting 5M rows of usage events from MariaDB to a file.
#   (a) reportbot run -o FILE               (this project)
#   (b) mariadb --batch --quick > FILE      (the native client, TSV)
#   (c) SELECT ... INTO OUTFILE (CSV)       (the server writing its own file)
#   (d) pandas read_sql + to_csv            (the usual script)
# and the large-result path of issue 12 (what `serve` uploads), through
# `reportbot console`, which writes the file the way the bot does:
#   (e) console, [output] gzip_over = 0     (NAME.csv.gz, zlib level 1)
#   (f) console, [output] gzip_over = -1    (the same path, plain)
#   (g) mariadb --batch --quick | gzip -1   (the native client, compressed)
# with the peak RSS of (e) and (f). REPORTBOT_L6=BIN adds (h): (e) by a
# binary built with -DCSV_GZIP_LEVEL=6, to compare zlib levels.
# Each is run RUNS times (pandas PANDAS_RUNS times), alternating; medians and
# ratios to (a) are printed, then peak RSS of (a) at 50k and 5M rows.
#   RUNS=5 PANDAS_RUNS=2 bench/mysql/run.sh      (ONLY=gzip: rows (e)-(h) only)
# Needs mariadb-server, mariadb-client, python3-pandas, python3-pymysql.
# The server is a throwaway one (tests/mysql/server.sh) on its own port.
set -eu
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
PANDAS_RUNS=${PANDAS_RUNS:-2}
ROWS=${ROWS:-5000000}
BIN=${REPORTBOT:-./reportbot}
PY=${PYTHON:-/usr/bin/python3}

[ -x "$BIN" ] || { echo "bench: build $BIN first (make reportbot)" >&2; exit 1; }
"$PY" -c 'import pandas, pymysql' 2>/dev/null ||
	{ echo "bench: $PY lacks pandas or pymysql (apt-get install python3-pandas python3-pymysql)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/rbbench.XXXXXX)
srv="$tmp/srv"
cleanup() {
	tests/mysql/server.sh stop "$srv" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MYSQL_BUFFER_POOL=2G tests/mysql/server.sh start "$srv" >/dev/null
. "$srv/env"
t0=$(date +%s.%N)
MYSQL_PWD=$MYSQL_ADMIN_PASSWORD mariadb --no-defaults --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" \
	-u "$MYSQL_ADMIN_USER" -D "$MYSQL_DATABASE" >/dev/null <<EOL
$(sed "s/seq_1_to_5000000/seq_1_to_$ROWS/" bench/mysql/load.sql)
EOL
t1=$(date +%s.%N)
echo "bench: loaded $ROWS usage events in $(echo "$t1 - $t0" | bc | xargs printf '%.1f') s"

cols="id, customer_id, user_id, occurred_at, event, plan, quantity, amount, duration_ms"
query="SELECT $cols FROM usage_events ORDER BY id LIMIT $ROWS"

mkdir -p "$tmp/cmds" "$tmp/var"
cat >"$tmp/cmds/usage-events.sql" <<EOS
-- summary: every usage event, oldest first
-- param: n int=$ROWS   how many rows
-- timeout: 3600
-- filename: usage-events-{n}.csv
SELECT $cols FROM usage_events ORDER BY id LIMIT :n
EOS
cat >"$tmp/config.toml" <<EOC
[bot]
commands_dir = "$tmp/cmds"
data_dir = "$tmp/var"
default_source = "main"
[sources.main]
driver = "mysql"
host = "$MYSQL_HOST"
port = $MYSQL_PORT
user = "$MYSQL_USER"
password_env = "BENCH_DB_PASSWORD"
database = "$MYSQL_DATABASE"
EOC
export BENCH_DB_PASSWORD="$MYSQL_PASSWORD"
for g in 0 -1; do
	sed "s|data_dir = \"$tmp/var\"|data_dir = \"$tmp/var$g\"|" "$tmp/config.toml" >"$tmp/config$g.toml"
	printf '[output]\ngzip_over = %s\n' "$g" >>"$tmp/config$g.toml"
	mkdir -p "$tmp/var$g"
done

# secs FUNC: wall seconds of one run of a shell function.
secs() {
	s0=$(date +%s.%N)
	"$@" >/dev/null 2>"$tmp/err" || { echo "bench: $1 failed:" >&2; cat "$tmp/err" >&2; exit 1; }
	s1=$(date +%s.%N)
	echo "$s1 - $s0" | bc
}
rss_kb() { /usr/bin/time -f %M -o "$tmp/m" "$@" >/dev/null 2>&1; cat "$tmp/m"; }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]}'; }

run_a() { "$BIN" -c "$tmp/config.toml" run -o "$tmp/a.csv" usage-events; }
run_b() {
	MYSQL_PWD=$MYSQL_PASSWORD mariadb --no-defaults --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" \
		-u "$MYSQL_USER" -D "$MYSQL_DATABASE" --batch --quick -e "$query" >"$tmp/b.tsv"
}
run_c() {
	rm -f "$MYSQL_OUTFILE_DIR/c.csv"
	MYSQL_PWD=$MYSQL_ADMIN_PASSWORD mariadb --no-defaults --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" \
		-u "$MYSQL_ADMIN_USER" -D "$MYSQL_DATABASE" -e "$query INTO OUTFILE '$MYSQL_OUTFILE_DIR/c.csv'
		FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\r\n'"
}
# console GZIP_OVER [BIN]: one run of the report as the bot writes it.
console() {
	rm -f "$tmp/var$1"/usage-events*.csv*
	echo "/report usage-events" | "${2:-$BIN}" -c "$tmp/config$1.toml" console >"$tmp/console.out" 2>&1 &&
		ls "$tmp/var$1/usage-events-$ROWS".csv* >/dev/null || { cat "$tmp/console.out" >&2; return 1; }
}
run_e() { console 0; }
run_f() { console -1; }
run_g() {
	MYSQL_PWD=$MYSQL_PASSWORD mariadb --no-defaults --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" \
		-u "$MYSQL_USER" -D "$MYSQL_DATABASE" --batch --quick -e "$query" | gzip -1 >"$tmp/g.tsv.gz"
}
run_h() { console 0 "$REPORTBOT_L6"; }
run_d() {
	"$PY" bench/mysql/pandas_export.py "$MYSQL_HOST" "$MYSQL_PORT" "$MYSQL_USER" "$MYSQL_DATABASE" \
		"$tmp/d.csv" "$query"
}

row() { # name secs target
	awk -v n="$1" -v t="$2" -v a="$a" -v g="$3" \
		'BEGIN { printf "%-36s %8.2f s %8.2fx   %s\n", n, t, (a > 0 ? t / a : 0), g }'
}

# Warm the buffer pool once so every contender reads from memory.
secs run_b >/dev/null
# ONLY=gzip: just the large-result rows (e)-(h).
if [ "${ONLY:-all}" != gzip ]; then
echo "bench: $ROWS rows x 9 columns, $RUNS runs each (pandas $PANDAS_RUNS), alternating"
: >"$tmp/a"; : >"$tmp/b"; : >"$tmp/c"; : >"$tmp/d"
for i in $(seq "$RUNS"); do
	secs run_a >>"$tmp/a"
	secs run_b >>"$tmp/b"
	secs run_c >>"$tmp/c"
	if [ "$i" -le "$PANDAS_RUNS" ]; then secs run_d >>"$tmp/d"; fi
done
a=$(median <"$tmp/a"); b=$(median <"$tmp/b"); c=$(median <"$tmp/c")
d=0
[ -s "$tmp/d" ] && d=$(median <"$tmp/d")

lines_a=$(wc -l <"$tmp/a.csv"); lines_b=$(wc -l <"$tmp/b.tsv"); lines_c=$(wc -l <"$MYSQL_OUTFILE_DIR/c.csv")
lines_d=0
[ -f "$tmp/d.csv" ] && lines_d=$(wc -l <"$tmp/d.csv")
echo "lines written (header included where there is one): a=$lines_a b=$lines_b c=$lines_c d=$lines_d"
echo "all times: a=[$(tr '\n' ' ' <"$tmp/a")] b=[$(tr '\n' ' ' <"$tmp/b")] c=[$(tr '\n' ' ' <"$tmp/c")] d=[$(tr '\n' ' ' <"$tmp/d")]"

printf '%-36s %10s %9s   %s\n' "method" "median" "vs (a)" "target"
row "(a) reportbot run -o FILE" "$a" ""
row "(b) mariadb --batch --quick > FILE" "$b" "(a) no slower: >= 1.00x"
row "(c) SELECT ... INTO OUTFILE (CSV)" "$c" "(a) within 1.3x: >= 0.77x"
row "(d) pandas read_sql + to_csv" "$d" ">= 10x"

# Peak RSS of (a): a small and the full export.
cat >"$tmp/cmds/usage-small.sql" <<EOS
-- summary: the first 50k usage events
SELECT $cols FROM usage_events ORDER BY id LIMIT 50000
EOS
rss_small=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/small.csv" usage-small)
rss_big=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/big.csv" usage-events)
awk -v s="$rss_small" -v b="$rss_big" -v n="$ROWS" 'BEGIN {
	printf "peak RSS of (a): %.1f MB at 50k rows, %.1f MB at %d rows (%.2fx; targets < 32 MB, <= 1.2x)\n",
		s / 1024, b / 1024, n, b / s }'
fi

# The large-result path: gzip while writing, against plain and a pipe.
: >"$tmp/e"; : >"$tmp/f"; : >"$tmp/g"; : >"$tmp/h"
for i in $(seq "$RUNS"); do
	secs run_e >>"$tmp/e"
	secs run_f >>"$tmp/f"
	secs run_g >>"$tmp/g"
	if [ -n "${REPORTBOT_L6:-}" ]; then secs run_h >>"$tmp/h"; fi
done
e=$(median <"$tmp/e"); f=$(median <"$tmp/f"); g=$(median <"$tmp/g")
gz_bytes=$(stat -c %s "$tmp/var0/usage-events-$ROWS.csv.gz"); plain_bytes=$(stat -c %s "$tmp/var-1/usage-events-$ROWS.csv")
[ "$(gzip -dc "$tmp/var0/usage-events-$ROWS.csv.gz" | cmp - "$tmp/var-1/usage-events-$ROWS.csv" && echo same)" = same ] ||
	{ echo "bench: the gzipped export does not gunzip to the plain one" >&2; exit 1; }
echo "all times: e=[$(tr '\n' ' ' <"$tmp/e")] f=[$(tr '\n' ' ' <"$tmp/f")] g=[$(tr '\n' ' ' <"$tmp/g")] h=[$(tr '\n' ' ' <"$tmp/h")]"
a=$f
row "(f) console, plain (gzip_over = -1)" "$f" ""
row "(e) console, gzip -1 while writing" "$e" ""
row "(g) mariadb --batch --quick | gzip -1" "$g" "(e) no slower: >= 1.00x"
if [ -s "$tmp/h" ]; then
	row "(h) (e) at zlib level 6" "$(median <"$tmp/h")" ""
	echo "level 6 file: $(stat -c %s "$tmp/var0/usage-events-$ROWS.csv.gz") bytes"
	rm -f "$tmp/var0"/usage-events*.csv* && console 0 >/dev/null 2>&1
	gz_bytes=$(stat -c %s "$tmp/var0/usage-events-$ROWS.csv.gz")
fi
awk -v p="$plain_bytes" -v z="$gz_bytes" -v g="$(stat -c %s "$tmp/g.tsv.gz")" 'BEGIN {
	printf "sizes: plain CSV %.0f MB, gzipped by (e) %.0f MB (%.1fx smaller); (g) %.0f MB\n",
		p / 1e6, z / 1e6, p / z, g / 1e6 }'
rss_e=$(rss_kb sh -c "echo /report usage-events | $BIN -c $tmp/config0.toml console")
rss_f=$(rss_kb sh -c "rm -f $tmp/var-1/usage-events*; echo /report usage-events | $BIN -c $tmp/config-1.toml console")
awk -v e="$rss_e" -v f="$rss_f" 'BEGIN {
	printf "peak RSS of the console export: %.1f MB gzipped, %.1f MB plain (target: flat, < 32 MB)\n",
		e / 1024, f / 1024 }'
