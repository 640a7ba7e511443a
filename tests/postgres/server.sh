#!/bin/sh
# A throwaway PostgreSQL server for the postgres driver tests and the benchmark.
#
#   tests/postgres/server.sh start DIR [FIXTURE.sql...]
#       create DIR (must not exist or be empty), initdb a cluster in it,
#       start it on a free port >= 55432 with its socket in DIR, create the
#       database and the report user, load each fixture as the superuser,
#       and write the connection facts to DIR/env (KEY=value lines).
#   tests/postgres/server.sh stop DIR
#       stop that server and remove DIR.
#   tests/postgres/server.sh env DIR
#       print DIR/env with `export` in front, for eval.
#
# PostgreSQL refuses to run as root: when this script runs as root, the
# server runs as the `postgres` user of Debian's package (PG_RUN_AS to pick
# another), which owns DIR. Its binaries come from
# /usr/lib/postgresql/<newest>/bin (PG_BIN to override). Nothing of the
# machine's own clusters is touched: own data directory, own port, own
# socket, no pg_ctlcluster.
# Auth: the superuser `postgres` over the socket in DIR (trust), the report
# user `report_user` over TCP with a random password (scram-sha-256). The
# report user may also write to the table `scratch`, so a refused write in
# the tests is the driver's read-only session, not a missing grant.
# PG_SHARED_BUFFERS (default 128MB) sizes shared_buffers (bench/postgres).
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
	echo "usage: $0 start|stop|env DIR [FIXTURE.sql...]" >&2
	exit 1
}
shift 2

die() {
	echo "postgres server: $*" >&2
	exit 1
}

if [ -z "${PG_BIN:-}" ]; then
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || die "no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql)"

# as_server CMD...: run CMD as the server's user.
as_server() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "${PG_RUN_AS:-postgres}" -- "$@"
	else
		"$@"
	fi
}

port_busy() {
	ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

admin() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"
}

# A test CA and a server certificate for 127.0.0.1 (EC keys: fast), plus a
# second CA that did not sign it, for the verification-failure test. Only
# when openssl is there; without it the server runs without TLS and the env
# file has no PG_TLS_CA.
make_certs() {
	command -v openssl >/dev/null 2>&1 || return 0
	t="$dir/tls"
	mkdir -p "$t"
	{
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj "/CN=reportbot test CA" -keyout "$t/ca-key.pem" -out "$t/ca.pem" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj "/CN=some other CA" -keyout "$t/other-key.pem" -out "$t/other-ca.pem" &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj "/CN=127.0.0.1" -keyout "$t/server-key.pem" -out "$t/server.csr" &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$t/ext.cnf" &&
		openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca-key.pem" \
			-CAcreateserial -days 2 -extfile "$t/ext.cnf" -out "$t/server.pem"
	} >"$t/openssl.log" 2>&1 || { rm -rf "$t"; echo "postgres server: no TLS (openssl failed)" >&2; return 0; }
	# The server reads its key only when its own user owns it, mode 600.
	chmod 600 "$t/server-key.pem"
	[ "$(id -u)" = 0 ] && chown "${PG_RUN_AS:-postgres}" "$t/server-key.pem" "$t/server.pem"
	cat >>"$dir/data/postgresql.conf" <<-EOF
		ssl = on
		ssl_cert_file = '$t/server.pem'
		ssl_key_file = '$t/server-key.pem'
	EOF
}

start() {
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
	mkdir -p "$dir"
	chmod 700 "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown "${PG_RUN_AS:-postgres}" "$dir"
	fi
	as_server test -w "$dir" || die "the server's user (${PG_RUN_AS:-postgres}) cannot write $dir; put it where that user can reach (mktemp -u /tmp/x.XXXXXX)"
	pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	as_server sh -c "umask 077; printf '%s\n' postgres-not-used >'$dir/pwfile'"
	as_server "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
		>"$dir/initdb.log" 2>&1 || { tail -20 "$dir/initdb.log" >&2; die "initdb failed"; }
	rm -f "$dir/pwfile"
	cat >>"$dir/data/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$dir'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = ${PG_SHARED_BUFFERS:-128MB}
		max_connections = 50
		timezone = 'UTC'
		log_min_messages = warning
	EOF
	make_certs
	port=55432
	tries=0
	while :; do
		while port_busy $port; do port=$((port + 1)); done
		if as_server "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start \
			>"$dir/pg_ctl.log" 2>&1; then
			break
		fi
		# Lost a race for the port (or another start failure): try the next.
		tries=$((tries + 1))
		[ $tries -lt 5 ] || { tail -20 "$dir/server.log" >&2; die "postgres would not start"; }
		port=$((port + 1))
	done
	echo "$port" >"$dir/port"

	admin -d postgres <<-EOF
		CREATE DATABASE reportbot_test;
		CREATE ROLE report_user LOGIN PASSWORD '$pw';
	EOF
	admin -d reportbot_test <<-EOF
		CREATE TABLE scratch (id int, note text);
		GRANT SELECT, INSERT, UPDATE, DELETE ON scratch TO report_user;
	EOF
	cat >"$dir/env" <<-EOF
		PG_DIR=$dir
		PG_HOST=127.0.0.1
		PG_PORT=$port
		PG_SOCKET_DIR=$dir
		PG_DATABASE=reportbot_test
		PG_USER=report_user
		PG_PASSWORD=$pw
		PG_ADMIN_USER=postgres
	EOF
	if [ -f "$dir/tls/server.pem" ]; then
		echo "PG_TLS_CA=$dir/tls/ca.pem" >>"$dir/env"
		echo "PG_TLS_OTHER_CA=$dir/tls/other-ca.pem" >>"$dir/env"
	fi
	chmod 600 "$dir/env"
	for f in "$@"; do
		admin -d reportbot_test -f "$f" >/dev/null || die "loading fixture $f failed"
	done
	# Whatever a fixture created, the report user may read it.
	admin -d reportbot_test -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO report_user" >/dev/null
	echo "postgres server: up on 127.0.0.1:$port, socket in $dir, env $dir/env"
}

stop_server() {
	[ -d "$dir/data" ] || return 0
	as_server "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}

case $cmd in
start)
	start "$@"
	;;
stop)
	# Only ever remove a directory this script made.
	if [ -d "$dir" ] && [ ! -f "$dir/env" ] && [ ! -f "$dir/data/PG_VERSION" ]; then
		die "$dir does not look like a server directory; not removing it"
	fi
	stop_server
	rm -rf "$dir"
	;;
env)
	[ -f "$dir/env" ] || die "no server in $dir"
	sed 's/^/export /' "$dir/env"
	;;
*)
	die "unknown command '$cmd'; accepted: start stop env"
	;;
esac
