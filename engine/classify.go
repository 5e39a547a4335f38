package engine

import "github.com/gwsync/gwsync/adapters"

// Classify returns the CRM activity type a groupware item becomes:
// a message is a MAILIN, a task a TASK, and an event a MEETING when it has at
// least one attendee besides the organizer, else an APPOINTMENT. Busy status
// plays no part: tentative, busy, free ("available"), out-of-office events
// all import. gwsync never creates a FOLLOWUP.
func Classify(it adapters.Item) adapters.ActivityType {
	switch it.Kind {
	case adapters.KindMessage:
		return adapters.TypeMailIn
	case adapters.KindTask:
		return adapters.TypeTask
	}
	for _, a := range it.Attendees {
		if a != "" && !sameAddress(a, it.From) {
			return adapters.TypeMeeting
		}
	}
	return adapters.TypeAppointment
}

// CRMType is how the engine treats an activity type read from the CRM: a
// legacy FOLLOWUP is handled exactly like an APPOINTMENT.
func CRMType(t adapters.ActivityType) adapters.ActivityType {
	if t == adapters.TypeFollowUp {
		return adapters.TypeAppointment
	}
	return t
}

// Exportable reports whether a CRM activity is a candidate for export to
// groupware: an appointment, meeting or follow-up created in the CRM.
func Exportable(a adapters.Activity) bool {
	return a.Key == "" && CRMType(a.Type).IsCalendar()
}

func sameAddress(a, b string) bool {
	return normalizeAddress(a) == normalizeAddress(b)
}
