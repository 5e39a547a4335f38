#!/usr/bin/env bash
# CalDAV benchmark against Radicale (scripts/servers/radicale.sh start DIR,
# then source its exports). Prints a markdown table:
#   - curl floor: one calendar-query REPORT with calendar-data (best of 3)
#   - gwsync caldav full import (process start to snapshot done) and a
#     no-change resync in a new process, with its HTTP request count
#   - vdirsyncer (Debian package) full sync and no-change resync
#   - peak RSS of a 20,000-event full import (/usr/bin/time -v)
# Usage: bench/caldav/run.sh [EVENTS]   (default 2000)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${GWSYNC_TEST_RADICALE_URL:?start scripts/servers/radicale.sh and source its exports}"
url=${GWSYNC_TEST_RADICALE_URL%/}
user=${GWSYNC_TEST_RADICALE_USER:-alice}
pass=${GWSYNC_TEST_RADICALE_PASSWORD:-secret}
n=${1:-2000}
work=$(mktemp -d "${TMPDIR:-/tmp}/gwsync-bench.XXXXXX")
cleanup() {
	for c in "${made[@]}"; do curl -s -o /dev/null -u "$user:$pass" -X DELETE "$url$c" || true; done
	rm -rf "$work"
}
made=()
trap cleanup EXIT

go build -o "$work/caldav-bench" ./bench/caldav

# seed N events (every 10th weekly recurring, every 7th a meeting, every
# 13th all-day) as one PUT of a whole calendar, which Radicale splits.
seed() { # seed COUNT PATH
	python3 - "$1" >"$work/seed.ics" <<'PY'
import sys, datetime
n = int(sys.argv[1]); now = datetime.datetime.utcnow().replace(minute=0, second=0, microsecond=0)
out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gwsync bench//EN"]
for i in range(n):
    s = now + datetime.timedelta(hours=3 * i % (24 * 300))
    out += ["BEGIN:VEVENT", f"UID:bench-{i}@gwsync", "DTSTAMP:20260101T000000Z", f"SUMMARY:Bench event {i}"]
    if i % 13 == 0:
        out += [f"DTSTART;VALUE=DATE:{s:%Y%m%d}", f"DTEND;VALUE=DATE:{s + datetime.timedelta(days=1):%Y%m%d}"]
    else:
        out += [f"DTSTART:{s:%Y%m%dT%H%M%SZ}", f"DTEND:{s + datetime.timedelta(hours=1):%Y%m%dT%H%M%SZ}"]
    if i % 10 == 0:
        out.append("RRULE:FREQ=WEEKLY;COUNT=10")
    if i % 7 == 0:
        out += ["ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com"]
    out += [f"DESCRIPTION:Event number {i} with some text to make it realistic.", "END:VEVENT"]
out.append("END:VCALENDAR")
print("\r\n".join(out), end="\r\n")
PY
	curl -sf -u "$user:$pass" -X PUT -H 'Content-Type: text/calendar' --data-binary @"$work/seed.ics" "$url$2" -o /dev/null
}

best() { sort -n | head -1; }
cal="/$user/bench-$$-$n/"
seed "$n" "$cal"
made+=("$cal")

query='<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>'
floor=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' -u "$user:$pass" -X REPORT -H 'Depth: 1' -H 'Content-Type: application/xml' --data "$query" "$url$cal"; done | best)

runs=()
for _ in 1 2 3; do
	s=$(date +%s.%N)
	out=$("$work/caldav-bench" -url "$url/" -user "$user" -password "$pass" -calendar "$cal")
	e=$(date +%s.%N)
	runs+=("$(python3 -c "print(f'{$e-$s:.3f}')") $out")
done
best_run=$(printf '%s\n' "${runs[@]}" | sort -n | head -1)
read -r proc full resync requests items changed <<<"$best_run"
# the process also ran the resync; the import alone is the rest
proc_full=$(python3 -c "print(f'{$proc-$resync:.3f}')")

vd_full=n/a vd_resync=n/a
if command -v vdirsyncer >/dev/null; then
	mkdir -p "$work/vd/local" "$work/vd/status"
	cat >"$work/vd/config" <<CONF
[general]
status_path = "$work/vd/status"
[pair bench]
a = "remote"
b = "local"
collections = null
[storage remote]
type = "caldav"
url = "$url$cal"
username = "$user"
password = "$pass"
[storage local]
type = "filesystem"
path = "$work/vd/local"
fileext = ".ics"
CONF
	t() { s=$(date +%s.%N); vdirsyncer -c "$work/vd/config" "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); python3 -c "print(f'{$e-$s:.3f}')"; }
	t discover >/dev/null
	vd_full=$(t sync)
	vd_resync=$(t sync)
fi

big=20000
cal20="/$user/bench-$$-$big/"
seed "$big" "$cal20"
made+=("$cal20")
rss=$( { /usr/bin/time -v "$work/caldav-bench" -url "$url/" -user "$user" -password "$pass" -calendar "$cal20" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo
echo "| figure ($n events, Radicale, one calendar) | value | target |"
echo "|---|---|---|"
echo "| curl floor: one calendar-query REPORT with data | ${floor} s | |"
echo "| gwsync caldav full import, process start to snapshot done | ${proc_full} s (snapshot ${full} s, $items items) | ≤ 3× floor |"
echo "| full import / curl floor | $(ratio "$proc_full" "$floor")× | ≤ 3× |"
echo "| no-change resync (new process, from cursor) | ${resync} s, $requests HTTP requests, $changed items | ≤ 2 requests per collection |"
echo "| vdirsyncer full sync / no-change resync | ${vd_full} s / ${vd_resync} s | |"
if [[ $vd_full != n/a ]]; then
	echo "| gwsync full import / vdirsyncer full sync | $(ratio "$proc_full" "$vd_full")× | ≤ 0.25× |"
fi
echo "| peak RSS, $big-event full import | $((rss / 1024)) MiB | ≤ 1024 MiB |"
