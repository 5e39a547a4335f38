#!/usr/bin/env bash
# The scale benchmark: N users, each with one Dovecot mailbox of 3 to 5
# messages, synced by `gwsync worker` processes sharing one durable
# PostgreSQL (state, CRM and River jobs), first from empty and then a
# no-change cycle, with 1, 2 and 4 workers; beside each, the floors: a
# minimal go-imap client doing LOGIN + SELECT + UID FETCH 1:* BODY.PEEK[]
# (first cycle) and LOGIN + SELECT (no-change cycle) for every user with
# the same concurrency. Prints one markdown table. See README.md here.
#
#   bench/scale/run.sh [--users 10000] [--workers "1 2 4"] [--concurrency 8 | --runs 16]
#                      [--timeout 3600] [--in-process] [--dir DIR] [--keep] [--profile]
#                      [--log-statements] [--pg-stats] [--crm-process]
#                      [--worker-gomaxprocs auto | machine | N]
#
# --worker-gomaxprocs sets GOMAXPROCS for each worker, and so for its
# plugin processes (the floor keeps the machine's). auto, the default,
# gives each of N workers cores / N (at least 1): the deployment README
# "Running at scale" and docs/operations.md advise for workers sharing a
# machine, and what Go picks by itself in a container whose CPU limit is
# that share. machine leaves Go's default (every core for every process);
# a number sets that number.
#
# --concurrency is per worker (the config's worker.concurrency); the floor
# runs workers × concurrency connections at once. --runs N instead keeps N
# runs at once however many workers share them (N / workers each, so N
# should divide by every worker count): the same load on 1, 2 or 4
# processes, and the same N connections for every floor. --dir keeps the servers'
# files (and the seeded maildirs, reused by the next run) in DIR instead of
# a temporary directory; --keep leaves that directory behind. Every
# process this script starts listens on 127.0.0.1 only and is stopped by
# its PID when the script ends, however it ends.
#
# --log-statements logs every PostgreSQL statement (slower: for counting
# round trips, not for figures) and writes each cycle's statements, counted,
# to DIR/logs/statements-wN-CYCLE.txt.
#
# --crm-process runs crmsql as a plugin process of each worker; by default
# it runs inside the worker, gwsync's default for crmsql (--in-process puts
# the IMAP sources there too).
#
# --pg-stats loads pg_stat_statements and writes each cycle's statements
# by time spent in PostgreSQL (calls, total and mean ms, rows) to
# DIR/logs/pgstats-wN-CYCLE.txt: where PostgreSQL's CPU goes.
#
# --profile writes each worker's CPU profile (both cycles) to
# DIR/logs/worker-wN-I.pprof (go tool pprof BIN/gwsync FILE), and each of
# its plugin processes' to DIR/logs/plugin-wN-I-PID.pprof
# (GWSYNC_PLUGIN_CPUPROFILE; complete once the worker stopped).
#
# --cli measures one `gwsync sync --yes` process instead of workers (users
# one after another, so its floor runs with one connection), on the same
# PostgreSQL state and CRM: the engine's cost per user without River.
set -euo pipefail
cd "$(dirname "$0")/../.."

USERS=10000 WORKERS="1 2 4" CONC=8 RUNS="" WORKER_PROCS=auto TIMEOUT=3600 IN_PROCESS=false DIR="" KEEP=false CLI=false PROFILE=false LOG_STATEMENTS=false PG_STATS=false CRM_PROCESS=false
while [ $# -gt 0 ]; do
	case "$1" in
	--users) USERS=$2; shift 2 ;;
	--workers) WORKERS=$2; shift 2 ;;
	--concurrency) CONC=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--worker-gomaxprocs) WORKER_PROCS=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--in-process) IN_PROCESS=true; shift ;;
	--dir) DIR=$2; shift 2 ;;
	--keep) KEEP=true; shift ;;
	--cli) CLI=true; shift ;;
	--profile) PROFILE=true; shift ;;
	--log-statements) LOG_STATEMENTS=true; shift ;;
	--pg-stats) PG_STATS=true; shift ;;
	--crm-process) CRM_PROCESS=true; shift ;;
	*) echo "run.sh: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
	esac
