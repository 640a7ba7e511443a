#!/bin/sh
# reportbot itself against the throwaway PostgreSQL (tests/postgres/run.sh
# starts it and exports REPORTBOT_PG_ENV): a report's CSV is byte for byte
# what `psql --csv` prints for the same query (every type, unicode, 1M rows;
# CRLF line ends aside), values are bound (quotes, semicolons, comments),
# the session refuses writes, a timeout and a Ctrl-C stop the query on the
# server (pg_stat_activity), check prepares every command and catches a
# misspelt column, and each failure exits 2 with plain words and no password.
. "$(dirname "$0")/../integration/lib.sh"
cd "$ROOT"
[ -n "${REPORTBOT_PG_ENV:-}" ] && [ -f "$REPORTBOT_PG_ENV" ] || {
	echo "test-cli: REPORTBOT_PG_ENV does not name a server env file; run tests/postgres/run.sh" >&2
	exit 1
}
. "$REPORTBOT_PG_ENV"
[ -x "$REPORTBOT" ] || { echo "test-cli: no $REPORTBOT; build it first" >&2; exit 1; }

# psql as the report user over TCP, as a person would; admin over the socket.
export PGPASSWORD="$PG_PASSWORD" PGSSLMODE=disable
userq() { psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" "$@"; }
admin() { psql -X -q -At -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_ADMIN_USER" -d "$PG_DATABASE" -c "$1"; }

mkdir -p "$TMP/cmds"
cat >"$TMP/cmds/types.sql" <<'EOS'
-- summary: Every type, NULLs and edges
SELECT * FROM types ORDER BY id
EOS
cat >"$TMP/cmds/names.sql" <<'EOS'
-- summary: Unicode names
SELECT id, name, note FROM unicode ORDER BY id
EOS
cat >"$TMP/cmds/big.sql" <<'EOS'
-- summary: A million rows
-- timeout: 120
SELECT id, label, amount, at FROM big ORDER BY id
EOS
cat >"$TMP/cmds/by-customer.sql" <<'EOS'
-- summary: Events of one customer
-- param: customer string   Customer name
SELECT id, customer, day, kind, amount FROM events WHERE customer = :customer ORDER BY id
EOS
cat >"$TMP/cmds/by-customers.sql" <<'EOS'
-- summary: Event counts of several customers
-- param: customers list   Customer names, comma-separated
SELECT customer, count(*) AS events FROM events WHERE customer IN (:customers)
GROUP BY customer ORDER BY customer
EOS
cat >"$TMP/cmds/echo.sql" <<'EOS'
-- summary: A value back, typed by the server from where it stands
-- param: v string   Any text
-- param: n int   A number
SELECT :v AS v, length(:v) AS len, :n + 1 AS next, '?' AS literal_question -- a ? in a comment
EOS
cat >"$TMP/cmds/write.sql" <<'EOS'
-- summary: Tries to write
INSERT INTO scratch VALUES (1, 'written') RETURNING id
EOS
cat >"$TMP/cmds/write-cte.sql" <<'EOS'
-- summary: Tries to write inside a SELECT, after turning read-only off
WITH off AS (SELECT set_config('default_transaction_read_only', 'off', false))
, gone AS (DELETE FROM scratch RETURNING id)
SELECT (SELECT count(*) FROM off) AS o, (SELECT count(*) FROM gone) AS g
EOS
cat >"$TMP/cmds/slow.sql" <<'EOS'
-- summary: Far too slow
-- timeout: 1
SELECT count(*) AS n FROM big a, big b
EOS
cat >"$TMP/cmds/sleepy.sql" <<'EOS'
-- summary: Sleeps on the server until stopped
-- timeout: 60
SELECT pg_sleep(30) AS slept
EOS
cat >"$TMP/config.toml" <<EOC
[bot]
commands_dir = "$TMP/cmds"
data_dir = "$TMP/var"
default_source = "main"
[output]
bom = false
[sources.main]
driver = "postgres"
host = "$PG_HOST"
port = $PG_PORT
user = "$PG_USER"
password_env = "RB_TEST_DB_PASSWORD"
database = "$PG_DATABASE"
sslmode = "disable"
EOC
export RB_TEST_DB_PASSWORD="$PG_PASSWORD"

run_rb() {
	want=$1; what=$2; shift 2
	"$@" >"$TMP/out" 2>&1
	check_eq "$what exits $want" "$want" "$?"
}
no_password() {
	if grep -qF -- "$PG_PASSWORD" "$TMP/out" || grep -qF -- "$2" "$TMP/out"; then
		not_ok "$1: a password is in the output"
	else
		ok "$1: no password in the output"
	fi
}
# same_as_psql WHAT CSV QUERY: CSV equals psql --csv's output for QUERY,
# byte for byte once each line's final CR is dropped (ours ends lines with
# CRLF, psql with LF; a CR inside a quoted field is kept on both sides).
same_as_psql() {
	userq --csv -c "$3" | sed 's/\r$//' >"$TMP/want.csv"
	sed 's/\r$//' "$2" >"$TMP/got.csv"
	check_files_eq "$1" "$TMP/want.csv" "$TMP/got.csv"
}

# Every type: booleans, integers, exact numerics, floats, text, dates,
# times, timestamps, intervals, uuid, json, jsonb, bytea, arrays, network
# types, geometry, bits, enums, ranges, money, xml, NULLs.
run_rb 0 "run types" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/types.csv" types
same_as_psql "every type as psql --csv prints it" "$TMP/types.csv" "SELECT * FROM types ORDER BY id"
check_contains "bytea as \\x hex" "$TMP/types.csv" '\x00ff0d0a2c22'
check_contains "numeric exact" "$TMP/types.csv" '123456789012345678901234567890.123456789012345678901234567890'
check_contains "interval in the server's style" "$TMP/types.csv" '1 year 2 mons 3 days 04:05:06.7'

run_rb 0 "run names" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/names.csv" names
same_as_psql "unicode as psql --csv prints it" "$TMP/names.csv" "SELECT id, name, note FROM unicode ORDER BY id"
check_contains "emoji and doubled quotes" "$TMP/names.csv" '2,😀🎉👨‍👩‍👧‍👦,"emoji in a ""quoted"" field"'

# A million rows, streamed: same bytes as psql, flat memory.
# (ASan's quarantine keeps freed blocks, one per row here: off for this run.)
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=0" \
	/usr/bin/time -f %M -o "$TMP/rss" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/big.csv" big >"$TMP/out" 2>&1
check_eq "run big exits 0" 0 $?
same_as_psql "1M rows as psql --csv prints them" "$TMP/big.csv" "SELECT id, label, amount, at FROM big ORDER BY id"
rss=$(cat "$TMP/rss")
echo "# peak RSS for 1M rows: $rss KB"
check_eq "1M rows in under 64 MB of peak RSS (sanitizers included; release build: bench/postgres)" yes \
	"$([ "$rss" -lt 65536 ] && echo yes || echo "no: $rss KB")"

# Bound values: quotes, semicolons, comments and placeholders stay values.
run_rb 0 "run with a quote in the value" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/evil.csv" \
	by-customer "x' OR '1'='1"
check_eq "the literal customer's rows only" \
	"$(userq -At -c "SELECT count(*) + 1 FROM events WHERE customer = 'x'' OR ''1''=''1'")" \
	"$(wc -l <"$TMP/evil.csv" | tr -d ' ')"
run_rb 0 "run with SQL in the value" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/evil2.csv" \
	by-customer "acme'; DROP TABLE events; --"
check_eq "CRLF line ends" "$(wc -l <"$TMP/evil.csv")" "$(grep -c "$(printf '\r')\$" "$TMP/evil.csv")"
check_eq "no rows for it" "1" "$(wc -l <"$TMP/evil2.csv" | tr -d ' ')"
check_eq "events is still there" "2000" "$(admin "SELECT count(*) FROM events")"
nasty="it's; /* not a comment */ -- nor this ? \$1 :x \"q\""
run_rb 0 "run echo with a nasty value" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/echo.csv" echo "$nasty" 41
check_eq "the value comes back whole" \
	"$(printf 'v,len,next,literal_question\r\n"it'"'"'s; /* not a comment */ -- nor this ? $1 :x ""q""",%s,42,?\r\n' \
		"$(printf '%s' "$nasty" | wc -m | tr -d ' ')")" "$(cat "$TMP/echo.csv")"
run_rb 0 "run by-customers" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/list.csv" by-customers "acme,globex,nobody"
check_eq "list rows" "$(printf 'customer,events\r\nacme,400\r\nglobex,400\r\n')" "$(cat "$TMP/list.csv")"

# The session is read-only, whatever the statement tries; the report user
# could write to scratch otherwise.
admin "INSERT INTO scratch VALUES (7, 'keep')" >/dev/null
run_rb 2 "run an INSERT" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/x.csv" write
check_contains "the write is refused in words" "$TMP/out" "read-only; a report cannot change data"
run_rb 2 "run a DELETE inside a SELECT" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/x.csv" write-cte
check_contains "that write is refused too" "$TMP/out" "read-only"
check_eq "scratch untouched" "7 keep" "$(admin "SELECT id || ' ' || note FROM scratch")"
userq -c "INSERT INTO scratch VALUES (8, 'grant check')" >/dev/null 2>&1 &&
	admin "DELETE FROM scratch WHERE id = 8" >/dev/null
check_eq "(the report user may write there outside reportbot)" 0 $?

# active_queries: queries of the report user running now, besides ours.
active_queries() {
	admin "SELECT count(*) FROM pg_stat_activity WHERE usename = '$PG_USER' AND state = 'active' AND $1"
}
# await_zero WHAT COND: pg_stat_activity shows no such query within 5 s.
await_zero() {
	n=1
	for _ in $(seq 50); do
		n=$(active_queries "$2")
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	check_eq "$1" 0 "$n"
}

# The timeout: exit 2, says so, nothing left running on the server.
start=$(date +%s)
run_rb 2 "run past its timeout" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/slow.csv" slow
check_contains "the timeout is explained" "$TMP/out" "longer than its timeout of 1 s"
check_eq "stopped within seconds" "yes" "$([ $(( $(date +%s) - start )) -le 5 ] && echo yes || echo no)"
await_zero "no query left in pg_stat_activity after the timeout" "query LIKE '%FROM big a, big b%'"

# Ctrl-C on run: the cancel request stops pg_sleep on the server (its
# statement_timeout is 60 s, so only the cancel can stop it this soon).
"$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/sleepy.csv" sleepy >"$TMP/out" 2>&1 &
pid=$!
n=0
for _ in $(seq 100); do
	n=$(active_queries "query LIKE 'SELECT pg_sleep(30)%'")
	[ "$n" = 1 ] && break
	sleep 0.1
done
check_eq "the sleeping query is running" 1 "$n"
kill -INT $pid
wait $pid
check_eq "Ctrl-C exits 2" 2 $?
await_zero "pg_sleep gone from pg_stat_activity after Ctrl-C" "query LIKE 'SELECT pg_sleep(30)%'"

# cancel from the console: the person is told, history says cancelled.
sed "s|data_dir = .*|data_dir = \"$TMP/var-cancel\"|" "$TMP/config.toml" >"$TMP/cancel.toml"
printf '/report sleepy &\n/report cancel 1\n' | "$REPORTBOT" -c "$TMP/cancel.toml" console >"$TMP/out" 2>&1
check_contains "cancel is acknowledged" "$TMP/out" "Cancelling run 1"
"$REPORTBOT" -c "$TMP/cancel.toml" history >"$TMP/hist" 2>&1
check_contains "history says cancelled" "$TMP/hist" "cancelled"
await_zero "no pg_sleep left after cancel" "query LIKE 'SELECT pg_sleep(30)%'"

# check prepares each command on the server: a misspelt column is caught
# with the file and the column named.
run_rb 0 "check on good commands" "$REPORTBOT" -c "$TMP/config.toml" check
cat >"$TMP/cmds/typo.sql" <<'EOS'
-- summary: A typo
-- param: customer string   Customer name
SELECT id, custmer FROM events WHERE customer = :customer
EOS
run_rb 1 "check with a misspelt column" "$REPORTBOT" -c "$TMP/config.toml" check
check_contains "check names the file" "$TMP/out" "typo.sql"
check_contains "check names the column" "$TMP/out" 'column "custmer" does not exist'
rm "$TMP/cmds/typo.sql"
cat >"$TMP/cmds/syntax.sql" <<'EOS'
-- summary: A syntax error on the second line
SELECT id
FORM events
EOS
run_rb 1 "check with a syntax error" "$REPORTBOT" -c "$TMP/config.toml" check
check_contains "the line of the statement is named" "$TMP/out" "syntax error at line 2 of the statement"
rm "$TMP/cmds/syntax.sql"

cat >"$TMP/cmds/untyped.sql" <<'EOS'
-- summary: A parameter the server cannot type
-- param: v string   Any text
SELECT 1 AS one WHERE :v IS NOT NULL
EOS
run_rb 1 "check with an untyped parameter" "$REPORTBOT" -c "$TMP/config.toml" check
check_contains "the cast to write is suggested" "$TMP/out" "give it one with a cast, e.g. :name::text"
rm "$TMP/cmds/untyped.sql"

# TLS: verify-full against the test CA works; against another CA it is
# refused in words.
if [ -n "${PG_TLS_CA:-}" ]; then
	sed "s|^sslmode = .*|sslmode = \"verify-full\"\nsslrootcert = \"$PG_TLS_CA\"|" "$TMP/config.toml" >"$TMP/tls.toml"
	run_rb 0 "run over TLS, server verified" "$REPORTBOT" -c "$TMP/tls.toml" run -o "$TMP/tls.csv" by-customers acme
	check_eq "the rows over TLS" "$(printf 'customer,events\r\nacme,400\r\n')" "$(cat "$TMP/tls.csv")"
	sed "s|^sslmode = .*|sslmode = \"verify-full\"\nsslrootcert = \"$PG_TLS_OTHER_CA\"|" "$TMP/config.toml" >"$TMP/tls-bad.toml"
	run_rb 2 "run over TLS with the wrong CA" "$REPORTBOT" -c "$TMP/tls-bad.toml" run -o "$TMP/x.csv" by-customers acme
	check_contains "the certificate failure is explained" "$TMP/out" "certificate verify failed"
else
	echo "# no TLS on the test server (openssl missing): TLS checks skipped"
fi

# Wrong password: exit 2, words naming the source, no password anywhere.
RB_TEST_DB_PASSWORD="wrong-pw-$$" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/x.csv" by-customer acme >"$TMP/out" 2>&1
check_eq "wrong password exits 2" 2 $?
check_contains "wrong password is explained" "$TMP/out" "access denied for user '$PG_USER' at $PG_HOST:$PG_PORT"
check_contains "the source is named" "$TMP/out" "main"
no_password "wrong password" "wrong-pw-$$"

# Server down (nothing listens on port 9).
sed "s/^port = .*/port = 9/" "$TMP/config.toml" >"$TMP/down.toml"
run_rb 2 "run with the server down" "$REPORTBOT" -c "$TMP/down.toml" run -o "$TMP/x.csv" by-customer acme
check_contains "server down is explained" "$TMP/out" "cannot connect to the server at 127.0.0.1:9"
no_password "server down" "$PG_PASSWORD"

# Unknown database.
sed "s/^database = .*/database = \"no_such_db\"/" "$TMP/config.toml" >"$TMP/nodb.toml"
run_rb 2 "run on an unknown database" "$REPORTBOT" -c "$TMP/nodb.toml" run -o "$TMP/x.csv" by-customer acme
check_contains "unknown database is explained" "$TMP/out" "unknown database 'no_such_db'"
no_password "unknown database" "$PG_PASSWORD"

# A bad sslmode is a config fault with what is accepted.
sed "s/^sslmode = .*/sslmode = \"sometimes\"/" "$TMP/config.toml" >"$TMP/ssl.toml"
run_rb 1 "check with a bad sslmode" "$REPORTBOT" -c "$TMP/ssl.toml" check
check_contains "sslmode fault lists the modes" "$TMP/out" "accepted: disable, allow, prefer, require, verify-ca, verify-full"

finish
