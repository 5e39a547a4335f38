//go:build unix

package crmsql_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
)

// BenchmarkUpsertMailImport is the CRM's share of bench/perf's IMAP row:
// 10,000 mails in batches of 500 into a fresh database, each with a body
// of about 1.4 KB (the seeded folder's average), an owner, three
// addresses out of some 1,500 that are no contacts, and every tenth an
// attachment's metadata. It reports the CPU time of the process per
// import (cpu-s/import) next to the wall time, on SQLite and PostgreSQL.
// Run: go test -run '^$' -bench UpsertMailImport -benchtime 3x ./adapters/crmsql/
func BenchmarkUpsertMailImport(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) { benchMailImport(b, be) })
	}
}

func benchMailImport(b *testing.B, be backend) {
	const total, batch = 10_000, 500
	ctx := context.Background()
	body := strings.Repeat("Guten Tag, anbei die Unterlagen zum Angebot. ", 31)
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := crmsql.OpenStore(ctx, be.newDSN(b))
		if err != nil {
			b.Fatal(err)
		}
		before := cpuTime()
		b.StartTimer()
		for n := 0; n < total; n += batch {
			acts := make([]adapters.Activity, batch)
			for j := range acts {
				k := n + j
				acts[j] = adapters.Activity{
					Type: adapters.TypeMailIn, Key: fmt.Sprintf("mid:<%d@bench>", k), Subject: fmt.Sprintf("Angebot %d", k),
					Body: body, Raster: adapters.Raster{Start: base.Add(time.Duration(k) * time.Minute)},
					Owners:   []string{"bob"},
					Contacts: []string{fmt.Sprintf("anna%d@kunde.example.org", k%1500), "einkauf@lieferant.example.com", fmt.Sprintf("Vertrieb <vertrieb%d@example.co.uk>", k%7)},
					Source:   "mail", SourceItem: fmt.Sprintf("Perf/1/%d", k),
				}
				if k%10 == 0 {
					acts[j].Attachments = []adapters.Attachment{{Name: "a.pdf", Type: "application/pdf", Size: 30000}}
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
		b.StopTimer()
		cpu += cpuTime() - before
		s.Close()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/import")
}

// cpuTime is the user and system time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
