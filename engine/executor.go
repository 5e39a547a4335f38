package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// batchSize bounds how many actions go to an adapter in one call: big enough
// to amortise a plugin round trip and the two commits (CRM and state) each
// batch pays (500 imported 3,800 events 0.08 s faster than 200), small
// enough that a crash loses little work and a progress bar moves. Creates
// are cut further by weight (maxUpsertBytes).
const batchSize = 500

// Outcome of one action in a run.
const (
	OutcomeOK      = "ok"
	OutcomeFailed  = "failed"
	OutcomeSkipped = "skipped"
)

// Result is what a run did.
type Result struct {
	RunID  int64  `json:"run_id"`
	Status string `json:"status"` // ok, partial, failed, idle (see state.Status*)
	// Counts counts the done actions by what they did (create, link,
	// update-crm, update-groupware, export), and the skipped and failed
	// ones.
	Counts map[string]int `json:"counts"`
	// Done counts the done actions by what they did and activity type.
	Done map[ActionKind]map[adapters.ActivityType]int `json:"done,omitempty"`
	// Items are the outcomes a person must see: every failure and skip,
	// and a done action only when it left something out (Warnings). A
	// plain success is counted in Counts and Done, and a create is
	// found by its link (Link.CreatedRun): a first import of 200,000
	// mails must not hold an outcome per mail until it ends (issue 13).
	Items []ItemOutcome `json:"items"`
	// NewFailures counts the failed outcomes this run met for the first
	// time or with another reason than before; a failure that keeps
	// failing unchanged is not new (see ItemOutcome.FailingSince).
	NewFailures int `json:"new_failures"`
}

// ItemOutcome is the result of one action.
type ItemOutcome struct {
	ActionID   string     `json:"action_id"`
	Kind       ActionKind `json:"kind"`
	Source     string     `json:"source,omitempty"`
	ItemID     string     `json:"item_id,omitempty"`
	ActivityID string     `json:"activity_id,omitempty"`
	Subject    string     `json:"subject,omitempty"`
	// Type is the activity type of the action's item or activity.
	Type    adapters.ActivityType `json:"type,omitempty"`
	Outcome string                `json:"outcome"`
	Error   string                `json:"error,omitempty"`
	// Warnings say what of a done action's item was left out (an
	// attachment whose content could not be read); the activity's body
	// carries them too, as it carries the item's own warnings.
	Warnings []string `json:"warnings,omitempty"`
	// FailingSince and Attempts, on a failed outcome, say since when and
	// in how many runs it has failed with the same reason.
	FailingSince time.Time `json:"failing_since,omitzero"`
	Attempts     int       `json:"attempts,omitempty"`
}

// execute applies the selected actions of plan (Run.Apply). Each write is confirmed by
// the adapter first, and the link with its new base is written right after,
// in the same batch step; a run killed between the two is repaired by the
// next plan, because CRM creates are idempotent by key and exports by
// activity id (the next plan links instead of creating again).
//
// Per-item failures are recorded and the run goes on; they are planned
// again next run. The error return is for failures of the run itself (the
// state store cannot be written).
func execute(ctx context.Context, st state.Store, job *Job, plan *Plan) (*Result, error) {
	x := newExecutor(ctx, st, job)
	if err := x.begin(); err != nil {
		return nil, err
	}
	return x.finishPlan(plan, nil)
}

func newExecutor(ctx context.Context, st state.Store, job *Job) *executor {
	return &executor{ctx: ctx, st: st, job: job, res: &Result{Counts: map[string]int{}}}
}

// begin opens the run's journal entry (once).
func (x *executor) begin() error {
	if x.res.RunID != 0 {
		return nil
	}
	runID, err := x.st.BeginRun(x.ctx, x.job.User, false)
	if err != nil {
		return fmt.Errorf("starting the run journal: %w", err)
	}
	x.res.RunID = runID
	return nil
}

