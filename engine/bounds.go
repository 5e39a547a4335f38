package engine

import (
	"fmt"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// unstorableTime says why an item's times cannot be stored, or "". Times
// outside years 1–9999 have no text form in the state or a CRM; one such
// item used to fail the whole batch's link write, so it is reported as a
// problem of its own and its neighbours go on.
func unstorableTime(r adapters.Raster) string {
	for _, t := range []struct {
		name string
		at   time.Time
	}{{"start", r.Start}, {"end", r.End}, {"due", r.Due}} {
		if t.at.IsZero() {
			continue
		}
		if y := t.at.UTC().Year(); y < 1 || y > 9999 {
			return fmt.Sprintf("%s time in year %d: outside years 1-9999, cannot be stored", t.name, y)
		}
	}
	return ""
}
