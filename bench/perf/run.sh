#!/usr/bin/env bash
# Issue 13's comparison table: every anchor measured in the same run, on
# the same machine, as interleaved pairs (each round runs gwsync and its
# anchor back to back), reporting each side's median and the median of the
# per-round ratios. gwsync runs as shipped: `gwsync sync --yes`, process
# start to exit, default mode (adapters as child processes), SQLite state
# and CRM (crmsql) in fresh files.
#
#   bench/perf/run.sh            # sizes of the issue; PAIRS=3 rounds
#   PAIRS=5 CAL_N=2000 MAIL_N=10000 MAIL_LARGE=40000 bench/perf/run.sh
#
# Rows:
#   CalDAV full import (CAL_N events, Radicale) vs the store floor (one
#     calendar-query REPORT with calendar-data, and the same rows inserted
#     into a fresh SQLite database in one transaction, synchronous=FULL)
#     and vs vdirsyncer (Debian package) syncing into a fresh vdir;
#   CalDAV no-change resync at CAL_LARGE vs CAL_SMALL events;
#   IMAP full import (MAIL_N mails, Dovecot) vs mbsync (isync, FSync no)
#     into a fresh maildir and vs a raw `UID FETCH 1:* BODY.PEEK[]`, in
#     Python and in Go (rawfetch: little client CPU, so about the time the
#     server needs to send the folder, which bounds every importer);
#   IMAP no-change resync vs mbsync no-change at MAIL_N and MAIL_LARGE;
#   files source no-change resync at FILES_LARGE vs FILES_SMALL events.
# The servers come from scripts/servers/ (started here, stopped at exit).
# Timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
PAIRS=${PAIRS:-3}
CAL_N=${CAL_N:-2000} CAL_SMALL=${CAL_SMALL:-500} CAL_LARGE=${CAL_LARGE:-8000}
MAIL_N=${MAIL_N:-10000} MAIL_LARGE=${MAIL_LARGE:-40000}
FILES_SMALL=${FILES_SMALL:-400} FILES_LARGE=${FILES_LARGE:-4000}
ONLY=${ONLY:-caldav,imap,files} # which groups of rows to measure

work=$(mktemp -d "${TMPDIR:-/tmp}/gwsync-perf.XXXXXX")
chmod 755 "$work" # Dovecot's mail and auth processes run as another user
servers=()
cleanup() {
	for s in "${servers[@]}"; do scripts/servers/"$s".sh stop "$work/$s" >/dev/null 2>&1 || true; done
	rm -rf "$work"
}
trap cleanup EXIT
log=$work/log

