package files

import (
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// listing is one snapshot's bookkeeping for the stat cursor: the cursor it
// started from (when usable), the one it builds, and the item IDs it
// emitted or kept, so that only what is really gone gets a tombstone.
type listing struct {
	prev        statCursor
	incremental bool // prev is usable: unchanged files are skipped
	windowMoved bool // recurring files must be expanded again
	window      adapters.Window
	listed      time.Time
	wants       func(adapters.Kind) bool
	next        statCursor
	present     map[string]bool
	kept        int // files carried over unread by keep
	dirs        dirMemo
}

func (s *Source) newListing(req adapters.SnapshotRequest) *listing {
	setup := s.setupOf()
	l := &listing{
		window: req.Window, listed: time.Now(), wants: req.Wants,
		next:    statCursor{Setup: setup, Window: req.Window, Files: map[string]fileEntry{}},
		present: map[string]bool{},
	}
	l.prev, l.incremental = decodeStatCursor(req.Cursor, setup)
	l.windowMoved = !l.prev.Window.From.Equal(req.Window.From) || !l.prev.Window.To.Equal(req.Window.To)
	return l
}

// keep reports whether the file at key is unchanged since the cursor (and,
// for a recurring file, the window too), carrying its entry over and
// marking its items present.
func (l *listing) keep(key string, st fileStat, defaultID string, defaultKind adapters.Kind, windowMoved bool) bool {
	if !l.incremental {
		return false
	}
	e, ok := l.prev.Files[key]
	if !ok || !e.same(st) {
		return false
	}
	if e.Recurring && windowMoved {
		// Read again for the new window, but an occurrence that is no
		// longer given left the window, it was not deleted: no tombstone
		// (a complete listing counts it out of the window, too).
		for _, it := range e.itemsOf(defaultID, defaultKind) {
			l.present[it.ID] = true
		}
		return false
	}
	l.next.Files[key] = e
	l.kept++
	for _, it := range e.itemsOf(defaultID, defaultKind) {
		l.present[it.ID] = true
	}
	return true
}

// unchanged tells whether an incremental listing that emitted nothing
// carried every file of its cursor over unread and read no other: the
// cursor it was given then says all the new one would. Not with a
// recurring file, whose entry depends on the window, which moves.
// Returning the given cursor spares encoding every file's entry.
func (l *listing) unchanged(emitted int64) bool {
	if !l.incremental || emitted > 0 || l.kept != len(l.prev.Files) || len(l.next.Files) != l.kept {
		return false
	}
	for _, e := range l.prev.Files {
		if e.Recurring {
			return false
		}
	}
	return true
}

// record notes a file that was read, when it may be skipped next time.
func (l *listing) record(key string, st fileStat, recurring bool, items []adapters.Item, defaultID string, defaultKind adapters.Kind) {
	if e, ok := newEntry(st, l.listed, recurring, items, defaultID, defaultKind, l.wants); ok {
		l.next.Files[key] = e
	}
}

// tombstones emits a deletion for every item the cursor knew that this
// listing neither emitted nor kept: its file is gone, or a changed file no
// longer gives it. Only an incremental listing needs them; a complete one
// says "gone" by silence.
func (l *listing) tombstones(emit func(adapters.Item) error) error {
	if !l.incremental {
		return nil
	}
	for key, e := range l.prev.Files {
		defaultID, defaultKind := defaultsOfKey(key)
		for _, it := range e.itemsOf(defaultID, defaultKind) {
			if l.present[it.ID] {
				continue
			}
			l.present[it.ID] = true // one tombstone per ID
			if err := emit(adapters.Item{ID: it.ID, Kind: it.Kind, Deleted: true}); err != nil {
				return err
			}
		}
	}
	return nil
}

// defaultsOfKey returns the item ID and kind a file at key gives when its
// entry lists none: the ones snapshotCalendar and snapshotMail pass.
func defaultsOfKey(key string) (string, adapters.Kind) {
	if name, ok := strings.CutPrefix(key, "calendar/"); ok {
		return calendarPrefix + name, adapters.KindEvent
	}
	rel := strings.TrimPrefix(key, "mail/")
	if sub, name, ok := strings.Cut(rel, "/"); ok && (sub == "cur" || sub == "new") {
		return mailPrefix + maildirUnique(name), adapters.KindMessage
	}
	return mailPrefix + rel, adapters.KindMessage
}
