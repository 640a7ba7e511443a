#!/bin/sh
# Run each cmocka test program given, then print one line adding up their
# results ("unit: N passed, N failed"), also appended to $RESULTS if set.
set -u
label=${LABEL:-unit}
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$@"; do
	if "$t" > "$out" 2>&1; then status=0; else status=$?; fi
	cat "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$out" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$status" -ne 0 ] && [ -z "$f" ]; then
		echo "unit: FAILED $t (exit $status)" >&2
		failed=$((failed + 1))
	fi
done
echo "$label: $passed passed, $failed failed"
[ -n "${RESULTS:-}" ] && echo "$passed $failed" >> "$RESULTS"
[ "$failed" -eq 0 ]
