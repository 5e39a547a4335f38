#!/usr/bin/env bash
# CalDAV benchmark against Radicale (scripts/servers/radicale.sh start DIR,
# then eval its exports). Prints a markdown table:
#   - curl floor: one calendar-query REPORT with calendar-data (best of 3)
#   - `gwsync sync --yes` (caldav source, crmsql CRM, both as the default
#     child-process plugins; IN_PROCESS=true runs them in process), process
#     start to exit: full import into a fresh state and CRM, the first
#     resync (takes the sync-token) and a no-change resync, with the HTTP
#     requests of each snapshot from the adapter's "caldav snapshot" line
#   - vdirsyncer (Debian package) full sync and no-change resync
#   - peak RSS of a 20,000-event full import (in process, /usr/bin/time -v)
# Timings are best of 3 fresh runs; they are reported, never asserted.
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

go build -o "$work/gwsync" ./cmd/gwsync

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

secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
printf '%s' "$pass" >"$work/pw"
# config DIR CALENDAR IN_PROCESS: a gwsync config with its state and CRM in DIR
config() {
	mkdir -p "$1"
	cat >"$1/gwsync.yaml" <<YAML
state: sqlite:$1/state.db
crm: {plugin: crmsql, in_process: $3, options: {dsn: "sqlite:$1/crm.db"}}
users:
  - name: $user
    email: $user@example.com
    areas: [appointments]
    sources:
      - name: cal
        plugin: caldav
        in_process: $3
        options: {url: "$url/", username: $user, password_file: $work/pw, calendars: ["$2"], task_lists: []}
YAML
}
# gw DIR LABEL: one `gwsync sync --yes`; prints "seconds items requests"
gw() {
	local s e
	s=$(date +%s.%N)
	"$work/gwsync" sync --config "$1/gwsync.yaml" --yes --log-level info >"$1/$2.out" 2>"$1/$2.log" ||
		{ echo "gwsync sync failed:" >&2; tail -20 "$1/$2.log" >&2; exit 1; }
	e=$(date +%s.%N)
	local line
	line=$(grep 'caldav snapshot' "$1/$2.log" | head -1)
	echo "$(secs "$s" "$e") $(grep -o 'items=[0-9]*' <<<"$line" | cut -d= -f2) $(grep -o 'requests=[0-9]*' <<<"$line" | cut -d= -f2)"
}
in_process=${IN_PROCESS:-false}
# Radicale builds its item cache on the first read of new objects: warm
# it, as the curl floor did, so that no figure pays for it.
config "$work/warm" "$cal" true
gw "$work/warm" full >/dev/null
fulls=() firsts=() nochanges=()
for i in 1 2 3; do
	config "$work/run$i" "$cal" "$in_process"
	fulls+=("$(gw "$work/run$i" full)")
	firsts+=("$(gw "$work/run$i" first)")
	nochanges+=("$(gw "$work/run$i" again)")
done
read -r full items full_req <<<"$(printf '%s\n' "${fulls[@]}" | sort -n | head -1)"
read -r first first_items first_req <<<"$(printf '%s\n' "${firsts[@]}" | sort -n | head -1)"
read -r resync changed requests <<<"$(printf '%s\n' "${nochanges[@]}" | sort -n | head -1)"

vd_full=n/a vd_resync=n/a
if ! command -v vdirsyncer >/dev/null || ! command -v /usr/bin/time >/dev/null; then
	# The comparison tool comes from Debian; install it when missing.
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends vdirsyncer time >&2 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends vdirsyncer time >&2; } || true
fi
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
config "$work/big" "$cal20" true
/usr/bin/time -v -o "$work/big.time" "$work/gwsync" sync --config "$work/big/gwsync.yaml" --yes >/dev/null 2>&1
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/big.time")
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo
echo "| figure ($n events, Radicale, one calendar) | value | target |"
echo "|---|---|---|"
echo "| curl floor: one calendar-query REPORT with data | ${floor} s | |"
echo "| gwsync sync --yes full import, process start to exit (plugins in_process: $in_process) | ${full} s ($items items, $full_req requests in the snapshot) | ≤ 3× floor |"
echo "| full import / curl floor | $(ratio "$full" "$floor")× | ≤ 3× |"
echo "| first resync (takes the sync-token), process start to exit | ${first} s, $first_req requests, $first_items items | |"
echo "| no-change resync, process start to exit | ${resync} s, $requests requests, $changed items | ≤ 2 requests per collection |"
echo "| vdirsyncer full sync / no-change resync | ${vd_full} s / ${vd_resync} s | |"
if [[ $vd_full != n/a ]]; then
	echo "| gwsync full import / vdirsyncer full sync | $(ratio "$full" "$vd_full")× | ≤ 0.25× |"
	echo "| gwsync no-change resync / vdirsyncer no-change resync | $(ratio "$resync" "$vd_resync")× | |"
fi
echo "| peak RSS, $big-event full import (in process) | $((rss / 1024)) MiB | ≤ 1024 MiB |"
