package icalendar

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// dateTime is a DTSTART/DTEND/DUE/RECURRENCE-ID value as read.
type dateTime struct {
	t      time.Time // the instant; midnight UTC of the date for DATE values
	isDate bool
	tz     string // resolved IANA name of the TZID, "" for UTC/floating/VTIMEZONE-only
	warn   string // set when the value was read with a guess
}

// readDateTime reads a date or date-time property. A TZID that resolves to
// nothing is read as floating time in floating, with a warning: the time is
// then possibly off by the zone difference, but the item is not lost.
func readDateTime(l *contentLine, vtzs map[string]*vtimezone, floating *time.Location) (dateTime, error) {
	v := strings.TrimSpace(l.value)
	valueType := strings.ToUpper(l.paramValue("VALUE"))
	if valueType == "DATE" || (valueType == "" && len(v) == 8) {
		d, err := time.Parse("20060102", v)
		if err != nil {
			return dateTime{}, fmt.Errorf("line %d: %s: bad date %q", l.num, l.name, clip(v))
		}
		return dateTime{t: d, isDate: true}, nil
	}
	if valueType != "" && valueType != "DATE-TIME" {
		return dateTime{}, fmt.Errorf("line %d: %s: unsupported value type %s", l.num, l.name, valueType)
	}
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		t, err := time.Parse("20060102T150405", v[:len(v)-1])
		if err != nil {
			return dateTime{}, fmt.Errorf("line %d: %s: bad date-time %q", l.num, l.name, clip(v))
		}
		return dateTime{t: t}, nil
	}
	wall, err := time.Parse("20060102T150405", v)
	if err != nil {
		return dateTime{}, fmt.Errorf("line %d: %s: bad date-time %q", l.num, l.name, clip(v))
	}
	tzid := l.paramValue("TZID")
	if tzid == "" {
		return dateTime{t: locZone(floating).instant(wall).UTC()}, nil
	}
	z := zoneFor(tzid, vtzs)
	if z == nil {
		t := locZone(floating).instant(wall).UTC()
		why := "unknown TZID"
		switch v := vtzs[tzid]; {
		case len(tzid) > maxTZIDBytes:
			why = fmt.Sprintf("TZID longer than %d bytes", maxTZIDBytes)
		case v != nil && v.refused != "":
			why = fmt.Sprintf("VTIMEZONE not used (%s) for TZID", v.refused)
		}
		return dateTime{t: t, warn: fmt.Sprintf("%s: %s %q, read as %s time", l.name, why, clip(tzid), floating)}, nil
	}
	dt := dateTime{t: z.instant(wall).UTC(), tz: z.iana}
	if z.vtz != nil && z.vtz.spent {
		dt.warn = fmt.Sprintf("%s: the rules of VTIMEZONE %q spent %d expansion steps, the offset may be wrong", l.name, clip(tzid), zoneBudget)
	}
	return dt, nil
}

// unescapeText decodes an RFC 5545 TEXT value leniently: an unknown escape
// such as "\:" (which Outlook writes) keeps the escaped character rather
// than failing the whole item.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// validUTF8 replaces invalid bytes and reports whether it had to.
func validUTF8(s string) (string, bool) {
	if utf8.ValidString(s) {
		return s, false
	}
	return strings.ToValidUTF8(s, "\uFFFD"), true
}

// mailAddress strips "mailto:" and lower-cases a calendar user address.
func mailAddress(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	return strings.ToLower(strings.TrimSpace(v))
}
