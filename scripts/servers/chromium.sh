#!/usr/bin/env bash
# Debian's Chromium for the browser tests of the web client (package web).
#
#   chromium.sh install          apt-get install chromium if missing
#   chromium.sh start STATE_DIR  print `export GWSYNC_TEST_CHROMIUM=/usr/bin/chromium`
#   chromium.sh stop STATE_DIR   nothing to stop
#
# Chromium is not a server: each browser test starts its own headless
# browser (chromedp) with a fresh profile and ends it, so start and stop
# start and stop nothing.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

cmd_install() {
	if [ ! -x "$CHROMIUM" ]; then
		apt-get install -y --no-install-recommends chromium >&2
	fi
}

cmd_start() {
	[ -x "$CHROMIUM" ] || { echo "chromium.sh: $CHROMIUM missing; run '$0 install'" >&2; exit 1; }
	echo "export GWSYNC_TEST_CHROMIUM=$CHROMIUM"
}

case "${1:-}" in
install) cmd_install ;;
start) : "${2:?usage: $0 start STATE_DIR}"; cmd_start ;;
stop) : "${2:?usage: $0 stop STATE_DIR}" ;;
*) echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2; exit 2 ;;
esac