# The anchors come from Debian; install them when missing.
need=()
command -v vdirsyncer >/dev/null || need+=(vdirsyncer)
command -v mbsync >/dev/null || need+=(isync)
if ((${#need[@]})); then
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2; }
fi

built_at=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo "+changes") # what the table measures
go build -o "$work/gwsync" ./cmd/gwsync
go build -o "$work/seed" ./bench/imap/seed
go build -o "$work/rawfetch" ./bench/perf/rawfetch
gw=$work/gwsync

# timed CMD...: runs CMD (output to the log) and prints its wall seconds.
timed() {
	local s e
	s=$(date +%s.%N)
	if ! "$@" >>"$log" 2>&1; then
		echo "failed: $*" >&2
		tail -30 "$log" >&2
		return 1
	fi
	e=$(date +%s.%N)
	python3 -c "print(f'{$e - $s:.3f}')"
}
sync_dir() { "$gw" sync --yes --config "$1/gwsync.yaml"; }
# logged CMD...: runs CMD into the log; on failure shows the log's tail.
logged() {
	"$@" >>"$log" 2>&1 || { echo "failed: $*" >&2; tail -30 "$log" >&2; return 1; }
}

rows=()
# row LABEL TARGET "A times" "B times": medians of both sides and the
# median of the per-round ratios A/B.
row() {
	rows+=("$(python3 - "$@" <<'PY'
import statistics, sys
label, target, a, b = sys.argv[1:5]
a, b = [float(x) for x in a.split()], [float(x) for x in b.split()]
r = [x / y for x, y in zip(a, b)]
print(f"| {label} | {statistics.median(a):.2f} s | {statistics.median(b):.2f} s | {statistics.median(r):.2f}× | {target} |")
PY
)")
}

# ---------------------------------------------------------------- CalDAV
caldav_rows() {
	eval "$(scripts/servers/radicale.sh start "$work/radicale")"
	servers+=(radicale)
	local url=${GWSYNC_TEST_RADICALE_URL%/} user=${GWSYNC_TEST_RADICALE_USER:-alice} pass=${GWSYNC_TEST_RADICALE_PASSWORD:-secret}
	printf '%s' "$pass" >"$work/pw-cal"
	# seed COUNT PATH: every 10th weekly recurring (10 occurrences), every
	# 7th a meeting, every 13th all-day; one PUT that Radicale splits.
	seed_cal() {
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
	cal_config() { # DIR CALENDAR
		mkdir -p "$1"
		cat >"$1/gwsync.yaml" <<YAML
state: sqlite:$1/state.db
crm: {plugin: crmsql, options: {dsn: "sqlite:$1/crm.db"}}
users:
  - name: $user
    email: $user@example.com
    areas: [appointments]
    sources:
      - name: cal
        plugin: caldav
        options: {url: "$url/", username: $user, password_file: $work/pw-cal, calendars: ["$2"], task_lists: []}
YAML
	}
	local cal="/$user/perf-$CAL_N/"
	seed_cal "$CAL_N" "$cal"
	# The store floor: what any importer must do (one REPORT with the data,
	# the rows written durably in one transaction).
	floor() {
		python3 - "$url$cal" "$user" "$pass" "$1" <<'PY'
import base64, sqlite3, sys, urllib.request, xml.etree.ElementTree as ET
url, user, pw, db = sys.argv[1:5]
q = b'<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>'
req = urllib.request.Request(url, data=q, method="REPORT", headers={"Depth": "1", "Content-Type": "application/xml",
    "Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()})
body = urllib.request.urlopen(req).read()
ns = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA synchronous=FULL")
con.execute("CREATE TABLE item (href TEXT, n INTEGER, etag TEXT, data TEXT, PRIMARY KEY (href, n))")
con.execute("BEGIN")
for r in ET.fromstring(body).findall("d:response", ns):
    href, etag = r.findtext("d:href", "", ns), r.findtext(".//d:getetag", "", ns)
    data = r.findtext(".//c:calendar-data", "", ns)
    # One row per item gwsync creates: a weekly series is its 10 occurrences.
    for n in range(10 if "RRULE" in data else 1):
        con.execute("INSERT INTO item VALUES (?, ?, ?, ?)", (href, n, etag, data))
con.execute("COMMIT")
PY
	}
	vd_config() { # DIR
		mkdir -p "$1/local" "$1/status"
		cat >"$1/config" <<CONF
[general]
status_path = "$1/status"
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
path = "$1/local"
fileext = ".ics"
CONF
		vdirsyncer -c "$1/config" discover >>"$log" 2>&1 </dev/null || true
	}
	# Warm Radicale's item cache, so that no side pays for it.
	cal_config "$work/cal-warm" "$cal"
	sync_dir "$work/cal-warm" >>"$log" 2>&1
	local g=() f=() v=()
	for i in $(seq "$PAIRS"); do
		cal_config "$work/cal-full-$i" "$cal"
		vd_config "$work/vd-$i"
		g+=("$(timed sync_dir "$work/cal-full-$i")")
		f+=("$(timed floor "$work/floor-$i.db")")
		v+=("$(timed vdirsyncer -c "$work/vd-$i/config" sync)")
	done
	row "CalDAV $CAL_N events full import / store floor" "≤ 1.5×" "${g[*]}" "${f[*]}"
	row "CalDAV $CAL_N events full import / vdirsyncer full sync" "≤ 0.1×" "${g[*]}" "${v[*]}"

	local small="/$user/perf-$CAL_SMALL/" large="/$user/perf-$CAL_LARGE/"
	seed_cal "$CAL_SMALL" "$small"
	seed_cal "$CAL_LARGE" "$large"
	cal_config "$work/cal-small" "$small"
	cal_config "$work/cal-large" "$large"
	for d in cal-small cal-large; do
		sync_dir "$work/$d" >>"$log" 2>&1 # the import
		sync_dir "$work/$d" >>"$log" 2>&1 # the first resync takes the sync-token
	done
	local s=() l=()
	for i in $(seq "$PAIRS"); do
		l+=("$(timed sync_dir "$work/cal-large")")
		s+=("$(timed sync_dir "$work/cal-small")")
	done
	row "CalDAV no-change resync, $CAL_LARGE events / $CAL_SMALL events" "≤ 1.2×" "${l[*]}" "${s[*]}"
}

# ------------------------------------------------------------------ IMAP
imap_rows() {
	eval "$(scripts/servers/dovecot.sh start "$work/dovecot")"
	servers+=(dovecot)
	local addr=$GWSYNC_TEST_DOVECOT_ADDR user=${GWSYNC_TEST_DOVECOT_USER2:-bob} pass=${GWSYNC_TEST_DOVECOT_PASSWORD:-secret}
	printf '%s' "$pass" >"$work/pw-imap"
	local f_n="Perf $MAIL_N" f_l="Perf $MAIL_LARGE"
	# Dovecot's auth process may answer "temporary failure" just after start.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"$work/seed" -addr "$addr" -user "$user" -password "$pass" -folder "$f_n" -n 1 -keep >>"$log" 2>&1 && break
		sleep 1
	done
	logged "$work/seed" -addr "$addr" -user "$user" -password "$pass" -folder "$f_n" -n "$MAIL_N" -keep
	logged "$work/seed" -addr "$addr" -user "$user" -password "$pass" -folder "$f_l" -n "$MAIL_LARGE" -keep
	imap_config() { # DIR FOLDER
		mkdir -p "$1"
		cat >"$1/gwsync.yaml" <<YAML
state: sqlite:$1/state.db
crm: {plugin: crmsql, options: {dsn: "sqlite:$1/crm.db"}}
users:
  - name: $user
    email: $user@example.com
    areas: [emails]
    sources:
      - name: mail
        plugin: imap
        options: {url: "imap://$addr", tls: none, username: $user, password_file: $work/pw-imap, folder: "$2"}
YAML
	}
	mb_config() { # DIR FOLDER
		mkdir -p "$1/maildir"
		cat >"$1/mbsyncrc" <<RC
FSync no

IMAPAccount bench
Host ${addr%:*}
Port ${addr##*:}
User $user
Pass $pass
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path $1/maildir/
Inbox $1/maildir/INBOX

Channel bench
Far :remote:"$2"
Near :local:"$2"
Sync Pull
Create Near
SyncState *
RC
	}
	raw_fetch() { # FOLDER
		python3 - "$addr" "$user" "$pass" "$1" <<'PY'
import imaplib, sys
addr, user, pw, folder = sys.argv[1:5]
host, port = addr.rsplit(":", 1)
m = imaplib.IMAP4(host, int(port))
m.login(user, pw)
m.select('"' + folder + '"', readonly=True)
typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
assert typ == "OK", typ
m.logout()
PY
	}
	local g=() b=() r=() w=()
	for i in $(seq "$PAIRS"); do
		imap_config "$work/imap-full-$i" "$f_n"
		mb_config "$work/mb-full-$i" "$f_n"
		g+=("$(timed sync_dir "$work/imap-full-$i")")
		b+=("$(timed mbsync -c "$work/mb-full-$i/mbsyncrc" -q bench)")
		r+=("$(timed raw_fetch "$f_n")")
		w+=("$(timed "$work/rawfetch" -addr "$addr" -user "$user" -password "$pass" -folder "$f_n")")
	done
	row "IMAP $MAIL_N mails full import / mbsync (FSync no)" "≤ 1.0×" "${g[*]}" "${b[*]}"
	row "IMAP $MAIL_N mails full import / raw UID FETCH 1:* BODY.PEEK[]" "" "${g[*]}" "${r[*]}"
	row "mbsync (FSync no) / raw UID FETCH in Go (the server's time)" "" "${b[*]}" "${w[*]}"

	# No-change: the first import's state, and mbsync's maildir of it.
	imap_config "$work/imap-large" "$f_l"
	mb_config "$work/mb-large" "$f_l"
	sync_dir "$work/imap-large" >>"$log" 2>&1
	mbsync -c "$work/mb-large/mbsyncrc" -q bench >>"$log" 2>&1
	local gn=() bn=() gl=() bl=()
	for i in $(seq "$PAIRS"); do
		gn+=("$(timed sync_dir "$work/imap-full-1")")
		bn+=("$(timed mbsync -c "$work/mb-full-1/mbsyncrc" -q bench)")
		gl+=("$(timed sync_dir "$work/imap-large")")
		bl+=("$(timed mbsync -c "$work/mb-large/mbsyncrc" -q bench)")
	done
	row "IMAP no-change resync, $MAIL_N mails / mbsync no-change" "≤ 2×" "${gn[*]}" "${bn[*]}"
	row "IMAP no-change resync, $MAIL_LARGE mails / mbsync no-change" "≤ 2×" "${gl[*]}" "${bl[*]}"
	row "IMAP no-change resync, $MAIL_LARGE mails / $MAIL_N mails (growth)" "flat" "${gl[*]}" "${gn[*]}"
}

# ----------------------------------------------------------------- files
files_rows() {
	files_site() { # DIR COUNT: one-off events, dated an hour back like a real vdir's
		mkdir -p "$1/calendar"
		python3 - "$1/calendar" "$2" <<'PY'
import datetime, os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
start = datetime.datetime.utcnow().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
old = time.time() - 3600
for i in range(n):
    s = start + datetime.timedelta(hours=3 * (i % 2000))
    p = os.path.join(d, f"perf-{i}.ics")
    with open(p, "w", newline="") as f:
        f.write("\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gwsync bench//EN", "BEGIN:VEVENT",
            f"UID:perf-{i}@gwsync", "DTSTAMP:20260101T000000Z", f"DTSTART:{s:%Y%m%dT%H%M%SZ}",
            f"DTEND:{s + datetime.timedelta(hours=1):%Y%m%dT%H%M%SZ}", f"SUMMARY:Perf event {i}",
            "DESCRIPTION:Agenda: pricing, renewal.", "END:VEVENT", "END:VCALENDAR"]) + "\r\n")
    os.utime(p, (old, old))
PY
		cat >"$1/gwsync.yaml" <<YAML
state: sqlite:$1/state.db
crm: {plugin: crmsql, options: {dsn: "sqlite:$1/crm.db"}}
defaults: {window: {past: 30d, future: 3y}, time_zone: UTC}
users:
  - name: sam
    email: sam@example.com
    sources:
      - {name: files, plugin: files, options: {calendar_dir: $1/calendar}}
YAML
		sync_dir "$1" >>"$log" 2>&1 # the import
		sync_dir "$1" >>"$log" 2>&1 # the first run led by the stat cursor
	}
	files_site "$work/files-small" "$FILES_SMALL"
	files_site "$work/files-large" "$FILES_LARGE"
	local s=() l=()
	for i in $(seq "$PAIRS"); do
		l+=("$(timed sync_dir "$work/files-large")")
		s+=("$(timed sync_dir "$work/files-small")")
	done
	row "files no-change resync, $FILES_LARGE events / $FILES_SMALL events" "≤ 1.3×" "${l[*]}" "${s[*]}"
}

[[ ,$ONLY, == *,caldav,* ]] && caldav_rows
[[ ,$ONLY, == *,imap,* ]] && imap_rows
[[ ,$ONLY, == *,files,* ]] && files_rows

echo
echo "median of $PAIRS interleaved rounds; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); gwsync built at $built_at"
echo
echo "| ratio | gwsync | anchor | median ratio | target |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
