package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

// TestKillLoop kills the real gwsync process with SIGKILL at random moments
// while it imports, exports and writes times back. Before each run it adds
// new e-mails and events, moves times in the CRM and creates CRM
// appointments, so every run has work to be killed in. At the end one run
// finishes, and the CRM store and the files must show every item exactly
// once, every CRM appointment exported exactly once, the latest time of
// every moved event, and no half-written .ics file.
func TestKillLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the binary ~40 times")
	}
	const rounds = 40
	s := newSite(t, "")
	crm := s.crm()
	ctx := context.Background()
	base := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))

	var items []adapters.Item
	crmMade := 0
	moved := map[string]time.Time{} // source item → start last set in the CRM
	newItems := func(round, n int) {
		var batch []adapters.Item
		for i := 0; i < n; i++ {
			k := round*1000 + i
			st := base.Add(time.Duration(k%2000) * 3 * time.Hour)
			// Last modified in the past: a CRM edit made now is newer, so
			// newest-wins settles a conflict towards the CRM.
			ev := adapters.Item{Kind: adapters.KindEvent, Key: fmt.Sprintf("ical:kill-%d@example.com", k),
				Subject: fmt.Sprintf("Visit %d", k), Raster: adapters.Raster{Start: st, End: st.Add(time.Hour)},
				Modified: time.Now().Add(-time.Hour)}
			if k%3 == 0 {
				ev.From, ev.Attendees = "sam.seller@example.com", []string{"client@example.org"}
			}
			msg := adapters.Item{Kind: adapters.KindMessage, Key: fmt.Sprintf("mid:kill-%d@example.org", k),
				Subject: fmt.Sprintf("Order %d", k), From: "buyer@example.org", To: []string{"sam.seller@example.com"},
				Date: base.Add(time.Duration(k) * time.Minute), Body: strings.Repeat("Please quote. ", 40)}
			batch = append(batch, ev, msg)
		}
		s.writeItems(batch)
		items = append(items, batch...)
	}
	crmWork := func(round int) {
		st := base.Add(time.Duration(round)*24*time.Hour + 7*time.Hour)
		typ := adapters.TypeAppointment
		if round%2 == 1 {
			typ = adapters.TypeFollowUp
		}
		if _, err := crm.CreateActivity(ctx, adapters.Activity{Type: typ, Subject: fmt.Sprintf("CRM call %d", round),
			Owners: []string{"sam"}, Raster: adapters.Raster{Start: st, End: st.Add(30 * time.Minute)}}); err != nil {
			t.Fatal(err)
		}
		crmMade++
		all, err := crm.AllActivities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			if !strings.HasPrefix(a.Key, "ical:") || rng.IntN(8) != 0 {
				continue
			}
			r := a.Raster
			shift := time.Duration(1+rng.IntN(4)) * time.Hour
			r.Start, r.End = r.Start.Add(shift), r.End.Add(shift)
			res, err := crm.UpdateTimes(ctx, []adapters.TimeChange{{ID: a.ID, Raster: r}})
			if err != nil || res[0].Err != nil {
				t.Fatalf("moving %s: %v %v", a.ID, err, res[0].Err)
			}
			moved[a.SourceItem] = r.Start
		}
	}

	killed := 0
	// A run that finishes before its kill shortens the window, so that a
	// fast machine still kills most runs at a random moment inside them.
	window := 700 * time.Millisecond
	for round := 0; round < rounds; round++ {
		newItems(round, 15)
		crmWork(round)
		cmd := exec.Command(gwsyncBin, "sync", "--yes", "--config", s.config)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		started := time.Now()
		select {
		case <-time.After(time.Duration(rng.Int64N(int64(window)))):
			cmd.Process.Signal(syscall.SIGKILL)
			if err := <-done; err != nil {
				killed++
			}
		case <-done: // finished before the kill
			window = max(min(window, time.Since(started)), 5*time.Millisecond)
		}
	}
	final := s.mustRun(0, "sync", "--yes")
	t.Logf("final run: %s", final.stdout)
	t.Logf("%d rounds, gwsync killed in %d; %d items, %d CRM appointments, %d events moved in the CRM",
		rounds, killed, len(items), crmMade, len(moved))
	if killed < rounds/3 {
		t.Fatalf("only %d of %d runs were killed: the loop proves little", killed, rounds)
	}

	// The CRM: every item exactly once, CRM activities not duplicated.
	acts := s.activities()
	byKey := map[string]int{}
	for _, a := range acts {
		if a.Key != "" {
			byKey[a.Key]++
		}
	}
	for _, it := range items {
		if byKey[it.Key] != 1 {
			t.Errorf("%s imported %d times", it.Key, byKey[it.Key])
		}
	}
	if want := len(items) + crmMade; len(acts) != want {
		t.Errorf("%d activities, want %d", len(acts), want)
	}
	// The files: one export per CRM appointment, no torn .ics, moved times arrived.
	exports, _ := filepath.Glob(filepath.Join(s.cal, "gwsync-*.ics"))
	if len(exports) != crmMade {
		t.Errorf("%d exported files, want %d", len(exports), crmMade)
	}
	entries, _ := os.ReadDir(s.cal)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".ics") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("leftover file %s", e.Name())
			continue
		}
		data, _ := os.ReadFile(filepath.Join(s.cal, e.Name()))
		parsed, err := icalendar.Parse(data, icalendar.ParseOptions{Location: time.UTC})
		if err != nil || len(parsed) != 1 || parsed[0].Unreadable != "" {
			t.Errorf("%s does not parse after the kills: %v", e.Name(), err)
			continue
		}
		if want, ok := moved["calendar/"+e.Name()]; ok && !parsed[0].Raster.Start.Equal(want) {
			t.Errorf("%s starts %v, want %v (its last CRM time)", e.Name(), parsed[0].Raster.Start, want)
		}
	}
	if p := s.plan(); len(p.Actions) != 0 {
		t.Errorf("not settled: %d actions, first %+v", len(p.Actions), p.Actions[0])
		r := s.mustRun(0, "sync", "--yes")
		t.Logf("one more run: %s", r.stdout)
		if p := s.plan(); len(p.Actions) != 0 {
			t.Logf("still: %+v", p.Actions[0])
		}
	}
	assertNoOrphanPlugins(t)
}

// assertNoOrphanPlugins checks that the plugin processes of killed runs
// noticed their parent was gone and exited.
func assertNoOrphanPlugins(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []string
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range procs {
			b, err := os.ReadFile(p)
			if err == nil && strings.HasPrefix(string(b), gwsyncBin+"\x00plugin\x00serve") {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin processes outlived their killed parent: %v", left)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
