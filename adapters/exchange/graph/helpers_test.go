package graph_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/graph"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
	"github.com/gwsync/gwsync/conformance"
)

// fastRetry keeps retry tests quick; Retry-After is still honoured as sent.
var fastRetry = xchg.Retry{Attempts: 3, BaseDelay: 5 * time.Millisecond, MaxWait: 5 * time.Second}

// fastResume asks for a failed page twice more, quickly.
var fastResume = xchg.Resume{Rounds: 2, Delay: 10 * time.Millisecond}

func newSource(t *testing.T, fake *graphfake.Server, change func(*graph.Config)) *graph.Source {
	t.Helper()
	cfg := graph.Config{TenantID: graphfake.Tenant, ClientID: graphfake.ClientID, ClientSecret: graphfake.ClientSecret,
		Mailbox: graphfake.Mailbox, BaseURL: fake.BaseURL(), TokenURL: fake.TokenURL(), Retry: fastRetry, Resume: fastResume}
	if change != nil {
		change(&cfg)
	}
	src, err := graph.New(cfg)
	if err != nil {
		t.Fatalf("graph.New: %v", err)
	}
	return src
}

// seeded is a fake holding the standard fixture and a source reading it.
func seeded(t *testing.T) (*graphfake.Server, *graph.Source) {
	fake := graphfake.New(t)
	fake.SeedItems("Import Folder", conformance.StandardFixture().Items)
	return fake, newSource(t, fake, nil)
}

func snapshot(t *testing.T, src adapters.Source, req adapters.SnapshotRequest) ([]adapters.Item, adapters.SnapshotEnd, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var items []adapters.Item
	end, err := src.Snapshot(ctx, req, func(it adapters.Item) error {
		items = append(items, it)
		return nil
	})
	return items, end, err
}

func mustSnapshot(t *testing.T, src adapters.Source, req adapters.SnapshotRequest) ([]adapters.Item, adapters.SnapshotEnd) {
	t.Helper()
	items, end, err := snapshot(t, src, req)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return items, end
}

func byID(items []adapters.Item) map[string]adapters.Item {
	m := map[string]adapters.Item{}
	for _, it := range items {
		m[it.ID] = it
	}
	return m
}

func byKey(items []adapters.Item, key string) (adapters.Item, bool) {
	for _, it := range items {
		if it.Key == key {
			return it, true
		}
	}
	return adapters.Item{}, false
}

func requireCode(t *testing.T, what string, err error, code adapters.Code) {
	t.Helper()
	if got := adapters.CodeOf(err); err == nil || got != code {
		t.Fatalf("%s: error %v (code %s), want code %s", what, err, got, code)
	}
}

func hasWarning(it adapters.Item, part string) bool {
	for _, w := range it.Warnings {
		if strings.Contains(w, part) {
			return true
		}
	}
	return false
}
