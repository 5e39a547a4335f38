#!/usr/bin/env bash
# A first import's peak memory against its size (issue 13: "a first
# import of 200,000 mails runs in memory independent of the folder
# size"). For each size N, a folder of N generated .eml files (about
# 7 KB each, dated in the last days) is imported by a real
# `gwsync sync --yes` into a fresh state and CRM (crmsql on SQLite), the
# files source reading the folder. Prints one table: N, wall time, peak
# RSS (GNU time's "Maximum resident set size") and RSS per 1,000 mails
# above the smallest size, so growth is visible.
#
#   bench/import/run.sh [SIZES] [WORKDIR]     defaults "25000 50000 100000", a temp dir
#   MODE=in_process bench/import/run.sh ...   adapters in process (default: out of process)
#
# Needs python3 and GNU time (/usr/bin/time).
set -euo pipefail
sizes=${1:-25000 50000 100000}
work=${2:-$(mktemp -d)}
mode=${MODE:-default}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)
go build -o "$work/gwsync" "$root/cmd/gwsync"

mails() { # DIR N: N mails, one file each; made once per size
	[[ -f $1/.done ]] && return
	rm -rf "$1" && mkdir -p "$1"
	python3 - "$1" "$2" <<'PY'
import os, sys, time, email.utils
d, n = sys.argv[1], int(sys.argv[2])
now = time.time()
para = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
        "tempor incididunt ut labore et dolore magna aliqua. ") * 4 + "\n"
body = para * 24  # about 6.6 KB of text
for i in range(n):
    date = email.utils.formatdate(now - 60 * (i % 20000) - 3600, localtime=False)
    with open(os.path.join(d, "m%07d.eml" % i), "w") as f:
        f.write("From: Sender %d <sender%d@example.com>\r\nTo: alice@example.com\r\n"
                "Subject: Bench mail %d\r\nDate: %s\r\nMessage-ID: <bench-%d@example.com>\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\n%s" % (i % 97, i % 97, i, date, i, body))
PY
	touch "$1/.done"
}

printf '\nfirst import through the files source (%s mode): peak RSS against size\n\n' "$mode"
printf '| %9s | %9s | %13s | %16s |\n' "mails" "wall" "peak RSS" "growth /1k mails"
printf '|%s|%s|%s|%s|\n' "-----------" "-----------" "---------------" "------------------"
first_n='' first_rss=''
for n in $sizes; do
	mails "$work/mail-$n" "$n"
	run=$work/run-$n
	rm -rf "$run" && mkdir -p "$run"
	inproc=''
	[[ $mode == in_process ]] && inproc='in_process: true'
	cat >"$run/gwsync.yaml" <<YAML
state: sqlite:$run/state.db
crm:
  plugin: crmsql
  $inproc
  options: {dsn: "sqlite:$run/crm.db"}
defaults:
  window: {past: 60d, future: 30d}
users:
  - name: alice
    email: alice@example.com
    areas: [emails]
    sources:
      - name: mail
        plugin: files
        $inproc
        options: {mail_dir: "$work/mail-$n"}
YAML
	/usr/bin/time -v -o "$run/time.txt" "$work/gwsync" --config "$run/gwsync.yaml" sync --yes >"$run/out.txt" 2>&1 ||
		{ cat "$run/out.txt" >&2; exit 1; }
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$run/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$run/time.txt")
	growth=''
	if [[ -z $first_n ]]; then
		first_n=$n first_rss=$rss
	else
		growth=$(awk -v a="$first_rss" -v b="$rss" -v m="$first_n" -v n="$n" 'BEGIN {printf "%.2f MiB", (b-a)*1000/(n-m)}')
	fi
	printf '| %9s | %9s | %9s MiB | %16s |\n' "$n" "$wall" "$rss" "$growth"
	rm -f "$run"/*.db*
done
