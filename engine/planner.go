package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// planner holds one planning pass. Items stream through it: an item whose
// times match its link's base on both sides is counted and dropped at once.
type planner struct {
	job      *Job
	plan     *Plan
	ix       *index
	relinked map[string]bool            // activities matched to an item by key or export id
	narrowed map[string][]adapters.Kind // sources listed for some of their kinds only (kinds.go)
	keys     *keyClaims                 // keys of unlinked items (see duplicates.go)
	// lazy: links are looked up as the plan needs them (an incremental
	// CRM listing, crmcursor.go) instead of loaded all at once.
	lazy bool
	// crmDone is closed when the CRM side of the plan (planCRM, run by
	// startCRM) ended, crmErr its error; p.ix belongs to that side until
	// then (overlap.go).
	crmDone    chan struct{}
	crmErr     error
	progressMu sync.Mutex
	// early, when set (by Sync), receives a copy of every selected create
	// as soon as it is planned; the plan keeps the original, marked early.
	early chan<- *Action
	// cursors are the user's stored cursors, read once for the plan.
	cursors *storedCursors
}

// buildPlan snapshots every source of the job and the user's CRM
// activities, compares them with the links in st, and returns the plan
// (see Start). Nothing is written. early, if not nil, gets the creates at
// once (see planner.early) and is closed when planning ends, however it
// ends.
func buildPlan(ctx context.Context, st state.Store, job *Job, early chan<- *Action) (*Plan, error) {
	if early != nil {
		defer close(early)
	}
	p := &planner{job: job, plan: &Plan{User: job.User, Created: time.Now().UTC()},
		ix: newIndex(0), relinked: map[string]bool{}, early: early, cursors: newStoredCursors(st, job)}
	// The CRM side (listing, links) runs while the first source logs in
	// and lists (overlap.go); a source's items wait for it.
	crmCtx, stopCRM := context.WithCancel(ctx)
	p.startCRM(crmCtx, st)
	defer func() {
		stopCRM()
		<-p.crmDone
	}()
	for i := range job.Sources {
		if err := p.snapshot(ctx, st, &job.Sources[i]); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if err := p.awaitCRM(); err != nil {
		return nil, err
	}
	p.finish()
	p.settleCRM()
	p.plan.storedCursors = p.cursors.read()
	return p.plan, nil
}

// planCRM is the CRM side of a plan: the CRM's activities (by change when
// it can) and the links a plan needs before any item is planned.
func (p *planner) planCRM(ctx context.Context, st state.Store) error {
	byChange, err := p.listCRMChanges(ctx, st)
	if err != nil {
		return err
	}
	if !byChange {
		p.ix = newIndex(p.linkCount(ctx, st))
		if err := p.listCRM(ctx); err != nil {
			return err
		}
	}
	if !p.lazy {
		if err := st.Links(ctx, p.job.User, func(l state.Link) error {
			p.ix.addLink(l)
			return nil
		}); err != nil {
			return fmt.Errorf("reading links of %s: %w", p.job.User, err)
		}
	}
	p.ix.indexKeys()
	return nil
}

// linkCount is how many links the user has, to size the index of a plan
// that loads them all (a hint: 0 when the store cannot count). Only a
// full listing asks: an incremental one loads few links.
func (p *planner) linkCount(ctx context.Context, st state.Store) int {
	c, ok := st.(linkCounter)
	if !ok {
		return 0
	}
	n, _ := c.CountLinks(ctx, p.job.User)
	return n
}

func (p *planner) listCRM(ctx context.Context) error {
	var n int64
	p.progress(Progress{Phase: "crm"})
	_, err := p.job.CRM.ListActivities(ctx, adapters.ActivityQuery{Owner: p.job.User}, func(a adapters.Activity) error {
		p.ix.addActivity(a)
		n++
		if n%10000 == 0 {
			p.progress(Progress{Phase: "crm", Done: n})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing CRM activities of %s: %w", p.job.User, err)
	}
	p.progress(Progress{Phase: "crm", Done: n, Total: n})
	return nil
}

// snapshot lists one source through the planner. A failed listing is a
// problem of the plan; the error return is for the state store failing.
func (p *planner) snapshot(ctx context.Context, st state.Store, ns *NamedSource) error {
	if p.skipSource(ns) {
		return nil // not asked at all: no report, its links stay unknown
	}
	rep := SourceReport{Name: ns.Name}
	info, err := ns.Source.Info(ctx)
	if err != nil {
		p.sourceFailed(&rep, err)
		return nil
	}
	ns.info = info
	req := adapters.SnapshotRequest{Window: p.job.Window}
	kinds, skip := kindsToAsk(info.Kinds, p.job.wantedKinds())
	switch {
	case skip:
		return nil
	case kinds != nil:
		// Some kinds only: a listing of those, whose cursor is kept apart
		// (under the source's name it would skip the other kinds'
		// changes for ever).
		req.Kinds = kinds
		p.narrow(ns.Name, kinds)
		rep.cursorName = kindsCursorName(ns.Name, kinds)
	default:
		rep.cursorName = ns.Name
	}
	if info.Capabilities.Incremental {
		if req.Cursor, err = p.cursors.get(ctx, rep.cursorName); err != nil {
			p.sourceFailed(&rep, err)
			return nil
		}
	}
	var pending []*Action // held until the listing is known to be whole
	var problems []Problem
	plan := func(it *adapters.Item) {
		before := len(pending)
		pending, problems = p.item(ns, it, pending, problems)
		if p.early != nil {
			pending = p.sendEarly(ns, pending, before)
		}
	}
	// A lazy plan looks the links of listed items up a batch at a time,
	// then plans the batch (crmcursor.go).
	var batch []adapters.Item
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := p.linksForItems(ctx, st, ns.Name, batch); err != nil {
			return err
		}
		for i := range batch {
			plan(&batch[i])
		}
		batch = batch[:0]
		return nil
	}
	// ready waits, once, for the CRM side before the first item is
	// planned (the listing runs meanwhile), then loads every link when
	// the listing is complete: every link of the source must be known.
	var readyErr error
	readied := false
	ready := func() error {
		if !readied {
			readied = true
			if readyErr = p.awaitCRM(); readyErr == nil && req.Cursor == "" {
				readyErr = p.loadAllLinks(ctx, st)
			}
		}
		return readyErr
	}
	emit := func(it adapters.Item) error {
		if err := ready(); err != nil {
			return err
		}
		rep.Items++
		if rep.Items%progressEvery == 0 {
			p.progress(Progress{Phase: "snapshot", Name: ns.Name, Done: rep.Items})
		}
		if !req.Wants(it.Kind) {
			return nil // a source that ignores SnapshotRequest.Kinds
		}
		if !p.lazy {
			plan(&it)
			return nil
		}
		if batch = append(batch, it); len(batch) >= state.LinkLookupBatch {
			return flush()
		}
		return nil
	}
	p.progress(Progress{Phase: "snapshot", Name: ns.Name})
	end, err := ns.Source.Snapshot(ctx, req, emit)
	if aerr := ready(); aerr != nil {
		return aerr // the CRM side failed: the plan fails, not this source
	}
	if err == nil {
		err = flush()
	}
	if err != nil && req.Cursor != "" && adapters.CodeOf(err) == adapters.CodeCursorInvalid {
		// An expired cursor means "start over", never "everything is gone".
		p.job.logger().Warn("cursor no longer valid, taking a full snapshot", "source", ns.Name, "error", err)
		p.unsee(ns.Name)
		pending, problems, rep.Items, batch = nil, nil, 0, batch[:0]
		req.Cursor = ""
		if err := p.loadAllLinks(ctx, st); err != nil {
			return err
		}
		end, err = ns.Source.Snapshot(ctx, req, emit)
		if err == nil {
			err = flush()
		}
	}
	if err == nil && end.Count != rep.Items {
		err = fmt.Errorf("source reported %d items but sent %d", end.Count, rep.Items)
	}
	if err != nil {
		p.unsee(ns.Name)
		p.sourceFailed(&rep, err)
		return nil
	}
	rep.Complete, rep.cursor = end.Complete, end.Cursor
	p.plan.Sources = append(p.plan.Sources, rep)
	p.plan.Actions = append(p.plan.Actions, pending...)
	p.plan.Problems = append(p.plan.Problems, problems...)
	p.progress(Progress{Phase: "snapshot", Name: ns.Name, Done: rep.Items, Total: rep.Items})
	return nil
}

// unsee forgets which links of a source a failed or restarted listing saw.
func (p *planner) unsee(source string) {
	p.forgetKeys(source)
	for i := range p.ix.links {
		if p.ix.links[i].ref.source == source {
			p.ix.links[i].seen = false
		}
	}
}

func (p *planner) sourceFailed(rep *SourceReport, err error) {
	rep.failed, rep.Error = true, err.Error()
	p.plan.Sources = append(p.plan.Sources, *rep)
	p.plan.Problems = append(p.plan.Problems, Problem{Source: rep.Name, Reason: "listing failed, nothing from this source is planned: " + err.Error()})
	// Info, not Error: the plan carries it as a problem, which every
	// front-end prints and the journal keeps; an error line would say it
	// a second time.
	p.job.logger().Info("source listing failed", "source", rep.Name, "error", err)
}

// item plans one groupware item.
// it is only read: a copy is kept for the actions that need one, so the
// millions of unchanged items never reach the heap.
func (p *planner) item(ns *NamedSource, it *adapters.Item, acts []*Action, probs []Problem) ([]*Action, []Problem) {
	e, linked := p.ix.link(ns.Name, it.ID)
	if linked {
		e.seen = true
	}
	unreadable := it.Unreadable
	if unreadable == "" {
		unreadable = unstorableTime(it.Raster)
	}
	switch {
	case unreadable != "":
		return acts, append(probs, Problem{Source: ns.Name, ItemID: it.ID, Reason: unreadable})
	case it.Deleted:
		if linked {
			a := p.skip(ns.Name, it, e, "deleted in groupware (deletions are not propagated)")
			p.tombstoned(e, a)
			acts = append(acts, a)
		}
		return acts, probs
	case linked:
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
	if a := p.privateItem(ns.Name, it); a != nil {
		return append(acts, a), probs
	}
	if it.Kind == adapters.KindMessage && p.job.internalOnly(it) {
		p.plan.Excluded++ // internal mail: never logged, not worth a line each run
		return acts, probs
	}
	if a := p.keyedItem(ns, it); a != nil {
		acts = append(acts, a)
	}
	return acts, probs
}

// newItemAction plans an unlinked item that holds its key: a create, or a
// link (or conflict) with the CRM activity that has its key already.
func (p *planner) newItemAction(ns *NamedSource, it *adapters.Item) *Action {
	typ := Classify(*it)
	a := &Action{Kind: ActCreate, Area: AreaOf(it.Kind), Source: ns.Name, ItemID: it.ID, Key: it.Key,
		Type: typ, Subject: it.Subject, From: it.From, Raster: it.Raster, item: ptr(*it)}
	if id := p.existingActivity(it); id != "" {
		p.relinked[id] = true
		ci := p.ix.crmAt[id]
		c := &p.ix.crm[ci]
		if pack(it.Raster) != c.raster {
			// Both exist with other times and no agreed base (say the CRM
			// user moved it after a run died before linking): a conflict,
			// decided now by the policy rather than one run later.
			e := linkEntry{ref: linkRef{ns.Name, it.ID}, key: it.Key, kind: it.Kind, itemVersion: it.Version,
				activityVersion: c.version, base: pack(adapters.Raster{}), crm: ci}
			ca := p.compare(ns, &e, it, c)
			ca.Reason = "already in the CRM with other times; " + ca.Reason
			return ca
		}
		a.Kind, a.ActivityID, a.crmVersion = ActLink, id, c.version
		a.Reason = "the CRM has this item already; link it"
	}
	return a
}

// existingActivity finds a CRM activity of this user that an unlinked item
// already belongs to: its own export, or an activity with its key (a run
// that died between the CRM write and the link, or the same e-mail in a
// second folder).
func (p *planner) existingActivity(it *adapters.Item) string {
	if it.ExportedFrom != "" {
		if i, ok := p.ix.crmAt[it.ExportedFrom]; ok && p.ix.crm[i].listed {
			return it.ExportedFrom
		}
	}
	if i, ok := p.ix.crmByKey[it.Key]; ok && it.Key != "" {
		return p.ix.crm[i].id
	}
	return ""
}

func (p *planner) linkedItem(ns *NamedSource, it *adapters.Item, e *linkEntry) *Action {
	c := &p.ix.crm[e.crm]
	if !c.listed {
		return p.skip(ns.Name, it, e, "activity "+c.id+" deleted in the CRM (deletions are not propagated)")
	}
	if it.Cancelled {
		return p.skip(ns.Name, it, e, "cancelled in groupware after import (not propagated)")
	}
	if home, dup := p.olderDuplicate(e); dup {
		return p.skip(ns.Name, it, e, "duplicate of "+home+": same UID, linked by an earlier version; never written")
	}
	return p.compare(ns, e, it, c)
}

// compare is the three-way decision for one link. it is nil when an
// incremental snapshot did not mention the item (its times are the base).
func (p *planner) compare(ns *NamedSource, e *linkEntry, it *adapters.Item, c *crmSide) (a *Action) {
	srcPacked, srcVersion, srcModified := e.base, e.itemVersion, time.Time{}
	if it != nil {
		srcPacked, srcVersion, srcModified = pack(it.Raster), it.Version, it.Modified
	}
	base, landed := p.ix.landedBase(e, srcPacked, c.raster)
	srcChanged := srcPacked != base
	crmChanged := c.raster != base
	defer func() {
		if a != nil && crmChanged {
			a.crmChange = c.change // the CRM cursor waits for it (crmcursor.go)
		}
	}()
	if !srcChanged && !crmChanged && !landed {
		p.plan.Unchanged++
		if _, pending := p.ix.pending[e.ref]; !pending && (srcVersion != e.itemVersion || c.version != e.activityVersion) {
			l := p.ix.stateLink(p.job.User, e)
			l.ItemVersion, l.ActivityVersion = srcVersion, c.version
			p.plan.versions = append(p.plan.versions, l)
		}
		return nil
	}
	// Only changed links get here: now it is worth building full values.
	l := p.ix.stateLink(p.job.User, e)
	l.Base, l.PendingSide, l.Pending = base.raster(), "", adapters.Raster{}
	srcRaster, crmRaster := l.Base, c.raster.raster()
	if it != nil {
		srcRaster = it.Raster
	}
	a = &Action{Area: AreaResync, Source: ns.Name, ItemID: l.ItemID, Key: l.Key, ActivityID: l.ActivityID}
	if it != nil {
		a.item = ptr(*it)
		a.Subject, a.From, a.Type = it.Subject, it.From, Classify(*it)
	} else {
		// The item was not listed (an incremental snapshot): the CRM
		// activity names it, as the user knows it.
		a.Subject, a.Type = c.subject, c.activityType()
		if a.Subject == "" {
			a.Subject = l.Key
		}
	}
	l.ItemVersion, l.ActivityVersion = srcVersion, c.version
	a.link = &l
	writable := ns.info.Capabilities.WriteTimes
	switch {
	case !srcChanged && !crmChanged: // only the record of a landed write is missing
		a.Kind, a.Raster, a.rebase = ActSkip, srcRaster, true
		a.Reason = "the last run wrote these times but died before recording them"
	case srcChanged && !crmChanged:
		a.Kind, a.Raster, a.Before = ActUpdateCRM, srcRaster, crmRaster
	case crmChanged && !srcChanged:
		if !writable {
			a.Kind, a.Raster, a.Before = ActSkip, crmRaster, srcRaster
			a.Reason = "times changed in the CRM, but source " + ns.Name + " cannot be written"
			break
		}
		a.Kind, a.Raster, a.Before = ActUpdateGroupware, crmRaster, srcRaster
	case srcPacked == c.raster:
		a.Kind, a.Raster, a.rebase = ActSkip, srcRaster, true
		a.Reason = "both sides changed to the same times"
	default:
		a.Kind = ActConflict
		a.Resolution = p.job.Policy.resolve(srcModified, unix(c.modified), writable)
		switch a.Resolution {
		case ActUpdateGroupware:
			a.Raster, a.Before = crmRaster, srcRaster
		default: // update-crm, or manual: show the groupware's times over the CRM's
			a.Raster, a.Before = srcRaster, crmRaster
		}
		a.Reason = fmt.Sprintf("groupware %s, CRM %s (policy %s)", srcRaster, crmRaster, p.job.Policy)
	}
	return a
}

func (p *planner) skip(source string, it *adapters.Item, e *linkEntry, reason string) *Action {
	a := &Action{Kind: ActSkip, Area: AreaOf(it.Kind), Source: source, ItemID: it.ID, Key: it.Key,
		Type: Classify(*it), Subject: it.Subject, From: it.From, Raster: it.Raster, Reason: reason}
	if e != nil {
		a.ActivityID, a.Area = p.ix.crm[e.crm].id, AreaResync
	}
	return a
}

// finish handles what the listings did not mention, then orders the plan.
func (p *planner) finish() {
	p.settleKeys()
	reports := map[string]SourceReport{}
	for _, r := range p.plan.Sources {
		reports[r.Name] = r
	}
	for i := range p.ix.links {
		e := &p.ix.links[i]
		if e.seen {
			continue
		}
		rep, ok := reports[e.ref.source]
		c := &p.ix.crm[e.crm]
		switch {
		case !ok || rep.failed:
			// Unknown side: nothing may be concluded. A source removed from
			// the config also lands here and keeps its links, and so does a
			// source the areas did not ask for.
		case !p.asked(e.ref.source, e.kind):
			// Listed for other kinds only: nothing known about this one.
		case !rep.Complete && !c.listed:
			p.plan.Actions = append(p.plan.Actions, p.crmDeleted(e))
		case !rep.Complete:
			// Incremental listing: silence means unchanged at the source.
			if _, dup := p.olderDuplicate(e); !dup {
				ns, _ := p.job.source(e.ref.source)
				if a := p.compare(ns, e, nil, c); a != nil {
					p.plan.Actions = append(p.plan.Actions, a)
				}
			}
		case !p.job.Window.Contains(e.base.raster().Anchor()):
			p.plan.OutOfWindow++ // left the window: not a deletion
		default:
			p.plan.Actions = append(p.plan.Actions, p.linkReport(e, "deleted in groupware (deletions are not propagated)"))
		}
	}
	p.planExports()
	for _, a := range p.plan.Actions {
		p.plan.identify(a)
	}
	if len(p.job.Areas) > 0 {
		p.plan.KeepAreas(p.job.Areas) // reports stay selected (Action.IsReport)
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
	if !p.listedKind(ns.Name, adapters.KindEvent) {
		return // not listed, or its listing failed: we cannot tell what was exported already
	}
	for i := range p.ix.crm {
		c := &p.ix.crm[i]
		id := c.id
		if c.full == nil || c.linked || p.relinked[id] {
			continue
		}
		act := c.full
		if !p.job.Window.Contains(act.Raster.Anchor()) {
			continue
		}
		a := &Action{Kind: ActExport, Area: AreaAppointments, Source: ns.Name, ActivityID: id,
			Type: act.Type, Subject: act.Subject, Raster: act.Raster, activity: act, crmChange: c.change}
		if !ns.info.Capabilities.Export {
			a.Kind, a.Reason = ActSkip, "source "+ns.Name+" cannot create events"
		}
		p.plan.Actions = append(p.plan.Actions, a)
	}
}

// sendEarly hands the selected creates among acts[from:] to Sync's
// executor and returns acts without them. The plan keeps no action of
// theirs, only a count (Plan.Streamed) and, for a key, who holds it
// (keyClaims.applied): once its batch is written, nothing of the item is
// left, so a first import's memory does not grow with the folder.
func (p *planner) sendEarly(ns *NamedSource, acts []*Action, from int) []*Action {
	kept := acts[:from]
	for _, a := range acts[from:] {
		if a.Kind != ActCreate || (len(p.job.Areas) > 0 && !hasArea(p.job.Areas, a.Area)) {
			kept = append(kept, a)
			continue
		}
		// The id and selection finish would give it; from here on the
		// action belongs to the executor's goroutine.
		p.plan.identify(a)
		a.early = true
		p.keys.apply(ns, a)
		p.plan.countStreamed(a)
		p.early <- a
	}
	clear(acts[len(kept):])
	return kept
}

func ptr[T any](v T) *T { return &v }
