// Package hostile runs the hostile corpus (testdata/hostile) through the
// files source and the engine: every case next to a valid neighbour, each
// run bounded in time. See testdata/hostile/README.md for what it checks.
package hostile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	_ "github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// caseBound is how long one run over one case and its neighbour may take.
// The cases used to take from 7 s to forever; the bound keeps a regression
// from hanging the suite, it is not a speed target (see the benchmarks).
const caseBound = 20 * time.Second

const (
	corpusDir       = "../../testdata/hostile"
	neighbourKeyICS = "ical:hostile-neighbour@gwsync.test"
	neighbourKeyEML = "mid:hostile-neighbour@gwsync.test"
)

// hostileCase is one case: a file name and its content.
type hostileCase struct {
	name string // ends in .ics or .eml
	data func() []byte
}

// generated holds the cases built in code (too big or too repetitive to
// commit); generated_*_test.go files add to it from init.
var generated []hostileCase

func TestHostileCorpus(t *testing.T) {
	cases := corpus(t)
	if len(cases) == 0 {
		t.Fatal("no hostile cases found")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, c)
		})
	}
}

// corpus lists the committed cases and the generated ones.
func corpus(t *testing.T) []hostileCase {
	var out []hostileCase
	for _, sub := range []string{"ics", "eml"} {
		entries, err := os.ReadDir(filepath.Join(corpusDir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), "."+sub) {
				continue
			}
			path := filepath.Join(corpusDir, sub, e.Name())
			out = append(out, hostileCase{name: e.Name(), data: func() []byte {
				b, err := os.ReadFile(path)
				if err != nil {
					panic(err)
				}
				return b
			}})
		}
	}
	out = append(out, generated...)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// runCase syncs the case with its neighbour twice.
func runCase(t *testing.T, c hostileCase) {
	dir := t.TempDir()
	calDir, mailDir := filepath.Join(dir, "calendar"), filepath.Join(dir, "mail")
	for _, d := range []string{calDir, mailDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	caseDir, neighbour, key := calDir, "neighbour.ics", neighbourKeyICS
	if strings.HasSuffix(c.name, ".eml") {
		caseDir, neighbour, key = mailDir, "neighbour.eml", neighbourKeyEML
	}
	copyFile(t, filepath.Join(corpusDir, "neighbours", neighbour), filepath.Join(caseDir, "0-"+neighbour))
	if err := os.WriteFile(filepath.Join(caseDir, c.name), c.data(), 0o644); err != nil {
		t.Fatal(err)
	}

	src, err := adapters.NewSource("files", adapters.Config{Name: "files",
		Options:  []byte(fmt.Sprintf(`{"calendar_dir": %q, "mail_dir": %q}`, calDir, mailDir)),
		TimeZone: "Europe/Berlin"})
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
	job := &engine.Job{User: "alice", Email: "alice@example.com", CRM: crm,
		Sources: []engine.NamedSource{{Name: "files", Source: src}},
		Window: adapters.Window{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		Policy: engine.NewestWins}

	first := bounded(t, "first run", func(ctx context.Context) (*engine.Plan, error) {
		run, err := engine.Start(ctx, st, job)
		if err != nil {
			return nil, err
		}
		plan := run.Plan()
		_, err = run.Apply(ctx)
		return plan, err
	})
	for _, pr := range first.Problems {
		if !strings.Contains(pr.ItemID+" "+pr.Reason, c.name) {
			t.Errorf("problem does not name the case file %s: %+v", c.name, pr)
		}
	}
	found := false
	for _, a := range crm.Activities() {
		found = found || a.Key == key
	}
	if !found {
		t.Errorf("the neighbour %s was not imported; problems: %+v", key, first.Problems)
	}

	again := bounded(t, "second run", func(ctx context.Context) (*engine.Plan, error) {
		run, err := engine.Start(ctx, st, job)
		if err != nil {
			return nil, err
		}
		return run.Plan(), nil
	})
	if n := again.Writes(); n != 0 {
		for _, a := range again.Actions {
			if a.Selected && a.Effective() != "" {
				t.Errorf("second run would %s %s %s (%s)", a.Kind, a.ItemID, a.Subject, a.Reason)
			}
		}
	}
}

// bounded runs one engine call and fails the test when it takes longer
// than caseBound, without waiting for a hung call to end.
func bounded(t *testing.T, what string, run func(context.Context) (*engine.Plan, error)) *engine.Plan {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), caseBound)
	defer cancel()
	type result struct {
		plan *engine.Plan
		err  error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		p, err := run(ctx)
		done <- result{p, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("%s failed after %s: %v", what, time.Since(start).Round(time.Millisecond), r.err)
		}
		return r.plan
	case <-time.After(caseBound + 5*time.Second):
		t.Fatalf("%s still running after %s: the case hangs the sync", what, caseBound+5*time.Second)
	}
	return nil
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
