#!/bin/sh
# The postgres driver tests against a throwaway PostgreSQL server:
#   tests/postgres/run.sh     start the server (tests/postgres/server.sh) with
#                             tests/postgres/fixtures.sql, run test-cli.sh
#                             with $REPORTBOT (default ./reportbot, built if
#                             missing), stop the server.
# Run from anywhere; prints test-cli's "ok"/"not ok" lines and its
# "N passed, N failed" line, which tests/run-integration.sh adds up.
set -u
cd "$(dirname "$0")/../.." || exit 1

dir=$(mktemp -u /tmp/rbpg.XXXXXX) || exit 1
cleanup() {
	tests/postgres/server.sh stop "$dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
tests/postgres/server.sh start "$dir" tests/postgres/fixtures.sql || exit 1
export REPORTBOT_PG_ENV="$dir/env"
echo "postgres: server and fixtures up in $(( $(date +%s) - t0 )) s"

bin=${REPORTBOT:-./reportbot}
if [ ! -x "$bin" ]; then
	make --no-print-directory reportbot >/dev/null || { echo "postgres: cannot build reportbot" >&2; exit 1; }
	bin=./reportbot
fi
echo "postgres: test-cli.sh ($bin)"
REPORTBOT=$bin sh tests/postgres/test-cli.sh
status=$?
echo "postgres: done in $(( $(date +%s) - t0 )) s"
exit $status
