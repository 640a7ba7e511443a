#!/bin/sh
# Compile a few sources into one program with the project's flags, for
# working on one module without the rest of the tree:
#   scripts/cc-one.sh [-san] OUT SRC... [-lcmocka]
set -eu
san=""
if [ "${1:-}" = "-san" ]; then
	san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	shift
fi
out=$1; shift
pkgs=$(sed -e 's/#.*//' "$(dirname "$0")/../deps/pkg-config.txt")
exec ${CC:-cc} -std=c11 -O1 -g -Wall -Wextra -Wpedantic -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla \
	-fno-common -D_GNU_SOURCE -I. -Icommon $(pkg-config --cflags $pkgs) $san \
	-o "$out" "$@" $(pkg-config --libs $pkgs) -lpthread -lm
