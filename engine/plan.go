package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// ActionKind says what an action does.
type ActionKind string

const (
	ActCreate          ActionKind = "create"           // new groupware item → new CRM activity
	ActLink            ActionKind = "link"             // item and activity exist already (a retry, an own export): link them
	ActUpdateCRM       ActionKind = "update-crm"       // groupware times changed → CRM
	ActUpdateGroupware ActionKind = "update-groupware" // CRM times changed → groupware
	ActExport          ActionKind = "export"           // CRM appointment → new groupware event
	ActConflict        ActionKind = "conflict"         // both changed; Resolution says which wins ("" = manual)
	ActSkip            ActionKind = "skip"             // reported only; Reason says why
)

// Action is one step of a plan. Its ID is stable: the same action for the
// same item gets the same ID in every plan, so a user can exclude it by ID.
type Action struct {
	ID       string     `json:"id"`
	Kind     ActionKind `json:"kind"`
	Area     Area       `json:"area"`
	Selected bool       `json:"selected"`

	Source     string                `json:"source,omitempty"`
	ItemID     string                `json:"item_id,omitempty"`
	Key        string                `json:"key,omitempty"`
	ActivityID string                `json:"activity_id,omitempty"`
	Type       adapters.ActivityType `json:"type,omitempty"`
	Subject    string                `json:"subject,omitempty"`
	From       string                `json:"from,omitempty"`
	// Raster is the times the action writes (or, for create, the item's).
	Raster adapters.Raster `json:"raster"`
	// Before is the times it replaces, for updates and conflicts.
	Before adapters.Raster `json:"before,omitzero"`
	// Resolution of a conflict: update-crm, update-groupware, or "" (manual).
	Resolution ActionKind `json:"resolution,omitempty"`
	Reason     string     `json:"reason,omitempty"`

	item       *adapters.Item
	activity   *adapters.Activity
	link       *state.Link
	rebase     bool     // skip that only records that both sides agree again
	crmVersion string   // version of the existing activity a link action links to
	warnings   []string // what executing it left out (attachments not stored)
	early      bool     // applied by Sync while the sources were listed
	// crmChange, when > 0, is the change number of the CRM-side change
	// this action carries (see crmcursor.go): until it is applied, the
	// CRM change cursor may not move past it.
	crmChange int64
	applied   bool // the executor committed it
	// fingerprint of a message that claims its key (duplicates.go), kept
	// so the claim can be checked after the item's body was released.
	fingerprint string

	replaces []linkRef // links a moved link replaces (see duplicates.go)
}

// Item is the groupware item the action is about, if any.
func (a *Action) Item() *adapters.Item { return a.item }

// Effective is what executing the action does: the kind, or a conflict's
// resolution. "" means nothing is written.
func (a *Action) Effective() ActionKind {
	switch a.Kind {
	case ActConflict:
		return a.Resolution
	case ActSkip:
		if a.rebase {
			return ActLink
		}
		return ""
	}
	return a.Kind
}

// IsReport tells an action that only reports (deleted on one side, out of
// reach of a write, cancelled, private, a duplicate): it writes nothing,
// is always shown, cannot be deselected and never holds a source's cursor
// back, since there is nothing a later run could do with it that this run
// could not.
func (a *Action) IsReport() bool { return a.Kind == ActSkip && !a.rebase }

// Problem is an item that could not be read, or a side that could not be
// listed. It is reported, skipped, and tried again next run.
type Problem struct {
	Source string `json:"source"`
	ItemID string `json:"item_id,omitempty"`
	Reason string `json:"reason"`
}

// SourceReport says how a source's snapshot went.
type SourceReport struct {
	Name     string `json:"name"`
	Items    int64  `json:"items"`
	Complete bool   `json:"complete"`
	Error    string `json:"error,omitempty"`
	cursor   string
	// cursorName is where cursor is stored: the source's name, or
	// kindsCursorName's for a listing of some kinds only.
	cursorName string
	failed     bool
}

