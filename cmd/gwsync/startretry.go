package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/jackc/pgx/v5/pgconn"
)

// startRetry bounds how long `gwsync worker` waits at start for a
// PostgreSQL that cannot be reached yet (a database still starting, a
// worker container started before it), and the pause between attempts
// (doubling from the first, capped). Past the bound the worker exits 1 as
// before, and its supervisor decides.
var startRetry = struct {
	bound, first, most time.Duration
}{bound: 2 * time.Minute, first: 500 * time.Millisecond, most: 10 * time.Second}

// retryUnreachable runs start until it succeeds, fails for another reason
// than an unreachable database (a wrong password, a failed migration: no
// retry helps), ctx ends, or startRetry.bound has passed; each retry is
// logged with its cause, so an operator sees why the worker waits.
func retryUnreachable(ctx context.Context, logger hclog.Logger, what string, start func(context.Context) error) error {
	deadline := time.Now().Add(startRetry.bound)
	pause := startRetry.first
	for attempt := 1; ; attempt++ {
		err := start(ctx)
		if err == nil || !unreachable(err) || ctx.Err() != nil {
			return err
		}
		if time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("%w (still unreachable after %d attempts in %s)", err, attempt, startRetry.bound)
		}
		logger.Warn("PostgreSQL cannot be reached yet; retrying", "what", what, "attempt", attempt,
			"retry_in", pause.String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
		pause = min(2*pause, startRetry.most)
	}
}

// unreachable reports whether err says the database could not be reached
// or is not accepting connections yet, as opposed to one that answered
// with a refusal (authentication, a missing database) or an error in SQL.
func unreachable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 57P03 cannot_connect_now (starting up), 57P01 admin_shutdown,
		// 57P02 crash_shutdown: the server is there but not ready.
		return strings.HasPrefix(pgErr.Code, "57P")
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr)
}
