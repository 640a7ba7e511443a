#!/bin/sh
# The history under faults, through the programs (issue 11, "the history is
# the truth"): a history another process holds longer than the bot waits, a
# full disk under data_dir, a stale -shm left by another user, and the modes
# of the history's files. In each, no file reaches the person for a run the
# history does not hold, the person is told the bot failed, and the bot
# records runs again once the fault is gone.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
./demo/make-db.sh > /dev/null

# wait_for WHAT FILE TEXT: until TEXT is in FILE (at most 20 s).
wait_for() {
	i=0
	while ! grep -qF -- "$3" "$2" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			not_ok "$1: '$3' never came:"
			tail -20 "$2" | sed 's/^/    /'
			return 1
		fi
		sleep 0.1
	done
	ok "$1"
}

# count_in FILE TEXT: how many lines of FILE hold TEXT.
count_in() { grep -cF -- "$2" "$1" 2>/dev/null || true; }

mode_of() { stat -c %a "$1" 2>/dev/null || echo missing; }

# A console on CONFIG with its lines from a fifo (fd 8) and its output in
# $TMP/console.out; console_say LINE; console_end CODE (2 once a run
# failed, else 0).
console_start() {
	rm -f "$TMP/cin" "$TMP/console.out"
	mkfifo "$TMP/cin"
	"$REPORTBOT" -c "$1" console < "$TMP/cin" > "$TMP/console.out" 2>&1 &
	console_pid=$!
	exec 8> "$TMP/cin"
}
console_say() { echo "$1" >&8; }
console_end() {
	exec 8>&-
	wait "$console_pid"
	check_eq "console exits $1" "$1" $?
}

# hold_history DB: another process holds DB's write lock (BEGIN EXCLUSIVE)
# until release_history.
hold_history() {
	rm -f "$TMP/hold" "$TMP/hold.out"
	mkfifo "$TMP/hold"
	python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
c.execute("ROLLBACK")
' "$1" < "$TMP/hold" > "$TMP/hold.out" &
	hold_pid=$!
	exec 9> "$TMP/hold"
	wait_for "another process holds the history" "$TMP/hold.out" locked
}
release_history() {
	exec 9>&-
	wait "$hold_pid"
}

cfg=$TMP/config.toml
demo_config "$cfg"

# 1. Modes: history.db, its -wal and -shm and the lock file are 0600.
console_start "$cfg"
console_say "/report customers acme"
wait_for "a console run is delivered" "$TMP/console.out" "[file "
console_say "/report history"
wait_for "the console run is recorded ok" "$TMP/console.out" "customers customers=acme"
check_eq "history.db is 0600" 600 "$(mode_of "$TMP/var/history.db")"
check_eq "history.db-wal is 0600" 600 "$(mode_of "$TMP/var/history.db-wal")"
check_eq "history.db-shm is 0600" 600 "$(mode_of "$TMP/var/history.db-shm")"
check_eq "history.db.lock is 0600" 600 "$(mode_of "$TMP/var/history.db.lock")"

# 2. Held longer than the bot waits (0.5 s here, 30 s by default): the
# person hears that the bot could not record the run, no file is made, and
# once the other process lets go the next run is recorded.
console_end 0
REPORTBOT_HISTORY_BUSY_MS=500 console_start "$cfg"
console_say "/report customers acme"
wait_for "first run before the lock" "$TMP/console.out" "(run "
hold_history "$TMP/var/history.db"
console_say "/report customers globex"
wait_for "a run the history cannot take is told as the bot's failure" "$TMP/console.out" \
	"the bot could not record this run in its history, so it did not run it"
check_contains "the failure names the held file" "$TMP/console.out" \
	"another process held $TMP/var/history.db for more than 0.5 s"
check_eq "no file for the unrecorded run" 0 "$(count_in "$TMP/console.out" "customers-globex")"
release_history
console_say "/report customers initech"
wait_for "after the lock is gone a run is delivered" "$TMP/console.out" "customers-initech"
console_say "/report history"
wait_for "and recorded" "$TMP/console.out" "customers customers=initech"
console_end 2

