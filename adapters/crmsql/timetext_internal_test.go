package crmsql

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimeText(t *testing.T) {
	str := func(s string) *string { return &s }
	want := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for _, in := range []string{"2026-12-03T09:00:00Z", "2026-12-03T10:00:00+01:00", "2026-12-03 09:00:00", " 2026-12-03T09:00:00.75Z ", "2026-12-03T09:00"} {
		got, err := parseTimeText(7, "start_at", str(in))
		if err != nil || !got.Equal(want) || got.Location() != time.UTC || got.Nanosecond() != 0 {
			t.Errorf("%q: got %v, %v", in, got, err)
		}
	}
	if got, err := parseTimeText(7, "due_at", str("2026-12-03")); err != nil || !got.Equal(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date only: %v %v", got, err)
	}
	for _, in := range []*string{nil, str(""), str("  ")} {
		if got, err := parseTimeText(7, "due_at", in); err != nil || !got.IsZero() {
			t.Errorf("empty: %v %v", got, err)
		}
	}
	_, err := parseTimeText(42, "end_at", str("soon"))
	if err == nil || !strings.Contains(err.Error(), "activity 42") || !strings.Contains(err.Error(), "end_at") {
		t.Fatalf("error %v does not name id and column", err)
	}
}

func TestTimeText(t *testing.T) {
	if timeText(time.Time{}) != nil {
		t.Fatal("zero time must be NULL")
	}
	in := time.Date(2026, 12, 3, 10, 0, 0, 500, time.FixedZone("x", 3600))
	if got := timeText(in); got != "2026-12-03T09:00:00Z" {
		t.Fatalf("timeText = %v", got)
	}
}

func TestPathFromDSN(t *testing.T) {
	for in, want := range map[string]string{
		"sqlite:data/crm.db":   "data/crm.db",
		"sqlite:///var/crm.db": "/var/crm.db",
		"crm.db":               "crm.db",
		" sqlite:/srv/x.db ":   "/srv/x.db",
		"sqlite:C:/Users/a.db": "C:/Users/a.db",
	} {
		if got, err := pathFromDSN(in); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestMigrationsAreWellFormed(t *testing.T) {
	for _, d := range []*dialect{sqliteDialect, postgresDialect} {
		ms := migrations(d)
		if len(ms) == 0 {
			t.Fatalf("%s: no migrations", d.name)
		}
		for i, m := range ms {
			if m.version != i+1 {
				t.Fatalf("%s: migration %s has version %d, want %d (no gaps)", d.name, m.name, m.version, i+1)
			}
		}
	}
}
