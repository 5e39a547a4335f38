//go:build unix

package pythonsink

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
)

// TestPooledInstancesShareOneProcess: a worker's pool puts several users'
// sinks into one process of this plugin, which keeps them apart. The
// plugin serves no SourceService, so this also holds the pool to asking
// the sink service whether a plugin keeps named instances (it once asked
// the source service, and gave every sink-only plugin a process per
// instance).
func TestPooledInstancesShareOneProcess(t *testing.T) {
	py := python(t)
	pool := plugins.NewPool(plugins.PoolOptions{IdleTimeout: -1})
	t.Cleanup(func() { _ = pool.Close() })
	dir := t.TempDir()
	open := func(name string) adapters.Sink {
		t.Helper()
		opts, _ := json.Marshal(map[string]string{"database_file": filepath.Join(dir, name+".db")})
		sink, err := pool.OpenSink(context.Background(), plugins.Launch{
			Adapter: "pycrm",
			Config:  adapters.Config{Name: name, Options: opts},
			Cmd:     exec.Command(py, pluginPath(t)),
		})
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		return sink
	}
	first, second := open("alice"), open("bob")
	if st := pool.Stats(); st.Processes != 1 || st.Instances != 2 {
		t.Fatalf("pool holds %d processes for %d instances, want 1 for 2", st.Processes, st.Instances)
	}
	results, err := first.Upsert(context.Background(), []adapters.Activity{{Type: adapters.TypeTask, Subject: "only alice's", Owners: []string{"alice"}, Key: "k1"}})
	if err != nil || results[0].Err != nil {
		t.Fatalf("Upsert: %v %+v", err, results)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	if _, err := first.ListActivities(context.Background(), adapters.ActivityQuery{Owner: "alice"}, func(adapters.Activity) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("the first instance after the second was closed: %d activities, %v; want 1, nil", n, err)
	}
	_ = first.Close()
}
