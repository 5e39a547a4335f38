package statetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/gwsync/gwsync/engine/state"
)

// testPreferences: values round-trip per user, only real changes are
// journalled (old → new, who, when), "" removes a value, and the journal
// reads newest first with a limit.
func testPreferences(t *testing.T, s state.Store) {
	ctx := context.Background()
	got, err := s.UserPreferences(ctx, "ann")
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("UserPreferences of a new user = %v, %v; want an empty map", got, err)
	}
	w := openWindow()
	changes, err := s.SetUserPreferences(ctx, "ann", "ann", map[string]string{"import_folder": "Projects", "time_zone": "Europe/Berlin"})
	w = w.close()
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].Key != "import_folder" || changes[1].Key != "time_zone" {
		t.Fatalf("first changes = %+v; want import_folder then time_zone", changes)
	}
	c := changes[0]
	if c.User != "ann" || c.By != "ann" || c.Old != "" || c.New != "Projects" || c.ID == 0 {
		t.Errorf("change = %+v", c)
	}
	w.check(t, "change At", c.At)
	if _, err := s.SetUserPreferences(ctx, "bob", "admin", map[string]string{"import_folder": "INBOX"}); err != nil {
		t.Fatal(err)
	}

	// Same value again: nothing to journal. A new value and a removal.
	changes, err = s.SetUserPreferences(ctx, "ann", "ann", map[string]string{"import_folder": "Projects", "time_zone": "", "areas": "mail"})
	if err != nil {
		t.Fatal(err)
	}
	var summary [][3]string
	for _, c := range changes {
		summary = append(summary, [3]string{c.Key, c.Old, c.New})
	}
	if want := [][3]string{{"areas", "", "mail"}, {"time_zone", "Europe/Berlin", ""}}; !reflect.DeepEqual(summary, want) {
		t.Errorf("second changes = %v; want %v", summary, want)
	}
	got, err = s.UserPreferences(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"import_folder": "Projects", "areas": "mail"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ann's preferences = %v; want %v", got, want)
	}

	all, err := s.PreferenceChanges(ctx, "ann", 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range all {
		keys = append(keys, c.Key)
		if c.User != "ann" {
			t.Errorf("ann's journal holds %+v", c)
		}
	}
	// Newest first: the second call's changes (areas, time_zone), then
	// the first's in reverse key order.
	if want := []string{"time_zone", "areas", "time_zone", "import_folder"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("journal keys newest first = %v; want %v", keys, want)
	}
	last, err := s.PreferenceChanges(ctx, "ann", 1)
	if err != nil || len(last) != 1 || last[0].ID != all[0].ID {
		t.Errorf("PreferenceChanges limit 1 = %+v, %v; want the newest (%d)", last, err, all[0].ID)
	}

	if _, err := s.SetUserPreferences(ctx, "", "x", map[string]string{"a": "b"}); err == nil {
		t.Error("SetUserPreferences with an empty user succeeded")
	}
	if _, err := s.SetUserPreferences(ctx, "ann", "x", map[string]string{"": "b"}); err == nil {
		t.Error("SetUserPreferences with an empty key succeeded")
	}
}