done
case "$WORKER_PROCS" in
auto | machine | [1-9] | [1-9][0-9]) ;;
*) echo "run.sh: --worker-gomaxprocs takes auto, machine or a number from 1 to 99, not \"$WORKER_PROCS\"" >&2; exit 2 ;;
esac

if [ -z "$DIR" ]; then
	DIR=$(mktemp -d -t gwsync-scale.XXXXXX)
else
	mkdir -p "$DIR" && DIR=$(cd "$DIR" && pwd)
	KEEP=true
fi
BIN=$DIR/bin LOGS=$DIR/logs
mkdir -p "$BIN" "$LOGS"
PIDS=() # worker and sampler processes still running

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	done
	bash scripts/servers/dovecot.sh stop "$DIR/dovecot" >/dev/null 2>&1 || true
	bash scripts/servers/postgres.sh stop "$DIR/postgres" >/dev/null 2>&1 || true
	if [ "$KEEP" = false ]; then rm -rf "$DIR"; else echo "run.sh: files kept in $DIR" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "run.sh: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# field KEY LINE: the value of KEY=VALUE in LINE.
field() { grep -o "$1=[^ ]*" <<<"$2" | head -n 1 | cut -d= -f2; }

# --- servers -----------------------------------------------------------
[ -x /usr/sbin/dovecot ] || bash scripts/servers/dovecot.sh install
bash scripts/servers/postgres.sh install
say "building"
# GWSYNC=path measures a prebuilt binary instead (another branch's).
if [ -n "${GWSYNC:-}" ]; then cp "$GWSYNC" "$BIN/gwsync"; else go build -o "$BIN/gwsync" ./cmd/gwsync; fi
for c in seed floor genconfig sample cputree; do go build -o "$BIN/$c" "./bench/scale/$c"; done

# The worker commands land with the worker branch; without them this
# script still measures the floors, and says so in the table.
GWSYNC_OK=true
if ! "$BIN/gwsync" worker -h >/dev/null 2>&1 || ! "$BIN/gwsync" jobs -h >/dev/null 2>&1; then
	GWSYNC_OK=false
	say "this gwsync has no 'worker'/'jobs' commands: measuring the floors only"
fi

say "starting Dovecot with $USERS users and a durable PostgreSQL in $DIR"
bash scripts/servers/dovecot.sh stop "$DIR/dovecot" >/dev/null 2>&1 || true
eval "$(GWSYNC_DOVECOT_USERS=$USERS bash scripts/servers/dovecot.sh start "$DIR/dovecot")"
rm -rf "$DIR/postgres"
PG_CONF=""
[ "$PG_STATS" = true ] && PG_CONF=$'shared_preload_libraries = \'pg_stat_statements\'\npg_stat_statements.track = all\npg_stat_statements.max = 1000\npg_stat_statements.track_planning = on'
eval "$(GWSYNC_POSTGRES_CONF=$PG_CONF bash scripts/servers/postgres.sh start "$DIR/postgres")"
PG=$GWSYNC_TEST_POSTGRES_DSN
# dbdsn NAME: the cluster's DSN with another database.
dbdsn() { sed -E "s#/gwsync\?#/$1?#" <<<"$PG"; }
# The servers' main processes: cputree reads their trees' CPU time.
PG_PID=$(cat "$DIR/postgres/postgres.pid")
DOVECOT_PID=$(cat "$DIR/dovecot/dovecot.pid")
# The suite's cluster does not fsync; a benchmark's figures must be real.
psql "$PG" -qAt -c 'ALTER SYSTEM SET fsync = on' -c 'ALTER SYSTEM SET synchronous_commit = on' \
	-c 'ALTER SYSTEM SET full_page_writes = on' -c 'SELECT pg_reload_conf()' >/dev/null
