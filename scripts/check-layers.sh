#!/bin/sh
# check-layers.sh: the architecture rules of docs/design.md, checked on the
# tree and on the built objects. Prints "layers: N passed, N failed".
#
#  1. floors: includes only point down (common <- store <- commands <- bot);
#  2. no loops: no two C files that call each other, directly or through a
#     chain. The call graph is read from the release objects with nm: X.o ->
#     Y.o when X calls a function that Y defines (tables of built-ins or
#     drivers that only name their entries are data, not calls). tsort
#     reports any loop;
#  3. docs/design.md names only files that exist.
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
bad() { echo "not ok - $1"; failed=$((failed + 1)); }

# 1. floors
up=$(grep -n '#include "bot/' commands/*.[ch] store/*.[ch] 2>/dev/null
     grep -n '#include "commands/' store/*.[ch] 2>/dev/null
     grep -nE '#include "(bot|commands|store)/' common/*.[ch] 2>/dev/null)
if [ -z "$up" ]; then
	ok "floors: no include points up (common <- store <- commands <- bot)"
else
	bad "floors: includes that point up:"; echo "$up" | sed 's/^/    /'
fi

# 2. loops in the call graph of the release objects
# only the objects of sources that exist: a renamed or removed file's old
# object left in build/ is not part of the program
objs=$(for o in build/rel/common/*.o build/rel/store/*.o build/rel/commands/*.o build/rel/bot/*.o; do
	c=${o#build/rel/}; [ -f "${c%.o}.c" ] && echo "$o"; done 2>/dev/null)
if [ -z "$objs" ]; then
	bad "loops: no objects in build/rel (run make first)"
else
	defs=$(mktemp); uses=$(mktemp); edges=$(mktemp)
	for o in $objs; do
		f=${o#build/rel/}; f=${f%.o}.c
		nm --defined-only -g "$o" | awk -v f="$f" 'NF == 3 && $2 == "T" {print $3, f}'
	done | sort > "$defs"
	for o in $objs; do
		f=${o#build/rel/}; f=${f%.o}.c
		nm -u "$o" | awk -v f="$f" '{print $NF, f}'
	done | sort > "$uses"
	# "definer user" pairs, one per file pair, no self edges
	join "$defs" "$uses" | awk '$2 != $3 {print $2, $3}' | sort -u > "$edges"
	if loop=$(tsort "$edges" 2>&1 >/dev/null) && [ -z "$loop" ]; then
		ok "loops: no C files call each other in a loop ($(wc -l < "$edges") call edges between $(echo "$objs" | wc -w) files)"
	else
		bad "loops: these files call each other in a loop:"
		echo "$loop" | sed 's/^/    /'
	fi
	rm -f "$defs" "$uses" "$edges"
fi

# 3. every file docs/design.md names exists (NAME marks a pattern, not a file)
if [ -f docs/design.md ]; then
	missing=$(grep -oE '\b(bot|commands|store|common|tests|bench|demo|docs|scripts|deps)/[A-Za-z0-9_./*-]+\.(c|h|md|sh|js|sql|txt|toml)\b' docs/design.md |
		grep -v NAME | sort -u | while read -r p; do ls $p >/dev/null 2>&1 || echo "$p"; done)
	if [ -z "$missing" ]; then
		ok "design: every file docs/design.md names exists"
	else
		bad "design: docs/design.md names files that do not exist:"; echo "$missing" | sed 's/^/    /'
	fi
else
	bad "design: docs/design.md is missing"
fi

echo "layers: $passed passed, $failed failed"
[ -n "${RESULTS:-}" ] && echo "$passed $failed" >> "$RESULTS"
[ "$failed" -eq 0 ]
