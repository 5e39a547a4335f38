package engine

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden plan tables")

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// tablePlan has one action of every kind the table shows, with long
// subjects and a deselected row.
func tablePlan() *Plan {
	long := "Quarterly budget review with the regional sales managers and the finance department, bring numbers"
	acts := []*Action{
		{ID: "3f2a9c1d04e2", Kind: ActCreate, Area: AreaEmails, Selected: true, Source: "mail", Type: adapters.TypeMailIn,
			Subject: "Re: offer for 40 licences", Raster: adapters.Raster{Start: at("2026-12-01 08:15")}},
		{ID: "a0b1c2d3e4f5", Kind: ActCreate, Area: AreaAppointments, Selected: true, Source: "calendar", Type: adapters.TypeMeeting,
			Subject: long, Raster: adapters.Raster{Start: at("2026-12-07 09:00"), End: at("2026-12-07 11:30")}},
		{ID: "b1c2d3e4f5a6", Kind: ActCreate, Area: AreaTasks, Selected: false, Source: "tasks", Type: adapters.TypeTask,
			Subject: "Send the contract", Raster: adapters.Raster{Due: at("2026-12-09 17:00")}},
		{ID: "c2d3e4f5a6b7", Kind: ActUpdateCRM, Area: AreaResync, Selected: true, Source: "calendar", Type: adapters.TypeAppointment,
			Subject: "Dentist", Raster: adapters.Raster{Start: at("2026-12-10 14:00"), End: at("2026-12-10 15:00")},
			Before: adapters.Raster{Start: at("2026-12-10 13:00"), End: at("2026-12-10 14:00")}},
		{ID: "d3e4f5a6b7c8", Kind: ActUpdateGroupware, Area: AreaResync, Selected: true, Source: "calendar", Type: adapters.TypeAppointment,
			Subject: "Trade fair", Raster: adapters.Raster{Start: at("2026-12-14 00:00"), End: at("2026-12-17 00:00"), AllDay: true},
			Before: adapters.Raster{Start: at("2026-12-14 00:00"), End: at("2026-12-16 00:00"), AllDay: true}},
		{ID: "e4f5a6b7c8d9", Kind: ActConflict, Area: AreaResync, Selected: true, Source: "calendar", Type: adapters.TypeMeeting,
			Subject: "Board meeting", Resolution: ActUpdateGroupware,
			Raster: adapters.Raster{Start: at("2026-12-20 10:00"), End: at("2026-12-21 12:00")},
			Before: adapters.Raster{Start: at("2026-12-20 09:00"), End: at("2026-12-20 10:00")},
			Reason: "groupware 2026-12-20 09:00Z → 2026-12-20 10:00Z, CRM 2026-12-20 10:00Z → 2026-12-21 12:00Z (policy newest-wins)"},
		{ID: "f5a6b7c8d9e0", Kind: ActConflict, Area: AreaResync, Selected: true, Source: "calendar", Type: adapters.TypeTask,
			Subject: "Call back", Raster: adapters.Raster{Start: at("2026-12-01 09:00"), Due: at("2026-12-02 09:00")},
			Before: adapters.Raster{Due: at("2026-12-03 09:00")}},
		{ID: "0a1b2c3d4e5f", Kind: ActExport, Area: AreaAppointments, Selected: true, Source: "calendar", Type: adapters.TypeFollowUp,
			Subject: "Follow-up: visit the customer", Raster: adapters.Raster{Start: at("2027-01-04 10:00"), End: at("2027-01-04 11:00")}},
		{ID: "1b2c3d4e5f6a", Kind: ActLink, Area: AreaEmails, Selected: true, Source: "mail", Type: adapters.TypeMailIn,
			Subject: "Invoice 2026-118", Raster: adapters.Raster{Start: at("2026-11-30 16:00")}, Reason: "the CRM has this item already; link it"},
		{ID: "2c3d4e5f6a7b", Kind: ActSkip, Area: AreaResync, Selected: true, Source: "calendar", Type: adapters.TypeAppointment,
			Subject: "Lunch", Raster: adapters.Raster{Start: at("2026-12-02 12:00"), End: at("2026-12-02 13:00")},
			Reason: "deleted in groupware (deletions are not propagated)"},
		{ID: "3d4e5f6a7b8c", Kind: ActSkip, Area: AreaAppointments, Selected: true, Source: "calendar", Type: adapters.TypeAppointment,
			Subject: "Doctor", Raster: adapters.Raster{Start: at("2026-12-03 08:00"), End: at("2026-12-03 09:00")},
			Reason: "private, not imported"},
	}
	return &Plan{User: "sam", Actions: acts, Unchanged: 42, OutOfWindow: 3,
		Problems: []Problem{{Source: "mail", ItemID: "17", Reason: "unreadable: message larger than 64 MiB"}}}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./engine -run %s -update creates it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("table differs from %s (rerun with -update once the change is checked):\n%s", path, got)
	}
}

