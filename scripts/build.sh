#!/usr/bin/env bash
# Builds the release binary: static (no cgo), paths trimmed, version and
# commit stamped (gwsync --version shows them). deploy/Containerfile runs
# this same script, so the image holds exactly this build.
#
#   scripts/build.sh [OUT]          build OUT (default ./gwsync)
#   scripts/build.sh --print [OUT]  print the go build command only
#
# VERSION and COMMIT default to `git describe` and `git rev-parse HEAD`.
set -euo pipefail
cd "$(dirname "$0")/.."
print=false
if [[ "${1:-}" == "--print" ]]; then
  print=true
  shift
fi
out="${1:-gwsync}"
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}"
commit="${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
cmd=(go build -trimpath -buildvcs=false
  -ldflags "-s -w -X main.version=${version} -X main.commit=${commit}"
  -o "$out" ./cmd/gwsync)
if $print; then
  printf 'CGO_ENABLED=0'
  printf ' %q' "${cmd[@]}"
  printf '\n'
  exit 0
fi
CGO_ENABLED=0 "${cmd[@]}"
