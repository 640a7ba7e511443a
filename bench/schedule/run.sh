#!/bin/sh
# Fire precision of a `* * * * *` schedule on the real timer, release build,
# against the loopback fake Slack. Needs node and tests/fake-slack deps.
# ROUNDS=N (default 6) slots, about 2 s each.
set -eu
cd "$(dirname "$0")/../.."
sh tests/fake-slack/ensure-deps.sh
[ -x "${REPORTBOT_BIN:-./reportbot}" ] || make --no-print-directory reportbot
node bench/schedule/bench.js
