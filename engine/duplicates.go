package engine

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// Duplicates: one key, one activity, one link. Two source items with the
// same Item.Key (one UID in two calendars, one Message-ID twice) never
// share an activity silently and never make a write to the other copy:
//
//   - The copy that is linked already is the "home" copy. Without one, the
//     lowest (source name, item id) is, whatever order the listings came
//     in (unless Sync handed another copy's create to the CRM already:
//     that copy is linked by then). Every other copy is reported as a
//     duplicate of it and is never linked nor written.
//   - Two messages with one Message-ID but other content (subject, date,
//     sender or text) are two messages: the second gets the key
//     "<key>#<fingerprint>", the same every run, so each is one activity.
//   - A linked item that a complete listing no longer shows (or that an
//     incremental one reports deleted), while an unlinked item with its key
//     is there, has moved (a recreated IMAP folder, an event moved to
//     another calendar): the link moves to the new item with its base, and
//     the old one is not reported as deleted.
//
// Unlinked items whose key is taken are decided once every listing is in
// (settleKeys), because only then is it known which links were seen.

// keyClaims is what one plan knows about the keys of unlinked items.
type keyClaims struct {
	byKey    map[string]*Action      // keys held by an unlinked item, with its action
	applied  map[string]appliedClaim // keys held by a create Sync applied (its action is gone)
	deferred []*keyCopy              // unlinked items whose key was taken, decided by settleKeys
	linked   []keyedLink             // the links by key hash, built on first use
	gone     map[linkRef]*Action     // linked items the listings said were deleted, with their report
	built    bool
	seed     maphash.Seed
}

// keyCopy is an unlinked item whose key another item holds.
type keyCopy struct {
	ns *NamedSource
	it *adapters.Item
	fp string
}

type keyedLink struct {
	hash uint64
	link int32
}

func (p *planner) keyClaims() *keyClaims {
	if p.keys == nil {
		p.keys = &keyClaims{byKey: map[string]*Action{}, applied: map[string]appliedClaim{},
			gone: map[linkRef]*Action{}, seed: maphash.MakeSeed()}
	}
	return p.keys
}

// keyHolder is the item that holds a key in this plan: an action the plan
// keeps, or a create Sync applied already.
type keyHolder struct {
	a                  *Action // nil for an applied create
	source, itemID, fp string
}

// holder says who holds key, if anybody.
func (k *keyClaims) holder(key string) (keyHolder, bool) {
	if c, ok := k.applied[key]; ok {
		return keyHolder{source: c.ns.Name, itemID: c.itemID, fp: c.fingerprint()}, true
	}
	if a, ok := k.byKey[key]; ok {
		return keyHolder{a: a, source: a.Source, itemID: a.ItemID, fp: a.fingerprint}, true
	}
	return keyHolder{}, false
}

// keyedItem plans an unlinked item (see the rules above): an action now,
// or nil when the item waits for settleKeys.
func (p *planner) keyedItem(ns *NamedSource, it *adapters.Item) *Action {
	if it.Key == "" {
		return p.newItemAction(ns, it)
	}
	k := p.keyClaims()
	fp := ""
	if it.Kind == adapters.KindMessage {
		fp = messageFingerprint(it)
		if alt := altKey(it.Key, fp); p.keyInCRM(alt) {
			it.Key = alt // the other message of its Message-ID, known from an earlier run
		}
	}
	for rekeyed := false; ; rekeyed = true {
		c, claimed := k.holder(it.Key)
		switch {
		case claimed && fp != "" && !rekeyed && c.fp != fp:
			it.Key = altKey(it.Key, fp)
			continue
		case claimed || len(p.linksWithKey(it.Key)) > 0:
			k.deferred = append(k.deferred, &keyCopy{ns: ns, it: ptr(*it), fp: fp})
			return nil
		}
		a := p.newItemAction(ns, it)
		a.fingerprint = fp
		k.byKey[it.Key] = a
		return a
	}
}

