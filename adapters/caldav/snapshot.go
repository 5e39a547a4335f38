package caldav

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

// expansionMargin is how far past the window's end recurrences are
// expanded, so that incremental runs on the following days (whose windows
// move on) still find every occurrence without a full resync.
const expansionMargin = 60 * 24 * time.Hour

// multigetChunk is how many hrefs go in one calendar-multiget.
const multigetChunk = 100

// Snapshot lists events and tasks. Without a cursor it is complete: one
// calendar-query with data per collection. With a cursor it reports only
// what changed since (sync-collection, or a ctag / ETag listing where the
// server has no sync-token), with tombstones, and Complete=false.
//
// Errors: CursorInvalid for a cursor the server (or this version) no
// longer accepts; Unauthorized; Temporary when no collection could be
// read; InvalidConfig for a configured collection that does not exist.
// Any error means the listing is incomplete. An object that cannot be
// parsed is emitted Unreadable with its path and the reason, and fetched
// again on the next run; so is a collection the server keeps failing
// (5xx, timeouts) while others answer, named by its path, and the
// snapshot is then not Complete.
func (s *Source) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	if err := ctx.Err(); err != nil {
		return adapters.SnapshotEnd{}, err
	}
	started, sent := time.Now(), s.requests.Load()
	kinds := req.Kinds
	if len(kinds) == 0 {
		kinds = []adapters.Kind{adapters.KindEvent, adapters.KindTask}
	}
	var old *cursor
	if req.Cursor != "" {
		c, err := decodeCursor(req.Cursor)
		if err != nil {
			return adapters.SnapshotEnd{}, err
		}
		old = c
		s.mu.Lock()
		if s.home == "" {
			s.home = c.Home
		}
		s.mu.Unlock()
	}
	home, err := s.homeSet(ctx)
	if err != nil {
		return adapters.SnapshotEnd{}, err
	}
	colls, err := s.collections(ctx, home)
	if err != nil {
		return adapters.SnapshotEnd{}, err
	}
	incremental := old != nil && old.Home == home && sameKinds(old.Kinds, kinds) && covers(old, req.Window)
	next := &cursor{V: cursorVersion, Home: home, Kinds: kinds, Colls: map[string]*collCursor{}}
	if incremental {
		next.From, next.To = old.From, old.To
	} else {
		next.From, next.To = req.Window.From, req.Window.To
		if !next.To.IsZero() {
			next.To = next.To.Add(expansionMargin)
		}
	}
	run := &run{s: s, emit: emit, window: adapters.Window{From: next.From, To: next.To}}
	var read, failed int
	for _, c := range colls {
		ck := intersect(kinds, c.Kinds)
		if len(ck) == 0 {
			continue
		}
		var cc *collCursor
		oc := oldColl(old, c.Path)
		if incremental && oc != nil {
			cc, err = run.incremental(ctx, c, ck, oc)
		} else {
			cc, err = run.full(ctx, c, ck)
		}
		if err != nil && !collectionOutage(ctx, err) {
			return adapters.SnapshotEnd{}, err
		}
		if err != nil {
			// One collection's server trouble (5xx or timeouts that
			// outlasted the retries) must not hold up the others: it is
			// reported as an unreadable item named by the collection,
			// which makes the engine keep this run's cursor, and the
			// listing is marked incomplete so that its objects do not
			// read as deleted. The next run reads it again.
			failed++
			s.logger.Warn("caldav: collection skipped this run", "collection", c.Path, "error", err)
			if oc != nil {
				next.Colls[c.Path] = oc
			}
			if err := run.send(adapters.Item{ID: c.Path, Kind: ck[0], Unreadable: err.Error()}); err != nil {
				return adapters.SnapshotEnd{}, err
			}
			continue
		}
		read++
		next.Colls[c.Path] = cc
	}
	if failed > 0 && read == 0 {
		return adapters.SnapshotEnd{}, adapters.Errorf(adapters.CodeTemporary,
			"caldav: %s: no collection could be read (%d failed; see the items reported)", s.set.base.Redacted(), failed)
	}
	if incremental {
		// A collection that is gone (or no longer selected) takes its
		// items with it.
		for path, oc := range old.Colls {
			if _, ok := next.Colls[path]; ok {
				continue
			}
			for href, o := range oc.Objects {
				if err := run.tombstones(href, o.IDs, nil); err != nil {
					return adapters.SnapshotEnd{}, err
				}
			}
		}
	}
	enc := req.Cursor
	if !incremental || run.count > 0 || failed > 0 || !sameState(old, next) {
		if enc, err = next.encode(); err != nil {
			return adapters.SnapshotEnd{}, err
		}
	}
	s.logger.Info("caldav snapshot", "url", s.set.base.Redacted(), "collections", len(next.Colls),
		"items", run.count, "incremental", incremental, "requests", s.requests.Load()-sent,
		"seconds", time.Since(started).Seconds())
	return adapters.SnapshotEnd{Count: run.count, Cursor: enc, Complete: !incremental && failed == 0}, nil
}

