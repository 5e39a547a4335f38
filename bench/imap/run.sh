#!/usr/bin/env bash
# Benchmark of the imap adapter against the private Dovecot:
#
#   eval "$(scripts/servers/dovecot.sh start "$(mktemp -d)")"
#   bench/imap/run.sh            # N=10000 by default; GWSYNC=path uses a prebuilt binary
#
# Seeds N realistic messages into user bob's "Import Folder" (kept between
# runs when the count matches), then measures, process start to exit:
#   - a full `gwsync sync --yes` import into crmsql (adapters in process),
#     its peak RSS (/usr/bin/time -v), and the same with the adapters as
#     child processes (the default);
#   - mbsync (isync) pulling the same folder into an empty maildir, FSync no;
#   - a no-change resync: wall time and the IMAP commands the snapshot sent
#     after login (each one round trip: the adapter does not pipeline).
# Import and pull are best of RUNS (default 3) fresh runs each. Prints a
# markdown table. Timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${GWSYNC_TEST_DOVECOT_ADDR:?start Dovecot first: eval \"\$(scripts/servers/dovecot.sh start DIR)\"}"
N=${N:-10000}
USER_NAME=${GWSYNC_TEST_DOVECOT_USER2:-bob}
PASS=${GWSYNC_TEST_DOVECOT_PASSWORD:-secret}
HOST=${GWSYNC_TEST_DOVECOT_ADDR%:*}
PORT=${GWSYNC_TEST_DOVECOT_ADDR##*:}
FOLDER="Import Folder"
# The comparison tools come from Debian; install them when missing.
if ! command -v /usr/bin/time >/dev/null || ! command -v mbsync >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time isync >&2 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time isync >&2; }
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

GWSYNC=${GWSYNC:-}
if [ -z "$GWSYNC" ]; then
	go build -o "$WORK/gwsync" ./cmd/gwsync
	GWSYNC=$WORK/gwsync
fi
go build -o "$WORK/seed" ./bench/imap/seed
"$WORK/seed" -addr "$GWSYNC_TEST_DOVECOT_ADDR" -user "$USER_NAME" -password "$PASS" -folder "$FOLDER" -n "$N" -keep

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# --- gwsync ---
printf '%s' "$PASS" >"$WORK/pw"
cat >"$WORK/gwsync.yaml" <<YAML
state: sqlite:$WORK/state.db
crm:
  plugin: crmsql
  in_process: true
  options: {dsn: "sqlite:$WORK/crm.db"}
users:
  - name: $USER_NAME
    email: $USER_NAME@example.com
    areas: [emails]
    sources:
      - name: mail
        plugin: imap
        in_process: true
        options:
          url: imap://$GWSYNC_TEST_DOVECOT_ADDR
          tls: none
          username: $USER_NAME
          password_file: $WORK/pw
          folder: $FOLDER
YAML
# Best of RUNS fresh imports (and of RUNS mbsync pulls below): the machine
# may be shared, and the fastest run is the one least disturbed.
RUNS=${RUNS:-3}
full="" rss_kb=0
for _ in $(seq "$RUNS"); do
	rm -f "$WORK"/state.db* "$WORK"/crm.db*
	t0=$(now)
	/usr/bin/time -v -o "$WORK/full.time" "$GWSYNC" sync --config "$WORK/gwsync.yaml" --yes --log-level info >"$WORK/full.out" 2>"$WORK/full.log" ||
		{ echo "gwsync sync failed:" >&2; tail -20 "$WORK/full.log" >&2; exit 1; }
	t1=$(now)
	took=$(secs "$t0" "$t1")
	full=$(python3 -c "print(min(x for x in [$took, ${full:-$took}]))")
	rss_kb=$(( $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/full.time") > rss_kb ? $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/full.time") : rss_kb ))
done
imported=$(grep -o 'items=[0-9]*' "$WORK/full.log" | head -1 | cut -d= -f2)

