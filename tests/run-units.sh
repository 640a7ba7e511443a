#!/bin/sh
# Run each cmocka test program given; stop at the first failure.
set -u
failed=0
for t in "$@"; do
	if ! "$t"; then
		echo "unit: FAILED $t" >&2
		failed=1
	fi
done
exit $failed