// forgetKeys drops what a failed or restarted listing of source claimed.
func (p *planner) forgetKeys(source string) {
	if p.keys == nil {
		return
	}
	for key, a := range p.keys.byKey { // a create Sync applied (k.applied) holds its key all the same
		if a.Source == source {
			delete(p.keys.byKey, key)
		}
	}
	p.keys.deferred = slices.DeleteFunc(p.keys.deferred, func(d *keyCopy) bool { return d.ns.Name == source })
	for ref := range p.keys.gone {
		if ref.source == source {
			delete(p.keys.gone, ref)
		}
	}
}

// tombstoned records that a listing reported the item of link e deleted
// (report is the report planned for it): an unlinked item with its key
// is that item moved, and takes the link over instead.
func (p *planner) tombstoned(e *linkEntry, report *Action) {
	p.keyClaims().gone[e.ref] = report
}

// settleKeys decides the items keyedItem deferred, once every listing is
// in: each becomes a duplicate report, the home copy, or the new home of a
// link that moved.
func (p *planner) settleKeys() {
	if p.keys == nil || len(p.keys.deferred) == 0 {
		return
	}
	groups := map[string][]*keyCopy{}
	for _, d := range p.keys.deferred {
		groups[d.it.Key] = append(groups[d.it.Key], d)
	}
	keys := make([]string, 0, len(groups))
	for key := range groups {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		copies := groups[key]
		slices.SortFunc(copies, func(a, b *keyCopy) int { return compareRefs(a.ns.Name, a.it.ID, b.ns.Name, b.it.ID) })
		if links := p.linksWithKey(key); len(links) > 0 {
			p.settleLinkedKey(links, copies)
			continue
		}
		p.settleClaimedKey(key, copies)
	}
	p.keys.deferred = nil
}

// settleClaimedKey decides the copies of a key that an unlinked item of
// this plan holds: the lowest copy is home, unless the holder's create went
// to the CRM early.
func (p *planner) settleClaimedKey(key string, copies []*keyCopy) {
	if h, ok := p.keys.holder(key); ok && h.a == nil {
		for _, d := range copies {
			if d.ns.Name == h.source && d.it.ID == h.itemID {
				continue // the applied item itself, listed again (a cursor that expired mid-listing)
			}
			p.plan.Actions = append(p.plan.Actions, p.duplicate(d, h.source, h.itemID))
		}
		return
	}
	c, ok := p.keys.byKey[key]
	if !ok { // its holder's listing failed: the lowest copy holds it now
		first := copies[0]
		c = p.newItemAction(first.ns, first.it)
		c.fingerprint = first.fp
		p.keys.byKey[key] = c
		p.plan.Actions = append(p.plan.Actions, c)
		copies = copies[1:]
	} else if low := copies[0]; c.item != nil && compareRefs(low.ns.Name, low.it.ID, c.Source, c.ItemID) < 0 {
		// A lower copy was listed later: it becomes home, in place, so the
		// plan holds one action for the key whatever the listing order.
		if ns, err := p.job.source(c.Source); err == nil {
			old := &keyCopy{ns: ns, it: c.item, fp: low.fp}
			*c = *p.newItemAction(low.ns, low.it)
			c.fingerprint = low.fp
			copies = append([]*keyCopy{old}, copies[1:]...)
		}
	}
	for _, d := range copies {
		p.plan.Actions = append(p.plan.Actions, p.duplicate(d, c.Source, c.ItemID))
	}
}

