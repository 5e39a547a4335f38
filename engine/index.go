package engine

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// The planner's index of links and CRM activities. At a million links the
// cost of planning is map lookups and memory, so entries live in dense
// slices, maps only hold small indexes into them, and a link points at its
// activity by slice index: comparing an item costs one map lookup.

// crmSide is what the planner keeps of a CRM activity: enough to compare
// times, and the whole activity only when it may be exported.
type crmSide struct {
	id       string
	key      string
	version  string
	raster   packed
	modified int64
	change   int64              // its number in the CRM's change sequence, 0 when unknown
	listed   bool               // the CRM listing returned it (else: deleted in the CRM)
	linked   bool               // some link of this user points at it
	shared   bool               // more than one does (see olderDuplicate)
	full     *adapters.Activity // export candidates only
	// typ and subject name the activity in a plan when its source item is
	// not at hand (an incremental snapshot did not mention it). Kept only
	// while the activity may differ from its link's base: addLink drops
	// the subject of an activity that agrees with it.
	typ     uint8 // 1 + index into adapters.ActivityTypes, 0: unknown; fits in padding
	subject string
}

// typeCode packs an activity type into crmSide.typ.
func typeCode(t adapters.ActivityType) uint8 {
	for i, v := range adapters.ActivityTypes {
		if v == t {
			return uint8(i + 1)
		}
	}
	return 0
}

// activityType unpacks crmSide.typ.
func (c *crmSide) activityType() adapters.ActivityType {
	if c.typ == 0 {
		return ""
	}
	return adapters.ActivityTypes[c.typ-1]
}

// linkEntry is a state.Link without what linkRef and crmSide already hold.
type linkEntry struct {
	ref                          linkRef
	key                          string
	itemVersion, activityVersion string
	kind                         adapters.Kind
	base                         packed
	crm                          int32 // index into index.crm
	seen                         bool
}

type linkRef struct{ source, itemID string }

// linkCounter is implemented by state stores that can count a user's links
// cheaply; the planner uses it to size its index.
type linkCounter interface {
	CountLinks(ctx context.Context, user string) (int, error)
}

// pendingWrite is a write a killed run may or may not have made (see
// state.Link.Pending). Few links ever have one, so they live in a map.
type pendingWrite struct {
	side   string
	raster packed
}

type index struct {
	links    []linkEntry
	pending  map[linkRef]pendingWrite
	linkAt   map[linkRef]int32
	crm      []crmSide
	crmAt    map[string]int32  // activity id → index
	crmByKey map[string]int32  // key → index, for activities no link points at
	interned map[string]string // source names and kinds, shared by every link
	// crmPartial: the CRM listing named only what changed since the
	// stored cursor, so an activity it did not name is as its link's base
	// says (see crmcursor.go), not deleted.
	crmPartial bool
}

func newIndex(n int) *index {
	return &index{
		links: make([]linkEntry, 0, n), linkAt: make(map[linkRef]int32, n),
		crm: make([]crmSide, 0, n), crmAt: make(map[string]int32, n),
		crmByKey: map[string]int32{}, interned: map[string]string{}, pending: map[linkRef]pendingWrite{},
	}
}

func (x *index) intern(s string) string {
	if v, ok := x.interned[s]; ok {
		return v
	}
	x.interned[s] = s
	return s
}

// addActivity records a listed CRM activity. The CRM is listed before the
// links are loaded, so that each costs one map operation: the listing
// assigns an index, the link looks it up.
func (x *index) addActivity(a adapters.Activity) {
	i := int32(len(x.crm))
	c := crmSide{id: a.ID, key: a.Key, version: a.Version, raster: pack(a.Raster), modified: a.Modified.Unix(), listed: true,
		typ: typeCode(a.Type), subject: a.Subject, change: a.Change}
	if Exportable(a) {
		c.full = ptr(a) // dropped again if a link turns up
	}
	x.crm = append(x.crm, c)
	x.crmAt[a.ID] = i
}

// addLink records a link; it must come after every addActivity.
func (x *index) addLink(l state.Link) {
	ci, ok := x.crmAt[l.ActivityID]
	switch {
	case !ok && x.crmPartial: // unchanged since the cursor: as the base says
		ci = int32(len(x.crm))
		x.crm = append(x.crm, crmSide{id: l.ActivityID, version: l.ActivityVersion, raster: pack(l.Base), listed: true})
		x.crmAt[l.ActivityID] = ci
	case !ok: // deleted in the CRM: a placeholder that was never listed
		ci = int32(len(x.crm))
		x.crm = append(x.crm, crmSide{id: l.ActivityID})
		x.crmAt[l.ActivityID] = ci
	}
	c := &x.crm[ci]
	c.shared = c.linked
	c.linked, c.full = true, nil
	if c.raster == pack(l.Base) {
		c.subject = "" // unchanged in the CRM: a plan names it by its item
	}
	ref := linkRef{x.intern(l.Source), l.ItemID}
	if l.PendingSide != "" {
		x.pending[ref] = pendingWrite{side: l.PendingSide, raster: pack(l.Pending)}
	}
	x.linkAt[ref] = int32(len(x.links))
	x.links = append(x.links, linkEntry{ref: ref, key: l.Key, itemVersion: l.ItemVersion,
		activityVersion: l.ActivityVersion, kind: adapters.Kind(x.intern(string(l.Kind))), base: pack(l.Base), crm: ci})
}

// indexKeys maps the keys of activities no link points at, once the links
// are in: in steady state that is a handful, not a million.
func (x *index) indexKeys() {
	for i := range x.crm {
		if c := &x.crm[i]; !c.linked && c.key != "" {
			x.crmByKey[c.key] = int32(i)
		}
	}
}

// link finds the link of a source item.
func (x *index) link(source, itemID string) (*linkEntry, bool) {
	i, ok := x.linkAt[linkRef{source, itemID}]
	if !ok {
		return nil, false
	}
	return &x.links[i], true
}

// landedBase returns the base to compare a link's sides against: its
// stored base, or the pending write when the side it targeted shows it
// (a run died after the write and before it could record it).
func (x *index) landedBase(e *linkEntry, src, crm packed) (packed, bool) {
	pw, ok := x.pending[e.ref] // usually empty: a cheap miss
	if !ok {
		return e.base, false
	}
	if (pw.side == state.SideGroupware && src == pw.raster) || (pw.side == state.SideCRM && crm == pw.raster) {
		return pw.raster, true
	}
	return e.base, false
}

// stateLink rebuilds the full link, for the few links that changed.
func (x *index) stateLink(user string, e *linkEntry) state.Link {
	return state.Link{User: user, Source: e.ref.source, ItemID: e.ref.itemID, Key: e.key, Kind: e.kind,
		ActivityID: x.crm[e.crm].id, Base: e.base.raster(), ItemVersion: e.itemVersion, ActivityVersion: e.activityVersion}
}
