package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// The CRM change cursor. A CRM that declares ListChanges is listed by
// change: a run asks only for the activities changed since the last
// settled run, and loads only the links it needs (state.Store.FindLinks).
// An activity that was not listed is then as its link's base says: the
// cursor is stored only by a run that applied every CRM-side change it
// saw (else it stops just before the first it could not apply), so at
// that cursor every linked activity agreed with its link.
//
// A change listing cannot show a deletion. A full listing, which can,
// runs when there is no cursor yet, when the job asks (Job.FullCRM:
// `gwsync sync --full`), and once CRMFullEvery has passed since the
// last one (a day by default).

// DefaultCRMFullEvery is how often a run lists the CRM in full when the
// job does not say.
const DefaultCRMFullEvery = 24 * time.Hour

// crmCursorName is where a user's CRM cursor is kept among the source
// cursors: no source can have this name (config names are [a-z0-9._-]).
const crmCursorName = ":crm"

// crmListing is how a plan listed the CRM.
type crmListing struct {
	// capable: the CRM keeps a change cursor, and a settled run stores one.
	capable bool
	// full: every activity was listed (deletions are known); else only
	// those changed since stored.change.
	full bool
	// stored is the cursor the plan started from; next what the listing
	// returned.
	stored crmCursor
	next   int64
	// unsettledBy says why some link could not be compared this run (a
	// source failed or was not listed for a reason other than the
	// areas): no cursor is stored then, since the changes of its
	// activities were not seen to. Areas do not unsettle: the cursor
	// carries them (crmCursor.scope), and a run of other areas lists in
	// full.
	unsettledBy string
}

// crmCursor is the stored value: the change number, when the last full
// listing was, and the areas of the runs it serves ("v1 CHANGE
// FULL-UNIX-SECONDS [AREAS]", AREAS comma-separated and left out for
// every area).
type crmCursor struct {
	change   int64
	lastFull time.Time
	// scope is areaScope of the job that stored it. A run of other areas
	// lists in full: the stored run may have passed over changes of
	// areas it did not look at (a user's configured areas, or --areas).
	scope string
}

func (c crmCursor) String() string {
	s := fmt.Sprintf("v1 %d %d", c.change, c.lastFull.Unix())
	if c.scope != "" {
		s += " " + c.scope
	}
	return s
}

// parseCRMCursor reads a stored cursor; ok is false for none or garbage,
// which means: list in full.
func parseCRMCursor(s string) (c crmCursor, ok bool) {
	f := strings.Fields(s)
	if len(f) < 3 || len(f) > 4 || f[0] != "v1" {
		return crmCursor{}, false
	}
	change, err1 := strconv.ParseInt(f[1], 10, 64)
	full, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil || change < 0 {
		return crmCursor{}, false
	}
	c = crmCursor{change: change, lastFull: time.Unix(full, 0).UTC()}
	if len(f) == 4 {
		c.scope = f[3]
	}
	return c, true
}

// areaScope names the areas a run looks at, in the fixed order of Areas;
// "" for every area (an empty list or one that leaves none out).
func (j *Job) areaScope() string {
	if len(j.Areas) == 0 || everyArea(j.Areas) {
		return ""
	}
	var names []string
	for _, a := range Areas {
		if hasArea(j.Areas, a) {
			names = append(names, string(a))
		}
	}
	return strings.Join(names, ",")
}

// fullDue tells whether a run with this stored cursor lists in full.
func (j *Job) fullDue(c crmCursor, ok bool, now time.Time) bool {
	if !ok || j.FullCRM {
		return true
	}
	every := j.CRMFullEvery
	if every == 0 {
		every = DefaultCRMFullEvery
	}
	return every > 0 && !now.Before(c.lastFull.Add(every))
}

// listCRMChanges lists the CRM by its change cursor when it has one and
// returns false when it has none (the caller lists in full the old way).
// In an incremental listing the planner loads links lazily (p.lazy).
func (p *planner) listCRMChanges(ctx context.Context, st state.Store) (bool, error) {
	lister, ok := p.job.CRM.(adapters.ChangeLister)
	if !ok {
		return false, nil
	}
	info, err := p.job.CRM.Info(ctx)
	if err != nil {
		return false, fmt.Errorf("asking the CRM what it can do for %s: %w", p.job.User, err)
	}
	if !info.Capabilities.ListChanges {
		return false, nil
	}
	text, err := p.cursors.get(ctx, crmCursorName)
	if err != nil {
		return false, fmt.Errorf("reading the CRM cursor of %s: %w", p.job.User, err)
	}
	stored, valid := parseCRMCursor(text)
	if valid && stored.scope != p.job.areaScope() {
		p.job.logger().Debug("CRM cursor of other areas, listing the CRM in full", "user", p.job.User, "stored", stored.scope, "now", p.job.areaScope())
		valid = false
	}
	l := &p.plan.crm
	l.capable, l.stored = true, stored
	l.full = p.job.fullDue(stored, valid, p.plan.Created)
	since := stored.change
	if l.full {
		since = 0
		p.ix = newIndex(p.linkCount(ctx, st))
	}
	list := func(since int64) (adapters.ChangeEnd, error) {
		var n int64
		return lister.ListChanges(ctx, adapters.ChangeQuery{Owner: p.job.User, Since: since}, func(a adapters.Activity) error {
			p.ix.addActivity(a)
			n++
			if n%10000 == 0 {
				p.progress(Progress{Phase: "crm", Done: n})
			}
			return nil
		})
	}
	end, err := list(since)
	if err != nil && since > 0 && adapters.CodeOf(err) == adapters.CodeCursorInvalid {
		p.job.logger().Warn("CRM change cursor no longer valid, listing the CRM in full", "user", p.job.User, "error", err)
		p.ix = newIndex(p.linkCount(ctx, st))
		l.full = true
		end, err = list(0)
	}
	if err != nil {
		return false, fmt.Errorf("listing CRM changes of %s: %w", p.job.User, err)
	}
	l.next = end.Cursor
	if !l.full {
		p.lazy = true
		p.ix.crmPartial = true
		if err := p.linksOfChangedActivities(ctx, st); err != nil {
			return false, err
		}
	}
	return true, nil
}

