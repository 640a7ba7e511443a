#!/bin/sh
# The MySQL driver tests against a throwaway MariaDB server:
#   tests/mysql/run.sh            build and run every tests/mysql/test-*.c,
#                                 plain and with address/undefined sanitizers
#   tests/mysql/run.sh -k         keep going after a failure
# Run from the repo root. The server lives in a temporary directory, on its
# own port and socket, and is stopped (and the directory removed) on exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
keep_going=0
[ "${1:-}" = "-k" ] && keep_going=1

dir=$(mktemp -d /tmp/rbmysql.XXXXXX) || exit 1
rmdir "$dir"
cleanup() {
	tests/mysql/server.sh stop "$dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tests/mysql/server.sh start "$dir" tests/mysql/fixtures.sql || exit 1
export REPORTBOT_MYSQL_ENV="$dir/env"

out=build/mysql
mkdir -p "$out"
# Every driver: store/source.c lists them all, so all are linked.
libs="tests/mysql/helpers.c $(echo store/source*.c) store/mysql-text.c store/trino-text.c $(echo common/*.c)"
passed=0
failed=0
for t in tests/mysql/test-*.c; do
	name=$(basename "$t" .c)
	for variant in plain san; do
		bin="$out/$name-$variant"
		flag=""
		[ $variant = san ] && flag="-san"
		# shellcheck disable=SC2086
		if ! scripts/cc-one.sh $flag "$bin" "$t" $libs -lcmocka; then
			echo "mysql: FAILED to build $name ($variant)" >&2
			failed=$((failed + 1))
			[ $keep_going = 1 ] || exit 1
			continue
		fi
		echo "mysql: $name ($variant)"
		if "$bin"; then
			passed=$((passed + 1))
		else
			echo "mysql: FAILED $name ($variant)" >&2
			failed=$((failed + 1))
			[ $keep_going = 1 ] || exit 1
		fi
	done
done
# reportbot itself against the same server.
bin=${REPORTBOT:-./reportbot}
if [ ! -x "$bin" ]; then
	make --no-print-directory reportbot >/dev/null || { echo "mysql: cannot build reportbot" >&2; exit 1; }
	bin=./reportbot
fi
echo "mysql: test-cli.sh ($bin)"
if REPORTBOT=$bin sh tests/mysql/test-cli.sh >"$out/test-cli.log" 2>&1; then
	passed=$((passed + 1))
	echo "mysql: test-cli.sh: $(tail -1 "$out/test-cli.log")"
else
	grep "^not ok" "$out/test-cli.log" >&2
	tail -5 "$out/test-cli.log" >&2
	echo "mysql: FAILED test-cli.sh" >&2
	failed=$((failed + 1))
fi
# The Slack side against the same server: slow queries never delay acks.
echo "mysql: slack-slow.test.js"
sh tests/fake-slack/ensure-deps.sh
if REPORTBOT_BIN=${REPORTBOT_BIN:-$PWD/build/san/reportbot} node --test tests/mysql/slack-slow.test.js >"$out/slack-slow.log" 2>&1; then
	passed=$((passed + 1))
	grep "^# .*ms" "$out/slack-slow.log" || true
else
	cat "$out/slack-slow.log" >&2
	echo "mysql: FAILED slack-slow.test.js" >&2
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed (mysql test programs)"
[ $failed = 0 ]
