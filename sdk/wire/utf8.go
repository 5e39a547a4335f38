package wire

import (
	"strings"
	"unicode/utf8"

	"github.com/gwsync/gwsync/adapters"
)

// Protobuf strings must be valid UTF-8, and the generated code refuses to
// send one that is not, which would fail a whole snapshot because of one
// e-mail with a broken charset. Items and activities are therefore made
// valid before they are sent: invalid bytes become U+FFFD, and an item
// says so in its Warnings, so nothing is lost silently.

// replacement is what invalid UTF-8 sequences become.
const replacement = "\uFFFD"

// SafeItem returns it, or a repaired copy when a string is not valid
// UTF-8.
func SafeItem(it *adapters.Item) *adapters.Item {
	if itemIsValidUTF8(it) {
		return it
	}
	fixed := *it
	var repaired []string
	fix := func(name string, s *string) {
		if !utf8.ValidString(*s) {
			*s = strings.ToValidUTF8(*s, replacement)
			repaired = append(repaired, name)
		}
	}
	fixAll := func(name string, list *[]string) {
		if validStrings(*list) {
			return
		}
		out := make([]string, len(*list))
		for i, s := range *list {
			out[i] = strings.ToValidUTF8(s, replacement)
		}
		*list = out
		repaired = append(repaired, name)
	}
	fix("id", &fixed.ID)
	fix("key", &fixed.Key)
	fix("version", &fixed.Version)
	fix("subject", &fixed.Subject)
	fix("body", &fixed.Body)
	fix("location", &fixed.Location)
	fix("from", &fixed.From)
	fix("exported_from", &fixed.ExportedFrom)
	fix("unreadable", &fixed.Unreadable)
	fix("time_zone", &fixed.Raster.TimeZone)
	kind, busy := string(fixed.Kind), string(fixed.Busy)
	fix("kind", &kind)
	fix("busy", &busy)
	fixed.Kind, fixed.Busy = adapters.Kind(kind), adapters.BusyStatus(busy)
	fixAll("to", &fixed.To)
	fixAll("cc", &fixed.Cc)
	fixAll("attendees", &fixed.Attendees)
	fixAll("warnings", &fixed.Warnings)
	if !attachmentsValid(fixed.Attachments) {
		fixed.Attachments = safeAttachments(fixed.Attachments)
		repaired = append(repaired, "attachments")
	}
	fixed.Warnings = append(append([]string(nil), fixed.Warnings...),
		"invalid UTF-8 replaced with U+FFFD in: "+strings.Join(repaired, ", "))
	return &fixed
}

func itemIsValidUTF8(it *adapters.Item) bool {
	for _, s := range [...]string{it.ID, it.Key, it.Version, string(it.Kind), string(it.Busy), it.Subject, it.Body,
		it.Location, it.From, it.ExportedFrom, it.Unreadable, it.Raster.TimeZone} {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return attachmentsValid(it.Attachments) && validStrings(it.To) && validStrings(it.Cc) && validStrings(it.Attendees) && validStrings(it.Warnings)
}

// SafeActivity returns a with every string made valid UTF-8 (an
// activity has no warnings; the CRM text is repaired in place of failing).
func SafeActivity(a *adapters.Activity) *adapters.Activity {
	fixed := *a
	changed := false
	fix := func(s *string) {
		if !utf8.ValidString(*s) {
			*s, changed = strings.ToValidUTF8(*s, replacement), true
		}
	}
	for _, s := range []*string{&fixed.ID, &fixed.Version, &fixed.Subject, &fixed.Body, &fixed.Location,
		&fixed.Key, &fixed.Source, &fixed.SourceItem, &fixed.Raster.TimeZone} {
		fix(s)
	}
	for _, list := range []*[]string{&fixed.Owners, &fixed.Contacts} {
		if !validStrings(*list) {
			out := make([]string, len(*list))
			for i, s := range *list {
				out[i] = strings.ToValidUTF8(s, replacement)
			}
			*list, changed = out, true
		}
	}
	if !changed && utf8.ValidString(string(a.Type)) && utf8.ValidString(string(a.Busy)) && attachmentsValid(a.Attachments) {
		return a
	}
	fixed.Type = adapters.ActivityType(strings.ToValidUTF8(string(a.Type), replacement))
	fixed.Busy = adapters.BusyStatus(strings.ToValidUTF8(string(a.Busy), replacement))
	if !attachmentsValid(a.Attachments) {
		fixed.Attachments = safeAttachments(a.Attachments)
	}
	return &fixed
}

func attachmentsValid(list []adapters.Attachment) bool {
	for _, a := range list {
		if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Type) || !utf8.ValidString(a.Part) {
			return false
		}
	}
	return true
}

// safeAttachments returns a copy of list with the strings of message
// Attachment made valid UTF-8 and everything else (size, content, stored)
// kept: the one repair of attachments, for items and activities alike.
func safeAttachments(list []adapters.Attachment) []adapters.Attachment {
	out := make([]adapters.Attachment, len(list))
	copy(out, list)
	for i := range out {
		for _, s := range []*string{&out[i].Name, &out[i].Type, &out[i].Part} {
			*s = strings.ToValidUTF8(*s, replacement)
		}
	}
	return out
}

func validStrings(list []string) bool {
	for _, s := range list {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
