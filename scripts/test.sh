#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with Go:
#   bash scripts/test.sh
# It installs (apt-get) and starts the real servers the tests need
# (scripts/servers/*.sh: each on 127.0.0.1, in a temp dir, stopped by its
# PID at the end), then checks formatting, vet and generated code, and runs
# every Go test under the race detector with the servers required (a
# missing one fails, never skips), then each fuzz target for a short time.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

state=$(mktemp -d "${TMPDIR:-/tmp}/gwsync-test.XXXXXX")
# Servers drop privileges (Dovecot's auth runs as "dovecot", mail as
# "nobody"): they must be able to traverse into their own state dirs.
chmod 711 "$state"
started=()
cleanup() {
	for s in "${started[@]}"; do
		"$s" stop "$state/$(basename "$s" .sh)" || echo "warning: $s stop failed" >&2
	done
	rm -rf "$state"
}
trap cleanup EXIT

shopt -s nullglob
servers=(scripts/servers/*.sh)
if ((${#servers[@]})); then
	step "servers: install"
	updated=0
	for s in "${servers[@]}"; do
		# Package lists may be missing on a fresh machine: update once, retry.
		if ! "$s" install; then
			if ((updated == 0)); then apt-get update -qq; updated=1; fi
			"$s" install
		fi
	done
	step "servers: start"
	for s in "${servers[@]}"; do
		dir="$state/$(basename "$s" .sh)"
		mkdir -p "$dir"
		exports=$("$s" start "$dir")
		started+=("$s")
		eval "$exports"
		echo "$s: $(echo "$exports" | grep -o 'GWSYNC_TEST_[A-Z_]*' | sort -u | tr '\n' ' ')"
	done
	export GWSYNC_REQUIRE_SERVERS=1
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '\.pb\.go$'))
if [[ -n "$unformatted" ]]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "generated code is current"
bash scripts/check-generated.sh

# Every test once, under the race detector (the real servers included).
step "go test -race"
go test -count=1 -race -timeout 30m ./...

# Tests that measure memory keep their bound only without -race (its
# shadow memory inflates every allocation).
step "go test (memory bounds, without -race)"
go test -count=1 -timeout 5m -run 'TestReadAttachmentBounds' ./adapters/imap/

# The differential tests again, verbose, so their counts (cases, agree,
# accepted differences with their RFC references, disagree) are in the log.
step "differential tests (counts)"
go test -count=1 -run '^TestDifferential' -v ./adapters/icalendar/ ./adapters/mailmsg/ |
	grep -E '^(differential|  accepted|--- FAIL|FAIL|ok)|MIME differential:'

# Each fuzz target for a short budget; a crasher fails the step and is
# written under the package's testdata/fuzz, to be committed as a case.
# The budget is a count of inputs, not a duration: Go 1.26's coordinator
# can report a spurious "context deadline exceeded" when a -fuzztime
# duration ends (golang/go#75804), and a duration also gives less
# fuzzing on a loaded machine. Minimizing a new input is bounded the
# same way.
step "fuzz (${GWSYNC_FUZZTIME:=40000x} each)"
for target in ./adapters/icalendar:FuzzParse ./adapters/icalendar:FuzzExpand \
	./adapters/icalendar:FuzzPatch ./adapters/mailmsg:FuzzParse ./adapters/mailmsg:FuzzUTF7; do
	go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$GWSYNC_FUZZTIME" -fuzzminimizetime 200x "${target%%:*}"
done
