#!/bin/sh
# Script reports (issue 15) through `run`, `console` and `check`: params in
# argv and the environment exactly as bound, no token or password in the
# script's environment, each way of failing with its message, timeout and
# Ctrl-C ending the whole process group (a grandchild that ignores SIGTERM
# included), 100k rows byte for byte as the script wrote them with flat
# memory, and the faults `check` reports.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
./demo/make-db.sh
RELEASE=${REPORTBOT_RELEASE:-$ROOT/reportbot}   # the memory check: a release build
[ -x "$RELEASE" ] || RELEASE=$REPORTBOT
PY=/usr/bin/python3

export LANG=C.UTF-8
export TEST_DB_PASSWORD='hunter2-db-secret'
export SLACK_BOT_TOKEN='xoxb-0000-test-bot-token'
export SLACK_APP_TOKEN='xapp-1-test-app-token'
export MY_VAR='passed through'
export REPORTBOT_SCRIPT_GRACE_MS=300

C=$TMP/cmds
mkdir -p "$C"
cfg=$TMP/config.toml
cat > "$cfg" <<EOC
[bot]
commands_dir = "$C"
data_dir = "$TMP/var"
timezone = "Asia/Tokyo"
default_source = "demo"
workers = 2
[output]
bom = false
[sources.demo]
driver = "sqlite"
path = "$ROOT/demo/demo.db"
[sources.db]
driver = "mysql"
host = "127.0.0.1"
user = "reader"
database = "x"
password_env = "TEST_DB_PASSWORD"
EOC

# dump.py: every argv word and every variable it was given, as CSV.
cat > "$C/dump.py" <<'EOS'
#!/usr/bin/python3
# summary: what a script is given
# param: who string someone
# param: month month the month
# param: ids list some ids
# param: n int a number
# env: MY_VAR TEST_DB_PASSWORD UNSET_VAR
import csv, os, sys
w = csv.writer(sys.stdout)
w.writerow(["kind", "name", "value"])
for i, a in enumerate(sys.argv):
    w.writerow(["argv", str(i), a])
for k in sorted(os.environ):
    w.writerow(["env", k, os.environ[k]])
w.writerow(["cwd", "", os.getcwd()])
w.writerow(["stdin", "", repr(sys.stdin.read())])
EOS
cat > "$C/exit3.sh" <<'EOS'
#!/bin/sh
# summary: fails after one row
echo 'a,b'
echo '1,2'
echo "connecting with $TEST_DB_PASSWORD" >&2
echo "Traceback: token xoxb-0000-test-bot-token and hunter2-db-secret refused" >&2
exit 3
EOS
cat > "$C/killed.sh" <<'EOS'
#!/bin/sh
# summary: killed by a signal
echo 'a,b'
kill -KILL $$
EOS
cat > "$C/malformed.sh" <<'EOS'
#!/bin/sh
# summary: a bad third line
printf 'a,b\n1,2\n3,"x"y\n4,5\n'
EOS
cat > "$C/slow.sh" <<'EOS'
#!/bin/sh
# summary: outlives its timeout, with a grandchild that ignores SIGTERM
# param: dir string where the grandchild leaves its pid
# timeout: 1
echo 'a'
sh -c 'trap "" TERM; echo $$ > "$1/gc.tmp"; mv "$1/gc.tmp" "$1/gc.pid"; exec sleep 60' sh "$REPORT_DIR" &
sleep 60
EOS
cat > "$C/rows.py" <<'EOS'
#!/usr/bin/python3
# summary: n rows
# param: n int(1..) how many
import csv, sys
n = int(sys.argv[1].split("=", 1)[1])
w = csv.writer(sys.stdout)
w.writerow(["id", "name", "note", "amount"])
for i in range(n):
    w.writerow([i, "customer %d" % (i % 977), "a, \"quoted\" note\non two lines" if i % 10 == 0 else "é" * (i % 5 + 1), i * 0.25])
