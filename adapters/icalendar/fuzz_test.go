package icalendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds adds the hostile corpus and the patch fixtures to a fuzz target.
func fuzzSeeds(f *testing.F, add func(data []byte)) {
	for _, data := range corpusFiles(f) {
		add(data)
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "patch", "*.ics"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			add(b)
		}
	}
}

// FuzzParse: any input parses or is refused, never panics, and every item
// is either readable with a key or says why not.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opt := range []ParseOptions{{}, {Expand: true, Window: decade, MaxOccurrences: 50}} {
			items, err := Parse(data, opt)
			if err != nil {
				continue
			}
			for _, it := range items {
				if it.Unreadable == "" && !strings.HasPrefix(it.Key, "ical:") {
					t.Fatalf("readable item without a key: %+v", it)
				}
			}
			if opt.Expand && len(items) > 50*len(data) {
				t.Fatalf("%d items from %d bytes", len(items), len(data))
			}
		}
	})
}

// FuzzExpand: any RRULE, RDATE and EXDATE on any start, in an IANA zone, a
// file-defined zone or UTC, expands within the occurrence cap.
func FuzzExpand(f *testing.F) {
	for name, data := range corpusFiles(f) {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "RRULE:") {
				f.Add(strings.TrimSpace(line[6:]), "20270105T090000", uint8(len(name)%3), "20270112T090000")
			}
		}
	}
	f.Add("FREQ=WEEKLY;BYDAY=MO", "16010101T090000", uint8(1), "20270104T090000")
	f.Fuzz(func(t *testing.T, rule, start string, zone uint8, exdate string) {
		if strings.ContainsAny(rule+start+exdate, "\r\n") {
			return
		}
		dtstart := []string{"DTSTART:" + start + "Z", "DTSTART;TZID=Europe/Berlin:" + start, "DTSTART;TZID=Customized Time Zone:" + start}[zone%3]
		tzid := strings.TrimPrefix(strings.SplitN(dtstart, ":", 2)[0], "DTSTART")
		vtz := []string{"BEGIN:VTIMEZONE", "TZID:Customized Time Zone",
			"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
			"END:VTIMEZONE"}
		data := cal(append(vtz, event(dtstart, "RRULE:"+rule, "EXDATE"+tzid+":"+exdate, "RDATE"+tzid+":"+exdate)...)...)
		items, err := Parse(data, ParseOptions{Expand: true, Window: decade, MaxOccurrences: 100})
		if err != nil {
			return
		}
		if len(items) > 100 {
			t.Fatalf("%d occurrences over the cap of 100", len(items))
		}
		for _, it := range items {
			if it.Unreadable == "" && (it.Raster.Start.Before(decade.From.Add(-24*time.Hour)) || it.Raster.Start.After(decade.To)) {
				t.Fatalf("occurrence %s outside the window: %v", it.Key, it.Raster)
			}
		}
	})
}

// FuzzPatch: patching the times of any readable item either fails with an
// error or gives a text that reads back with exactly those times.
func FuzzPatch(f *testing.F) {
	fuzzSeeds(f, func(b []byte) { f.Add(b, int16(90), uint8(0)) })
	f.Fuzz(func(t *testing.T, data []byte, shiftMinutes int16, pick uint8) {
		items, err := Parse(data, ParseOptions{})
		if err != nil || len(items) == 0 {
			return
		}
		it := items[int(pick)%len(items)]
		if it.Key == "" || it.Unreadable != "" {
			return
		}
		r := it.Raster
		d := time.Duration(shiftMinutes) * time.Minute
		for _, p := range []*time.Time{&r.Start, &r.End, &r.Due} {
			switch {
			case p.IsZero():
			case r.AllDay: // all-day times move by whole days
				*p = p.AddDate(0, 0, int(shiftMinutes)%10)
			default:
				*p = p.Add(d)
			}
		}
		out, err := PatchTimes(data, it.Key, r)
		if err != nil {
			return
		}
		back, err := Parse(out, ParseOptions{})
		if err != nil {
			t.Fatalf("patched text is refused: %v\n%q", err, out)
		}
		if r.AllDay { // written as DATE values (PatchTimes' contract)
			r.Start, r.End, r.Due = dateOf(r.Start), dateOf(r.End), dateOf(r.Due)
		}
		for _, b := range back {
			if b.Key == it.Key && b.Unreadable == "" && !b.Raster.Equal(r) {
				t.Fatalf("read back %v, want %v", b.Raster, r)
			}
		}
	})
}