func TestWriteTableFits100Columns(t *testing.T) {
	var buf bytes.Buffer
	if err := tablePlan().WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	checkGolden(t, "plan-table.golden", got)
	for i, line := range strings.Split(got, "\n") {
		if n := len([]rune(line)); n > TableWidth && !strings.HasPrefix(line, "problem:") {
			t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
		}
	}
	for _, want := range []string{
		"Plan for sam\n",
		"\n+    3f2a9c1d04e2  MAILIN",
		"\n(+)  b1c2d3e4f5a6  TASK",
		"was 2026-12-10 13:00–14:00Z",
		"← CRM  Trade fair",
		"Quarterly budget review…",
		"\nPlan: 2 to create, 1 to export, 2 time changes (1 to the CRM, 1 to groupware), 2 conflicts, 1 to\nlink, 1 deletion reported, 1 other report; 42 unchanged, 1 deselected, 3 outside the sync window, 1\nproblem.\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestWriteTableWide(t *testing.T) {
	var buf bytes.Buffer
	if err := tablePlan().WriteTableWidth(&buf, 0); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "plan-table-wide.golden", buf.String())
	if !strings.Contains(buf.String(), "finance department, bring numbers") {
		t.Errorf("--wide cut a subject:\n%s", buf.String())
	}
}

// TestShortRasterInZone: the user's zone moves the wall time (and the
// day) and names the zone; all-day dates stay dates.
func TestShortRasterInZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		r    adapters.Raster
		want string
	}{
		{adapters.Raster{Start: at("2026-12-07 09:00"), End: at("2026-12-07 11:30")}, "2026-12-07 10:00–12:30 CET"},
		{adapters.Raster{Start: at("2026-12-07 22:30"), End: at("2026-12-07 23:30")}, "2026-12-07 23:30 → 12-08 00:30 CET"},
		{adapters.Raster{Due: at("2026-07-09 17:00")}, "due 2026-07-09 19:00 CEST"},
		{adapters.Raster{Start: at("2026-12-14 00:00"), End: at("2026-12-17 00:00"), AllDay: true}, "2026-12-14 → 12-17 all-day"},
	}
	for _, c := range cases {
		if got := shortRaster(c.r, berlin); got != c.want {
			t.Errorf("shortRaster(%v, Berlin) = %q, want %q", c.r, got, c.want)
		}
	}
}

func TestShortRaster(t *testing.T) {
	cases := []struct {
		r    adapters.Raster
		want string
	}{
		{adapters.Raster{}, "-"},
		{adapters.Raster{Start: at("2026-12-07 09:00"), End: at("2026-12-07 11:30")}, "2026-12-07 09:00–11:30Z"},
		{adapters.Raster{Start: at("2026-12-07 22:00"), End: at("2026-12-08 01:00")}, "2026-12-07 22:00 → 12-08 01:00Z"},
		{adapters.Raster{Start: at("2026-12-31 22:00"), End: at("2027-01-01 01:00")}, "2026-12-31 22:00 → 2027-01-01 01:00Z"},
		{adapters.Raster{Start: at("2026-12-14 00:00"), End: at("2026-12-17 00:00"), AllDay: true}, "2026-12-14 → 12-17 all-day"},
		{adapters.Raster{Due: at("2026-12-09 17:00")}, "due 2026-12-09 17:00Z"},
		{adapters.Raster{Start: at("2026-12-01 09:00"), Due: at("2026-12-02 09:00")}, "2026-12-01 09:00 → due 12-02 09:00Z"},
	}
	for _, c := range cases {
		if got := shortRaster(c.r, time.UTC); got != c.want {
			t.Errorf("shortRaster(%v) = %q, want %q", c.r, got, c.want)
		}
	}
}