# 3. `run` alone on a held history fails (after the wait) naming the file,
# and writes no output file.
hold_history "$TMP/var/history.db"
REPORTBOT_HISTORY_BUSY_MS=300 "$REPORTBOT" -c "$cfg" run -o "$TMP/held.csv" customers acme > "$TMP/out" 2>&1
st=$?
release_history
check_eq "run on a held history fails as a runtime failure (exit 2)" 2 "$st"
check_contains "run names the held history" "$TMP/out" "another process held $TMP/var/history.db"
check_eq "run leaves no file" "missing missing" "$(mode_of "$TMP/held.csv") $(mode_of "$TMP/held.csv.partial")"

# 4. A full disk under data_dir (a small tmpfs): no file is posted, the
# person is told, the log names the directory, and runs are recorded again
# once there is space.
mnt=$TMP/full
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=256k tmpfs "$mnt" 2>"$TMP/mount.err"; then
	echo "# skipping the full-disk case: cannot mount a tmpfs here ($(cat "$TMP/mount.err"))"
else
	trap 'umount "$mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
	sed "s#$TMP/var#$mnt/var#" "$cfg" > "$TMP/full.toml"
	console_start "$TMP/full.toml"
	console_say "/report customers acme"
	wait_for "a run on the small disk is delivered" "$TMP/console.out" "[file $mnt/var/customers-acme"
	dd if=/dev/zero of="$mnt/filler" bs=4k > /dev/null 2>&1
	console_say "/report customers globex"
	wait_for "a run on a full disk is told as a failure" "$TMP/console.out" "run 2 (customers) error:"
	check_contains "the log names the full directory" "$TMP/console.out" "the disk holding $mnt/var"
	check_eq "no file is posted on a full disk" 0 "$(count_in "$TMP/console.out" "customers-globex")"
	rm -f "$mnt/filler"
	console_say "/report customers initech"
	wait_for "with space again a run is delivered" "$TMP/console.out" "[file $mnt/var/customers-initech"
	console_say "/report history"
	wait_for "and recorded" "$TMP/console.out" "customers customers=initech"
	check_eq "the delivered runs are ok in the history" 2 \
		"$(sqlite3 "$mnt/var/history.db" "SELECT count(*) FROM runs WHERE status = 'ok'")"
	check_eq "nothing is left running" 0 \
		"$(sqlite3 "$mnt/var/history.db" "SELECT count(*) FROM runs WHERE status IN ('queued', 'running', 'delivering')")"
	console_end 2
	umount "$mnt"
fi

# 5. A stale -shm left by a process of another user: the bot (here as
# nobody) names that file and the fix; done, it starts.
if [ "$(id -u)" -ne 0 ] || ! id nobody > /dev/null 2>&1; then
	echo "# skipping the stale -shm case: needs root and the user nobody"
else
	chmod 755 "$TMP"
	sdir=$TMP/shared
	mkdir -p "$sdir"
	sed "s#$TMP/var#$sdir/var#" "$cfg" > "$TMP/shared.toml"
	chmod 644 "$TMP/shared.toml"
	"$REPORTBOT" -c "$TMP/shared.toml" history > /dev/null 2>&1
	: > "$sdir/var/history.db-shm"     # left by a root process that died
	chmod 644 "$sdir/var/history.db-shm"
	chown -R nobody "$sdir"
	chown root "$sdir/var/history.db-shm"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	as_nobody "$REPORTBOT" -c "$TMP/shared.toml" history > "$TMP/out" 2>&1
	st=$?
	check_eq "a stale -shm stops the bot as a runtime failure (exit 2)" 2 "$st"
	check_contains "the message names the -shm file" "$TMP/out" "'$sdir/var/history.db-shm'"
	check_contains "the message gives the fix" "$TMP/out" "remove it while no reportbot runs"
	rm -f "$sdir/var/history.db-shm"
	as_nobody "$REPORTBOT" -c "$TMP/shared.toml" history > "$TMP/out" 2>&1
	check_eq "with the stale -shm removed it starts" 0 $?
fi

finish