// finishPlan applies the plan's selected actions that are not done yet
// (Sync applies creates early), stores the cursors and closes the run's
// journal entry. runErr is a failure from before (an early batch's state
// commit): nothing more is applied then, and the run is failed.
func (x *executor) finishPlan(plan *Plan, runErr error) (*Result, error) {
	for _, pr := range plan.Problems {
		kind := ActionKind(state.FailureUnreadable)
		if pr.ItemID == "" {
			kind = state.FailureListing
		}
		x.record(ItemOutcome{Kind: kind, Source: pr.Source, ItemID: pr.ItemID, Outcome: OutcomeFailed, Error: pr.Reason})
	}
	groups := map[ActionKind][]*Action{}
	var order []ActionKind
	for _, a := range plan.Actions {
		eff := a.Effective()
		switch {
		case !a.Selected || a.early:
			continue
		case eff == "":
			x.record(outcome(a, OutcomeSkipped, a.Reason))
			continue
		}
		if _, ok := groups[eff]; !ok {
			order = append(order, eff)
		}
		groups[eff] = append(groups[eff], a)
	}
	x.total = int64(plan.Writes())
	if runErr == nil {
		runErr = recordVersions(x.ctx, x.st, plan)
	}
	if runErr == nil {
		runErr = x.run(order, groups)
	}
	return x.close(plan, runErr)
}

// close flushes the journal and settles the run in one store call
// (settle): its cursors and failures when it ran to its end, and its
// journal entry with its status. plan is nil when planning failed.
func (x *executor) close(plan *Plan, runErr error) (*Result, error) {
	if err := x.flush(); err != nil && runErr == nil {
		runErr = err
	}
	var cursors []sourceCursor
	var crm string
	var crmOK bool
	complete := runErr == nil && plan != nil
	if complete {
		cursors = x.cursorsToStore(plan)
		crm, crmOK = x.crmCursorToStore(plan)
	}
	st := state.Settlement{User: x.job.User, RunID: x.res.RunID, Status: x.status(runErr), Counts: x.res.Counts,
		Cursors: changedCursors(cursorMap(cursors, crm, crmOK), plan), Settle: complete}
	if runErr != nil {
		st.Error = runErr.Error()
	}
	if complete {
		st.Failures, st.Unknown = x.failuresOf(plan)
	}
	// The journal must close even when ctx was cancelled.
	bg := context.WithoutCancel(x.ctx)
	released := x.releaseInSettlement(&st, cursors)
	settled, err := x.st.SettleRun(bg, st)
	released(err)
	if err != nil {
		if runErr == nil {
			runErr = fmt.Errorf("settling the run: %w", err)
		}
		x.res.Status = state.StatusFailed
		if ferr := x.st.FinishRun(bg, x.res.RunID, state.StatusFailed, x.res.Counts, runErr.Error()); ferr != nil {
			x.job.logger().Error("journalling a failed run", "user", x.job.User, "run", x.res.RunID, "error", ferr, "cause", runErr)
		}
		return x.res, runErr
	}
	x.res.Status = st.Status
	if complete {
		x.markFailures(settled.Failures)
		if x.tellCommitted(cursors) {
			// A source could not act on its committed items: a failed
			// outcome recorded after the settlement (rare), settled again.
			if err := x.flush(); err != nil {
				return x.res, err
			}
			if err := x.settleFailures(plan); err != nil {
				return x.res, err
			}
			x.res.Status = x.status(nil)
			if err := x.st.FinishRun(bg, x.res.RunID, x.res.Status, x.res.Counts, ""); err != nil {
				return x.res, err
			}
		}
	}
	return x.res, runErr
}

// status is the run's status: failed with runErr, partial when an item
// failed, else ok.
func (x *executor) status(runErr error) string {
	switch {
	case runErr != nil:
		return state.StatusFailed
	case x.res.Counts[OutcomeFailed] > 0:
		return state.StatusPartial
	}
	return state.StatusOK
}

type executor struct {
	ctx     context.Context
	st      state.Store
	job     *Job
	res     *Result
	journal []state.ItemResult
	done    int64
	total   int64
	failed  map[string]bool // sources with a failed action: keep their cursor
}

// outcome describes an action's result. A done action is named by what it
// did (a conflict resolved towards the CRM counts as update-crm).
func outcome(a *Action, result, msg string) ItemOutcome {
	kind := a.Kind
	if result == OutcomeOK {
		kind = a.Effective()
	}
	o := ItemOutcome{ActionID: a.ID, Kind: kind, Source: a.Source, ItemID: a.ItemID,
		ActivityID: a.ActivityID, Subject: a.Subject, Type: a.Type, Outcome: result, Error: msg}
	if result == OutcomeOK {
		o.Warnings = a.warnings
	}
	return o
}

// record counts an outcome and queues its journal entry.
func (x *executor) record(o ItemOutcome) {
	x.count(o)
	x.journal = append(x.journal, x.journalEntry(o))
}