// settleLinkedKey decides the unlinked copies of a key some link holds.
// A link whose item is still there (seen, or its source could not tell)
// stays home. When no link's item is left, the item has moved: the lowest
// copy takes over the link.
func (p *planner) settleLinkedKey(links []int32, copies []*keyCopy) {
	complete := map[string]bool{}
	for _, r := range p.plan.Sources {
		complete[r.Name] = r.Complete && !r.failed
	}
	var gone []int32
	for _, li := range links {
		e := &p.ix.links[li]
		listed := p.ix.crm[e.crm].listed
		present := e.seen || !complete[e.ref.source] || !p.job.Window.Contains(e.base.raster().Anchor()) || !listed
		if p.keys.gone[e.ref] != nil && listed {
			present = false // its tombstone came in this listing
		}
		if present {
			var others []*keyCopy
			for _, d := range copies {
				if d.fp != "" && pack(d.it.Raster) != e.base {
					others = append(others, d) // another message under its Message-ID
					continue
				}
				p.plan.Actions = append(p.plan.Actions, p.duplicate(d, e.ref.source, e.ref.itemID))
			}
			p.newMessages(others)
			return
		}
		gone = append(gone, li)
	}
	old := &p.ix.links[gone[0]]
	home := copies[0]
	if home.fp != "" && pack(home.it.Raster) != old.base {
		// Another message under the same Message-ID: not a move.
		p.newMessages(copies)
		return
	}
	var replaces []linkRef
	for _, li := range gone {
		if e := &p.ix.links[li]; e.crm == old.crm {
			e.seen = true // moved, not deleted
			replaces = append(replaces, e.ref)
			if report := p.keys.gone[e.ref]; report != nil {
				p.plan.Actions = slices.DeleteFunc(p.plan.Actions, func(a *Action) bool { return a == report })
			}
		}
	}
	p.plan.Actions = append(p.plan.Actions, p.movedLink(home, old, replaces))
	for _, d := range copies[1:] {
		p.plan.Actions = append(p.plan.Actions, p.duplicate(d, home.ns.Name, home.it.ID))
	}
}

// newMessages plans messages whose Message-ID a gone link holds but whose
// content is another: each content is one activity under its own key.
func (p *planner) newMessages(copies []*keyCopy) {
	home := map[string]*keyCopy{}
	for _, d := range copies {
		if h, ok := home[d.fp]; ok {
			p.plan.Actions = append(p.plan.Actions, p.duplicate(d, h.ns.Name, h.it.ID))
			continue
		}
		home[d.fp] = d
		d.it.Key = altKey(d.it.Key, d.fp)
		p.plan.Actions = append(p.plan.Actions, p.newItemAction(d.ns, d.it))
	}
}

// movedLink links item d to the activity of the gone link old, keeping the
// base both sides agreed on: a time changed meanwhile is planned next run
// like any change. The executor deletes the links it replaces.
func (p *planner) movedLink(d *keyCopy, old *linkEntry, replaces []linkRef) *Action {
	c := &p.ix.crm[old.crm]
	p.relinked[c.id] = true
	it := d.it
	l := state.Link{User: p.job.User, Source: d.ns.Name, ItemID: it.ID, Key: it.Key, Kind: it.Kind,
		ActivityID: c.id, Base: old.base.raster(), ItemVersion: it.Version, ActivityVersion: old.activityVersion}
	return &Action{Kind: ActLink, Area: AreaOf(it.Kind), Source: d.ns.Name, ItemID: it.ID, Key: it.Key,
		ActivityID: c.id, Type: Classify(*it), Subject: it.Subject, From: it.From, Raster: l.Base,
		Reason: "moved from " + old.ref.source + "/" + old.ref.itemID + " (same key, no longer listed): the link moves",
		item:   it, link: &l, replaces: replaces}
}

// duplicate reports copy d of the item home holds.
func (p *planner) duplicate(d *keyCopy, homeSource, homeID string) *Action {
	what := "same UID; never linked or written"
	if d.it.Kind == adapters.KindMessage {
		what = "the same message; one activity"
	}
	return p.skip(d.ns.Name, d.it, nil, "duplicate of "+homeSource+"/"+homeID+": "+what)
}

