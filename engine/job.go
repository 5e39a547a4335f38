package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/hashicorp/go-hclog"
)

// NamedSource is one of a user's groupware sources with its config name.
type NamedSource struct {
	Name   string
	Source adapters.Source
	// Kinds is every kind the source can hold, as its adapter declares
	// at registration (adapters.Registration.Kinds); empty means unknown.
	// A run whose areas want none of them never touches the source.
	Kinds []adapters.Kind
	info  adapters.Info
}

// Job is everything one user's sync needs. The CLI and the web client build
// it from the config; tests build it by hand.
type Job struct {
	User string
	// Email is the user's own address; it never becomes a contact.
	Email string
	// Exclude is the never-log list: addresses and "@domain" entries that
	// never become contacts. A message with nobody else on it (internal
	// mail between colleagues) is not imported.
	Exclude []string
	Sources []NamedSource
	CRM     adapters.Sink
	// ExportTo names the source that receives CRM appointments; "" means
	// no export.
	ExportTo string
	Window   adapters.Window
	Policy   Policy
	// Areas the user chose; actions of other areas are planned but not
	// selected. Empty means all.
	Areas []Area
	// FullCRM lists the CRM in full even when it keeps a change cursor
	// (`gwsync sync --full`): the consistency check that finds activities
	// deleted in the CRM, which a change listing cannot show.
	FullCRM bool
	// CRMFullEvery is how often a run lists the CRM in full anyway; 0
	// means DefaultCRMFullEvery, a negative value only with FullCRM.
	CRMFullEvery time.Duration
	// PrivateItems is what becomes of new private items; "" is PrivateSkip.
	PrivateItems PrivatePolicy
	Logger       hclog.Logger
	// Progress, if set, is told about long work: the CRM listing (at its
	// start, every 10,000 activities and at its end with Total set), each
	// source's snapshot (at its start with Done 0, every 100 items and at
	// its end with Total set to the items listed) and execution. It is
	// called on the listing's goroutine, so it must be quick.
	Progress func(Progress)
	// Lock, when set, is the user's lease the run holds (a worker's): the
	// run's settlement releases it in the same transaction, one round
	// trip less per run, unless a source must still be told of its stored
	// cursor under the lease (leaserelease.go). The holder's Unlock then
	// only stops what is left.
	Lock *state.UserLock
}

// progressEvery is how often a snapshot reports the items listed so far:
// often enough that a person watching sees it move.
const progressEvery = 100

// Progress reports how far a phase has come. Total is 0 when unknown.
type Progress struct {
	Phase string // "snapshot", "crm", "execute"
	Name  string // source name during a snapshot
	Done  int64
	Total int64
}

// WindowAround returns the window from now-past to now+future.
func WindowAround(now time.Time, past, future time.Duration) adapters.Window {
	return adapters.Window{From: now.Add(-past).UTC(), To: now.Add(future).UTC()}
}

func (j *Job) logger() hclog.Logger {
	if j.Logger == nil {
		return hclog.NewNullLogger()
	}
	return j.Logger
}

func (j *Job) progress(p Progress) {
	if j.Progress != nil {
		j.Progress(p)
	}
}

func (j *Job) source(name string) (*NamedSource, error) {
	for i := range j.Sources {
		if j.Sources[i].Name == name {
			return &j.Sources[i], nil
		}
	}
	return nil, fmt.Errorf("user %s has no source %q", j.User, name)
}

// excluded reports whether an address is the user's own or on the
// never-log list.
func (j *Job) excluded(addr string) bool {
	a := normalizeAddress(addr)
	if a == "" || a == normalizeAddress(j.Email) {
		return true
	}
	for _, e := range j.Exclude {
		if strings.HasPrefix(e, "@") && strings.HasSuffix(a, e) || a == e {
			return true
		}
	}
	return false
}

// internalOnly reports whether every participant of a message other than
// the user is excluded (and there is at least one participant).
func (j *Job) internalOnly(it *adapters.Item) bool {
	if len(j.Exclude) == 0 {
		return false
	}
	seen := false
	for _, list := range [][]string{{it.From}, it.To, it.Cc} {
		for _, addr := range list {
			if normalizeAddress(addr) == "" {
				continue
			}
			seen = true
			if !j.excluded(addr) {
				return false
			}
		}
	}
	return seen
}