sleep 0.5
if [ "$LOG_STATEMENTS" = true ]; then
	psql "$PG" -qAt -c "ALTER SYSTEM SET log_statement = 'all'" -c "ALTER SYSTEM SET log_line_prefix = 'db=%d '" \
		-c 'SELECT pg_reload_conf()' >/dev/null
	sleep 0.5
fi
[ "$PG_STATS" = true ] && psql "$(dbdsn postgres)" -qAt -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
[ "$(psql "$PG" -qAt -c 'SHOW fsync')" = on ] || { say "PostgreSQL did not turn fsync on"; exit 1; }

# --- set-up, timed apart ------------------------------------------------
t0=$(now)
seeded=$("$BIN/seed" -mail-dir "$GWSYNC_TEST_DOVECOT_MAIL_DIR" -users "$USERS" -owner "$GWSYNC_TEST_DOVECOT_MAIL_OWNER")
t1=$(now)
MESSAGES=$(field messages "$seeded")
# One untimed pass lets Dovecot index every mailbox, so that neither the
# floors nor gwsync pay for indexing, whichever runs first.
"$BIN/floor" -addr "$GWSYNC_TEST_DOVECOT_ADDR" -users "$USERS" -conns 8 -mode fetch >"$LOGS/warmup.out"
t2=$(now)
SEED_S=$(elapsed "$t0" "$t1") WARM_S=$(elapsed "$t1" "$t2")
say "seeded $USERS users, $MESSAGES messages in ${SEED_S} s; Dovecot indexed them in ${WARM_S} s"

# --- one worker count ----------------------------------------------------
ROWS=()
# floor MODE CONNS: prints the floor's users per second and its CPU
# milliseconds per user as "TOTAL (CLIENT / DOVECOT)": the floor process
# (a child of this subshell, $BASHPID) and Dovecot's processes.
floor() {
	local out c0 c1 me=$BASHPID
	c0=$("$BIN/cputree" client="$me" dovecot="$DOVECOT_PID")
	out=$("$BIN/floor" -addr "$GWSYNC_TEST_DOVECOT_ADDR" -users "$USERS" -conns "$2" -mode "$1")
	c1=$("$BIN/cputree" client="$me" dovecot="$DOVECOT_PID")
	echo "$out $c1" >>"$LOGS/floor.out"
	echo "$(field per_second "$out") $(cpu_per_user "$c0" "$c1" client dovecot)"
}
# cpu_per_user BEFORE AFTER GROUP…: CPU milliseconds per user between two
# cputree readings, as "TOTAL (G1 / G2 / …)", no spaces inside a field.
cpu_per_user() {
	local a=$1 b=$2 g total=0 parts=() ms
	shift 2
	for g in "$@"; do
		ms=$(awk -v x="$(field "${g}_cpu_s" "$a")" -v y="$(field "${g}_cpu_s" "$b")" -v u="$USERS" 'BEGIN { printf "%.2f", (y - x) * 1000 / u }')
		parts+=("$ms")
		total=$(awk -v t="$total" -v m="$ms" 'BEGIN { printf "%.2f", t + m }')
	done
	echo "$total ($(IFS=/; echo "${parts[*]}"))"
}
crm_count() { psql "$(dbdsn "crm_w$1")" -qAt -c 'SELECT count(*) FROM activities'; }
# xacts N: committed transactions so far in state_wN and crm_wN (the round
# trips a cycle costs, reported per user in the log).
xacts() {
	psql "$(dbdsn postgres)" -qAt -c "SELECT pg_stat_clear_snapshot()" -c "SELECT coalesce(sum(xact_commit + xact_rollback), 0)
		FROM pg_stat_database WHERE datname IN ('state_w$1', 'crm_w$1')" | tail -n 1
}

