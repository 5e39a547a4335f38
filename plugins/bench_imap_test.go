//go:build unix

package plugins_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/imap" // served by the re-executed test binary
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/internal/testenv"
	"github.com/gwsync/gwsync/plugins"
)

// BenchmarkIMAPPluginRead is the scale benchmark's IMAP read of one user
// through a pooled plugin process against Dovecot (5 messages): open an
// instance, ask its Info and take a snapshot as the engine does (first:
// no cursor; nochange: the cursor of a first one), close it. It reports
// the plugin process's CPU per read (reaped once the pool closes, its
// start included, spread over b.N) and this host process's.
//
//	go test ./plugins -run '^$' -bench IMAPPluginRead -benchtime 300x
func BenchmarkIMAPPluginRead(b *testing.B) {
	addr, user, pass := testenv.Var(b, "DOVECOT_ADDR"), testenv.Var(b, "DOVECOT_USER"), testenv.Var(b, "DOVECOT_PASSWORD")
	folder := fmt.Sprintf("Bench Plugin %d", time.Now().UnixNano())
	c := imaptest.Dial(b, addr, user, pass)
	for i := range 5 {
		imaptest.Append(b, c, folder, []byte(fmt.Sprintf("Message-ID: <%d@bench>\r\nFrom: a@example.org\r\nSubject: S%d\r\n\r\nBody\r\n", i, i)))
	}
	opts := imaptest.Options(addr, user, pass, folder)
	ctx := context.Background()
	read := func(pool *plugins.Pool, cursor string) string {
		src, err := pool.OpenSource(ctx, conformance.SubprocessLaunch("imap", adapters.Config{Name: "mail", Options: opts}))
		if err != nil {
			b.Fatal(err)
		}
		// Info first, as the engine's planner asks before every listing.
		if _, err := src.Info(ctx); err != nil {
			b.Fatal(err)
		}
		end, err := src.Snapshot(ctx, adapters.SnapshotRequest{Cursor: cursor}, func(adapters.Item) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		_ = src.Close()
		return end.Cursor
	}
	pool := plugins.NewPool(plugins.PoolOptions{})
	cursor := read(pool, "")
	_ = pool.Close()
	for _, bc := range []struct{ name, cursor string }{{"first", ""}, {"nochange", cursor}} {
		b.Run(bc.name, func(b *testing.B) {
			self0, children0 := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
			pool := plugins.NewPool(plugins.PoolOptions{})
			for range b.N {
				read(pool, bc.cursor)
			}
			_ = pool.Close() // reaps the plugin: its CPU is in RUSAGE_CHILDREN from now
			b.ReportMetric(float64((rusage(syscall.RUSAGE_CHILDREN)-children0).Microseconds())/float64(b.N), "plugin-cpu-µs/op")
			b.ReportMetric(float64((rusage(syscall.RUSAGE_SELF)-self0).Microseconds())/float64(b.N), "host-cpu-µs/op")
		})
	}
}

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