// linksWithKey returns the links whose key is key. The index is built on
// the first call only: a plan with no new item never pays for it.
func (p *planner) linksWithKey(key string) []int32 {
	k := p.keyClaims()
	if !k.built {
		k.linked = make([]keyedLink, len(p.ix.links))
		for i := range p.ix.links {
			k.linked[i] = keyedLink{maphash.String(k.seed, p.ix.links[i].key), int32(i)}
		}
		slices.SortFunc(k.linked, func(a, b keyedLink) int { return cmp.Compare(a.hash, b.hash) })
		k.built = true
	}
	h := maphash.String(k.seed, key)
	i, _ := slices.BinarySearchFunc(k.linked, h, func(e keyedLink, h uint64) int { return cmp.Compare(e.hash, h) })
	var out []int32
	for ; i < len(k.linked) && k.linked[i].hash == h; i++ {
		if li := k.linked[i].link; p.ix.links[li].key == key {
			out = append(out, li)
		}
	}
	return out
}

// keyInCRM reports whether an activity of this user has key.
func (p *planner) keyInCRM(key string) bool {
	if _, ok := p.ix.crmByKey[key]; ok {
		return true
	}
	return len(p.linksWithKey(key)) > 0
}

// dropMovedLinks deletes the links that the batch's moved links replace,
// before the new ones are written: a run killed in between leaves the
// activity without a link, which the next plan links again by key.
func (x *executor) dropMovedLinks(list []*Action) error {
	for _, a := range list {
		for _, r := range a.replaces {
			if err := x.st.DeleteLink(x.ctx, x.job.User, r.source, r.itemID); err != nil {
				return err
			}
		}
	}
	return nil
}

// messageFingerprint is what makes two messages with one Message-ID the
// same message: subject, date, sender and text.
func messageFingerprint(it *adapters.Item) string {
	h := sha256.New()
	for _, s := range []string{it.Subject, it.Date.UTC().Format(time.RFC3339), normalizeAddress(it.From), it.Body} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// altKey is the key of a message whose Message-ID another message holds.
func altKey(key, fp string) string { return key + "#" + fp }

func compareRefs(sa, ia, sb, ib string) int {
	if c := cmp.Compare(sa, sb); c != 0 {
		return c
	}
	return cmp.Compare(ia, ib)
}

// olderDuplicate tells whether e is one of several links of one event or
// task to one activity (runs before duplicates were explicit linked every
// copy) and not its home, the lowest (source, item id): such a link is
// reported and never compared, so no time is ever written through it.
// Messages keep every link: nothing writes to a message.
func (p *planner) olderDuplicate(e *linkEntry) (home string, dup bool) {
	if !p.ix.crm[e.crm].shared || e.kind == adapters.KindMessage {
		return "", false
	}
	low := e
	for _, li := range p.linksWithKey(e.key) {
		if o := &p.ix.links[li]; o.crm == e.crm && compareRefs(o.ref.source, o.ref.itemID, low.ref.source, low.ref.itemID) < 0 {
			low = o
		}
	}
	if low == e {
		return "", false
	}
	return low.ref.source + "/" + low.ref.itemID, true
}

// appliedClaim is what a plan keeps of a key whose create Sync applied
// while listing: who holds it and, for a message, its fingerprint; about
// 100 bytes in all instead of the action's 400 (see streamed.go).
type appliedClaim struct {
	ns     *NamedSource
	itemID string
	fp     uint64 // messageFingerprint's 6 bytes, with fpSet; 0: none
}

const fpSet = 1 << 63

// apply records that a's create went to the executor: the key stays
// claimed, by a compact record that pins none of the item's strings (they
// may share one decoded batch's memory, see sdk/wire).
func (k *keyClaims) apply(ns *NamedSource, a *Action) {
	if k == nil || a.Key == "" || k.byKey[a.Key] != a {
		return
	}
	delete(k.byKey, a.Key)
	c := appliedClaim{ns: ns, itemID: strings.Clone(a.ItemID)}
	if b, err := hex.DecodeString(a.fingerprint); err == nil && len(b) == 6 {
		c.fp = fpSet | uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])
	}
	k.applied[strings.Clone(a.Key)] = c
}

// fingerprint is the claim's message fingerprint as messageFingerprint
// wrote it, or "".
func (c appliedClaim) fingerprint() string {
	if c.fp&fpSet == 0 {
		return ""
	}
	return fmt.Sprintf("%012x", c.fp&^fpSet)
}
