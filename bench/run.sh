#!/bin/sh
# make bench: every benchmark that can run here, one after the other.
set -eu
cd "$(dirname "$0")/.."
for b in bench/*/run.sh; do
	echo "=== $b"
	sh "$b"
	echo
done
