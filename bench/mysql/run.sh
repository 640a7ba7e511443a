#!/bin/sh
# Benchmark: exporting 5M rows of usage events from MariaDB to a file.
#   (a) reportbot run -o FILE               (this project)
#   (b) mariadb --batch --quick > FILE      (the native client, TSV)
#   (c) SELECT ... INTO OUTFILE (CSV)       (the server writing its own file)
#   (d) pandas read_sql + to_csv            (the usual script)
# Each is run RUNS times (pandas PANDAS_RUNS times), alternating; medians and
# ratios to (a) are printed, then peak RSS of (a) at 50k and 5M rows.
#   RUNS=5 PANDAS_RUNS=2 bench/mysql/run.sh
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
run_d() {
	"$PY" bench/mysql/pandas_export.py "$MYSQL_HOST" "$MYSQL_PORT" "$MYSQL_USER" "$MYSQL_DATABASE" \
		"$tmp/d.csv" "$query"
}

# Warm the buffer pool once so every contender reads from memory.
secs run_b >/dev/null
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

row() { # name secs target
	awk -v n="$1" -v t="$2" -v a="$a" -v g="$3" \
		'BEGIN { printf "%-36s %8.2f s %8.2fx   %s\n", n, t, (a > 0 ? t / a : 0), g }'
}
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