# cycle N NAME CFG: one timed cycle (enqueue every user, wait for the
# queue to drain) watched by the sampler; sets CYCLE_RATE, CYCLE_S,
# CYCLE_JOBS, CYCLE_PEAKS and CYCLE_CPU (CPU ms per user: workers, their
# plugin processes, PostgreSQL, Dovecot).
cycle() {
	local n=$1 name=$2 cfg=$3 sampler pids t0 t1 waited
	pids=$(IFS=,; echo "${WPIDS[*]}")
	local x0 x1
	x0=$(xacts "$n")
	[ "$PG_STATS" = true ] && psql "$(dbdsn postgres)" -qAt -c 'SELECT pg_stat_statements_reset()' >/dev/null
	"$BIN/sample" -dsn "$(dbdsn postgres)" -pids "$pids" >"$LOGS/sample-w$n-$name.out" 2>"$LOGS/sample-w$n-$name.err" &
	sampler=$!
	PIDS+=("$sampler")
	local k0 k1
	k0=$("$BIN/cputree" workers="$pids" postgres="$PG_PID" dovecot="$DOVECOT_PID")
	t0=$(now)
	# The cycle's own jobs: River keeps the earlier cycles' for a day.
	local since
	since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	"$BIN/gwsync" jobs enqueue --config "$cfg" --all >"$LOGS/enqueue-w$n-$name.out" 2>&1 ||
		{ say "jobs enqueue failed:"; cat "$LOGS/enqueue-w$n-$name.out" >&2; exit 1; }
	# Every user's sync is this cycle's: none was queued before it.
	grep -q "^queued $USERS syncs" "$LOGS/enqueue-w$n-$name.out" ||
		{ say "the $name cycle did not queue every user:"; cat "$LOGS/enqueue-w$n-$name.out" >&2; exit 1; }
	waited=0
	"$BIN/gwsync" jobs wait --config "$cfg" --since "$since" --timeout "${TIMEOUT}s" >"$LOGS/wait-w$n-$name.out" 2>&1 || waited=$?
	t1=$(now)
	k1=$("$BIN/cputree" workers="$pids" postgres="$PG_PID" dovecot="$DOVECOT_PID")
	# The workers' trees split: the worker processes' own time and their
	# plugin processes' (living or reaped: cputree's _self and _children).
	CYCLE_CPU=$(cpu_per_user "$k0" "$k1" workers_self workers_children postgres dovecot)
	kill -TERM "$sampler"
	wait "$sampler" || true
	CYCLE_PEAKS=$(cat "$LOGS/sample-w$n-$name.out")
	sleep 1 # statistics reach pg_stat_database within a second
	x1=$(xacts "$n")
	if [ "$LOG_STATEMENTS" = true ]; then
		# Statements per user, by database, since the last cycle.
		local log="$DIR/postgres/data/server.log"
		tail -c +"$((${LOG_AT:-0} + 1))" "$log" | grep -o 'db=[a-z_0-9]* LOG:  \(execute [^:]*\|statement\): .\{0,60\}' |
			sed -E 's/execute [^:]*/execute/' | sort | uniq -c | sort -rn >"$LOGS/statements-w$n-$name.txt"
		LOG_AT=$(stat -c %s "$log")
		say "$n worker(s), $name cycle: statements per user by database: $(grep -o 'db=[a-z_0-9]*' "$LOGS/statements-w$n-$name.txt" >/dev/null;
			awk -v u="$USERS" '{ split($2, d, "="); c[d[2]] += $1 } END { for (k in c) printf "%s %.1f ", k, c[k] / u }' "$LOGS/statements-w$n-$name.txt")"
	fi
	if [ "$PG_STATS" = true ]; then
		psql "$(dbdsn postgres)" -q -P pager=off -c "SELECT d.datname AS db, s.calls, round((s.total_exec_time + s.total_plan_time)::numeric, 1) AS total_ms,
			round((s.total_exec_time / greatest(s.calls, 1))::numeric, 3) AS mean_ms, round((s.total_plan_time / greatest(s.calls, 1))::numeric, 3) AS plan_ms,
			s.rows, left(regexp_replace(s.query, '\s+', ' ', 'g'), 110) AS query
			FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid ORDER BY s.total_exec_time + s.total_plan_time DESC LIMIT 40" >"$LOGS/pgstats-w$n-$name.txt"
		say "$n worker(s), $name cycle: statements by time in $LOGS/pgstats-w$n-$name.txt"
	fi
	say "$n worker(s), $name cycle: $(awk -v a="$x0" -v b="$x1" -v u="$USERS" 'BEGIN { printf "%.1f", (b - a) / u }') PostgreSQL transactions per user (state and CRM databases)"
	if [ "$waited" != 0 ]; then
		say "jobs wait failed (exit $waited) in the $name cycle with $n workers:"
		cat "$LOGS/wait-w$n-$name.out" >&2
		exit 1
	fi
	CYCLE_JOBS=$(tr '\n' ' ' <"$LOGS/wait-w$n-$name.out")
	CYCLE_S=$(elapsed "$t0" "$t1")
	CYCLE_RATE=$(awk -v u="$USERS" -v s="$CYCLE_S" 'BEGIN { printf "%.1f", u / s }')
}

