#!/bin/sh
# Installs the fake Slack's npm dependencies (ws, pinned by package-lock.json)
# when they are missing or do not match the lock file. Safe to run every time:
#   sh tests/fake-slack/ensure-deps.sh
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
	echo "fake-slack: npm not found; install Node.js 20 (Debian: nodejs npm)" >&2
	exit 1
fi
want=$(node -p 'require("./package-lock.json").packages["node_modules/ws"].version')
have=$(node -p 'try { require("./node_modules/ws/package.json").version } catch (e) { "" }')
if [ "$want" != "$have" ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
