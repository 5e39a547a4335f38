package imap_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

const hostileCorpus = "../../testdata/hostile"

// TestHostileCorpusOnDovecot APPENDs every committed mail case of the
// hostile corpus that Dovecot accepts, with the valid neighbour, to a fresh
// folder and snapshots it: the snapshot ends, the neighbour imports, and
// each accepted case is imported or reported by its UID; a sync of the
// folder through the engine succeeds and a second one writes nothing.
func TestHostileCorpusOnDovecot(t *testing.T) {
	srv := dovecotServer(t)
	c := srv.client(t)
	f := folder("Hostile")
	if err := c.Create(f, nil).Wait(); err != nil {
		t.Fatalf("CREATE %q: %v", f, err)
	}
	t.Cleanup(func() {
		if err := c.Delete(f).Wait(); err != nil {
			t.Errorf("DELETE %q: %v", f, err)
		}
	})

	neighbour, err := os.ReadFile(filepath.Join(hostileCorpus, "neighbours", "neighbour.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := appendOne(c, f, neighbour); err != nil {
		t.Fatalf("APPEND of the neighbour: %v", err)
	}
	names, err := filepath.Glob(filepath.Join(hostileCorpus, "eml", "*.eml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no mail cases: %v", err)
	}
	accepted := map[string]string{} // "/UID" -> case file
	var refused []string
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		uid, err := appendOne(c, f, data)
		if err != nil {
			refused = append(refused, fmt.Sprintf("%s (%v)", filepath.Base(name), err))
			continue
		}
		if uid == 0 {
			t.Fatalf("APPEND of %s: no UID (Dovecot has UIDPLUS)", filepath.Base(name))
		}
		accepted[fmt.Sprintf("/%d", uid)] = filepath.Base(name)
	}
	t.Logf("Dovecot accepted %d of %d cases; refused: %s", len(accepted), len(names), strings.Join(refused, ", "))

	syncTwice(t, srv, f)

	items, end := snap(t, open(t, srv.opts(f)), "")
	if !end.Complete {
		t.Errorf("snapshot not complete: %+v", end)
	}
	byUID := map[string]adapters.Item{}
	neighbourFound := false
	for _, it := range items {
		byUID[it.ID[strings.LastIndex(it.ID, "/"):]] = it
		neighbourFound = neighbourFound || it.Key == "mid:hostile-neighbour@gwsync.test"
	}
	if !neighbourFound {
		t.Errorf("the neighbour was not imported")
	}
	uids := make([]string, 0, len(accepted))
	for uid := range accepted {
		uids = append(uids, uid)
	}
	sort.Strings(uids)
	for _, uid := range uids {
		it, ok := byUID[uid]
		switch {
		case !ok:
			t.Errorf("%s (UID %s): not in the snapshot", accepted[uid], uid[1:])
		case it.Unreadable != "":
			t.Logf("%s: reported %q", accepted[uid], it.Unreadable)
			if !strings.Contains(it.Unreadable, "UID "+uid[1:]) {
				t.Errorf("%s: the report does not name UID %s", accepted[uid], uid[1:])
			}
		case it.Key == "":
			t.Errorf("%s (UID %s): imported without a key", accepted[uid], uid[1:])
		}
	}
}

// appendOne APPENDs one message and returns its UID, or the server's
// refusal.
func appendOne(c *imapclient.Client, folder string, msg []byte) (uid uint32, err error) {
	cmd := c.Append(folder, int64(len(msg)), nil)
	if _, err := cmd.Write(msg); err != nil {
		return 0, err
	}
	if err := cmd.Close(); err != nil {
		return 0, err
	}
	data, err := cmd.Wait()
	if err != nil {
		return 0, err
	}
	return uint32(data.UID), nil
}

// syncTwice runs the engine over the folder into a memory CRM: the run
// must succeed whatever the cases hold (one bad item used to fail the
// whole run), and a second plan must write nothing.
func syncTwice(t *testing.T, srv server, f string) {
	t.Helper()
	st, err := sqlite.Open(ctx(t), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: memory.NewStore(),
		Sources: []engine.NamedSource{{Name: "mail", Source: open(t, srv.opts(f))}},
		Window: adapters.Window{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}}
	run, err := engine.Start(ctx(t), st, job)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if _, err := run.Apply(ctx(t)); err != nil {
		t.Fatalf("sync of the hostile folder: %v", err)
	}
	againRun, err := engine.Start(ctx(t), st, job)
	if err != nil {
		t.Fatalf("second plan: %v", err)
	}
	again := againRun.Plan()
	for _, a := range again.Actions {
		if a.Selected && a.Effective() != "" {
			t.Errorf("second run would %s %s %s (%s)", a.Kind, a.ItemID, a.Subject, a.Reason)
		}
	}
}
