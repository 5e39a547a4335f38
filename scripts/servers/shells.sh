#!/usr/bin/env bash
# zsh and fish, for the tests of `gwsync completion` (bash is always
# there). Nothing runs: start only says which shells are installed.
#   shells.sh install            apt-get install zsh fish when missing
#   shells.sh start STATE_DIR    prints `export GWSYNC_TEST_SHELLS=…`
#   shells.sh stop STATE_DIR     nothing to stop
set -euo pipefail
case "${1:-}" in
install)
	command -v zsh >/dev/null && command -v fish >/dev/null && exit 0
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends zsh fish >&2
	;;
start) echo "export GWSYNC_TEST_SHELLS=zsh,fish" ;;
stop) ;;
*)
	echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2
	exit 2
	;;
esac
