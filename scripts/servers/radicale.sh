#!/usr/bin/env bash
# Radicale (CalDAV) for the tests, on 127.0.0.1, state in STATE_DIR.
#   radicale.sh install            apt-get install radicale when missing
#   radicale.sh start STATE_DIR    prints `export GWSYNC_TEST_RADICALE_*=…`
#   radicale.sh stop STATE_DIR     stops the process it started (by PID)
# User alice, password secret (plain htpasswd: bcrypt costs 0.1-0.3 s per
# request in Radicale 3.1). Principal /alice/ appears on first login.
set -euo pipefail

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "${1:-}" in
install)
	command -v radicale >/dev/null && command -v curl >/dev/null && exit 0
	# curl: start waits for the server with it.
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends radicale curl >&2
	;;
start)
	dir=${2:?usage: $0 start STATE_DIR}
	mkdir -p "$dir/collections"
	dir=$(cd "$dir" && pwd)
	port=$(free_port)
	printf 'alice:secret\n' >"$dir/users"
	cat >"$dir/config" <<CONF
[server]
hosts = 127.0.0.1:$port
[auth]
type = htpasswd
htpasswd_filename = $dir/users
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = $dir/collections
[web]
type = none
[logging]
level = warning
CONF
	radicale --config "$dir/config" >"$dir/radicale.log" 2>&1 &
	echo $! >"$dir/radicale.pid"
	for _ in $(seq 100); do
		if curl -s -o /dev/null "http://127.0.0.1:$port/"; then break; fi
		sleep 0.05
	done
	curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "radicale did not start, see $dir/radicale.log" >&2; exit 1; }
	echo "export GWSYNC_TEST_RADICALE_URL=http://127.0.0.1:$port/"
	echo "export GWSYNC_TEST_RADICALE_USER=alice"
	echo "export GWSYNC_TEST_RADICALE_PASSWORD=secret"
	;;
stop)
	dir=${2:?usage: $0 stop STATE_DIR}
	[[ -f "$dir/radicale.pid" ]] || exit 0
	pid=$(cat "$dir/radicale.pid")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/radicale.pid"
	;;
*)
	echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2
	exit 2
	;;
esac