// count adds an outcome to the run's result: to the counts, and to Items
// unless it is a plain success (see Result.Items).
func (x *executor) count(o ItemOutcome) {
	if o.Outcome != OutcomeOK || len(o.Warnings) > 0 {
		x.res.Items = append(x.res.Items, o)
	}
	key := o.Outcome
	if o.Outcome == OutcomeOK {
		key = string(o.Kind)
		byType := x.res.Done[o.Kind]
		if byType == nil {
			if x.res.Done == nil {
				x.res.Done = map[ActionKind]map[adapters.ActivityType]int{}
			}
			byType = map[adapters.ActivityType]int{}
			x.res.Done[o.Kind] = byType
		}
		byType[o.Type]++
	}
	x.res.Counts[key]++
	if o.Outcome == OutcomeFailed {
		if x.failed == nil {
			x.failed = map[string]bool{}
		}
		x.failed[o.Source] = true
	}
}

func (x *executor) journalEntry(o ItemOutcome) state.ItemResult {
	return state.ItemResult{ActionID: o.ActionID, Source: o.Source, ItemID: o.ItemID,
		Kind: string(o.Kind), Outcome: o.Outcome, Error: o.Error, At: time.Now().UTC(), RunID: x.res.RunID}
}

func (x *executor) flush() error {
	if len(x.journal) == 0 {
		return nil
	}
	err := x.st.RecordItems(context.WithoutCancel(x.ctx), x.journal)
	x.journal = x.journal[:0]
	return err
}

// run applies the groups of actions batch by batch. A batch's state
// commit (links and journal) runs while the next batch's adapter call is
// on its way: the CRM or groupware works while the state store syncs to
// disk. This keeps the rule that a link is written only after its write is
// confirmed; a run killed meanwhile leaves confirmed writes without links,
// which the next plan repairs like any crash (see Execute).
func (x *executor) run(order []ActionKind, groups map[ActionKind][]*Action) error {
	pl := &pipeline{x: x}
	size := batchSize
	for _, kind := range order {
		list := groups[kind]
		for i := 0; i < len(list); {
			n := min(size, len(list)-i)
			began := time.Now()
			if err := pl.batch(kind, list[i:i+n]); err != nil {
				return err
			}
			i += n
			size = nextBatchSize(size, time.Since(began))
		}
	}
	return pl.wait()
}

// flushEvery is how long done work may wait for its commit: a run killed
// at any moment loses at most about this much, however slow the adapters
// are (attachments fetched one by one, a slow CRM).
const flushEvery = 2 * time.Second

// nextBatchSize adapts the batch size to the time a batch took, so that
// a batch's adapter calls take about flushEvery at most: smaller after a
// slow batch, back up to batchSize after fast ones.
func nextBatchSize(size int, took time.Duration) int {
	switch {
	case took > flushEvery:
		return max(1, int(int64(size)*int64(flushEvery)/int64(took)))
	case took < flushEvery/4:
		return min(batchSize, size*2)
	}
	return size
}

// pipeline applies batches one after the other, each batch's commit
// running while the next batch's adapter calls are made.
type pipeline struct {
	x        *executor
	inflight chan error // the previous batch's commit
}

// batch applies one batch and starts its commit once the previous commit
// is done. Errors: the previous commit's, or ctx's when it is cancelled
// (after that commit is done).
func (pl *pipeline) batch(kind ActionKind, list []*Action) error {
	if err := pl.x.ctx.Err(); err != nil {
		if werr := pl.wait(); werr != nil {
			return werr
		}
		return err
	}
	st := pl.x.apply(kind, list)
	if err := pl.wait(); err != nil {
		return err
	}
	pl.inflight = make(chan error, 1)
	go func() { pl.inflight <- pl.x.commit(st) }()
	return nil
}

// wait waits for the running commit, if any.
func (pl *pipeline) wait() error {
	if pl.inflight == nil {
		return nil
	}
	err := <-pl.inflight
	pl.inflight = nil
	return err
}

// step is one batch whose adapter calls are done: the links of what
// succeeded and the outcomes, waiting to be committed.
type step struct {
	n     int
	links []state.Link
	oks   []*Action
	fails []ItemOutcome
}

