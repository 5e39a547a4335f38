package graph_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/graph"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
)

// TestThrottleHonoursRetryAfter: a 429 waits Retry-After, then the same
// request is sent again and the snapshot succeeds.
func TestThrottleHonoursRetryAfter(t *testing.T) {
	fake, src := seeded(t)
	if _, err := src.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	fake.Throttle(1, "1")
	start := time.Now()
	items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindMessage}})
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("snapshot took %v after a 429 with Retry-After: 1", waited)
	}
	if len(items) != 2 {
		t.Errorf("%d messages after throttling, want 2", len(items))
	}
	reqs := fake.Requests()
	folderCalls := 0
	for _, r := range reqs {
		if strings.Contains(r, "/mailFolders?") {
			folderCalls++
		}
	}
	if folderCalls != 2 {
		t.Errorf("throttled request sent %d times, want 2 (once refused, once retried): %v", folderCalls, reqs)
	}
}

// TestServerErrors: 5xx is retried with backoff; past the attempts and
// the resume rounds it is Temporary and the snapshot fails.
func TestServerErrors(t *testing.T) {
	fake, src := seeded(t)
	if _, err := src.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	fake.FailNext(2, 503)
	if items, _ := mustSnapshot(t, src, adapters.SnapshotRequest{}); len(items) != 6 {
		t.Errorf("%d items after two 503s, want 6", len(items))
	}
	fake.FailNext(fastRetry.Attempts*(fastResume.Rounds+1), 500)
	_, _, err := snapshot(t, src, adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindTask}})
	requireCode(t, "snapshot with a page failing every attempt of every round", err, adapters.CodeTemporary)
}

// TestUnauthorizedNamesMailbox: a wrong secret and a revoked consent are
// Unauthorized and say whose mailbox failed.
func TestUnauthorizedNamesMailbox(t *testing.T) {
	fake := graphfake.New(t)
	fake.SeedItems("Import Folder", nil)
	bad := newSource(t, fake, func(c *graph.Config) { c.ClientSecret = "wrong" })
	_, err := bad.Info(t.Context())
	requireCode(t, "Info with a wrong secret", err, adapters.CodeUnauthorized)
	if !strings.Contains(err.Error(), graphfake.Mailbox) || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("error %q does not name the mailbox and the reason", err)
	}

	src := newSource(t, fake, nil)
	if _, err := src.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	fake.Revoke()
	_, _, err = snapshot(t, src, adapters.SnapshotRequest{})
	requireCode(t, "snapshot after consent was revoked", err, adapters.CodeUnauthorized)
	if !strings.Contains(err.Error(), graphfake.Mailbox) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("error %q does not name the mailbox and invalid_grant", err)
	}
}

// TestDeviceCode: the device-code flow logs the sign-in message and polls
// the token endpoint with the device code.
func TestDeviceCode(t *testing.T) {
	fake := graphfake.New(t)
	var log bytes.Buffer
	src := newSource(t, fake, func(c *graph.Config) {
		c.Auth, c.ClientSecret = graph.AuthDeviceCode, ""
		c.Logger = hclog.New(&hclog.LoggerOptions{Output: &log})
	})
	if _, err := src.Info(t.Context()); err != nil {
		t.Fatalf("Info with device code: %v", err)
	}
	if !strings.Contains(log.String(), "FAKE-CODE") {
		t.Errorf("sign-in message not logged: %q", log.String())
	}
}

// TestConfigErrors: incomplete Graph configs are InvalidConfig.
func TestConfigErrors(t *testing.T) {
	for name, change := range map[string]func(*graph.Config){
		"no client id":   func(c *graph.Config) { c.ClientID = "" },
		"no secret":      func(c *graph.Config) { c.ClientSecret = "" },
		"no mailbox":     func(c *graph.Config) { c.Mailbox = "" },
		"unknown auth":   func(c *graph.Config) { c.Auth = "password" },
		"no tenant/urls": func(c *graph.Config) { c.TenantID, c.TokenURL = "", "" },
	} {
		cfg := graph.Config{TenantID: "t", ClientID: "c", ClientSecret: "s", Mailbox: "m@example.com"}
		change(&cfg)
		_, err := graph.New(cfg)
		requireCode(t, name, err, adapters.CodeInvalidConfig)
	}
}
