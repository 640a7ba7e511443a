#!/bin/sh
# reportbot itself against the throwaway MariaDB (tests/mysql/run.sh starts
# it and exports REPORTBOT_MYSQL_ENV): run -o FILE gives RFC 4180 CSV with
# unicode intact, values are bound (injection, lists), check prepares every
# command and catches a misspelt column, and each failure (wrong password,
# server down, timeout) exits 2 with plain words and no password.
. "$(dirname "$0")/../integration/lib.sh"
cd "$ROOT"
[ -n "${REPORTBOT_MYSQL_ENV:-}" ] && [ -f "$REPORTBOT_MYSQL_ENV" ] || {
	echo "test-cli: REPORTBOT_MYSQL_ENV does not name a server env file; run tests/mysql/run.sh" >&2
	exit 1
}
. "$REPORTBOT_MYSQL_ENV"
[ -x "$REPORTBOT" ] || { echo "test-cli: no $REPORTBOT; build it first" >&2; exit 1; }

client() {
	MYSQL_PWD=$MYSQL_ADMIN_PASSWORD mariadb --no-defaults --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" \
		-u "$MYSQL_ADMIN_USER" -D "$MYSQL_DATABASE" --batch --raw -N -e "$1"
}

mkdir -p "$TMP/cmds"
cat >"$TMP/cmds/by-customer.sql" <<'EOS'
-- summary: Events of one customer
-- param: customer string   Customer name
SELECT id, customer, day, kind, amount FROM events WHERE customer = :customer ORDER BY id
EOS
cat >"$TMP/cmds/by-customers.sql" <<'EOS'
-- summary: Event counts of several customers
-- param: customers list   Customer names, comma-separated
SELECT customer, COUNT(*) AS events FROM events WHERE customer IN (:customers)
GROUP BY customer ORDER BY customer
EOS
cat >"$TMP/cmds/names.sql" <<'EOS'
-- summary: Unicode names
SELECT id, name, note FROM unicode ORDER BY id
EOS
cat >"$TMP/cmds/slow.sql" <<'EOS'
-- summary: Far too slow
-- timeout: 1
SELECT SUM(a.seq * b.seq) AS total FROM seq_1_to_100000 a, seq_1_to_100000 b
EOS
cat >"$TMP/cmds/sleepy.sql" <<'EOS'
-- summary: Sleeps on the server until cancelled
-- timeout: 60
SELECT SLEEP(30) AS slept
EOS
cat >"$TMP/config.toml" <<EOC
[bot]
commands_dir = "$TMP/cmds"
data_dir = "$TMP/var"
default_source = "main"
[sources.main]
driver = "mysql"
host = "$MYSQL_HOST"
port = $MYSQL_PORT
user = "$MYSQL_USER"
password_env = "RB_TEST_DB_PASSWORD"
database = "$MYSQL_DATABASE"
EOC
export RB_TEST_DB_PASSWORD="$MYSQL_PASSWORD"
# The cancel test gets its own history so its run is number 1.
sed "s|data_dir = .*|data_dir = \"$TMP/var-cancel\"|" "$TMP/config.toml" >"$TMP/cancel.toml"

run_rb() {
	want=$1; what=$2; shift 2
	"$@" >"$TMP/out" 2>&1
	check_eq "$what exits $want" "$want" "$?"
}
no_password() {
	if grep -qF -- "$MYSQL_PASSWORD" "$TMP/out" || grep -qF -- "$2" "$TMP/out"; then
		not_ok "$1: a password is in the output"
	else
		ok "$1: no password in the output"
	fi
}

# A report to a file: the UTF-8 BOM a default config puts first (for
# Excel), header, CRLF, the customer's rows only.
bom=$(printf '\357\273\277')
run_rb 0 "run by-customer acme" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/acme.csv" by-customer acme
check_eq "BOM and header row" "${bom}id,customer,day,kind,amount" "$(head -1 "$TMP/acme.csv" | tr -d '\r')"
check_eq "CRLF line ends" "$(wc -l <"$TMP/acme.csv")" "$(grep -c "$(printf '\r')\$" "$TMP/acme.csv")"
check_eq "row count as the server counts" "$(client "SELECT COUNT(*) + 1 FROM events WHERE customer = 'acme'")" \
	"$(wc -l <"$TMP/acme.csv" | tr -d ' ')"
client "SELECT id, customer, day, IFNULL(kind, ''), IFNULL(amount, '') FROM events WHERE customer = 'acme' ORDER BY id" |
	tr '\t' ',' | sed 's/$/\r/' >"$TMP/acme.want"
tail -n +2 "$TMP/acme.csv" >"$TMP/acme.got"
check_files_eq "same values as the mariadb client, NULL empty" "$TMP/acme.want" "$TMP/acme.got"

# Injection-looking input is just a value: it matches the one customer
# whose name really is that string, not every row.
run_rb 0 "run with a quote in the value" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/evil.csv" \
	by-customer "x' OR '1'='1"
