package crmsql_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
)

// BenchmarkUserSync is the CRM's share of one user's run in bench/scale:
// a change listing (from a recent cursor, as a user synced minutes ago
// has), an Upsert of 4 new mails, and the listing of the next run
// (nothing changed), for many users at once (b.RunParallel, 4
// goroutines per CPU, one Store as a worker shares it). One op is one
// user. Run: go test -run '^$' -bench UserSync -benchtime 2000x ./adapters/crmsql/
func BenchmarkUserSync(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) { benchUserSync(b, be) })
	}
}

func benchUserSync(b *testing.B, be backend) {
	ctx := context.Background()
	s, err := crmsql.OpenStore(ctx, be.newDSN(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.AddContact(ctx, "Known", "known@example.com"); err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	var users, recent atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			u := users.Add(1)
			user := fmt.Sprintf("user%d", u)
			q := adapters.ChangeQuery{Owner: user, Since: recent.Load()}
			end, err := s.ListChanges(ctx, q, func(adapters.Activity) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			acts := make([]adapters.Activity, 4)
			for j := range acts {
				acts[j] = adapters.Activity{
					Type: adapters.TypeMailIn, Key: fmt.Sprintf("mid:<%d.%d@bench>", u, j), Subject: "Angebot",
					Body: "Guten Tag, anbei die Unterlagen.", Raster: adapters.Raster{Start: base.Add(time.Duration(j) * time.Minute)},
					Owners: []string{user}, Contacts: []string{"known@example.com", fmt.Sprintf("x%d@example.org", u)},
					Source: "mail", SourceItem: fmt.Sprintf("INBOX/%d", j),
				}
			}
			if _, err := s.Upsert(ctx, acts); err != nil {
				b.Fatal(err)
			}
			q.Since = end.Cursor
			if end, err = s.ListChanges(ctx, q, func(adapters.Activity) error { return nil }); err != nil {
				b.Fatal(err)
			}
			if c := recent.Load(); end.Cursor > c {
				recent.CompareAndSwap(c, end.Cursor)
			}
		}
	})
}