EOS
chmod +x "$C"/*

# --- params in argv and the environment, exactly as bound ---------------------
who='a b "c" $(touch '"$TMP"'/pwned);x; `id` > y
next line '"'single'"' \ end'
"$REPORTBOT" -c "$cfg" run -o "$TMP/dump.csv" dump "$who" 2024-11 'x, y' 42 > "$TMP/out" 2>&1
check_eq "run dump exits 0" 0 $?
WHO=$who TMPDIR_=$TMP CMDS=$C $PY - "$TMP/dump.csv" > "$TMP/check" 2>&1 <<'EOP'
import csv, os, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0] == ["kind", "name", "value"], rows[0]
argv = [r[2] for r in rows if r[0] == "argv"]
env = {r[1]: r[2] for r in rows if r[0] == "env"}
who = os.environ["WHO"]
def check(what, got, want):
    print(("ok" if got == want else "not ok") + " " + what + ("" if got == want else ": %r != %r" % (got, want)))
check("argv is the path and one --NAME=VALUE per param", argv,
      [os.environ["CMDS"] + "/dump.py", "--who=" + who, "--month=2024-11", "--ids=x,y", "--n=42"])
check("REPORT_WHO is the value as typed", env.get("REPORT_WHO"), who)
check("REPORT_MONTH and its start and end", [env.get("REPORT_MONTH"), env.get("REPORT_MONTH_START"), env.get("REPORT_MONTH_END")],
      ["2024-11", "2024-11-01", "2024-12-01"])
check("a list is comma-joined", env.get("REPORT_IDS"), "x,y")
check("TZ is bot.timezone", env.get("TZ"), "Asia/Tokyo")
check("an env: name the bot has is passed", env.get("MY_VAR"), "passed through")
check("the environment is the allow-list and nothing else", sorted(env),
      sorted(["HOME", "LANG", "MY_VAR", "PATH", "REPORT_IDS", "REPORT_MONTH", "REPORT_MONTH_END",
              "REPORT_MONTH_START", "REPORT_N", "REPORT_WHO", "TZ"]))
text = open(sys.argv[1], encoding="utf-8").read()
for secret in ["hunter2-db-secret", "xoxb-0000", "xapp-1-test"]:
    check("no secret in what the script saw: " + secret[:6], secret in text, False)
cwd = [r[2] for r in rows if r[0] == "cwd"][0]
check("the working directory is the commands folder", cwd, os.environ["CMDS"])
check("stdin is /dev/null", [r[2] for r in rows if r[0] == "stdin"][0], "''")
check("no shell ran the value", os.path.exists(os.environ["TMPDIR_"] + "/pwned"), False)
EOP
while read -r verdict rest; do
	if [ "$verdict" = ok ]; then ok "$rest"; else not_ok "$rest"; fi
done < "$TMP/check"
[ -s "$TMP/check" ] || { not_ok "the dump checker ran"; cat "$TMP/check"; }
grep -q "^Traceback\|Error" "$TMP/check" && { not_ok "the dump checker failed"; cat "$TMP/check"; }

# --- each way of failing, and what it says -------------------------------------
"$REPORTBOT" -c "$cfg" run -o "$TMP/exit3.csv" exit3 > "$TMP/out" 2>&1
check_eq "a script exiting 3 fails the run (exit 2)" 2 $?
check_contains "the message names the exit status" "$TMP/out" "exit3.sh exited with status 3"
check_contains "the message has the end of its stderr, redacted" "$TMP/out" \
	"Traceback: token [redacted] and [redacted] refused"
if grep -q "hunter2-db-secret\|xoxb-0000" "$TMP/out"; then
	not_ok "a password or token in the message or log"; else ok "no password or token in the message or log"; fi
[ ! -e "$TMP/exit3.csv" ] && ok "no file for a failed script" || not_ok "a file was left for a failed script"
check_eq "history records it as error" error \
	"$(sqlite3 "$TMP/var/history.db" "SELECT status FROM runs WHERE command = 'exit3'")"
if sqlite3 "$TMP/var/history.db" "SELECT error FROM runs" | grep -q "hunter2-db-secret\|xoxb-0000"; then
	not_ok "a secret in the history"; else ok "no secret in the history"; fi

"$REPORTBOT" -c "$cfg" run killed > "$TMP/out" 2>&1
check_eq "a script killed by a signal fails the run" 2 $?
check_contains "the message names the signal" "$TMP/out" "killed.sh was killed by signal 9 (SIGKILL)"

"$REPORTBOT" -c "$cfg" run -o "$TMP/bad.csv" malformed > "$TMP/out" 2>&1
check_eq "malformed CSV fails the run" 2 $?
check_contains "the message names the line and the fault" "$TMP/out" \
	"not valid CSV, so nothing of it was posted: line 3: text after the closing quote of field 2"
[ ! -e "$TMP/bad.csv" ] && ok "nothing half is written for malformed CSV" || not_ok "a half file"

# --- timeout and Ctrl-C end the process group, grandchildren included ----------
mkdir -p "$TMP/t1"
"$REPORTBOT" -c "$cfg" run slow "$TMP/t1" > "$TMP/out" 2>&1
check_eq "a script past its timeout fails the run" 2 $?
check_contains "the message says timeout" "$TMP/out" "slow.sh ran longer than its timeout of 1 s"
gc=$(cat "$TMP/t1/gc.pid" 2>/dev/null)
if [ -n "$gc" ] && ! kill -0 "$gc" 2>/dev/null; then
	ok "the grandchild ignoring SIGTERM is gone after the timeout"
else
	not_ok "grandchild '$gc' outlived the timeout"; kill -9 "$gc" 2>/dev/null
fi
check_eq "history records the timeout" timeout \
	"$(sqlite3 "$TMP/var/history.db" "SELECT status FROM runs WHERE command = 'slow' ORDER BY id DESC LIMIT 1")"

mkdir -p "$TMP/t2"
sed 's/^# timeout: 1$/# timeout: 120/' "$C/slow.sh" > "$C/waits.sh"
chmod +x "$C/waits.sh"
"$REPORTBOT" -c "$cfg" run waits "$TMP/t2" > "$TMP/out" 2>&1 &
rb=$!
n=0
while [ ! -e "$TMP/t2/gc.pid" ] && [ $n -lt 3000 ]; do n=$((n + 1)); sleep 0.01; done
kill -INT "$rb"
wait "$rb"
check_eq "Ctrl-C on run stops the script (exit 2)" 2 $?
check_contains "it says it was cancelled" "$TMP/out" "cancelled"
gc=$(cat "$TMP/t2/gc.pid" 2>/dev/null)
if [ -n "$gc" ] && ! kill -0 "$gc" 2>/dev/null; then
	ok "the grandchild ignoring SIGTERM is gone after Ctrl-C"
else
	not_ok "grandchild '$gc' outlived Ctrl-C"; kill -9 "$gc" 2>/dev/null
fi
if pgrep -f "$C/" > "$TMP/left" 2>&1; then
	not_ok "a process of a script is still running: $(cat "$TMP/left")"; else ok "no process of a script is left"; fi

# --- 100k rows: the script's own bytes, flat memory -----------------------------
"$PY" "$C/rows.py" --n=100000 > "$TMP/direct.csv"
/usr/bin/time -f %M -o "$TMP/rss-big" "$RELEASE" -c "$cfg" run -o "$TMP/rows.csv" rows 100000 > "$TMP/out" 2>&1
check_eq "100k rows from a script" 0 $?
check_files_eq "the file is byte for byte what the script printed (bom = false, CRLF)" \
	"$TMP/direct.csv" "$TMP/rows.csv"
/usr/bin/time -f %M -o "$TMP/rss-small" "$RELEASE" -c "$cfg" run -o "$TMP/rows-small.csv" rows 1000 > "$TMP/out" 2>&1
big=$(tail -1 "$TMP/rss-big"); small=$(tail -1 "$TMP/rss-small")
if [ $((big - small)) -lt 8192 ]; then
	ok "memory is flat: peak RSS ${small} kB for 1k rows, ${big} kB for 100k"
else
	not_ok "memory grows with rows: ${small} kB for 1k, ${big} kB for 100k"
fi
check_eq "history records the rows" 100000 \
	"$(sqlite3 "$TMP/var/history.db" "SELECT rows FROM runs WHERE command = 'rows' ORDER BY id LIMIT 1")"

# --- console: the same script, the same file ------------------------------------
printf '/report help dump\n/report dump "%s" 2024-11 a,b 7\n' "plain words" |
	"$REPORTBOT" -c "$cfg" console > "$TMP/out" 2>&1
check_eq "console runs a script report" 0 $?
check_contains "help shows the script's params" "$TMP/out" "who"
check_contains "console posts the script's file" "$TMP/out" "[file $TMP/var/dump-"
f=$(ls "$TMP"/var/dump-*.csv 2>/dev/null | head -1)
[ -n "$f" ] && grep -q "REPORT_WHO,plain words" "$f" && ok "console's file holds the script's rows" ||
	not_ok "console's file lacks the script's rows"

# --- check ------------------------------------------------------------------------
G=$TMP/good
mkdir -p "$G"
cp "$C/rows.py" "$C/exit3.sh" "$G/"
demo_config "$TMP/good.toml" "$G"
"$REPORTBOT" -c "$TMP/good.toml" check > "$TMP/out" 2>&1
check_eq "check passes on good scripts" 0 $?
check_contains "check counts the scripts" "$TMP/out" "ok: $TMP/good.toml and 2 commands"

B=$TMP/badscripts
mkdir -p "$B"
printf '#!/usr/bin/python3\n# summary: not executable\n' > "$B/notexec.py"
printf '#!/usr/bin/python9\n# summary: no such interpreter\n' > "$B/nointerp.py"
printf '#!/usr/bin/env nosuchprogram-i15\n# summary: env finds nothing\n' > "$B/envmiss.sh"
printf 'echo a\n# summary: no #! line\n' > "$B/noshebang.sh"
printf '#!/bin/sh\n# summary: reads a source\n# source: demo\n' > "$B/withsource.sh"
printf '#!/bin/sh\n# summary: asks for the password\n# env: TEST_DB_PASSWORD\n' > "$B/password.sh"
printf '#!/bin/sh\n# summary: twice\n' > "$B/twice.sh"
printf -- '-- summary: twice\nSELECT 1 AS one\n' > "$B/twice.sql"
chmod 755 "$B/nointerp.py" "$B/envmiss.sh" "$B/noshebang.sh" "$B/withsource.sh" "$B/password.sh" "$B/twice.sh"
cat > "$TMP/bad.toml" <<EOC
[bot]
commands_dir = "$B"
data_dir = "$TMP/var-bad"
default_source = "demo"
[sources.demo]
driver = "sqlite"
path = "$ROOT/demo/demo.db"
[sources.db]
driver = "mysql"
host = "127.0.0.1"
user = "reader"
database = "x"
password_env = "TEST_DB_PASSWORD"
EOC
"$REPORTBOT" -c "$TMP/bad.toml" check > "$TMP/out" 2>&1
check_eq "check fails on bad scripts" 1 $?
check_contains "check: not executable" "$TMP/out" "$B/notexec.py:1: a script report must be executable; run chmod +x"
check_contains "check: the interpreter does not exist" "$TMP/out" \
	"$B/nointerp.py:1: the interpreter of its #! line, /usr/bin/python9, does not exist"
check_contains "check: env finds no program" "$TMP/out" "$B/envmiss.sh:1: #!/usr/bin/env nosuchprogram-i15: nosuchprogram-i15 is not found in PATH"
check_contains "check: no #! line" "$TMP/out" "$B/noshebang.sh:1: no #! line"
check_contains "check: source: in a script" "$TMP/out" "$B/withsource.sh:3: source: does not apply to a script report"
check_contains "check: env: names a password variable" "$TMP/out" \
	"$B/password.sh:3: env TEST_DB_PASSWORD holds a secret of the bot"
check_contains "check: one name, two files" "$TMP/out" "command 'twice' is defined by twice.sh and twice.sql"

finish