# The same import with the adapters as child processes (the default).
sed 's/in_process: true/in_process: false/' "$WORK/gwsync.yaml" >"$WORK/gwsync-out.yaml"
full_out=""
for _ in $(seq "$RUNS"); do
	rm -f "$WORK"/state.db* "$WORK"/crm.db*
	t0=$(now)
	"$GWSYNC" sync --config "$WORK/gwsync-out.yaml" --yes >"$WORK/out.out" 2>"$WORK/out.log" ||
		{ echo "gwsync sync (plugins out of process) failed:" >&2; tail -20 "$WORK/out.log" >&2; exit 1; }
	t1=$(now)
	took=$(secs "$t0" "$t1")
	full_out=$(python3 -c "print(min(x for x in [$took, ${full_out:-$took}]))")
done
# The resync below runs on the in-process import's state.
rm -f "$WORK"/state.db* "$WORK"/crm.db*
"$GWSYNC" sync --config "$WORK/gwsync.yaml" --yes >/dev/null 2>&1

t0=$(now)
"$GWSYNC" sync --config "$WORK/gwsync.yaml" --yes --log-level debug >"$WORK/re.out" 2>"$WORK/re.log" ||
	{ echo "gwsync resync failed:" >&2; tail -20 "$WORK/re.log" >&2; exit 1; }
t1=$(now)
resync=$(secs "$t0" "$t1")
trips=$(grep -o 'commands=[0-9]*' "$WORK/re.log" | head -1 | cut -d= -f2)
reitems=$(grep -o 'items=[0-9]*' "$WORK/re.log" | head -1 | cut -d= -f2)

# --- mbsync, FSync no ---
mkdir -p "$WORK/maildir"
cat >"$WORK/mbsyncrc" <<RC
FSync no

IMAPAccount bench
Host $HOST
Port $PORT
User $USER_NAME
Pass $PASS
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path $WORK/maildir/
Inbox $WORK/maildir/INBOX

Channel bench
Far :remote:"$FOLDER"
Near :local:"$FOLDER"
Sync Pull
Create Near
# State in the maildir itself, not in ~/.mbsync (a fresh sync every run).
SyncState *
RC
mb=""
for _ in $(seq "$RUNS"); do
	rm -rf "$WORK/maildir" && mkdir -p "$WORK/maildir"
	t0=$(now)
	mbsync -c "$WORK/mbsyncrc" -q bench >"$WORK/mbsync.log" 2>&1 || { echo "mbsync failed:" >&2; cat "$WORK/mbsync.log" >&2; exit 1; }
	t1=$(now)
	took=$(secs "$t0" "$t1")
	mb=$(python3 -c "print(min(x for x in [$took, ${mb:-$took}]))")
done
mbcount=$(find "$WORK/maildir" -type f -path '*/cur/*' -o -type f -path '*/new/*' | wc -l)

ratio=$(python3 -c "print(f'{$full / $mb:.1f}')")
ratio_out=$(python3 -c "print(f'{$full_out / $mb:.1f}')")
size=$(du -sm "$WORK/maildir" | cut -f1)
cat <<TABLE

| measure ($N messages, ${size} MiB, Dovecot on 127.0.0.1) | figure | target |
|---|---|---|
| gwsync full import into crmsql, adapters in process, process start to exit | ${full} s (${imported:-?} items) | ≤ 2× mbsync |
| the same with the adapters as child processes (the default) | ${full_out} s | ≤ 2× mbsync |
| mbsync full pull, FSync no | ${mb} s (${mbcount} files) | |
| ratio gwsync / mbsync, in process | ${ratio}× | ≤ 2× |
| ratio gwsync / mbsync, child processes (default) | ${ratio_out}× | ≤ 2× |
| gwsync no-change resync, process start to exit | ${resync} s (${reitems:-?} items) | |
| IMAP round trips of the no-change resync after login | ${trips:-?} | ≤ 5 |
| gwsync peak RSS during the full import | $((rss_kb / 1024)) MiB | < 300 MiB |
TABLE
