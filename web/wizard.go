package web

import (
	"github.com/gwsync/gwsync/engine"
)

// step is one page of the wizard, in the order the user goes through them.
type step int

const (
	stepAreas step = iota
	stepEmails
	stepTasks
	stepAppointments
	stepExecute
	stepRun // progress, then the summary
)

// stepInfo describes a step: its URL name, its title, and for a dataset
// step the area whose candidates it lists.
type stepInfo struct {
	name  string
	title string
	area  engine.Area
}

var steps = []stepInfo{
	stepAreas:        {"areas", "Areas", ""},
	stepEmails:       {"emails", "Emails", engine.AreaEmails},
	stepTasks:        {"tasks", "Tasks", engine.AreaTasks},
	stepAppointments: {"appointments", "Appointments", engine.AreaAppointments},
	stepExecute:      {"execute", "Execute", ""},
	stepRun:          {"run", "Summary", ""},
}

func stepByName(name string) (step, bool) {
	for i, s := range steps {
		if s.name == name {
			return step(i), true
		}
	}
	return 0, false
}

// wizard is one wizard run of one session: the areas chosen, the engine's
// run and its plan (started once, when the areas are first submitted, and
// kept here so the action ids the pages show are the ids executed), the job whose sources
// the plan was read from (execution writes back through them), and what
// the user deselected.
type wizard struct {
	areas      []engine.Area
	sync       *engine.Run
	plan       *engine.Plan // sync.Plan()
	job        *engine.Job
	releaseJob func()
	deselected map[string]bool
	// reached is the furthest step the user got to; a later step cannot
	// be opened by URL, an earlier one can (back navigation).
	reached step
	run     *run
	// planning is the plan being computed, until a request takes its
	// result over (then plan is set) or it is cancelled.
	planning *planning
	// mark names this run in the session store ("REPLICA/RUN") once it
	// is planned, so that another replica can say the review lives here,
	// and this one can tell that it was replaced elsewhere.
	mark string
}

func newWizard() *wizard {
	return &wizard{deselected: map[string]bool{}}
}

// wizardElsewhereLocked reports whether the store says the session's
// review was planned by a wizard run this replica does not hold (on
// another replica, or before a restart). s.mu is held.
func (s *session) wizardElsewhereLocked() bool {
	if _, ok := s.followedJobLocked(); ok {
		return false // a job: every replica follows it
	}
	held := s.wizard != nil && (s.wizard.plan != nil || s.wizard.planning != nil) // planned, or being planned here
	return s.wizardAt != "" && (!held || s.wizard.mark != s.wizardAt)
}

// release closes the sources of the job unless a run still uses them (the
// run releases them when it ends).
func (w *wizard) release() {
	if w.planning != nil {
		w.planning.discard()
		w.planning = nil
	}
	if w.releaseJob != nil && w.run == nil {
		w.releaseJob()
	}
	w.releaseJob = nil
}

func (w *wizard) chose(a engine.Area) bool {
	for _, v := range w.areas {
		if v == a {
			return true
		}
	}
	return false
}

// skipped reports whether the wizard passes step s through: a dataset step
// whose area was not chosen.
func (w *wizard) skipped(s step) bool {
	a := steps[s].area
	return a != "" && !w.chose(a)
}

// next is the step after s that is not passed through.
func (w *wizard) next(s step) step {
	for n := s + 1; n < stepRun; n++ {
		if !w.skipped(n) {
			return n
		}
	}
	return stepExecute
}

// prev is the step before s that is not passed through.
func (w *wizard) prev(s step) step {
	for p := s - 1; p > stepAreas; p-- {
		if !w.skipped(p) {
			return p
		}
	}
	return stepAreas
}

// current is where a request for the wizard without a step goes.
func (w *wizard) current() step {
	if w.run != nil {
		return stepRun
	}
	return w.reached
}

// allowed reports whether the user may open step s now: not beyond what
// was reached, not a passed-through step, and nothing but the summary once
// the run started.
func (w *wizard) allowed(s step) bool {
	if w.run != nil {
		return s == stepRun
	}
	return s <= w.reached && s != stepRun && !w.skipped(s)
}

// candidates are the actions a dataset step lists: those of its area that
// write something.
func (w *wizard) candidates(area engine.Area) []*engine.Action {
	var out []*engine.Action
	for _, a := range w.plan.Actions {
		if a.Area == area && a.Selected && a.Effective() != "" {
			out = append(out, a)
		}
	}
	return out
}

// notImported are the actions of an area that are reported only (skips),
// shown so that the user sees why an item will not come in.
func (w *wizard) notImported(area engine.Area) []*engine.Action {
	var out []*engine.Action
	for _, a := range w.plan.Actions {
		if a.Area == area && a.Effective() == "" && a.Reason != "" {
			out = append(out, a)
		}
	}
	return out
}

// applySelection fixes the plan's selection just before execution: only the
// chosen areas, minus what the user deselected.
func (w *wizard) applySelection() {
	w.plan.KeepAreas(w.areas)
	keep := map[string]bool{}
	for _, a := range w.plan.Actions {
		if !w.deselected[a.ID] {
			keep[a.ID] = true
		}
	}
	w.plan.SelectOnly(keep)
}

// selectedIn counts the selected writing actions of an area, as execution
// will see them.
func (w *wizard) selectedIn(area engine.Area) int {
	if !w.chose(area) {
		return 0
	}
	n := 0
	for _, a := range w.plan.Actions {
		if a.Area == area && a.Selected && a.Effective() != "" && !w.deselected[a.ID] {
			n++
		}
	}
	return n
}
