package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/worker"
)

// runJobs is `gwsync jobs enqueue` and `gwsync jobs wait`: what a cron job,
// an operator or a benchmark does with the PostgreSQL job queue.
func runJobs(ctx context.Context, args []string) error {
	const usage = "jobs enqueue (--user NAME ... | --all) | jobs wait [--timeout D]"
	if len(args) == 0 {
		return usageError{"jobs: want a subcommand: " + usage}
	}
	switch args[0] {
	case "enqueue":
		return runJobsEnqueue(ctx, args[1:])
	case "wait":
		return runJobsWait(ctx, args[1:])
	case "-h", "--help":
		fmt.Fprintln(os.Stderr, "Usage: gwsync "+usage)
		return nil
	}
	return usageError{fmt.Sprintf("jobs: unknown subcommand %q (want enqueue or wait)", args[0])}
}

// stringList is a flag that may be repeated; each value may also be a
// comma-separated list.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

var _ flag.Value = (*stringList)(nil)

func runJobsEnqueue(ctx context.Context, args []string) error {
	fs, c := newFlagSet("jobs enqueue", "jobs enqueue (--user NAME ... | --all)\n\n"+
		"Queues a sync for each user; a user who already has one queued or running keeps it.\n"+
		"Prints how many were queued. Needs a PostgreSQL state.")
	var names stringList
	fs.Var(&names, "user", "queue this user's sync (repeat, or a comma-separated list)")
	all := fs.Bool("all", false, "queue a sync for every user of the config")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *all == (len(names) > 0) {
		return usageError{"jobs enqueue: give --user NAME (one or more) or --all"}
	}
	_, cfg, err := c.setup()
	if err != nil {
		return err
	}
	if *all {
		for _, u := range cfg.Users {
			names = append(names, u.Name)
		}
	}
	for _, n := range names {
		if _, err := cfg.User(n); err != nil {
			return usageError{err.Error()}
		}
	}
	q, closeQ, err := openQueue(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeQ()
	res, err := q.EnqueueSyncs(ctx, names)
	if err != nil {
		return err
	}
	added := 0
	for _, r := range res {
		if !r.Duplicate {
			added++
		}
	}
	fmt.Printf("queued %d syncs (%d users already had one queued or running)\n", added, len(res)-added)
	return nil
}

func runJobsWait(ctx context.Context, args []string) error {
	fs, c := newFlagSet("jobs wait", "jobs wait [--timeout D] [--since TIME]\n\n"+
		"Waits until no sync job is queued, scheduled, running or waiting for a retry,\n"+
		"then prints the jobs River keeps by outcome and exits 0; exits 1 on timeout.\n"+
		"failed counts completed jobs one of whose attempts failed; discarded, jobs given up.")
	timeout := fs.Duration("timeout", 0, "give up after this long (default: wait as long as it takes)")
	sinceText := fs.String("since", "", "count only jobs created at or after this RFC 3339 time")
	poll := fs.Duration("poll", 200*time.Millisecond, "how often to look")
	if err := parse(fs, args); err != nil {
		return err
	}
	var since time.Time
	if *sinceText != "" {
		t, err := time.Parse(time.RFC3339, *sinceText)
		if err != nil {
			return usageError{fmt.Sprintf("jobs wait: --since: %v", err)}
		}
		since = t
	}
	_, cfg, err := c.setup()
	if err != nil {
		return err
	}
	q, closeQ, err := openQueue(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeQ()
	wctx := ctx
	if *timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	counts, err := q.Wait(wctx, since, *poll)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return exitCodeError{code: exitError, msg: fmt.Sprintf("jobs wait: still %d sync jobs pending (%d running) after %s",
			counts.Pending, counts.Running, *timeout)}
	}
	if err != nil {
		return err
	}
	fmt.Printf("completed=%d failed=%d discarded=%d cancelled=%d\n",
		counts.Completed, counts.Failed, counts.Discarded, counts.Cancelled)
	return nil
}

// openQueue opens the state named by the config and the job queue in its
// database (migrating River's tables if needed). The caller loads the
// config once: parsing one of 10,000 users takes a quarter of a second.
func openQueue(ctx context.Context, cfg *config.Config) (*worker.Queue, func(), error) {
	if err := needPostgresState(cfg, "jobs"); err != nil {
		return nil, nil, err
	}
	st, err := openState(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	pool, err := jobsPool(cfg, st)
	if err == nil {
		err = worker.Migrate(ctx, pool)
	}
	var q *worker.Queue
	if err == nil {
		q, err = worker.NewQueue(pool, nil)
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return q, func() { st.Close() }, nil
}
