#!/bin/sh
# Build demo/demo.db (about a million event rows over the year that ends
# today). Rebuilt when missing or made on an earlier day, so `last` month
# always has data.
set -eu
cd "$(dirname "$0")"
db=demo.db
today=$(date +%F)
if [ -f "$db" ] && [ "$(cat .demo-db-day 2>/dev/null)" = "$today" ]; then
	exit 0
fi
rm -f "$db.tmp"
echo "demo: building $db (1M events)..."
sqlite3 "$db.tmp" < make-db.sql >/dev/null
mv "$db.tmp" "$db"
echo "$today" > .demo-db-day
