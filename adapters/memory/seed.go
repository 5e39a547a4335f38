package memory

import "github.com/gwsync/gwsync/adapters"

// validateSeed checks the seed options, so a bad fixture is an
// InvalidConfig error at construction rather than a store with holes.
func (o Options) validateSeed() error {
	ids := make(map[string]bool, len(o.Items))
	for i, it := range o.Items {
		switch {
		case it.ID == "":
			return adapters.Errorf(adapters.CodeInvalidConfig, "options: items[%d] has no id", i)
		case ids[it.ID]:
			return adapters.Errorf(adapters.CodeInvalidConfig, "options: items[%d]: duplicate id %q", i, it.ID)
		case !it.Kind.Valid() && it.Unreadable == "":
			return adapters.Errorf(adapters.CodeInvalidConfig, "options: items[%d] (%s): unknown kind %q", i, it.ID, it.Kind)
		}
		ids[it.ID] = true
	}
	for i, a := range o.Activities {
		if !a.Type.Valid() {
			return adapters.Errorf(adapters.CodeInvalidConfig, "options: activities[%d] (%s): unknown type %q", i, a.ID, a.Type)
		}
	}
	return nil
}

// seed fills a new store from the options. Items and activities get fresh
// versions, as if a user had just created them; activities without an id
// get one.
func (o Options) seed(s *Store) {
	for _, it := range o.Items {
		s.PutItem(it)
	}
	for _, a := range o.Activities {
		s.PutActivity(a)
	}
}
