package refserver

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// store is the CRM's memory. Activities are kept in id order; ids and
// versions are decimal counters, as a database sequence would give.
type store struct {
	mu         sync.Mutex
	activities []*Activity // by id, ascending
	byKey      map[string]*Activity
	contacts   map[string]*Contact // by lower-case e-mail
	lastID     int
	lastCID    int
	now        func() time.Time
}

func newStore() *store {
	return &store{byKey: map[string]*Activity{}, contacts: map[string]*Contact{}, now: time.Now}
}

// contactLocked returns the contact with email, creating it.
func (s *store) contactLocked(email, name string) (*Contact, bool) {
	email = strings.ToLower(strings.TrimSpace(email))
	if c, ok := s.contacts[email]; ok {
		return c, false
	}
	s.lastCID++
	c := &Contact{ID: "c" + strconv.Itoa(s.lastCID), Email: email, Name: name}
	s.contacts[email] = c
	return c, true
}

func (s *store) addPeopleLocked(a *Activity, owners []string, contacts []ContactRef) {
	for _, o := range owners {
		if o != "" && !slices.Contains(a.Owners, o) {
			a.Owners = append(a.Owners, o)
		}
	}
	for _, ref := range contacts {
		if strings.TrimSpace(ref.Email) == "" {
			continue
		}
		c, _ := s.contactLocked(ref.Email, "")
		if !slices.ContainsFunc(a.Contacts, func(r ContactRef) bool { return r.ID == c.ID }) {
			a.Contacts = append(a.Contacts, ContactRef{ID: c.ID, Email: c.Email})
		}
	}
}

// create stores a new activity (from the API, with a key, or by a CRM
// user, without one). It returns a copy.
func (s *store) create(in Activity) Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createLocked(in)
}

func (s *store) createLocked(in Activity) Activity {
	s.lastID++
	a := in
	a.ID, a.Version = strconv.Itoa(s.lastID), "1"
	a.Owners, a.Contacts = nil, nil
	s.addPeopleLocked(&a, in.Owners, in.Contacts)
	a.Attachments = nil
	for _, att := range in.Attachments {
		att.Stored = len(att.Data) > 0
		if att.Size == 0 {
			att.Size = int64(len(att.Data))
		}
		a.Attachments = append(a.Attachments, att)
	}
	if a.Modified == nil {
		now := s.now().UTC().Truncate(time.Second)
		a.Modified = &now
	}
	s.activities = append(s.activities, &a)
	if a.Key != "" {
		s.byKey[a.Key] = &a
	}
	return listed(&a)
}

// upsert creates the activity unless its key exists; then it adds the
// owners and contacts to the existing one and changes nothing else.
func (s *store) upsert(in Activity) (Activity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.byKey[in.Key]; ok {
		s.addPeopleLocked(a, in.Owners, in.Contacts)
		return listed(a), false
	}
	return s.createLocked(in), true
}

// list returns the activities of owner of the given types (all when
// empty) with an id above after, at most limit, and whether more follow.
func (s *store) list(owner string, types []string, after, limit int) ([]Activity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Activity
	for _, a := range s.activities {
		id, _ := strconv.Atoi(a.ID)
		if id <= after || !slices.Contains(a.Owners, owner) || (len(types) > 0 && !slices.Contains(types, a.Type)) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, listed(a))
	}
	return out, false
}

// refusal is why setTimes changed nothing.
type refusal string

func (r refusal) Error() string { return string(r) }

const (
	errNotFound refusal = "no such activity"
	errVersion  refusal = "version mismatch"
)

// setTimes changes the times of activity id if its version is ifMatch
// ("" or "*" matches any).
func (s *store) setTimes(id, ifMatch string, t Times) (Activity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.activities, func(a *Activity) bool { return a.ID == id })
	if i < 0 {
		return Activity{}, errNotFound
	}
	a := s.activities[i]
	if ifMatch != "" && ifMatch != "*" && ifMatch != a.Version {
		return listed(a), errVersion
	}
	a.Start, a.End, a.Due, a.AllDay, a.TimeZone = t.Start, t.End, t.Due, t.AllDay, t.TimeZone
	v, _ := strconv.Atoi(a.Version)
	a.Version = strconv.Itoa(v + 1)
	now := s.now().UTC().Truncate(time.Second)
	a.Modified = &now
	return listed(a), nil
}

func (s *store) contactByEmail(email string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contacts[strings.ToLower(strings.TrimSpace(email))]
	if !ok {
		return Contact{}, false
	}
	return *c, true
}

func (s *store) createContact(email, name string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, created := s.contactLocked(email, name)
	return *c, created
}

// listed is the copy of a the API hands out: slices of its own, and
// attachments without their content.
func listed(a *Activity) Activity {
	out := *a
	out.Owners = slices.Clone(a.Owners)
	out.Contacts = slices.Clone(a.Contacts)
	out.Attachments = nil
	for _, att := range a.Attachments {
		att.Data = nil
		out.Attachments = append(out.Attachments, att)
	}
	return out
}
