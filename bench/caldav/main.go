// Command caldav-bench times the caldav adapter against a server: a full
// snapshot and a no-change incremental resync, counting HTTP requests.
// bench/caldav/run.sh drives it; it prints "full_s resync_s requests items".
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav"
)

type counter struct {
	n  atomic.Int64
	rt http.RoundTripper
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

func main() {
	url := flag.String("url", "", "server URL")
	user := flag.String("user", "", "user")
	pass := flag.String("password", "", "password")
	cal := flag.String("calendar", "", "calendar path")
	flag.Parse()
	opts, _ := json.Marshal(map[string]any{"url": *url, "username": *user, "password": *pass, "calendars": []string{*cal}, "task_lists": []string{}})
	src, err := caldav.New(adapters.Config{Name: "bench", Options: opts, TimeZone: "Europe/Berlin"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cnt := &counter{rt: http.DefaultTransport}
	src.SetTransport(cnt)
	ctx := context.Background()
	now := time.Now()
	win := adapters.Window{From: now.AddDate(0, 0, -30), To: now.AddDate(1, 0, 0)}
	var items int64
	t0 := time.Now()
	end, err := src.Snapshot(ctx, adapters.SnapshotRequest{Window: win}, func(adapters.Item) error { items++; return nil })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	full := time.Since(t0)
	cnt.n.Store(0)
	t1 := time.Now()
	src2, _ := caldav.New(adapters.Config{Name: "bench", Options: opts, TimeZone: "Europe/Berlin"})
	src2.SetTransport(cnt)
	var changed int64
	if _, err := src2.Snapshot(ctx, adapters.SnapshotRequest{Window: win, Cursor: end.Cursor}, func(adapters.Item) error { changed++; return nil }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	resync := time.Since(t1)
	fmt.Printf("%.3f %.3f %d %d %d\n", full.Seconds(), resync.Seconds(), cnt.n.Load(), items, changed)
}