// collectionOutage tells a collection's own trouble (Temporary: 5xx
// after the retries) from what concerns the whole run (bad credentials, a
// cancelled run, a token to resync, a server that stopped answering: the
// next collection would wait just as long).
func collectionOutage(ctx context.Context, err error) bool {
	return ctx.Err() == nil && adapters.CodeOf(err) == adapters.CodeTemporary && !davx.IsStall(err)
}

// run is the state of one snapshot.
type run struct {
	s      *Source
	emit   func(adapters.Item) error
	window adapters.Window
	count  int64
}

func (r *run) send(it adapters.Item) error {
	if err := r.emit(it); err != nil {
		return err
	}
	r.count++
	return nil
}

// full lists a collection whole with one calendar-query, the cheapest
// complete listing (on Radicale half the cost of a sync-collection, which
// computes the token over every member). It takes no sync-token: the next
// run takes one with an initial sync-collection and diffs that listing
// against these ETags, so a change made meanwhile is never lost.
func (r *run) full(ctx context.Context, c collection, kinds []adapters.Kind) (*collCursor, error) {
	dav, err := r.s.client()
	if err != nil {
		return nil, err
	}
	cc := &collCursor{Objects: map[string]object{}}
	err = dav.Query(ctx, r.s.abs(c.Path), func(resp davx.Response) error {
		if resp.Status/100 != 2 || !resp.Props.HasData || strings.TrimSuffix(resp.Href, "/") == strings.TrimSuffix(c.Path, "/") {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if resp.Bad != "" {
			o, err := r.badObject(ctx, c, resp, kinds, nil)
			cc.Objects[resp.Href] = o
			return err
		}
		o, err := r.object(resp.Href, resp.Props.ETag, resp.Props.CalendarData, kinds, nil)
		cc.Objects[resp.Href] = o
		return err
	})
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeOf(err), err, "caldav: collection "+c.Path)
	}
	return cc, nil
}

