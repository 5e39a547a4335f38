#!/usr/bin/env bash
# Prints the foundation's benchmark figures as a markdown table:
#   - the planner over 1,000,000 links with 1% changed (target ≤ 2 s, ≤ 1 GiB),
#   - walking 1,000,000 links from the SQLite state store,
#   - a 100,000-item snapshot out of process against in process (target ≤ 1.3),
#     on the files adapter (real parsing work) and on the memory adapter
#     (no work at all: the wire's worst case).
# Takes a few minutes. Figures vary with machine load; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() { go test "$1" -run '^$' -bench "$2" -benchtime "$3" 2>&1 | grep -E '^Benchmark' >>"$out" || true; }
run ./engine 'BuildPlan1M|Inputs1M' 3x
run ./engine/state '^BenchmarkLinks$' 1x
run ./plugins '^BenchmarkSnapshot$/paired' 5x
run ./plugins 'SnapshotFiles' 3x

metric() { # metric BENCH-REGEX UNIT
	awk -v b="$1" -v u="$2" '$1 ~ b { for (i = 2; i < NF; i++) if ($(i+1) == u) { print $i; exit } }' "$out"
}
secs() { awk -v n="${1:-0}" 'BEGIN { printf "%.2f s", n / 1e9 }'; }

plan=$(metric 'BuildPlan1M' ns/op); inputs=$(metric 'Inputs1M' ns/op)
echo
echo "| figure | value | target |"
echo "|---|---|---|"
echo "| planner, 1,000,000 links, 1% changed (incl. generating inputs) | $(secs "$plan") | |"
echo "| of which generating the inputs | $(secs "$inputs") | |"
echo "| planner's own time | $(secs $((plan - inputs))) | ≤ 2 s |"
echo "| planner peak heap | $(metric 'BuildPlan1M' peak-heap-MiB) MiB | ≤ 1024 MiB |"
echo "| SQLite state: walk 1,000,000 links | $(secs "$(metric 'BenchmarkLinks' ns/op)") | |"
echo "| files adapter, 100,000 items: in process | $(secs "$(metric 'SnapshotFiles' inprocess-ns/op)") | |"
echo "| files adapter, 100,000 items: out of process | $(secs "$(metric 'SnapshotFiles' subprocess-ns/op)") | |"
echo "| files adapter: ratio out/in (median of pairs) | $(metric 'SnapshotFiles' median-ratio) | ≤ 1.3 |"
echo "| memory adapter (no source work): ratio out/in | $(metric 'Snapshot/paired' median-ratio) | (worst case) |"
