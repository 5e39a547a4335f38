package xchg

import (
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// ShowAs maps Graph's event showAs to a busy status. ok is false for a
// value Graph does not document; the caller imports the event as unknown
// busy status and says so in a warning, because a new Microsoft value must
// not stop an import.
func ShowAs(v string) (b adapters.BusyStatus, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "free":
		return adapters.BusyFree, true
	case "tentative":
		return adapters.BusyTentative, true
	case "busy":
		return adapters.BusyBusy, true
	case "oof":
		return adapters.BusyOutOfOffice, true
	case "workingelsewhere":
		return adapters.BusyWorkingElsewhere, true
	case "unknown", "":
		return adapters.BusyUnknown, true
	}
	return adapters.BusyUnknown, false
}

// LegacyFreeBusy maps EWS's LegacyFreeBusyStatus the same way ShowAs maps
// Graph's showAs (the two enumerations are the same property, PidLidBusyStatus).
func LegacyFreeBusy(v string) (adapters.BusyStatus, bool) {
	if strings.EqualFold(strings.TrimSpace(v), "NoData") {
		return adapters.BusyUnknown, true
	}
	return ShowAs(v)
}
