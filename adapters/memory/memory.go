// Package memory is the reference adapter: a groupware source and a CRM
// sink that live in memory. It implements every optional capability, passes
// the whole conformance suite, and is what engine tests run against. Other
// adapters copy its behaviour, not its storage.
//
// Instances with the same `store` option share one store per process, so a
// test can seed data before the engine builds its adapters from config.
package memory

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func init() {
	adapters.Register(adapters.Registration{
		Name:        "memory",
		Description: "in-memory groupware source and CRM (reference adapter, for tests)",
		Options: []adapters.Option{
			{Name: "store", Type: adapters.TypeString, Default: "default", Help: "shared store name: instances with the same name see the same data"},
			{Name: "items", Type: adapters.TypeData, Help: "items that seed a new store"},
			{Name: "activities", Type: adapters.TypeData, Help: "activities that seed a new store"},
		},
		Kinds:     adapters.Kinds,
		NewSource: func(c adapters.Config) (adapters.Source, error) { return open(c) },
		NewSink:   func(c adapters.Config) (adapters.Sink, error) { return open(c) },
	})
}

// Options of the memory adapter.
type Options struct {
	// Store names a shared store; adapters with the same name see the same
	// data in this process. Default "default".
	Store string `json:"store"`
	// Items and Activities seed the store when this process creates it;
	// they are ignored when the store exists already. They let a test fill
	// a store that lives in a plugin process, where it cannot call PutItem.
	Items      []adapters.Item     `json:"items,omitempty"`
	Activities []adapters.Activity `json:"activities,omitempty"`
}

// Store holds the data of one memory adapter.
type Store struct {
	mu         sync.Mutex
	items      map[string]adapters.Item
	activities map[string]adapters.Activity
	byKey      map[string]string // activity key → id
	seq        int
	// FailSnapshotAfter, when > 0, makes Snapshot fail after emitting that
	// many items: tests use it to check that a broken listing deletes nothing.
	FailSnapshotAfter int
	// ChangeCursor, when set before first use, makes Info declare
	// ListChanges (see changes.go); off, the engine lists in full as it
	// does for a CRM without one.
	ChangeCursor bool
	changeSeq    int64
	changed      map[string]int64 // activity id → its latest change number
}

var (
	storesMu sync.Mutex
	stores   = map[string]*Store{}
)

// Shared returns the store with that name, creating it.
func Shared(name string) *Store { return sharedSeeded(name, nil) }

// sharedSeeded returns the store with that name; when it creates the store
// it calls seed on it first, so no other adapter sees it half filled.
func sharedSeeded(name string, seed func(*Store)) *Store {
	storesMu.Lock()
	defer storesMu.Unlock()
	if name == "" {
		name = "default"
	}
	s, ok := stores[name]
	if !ok {
		s = NewStore()
		if seed != nil {
			seed(s)
		}
		stores[name] = s
	}
	return s
}

// NewStore returns an empty, unshared store.
func NewStore() *Store {
	return &Store{items: map[string]adapters.Item{}, activities: map[string]adapters.Activity{}, byKey: map[string]string{}}
}

func open(c adapters.Config) (*Store, error) {
	var o Options
	if err := adapters.DecodeOptions(c.Options, &o); err != nil {
		return nil, err
	}
	if err := o.validateSeed(); err != nil {
		return nil, err
	}
	return sharedSeeded(o.Store, o.seed), nil
}

func (s *Store) nextVersion() string {
	s.seq++
	return strconv.Itoa(s.seq)
}

// PutItem adds or replaces a groupware item and gives it a new version.
func (s *Store) PutItem(it adapters.Item) adapters.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	it.Version = s.nextVersion()
	s.items[it.ID] = it
	return it
}

// DeleteItem removes a groupware item.
func (s *Store) DeleteItem(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, id)
}

// Item returns a groupware item.
func (s *Store) Item(id string) (adapters.Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	return it, ok
}

// PutActivity adds or replaces a CRM activity (as a CRM user would) and gives
// it a new version. An empty ID gets a fresh one.
func (s *Store) PutActivity(a adapters.Activity) adapters.Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == "" {
		a.ID = "act-" + s.nextVersion()
	}
	a.Version = s.nextVersion()
	if a.Modified.IsZero() {
		a.Modified = time.Now().UTC()
	}
	s.activities[a.ID] = a
	s.markChanged(a.ID)
	if a.Key != "" {
		s.byKey[a.Key] = a.ID
	}
	return a
}

// Activity returns a CRM activity.
func (s *Store) Activity(id string) (adapters.Activity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.activities[id]
	return a, ok
}

