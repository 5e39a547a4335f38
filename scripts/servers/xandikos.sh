#!/usr/bin/env bash
# Xandikos (CalDAV) for the tests, on 127.0.0.1, state in STATE_DIR.
#   xandikos.sh install            apt-get install xandikos when missing
#   xandikos.sh start STATE_DIR    prints `export GWSYNC_TEST_XANDIKOS_URL=…`
#   xandikos.sh stop STATE_DIR     stops the process it started (by PID)
# Xandikos has no authentication; --defaults creates /alice/calendars/calendar/.
set -euo pipefail

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "${1:-}" in
install)
	command -v xandikos >/dev/null && exit 0
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends xandikos >&2
	;;
start)
	dir=${2:?usage: $0 start STATE_DIR}
	mkdir -p "$dir/data"
	dir=$(cd "$dir" && pwd)
	port=$(free_port)
	xandikos -d "$dir/data" -l 127.0.0.1 -p "$port" --defaults --current-user-principal /alice/ >"$dir/xandikos.log" 2>&1 &
	echo $! >"$dir/xandikos.pid"
	for _ in $(seq 100); do
		if curl -sf -o /dev/null "http://127.0.0.1:$port/health"; then break; fi
		sleep 0.05
	done
	curl -sf -o /dev/null "http://127.0.0.1:$port/health" || { echo "xandikos did not start, see $dir/xandikos.log" >&2; exit 1; }
	echo "export GWSYNC_TEST_XANDIKOS_URL=http://127.0.0.1:$port/"
	;;
stop)
	dir=${2:?usage: $0 stop STATE_DIR}
	[[ -f "$dir/xandikos.pid" ]] || exit 0
	pid=$(cat "$dir/xandikos.pid")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/xandikos.pid"
	;;
*)
	echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2
	exit 2
	;;
esac