// incremental reports what changed in a collection since oc.
func (r *run) incremental(ctx context.Context, c collection, kinds []adapters.Kind, oc *collCursor) (*collCursor, error) {
	dav, err := r.s.client()
	if err != nil {
		return nil, err
	}
	cc := &collCursor{Objects: make(map[string]object, len(oc.Objects))}
	for k, v := range oc.Objects {
		cc.Objects[k] = v
	}
	changed := map[string]string{} // href → etag as listed
	var removed []string
	onChange := func(resp davx.Response) error {
		switch {
		case resp.Status == http.StatusNotFound:
			removed = append(removed, resp.Href)
			delete(changed, resp.Href)
		case resp.Status/100 == 2 && !strings.HasSuffix(resp.Href, "/"):
			changed[resp.Href] = resp.Props.ETag
		}
		return nil
	}
	switch {
	case oc.SyncToken != "":
		token, err := r.sync(ctx, c, oc.SyncToken, onChange)
		if err != nil {
			return nil, r.syncFailed(ctx, c, err)
		}
		cc.SyncToken = token
	case !oc.NoSync:
		// The first run after a full listing: an initial sync-collection
		// lists every member with its ETag and yields the token, and the
		// diff against the stored ETags finds what changed meanwhile.
		token, err := r.sync(ctx, c, "", onChange)
		if err == nil {
			cc.SyncToken = token
			removed = append(removed, unlisted(oc.Objects, changed)...)
			break
		}
		if !noSyncSupport(ctx, err) {
			return nil, adapters.Wrap(adapters.CodeOf(err), err, "caldav: collection "+c.Path)
		}
		cc.NoSync = true
		if err := r.listETags(ctx, c, oc, cc, changed, &removed); err != nil {
			return nil, err
		}
	default:
		cc.NoSync = true // still: else every other run would try sync-collection again
		if err := r.listETags(ctx, c, oc, cc, changed, &removed); err != nil {
			return nil, err
		}
	}
	// Servers over-report: an unchanged ETag is no change. Objects that
	// could not be read last time are fetched again.
	var fetch []string
	for href, etag := range changed {
		if o, ok := oc.Objects[href]; ok && o.ETag != "" && o.ETag == etag {
			continue
		}
		fetch = append(fetch, href)
	}
	for href, o := range oc.Objects {
		if _, listed := changed[href]; o.ETag == "" && !listed && !containsStr(removed, href) {
			fetch = append(fetch, href)
		}
	}
	sort.Strings(fetch)
	sort.Strings(removed)
	for _, href := range removed {
		if o, ok := cc.Objects[href]; ok {
			if err := r.tombstones(href, o.IDs, nil); err != nil {
				return nil, err
			}
			delete(cc.Objects, href)
		}
	}
	if len(fetch) == 0 {
		return cc, nil
	}
	got := map[string]bool{}
	err = dav.MultiGet(ctx, r.s.abs(c.Path), fetch, multigetChunk, func(resp davx.Response) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		got[resp.Href] = true
		if resp.Status == http.StatusNotFound {
			if o, ok := cc.Objects[resp.Href]; ok {
				delete(cc.Objects, resp.Href)
				return r.tombstones(resp.Href, o.IDs, nil)
			}
			return nil
		}
		if resp.Status/100 != 2 || !resp.Props.HasData {
			return nil
		}
		prev, had := cc.Objects[resp.Href]
		var prevIDs []string
		if had {
			prevIDs = idsOf(resp.Href, prev)
		}
		if resp.Bad != "" {
			o, err := r.badObject(ctx, c, resp, kinds, prevIDs)
			cc.Objects[resp.Href] = o
			return err
		}
		o, err := r.object(resp.Href, resp.Props.ETag, resp.Props.CalendarData, kinds, prevIDs)
		cc.Objects[resp.Href] = o
		return err
	})
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeOf(err), err, "caldav: collection "+c.Path)
	}
	return cc, nil
}

// syncFailed classifies a failed sync-collection with a token. Xandikos
// answers an unknown token with 500; so when the collection itself still
// answers a PROPFIND, a 5xx for the token means the token was refused
// (CursorInvalid: the engine takes a full snapshot), not an outage.
func (r *run) syncFailed(ctx context.Context, c collection, err error) error {
	if adapters.CodeOf(err) == adapters.CodeTemporary && ctx.Err() == nil {
		dav, _ := r.s.client()
		probe := dav.PropFind(ctx, r.s.abs(c.Path), "0", []string{davx.PropSyncToken}, func(davx.Response) error { return nil })
		if probe == nil {
			return adapters.Wrap(adapters.CodeCursorInvalid, err, "caldav: sync token of "+c.Path+" refused")
		}
	}
	return adapters.Wrap(adapters.CodeOf(err), err, "caldav: collection "+c.Path)
}

// object parses one calendar object and emits its items; prevIDs are the
// ids it produced before, and those it no longer produces get tombstones.
// It returns what the cursor keeps of it.
func (r *run) object(href, etag, data string, kinds []adapters.Kind, prevIDs []string) (object, error) {
	items, err := icalendar.Parse([]byte(data), icalendar.ParseOptions{Location: r.s.loc, Expand: true, Window: r.window})
	if err != nil {
		it := adapters.Item{ID: href, Kind: kinds[0], Version: etag, Unreadable: href + ": " + err.Error()}
		if err := r.send(it); err != nil {
			return object{}, err
		}
		return object{ETag: "", IDs: keepIDs(href, prevIDs)}, nil
	}
	o := object{ETag: etag}
	var ids []string
	for _, it := range items {
		if !containsKind(kinds, it.Kind) && it.Unreadable == "" {
			continue
		}
		if it.Kind == "" {
			it.Kind = kinds[0]
		}
		it.ID = itemID(href, it.Key)
		it.Version = etag
		if it.Unreadable != "" {
			it.Unreadable = href + ": " + it.Unreadable
			o.ETag = "" // retry next run
		}
		ids = append(ids, it.ID)
		if err := r.send(it); err != nil {
			return object{}, err
		}
	}
	if prevIDs != nil {
		if err := r.tombstones(href, prevIDs, ids); err != nil {
			return object{}, err
		}
	}
	if !(len(ids) == 1 && ids[0] == href) {
		o.IDs = ids
		if len(ids) == 0 {
			o.IDs = []string{}
		}
	}
	return o, nil
}

