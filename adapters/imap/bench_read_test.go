//go:build unix

package imap_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
)

// BenchmarkDovecotRead is one scale-benchmark user's read against Dovecot:
// a new source logs in, takes a snapshot (first: no cursor; nochange: the
// cursor of the last one) and logs out. It reports this process's CPU
// (user+system, not Dovecot's) and the IMAP commands per read, login and
// logout included, which is what the plugin process spends per user.
func BenchmarkDovecotRead(b *testing.B) {
	srv := dovecotServer(b)
	f := folder("Bench Read")
	c := imaptest.Dial(b, srv.addr, srv.user, srv.pass)
	for i := range 5 {
		imaptest.Append(b, c, f, msg(fmt.Sprintf("%d@bench", i), "S", "kunde@example.org"))
	}
	opts := srv.opts(f)
	read := func(b *testing.B, cursor string) (string, int64) {
		src, err := imap.New(adapters.Config{Name: "mail", Options: opts, Logger: hclog.NewNullLogger()})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		end, err := src.Snapshot(ctx, adapters.SnapshotRequest{Cursor: cursor}, func(adapters.Item) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		src.Close()
		return end.Cursor, src.Commands()
	}
	cursor, _ := read(b, "")
	for _, bc := range []struct{ name, cursor string }{{"first", ""}, {"nochange", cursor}} {
		b.Run(bc.name, func(b *testing.B) {
			var cmds int64
			cpu0 := cpuTime()
			b.ResetTimer()
			for range b.N {
				_, n := read(b, bc.cursor)
				cmds += n
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
			b.ReportMetric(float64(cmds)/float64(b.N), "commands/op")
		})
	}
}

// cpuTime is this process's CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
