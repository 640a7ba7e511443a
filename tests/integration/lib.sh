# Shared helpers for the shell integration tests. Each test script sources
# this, calls `ok`/`not_ok` (through check_* helpers) and ends with `finish`,
# which prints "N passed, N failed" for tests/run-integration.sh to add up.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPORTBOT=${REPORTBOT:-$ROOT/build/san/reportbot}
TEST_NAME=$(basename "$0" .sh)
PASSED=0
FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/reportbot-$TEST_NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $TEST_NAME: $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $TEST_NAME: $*"; }

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# check_files_eq WHAT EXPECTED_FILE ACTUAL_FILE
check_files_eq() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1: files differ"
		diff "$2" "$3" | head -10 | sed 's/^/    /'
	fi
}

# check_contains WHAT FILE TEXT
check_contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1: '$3' not in output:"; head -20 "$2" | sed 's/^/    /'; fi
}

# demo_config FILE [COMMANDS_DIR]: a config on the demo database with its
# data_dir in $TMP/var.
demo_config() {
	cat > "$1" <<EOC
[bot]
commands_dir = "${2:-$ROOT/commands}"
data_dir = "$TMP/var"
timezone = "Asia/Tokyo"
default_source = "demo"
workers = 2
[sources.demo]
driver = "sqlite"
path = "$ROOT/demo/demo.db"
EOC
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