// badObject handles a response the server sent with characters XML
// cannot carry (davx.Response.Bad): one bad object never makes the rest of
// the collection unreadable. It is asked for again by itself (a multiget
// of its href: an answer spoilt by its neighbours reads clean alone); if
// still bad it is emitted Unreadable, named by href and UID, and kept with
// an empty ETag so that the next run asks for it again.
func (r *run) badObject(ctx context.Context, c collection, resp davx.Response, kinds []adapters.Kind, prevIDs []string) (object, error) {
	dav, err := r.s.client()
	if err != nil {
		return object{}, err
	}
	var again *davx.Response
	err = dav.MultiGet(ctx, r.s.abs(c.Path), []string{resp.Href}, 1, func(x davx.Response) error {
		if x.Href == resp.Href {
			again = &x
		}
		return nil
	})
	if err == nil && again != nil && again.Bad == "" && again.Status/100 == 2 && again.Props.HasData {
		return r.object(again.Href, again.Props.ETag, again.Props.CalendarData, kinds, prevIDs)
	}
	if ctx.Err() != nil {
		return object{}, ctx.Err()
	}
	why := resp.Bad
	if err != nil {
		why += "; asked again alone: " + err.Error()
	}
	msg := resp.Href + ": " + why
	if uid := uidOf(resp.Props.CalendarData); uid != "" {
		msg = fmt.Sprintf("%s (UID %q): %s", resp.Href, uid, why)
	}
	it := adapters.Item{ID: resp.Href, Kind: kinds[0], Version: resp.Props.ETag, Unreadable: msg}
	if err := r.send(it); err != nil {
		return object{}, err
	}
	return object{ETag: "", IDs: keepIDs(resp.Href, prevIDs)}, nil
}

// uidOf finds the first UID of an iCalendar text without parsing it,
// to name an object that cannot be read.
func uidOf(data string) string {
	for _, line := range strings.Split(data, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "UID:"); ok {
			return v
		}
	}
	return ""
}

// tombstones emits a Deleted item for every id of old not in still. A nil
// old means just the href.
func (r *run) tombstones(href string, old, still []string) error {
	if old == nil {
		old = []string{href}
	}
	for _, id := range old {
		if containsStr(still, id) {
			continue
		}
		if err := r.send(adapters.Item{ID: id, Deleted: true}); err != nil {
			return err
		}
	}
	return nil
}

// itemID is href for a plain object, href#RECURRENCE-ID for an occurrence.
func itemID(href, key string) string {
	if _, rid, ok := strings.Cut(strings.TrimPrefix(key, "ical:"), "/"); ok {
		return href + "#" + rid
	}
	return href
}

// idsOf returns the ids a stored object produced.
func idsOf(href string, o object) []string {
	if o.IDs == nil {
		return []string{href}
	}
	return o.IDs
}

func keepIDs(href string, prev []string) []string {
	if prev == nil || (len(prev) == 1 && prev[0] == href) {
		return nil
	}
	return prev
}

func oldColl(c *cursor, path string) *collCursor {
	if c == nil {
		return nil
	}
	return c.Colls[path]
}

// covers reports whether the cursor's expansion window holds w, so that
// an incremental run sees every occurrence a full one would.
func covers(c *cursor, w adapters.Window) bool {
	if !c.From.IsZero() && (w.From.IsZero() || w.From.Before(c.From)) {
		return false
	}
	if !c.To.IsZero() && (w.To.IsZero() || w.To.After(c.To)) {
		return false
	}
	return true
}

func sameKinds(a, b []adapters.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for _, k := range a {
		if !containsKind(b, k) {
			return false
		}
	}
	return true
}

func intersect(a, b []adapters.Kind) []adapters.Kind {
	var out []adapters.Kind
	for _, k := range a {
		if containsKind(b, k) {
			out = append(out, k)
		}
	}
	return out
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
