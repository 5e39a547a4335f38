package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
	"github.com/gwsync/gwsync/worker"
)

// shortStartRetry makes startRetry fit a test.
func shortStartRetry(t *testing.T, bound time.Duration) {
	old := startRetry
	startRetry.bound, startRetry.first, startRetry.most = bound, 100*time.Millisecond, 400*time.Millisecond
	t.Cleanup(func() { startRetry = old })
}

// lateProxy listens on a free port only after delay and then forwards
// every connection to target: a PostgreSQL that comes up after the worker.
func lateProxy(t *testing.T, target string, delay time.Duration) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens until delay has passed
	done := make(chan struct{})
	var wg sync.WaitGroup
	go func() {
		select {
		case <-time.After(delay):
		case <-done:
			return
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("late proxy on %s: %v", addr, err)
			return
		}
		go func() { <-done; l.Close() }()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { io.Copy(up, c); up.Close() }()
				io.Copy(c, up)
			}()
		}
	}()
	t.Cleanup(func() { close(done) })
	return addr
}

// withHost is dsn with its host:port replaced.
func withHost(t *testing.T, dsn, hostPort string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = hostPort
	return u.String()
}

// A worker started before its PostgreSQL waits for it, saying so in the
// log, and then opens the state and migrates River's tables as usual.
func TestWorkerStartWaitsForPostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	u, _ := url.Parse(dsn)
	shortStartRetry(t, 20*time.Second)
	late := withHost(t, dsn, lateProxy(t, u.Host, 1500*time.Millisecond))
	var logs bytes.Buffer
	logger := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Warn})
	ctx := context.Background()
	var st *postgres.Store
	began := time.Now()
	err := retryUnreachable(ctx, logger, "state", func(ctx context.Context) error {
		var err error
		st, err = postgres.Open(ctx, late)
		return err
	})
	if err != nil {
		t.Fatalf("open after PostgreSQL came up: %v\n%s", err, logs.String())
	}
	defer st.Close()
	if time.Since(began) < time.Second || !strings.Contains(logs.String(), "PostgreSQL cannot be reached yet; retrying") ||
		!strings.Contains(logs.String(), "attempt=1") {
		t.Fatalf("opened after %s with log:\n%s\nwant retries logged while nothing listened", time.Since(began), logs.String())
	}
	if err := retryUnreachable(ctx, logger, "river", func(ctx context.Context) error { return worker.Migrate(ctx, st.Pool()) }); err != nil {
		t.Fatal(err)
	}
}

// The retry is bounded, and an answer that is a refusal is not retried.
func TestWorkerStartRetryIsBoundedAndOnlyForUnreachable(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	shortStartRetry(t, time.Second)
	ctx := context.Background()
	logger := hclog.NewNullLogger()

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	attempts := 0
	began := time.Now()
	err := retryUnreachable(ctx, logger, "state", func(ctx context.Context) error {
		attempts++
		st, err := postgres.Open(ctx, withHost(t, dsn, closed))
		if err == nil {
			st.Close()
		}
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "still unreachable after") || attempts < 3 || time.Since(began) > 5*time.Second {
		t.Fatalf("nothing listening: %v after %d attempts in %s; want a bounded retry that gives up", err, attempts, time.Since(began))
	}

	u, _ := url.Parse(dsn)
	u.User = url.UserPassword(u.User.Username(), "not-the-password")
	attempts = 0
	err = retryUnreachable(ctx, logger, "state", func(ctx context.Context) error {
		attempts++
		st, err := postgres.Open(ctx, u.String())
		if err == nil {
			st.Close()
		}
		return err
	})
	if err == nil || attempts != 1 {
		t.Fatalf("a wrong password: %v after %d attempts; want one attempt and its error", err, attempts)
	}
}
