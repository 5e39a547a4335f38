package hostile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// The duplicate cases of the corpus together, through the files source:
// the neighbour's UID in a second .ics file with other times, the
// neighbour's e-mail twice, and its Message-ID on another message. One
// event activity and two message activities; the second .ics file is
// never written, not even when the CRM moves the event.
func TestDuplicatesThroughTheFilesSource(t *testing.T) {
	dir := t.TempDir()
	calDir, mailDir := filepath.Join(dir, "calendar"), filepath.Join(dir, "mail")
	for _, d := range []string{calDir, mailDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, filepath.Join(corpusDir, "neighbours", "neighbour.ics"), filepath.Join(calDir, "0-neighbour.ics"))
	copyFile(t, filepath.Join(corpusDir, "ics", "duplicate-uid-other-times.ics"), filepath.Join(calDir, "duplicate.ics"))
	copyFile(t, filepath.Join(corpusDir, "neighbours", "neighbour.eml"), filepath.Join(mailDir, "0-neighbour.eml"))
	for _, name := range []string{"duplicate-message-identical.eml", "duplicate-message-id-other-content.eml"} {
		copyFile(t, filepath.Join(corpusDir, "eml", name), filepath.Join(mailDir, name))
	}
	dupBefore, err := os.ReadFile(filepath.Join(calDir, "duplicate.ics"))
	if err != nil {
		t.Fatal(err)
	}

	src, err := adapters.NewSource("files", adapters.Config{Name: "files",
		Options: []byte(fmt.Sprintf(`{"calendar_dir": %q, "mail_dir": %q}`, calDir, mailDir)), TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	crm := memory.NewStore()
	job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: crm, Policy: engine.NewestWins,
		Sources: []engine.NamedSource{{Name: "files", Source: src}},
		Window:  adapters.Window{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}}
	run := func(name string) *engine.Result {
		t.Helper()
		var run *engine.Run
		bounded(t, name, func(ctx context.Context) (*engine.Plan, error) {
			var err error
			if run, err = engine.Start(ctx, st, job); err != nil {
				return nil, err
			}
			return run.Plan(), nil
		})
		res, err := run.Apply(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res
	}
	res := run("first run")
	if res.Counts["create"] != 3 || res.Counts[engine.OutcomeSkipped] != 2 || len(crm.Activities()) != 3 {
		t.Fatalf("first run %v, %d activities: want 3 creates (one event, two messages) and 2 duplicates", res.Counts, len(crm.Activities()))
	}
	if res := run("second run"); res.Status != state.StatusIdle {
		t.Fatalf("second run %s %v: want the two duplicate reports only, an idle check", res.Status, res.Counts)
	}
	for _, a := range crm.Activities() {
		if a.Type != adapters.TypeMailIn {
			a.Raster = adapters.Raster{Start: time.Date(2027, 3, 20, 8, 0, 0, 0, time.UTC), End: time.Date(2027, 3, 20, 9, 0, 0, 0, time.UTC)}
			crm.PutActivity(a)
		}
	}
	if res := run("after a CRM move"); res.Counts["update-groupware"] != 1 {
		t.Fatalf("after a CRM move: %v", res.Counts)
	}
	if got, _ := os.ReadFile(filepath.Join(calDir, "duplicate.ics")); !bytes.Equal(got, dupBefore) {
		t.Fatalf("the duplicate .ics was written:\n%s", got)
	}
}
