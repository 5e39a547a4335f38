package icalendar

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

var update = flag.Bool("update", false, "rewrite the golden .out.ics files")

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestPatchTimesGolden patches each testdata/patch/NAME.in.ics and compares
// the result byte for byte with NAME.out.ics.
func TestPatchTimesGolden(t *testing.T) {
	cases := []struct {
		name string
		in   string // input name when it differs from name
		key  string
		r    adapters.Raster
	}{
		// 10:00-11:30 Berlin in January is 09:00-10:30Z: the Windows TZID stays.
		{"outlook_windows_tz", "", "ical:040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6010000000000000000100000001234567890ABCDEF",
			adapters.Raster{Start: utc("2027-01-20 09:00"), End: utc("2027-01-20 10:30")}},
		// DURATION gives way to DTEND; the X- property stays as written.
		{"duration", "", "ical:demo-2027-02-03@example.org",
			adapters.Raster{Start: utc("2027-02-04 13:00"), End: utc("2027-02-04 14:30")}},
		{"allday", "", "ical:messe-2027@example.org",
			adapters.Raster{Start: date("2027-03-10"), End: date("2027-03-13"), AllDay: true}},
		{"todo_due", "", "ical:angebot-contoso@example.org",
			adapters.Raster{Due: utc("2027-01-18 11:00")}},
		// Only the override moves; the master (and its folded DTSTART) stay.
		{"override_mozilla", "", "ical:weekly-jour-fixe@example.com/20270112T080000Z",
			adapters.Raster{Start: utc("2027-01-12 12:00"), End: utc("2027-01-12 13:00")}},
		// The master's folded DTSTART is replaced by one unfolded line.
		{"override_mozilla_master", "override_mozilla", "ical:weekly-jour-fixe@example.com",
			adapters.Raster{Start: utc("2027-01-05 07:30"), End: utc("2027-01-05 08:30")}},
		// A TZID only the VTIMEZONE explains is kept; the local time follows its offsets.
		{"vtimezone_only", "", "ical:quote-review-7731@example.com",
			adapters.Raster{Start: utc("2027-07-01 07:00"), End: utc("2027-07-01 08:00")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inName := tc.in
			if inName == "" {
				inName = tc.name
			}
			in, err := os.ReadFile(filepath.Join("testdata", "patch", inName+".in.ics"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := PatchTimes(in, tc.key, tc.r)
			if err != nil {
				t.Fatalf("PatchTimes: %v", err)
			}
			golden := filepath.Join("testdata", "patch", tc.name+".out.ics")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
			items, err := Parse(got, ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Key == tc.key && !it.Raster.Equal(tc.r) {
					t.Errorf("read back %s, want %s", it.Raster, tc.r)
				}
			}
		})
	}
}

func TestPatchTimesErrors(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "patch", "duration.in.ics"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = PatchTimes(in, "ical:nobody@example.org", adapters.Raster{Start: utc("2027-01-01 10:00")})
	if adapters.CodeOf(err) != adapters.CodeNotFound {
		t.Errorf("unknown key: got %v, want not-found", err)
	}
	_, err = PatchTimes(in, "ical:demo-2027-02-03@example.org", adapters.Raster{End: utc("2027-01-01 10:00")})
	if adapters.CodeOf(err) != adapters.CodeInvalidItem {
		t.Errorf("VEVENT without start: got %v, want invalid-item", err)
	}
	_, err = PatchTimes([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"), "ical:x", adapters.Raster{Start: utc("2027-01-01 10:00")})
	if adapters.CodeOf(err) != adapters.CodeInvalidItem {
		t.Errorf("truncated file: got %v, want invalid-item", err)
	}
}

// TestPatchTimesKeepsBytes checks the invariant behind the goldens on every
// input: outside the replaced time lines nothing changes.
func TestPatchTimesOnlyTimeLinesChange(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "patch", "outlook_windows_tz.in.ics"))
	if err != nil {
		t.Fatal(err)
	}
	key := "ical:040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6010000000000000000100000001234567890ABCDEF"
	out, err := PatchTimes(in, key, adapters.Raster{Start: utc("2027-01-20 09:00"), End: utc("2027-01-20 10:30")})
	if err != nil {
		t.Fatal(err)
	}
	inLines := bytes.SplitAfter(in, []byte("\r\n"))
	outLines := bytes.SplitAfter(out, []byte("\r\n"))
	if len(inLines) != len(outLines) {
		t.Fatalf("line count changed: %d → %d", len(inLines), len(outLines))
	}
	changed := 0
	for i := range inLines {
		if !bytes.Equal(inLines[i], outLines[i]) {
			changed++
			if !bytes.HasPrefix(outLines[i], []byte("DT")) && !bytes.HasPrefix(outLines[i], []byte("SEQUENCE")) {
				t.Errorf("line %d changed: %q → %q", i+1, inLines[i], outLines[i])
			}
		}
	}
	if changed != 3 {
		t.Errorf("%d lines changed, want 3 (DTSTART, DTEND, SEQUENCE)", changed)
	}
}
