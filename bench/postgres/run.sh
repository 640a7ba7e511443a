#!/bin/sh
# Benchmark: exporting 5M rows of usage events from PostgreSQL to a file.
#   (a) reportbot run -o FILE                       (this project)
#   (b) psql --csv -c QUERY > FILE                  (the native client)
#   (c) psql -c "COPY (QUERY) TO STDOUT WITH CSV"   (the server writing CSV)
# Each is run RUNS times, alternating; medians and ratios to (a) are
# printed, then peak RSS of each at 50k and 5M rows.
#   RUNS=5 bench/postgres/run.sh
# Needs Debian postgresql (server and psql) and GNU time. The server is a
# throwaway one (tests/postgres/server.sh) on its own port.
set -eu
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
ROWS=${ROWS:-5000000}
BIN=${REPORTBOT:-./reportbot}

[ -x "$BIN" ] || { echo "bench: build $BIN first (make reportbot)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/rbpgbench.XXXXXX)
srv=$(mktemp -u /tmp/rbpgsrv.XXXXXX)   # outside $tmp: the server's user must reach it
cleanup() {
	tests/postgres/server.sh stop "$srv" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PG_SHARED_BUFFERS=1GB tests/postgres/server.sh start "$srv" >/dev/null
. "$srv/env"
t0=$(date +%s.%N)
sed "s/5000000/$ROWS/" bench/postgres/load.sql |
	psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_ADMIN_USER" -d "$PG_DATABASE" >/dev/null
psql -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_ADMIN_USER" -d "$PG_DATABASE" \
	-c "GRANT SELECT ON usage_events TO $PG_USER" >/dev/null
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
cat >"$tmp/cmds/usage-small.sql" <<EOS
-- summary: the first 50k usage events
SELECT $cols FROM usage_events ORDER BY id LIMIT 50000
EOS
cat >"$tmp/config.toml" <<EOC
[bot]
commands_dir = "$tmp/cmds"
data_dir = "$tmp/var"
default_source = "main"
[output]
bom = false
[sources.main]
driver = "postgres"
host = "$PG_HOST"
port = $PG_PORT
user = "$PG_USER"
password_env = "BENCH_DB_PASSWORD"
database = "$PG_DATABASE"
sslmode = "disable"
EOC
export BENCH_DB_PASSWORD="$PG_PASSWORD"
export PGPASSWORD="$PG_PASSWORD" PGSSLMODE=disable

secs() {
	s0=$(date +%s.%N)
	"$@" >/dev/null 2>"$tmp/err" || { echo "bench: $1 failed:" >&2; cat "$tmp/err" >&2; exit 1; }
	s1=$(date +%s.%N)
	echo "$s1 - $s0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]}'; }
# rss_kb FUNC: peak RSS in KiB of FUNC's one process (GNU time %M).
rss_kb() { /usr/bin/time -f %M -o "$tmp/m" "$@" >/dev/null 2>&1; cat "$tmp/m"; }

psql_() { psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" "$@"; }
run_a() { "$BIN" -c "$tmp/config.toml" run -o "$tmp/a.csv" "${1:-usage-events}"; }
run_b() { psql_ --csv -c "${1:-$query}" >"$tmp/b.csv"; }
run_c() { psql_ -c "COPY (${1:-$query}) TO STDOUT WITH CSV HEADER" >"$tmp/c.csv"; }

# Warm the cache once so every contender reads from memory.
secs run_c >/dev/null
echo "bench: $ROWS rows x 9 columns, $RUNS runs each, alternating"
: >"$tmp/a"; : >"$tmp/b"; : >"$tmp/c"
for i in $(seq "$RUNS"); do
	secs run_a >>"$tmp/a"
	secs run_b >>"$tmp/b"
	secs run_c >>"$tmp/c"
done
a=$(median <"$tmp/a"); b=$(median <"$tmp/b"); c=$(median <"$tmp/c")

# Same rows: reportbot's CSV (CRLF) against psql's (LF), line for line.
if tr -d '\r' <"$tmp/a.csv" | cmp -s - "$tmp/b.csv"; then same=yes; else same=NO; fi
echo "lines written: a=$(wc -l <"$tmp/a.csv") b=$(wc -l <"$tmp/b.csv") c=$(wc -l <"$tmp/c.csv"); (a) equals psql --csv but for CRLF: $same"
echo "all times: a=[$(tr '\n' ' ' <"$tmp/a")] b=[$(tr '\n' ' ' <"$tmp/b")] c=[$(tr '\n' ' ' <"$tmp/c")]"

row() { # name secs target
	awk -v n="$1" -v t="$2" -v a="$a" -v g="$3" \
		'BEGIN { printf "%-44s %8.2f s %8.2fx   %s\n", n, t, (a > 0 ? t / a : 0), g }'
}
printf '%-44s %10s %9s   %s\n' "method" "median" "vs (a)" "target"
row "(a) reportbot run -o FILE" "$a" ""
row "(b) psql --csv -c QUERY > FILE" "$b" "(a) no slower: >= 1.00x"
row "(c) COPY (QUERY) TO STDOUT WITH CSV" "$c" "(a) within 1.3x: >= 0.77x"

small="SELECT $cols FROM usage_events ORDER BY id LIMIT 50000"
ra_s=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/a.csv" usage-small)
ra_b=$(rss_kb "$BIN" -c "$tmp/config.toml" run -o "$tmp/a.csv" usage-events)
psql_cmd="psql -X -q -h $PG_HOST -p $PG_PORT -U $PG_USER -d $PG_DATABASE"
# shellcheck disable=SC2086
rb_s=$(rss_kb $psql_cmd --csv -c "$small"); rb_b=$(rss_kb $psql_cmd --csv -c "$query")
# shellcheck disable=SC2086
rc_s=$(rss_kb $psql_cmd -c "COPY ($small) TO STDOUT WITH CSV HEADER")
# shellcheck disable=SC2086
rc_b=$(rss_kb $psql_cmd -c "COPY ($query) TO STDOUT WITH CSV HEADER")
awk -v s="$ra_s" -v b="$ra_b" -v n="$ROWS" 'BEGIN {
	printf "peak RSS of (a): %.1f MB at 50k rows, %.1f MB at %d rows (%.2fx; targets < 32 MB, <= 1.2x)\n",
		s / 1024, b / 1024, n, b / s }'
awk -v s="$rb_s" -v b="$rb_b" -v t="$rc_s" -v u="$rc_b" 'BEGIN {
	printf "peak RSS of (b) psql --csv: %.1f MB / %.1f MB; of (c) COPY: %.1f MB / %.1f MB\n",
		s / 1024, b / 1024, t / 1024, u / 1024 }'
