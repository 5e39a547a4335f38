package icalendar

import "testing"

// Every Windows name maps to a zone Go's embedded database loads: a
// misspelt IANA name would silently fall back to the floating zone.
func TestWindowsZonesAllLoad(t *testing.T) {
	for win, iana := range windowsZones {
		if _, ok := ResolveTZID(win); !ok {
			t.Errorf("%q is not resolved", win)
		}
		if _, ok := loadIANA(iana); !ok {
			t.Errorf("%q → %q does not load", win, iana)
		}
	}
	for _, name := range []string{"Azores Standard Time", "Jordan Standard Time", "Syria Standard Time", "Fiji Standard Time", "Pacific SA Standard Time"} {
		if _, ok := ResolveTZID(name); !ok {
			t.Errorf("%s is not resolved", name)
		}
	}
}
