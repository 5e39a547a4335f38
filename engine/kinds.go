package engine

import (
	"slices"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// wantedKinds returns the item kinds the job's areas ask for, or nil for
// every kind. Area resync is about items of every kind imported before,
// so it wants every kind.
func (j *Job) wantedKinds() []adapters.Kind {
	if len(j.Areas) == 0 || hasArea(j.Areas, AreaResync) {
		return nil
	}
	var out []adapters.Kind
	for _, k := range adapters.Kinds {
		if hasArea(j.Areas, AreaOf(k)) {
			out = append(out, k)
		}
	}
	return out
}

// kindsToAsk decides what a source holding the kinds has is asked for.
// skip: the areas want none of them, so the source is not listed at all
// (its links stay unknown). Otherwise kinds is the narrowed request, nil
// when every kind the source holds is wanted (or has is unknown and
// everything is wanted).
func kindsToAsk(has, want []adapters.Kind) (kinds []adapters.Kind, skip bool) {
	if want == nil {
		return nil, false
	}
	if len(has) == 0 {
		return want, false
	}
	for _, k := range has {
		if slices.Contains(want, k) {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		return nil, true
	case len(has):
		return nil, false
	}
	return kinds, false
}

// AreasWant reports whether a run for areas (empty: all) asks a source
// that can hold the kinds (as its adapter declares them at registration;
// empty: unknown, so yes). A front-end that asks for passwords asks only
// for the sources a run will list.
func AreasWant(areas []Area, kinds []adapters.Kind) bool {
	_, skip := kindsToAsk(kinds, (&Job{Areas: areas}).wantedKinds())
	return !skip
}

// skipSource reports whether the areas want none of the kinds the source
// declares at registration: then it is not even asked for its Info, so a
// broken calendar cannot spoil an e-mail-only run.
func (p *planner) skipSource(ns *NamedSource) bool {
	skip := !AreasWant(p.job.Areas, ns.Kinds)
	if skip {
		p.job.logger().Debug("source not listed: none of its kinds is in the areas", "source", ns.Name, "areas", p.job.Areas)
	}
	return skip
}

// kindsCursorName is where the cursor of a source listed for some kinds
// only is kept ("cal:event,task"): apart from the source's own, which
// covers every kind, and out of reach of config names, which have no ':'.
func kindsCursorName(source string, kinds []adapters.Kind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	slices.Sort(names)
	return source + ":" + strings.Join(names, ",")
}

// narrow records that a source is listed for these kinds only.
func (p *planner) narrow(source string, kinds []adapters.Kind) {
	if p.narrowed == nil {
		p.narrowed = map[string][]adapters.Kind{}
	}
	p.narrowed[source] = kinds
}

// asked reports whether a source's listing covered items of kind k: false
// when the source was listed for other kinds only. The links of a kind not
// asked for are unknown: the listing said nothing about them.
func (p *planner) asked(source string, k adapters.Kind) bool {
	kinds, ok := p.narrowed[source]
	return !ok || slices.Contains(kinds, k)
}

// listedKind reports whether this run listed the source's items of kind k
// completely or incrementally: the source was asked, for k, and did not
// fail.
func (p *planner) listedKind(source string, k adapters.Kind) bool {
	for _, r := range p.plan.Sources {
		if r.Name == source {
			return !r.failed && p.asked(source, k)
		}
	}
	return false
}
