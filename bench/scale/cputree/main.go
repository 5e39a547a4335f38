// Command cputree reads how much CPU whole process trees have used so
// far, from /proc, so that the scale benchmark can report CPU time per
// user next to wall time. On this shared 2-core machine wall time moves
// with whatever else runs; CPU time spent by the benchmark's own
// processes does much less.
//
//	cputree workers=4242,4243 postgres=4100 dovecot=4000
//
// prints one line, each group's CPU seconds (user + system) of its roots
// and all their descendants, living or already reaped, and that split in
// the roots' own time (_self) and their descendants' (_children: a
// worker's plugin processes):
//
//	workers_cpu_s=12.34 workers_self_cpu_s=10.00 workers_children_cpu_s=2.34 postgres_cpu_s=5.67 …
//
// A living process counts its own time plus its reaped children's
// (cutime, cstime); a child that ended counts in its parent's reaped
// time once the parent has waited for it. The difference of two readings
// is what the trees used in between. A root that no longer exists counts
// 0 and is named on stderr.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go runs on (sysconf(_SC_CLK_TCK) would say the same).
const clockTicks = 100

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cputree NAME=PID[,PID…] …")
		os.Exit(2)
	}
	procs, err := readProcs("/proc")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cputree:", err)
		os.Exit(1)
	}
	var out []string
	for _, arg := range os.Args[1:] {
		name, roots, err := parseGroup(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cputree:", err)
			os.Exit(2)
		}
		for _, r := range roots {
			if _, ok := procs[r]; !ok {
				fmt.Fprintf(os.Stderr, "cputree: %s: process %d is gone\n", name, r)
			}
		}
		tree, self := treeTicks(procs, roots), ownTicks(procs, roots)
		out = append(out, fmt.Sprintf("%s_cpu_s=%.2f %s_self_cpu_s=%.2f %s_children_cpu_s=%.2f", name, float64(tree)/clockTicks,
			name, float64(self)/clockTicks, name, float64(tree-self)/clockTicks))
	}
	fmt.Println(strings.Join(out, " "))
}

// proc is what cputree needs of one /proc/PID/stat.
type proc struct {
	ppid  int
	ticks int64 // utime + stime + cutime + cstime
	own   int64 // utime + stime: without its reaped children
}

// parseGroup reads "NAME=PID,PID".
func parseGroup(arg string) (string, []int, error) {
	name, list, ok := strings.Cut(arg, "=")
	if !ok || name == "" || list == "" {
		return "", nil, fmt.Errorf("%q: want NAME=PID[,PID…]", arg)
	}
	var roots []int
	for _, s := range strings.Split(list, ",") {
		pid, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || pid <= 0 {
			return "", nil, fmt.Errorf("%q: %q is not a process id", arg, s)
		}
		roots = append(roots, pid)
	}
	return name, roots, nil
}

// readProcs reads every process's parent and CPU ticks. A process that
// ends while the directory is read is skipped.
func readProcs(root string) (map[int]proc, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "[0-9]*"))
	if err != nil {
		return nil, err
	}
	procs := make(map[int]proc, len(dirs))
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		p, err := parseStat(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s/stat: %w", d, err)
		}
		procs[pid] = p
	}
	return procs, nil
}

// parseStat reads the fields after the command name, which is in
// parentheses and may itself hold spaces and parentheses: so it splits
// after the last ")". Field 4 is the parent, 14–17 the times (proc(5)).
func parseStat(s string) (proc, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return proc{}, fmt.Errorf("no command name in %.40q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return proc{}, fmt.Errorf("only %d fields after the command name", len(f))
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return proc{}, fmt.Errorf("parent %q: %w", f[1], err)
	}
	var ticks, own int64
	for i, s := range f[11:15] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return proc{}, fmt.Errorf("CPU time %q: %w", s, err)
		}
		ticks += n
		if i < 2 {
			own += n
		}
	}
	return proc{ppid: ppid, ticks: ticks, own: own}, nil
}

// treeTicks sums the ticks of the roots and of every descendant, each
// process once even when roots nest.
func treeTicks(procs map[int]proc, roots []int) int64 {
	children := make(map[int][]int, len(procs))
	for pid, p := range procs {
		children[p.ppid] = append(children[p.ppid], pid)
	}
	seen := map[int]bool{}
	var sum int64
	stack := append([]int(nil), roots...)
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p, ok := procs[pid]
		if !ok || seen[pid] {
			continue
		}
		seen[pid] = true
		sum += p.ticks
		stack = append(stack, children[pid]...)
	}
	return sum
}

// ownTicks sums the roots' own ticks, without their children, living or
// reaped: a worker's share of its tree. Each root counts once.
func ownTicks(procs map[int]proc, roots []int) int64 {
	seen := map[int]bool{}
	var sum int64
	for _, r := range roots {
		if p, ok := procs[r]; ok && !seen[r] {
			seen[r] = true
			sum += p.own
		}
	}
	return sum
}
