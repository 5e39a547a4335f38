#!/usr/bin/env bash
# PostgreSQL for the tests, on 127.0.0.1, its cluster in STATE_DIR.
#   postgres.sh install            apt-get install postgresql when missing
#   postgres.sh start STATE_DIR    prints `export GWSYNC_TEST_POSTGRES_DSN=…`
#   postgres.sh stop STATE_DIR     stops the server it started (by PID)
# A fresh cluster (initdb) with one superuser gwsync, password secret, and a
# database gwsync; tests create a database of their own each
# (internal/testenv/pgtest). The socket lives in STATE_DIR, never in
# /var/run. fsync is off: a test cluster is thrown away, and the suite
# should not wait on the disk (benchmarks under bench/ start their own,
# durable cluster). GWSYNC_POSTGRES_CONF, when set, is appended to
# postgresql.conf as is (settings needed at start, such as
# shared_preload_libraries).
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# Debian package's postgres user.
set -euo pipefail

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# bindir finds the newest installed server's binaries (Debian keeps them
# out of PATH, under /usr/lib/postgresql/VERSION/bin).
bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[[ -n "$d" && -x "$d/initdb" ]] || return 1
	echo "$d"
}

# as_owner runs a command as the cluster's owner.
as_owner() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "${1:-}" in
install)
	bindir >/dev/null && command -v psql >/dev/null && exit 0
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql postgresql-client >&2
	;;
start)
	dir=${2:?usage: $0 start STATE_DIR}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	bin=$(bindir) || { echo "postgresql is not installed: run $0 install" >&2; exit 1; }
	port=$(free_port)
	mkdir -p "$dir/data" "$dir/run"
	printf 'secret\n' >"$dir/pwfile"
	if [[ $(id -u) -eq 0 ]]; then
		chown -R postgres "$dir/data" "$dir/run" "$dir/pwfile"
		chmod 711 "$dir"
	fi
	as_owner "$bin/initdb" -D "$dir/data" -U gwsync --pwfile="$dir/pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
${GWSYNC_POSTGRES_CONF:-}
CONF
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 30 start >&2 ||
		{ echo "postgresql did not start, see $dir/data/server.log" >&2; exit 1; }
	head -n 1 "$dir/data/postmaster.pid" >"$dir/postgres.pid"
	as_owner "$bin/psql" -h "$dir/run" -p "$port" -U gwsync -d postgres -qAt -c 'CREATE DATABASE gwsync' >&2
	echo "export GWSYNC_TEST_POSTGRES_DSN='postgres://gwsync:secret@127.0.0.1:$port/gwsync?sslmode=disable'"
	;;
stop)
	dir=${2:?usage: $0 stop STATE_DIR}
	[[ -f "$dir/postgres.pid" ]] || exit 0
	pid=$(cat "$dir/postgres.pid")
	# SIGINT is PostgreSQL's "fast" shutdown: roll back, stop at once.
	kill -INT "$pid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/postgres.pid"
	;;
*)
	echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2
	exit 2
	;;
esac