// apply makes one batch's adapter calls. Adapter failures of the whole
// call fail the batch's items, not the run. It must not touch the run's
// result or journal: the previous batch's commit may be running.
func (x *executor) apply(kind ActionKind, list []*Action) *step {
	st := &step{n: len(list)}
	fail := func(a *Action, err error) { st.fails = append(st.fails, outcome(a, OutcomeFailed, err.Error())) }
	ok := func(a *Action, l state.Link) {
		l.UpdatedAt = time.Now().UTC()
		st.links = append(st.links, l)
		st.oks = append(st.oks, a)
	}
	var err error
	switch kind {
	case ActCreate:
		err = x.create(list, ok, fail)
	case ActLink:
		if err = x.dropMovedLinks(list); err == nil {
			x.relink(list, ok)
		}
	case ActUpdateCRM:
		err = x.updateCRM(list, ok, fail)
	case ActUpdateGroupware:
		err = x.updateGroupware(list, ok, fail)
	case ActExport:
		err = x.export(list, ok, fail)
	default:
		err = fmt.Errorf("no executor for %q", kind)
	}
	if err != nil {
		for _, a := range list {
			fail(a, err)
		}
	}
	return st
}

// commit writes a step's links and its journal in one transaction and
// then counts its outcomes. A state store failure fails the run. The
// journal gets the failures and skips only: a success is in the run's
// counts and, for a create, in its link (Link.CreatedRun), so a first
// import of 200,000 mails writes no 200,000 journal rows (issue 13).
func (x *executor) commit(st *step) error {
	for _, o := range st.fails {
		x.record(o)
	}
	if err := x.st.ApplyBatch(context.WithoutCancel(x.ctx), st.links, x.journal); err != nil {
		return fmt.Errorf("writing %d links: %w", len(st.links), err)
	}
	x.journal = x.journal[:0]
	for _, a := range st.oks {
		a.applied = true
		x.count(outcome(a, OutcomeOK, ""))
	}
	x.done += int64(st.n)
	x.job.progress(Progress{Phase: "execute", Done: x.done, Total: x.total})
	return nil
}

func (x *executor) newLink(a *Action, activityID, activityVersion string, base adapters.Raster) state.Link {
	it := a.item
	return state.Link{User: x.job.User, Source: a.Source, ItemID: it.ID, Key: it.Key, Kind: it.Kind,
		ActivityID: activityID, Base: base, ItemVersion: it.Version, ActivityVersion: activityVersion}
}

// create builds the batch's activities, with the content of their
// attachments, and sends them to the CRM: in one Upsert, or in several
// when the content collected reaches maxUpsertBytes. A failed
// Upsert fails its own activities only.
func (x *executor) create(list []*Action, ok func(*Action, state.Link), fail func(*Action, error)) error {
	var (
		part  []*Action
		reqs  []adapters.Activity
		bytes int64
	)
	send := func() {
		if len(part) == 0 {
			return
		}
		if err := x.upsert(part, reqs, ok, fail); err != nil {
			for _, a := range part {
				fail(a, err)
			}
		}
		part, reqs, bytes = nil, nil, 0
	}
	for i, a := range list {
		if err := x.ctx.Err(); err != nil {
			for _, b := range append(part, list[i:]...) {
				fail(b, err)
			}
			return nil
		}
		it := *a.item
		it.Attachments, a.warnings = x.withAttachmentContent(a.Source, &it)
		if len(a.warnings) > 0 {
			it.Warnings = append(append([]string(nil), it.Warnings...), a.warnings...)
		}
		act := activityFor(x.job, a.Source, it, a.Type)
		n := upsertBytes(&act)
		if bytes+n > maxUpsertBytes {
			send()
		}
		part, reqs, bytes = append(part, a), append(reqs, act), bytes+n
	}
	send()
	return nil
}

// upsert creates one part of a create batch in the CRM.
func (x *executor) upsert(list []*Action, reqs []adapters.Activity, ok func(*Action, state.Link), fail func(*Action, error)) error {
	res, err := x.job.CRM.Upsert(x.ctx, reqs)
	if err != nil {
		return fmt.Errorf("CRM: %w", err)
	}
	if len(res) != len(list) {
		return fmt.Errorf("CRM answered %d results for %d activities", len(res), len(list))
	}
	for i, a := range list {
		if res[i].Err != nil {
			fail(a, res[i].Err)
			continue
		}
		a.ActivityID = res[i].Activity.ID
		base := a.item.Raster
		if !res[i].Created && !res[i].Activity.Raster.Equal(base) {
			// It existed with other times: no agreed base, let the next
			// run's conflict rule decide.
			base = adapters.Raster{}
		}
		l := x.newLink(a, res[i].Activity.ID, res[i].Activity.Version, base)
		l.CreatedRun = x.res.RunID // "the activities run N created" (web)
		ok(a, l)
	}
	return nil
}

