package memory

import (
	"context"
	"sort"

	"github.com/gwsync/gwsync/adapters"
)

// markChanged gives an activity the next change number, as crmsql's
// triggers do for every insert, update and added owner. Callers hold mu.
func (s *Store) markChanged(id string) {
	if s.changed == nil {
		s.changed = map[string]int64{}
	}
	s.changeSeq++
	s.changed[id] = s.changeSeq
}

// DeleteActivity removes an activity, as a CRM user would: it leaves no
// change number behind, so only a full listing shows that it is gone.
func (s *Store) DeleteActivity(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.activities[id]; ok && s.byKey[a.Key] == id {
		delete(s.byKey, a.Key)
	}
	delete(s.activities, id)
	delete(s.changed, id)
}

// ListChanges emits the owner's activities changed since q.Since, in the
// order they changed (adapters.ChangeLister): narrow, except those without
// a key.
func (s *Store) ListChanges(ctx context.Context, q adapters.ChangeQuery, emit func(adapters.Activity) error) (adapters.ChangeEnd, error) {
	if err := ctx.Err(); err != nil {
		return adapters.ChangeEnd{}, err
	}
	s.mu.Lock()
	if q.Since > s.changeSeq {
		s.mu.Unlock()
		return adapters.ChangeEnd{}, adapters.Errorf(adapters.CodeCursorInvalid, "memory: change cursor %d is beyond %d", q.Since, s.changeSeq)
	}
	end := adapters.ChangeEnd{Cursor: q.Since}
	var list []adapters.Activity
	for id, n := range s.changed {
		a := s.activities[id]
		if n <= q.Since || (q.Owner != "" && !contains(a.Owners, q.Owner)) || (len(q.Types) > 0 && !containsType(q.Types, a.Type)) {
			continue
		}
		a.Change = n
		if a.Key != "" {
			a = adapters.Activity{ID: a.ID, Key: a.Key, Type: a.Type, Subject: a.Subject, Raster: a.Raster,
				Version: a.Version, Modified: a.Modified, Change: n}
		} else {
			a = listedActivity(a)
		}
		list = append(list, a)
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Change < list[j].Change })
	for _, a := range list {
		if err := emit(a); err != nil {
			return adapters.ChangeEnd{}, err
		}
		end.Count++
		end.Cursor = max(end.Cursor, a.Change)
	}
	return end, nil
}
