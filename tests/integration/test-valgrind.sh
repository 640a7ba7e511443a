#!/bin/sh
# The release build under valgrind: run, console (with a mistake and a
# cancel), check and history show no memory error and no definite leak.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
./demo/make-db.sh
demo_config "$TMP/config.toml"
export VALGRIND_LOG_DIR="$TMP/vg"
mkdir -p "$VALGRIND_LOG_DIR"
VG=tests/valgrind-bot.sh

"$VG" -c "$TMP/config.toml" run -o "$TMP/m.csv" monthly acme > /dev/null 2>&1
check_eq "run under valgrind exits 0" 0 $?
printf '/report help\n/report monthly acme\n/report customers acme,globex\n/report monthly x 2024-13\n/report cancel 77\n/report history\n/report schedules\n' |
	"$VG" -c "$TMP/config.toml" console > /dev/null 2>&1
check_eq "console under valgrind exits 1 (one mistake)" 1 $?
"$VG" -c "$TMP/config.toml" check > /dev/null 2>&1
check_eq "check under valgrind exits 0" 0 $?
"$VG" -c "$TMP/config.toml" history > /dev/null 2>&1
check_eq "history under valgrind exits 0" 0 $?

errors=$(cat "$VALGRIND_LOG_DIR"/*.log 2>/dev/null)
if [ -z "$errors" ]; then
	ok "no valgrind errors or definite leaks in $(ls "$VALGRIND_LOG_DIR" | wc -l) processes"
else
	not_ok "valgrind reported:"
	printf '%s\n' "$errors" | head -40 | sed 's/^/    /'
fi
finish