// relink links items to activities that exist already with the same
// times (the planner makes a conflict of other times), or records that
// both sides of a link agree again.
func (x *executor) relink(list []*Action, ok func(*Action, state.Link)) {
	for _, a := range list {
		if a.link != nil { // a rebase
			l := *a.link
			l.Base = a.Raster
			ok(a, l)
			continue
		}
		ok(a, x.newLink(a, a.ActivityID, a.crmVersion, a.item.Raster))
	}
}

// markPending records, before a batch of time writes, what each write is
// about to change, so that a run killed between the write and its link can
// recognise its own write next time instead of reading it as an edit.
func (x *executor) markPending(list []*Action, side string) error {
	links := make([]state.Link, len(list))
	for i, a := range list {
		links[i] = *a.link
		links[i].PendingSide, links[i].Pending = side, a.Raster
	}
	if err := x.st.PutLinks(context.WithoutCancel(x.ctx), links); err != nil {
		return fmt.Errorf("recording %d pending writes: %w", len(links), err)
	}
	return nil
}

func (x *executor) updateCRM(list []*Action, ok func(*Action, state.Link), fail func(*Action, error)) error {
	if err := x.markPending(list, state.SideCRM); err != nil {
		return err
	}
	changes := make([]adapters.TimeChange, len(list))
	for i, a := range list {
		changes[i] = adapters.TimeChange{ID: a.ActivityID, IfVersion: a.link.ActivityVersion, Raster: a.Raster}
	}
	res, err := x.job.CRM.UpdateTimes(x.ctx, changes)
	if err != nil {
		return fmt.Errorf("CRM: %w", err)
	}
	return applyChanges(list, res, fail, func(a *Action, version string) {
		l := *a.link
		l.Base, l.ActivityVersion = a.Raster, version
		ok(a, l)
	})
}

func (x *executor) updateGroupware(list []*Action, ok func(*Action, state.Link), fail func(*Action, error)) error {
	bySource := map[string][]*Action{}
	var names []string
	for _, a := range list {
		if _, seen := bySource[a.Source]; !seen {
			names = append(names, a.Source)
		}
		bySource[a.Source] = append(bySource[a.Source], a)
	}
	for _, name := range names {
		group := bySource[name]
		err := func() error {
			ns, err := x.job.source(name)
			if err != nil {
				return err
			}
			w, isWriter := ns.Source.(adapters.TimeWriter)
			if !isWriter || !ns.info.Capabilities.WriteTimes {
				return adapters.Errorf(adapters.CodeUnsupported, "source %s cannot write times", name)
			}
			if err := x.markPending(group, state.SideGroupware); err != nil {
				return err
			}
			changes := make([]adapters.TimeChange, len(group))
			for i, a := range group {
				changes[i] = adapters.TimeChange{ID: a.ItemID, IfVersion: a.link.ItemVersion, Raster: a.Raster}
			}
			res, err := w.PutTimes(x.ctx, changes)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return applyChanges(group, res, fail, func(a *Action, version string) {
				l := *a.link
				l.Base, l.ItemVersion = a.Raster, version
				ok(a, l)
			})
		}()
		if err != nil {
			for _, a := range group {
				fail(a, err)
			}
		}
	}
	return nil
}

func applyChanges(list []*Action, res []adapters.ChangeResult, fail func(*Action, error), done func(*Action, string)) error {
	if len(res) != len(list) {
		return fmt.Errorf("adapter answered %d results for %d changes", len(res), len(list))
	}
	for i, a := range list {
		switch err := res[i].Err; {
		case err == nil:
			done(a, res[i].Version)
		case adapters.CodeOf(err) == adapters.CodeConflict:
			fail(a, fmt.Errorf("changed again since planning, planned anew next run: %w", err))
		default:
			fail(a, err)
		}
	}
	return nil
}

