#!/usr/bin/env bash
# What the example Python CRM sink (examples/plugins/python-sink) runs on:
# Debian's Python 3 with python3-grpcio and python3-protobuf, and
# python3-grpc-tools, with which its test checks that the committed stubs
# are current. Nothing runs: the plugin is started by the test itself.
#   python-grpc.sh install            apt-get install them when missing
#   python-grpc.sh start STATE_DIR    prints `export GWSYNC_TEST_PYTHON_GRPC=…`
#   python-grpc.sh stop STATE_DIR     nothing to stop
set -euo pipefail

python=/usr/bin/python3

usable() {
	[[ -x $python ]] && $python -c 'import grpc, google.protobuf, grpc_tools.protoc' 2>/dev/null
}

case "${1:-}" in
install)
	usable && exit 0
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		python3 python3-grpcio python3-protobuf python3-grpc-tools >&2
	;;
start)
	usable || { echo "python3-grpcio, python3-protobuf or python3-grpc-tools is missing: run $0 install" >&2; exit 1; }
	echo "export GWSYNC_TEST_PYTHON_GRPC=$python"
	;;
stop) ;;
*)
	echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2
	exit 2
	;;
esac
