// Command genconfig writes the gwsync configuration of the scale
// benchmark: a PostgreSQL state, the crmsql CRM in another PostgreSQL
// database, and N users (user00001 …), each syncing e-mails from one imap
// source, the "Import Folder" that bench/scale/seed filled, on the
// benchmark's Dovecot. No user has automatic_matching: every sync of the
// benchmark is one `gwsync jobs enqueue` queued, so the workers' periodic
// schedule, whose first tick comes at start, never races a timed cycle
// (with it on, that tick queued the users not synced yet, in the middle of
// the first cycle). A queued sync runs the same either way.
//
//	go run ./bench/scale/genconfig -users 10000 -imap 127.0.0.1:143 \
//	    -state postgres://… -crm postgres://… -concurrency 8 >scale.yaml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
)

func main() {
	var p Params
	flag.IntVar(&p.Users, "users", 10000, "number of users, named user00001 …")
	flag.StringVar(&p.IMAPAddr, "imap", "", "host:port of the Dovecot (plain IMAP) (required)")
	flag.StringVar(&p.Password, "password", "secret", "every user's IMAP password")
	flag.StringVar(&p.StateDSN, "state", "", "state: DSN, postgres://… (required)")
	flag.StringVar(&p.CRMDSN, "crm", "", "crmsql's dsn: option, postgres://… (required)")
	flag.BoolVar(&p.InProcess, "in-process", false, "run the IMAP sources inside the worker too (default: as plugin processes, gwsync's default)")
	flag.BoolVar(&p.CRMProcess, "crm-process", false, "run crmsql as a plugin process (default: in the worker, gwsync's default for crmsql)")
	flag.StringVar(&p.Worker, "worker", "", "the worker: section's body as one line of YAML flow mapping, e.g. '{concurrency: 8}'; empty: none")
	flag.Parse()
	if err := p.check(); err != nil {
		fmt.Fprintln(os.Stderr, "genconfig:", err)
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	if err := Write(w, p); err != nil {
		fmt.Fprintln(os.Stderr, "genconfig:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "genconfig:", err)
		os.Exit(1)
	}
}

// Params are what the generated configuration varies in.
type Params struct {
	Users              int
	IMAPAddr, Password string
	StateDSN, CRMDSN   string
	InProcess          bool
	CRMProcess         bool // crmsql as a plugin process instead of gwsync's default, in process
	// Worker is the body of the `worker:` section as a YAML flow mapping
	// ("{concurrency: 8}"); "" writes no such section.
	Worker string
}

func (p Params) check() error {
	switch {
	case p.Users < 1:
		return fmt.Errorf("-users %d: at least 1", p.Users)
	case p.IMAPAddr == "":
		return fmt.Errorf("-imap is required")
	case p.StateDSN == "" || p.CRMDSN == "":
		return fmt.Errorf("-state and -crm are required")
	}
	return nil
}

// Write writes the configuration. Strings are quoted (strconv.Quote gives
// valid YAML double-quoted scalars for the DSNs and passwords used here).
// Errors: only the writer's.
func Write(w io.Writer, p Params) error {
	q := strconv.Quote
	bw := errWriter{w: w}
	bw.printf("# The scale benchmark's configuration (bench/scale/genconfig): %d users.\n", p.Users)
	bw.printf("state: %s\n", q(p.StateDSN))
	bw.printf("crm:\n  plugin: crmsql\n  in_process: %t\n  options: {dsn: %s}\n", !p.CRMProcess, q(p.CRMDSN))
	if p.Worker != "" {
		bw.printf("worker: %s\n", p.Worker)
	}
	bw.printf("users:\n")
	url := q("imap://" + p.IMAPAddr)
	for i := 1; i <= p.Users; i++ {
		name := fmt.Sprintf("user%05d", i)
		bw.printf("  - name: %s\n    email: %s@example.com\n    automatic_matching: false\n    areas: [emails]\n", name, name)
		bw.printf("    sources:\n      - name: mail\n        plugin: imap\n        in_process: %t\n", p.InProcess)
		bw.printf("        options: {url: %s, tls: none, username: %s, password: %s, folder: \"Import Folder\"}\n", url, name, q(p.Password))
	}
	return bw.err
}

// errWriter keeps the first write error, so Write checks once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