# worker_gomaxprocs N prints the GOMAXPROCS each of N workers gets (see
# --worker-gomaxprocs), or nothing for Go's default.
worker_gomaxprocs() {
	case "$WORKER_PROCS" in
	machine) ;;
	auto) echo $(($(nproc) / $1 > 0 ? $(nproc) / $1 : 1)) ;;
	*) echo "$WORKER_PROCS" ;;
	esac
}

run_workers() {
	local n=$1 conc=$CONC cfg="$DIR/scale-w$1.yaml" i pid ffetch fselect before after
	[ -z "$RUNS" ] || conc=$(((RUNS + n - 1) / n))
	local conns=$((n * conc))
	say "$n worker(s), $conc runs each at once, GOMAXPROCS=$(worker_gomaxprocs "$n" | grep . || echo "Go's default") each: floors with $conns connections"
	ffetch=$(floor fetch "$conns")
	if [ "$GWSYNC_OK" = false ]; then
		fselect=$(floor select "$conns")
		ROWS+=("| $n | $conns | first | not run | ${ffetch%% *} | | ≤ 4× | | ${ffetch#* } | | | | | no worker commands |")
		ROWS+=("| $n | $conns | no-change | not run | ${fselect%% *} | | ≤ 3× | | ${fselect#* } | | | | | no worker commands |")
		return
	fi

	# A fresh state and CRM for each worker count: every first cycle starts
	# from empty.
	psql "$PG" -qAt -c "DROP DATABASE IF EXISTS state_w$n" -c "CREATE DATABASE state_w$n" \
		-c "DROP DATABASE IF EXISTS crm_w$n" -c "CREATE DATABASE crm_w$n" >/dev/null
	"$BIN/genconfig" -users "$USERS" -imap "$GWSYNC_TEST_DOVECOT_ADDR" -state "$(dbdsn "state_w$n")" \
		-crm "$(dbdsn "crm_w$n")" -worker "{concurrency: $conc}" $([ "$IN_PROCESS" = true ] && echo -in-process) $([ "$CRM_PROCESS" = true ] && echo -crm-process) >"$cfg"
	"$BIN/gwsync" config check --config "$cfg" >"$LOGS/check-w$n.out" 2>&1 ||
		{ say "gwsync refuses the generated config:"; head -n 20 "$LOGS/check-w$n.out" >&2; exit 1; }

	local procs
	procs=$(worker_gomaxprocs "$n")
	WPIDS=()
	for i in $(seq "$n"); do
		# --profile: the plugins too, each to plugin-wN-I-PID.pprof.
		GWSYNC_PLUGIN_CPUPROFILE=$([ "$PROFILE" = true ] && echo "$LOGS/plugin-w$n-$i") \
			env ${procs:+GOMAXPROCS=$procs} "$BIN/gwsync" worker --config "$cfg" --log-level info $([ "$PROFILE" = true ] && echo --cpuprofile "$LOGS/worker-w$n-$i.pprof") \
			>"$LOGS/worker-w$n-$i.log" 2>&1 &
		WPIDS+=("$!")
		PIDS+=("$!")
	done
	# Ready when the queue answers (the workers migrate River's tables).
	for i in $(seq 120); do
		for pid in "${WPIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null || { say "a worker exited at start:"; tail -n 20 "$LOGS"/worker-w"$n"-*.log >&2; exit 1; }
		done
		"$BIN/gwsync" jobs wait --config "$cfg" --timeout 5s >"$LOGS/ready-w$n.out" 2>&1 && break
		[ "$i" = 120 ] && { say "the workers never became ready:"; cat "$LOGS/ready-w$n.out" "$LOGS/worker-w$n-1.log" >&2; exit 1; }
		sleep 0.5
	done

	# The workers must not have synced anyone on their own (a periodic job
	# firing at start would empty the timed first cycle).
	before=$(crm_count "$n" 2>/dev/null || echo 0)
	[ "$before" = 0 ] || { say "the workers imported $before activities before the first cycle was enqueued"; exit 1; }
	cycle "$n" first "$cfg"
	local first_rate=$CYCLE_RATE first_s=$CYCLE_S first_peaks=$CYCLE_PEAKS first_jobs=$CYCLE_JOBS first_cpu=$CYCLE_CPU
	before=$(crm_count "$n")
	# Each floor runs right before its cycle: the machine's speed drifts
	# (by a quarter within a minute, seen here), and a floor a cycle
	# earlier measured another machine. The workers sit idle meanwhile.
	fselect=$(floor select "$conns")
	cycle "$n" nochange "$cfg"
	local nc_rate=$CYCLE_RATE nc_s=$CYCLE_S nc_peaks=$CYCLE_PEAKS nc_jobs=$CYCLE_JOBS nc_cpu=$CYCLE_CPU
	after=$(crm_count "$n")

	for i in "${WPIDS[@]}"; do kill -TERM "$i" 2>/dev/null || true; done
	for i in "${WPIDS[@]}"; do wait "$i" 2>/dev/null || true; done
	PIDS=()

	# Checks: the first cycle imported every message exactly once, the
	# no-change cycle nothing.
	local check=ok
	[ "$before" = "$MESSAGES" ] || check="imported $before of $MESSAGES"
	[ "$after" = "$before" ] || check="$check; no-change cycle added $((after - before))"
	say "$n worker(s): first ${first_s} s ($first_jobs), no-change ${nc_s} s ($nc_jobs), check: $check"
	row "$n" "$conns" first "$first_rate" "$ffetch" 4 "$first_peaks" "$check" "$first_cpu"
	row "$n" "$conns" no-change "$nc_rate" "$fselect" 3 "$nc_peaks" "$check" "$nc_cpu"
}

