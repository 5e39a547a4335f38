package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/hashicorp/go-hclog"
)

// privateICS is a private meeting with everything a CRM reader must not see.
const privateICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" +
	"UID:private-1\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270114T090000Z\r\nDTEND:20270114T100000Z\r\n" +
	"SUMMARY:Doctor: test results\r\nDESCRIPTION:Blood values\r\nLOCATION:Clinic\r\nCLASS:PRIVATE\r\n" +
	"ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:doctor@clinic.example.org\r\n" +
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

const publicICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" +
	"UID:public-1\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270115T090000Z\r\nDTEND:20270115T100000Z\r\n" +
	"SUMMARY:Customer visit\r\nCLASS:PUBLIC\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// filesWorld is a world whose source is a folder of .ics files.
func filesWorld(t *testing.T, policy PrivatePolicy) (*world, string) {
	dir := t.TempDir()
	for name, body := range map[string]string{"private.ics": privateICS, "public.ics": publicICS} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	opts, _ := json.Marshal(map[string]string{"calendar_dir": dir})
	src, err := files.New(adapters.Config{Name: "cal", Options: opts, Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	w.job.Sources = []NamedSource{{Name: "cal", Source: src}}
	w.job.ExportTo = ""
	w.job.PrivateItems = policy
	return w, dir
}

func TestPrivateItemsAreSkippedByDefault(t *testing.T) {
	w, _ := filesWorld(t, "")
	p, _ := w.run()
	var skipped []*Action
	for _, a := range p.Actions {
		if a.Kind == ActSkip && a.Reason == "private, not imported" {
			skipped = append(skipped, a)
		}
	}
	if len(skipped) != 1 || skipped[0].Key != "ical:private-1" {
		t.Errorf("skips %v, want the private event reported as private, not imported", skipped)
	}
	acts := w.crm.Activities()
	if len(acts) != 1 || acts[0].Subject != "Customer visit" {
		t.Errorf("CRM holds %+v, want only the public event", acts)
	}
}

func TestPrivateItemsAsBusyCarryOnlyTheirTimes(t *testing.T) {
	w, dir := filesWorld(t, PrivateBusy)
	w.run()
	a := w.activityByKey("ical:private-1")
	if a.Subject != PrivateSubject || a.Body != "" || len(a.Contacts) != 0 || a.Type != adapters.TypeAppointment {
		t.Errorf("private event imported as %+v, want subject %q, no body, no contacts, an appointment", a, PrivateSubject)
	}
	if !a.Raster.Start.Equal(mustTime("2027-01-14T09:00:00Z")) {
		t.Errorf("times %+v", a.Raster)
	}
	// Moved in the calendar: the times still go to the CRM, nothing else.
	moved := strings.NewReplacer("20270114T09", "20270114T11", "20270114T10", "20270114T12").Replace(privateICS)
	if err := os.WriteFile(filepath.Join(dir, "private.ics"), []byte(moved), 0o600); err != nil {
		t.Fatal(err)
	}
	w.run()
	a = w.activityByKey("ical:private-1")
	if !a.Raster.Start.Equal(mustTime("2027-01-14T11:00:00Z")) || a.Subject != PrivateSubject || a.Body != "" {
		t.Errorf("after the move: %+v", a)
	}
}

func TestPrivateItemsImportedWhenAsked(t *testing.T) {
	w, _ := filesWorld(t, PrivateImport)
	w.run()
	if a := w.activityByKey("ical:private-1"); a.Subject != "Doctor: test results" {
		t.Errorf("subject %q, want the real one", a.Subject)
	}
}
