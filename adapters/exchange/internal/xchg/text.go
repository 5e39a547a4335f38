package xchg

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/mailmsg"
)

// Body turns an Exchange body (Graph itemBody, EWS Body) into the plain
// text an activity holds: HTML is converted with mailmsg.HTMLToText, and a
// body longer than mailmsg.MaxBodyBytes is cut at a rune boundary, as the
// mail adapters cut theirs. Warnings say what was done, never why it failed:
// a body cannot make an item unreadable.
func Body(content, contentType string) (string, []string) {
	var warn []string
	if !utf8.ValidString(content) {
		content = strings.ToValidUTF8(content, "\uFFFD")
		warn = append(warn, "body: invalid UTF-8 replaced")
	}
	if len(content) > mailmsg.MaxBodyBytes {
		warn = append(warn, fmt.Sprintf("body: %d bytes, cut to %d", len(content), mailmsg.MaxBodyBytes))
		content = cut(content, mailmsg.MaxBodyBytes)
	}
	if strings.EqualFold(strings.TrimSpace(contentType), "html") {
		content = mailmsg.HTMLToText(content)
	}
	return strings.TrimSpace(content), warn
}

// cut returns at most n bytes of s without splitting a rune.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// MailKey is the key of a message: "mid:" and the Internet Message-ID
// without angle brackets, or mailmsg.SyntheticKey when Exchange has none
// (drafts, some journal items), so that the same message always gets the
// same key. size stands in for the raw size mailmsg uses, which Exchange
// does not report without a MIME download: the caller passes the body length.
func MailKey(internetMessageID string, date time.Time, from, subject string, size int64) string {
	id := strings.TrimSpace(internetMessageID)
	id = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">"))
	if id != "" {
		return "mid:" + id
	}
	return mailmsg.SyntheticKey(date, strings.ToLower(from), subject, size)
}

// EventKey is the key of an event: "ical:" and the iCalendar UID Exchange
// keeps for it (Graph iCalUId, EWS UID), plus "/" and the original start
// in UTC basic format for an occurrence or exception of a series, as the
// iCalendar reader keys overrides. The same meeting in two mailboxes has the
// same UID and so becomes one activity.
func EventKey(uid string, originalStart time.Time) string {
	k := "ical:" + strings.TrimSpace(uid)
	if !originalStart.IsZero() {
		k += "/" + originalStart.UTC().Format("20060102T150405Z")
	}
	return k
}

// TaskKey is the key of a task. Exchange tasks have no iCalendar UID, so
// the stable id Exchange gives the task stands in for it.
func TaskKey(id string) string { return "ical:" + id }

// Addresses lower-cases and de-duplicates addresses, dropping empty ones and
// any equal to skip (the organizer among the attendees).
func Addresses(list []string, skip string) []string {
	seen := map[string]bool{strings.ToLower(strings.TrimSpace(skip)): true, "": true}
	var out []string
	for _, a := range list {
		a = strings.ToLower(strings.TrimSpace(a))
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// Unreadable returns the item that stands for one that cannot be imported.
func Unreadable(id string, kind adapters.Kind, format string, args ...any) adapters.Item {
	return adapters.Item{ID: id, Kind: kind, Unreadable: fmt.Sprintf(format, args...)}
}
