#!/bin/sh
# `reportbot run` on the demo database gives, row for row and field for
# field, what the sqlite3 shell returns for the same query with the same
# bound values. (The bytes differ by design: the shell quotes more fields
# than RFC 4180 needs and ends lines with LF; docs/design.md (5.6) asks for CRLF and
# minimal quoting. So both files are parsed and compared as rows.)
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
./demo/make-db.sh

cfg=$TMP/config.toml
demo_config "$cfg"

# sqlite_csv FILE.sql PARAM=VALUE... : the shell's CSV for the command's SQL
sqlite_csv() {
	sql=$1; shift
	{
		echo ".headers on"
		echo ".mode csv"
		for p in "$@"; do
			# The shell strips one level of quotes, the SQL literal needs one.
			echo ".parameter set :${p%%=*} \"'${p#*=}'\""
		done
		sed '/^--/d' "$sql"
		echo ";"
	} | sqlite3 "$ROOT/demo/demo.db"
}

# compare NAME "ARGS" PARAMS...
compare() {
	name=$1; args=$2; shift 2
	# shellcheck disable=SC2086
	if ! "$REPORTBOT" -c "$cfg" run -o "$TMP/got.csv" $name $args 2>"$TMP/err"; then
		not_ok "run $name $args failed: $(cat "$TMP/err")"
		return
	fi
	sqlite_csv "commands/$name.sql" "$@" > "$TMP/want.csv"
	rows=$(($(wc -l < "$TMP/want.csv") - 1))
	if [ "$rows" -lt 1 ]; then
		not_ok "$name $args: sqlite3 returned no rows, the comparison would prove nothing"
		return
	fi
	check_rows_eq "run $name $args equals sqlite3 -csv ($rows rows)" "$TMP/want.csv" "$TMP/got.csv"
}

# check_rows_eq WHAT SQLITE_CSV REPORTBOT_CSV: same rows once parsed, and
# the reportbot file is strict RFC 4180 (CRLF after every record) with the
# UTF-8 BOM a default config puts first (for Excel), once.
check_rows_eq() {
	if /usr/bin/python3 - "$2" "$3" > "$TMP/cmp" 2>&1 <<'EOP'
import csv, sys
def rows(path, encoding='utf-8'):
    with open(path, newline='', encoding=encoding) as f:
        return list(csv.reader(f))
raw = open(sys.argv[2], 'rb').read()
if not raw.startswith(b'\xef\xbb\xbf') or raw.startswith(b'\xef\xbb\xbf' * 2):
    sys.exit('reportbot output does not start with one UTF-8 BOM')
want, got = rows(sys.argv[1]), rows(sys.argv[2], 'utf-8-sig')
if raw and (not raw.endswith(b'\r\n')):
    sys.exit('reportbot output does not end with CRLF')
if want != got:
    for i, (a, b) in enumerate(zip(want, got)):
        if a != b:
            sys.exit(f'row {i}: sqlite3 {a!r} != reportbot {b!r}')
    sys.exit(f'row count: sqlite3 {len(want)} != reportbot {len(got)}')
EOP
	then ok "$1"; else not_ok "$1: $(cat "$TMP/cmp")"; fi
}

month=$(date +%Y-%m)
compare monthly "acme $month" customer=acme month_start="$month-01" month_end="$(date -d "$month-01 +1 month" +%Y-%m-01)"
compare usage-all "$month" month_start="$month-01" month_end="$(date -d "$month-01 +1 month" +%Y-%m-01)"
from=$(date -d '-100 days' +%F)
to=$(date -d '-3 days' +%F)
compare north-star "$from $to" from="$from" to="$to"

# A raw query over every event row: 1M rows, every column type, NULLs.
mkdir -p "$TMP/cmds"
cat > "$TMP/cmds/all-events.sql" <<'EOS'
-- summary: every event
SELECT * FROM events ORDER BY id
EOS
demo_config "$TMP/config2.toml" "$TMP/cmds"
"$REPORTBOT" -c "$TMP/config2.toml" run -o "$TMP/all.csv" all-events
sqlite3 -csv -header "$ROOT/demo/demo.db" "SELECT * FROM events ORDER BY id" > "$TMP/all-want.csv"
check_rows_eq "1M-row export equals sqlite3 -csv" "$TMP/all-want.csv" "$TMP/all.csv"

# Values are bound, never pasted: an injection-looking value is just text.
out=$("$REPORTBOT" -c "$cfg" run monthly "' OR 1=1 --" "$month" 2>&1)
check_eq "injection-looking customer gives only the header" \
	"$(printf '\357\273\277')day,events,active_users,exports,billable_units" "$(printf '%s' "$out" | tr -d '\r')"

finish
