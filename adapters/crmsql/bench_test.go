package crmsql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
)

// BenchmarkUpsert100k imports 100,000 mails in batches of 500 into a fresh
// database, as a first sync of a large mailbox would, and reports items/s,
// on SQLite and on PostgreSQL (GWSYNC_TEST_POSTGRES_DSN; skipped without).
// Run: go test -run '^$' -bench Upsert100k -benchtime 1x ./adapters/crmsql/
func BenchmarkUpsert100k(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) { benchUpsert(b, be) })
	}
}

func benchUpsert(b *testing.B, be backend) {
	const total, batch = 100_000, 500
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := crmsql.OpenStore(ctx, be.newDSN(b))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.AddContact(ctx, "Known", "known@example.com"); err != nil {
			b.Fatal(err)
		}
		base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
		b.StartTimer()
		start := time.Now()
		for n := 0; n < total; n += batch {
			acts := make([]adapters.Activity, batch)
			for j := range acts {
				k := n + j
				acts[j] = adapters.Activity{
					Type: adapters.TypeMailIn, Key: fmt.Sprintf("mid:<%d@bench>", k), Subject: fmt.Sprintf("mail %d", k),
					Body: "hello", Raster: adapters.Raster{Start: base.Add(time.Duration(k) * time.Minute)},
					Owners: []string{"alice"}, Contacts: []string{"known@example.com", "stranger@example.com"},
					Attachments: []adapters.Attachment{{Name: "a.pdf", Type: "application/pdf", Size: 1000}},
					Source:      "mail", SourceItem: fmt.Sprintf("INBOX/%d", k),
				}
			}
			res, err := s.Upsert(ctx, acts)
			if err != nil {
				b.Fatal(err)
			}
			if !res[batch-1].Created {
				b.Fatalf("item %d not created: %+v", n+batch-1, res[batch-1])
			}
		}
		b.ReportMetric(float64(total)/time.Since(start).Seconds(), "items/s")
		b.StopTimer()
		s.Close()
	}
}