// Plan is the result of planning: data, printable, selectable.
type Plan struct {
	User      string         `json:"user"`
	Created   time.Time      `json:"created"`
	Actions   []*Action      `json:"actions"`
	Problems  []Problem      `json:"problems,omitempty"`
	Sources   []SourceReport `json:"sources"`
	Unchanged int            `json:"unchanged"`
	// OutOfWindow counts items left alone because they lie outside the
	// sync window (never deletions).
	OutOfWindow int `json:"out_of_window"`
	// Excluded counts messages between the user and excluded addresses
	// only (the never-log list), which are not imported.
	Excluded int `json:"excluded,omitempty"`
	// Streamed counts the creates Sync applied while the sources were
	// listed; they are not in Actions (streamed.go). Counts and Writes
	// include them.
	Streamed []StreamedCount `json:"streamed,omitempty"`

	// versions are unchanged links whose item or activity got a new
	// version without new times (a groupware edit of the description):
	// Execute records the versions, as housekeeping rather than actions,
	// because a later time write is conditional on them (If-Match) and an
	// incremental snapshot will not mention the item again.
	versions []state.Link
	// crm is how the CRM was listed and the change cursor a settled run
	// stores (crmcursor.go).
	crm crmListing
	// storedCursors are the cursors stored when the plan began (nil when
	// it read none): the settlement leaves out a cursor it would store
	// unchanged (changedCursors).
	storedCursors map[string]string
}

func actionID(user string, kind ActionKind, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(user))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// identify gives an action its stable ID and selects it.
func (p *Plan) identify(a *Action) {
	var ref string
	if a.ItemID != "" {
		ref = a.Source + "\x00" + a.ItemID
	} else {
		ref = "crm\x00" + a.ActivityID
	}
	a.ID = actionID(p.User, a.Kind, ref)
	a.Selected = true
}

// sort puts actions in their deterministic order: by area, then source,
// then item (or activity) id, then kind.
func (p *Plan) sort() {
	sort.SliceStable(p.Actions, func(i, j int) bool {
		a, b := p.Actions[i], p.Actions[j]
		if ra, rb := areaRank(a.Area), areaRank(b.Area); ra != rb {
			return ra < rb
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.ItemID != b.ItemID {
			return a.ItemID < b.ItemID
		}
		if a.ActivityID != b.ActivityID {
			return a.ActivityID < b.ActivityID
		}
		return a.Kind < b.Kind
	})
	sort.SliceStable(p.Problems, func(i, j int) bool {
		if p.Problems[i].Source != p.Problems[j].Source {
			return p.Problems[i].Source < p.Problems[j].Source
		}
		return p.Problems[i].ItemID < p.Problems[j].ItemID
	})
}

// Deselect unselects actions by ID. An unknown ID is an error, so a typo
// never silently applies what the user wanted to exclude.
func (p *Plan) Deselect(ids ...string) error {
	byID := make(map[string]*Action, len(p.Actions))
	for _, a := range p.Actions {
		byID[a.ID] = a
	}
	for _, id := range ids {
		a, ok := byID[id]
		if !ok {
			return fmt.Errorf("no action with id %q in the plan for %s", id, p.User)
		}
		if a.IsReport() {
			return fmt.Errorf("action %q of %s only reports (%s): there is nothing to deselect", id, p.User, a.Reason)
		}
		a.Selected = false
	}
	return nil
}

// SelectOnly keeps selected only the actions whose ID is in ids (reports
// stay, see Action.IsReport).
func (p *Plan) SelectOnly(ids map[string]bool) {
	for _, a := range p.Actions {
		a.Selected = a.Selected && (ids[a.ID] || a.IsReport())
	}
}

// DeselectArea unselects every action of an area but its reports.
func (p *Plan) DeselectArea(area Area) {
	for _, a := range p.Actions {
		if a.Area == area && !a.IsReport() {
			a.Selected = false
		}
	}
}

// KeepAreas unselects every action whose area is not in areas, but
// reports.
func (p *Plan) KeepAreas(areas []Area) {
	for _, a := range p.Actions {
		if !hasArea(areas, a.Area) && !a.IsReport() {
			a.Selected = false
		}
	}
}

// DeselectItem unselects every action about an item or activity, named by
// item id, item key or activity id, reports aside. It returns how many it
// unselected.
func (p *Plan) DeselectItem(ref string) int {
	n := 0
	for _, a := range p.Actions {
		if a.IsReport() {
			continue
		}
		if a.ItemID == ref || a.Key == ref || (a.ActivityID != "" && a.ActivityID == ref) {
			a.Selected = false
			n++
		}
	}
	return n
}

// Counts returns how many selected actions of each kind the plan holds,
// the creates Sync streamed included.
func (p *Plan) Counts() map[ActionKind]int {
	c := map[ActionKind]int{}
	for _, a := range p.Actions {
		if a.Selected {
			c[a.Kind]++
		}
	}
	if n := p.StreamedCreates(); n > 0 {
		c[ActCreate] += n
	}
	return c
}

// Writes reports how many selected actions would write something (or, for
// the creates Sync streamed, wrote).
func (p *Plan) Writes() int {
	n := p.StreamedCreates()
	for _, a := range p.Actions {
		if a.Selected && a.Effective() != "" {
			n++
		}
	}
	return n
}
