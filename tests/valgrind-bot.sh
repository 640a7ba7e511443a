#!/bin/sh
# Runs the release reportbot under valgrind (memcheck), one log per
# process in $VALGRIND_LOG_DIR; used by tests/run-integration.sh, which
# fails when any log holds an error or a definite leak.
exec valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 -q \
	--log-file="${VALGRIND_LOG_DIR:?}/vg.%p.log" "$(dirname "$0")/../reportbot" "$@"
