#!/bin/sh
# The soak of issue 11: the release `reportbot serve` against the loopback
# fake Slack for SOAK_SECONDS (default 600 = 10 minutes), the socket closed
# every 30 s, a slash command every 3 s, some failing, some cancelled; then
# every request matched to its outcome. Not part of `make test` nor of
# `make bench` (too long); run it by hand: sh bench/soak/run.sh
# SOAK_SECONDS=60 for a quick run. Exit 0: every promise kept; 1: one broken
# (listed); 2: the soak could not run. See bench/soak/README.md.
set -eu
cd "$(dirname "$0")/../.."
sh tests/fake-slack/ensure-deps.sh
[ -x "${REPORTBOT_BIN:-./reportbot}" ] || make --no-print-directory reportbot
[ -n "${SOAK_DB:-}" ] || ./demo/make-db.sh
exec node bench/soak/soak.js