func (x *executor) export(list []*Action, ok func(*Action, state.Link), fail func(*Action, error)) error {
	ns, err := x.job.source(x.job.ExportTo)
	if err != nil {
		return err
	}
	ex, isExporter := ns.Source.(adapters.Exporter)
	if !isExporter || !ns.info.Capabilities.Export {
		return adapters.Errorf(adapters.CodeUnsupported, "source %s cannot create events", ns.Name)
	}
	acts := make([]adapters.Activity, len(list))
	for i, a := range list {
		acts[i] = *a.activity
	}
	res, err := ex.Export(x.ctx, acts)
	if err != nil {
		return fmt.Errorf("%s: %w", ns.Name, err)
	}
	if len(res) != len(list) {
		return fmt.Errorf("%s answered %d results for %d exports", ns.Name, len(res), len(list))
	}
	for i, a := range list {
		if res[i].Err != nil {
			fail(a, res[i].Err)
			continue
		}
		it := res[i].Item
		a.ItemID, a.item = it.ID, &it
		ok(a, x.newLink(a, a.ActivityID, a.activity.Version, a.activity.Raster))
	}
	return nil
}

// sourceCursor is a source's cursor to store (under name, see
// SourceReport.cursorName) and the source it tells (source).
type sourceCursor struct{ source, name, cursor string }

// cursorsToStore is each incremental source's new cursor, but only when
// every selected action of that source succeeded and none was deselected:
// otherwise the cursor would skip past items that still need work. Reports
// never hold it (see Action.IsReport).
func (x *executor) cursorsToStore(plan *Plan) []sourceCursor {
	held := map[string]bool{}
	for _, a := range plan.Actions {
		if !a.Selected && !a.IsReport() {
			held[a.Source] = true
		}
	}
	for _, pr := range plan.Problems {
		held[pr.Source] = true
	}
	var out []sourceCursor
	for _, r := range plan.Sources {
		if r.failed || r.cursor == "" || held[r.Name] || x.failed[r.Name] {
			continue
		}
		out = append(out, sourceCursor{source: r.Name, name: r.cursorName, cursor: r.cursor})
	}
	return out
}

// cursorMap is what the settlement stores: the sources' cursors and the
// CRM's (when ok).
func cursorMap(cursors []sourceCursor, crm string, ok bool) map[string]string {
	if len(cursors) == 0 && !ok {
		return nil
	}
	m := make(map[string]string, len(cursors)+1)
	for _, c := range cursors {
		m[c.name] = c.cursor
	}
	if ok {
		m[crmCursorName] = crm
	}
	return m
}

// changedCursors is what a settlement stores of m: the cursors that
// differ from those stored when plan began. Writing an unchanged one
// changes nothing, yet cost a statement per source and run, and at scale
// most runs change no cursor. The stored ones were read under the user's
// lease, so nobody changed them since.
func changedCursors(m map[string]string, plan *Plan) map[string]string {
	if plan == nil || plan.storedCursors == nil {
		return m
	}
	for name, cursor := range m {
		if stored, ok := plan.storedCursors[name]; ok && stored == cursor {
			delete(m, name)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// tellCommitted tells each source whose cursor is now stored (committed)
// and reports whether one of them failed at it.
func (x *executor) tellCommitted(cursors []sourceCursor) (failed bool) {
	before := x.res.Counts[OutcomeFailed]
	for _, c := range cursors {
		x.committed(c.source, c.cursor)
	}
	return x.res.Counts[OutcomeFailed] > before
}

// activityFor builds the CRM activity for a new groupware item.
// Its contacts are every address in From/To/Cc and the attendees, except
// the user's own and those on the never-log list.
func activityFor(job *Job, source string, it adapters.Item, typ adapters.ActivityType) adapters.Activity {
	a := adapters.Activity{
		Type: typ, Subject: it.Subject, Body: it.Body, Raster: it.Raster, Busy: it.Busy,
		Owners: []string{job.User}, Key: it.Key, Source: source, SourceItem: it.ID,
		Location: it.Location, Attachments: it.Attachments,
	}
	seen := map[string]bool{}
	for _, list := range [][]string{{it.From}, it.To, it.Cc, it.Attendees} {
		for _, addr := range list {
			if n := normalizeAddress(addr); !seen[n] && !job.excluded(n) {
				seen[n] = true
				a.Contacts = append(a.Contacts, n)
			}
		}
	}
	if len(it.Warnings) > 0 {
		a.Body += "\n\n[gwsync: " + joinWarnings(it.Warnings) + "]"
	}
	return a
}

func joinWarnings(w []string) string {
	out := ""
	for i, s := range w {
		if i > 0 {
			out += "; "
		}
		out += s
	}
	return out
}
