package icalendar

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// syntheticUIDPrefix starts the UID gwsync makes up for a VEVENT or VTODO
// that has none (some exporters omit it). The key is then
// "ical:synth-<hex>", stable across runs as long as the component's
// content other than its times is unchanged, as mail without a Message-ID
// gets "mid-synth:…".
const syntheticUIDPrefix = "synth-"

// timeProps are left out of a synthetic UID's hash: a time written back by
// gwsync (or moved in another client) must not change the item's key.
var timeProps = map[string]bool{
	"DTSTART": true, "DTEND": true, "DUE": true, "DURATION": true, "DTSTAMP": true,
	"LAST-MODIFIED": true, "SEQUENCE": true, "CREATED": true,
}

// componentUIDs returns the UID of every VEVENT and VTODO of the calendar:
// its UID property, or for one without, "synth-" and the first 32 hex
// digits of the SHA-256 of its component name and its properties other
// than times and stamps (timeProps), in file order. A second component
// with the same hash gets "-2", a third "-3", in file order. synthetic
// reports which were made up.
func componentUIDs(rc *rawCalendar) (uids map[*rawComponent]string, synthetic map[*rawComponent]bool) {
	uids, synthetic = map[*rawComponent]string{}, map[*rawComponent]bool{}
	seen := map[string]int{}
	for _, c := range rc.root.children {
		if c.name != "VEVENT" && c.name != "VTODO" {
			continue
		}
		if l := rc.prop(c, "UID"); l != nil && strings.TrimSpace(l.value) != "" {
			uids[c] = strings.TrimSpace(unescapeText(l.value))
			continue
		}
		h := sha256.New()
		h.Write([]byte(c.name))
		for _, i := range c.props {
			l := &rc.lines[i]
			if timeProps[l.name] || l.name == "UID" {
				continue
			}
			h.Write([]byte{'\n'})
			h.Write([]byte(l.text))
		}
		uid := syntheticUIDPrefix + hex.EncodeToString(h.Sum(nil)[:16])
		seen[uid]++
		if n := seen[uid]; n > 1 {
			uid += "-" + strconv.Itoa(n)
		}
		uids[c], synthetic[c] = uid, true
	}
	return uids, synthetic
}