// linksOfChangedActivities loads the links of every listed activity, so
// that each knows whether it is linked (and by how many).
func (p *planner) linksOfChangedActivities(ctx context.Context, st state.Store) error {
	ids := make([]string, len(p.ix.crm))
	for i := range p.ix.crm {
		ids[i] = p.ix.crm[i].id
	}
	return p.findLinks(ctx, st, state.LinkQuery{ActivityIDs: ids})
}

// findLinks adds the links q names that the index does not hold yet.
func (p *planner) findLinks(ctx context.Context, st state.Store, q state.LinkQuery) error {
	err := st.FindLinks(ctx, p.job.User, q, func(l state.Link) error {
		if _, ok := p.ix.link(l.Source, l.ItemID); !ok {
			p.ix.addLink(l)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("looking up links of %s: %w", p.job.User, err)
	}
	if p.keys != nil {
		p.keys.built = false // linksWithKey indexes the links it has
	}
	return nil
}

// loadAllLinks turns a lazy plan into an eager one, before a complete
// source listing that must see every link (to report the ones whose item
// is gone, or to move a link to the item that now has its key).
func (p *planner) loadAllLinks(ctx context.Context, st state.Store) error {
	if !p.lazy {
		return nil
	}
	p.lazy = false
	if err := st.Links(ctx, p.job.User, func(l state.Link) error {
		if _, ok := p.ix.link(l.Source, l.ItemID); !ok {
			p.ix.addLink(l)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("reading links of %s: %w", p.job.User, err)
	}
	if p.keys != nil {
		p.keys.built = false
	}
	return nil
}

// linksForItems loads, before a batch of listed items is planned, the
// links they may need: their own, those holding their keys, and every
// link of the activities these point at (duplicates share one).
func (p *planner) linksForItems(ctx context.Context, st state.Store, source string, items []adapters.Item) error {
	q := state.LinkQuery{}
	for i := range items {
		if _, ok := p.ix.link(source, items[i].ID); !ok {
			q.Items = append(q.Items, state.ItemRef{Source: source, ItemID: items[i].ID})
		}
		if items[i].Key != "" {
			q.Keys = append(q.Keys, items[i].Key)
		}
	}
	before := len(p.ix.links)
	if err := p.findLinks(ctx, st, q); err != nil {
		return err
	}
	var ids []string
	for i := before; i < len(p.ix.links); i++ {
		if e := &p.ix.links[i]; e.kind != adapters.KindMessage {
			ids = append(ids, p.ix.crm[e.crm].id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return p.findLinks(ctx, st, state.LinkQuery{ActivityIDs: ids})
}

// settleCRM notes, at the end of planning, what keeps this run from
// storing a CRM cursor: a link the run could not compare.
func (p *planner) settleCRM() {
	l := &p.plan.crm
	if !l.capable {
		return
	}
	for _, r := range p.plan.Sources {
		if r.failed {
			l.unsettledBy = "the listing of " + r.Name + " failed"
		}
	}
	for i := range p.job.Sources {
		if name := p.job.Sources[i].Name; !p.plan.listed(name) && AreasWant(p.job.Areas, p.job.Sources[i].Kinds) {
			l.unsettledBy = "source " + name + " was not listed"
		}
	}
}

// everyArea tells whether a job's areas leave none out.
func everyArea(list []Area) bool {
	for _, a := range Areas {
		if !hasArea(list, a) {
			return false
		}
	}
	return true
}

// listed tells whether the plan has a report of that source.
func (pl *Plan) listed(source string) bool {
	for _, r := range pl.Sources {
		if r.Name == source {
			return true
		}
	}
	return false
}

// crmCursorToStore is the CRM cursor a settled run stores: the
// listing's, or, when a CRM-side change was not applied (failed,
// deselected, left to a person), just before the first such change, so
// that the next run lists it again. ok is false when there is none to
// store.
func (x *executor) crmCursorToStore(plan *Plan) (cursor string, ok bool) {
	l := plan.crm
	if !l.capable || l.unsettledBy != "" {
		return "", false
	}
	next := crmCursor{change: l.next, lastFull: l.stored.lastFull, scope: x.job.areaScope()}
	if l.full {
		next.lastFull = plan.Created
	}
	for _, a := range plan.Actions {
		if a.crmChange > 0 && !a.applied && a.crmChange-1 < next.change {
			next.change = a.crmChange - 1
		}
	}
	return next.String(), true
}
