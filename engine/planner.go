package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// crmSide is what the planner keeps of a CRM activity: enough to compare
// times, and the whole activity only when it may be exported. Keeping it
// small is what lets a million links plan in bounded memory.
type crmSide struct {
	version  string
	raster   adapters.Raster
	modified time.Time
	full     *adapters.Activity // export candidates only
}

type linkEntry struct {
	link state.Link
	seen bool
}

type linkRef struct{ source, itemID string }

// planner holds one planning pass. Items stream through it: an item whose
// times match its link's base on both sides is counted and dropped at once.
type planner struct {
	job      *Job
	plan     *Plan
	links    map[linkRef]*linkEntry
	linked   map[string]bool // activity ids linked by this user
	crm      map[string]*crmSide
	crmByKey map[string]string // activity key → id
	relinked map[string]bool   // activities matched to an item by key or export id
}

// BuildPlan snapshots every source of the job and the user's CRM activities,
// compares them with the links in st, and returns the plan. Nothing is
// written. A source whose listing fails is reported in the plan and planned
// as "unknown": none of its links counts as deleted. A CRM listing that fails
// fails the plan.
func BuildPlan(ctx context.Context, st state.Store, job *Job) (*Plan, error) {
	p := &planner{
		job:      job,
		plan:     &Plan{User: job.User, Created: time.Now().UTC()},
		links:    map[linkRef]*linkEntry{},
		linked:   map[string]bool{},
		crm:      map[string]*crmSide{},
		crmByKey: map[string]string{},
		relinked: map[string]bool{},
	}
	if err := st.Links(ctx, job.User, func(l state.Link) error {
		p.addLink(l)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reading links of %s: %w", job.User, err)
	}
	if err := p.listCRM(ctx); err != nil {
		return nil, err
	}
	for i := range job.Sources {
		p.snapshot(ctx, st, &job.Sources[i])
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	p.finish()
	return p.plan, nil
}

func (p *planner) addLink(l state.Link) {
	p.links[linkRef{l.Source, l.ItemID}] = &linkEntry{link: l}
	p.linked[l.ActivityID] = true
}

func (p *planner) listCRM(ctx context.Context) error {
	var n int64
	_, err := p.job.CRM.ListActivities(ctx, adapters.ActivityQuery{Owner: p.job.User}, func(a adapters.Activity) error {
		p.addActivity(a)
		n++
		if n%10000 == 0 {
			p.job.progress(Progress{Phase: "crm", Done: n})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing CRM activities of %s: %w", p.job.User, err)
	}
	return nil
}

func (p *planner) addActivity(a adapters.Activity) {
	c := &crmSide{version: a.Version, raster: a.Raster, modified: a.Modified}
	if !p.linked[a.ID] && Exportable(a) {
		cp := a
		c.full = &cp
	}
	p.crm[a.ID] = c
	if a.Key != "" {
		p.crmByKey[a.Key] = a.ID
	}
}

func (p *planner) snapshot(ctx context.Context, st state.Store, ns *NamedSource) {
	rep := SourceReport{Name: ns.Name}
	info, err := ns.Source.Info(ctx)
	if err != nil {
		p.sourceFailed(&rep, err)
		return
	}
	ns.info = info
	cursor := ""
	if info.Capabilities.Incremental {
		if cursor, err = st.Cursor(ctx, p.job.User, ns.Name); err != nil {
			p.sourceFailed(&rep, err)
			return
		}
	}
	var pending []*Action // held until the listing is known to be whole
	var problems []Problem
	emit := func(it adapters.Item) error {
		rep.Items++
		if rep.Items%1000 == 0 {
			p.job.progress(Progress{Phase: "snapshot", Name: ns.Name, Done: rep.Items})
		}
		pending, problems = p.item(ns, it, pending, problems)
		return nil
	}
	end, err := ns.Source.Snapshot(ctx, adapters.SnapshotRequest{Window: p.job.Window, Cursor: cursor}, emit)
	if err != nil && cursor != "" && adapters.CodeOf(err) == adapters.CodeCursorInvalid {
		// An expired cursor means "start over", never "everything is gone".
		p.job.logger().Warn("cursor no longer valid, taking a full snapshot", "source", ns.Name, "error", err)
		p.unsee(ns.Name)
		pending, problems, rep.Items = nil, nil, 0
		end, err = ns.Source.Snapshot(ctx, adapters.SnapshotRequest{Window: p.job.Window}, emit)
	}
	if err == nil && end.Count != rep.Items {
		err = fmt.Errorf("source reported %d items but sent %d", end.Count, rep.Items)
	}
	if err != nil {
		p.unsee(ns.Name)
		p.sourceFailed(&rep, err)
		return
	}
	rep.Complete, rep.cursor = end.Complete, end.Cursor
	p.plan.Sources = append(p.plan.Sources, rep)
	p.plan.Actions = append(p.plan.Actions, pending...)
	p.plan.Problems = append(p.plan.Problems, problems...)
	p.job.progress(Progress{Phase: "snapshot", Name: ns.Name, Done: rep.Items, Total: rep.Items})
}

// unsee forgets which links of a source a failed or restarted listing saw.
func (p *planner) unsee(source string) {
	for ref, e := range p.links {
		if ref.source == source {
			e.seen = false
		}
	}
}

func (p *planner) sourceFailed(rep *SourceReport, err error) {
	rep.failed, rep.Error = true, err.Error()
	p.plan.Sources = append(p.plan.Sources, *rep)
	p.plan.Problems = append(p.plan.Problems, Problem{Source: rep.Name, Reason: "listing failed, nothing from this source is planned: " + err.Error()})
	p.job.logger().Error("source listing failed", "source", rep.Name, "error", err)
}

// item plans one groupware item.
func (p *planner) item(ns *NamedSource, it adapters.Item, acts []*Action, probs []Problem) ([]*Action, []Problem) {
	e := p.links[linkRef{ns.Name, it.ID}]
	if e != nil {
		e.seen = true
	}
	switch {
	case it.Unreadable != "":
		return acts, append(probs, Problem{Source: ns.Name, ItemID: it.ID, Reason: it.Unreadable})
	case it.Deleted:
		if e != nil {
			acts = append(acts, p.skip(ns.Name, it, e, "deleted in groupware (deletions are not propagated)"))
		}
		return acts, probs
	case e != nil:
		if a := p.linkedItem(ns, it, e); a != nil {
			acts = append(acts, a)
		}
		return acts, probs
	}
	// Not linked yet.
	if it.Kind != adapters.KindMessage && !p.job.Window.Contains(it.Raster.Anchor()) {
		p.plan.OutOfWindow++
		return acts, probs
	}
	if it.Cancelled {
		return append(acts, p.skip(ns.Name, it, nil, "cancelled in groupware, not imported")), probs
	}
	typ := Classify(it)
	a := &Action{Kind: ActCreate, Area: AreaOf(it.Kind), Source: ns.Name, ItemID: it.ID, Key: it.Key,
		Type: typ, Subject: it.Subject, From: it.From, Raster: it.Raster, item: ptr(it)}
	if id := p.existingActivity(it); id != "" {
		a.Kind, a.ActivityID = ActLink, id
		a.Before, a.crmVersion = p.crm[id].raster, p.crm[id].version
		a.Reason = "the CRM has this item already; link it"
		p.relinked[id] = true
	}
	return append(acts, a), probs
}

// existingActivity finds a CRM activity of this user that an unlinked item
// already belongs to: its own export, or an activity with its key (a run
// that died between the CRM write and the link, or the same e-mail in a
// second folder).
func (p *planner) existingActivity(it adapters.Item) string {
	if it.ExportedFrom != "" {
		if _, ok := p.crm[it.ExportedFrom]; ok {
			return it.ExportedFrom
		}
	}
	if id, ok := p.crmByKey[it.Key]; ok && it.Key != "" {
		return id
	}
	return ""
}

func (p *planner) linkedItem(ns *NamedSource, it adapters.Item, e *linkEntry) *Action {
	c, ok := p.crm[e.link.ActivityID]
	if !ok {
		return p.skip(ns.Name, it, e, "activity "+e.link.ActivityID+" deleted in the CRM (deletions are not propagated)")
	}
	if it.Cancelled {
		return p.skip(ns.Name, it, e, "cancelled in groupware after import (not propagated)")
	}
	return p.compare(ns, e.link, &it, c)
}

// compare is the three-way decision for one link. it is nil when an
// incremental snapshot did not mention the item (its times are the base).
func (p *planner) compare(ns *NamedSource, l state.Link, it *adapters.Item, c *crmSide) *Action {
	srcRaster, srcVersion, srcModified := l.Base, l.ItemVersion, time.Time{}
	if it != nil {
		srcRaster, srcVersion, srcModified = it.Raster, it.Version, it.Modified
	}
	srcChanged := !srcRaster.Equal(l.Base)
	crmChanged := !c.raster.Equal(l.Base)
	if !srcChanged && !crmChanged {
		p.plan.Unchanged++
		return nil
	}
	a := &Action{Area: AreaResync, Source: ns.Name, ItemID: l.ItemID, Key: l.Key, ActivityID: l.ActivityID, item: it}
	if it != nil {
		a.Subject, a.From, a.Type = it.Subject, it.From, Classify(*it)
	} else {
		a.Subject = l.Key
	}
	link := l
	link.ItemVersion, link.ActivityVersion = srcVersion, c.version
	a.link = &link
	writable := ns.info.Capabilities.WriteTimes
	switch {
	case srcChanged && !crmChanged:
		a.Kind, a.Raster, a.Before = ActUpdateCRM, srcRaster, c.raster
	case crmChanged && !srcChanged:
		if !writable {
			a.Kind, a.Raster, a.Before = ActSkip, c.raster, srcRaster
			a.Reason = "times changed in the CRM, but source " + ns.Name + " cannot be written"
			break
		}
		a.Kind, a.Raster, a.Before = ActUpdateGroupware, c.raster, srcRaster
	case srcRaster.Equal(c.raster):
		a.Kind, a.Raster, a.rebase = ActSkip, srcRaster, true
		a.Reason = "both sides changed to the same times"
	default:
		a.Kind = ActConflict
		a.Resolution = p.job.Policy.resolve(srcModified, c.modified, writable)
		switch a.Resolution {
		case ActUpdateCRM:
			a.Raster, a.Before = srcRaster, c.raster
		case ActUpdateGroupware:
			a.Raster, a.Before = c.raster, srcRaster
		default:
			a.Raster, a.Before = srcRaster, c.raster
		}
		a.Reason = fmt.Sprintf("groupware %s, CRM %s (policy %s)", srcRaster, c.raster, p.job.Policy)
	}
	return a
}

func (p *planner) skip(source string, it adapters.Item, e *linkEntry, reason string) *Action {
	a := &Action{Kind: ActSkip, Area: AreaOf(it.Kind), Source: source, ItemID: it.ID, Key: it.Key,
		Type: Classify(it), Subject: it.Subject, From: it.From, Raster: it.Raster, Reason: reason}
	if e != nil {
		a.ActivityID, a.Area = e.link.ActivityID, AreaResync
	}
	return a
}

// finish handles what the listings did not mention, then orders the plan.
func (p *planner) finish() {
	reports := map[string]SourceReport{}
	for _, r := range p.plan.Sources {
		reports[r.Name] = r
	}
	for ref, e := range p.links {
		if e.seen {
			continue
		}
		rep, ok := reports[ref.source]
		switch {
		case !ok || rep.failed:
			// Unknown side: nothing may be concluded. A source removed from
			// the config also lands here and keeps its links.
		case !rep.Complete:
			// Incremental listing: silence means unchanged at the source.
			if c, ok := p.crm[e.link.ActivityID]; ok {
				ns, _ := p.job.source(ref.source)
				if a := p.compare(ns, e.link, nil, c); a != nil {
					p.plan.Actions = append(p.plan.Actions, a)
				}
			}
		case !p.job.Window.Contains(e.link.Base.Anchor()):
			p.plan.OutOfWindow++ // left the window: not a deletion
		default:
			a := &Action{Kind: ActSkip, Area: AreaResync, Source: ref.source, ItemID: ref.itemID,
				Key: e.link.Key, ActivityID: e.link.ActivityID, Subject: e.link.Key, Raster: e.link.Base,
				Reason: "deleted in groupware (deletions are not propagated)"}
			p.plan.Actions = append(p.plan.Actions, a)
		}
	}
	p.planExports()
	for _, a := range p.plan.Actions {
		p.plan.identify(a)
	}
	if len(p.job.Areas) > 0 {
		p.plan.KeepAreas(p.job.Areas)
	}
	// Manual conflicts and plain skips write nothing; they stay selected so
	// they show as "will be reported".
	p.plan.sort()
}

func (p *planner) planExports() {
	if p.job.ExportTo == "" {
		return
	}
	ns, err := p.job.source(p.job.ExportTo)
	if err != nil {
		p.plan.Problems = append(p.plan.Problems, Problem{Source: p.job.ExportTo, Reason: err.Error()})
		return
	}
	for _, r := range p.plan.Sources {
		if r.Name == ns.Name && r.failed {
			return // its listing failed: we cannot tell what was exported already
		}
	}
	for id, c := range p.crm {
		if c.full == nil || p.relinked[id] {
			continue
		}
		act := c.full
		if !p.job.Window.Contains(act.Raster.Anchor()) {
			continue
		}
		a := &Action{Kind: ActExport, Area: AreaAppointments, Source: ns.Name, ActivityID: id,
			Type: act.Type, Subject: act.Subject, Raster: act.Raster, activity: act}
		if !ns.info.Capabilities.Export {
			a.Kind, a.Reason = ActSkip, "source "+ns.Name+" cannot create events"
		}
		p.plan.Actions = append(p.plan.Actions, a)
	}
}

func ptr[T any](v T) *T { return &v }