check_eq "the literal customer's rows only" "401" "$(wc -l <"$TMP/evil.csv" | tr -d ' ')"
run_rb 0 "run with SQL in the value" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/evil2.csv" \
	by-customer "acme'; DROP TABLE events; --"
check_eq "no rows for it" "1" "$(wc -l <"$TMP/evil2.csv" | tr -d ' ')"
check_eq "events is still there" "2000" "$(client "SELECT COUNT(*) FROM events")"

# A list param: one bound value per item.
run_rb 0 "run by-customers" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/list.csv" by-customers "acme,globex,nobody"
check_eq "list rows" "$(printf '%scustomer,events\r\nacme,400\r\nglobex,400\r\n' "$bom")" "$(cat "$TMP/list.csv")"

# Unicode, and RFC 4180 quoting of commas and quotes.
run_rb 0 "run names" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/names.csv" names
check_contains "Japanese intact" "$TMP/names.csv" "1,株式会社テスト,"
check_contains "a comma is quoted" "$TMP/names.csv" '"日本語のテキスト、カンマ,あり"'
check_contains "emoji and doubled quotes" "$TMP/names.csv" '2,😀🎉👨‍👩‍👧‍👦,"emoji in a ""quoted"" field"'
check_contains "four-byte kanji" "$TMP/names.csv" "4,𠮷野家,four-byte kanji 𠮷"

# The timeout: exit 2, says so, and nothing is left running on the server.
start=$(date +%s)
run_rb 2 "run past its timeout" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/slow.csv" slow
check_contains "the timeout is explained" "$TMP/out" "timeout"
check_eq "stopped within seconds" "yes" "$([ $(( $(date +%s) - start )) -le 5 ] && echo yes || echo no)"
left=1
for i in 1 2 3 4 5 6 7 8 9 10; do
	left=$(client "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '$MYSQL_USER' AND COMMAND NOT IN ('Sleep', 'Daemon')")
	[ "$left" = 0 ] && break
	sleep 0.2
done
check_eq "no query left in the processlist" "0" "$left"

# check prepares each command against the server: a misspelt column is
# caught with the file named.
run_rb 0 "check on good commands" "$REPORTBOT" -c "$TMP/config.toml" check
cat >"$TMP/cmds/typo.sql" <<'EOS'
-- summary: A typo
-- param: customer string   Customer name
SELECT id, custmer FROM events WHERE customer = :customer
EOS
run_rb 1 "check with a misspelt column" "$REPORTBOT" -c "$TMP/config.toml" check
check_contains "check names the file" "$TMP/out" "typo.sql"
check_contains "check names the column" "$TMP/out" "custmer"
rm "$TMP/cmds/typo.sql"

# Wrong password: exit 2, words naming the source, no password anywhere.
RB_TEST_DB_PASSWORD="wrong-pw-$$" "$REPORTBOT" -c "$TMP/config.toml" run -o "$TMP/x.csv" by-customer acme >"$TMP/out" 2>&1
check_eq "wrong password exits 2" 2 $?
check_contains "wrong password is explained" "$TMP/out" "access denied for user '$MYSQL_USER'"
check_contains "the source is named" "$TMP/out" "main"
no_password "wrong password" "wrong-pw-$$"

# Server down (nothing listens on port 9).
sed "s/^port = .*/port = 9/" "$TMP/config.toml" >"$TMP/down.toml"
run_rb 2 "run with the server down" "$REPORTBOT" -c "$TMP/down.toml" run -o "$TMP/x.csv" by-customer acme
check_contains "server down is explained" "$TMP/out" "cannot connect to the server at 127.0.0.1:9"
no_password "server down" "$MYSQL_ADMIN_PASSWORD"

# Unknown database, as a user who could see it if it existed.
sed -e "s/^database = .*/database = \"no_such_db\"/" -e "s/^user = .*/user = \"$MYSQL_ADMIN_USER\"/" \
	"$TMP/config.toml" >"$TMP/nodb.toml"
RB_TEST_DB_PASSWORD="$MYSQL_ADMIN_PASSWORD" "$REPORTBOT" -c "$TMP/nodb.toml" run -o "$TMP/x.csv" by-customer acme >"$TMP/out" 2>&1
check_eq "unknown database exits 2" 2 $?
check_contains "unknown database is explained" "$TMP/out" "unknown database 'no_such_db'"
no_password "unknown database" "$MYSQL_ADMIN_PASSWORD"

# Cancel from the console: the running query stops on the server, the
# person is told, history says cancelled. "&" queues the line without
# waiting, as documented for console.
before=$(client "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(30)%'")
printf '/report sleepy &\n/report cancel 1\n' | "$REPORTBOT" -c "$TMP/cancel.toml" console >"$TMP/out" 2>&1
check_contains "cancel is acknowledged" "$TMP/out" "Cancelling run 1"
check_contains "the person hears the run was cancelled" "$TMP/out" "cancelled"
"$REPORTBOT" -c "$TMP/cancel.toml" history >"$TMP/hist" 2>&1
check_contains "history says cancelled" "$TMP/hist" "cancelled"
after=$(client "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(30)%'")
check_eq "no SLEEP left on the server after cancel" "$before" "$after"

finish
