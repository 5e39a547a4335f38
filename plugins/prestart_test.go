package plugins_test

import (
	"testing"
	"time"

	"github.com/gwsync/gwsync/plugins"
)

// A prestarted process is the one a later open uses: one process started,
// not two, and a second prestart of a running launch starts nothing.
func TestPoolPrestartIsTheProcessAnOpenUses(t *testing.T) {
	pool := newTestPool(t, plugins.PoolOptions{IdleTimeout: -1})
	l := pooledLaunch("alice", false)
	pool.PrestartSource(l)
	deadline := time.Now().Add(30 * time.Second)
	for pool.Stats().Processes != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("prestart: %+v, want one process", pool.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	pool.PrestartSource(l)
	src, err := pool.OpenSource(ctxFor(t), l)
	if err != nil {
		t.Fatal(err)
	}
	if st := pool.Stats(); st.Started != 1 || st.Processes != 1 || st.Instances != 1 {
		t.Fatalf("after prestart and open: %+v, want the one prestarted process serving the instance", st)
	}
	if got := snapshotSubjects(t, src); len(got) != 1 || got[0] != "alice" {
		t.Fatalf("the instance sees %q", got)
	}
}
