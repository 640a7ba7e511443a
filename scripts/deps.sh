#!/bin/sh
# Install the Debian packages listed in the given files that are missing.
# Idempotent; prints nothing when everything is already installed.
set -eu
missing=""
for list in "$@"; do
	for pkg in $(grep -v '^#' "$list"); do
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
		case "$status" in
		*"install ok installed"*) ;;
		*) missing="$missing $pkg" ;;
		esac
	done
done
# Debian's nodejs ships without npm, NodeSource's nodejs includes it.
if grep -qx nodejs "$@" 2>/dev/null && ! command -v npm >/dev/null 2>&1; then
	missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run make deps as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
