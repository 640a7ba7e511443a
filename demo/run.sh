#!/bin/sh
# make demo: build the demo database, then talk to the bot through
# `reportbot console` exactly as a person would in Slack. The CSV files are
# left in var/.
set -eu
cd "$(dirname "$0")/.."
./demo/make-db.sh
mkdir -p var
echo "== reportbot check"
./reportbot -c demo/config.toml check
echo
echo "== reportbot console < demo/session.txt"
# The session holds one deliberate mistake, so console exits 1: expected.
status=0
./reportbot -c demo/config.toml console < demo/session.txt || status=$?
if [ "$status" -ne 1 ]; then
	echo "demo: console exited $status, expected 1 (one deliberate mistake)" >&2
	exit 1
fi
echo
echo "== CSV files in var/ (growth-*.csv is made by commands/growth.py, a Python script report):"
ls -l var/*.csv