# row N CONNS CYCLE RATE FLOOR TARGET PEAKS CHECK [CPU]: FLOOR is what
# floor() printed ("RATE CPU"), CPU gwsync's CPU per user (cpu_per_user).
row() {
	local ratio verdict frate=${5%% *} fcpu=${5#* } gcpu=${9:-} cratio=""
	ratio=$(awk -v g="$4" -v f="$frate" 'BEGIN { printf "%.2f", f / g }')
	verdict=$(awk -v r="$ratio" -v t="$6" 'BEGIN { print (r <= t) ? "≤ " t "× ✓" : "> " t "× ✗" }')
	[ -n "$gcpu" ] && cratio=$(awk -v g="${gcpu%% *}" -v f="${fcpu%% *}" 'BEGIN { if (f > 0) printf "%.2f×", g / f }')
	ROWS+=("| $1 | $2 | $3 | $4 | $frate | $ratio× | $verdict | ${gcpu:-—} | $fcpu | ${cratio:-—} | $(field pg_conns_peak "$7") | $(field worker_rss_peak_mib "$7") | $(field tree_rss_peak_mib "$7") ($(field children_peak "$7")) | $8 |")
}

# run_cli: both cycles as one `gwsync sync --yes` over every user.
run_cli() {
	local cfg="$DIR/scale-cli.yaml" ffetch fselect before after t0 t1 sampler
	say "one gwsync sync process: floors with 1 connection"
	ffetch=$(floor fetch 1)
	fselect=$(floor select 1)
	psql "$PG" -qAt -c "DROP DATABASE IF EXISTS state_wcli" -c "CREATE DATABASE state_wcli" \
		-c "DROP DATABASE IF EXISTS crm_wcli" -c "CREATE DATABASE crm_wcli" >/dev/null
	"$BIN/genconfig" -users "$USERS" -imap "$GWSYNC_TEST_DOVECOT_ADDR" -state "$(dbdsn state_wcli)" \
		-crm "$(dbdsn crm_wcli)" $([ "$IN_PROCESS" = true ] && echo -in-process) $([ "$CRM_PROCESS" = true ] && echo -crm-process) >"$cfg"
	local name rates=() peaks=()
	for name in first nochange; do
		t0=$(now)
		"$BIN/gwsync" sync --config "$cfg" --yes >"$LOGS/cli-$name.out" 2>"$LOGS/cli-$name.log" &
		local pid=$!
		PIDS+=("$pid")
		"$BIN/sample" -dsn "$(dbdsn postgres)" -pids "$pid" >"$LOGS/sample-cli-$name.out" 2>&1 &
		sampler=$!
		PIDS+=("$sampler")
		wait "$pid" || { say "gwsync sync failed in the $name cycle:"; tail -n 20 "$LOGS/cli-$name.log" >&2; exit 1; }
		t1=$(now)
		kill -TERM "$sampler"; wait "$sampler" || true
		rates+=("$(awk -v u="$USERS" -v s="$(elapsed "$t0" "$t1")" 'BEGIN { printf "%.1f", u / s }')")
		peaks+=("$(cat "$LOGS/sample-cli-$name.out")")
		[ "$name" = first ] && before=$(crm_count cli)
	done
	after=$(crm_count cli)
	local check=ok
	[ "$before" = "$MESSAGES" ] || check="imported $before of $MESSAGES"
	[ "$after" = "$before" ] || check="$check; no-change cycle added $((after - before))"
	row "sync (CLI)" 1 first "${rates[0]}" "$ffetch" 4 "${peaks[0]}" "$check"
	row "sync (CLI)" 1 no-change "${rates[1]}" "$fselect" 3 "${peaks[1]}" "$check"
}

if [ "$CLI" = true ]; then
	run_cli
else
	for n in $WORKERS; do run_workers "$n"; done
fi

cat <<TABLE

Scale benchmark: $USERS users, $MESSAGES messages (3 to 5 each), Dovecot and PostgreSQL (fsync on) on 127.0.0.1, $(nproc) cores; IMAP sources $([ "$IN_PROCESS" = true ] && echo "in process" || echo "as plugin processes"), crmsql $([ "$CRM_PROCESS" = true ] && echo "as a plugin process" || echo "in process"); each worker and its plugins with GOMAXPROCS $([ "$WORKER_PROCS" = auto ] && echo "= cores / workers (at least 1)" || { [ "$WORKER_PROCS" = machine ] && echo "Go's default (every core)"; } || echo "= $WORKER_PROCS").
Set-up (not timed below): seeding the maildirs ${SEED_S} s, Dovecot indexing them ${WARM_S} s.

| workers | runs at once (= floor connections) | cycle | gwsync users/s | floor users/s | gwsync / floor (time) | target | gwsync CPU ms/user (workers / plugins / PostgreSQL / Dovecot) | floor CPU ms/user (client / Dovecot) | gwsync / floor (CPU) | PG connections, peak | worker RSS peak, MiB | worker + plugins RSS peak, MiB (processes) | check |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS[@]}")
TABLE
