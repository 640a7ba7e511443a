#!/bin/sh
# make bench: every benchmark that can run here, one after the other, but
# the 10-minute soak (bench/soak), which is run by hand.
set -eu
cd "$(dirname "$0")/.."
for b in bench/*/run.sh; do
	# bench/soak takes 10 minutes: by hand only (sh bench/soak/run.sh)
	[ "$b" = bench/soak/run.sh ] && continue
	echo "=== $b"
	sh "$b"
	echo
done
