#!/bin/sh
# A throwaway MariaDB server for the mysql driver tests and the benchmark.
#
#   tests/mysql/server.sh start DIR [FIXTURE.sql...]
#       create DIR (must not exist or be empty), install a data directory in
#       it, start mariadbd on a free port >= 33306 with its socket and pid in
#       DIR, create the users, load each fixture as the admin user, and write
#       the connection facts to DIR/env (KEY=value lines, shell-sourceable).
#   tests/mysql/server.sh stop DIR
#       shut that server down and remove DIR.
#   tests/mysql/server.sh env DIR
#       print DIR/env with `export` in front, for eval.
#   tests/mysql/server.sh restart DIR
#       stop and start the same server again, keeping its data and port.
#
# It reads no option file (--no-defaults) and never uses the default socket
# or port, so a server already running on the machine is left alone.
# Users: report_ro (SELECT only on the test database) and report_admin (all
# privileges, for fixtures and for looking at the processlist).
# MYSQL_BUFFER_POOL (default 256M) sizes the InnoDB buffer pool (bench/mysql).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
	echo "usage: $0 start|stop|env|restart DIR [FIXTURE.sql...]" >&2
	exit 1
}
shift 2

die() {
	echo "mysql server: $*" >&2
	exit 1
}

# Is something listening on 127.0.0.1:$1 (or any address)?
port_busy() {
	ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
	return 1
}

# Poll until the server answers on its socket (up to 60 s), or die.
wait_up() {
	wait_up_quiet || { tail -20 "$dir/error.log" >&2; die "mariadbd did not come up (log above)"; }
}

# A test CA and a server certificate for 127.0.0.1 (EC keys: fast), plus a
# second CA that did not sign it, for the verification-failure test. Only
# when openssl is there; without it the server runs without TLS and the env
# file has no MYSQL_TLS_CA.
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
	} >"$t/openssl.log" 2>&1 || { rm -rf "$t"; echo "mysql server: no TLS (openssl failed)" >&2; }
}

launch() {
	port=$1
	tls=""
	if [ -f "$dir/tls/server.pem" ]; then
		tls="--ssl-ca=$dir/tls/ca.pem --ssl-cert=$dir/tls/server.pem --ssl-key=$dir/tls/server-key.pem"
	fi
	# Sockets have a ~107 byte path limit; DIR is expected to be short
	# (mktemp -d under /tmp).
	mariadbd --no-defaults --user=root \
		--datadir="$dir/data" --socket="$dir/mysqld.sock" \
		--pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
		--port="$port" --bind-address=127.0.0.1 \
		--skip-name-resolve --character-set-server=utf8mb4 \
		--collation-server=utf8mb4_general_ci \
		--innodb-buffer-pool-size="${MYSQL_BUFFER_POOL:-256M}" --innodb-log-file-size=256M \
		--innodb-flush-log-at-trx-commit=0 --skip-log-bin \
		--max-connections=200 --secure-file-priv="$dir/outfile" \
		--tmpdir="$dir/tmp" $tls >/dev/null 2>&1 &
	server_pid=$!
	echo "$server_pid" >"$dir/launcher.pid"
}

admin() {
	mariadb --no-defaults --default-character-set=utf8mb4 --protocol=socket --socket="$dir/mysqld.sock" -u root "$@"
}

start() {
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
	mkdir -p "$dir/data" "$dir/tmp" "$dir/outfile"
	mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
		--auth-root-authentication-method=normal --skip-test-db \
		>"$dir/install.log" 2>&1 || { tail -20 "$dir/install.log" >&2; die "mariadb-install-db failed"; }

	make_certs
	port=33306
	tries=0
	while :; do
		while port_busy $port; do port=$((port + 1)); done
		launch $port
		if wait_up_quiet; then break; fi
		# Lost a race for the port (or another start failure): try the next.
		tries=$((tries + 1))
		[ $tries -lt 5 ] || { tail -20 "$dir/error.log" >&2; die "mariadbd would not start"; }
		port=$((port + 1))
	done

	ro_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	admin_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	admin <<-EOF
		CREATE DATABASE reportbot_test CHARACTER SET utf8mb4;
		CREATE USER 'report_ro'@'127.0.0.1' IDENTIFIED BY '$ro_pw';
		CREATE USER 'report_ro'@'localhost' IDENTIFIED BY '$ro_pw';
		GRANT SELECT ON reportbot_test.* TO 'report_ro'@'127.0.0.1';
		GRANT SELECT ON reportbot_test.* TO 'report_ro'@'localhost';
		CREATE USER 'report_admin'@'127.0.0.1' IDENTIFIED BY '$admin_pw';
		CREATE USER 'report_admin'@'localhost' IDENTIFIED BY '$admin_pw';
		GRANT ALL ON *.* TO 'report_admin'@'127.0.0.1' WITH GRANT OPTION;
		GRANT ALL ON *.* TO 'report_admin'@'localhost' WITH GRANT OPTION;
	EOF

	cat >"$dir/env" <<-EOF
		MYSQL_DIR=$dir
		MYSQL_HOST=127.0.0.1
		MYSQL_PORT=$port
		MYSQL_SOCKET=$dir/mysqld.sock
		MYSQL_DATABASE=reportbot_test
		MYSQL_USER=report_ro
		MYSQL_PASSWORD=$ro_pw
		MYSQL_ADMIN_USER=report_admin
		MYSQL_ADMIN_PASSWORD=$admin_pw
		MYSQL_OUTFILE_DIR=$dir/outfile
	EOF
	if [ -f "$dir/tls/server.pem" ]; then
		echo "MYSQL_TLS_CA=$dir/tls/ca.pem" >>"$dir/env"
		echo "MYSQL_TLS_OTHER_CA=$dir/tls/other-ca.pem" >>"$dir/env"
	fi
	chmod 600 "$dir/env"

	for f in "$@"; do
		admin reportbot_test <"$f" || die "loading fixture $f failed"
	done
	echo "mysql server: up on 127.0.0.1:$port, socket $dir/mysqld.sock, env $dir/env"
}

# wait_up without dying: 0 when up, 1 when the process exited.
wait_up_quiet() {
	i=0
	while [ $i -lt 600 ]; do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			return 1
		fi
		if mariadb-admin --no-defaults --protocol=socket --socket="$dir/mysqld.sock" \
			-u root --connect-timeout=1 ping >/dev/null 2>&1; then
			return 0
		fi
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

shutdown_server() {
	[ -d "$dir" ] || return 0
	pid=$(cat "$dir/launcher.pid" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	admin -e "SHUTDOWN" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			kill -9 "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
}

case $cmd in
start)
	start "$@"
	;;
stop)
	# Only ever remove a directory this script made.
	if [ -d "$dir" ] && [ ! -f "$dir/env" ] && [ ! -d "$dir/data/mysql" ]; then
		die "$dir does not look like a server directory; not removing it"
	fi
	shutdown_server
	rm -rf "$dir"
	;;
restart)
	[ -f "$dir/env" ] || die "no server in $dir"
	shutdown_server
	port=$(sed -n 's/^MYSQL_PORT=//p' "$dir/env")
	launch "$port"
	wait_up
	;;
env)
	[ -f "$dir/env" ] || die "no server in $dir"
	sed 's/^/export /' "$dir/env"
	;;
*)
	die "unknown command '$cmd'; accepted: start stop env restart"
	;;
esac
