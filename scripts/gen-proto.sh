#!/bin/sh
# Regenerates the plugin protocol's Go code (plugins/proto/pluginv1) from
# plugins/proto with the generators pinned in tools/go.mod, and lints the
# .proto files. Run from anywhere inside the repository.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

buf() { go tool -modfile=tools/go.mod buf "$@"; }

buf lint
# Generated files of messages or services that were removed must not linger.
rm -f plugins/proto/pluginv1/*.pb.go
buf generate
gofmt -l plugins/proto/pluginv1 | sed 's/^/not gofmt-clean: /'
# The Python example plugin's stubs come from the same .proto files; its
# test (examples/plugins/python-sink) fails when they are stale.
if /usr/bin/python3 -c 'import grpc_tools.protoc' 2>/dev/null; then
	sh examples/plugins/python-sink/gen.sh
else
	echo "note: python3-grpc-tools missing (scripts/servers/python-grpc.sh install): examples/plugins/python-sink/pycrm/gen not regenerated" >&2
fi
