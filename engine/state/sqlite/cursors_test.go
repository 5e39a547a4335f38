package sqlite

import (
	"context"
	"reflect"
	"testing"
)

func TestCursorsSetReplaceClear(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if c, err := s.Cursor(ctx, "u", "cal"); err != nil || c != "" {
		t.Fatalf("cursor before any set = %q, %v; want \"\"", c, err)
	}
	for _, step := range []struct{ user, source, cursor string }{
		{"u", "cal", "sync-token-1"},
		{"u", "cal", "sync-token-2"}, // replaces
		{"u", "imap", "uidvalidity=1;modseq=9"},
		{"v", "cal", "other-user"},
	} {
		if err := s.SetCursor(ctx, step.user, step.source, step.cursor); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := s.Cursor(ctx, "u", "cal"); c != "sync-token-2" {
		t.Errorf("cursor u/cal = %q, want sync-token-2", c)
	}
	got, err := s.Cursors(ctx, "u")
	want := map[string]string{"cal": "sync-token-2", "imap": "uidvalidity=1;modseq=9"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Cursors(u) = %v, %v; want %v", got, err, want)
	}

	if err := s.SetCursor(ctx, "u", "cal", ""); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Cursor(ctx, "u", "cal"); err != nil || c != "" {
		t.Errorf("cleared cursor = %q, %v; want \"\"", c, err)
	}
	got, _ = s.Cursors(ctx, "u")
	if !reflect.DeepEqual(got, map[string]string{"imap": "uidvalidity=1;modseq=9"}) {
		t.Errorf("Cursors(u) after clear = %v", got)
	}
	if got, err := s.Cursors(ctx, "nobody"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Cursors(nobody) = %#v, %v; want an empty map", got, err)
	}
	if err := s.SetCursor(ctx, "", "cal", "x"); err == nil {
		t.Error("SetCursor with an empty user succeeded")
	}
}