// Activities returns every CRM activity, sorted by id, with the content
// of the attachments it stored.
func (s *Store) Activities() []adapters.Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.Activity, 0, len(s.activities))
	for _, a := range s.activities {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Info describes the store.
func (s *Store) Info(ctx context.Context) (adapters.Info, error) {
	caps := adapters.CapabilitiesOf(s, false)
	s.mu.Lock()
	caps.ListChanges = s.ChangeCursor
	s.mu.Unlock()
	return adapters.Info{Name: "memory", Kinds: adapters.Kinds, Capabilities: caps}, nil
}

// Snapshot emits every item of the requested kinds, sorted by id.
func (s *Store) Snapshot(ctx context.Context, req adapters.SnapshotRequest, emit func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	if err := ctx.Err(); err != nil {
		return adapters.SnapshotEnd{}, err
	}
	s.mu.Lock()
	items := make([]adapters.Item, 0, len(s.items))
	for _, it := range s.items {
		if req.Wants(it.Kind) {
			items = append(items, it)
		}
	}
	failAfter := s.FailSnapshotAfter
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	var n int64
	for i, it := range items {
		if failAfter > 0 && i == failAfter {
			return adapters.SnapshotEnd{}, adapters.Errorf(adapters.CodeTemporary, "memory: listing broken after %d items", i)
		}
		if err := ctx.Err(); err != nil {
			return adapters.SnapshotEnd{}, err
		}
		if err := emit(snapshotItem(it)); err != nil {
			return adapters.SnapshotEnd{}, err
		}
		n++
	}
	return adapters.SnapshotEnd{Count: n, Complete: true}, nil
}

// PutTimes changes item rasters, checking versions.
func (s *Store) PutTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		out[i].ID = c.ID
		it, ok := s.items[c.ID]
		switch {
		case !ok:
			out[i].Err = adapters.Errorf(adapters.CodeNotFound, "item %s not found", c.ID)
		case c.IfVersion != "" && c.IfVersion != it.Version:
			out[i].Err = adapters.Errorf(adapters.CodeConflict, "item %s changed (version %s, expected %s)", c.ID, it.Version, c.IfVersion)
		default:
			it.Raster = c.Raster
			it.Version = s.nextVersion()
			it.Modified = time.Now().UTC()
			s.items[c.ID] = it
			out[i].Version = it.Version
		}
	}
	return out, nil
}

// Export creates an event per activity, idempotent by activity id.
func (s *Store) Export(ctx context.Context, acts []adapters.Activity) ([]adapters.ExportResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.ExportResult, len(acts))
	for i, a := range acts {
		out[i].ActivityID = a.ID
		id := "export-" + a.ID
		if it, ok := s.items[id]; ok {
			out[i].Item, out[i].Existed = it, true
			continue
		}
		if !a.Type.IsCalendar() {
			out[i].Err = adapters.Errorf(adapters.CodeInvalidItem, "activity %s is a %s, not a calendar entry", a.ID, a.Type)
			continue
		}
		it := adapters.Item{
			ID: id, Key: "ical:gwsync-" + a.ID, Kind: adapters.KindEvent, Raster: a.Raster,
			Busy: adapters.ExportBusyStatus, Subject: a.Subject, Body: a.Body,
			ExportedFrom: a.ID, Version: s.nextVersion(), Modified: time.Now().UTC(),
		}
		s.items[id] = it
		out[i].Item = it
	}
	return out, nil
}

// ListActivities emits the owner's activities, sorted by id.
func (s *Store) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	if err := ctx.Err(); err != nil {
		return adapters.ListEnd{}, err
	}
	var n int64
	for _, a := range s.Activities() {
		if q.Owner != "" && !contains(a.Owners, q.Owner) {
			continue
		}
		if len(q.Types) > 0 && !containsType(q.Types, a.Type) {
			continue
		}
		if err := emit(listedActivity(a)); err != nil {
			return adapters.ListEnd{}, err
		}
		n++
	}
	return adapters.ListEnd{Count: n}, nil
}

// Upsert creates activities, idempotent by key.
func (s *Store) Upsert(ctx context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.UpsertResult, len(acts))
	for i, a := range acts {
		out[i].Key = a.Key
		if a.Key == "" {
			out[i].Err = adapters.Errorf(adapters.CodeInvalidItem, "activity %q has no key", a.Subject)
			continue
		}
		if !a.Type.Valid() || a.Type == adapters.TypeFollowUp {
			out[i].Err = adapters.Errorf(adapters.CodeInvalidItem, "cannot create an activity of type %q", a.Type)
			continue
		}
		if id, ok := s.byKey[a.Key]; ok {
			ex := s.activities[id]
			ex.Owners = union(ex.Owners, a.Owners)
			ex.Contacts = union(ex.Contacts, a.Contacts)
			s.activities[id] = ex
			s.markChanged(id)
			out[i].Activity = listedActivity(ex)
			continue
		}
		a.ID = "act-" + s.nextVersion()
		a.Version = s.nextVersion()
		a.Modified = time.Now().UTC()
		s.activities[a.ID] = a
		s.markChanged(a.ID)
		s.byKey[a.Key] = a.ID
		out[i].Activity, out[i].Created = listedActivity(a), true
	}
	return out, nil
}

// UpdateTimes changes activity rasters, checking versions.
func (s *Store) UpdateTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		out[i].ID = c.ID
		a, ok := s.activities[c.ID]
		switch {
		case !ok:
			out[i].Err = adapters.Errorf(adapters.CodeNotFound, "activity %s not found", c.ID)
		case c.IfVersion != "" && c.IfVersion != a.Version:
			out[i].Err = adapters.Errorf(adapters.CodeConflict, "activity %s changed (version %s, expected %s)", c.ID, a.Version, c.IfVersion)
		default:
			a.Raster = c.Raster
			a.Version = s.nextVersion()
			a.Modified = time.Now().UTC()
			s.activities[c.ID] = a
			s.markChanged(c.ID)
			out[i].Version = a.Version
		}
	}
	return out, nil
}

// Close does nothing: the store outlives its adapters.
func (s *Store) Close() error { return nil }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func containsType(list []adapters.ActivityType, v adapters.ActivityType) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, v := range b {
		if !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// String is for debugging.
func (s *Store) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("memory.Store{%d items, %d activities}", len(s.items), len(s.activities))
}

var (
	_ adapters.Source     = (*Store)(nil)
	_ adapters.Sink       = (*Store)(nil)
	_ adapters.TimeWriter = (*Store)(nil)
	_ adapters.Exporter   = (*Store)(nil)
)
