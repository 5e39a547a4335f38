// Command sample watches a benchmark cycle: every -every it counts the
// PostgreSQL connections (client backends, its own excluded) and reads
// the memory of the given worker processes and of their descendants (the
// plugin processes) from /proc. On SIGTERM or SIGINT it prints the peaks
// as one line and exits 0:
//
//	pg_conns_peak=N worker_rss_peak_mib=W tree_rss_peak_mib=T children_peak=C samples=S
//
// worker_rss_peak_mib is the largest VmHWM (the kernel's peak resident
// set) of one worker process; tree_rss_peak_mib the largest sum of VmRSS
// over one worker and its descendants seen in one sample; children_peak
// the most descendants one worker had. A failed PostgreSQL query is
// reported on stderr and retried at the next tick (a cycle may outlive a
// blip); a sample that never reached PostgreSQL prints pg_conns_peak=-1.
//
//	sample -dsn postgres://…/postgres -pids 4242,4243
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	dsn := flag.String("dsn", "", "PostgreSQL DSN to count connections on (any database of the cluster); empty: no counting")
	pidList := flag.String("pids", "", "comma-separated PIDs of the worker processes")
	every := flag.Duration("every", 250*time.Millisecond, "sampling interval")
	flag.Parse()
	pids, err := parsePIDs(*pidList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sample:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	var conn *pgx.Conn
	if *dsn != "" {
		if conn, err = pgx.Connect(ctx, *dsn); err != nil {
			fmt.Fprintln(os.Stderr, "sample: PostgreSQL:", err)
			os.Exit(1)
		}
		defer conn.Close(context.Background())
	}
	p := Peaks{PGConns: -1}
	tick := time.NewTicker(*every)
	defer tick.Stop()
	for {
		if conn != nil {
			var n int
			err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`).Scan(&n)
			if err == nil {
				p.PGConns = max(p.PGConns, n)
			} else if ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "sample: counting connections:", err)
			}
		}
		p.observe(readProcs(), pids)
		p.Samples++
		select {
		case <-ctx.Done():
			fmt.Printf("pg_conns_peak=%d worker_rss_peak_mib=%.0f tree_rss_peak_mib=%.0f children_peak=%d samples=%d\n",
				p.PGConns, float64(p.WorkerHWM)/1024, float64(p.TreeRSS)/1024, p.Children, p.Samples)
			return
		case <-tick.C:
		}
	}
}

// Peaks are the largest values seen so far; memory in KiB.
type Peaks struct {
	PGConns   int
	WorkerHWM int64
	TreeRSS   int64
	Children  int
	Samples   int
}

// proc is one process as /proc shows it.
type proc struct {
	ppid     int
	rss, hwm int64 // KiB
}

// observe folds one reading of the process table into the peaks.
func (p *Peaks) observe(procs map[int]proc, workers []int) {
	children := map[int][]int{}
	for pid, pr := range procs {
		children[pr.ppid] = append(children[pr.ppid], pid)
	}
	for _, w := range workers {
		pr, ok := procs[w]
		if !ok {
			continue // not started yet, or gone
		}
		p.WorkerHWM = max(p.WorkerHWM, pr.hwm)
		sum, n := pr.rss, 0
		stack := append([]int(nil), children[w]...)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			sum += procs[c].rss
			n++
			stack = append(stack, children[c]...)
		}
		p.TreeRSS = max(p.TreeRSS, sum)
		p.Children = max(p.Children, n)
	}
}

// readProcs reads every process's parent and memory. Processes that end
// while it reads are left out.
func readProcs() map[int]proc {
	out := map[int]proc{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pr, ok := readProc(pid); ok {
			out[pid] = pr
		}
	}
	return out
}

func readProc(pid int) (proc, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return proc{}, false
	}
	var pr proc
	for _, line := range strings.Split(string(data), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch key {
		case "PPid":
			pr.ppid = int(n)
		case "VmRSS":
			pr.rss = n
		case "VmHWM":
			pr.hwm = n
		}
	}
	return pr, true
}

func parsePIDs(s string) ([]int, error) {
	var pids []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		pid, err := strconv.Atoi(f)
		if err != nil || pid <= 0 {
			return nil, fmt.Errorf("-pids: %q is not a process id", f)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}
