#!/bin/sh
# Regenerates the Python stubs in pycrm/gen from gwsync's .proto files
# (plugins/proto) and the go-plugin, health and rpc-status copies in
# proto/, with Debian's python3-grpc-tools. The stubs are committed so the
# plugin needs only python3-grpcio and python3-protobuf to run; the Go test
# (pycrm_test.go) fails when they are stale.
#   gen.sh [OUT_DIR]    (default: pycrm/gen next to this script)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$here/pycrm/gen}
rm -rf "$out"
mkdir -p "$out"
cd "$here"
/usr/bin/python3 -m grpc_tools.protoc -I proto -I "$root/plugins/proto" \
	--python_out="$out" --grpc_python_out="$out" \
	proto/goplugin/goplugin.proto proto/goplugin/health.proto proto/goplugin/rpcstatus.proto \
	"$root/plugins/proto/gwsync/plugin/v1/types.proto" "$root/plugins/proto/gwsync/plugin/v1/sink.proto"
# protoc writes a _grpc module for every file; those without a service are empty.
rm -f "$out/goplugin/rpcstatus_pb2_grpc.py" "$out/gwsync/plugin/v1/types_pb2_grpc.py"
