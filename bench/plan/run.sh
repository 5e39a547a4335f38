#!/usr/bin/env bash
# The real `gwsync plan` over a large state (issue 13): N links of one
# user's CalDAV calendar, each with its CRM activity (crmsql on SQLite,
# 2 KB bodies), of which CHANGED were moved in the CRM since the last
# run. The calendar itself is empty and synced (its sync-token is
# stored), so what is measured is the CRM side and the links.
#
#   bench/plan/run.sh [N] [CHANGED] [WORKDIR]     defaults 1000000 10000, a temp dir
#   REUSE=1 bench/plan/run.sh N CHANGED WORKDIR   measure again on what an earlier run made there
#
# Prints one table: wall time and peak RSS (/usr/bin/time -v) of
# `gwsync plan` as it runs normally (the CRM listed by change since the
# stored cursor) and with --full (the daily consistency check: every
# activity listed, every link loaded). Needs radicale (scripts/servers/
# radicale.sh install) and GNU time.
set -euo pipefail
n=${1:-1000000}
changed=${2:-10000}
work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)

go build -o "$work/gwsync" "$root/cmd/gwsync"
go build -o "$work/gen" "$root/bench/plan/gen"

reuse=${REUSE:-}
[[ -n $reuse && -f $work/state.db ]] || { reuse=; rm -rf "$work/radicale"; } # else a fresh, empty calendar
eval "$("$root/scripts/servers/radicale.sh" start "$work/radicale")"
trap '"$root/scripts/servers/radicale.sh" stop "$work/radicale"' EXIT
[[ -n $reuse ]] || curl -sf -u alice:secret -X MKCALENDAR "${GWSYNC_TEST_RADICALE_URL}alice/bench/" >/dev/null

cat >"$work/gwsync.yaml" <<YAML
state: sqlite:$work/state.db
crm:
  plugin: crmsql
  options:
    dsn: sqlite:$work/crm.db
defaults:
  window: {past: 30d, future: 1200d}
users:
  - name: alice
    email: alice@example.com
    sources:
      - name: cal
        plugin: caldav
        options:
          url: ${GWSYNC_TEST_RADICALE_URL}alice/
          username: alice
          password: secret
YAML

if [[ -z $reuse ]]; then
	rm -f "$work"/state.db* "$work"/crm.db*
	"$work/gwsync" --config "$work/gwsync.yaml" sync --yes >/dev/null # makes both databases, stores the cursors
	"$work/gen" -state "$work/state.db" -crm "$work/crm.db" -n "$n" -changed "$changed"
fi

measure() { # label, plan flags...
	local label=$1
	shift
	/usr/bin/time -v -o "$work/time.txt" "$work/gwsync" --config "$work/gwsync.yaml" plan --json "$@" >"$work/plan.json"
	local wall rss actions
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time.txt")
	actions=$(grep -c '"kind": "update-groupware"' "$work/plan.json" || true)
	printf '| %-34s | %9s | %9s MiB | %9s |\n' "$label" "$wall" "$rss" "$actions"
}

printf '\n%d links, %d moved in the CRM (gwsync plan, default mode)\n\n' "$n" "$changed"
printf '| %-34s | %9s | %13s | %9s |\n' "run" "wall" "peak RSS" "updates"
printf '|%s|%s|%s|%s|\n' "------------------------------------" "-----------" "---------------" "-----------"
measure "plan (CRM listed by change)"
measure "plan --full (consistency check)" --full
measure "plan (CRM listed by change), again"
