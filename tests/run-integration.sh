#!/bin/sh
# Run every integration test: the shell tests in tests/integration/, the
# MariaDB tests (tests/mysql/run.sh), the Slack tests (node --test)
# against the fake Slack and the Trino tests against the fake Trino.
# Prints one total "N passed, N failed" line.
set -u
cd "$(dirname "$0")/.."
export REPORTBOT="${REPORTBOT:-$PWD/build/san/reportbot}"
export REPORTBOT_BIN="$REPORTBOT"
# LeakSanitizer cannot run under ptrace-less sandboxes everywhere; keep it on
# where it works and make every sanitizer report fatal.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() {
	# Add up the "N passed, N failed" lines (shell tests) and node's "# pass N".
	p=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
	np=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	nf=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	passed=$((passed + p + np))
	failed=$((failed + f + nf))
}

run() {
	: > "$log"
	if "$@" > "$log" 2>&1; then status=0; else status=$?; fi
	cat "$log"
	count
	if [ "$status" -ne 0 ] && ! grep -q "^not ok\|^# fail [1-9]" "$log"; then
		echo "not ok - $* exited $status"
		failed=$((failed + 1))
	fi
}

for t in tests/integration/test-*.sh; do
	[ -e "$t" ] && run sh "$t"
done
if [ -x tests/mysql/run.sh ]; then
	run tests/mysql/run.sh
fi
# PostgreSQL tests against a throwaway server (each check counted).
if [ -x tests/postgres/run.sh ]; then
	run tests/postgres/run.sh
fi
# The fake Slack first proves itself, then the bot is tested against it.
sh tests/fake-slack/ensure-deps.sh
run sh -c 'cd tests/fake-slack && node --test'
if [ -d tests/integration/slack ] && ls tests/integration/slack/*.test.js >/dev/null 2>&1; then
	run node --test --test-concurrency=1 tests/integration/slack/
	# serve under valgrind: the basic Slack conversation again, then every
	# process's memcheck log must be empty.
	vg=$(mktemp -d)
	run env VALGRIND_LOG_DIR="$vg" REPORTBOT_BIN="$PWD/tests/valgrind-bot.sh" \
		node --test tests/integration/slack/basic.test.js
	if cat "$vg"/*.log 2>/dev/null | grep -q .; then
		echo "not ok - serve under valgrind:"; cat "$vg"/*.log | head -40
		failed=$((failed + 1))
	else
		echo "ok - serve under valgrind: no errors, no definite leaks"
		passed=$((passed + 1))
	fi
	rm -rf "$vg"
fi

# The fake Trino proves itself, then driver = "trino" is tested against it.
run sh -c 'cd tests/fake-trino && node --test'
run node --test --test-concurrency=1 tests/integration/trino/

echo "integration: $passed passed, $failed failed"
[ -n "${RESULTS:-}" ] && echo "$passed $failed" >> "$RESULTS"
[ "$failed" -eq 0 ]
