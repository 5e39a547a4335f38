// Package backoff is the one retry schedule of the adapters that talk to
// servers (CalDAV's davx, Exchange's xchg): exponential from a base delay,
// or as long as the server asked (Retry-After, EWS BackOffMilliseconds),
// capped, and a sleep that ends with its context.
package backoff

import (
	"context"
	"time"
)

// Policy is a bounded retry schedule: before retry n (1, 2, ...) it waits
// Base·2^(n-1), or what the server asked for instead, at most Max (0: no
// cap).
type Policy struct {
	Base time.Duration
	Max  time.Duration
}

// Delay is the wait before retry n (n ≥ 1). asked is what the server
// asked for (0: nothing), which replaces the exponential step.
func (p Policy) Delay(n int, asked time.Duration) time.Duration {
	d := asked
	if d <= 0 {
		d = p.Base
		for i := 1; i < n && (p.Max <= 0 || d < p.Max); i++ {
			d *= 2
		}
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	return d
}

// Sleep waits d, or returns ctx's error as soon as ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
