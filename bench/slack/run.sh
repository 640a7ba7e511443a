#!/bin/sh
# Slack-side benchmarks (ack latency under load, small report end to end)
# against the loopback fake Slack. Needs node and tests/fake-slack deps.
set -eu
cd "$(dirname "$0")/../.."
sh tests/fake-slack/ensure-deps.sh
[ -x "${REPORTBOT_BIN:-./reportbot}" ] || make --no-print-directory reportbot
node bench/slack/bench.js
