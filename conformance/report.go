package conformance

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
)

// Result is the outcome of one check.
type Result string

const (
	Pass Result = "PASS"
	Fail Result = "FAIL"
	Skip Result = "SKIP"
)

// Check is one check of a Report: its path of names ("update-times" or
// "setup"), its result and what it said (why it failed or was skipped).
type Check struct {
	Name     string
	Result   Result
	Messages []string
}

// Report is what RunPlugin found, check by check, in the order they ran.
type Report struct {
	Checks []Check
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Result == Fail {
			return true
		}
	}
	return false
}

// Count returns how many checks had each result.
func (r *Report) Count() (pass, fail, skip int) {
	for _, c := range r.Checks {
		switch c.Result {
		case Pass:
			pass++
		case Fail:
			fail++
		case Skip:
			skip++
		}
	}
	return pass, fail, skip
}

// Write prints the report for a person: one line per check, its messages
// indented below it, and a closing count.
func (r *Report) Write(w io.Writer) {
	for _, c := range r.Checks {
		fmt.Fprintf(w, "%s  %s\n", c.Result, c.Name)
		for _, m := range c.Messages {
			for _, line := range strings.Split(m, "\n") {
				fmt.Fprintf(w, "      %s\n", line)
			}
		}
	}
	pass, fail, skip := r.Count()
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", pass, fail, skip)
}

// collector is the T of a check run outside `go test`: it records what the
// check says into its Report entry. Like testing.T, Fatal and Skip end the
// check's goroutine, and cleanups run when the check ends.
type collector struct {
	report *Report
	name   string // "" for the root, whose failures are reported as "setup"

	mu       sync.Mutex
	failed   bool
	skipped  bool
	messages []string
	cleanups []func()
	children bool // a sub-check ran: the root's own entry then only holds failures
}

func (c *collector) Helper() {}

func (c *collector) log(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.messages = append(c.messages, msg)
}

func (c *collector) fail(msg string) {
	c.log(msg)
	c.mu.Lock()
	c.failed = true
	c.mu.Unlock()
}

func (c *collector) Error(args ...any)                 { c.fail(fmt.Sprint(args...)) }
func (c *collector) Errorf(format string, args ...any) { c.fail(fmt.Sprintf(format, args...)) }
func (c *collector) Fatal(args ...any)                 { c.fail(fmt.Sprint(args...)); runtime.Goexit() }
func (c *collector) Fatalf(format string, args ...any) {
	c.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (c *collector) Skip(args ...any) {
	c.log(fmt.Sprint(args...))
	c.mu.Lock()
	c.skipped = true
	c.mu.Unlock()
	runtime.Goexit()
}

func (c *collector) Cleanup(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cleanups = append(c.cleanups, f)
}

// Run runs f as a sub-check in a goroutine of its own (so that Fatal ends
// only it), waits for it and its cleanups, and records its entry.
func (c *collector) Run(name string, f func(T)) bool {
	c.mu.Lock()
	c.children = true
	c.mu.Unlock()
	if c.name != "" {
		name = c.name + "/" + name
	}
	sub := &collector{report: c.report, name: name}
	at := len(c.report.Checks)
	c.report.Checks = append(c.report.Checks, Check{Name: name})
	sub.run(f)
	if e := sub.entry(); !sub.children || len(e.Messages) > 0 {
		c.report.Checks[at] = e
	} else {
		// A group of checks (a transport) whose checks all said what
		// happened: only they are checks of the report. A group that
		// failed on its own (a plugin that would not start) stays.
		c.report.Checks = append(c.report.Checks[:at], c.report.Checks[at+1:]...)
	}
	if sub.failed {
		c.mu.Lock()
		c.failed = true
		c.mu.Unlock()
	}
	return !sub.failed
}

// run calls f and then the cleanups, last first, each in the check's own
// goroutine as testing does; a panic is a failure, not a crash of the run.
func (c *collector) run(f func(T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer c.runCleanups()
		defer func() {
			if p := recover(); p != nil {
				c.fail(fmt.Sprintf("panic: %v", p))
			}
		}()
		f(c)
	}()
	<-done
}

func (c *collector) runCleanups() {
	for {
		c.mu.Lock()
		n := len(c.cleanups)
		if n == 0 {
			c.mu.Unlock()
			return
		}
		f := c.cleanups[n-1]
		c.cleanups = c.cleanups[:n-1]
		c.mu.Unlock()
		// A cleanup that calls Fatal ends only itself.
		done := make(chan struct{})
		go func() {
			defer close(done)
			f()
		}()
		<-done
	}
}

func (c *collector) entry() Check {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := Pass
	switch {
	case c.failed:
		r = Fail
	case c.skipped:
		r = Skip
	}
	return Check{Name: c.name, Result: r, Messages: c.messages}
}

var _ T = (*collector)(nil)
