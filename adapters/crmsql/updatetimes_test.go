package crmsql_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func updateOne(t *testing.T, s adapters.Sink, c adapters.TimeChange) adapters.ChangeResult {
	t.Helper()
	res, err := s.UpdateTimes(context.Background(), []adapters.TimeChange{c})
	if err != nil {
		t.Fatalf("UpdateTimes: %v", err)
	}
	if len(res) != 1 || res[0].ID != c.ID {
		t.Fatalf("UpdateTimes results = %+v", res)
	}
	return res[0]
}

func TestUpdateTimesChangesOnlyTheRaster(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, true)
		in := meeting("ical:u", "alice")
		in.Contacts = []string{"bob@example.com"}
		a := upsertOne(t, s, in).Activity
		time.Sleep(1100 * time.Millisecond) // updated_at has whole seconds
		moved := adapters.Raster{Start: utc("2026-12-03T10:00:00Z"), End: utc("2026-12-03T11:30:00Z"), TimeZone: "America/New_York"}
		r := updateOne(t, s, adapters.TimeChange{ID: a.ID, IfVersion: a.Version, Raster: moved})
		if r.Err != nil || r.Version != "2" {
			t.Fatalf("result = %+v, want version 2", r)
		}
		got := listAll(t, s, adapters.ActivityQuery{})[0]
		if !got.Raster.Equal(moved) || got.Raster.TimeZone != "America/New_York" || got.Version != "2" {
			t.Fatalf("after update: %+v", got)
		}
		if !got.Modified.After(a.Modified) {
			t.Fatalf("updated_at %v not after %v", got.Modified, a.Modified)
		}
		got.Raster, got.Version, got.Modified = a.Raster, a.Version, a.Modified
		if got.String() != a.String() || got.Subject != a.Subject || got.Body != a.Body || got.Location != a.Location ||
			got.Busy != a.Busy || got.Key != a.Key || strings.Join(got.Owners, ",") != "alice" || len(got.Contacts) != 1 {
			t.Fatalf("something besides the raster changed: %+v", got)
		}
	})
}

func TestUpdateTimesConflictNamesBothVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		a := upsertOne(t, s, meeting("ical:c", "alice")).Activity
		updateOne(t, s, adapters.TimeChange{ID: a.ID, Raster: adapters.Raster{Start: utc("2027-01-01T08:00:00Z")}}) // unconditional: version 2
		r := updateOne(t, s, adapters.TimeChange{ID: a.ID, IfVersion: "1", Raster: adapters.Raster{Start: utc("2028-01-01T08:00:00Z")}})
		wantCode(t, r.Err, adapters.CodeConflict)
		if !strings.Contains(r.Err.Error(), "version 2") || !strings.Contains(r.Err.Error(), "expected 1") {
			t.Fatalf("conflict %q does not name both versions", r.Err)
		}
		if got := listAll(t, s, adapters.ActivityQuery{})[0]; !got.Raster.Start.Equal(utc("2027-01-01T08:00:00Z")) {
			t.Fatalf("a conflicting change was written: %v", got.Raster)
		}
	})
}

func TestUpdateTimesNotFoundAndBatchGoesOn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		a := upsertOne(t, s, meeting("ical:n", "alice")).Activity
		res, err := s.UpdateTimes(context.Background(), []adapters.TimeChange{
			{ID: "999999", Raster: adapters.Raster{Start: utc("2027-01-01T08:00:00Z")}},
			{ID: "act-1", Raster: adapters.Raster{Start: utc("2027-01-01T08:00:00Z")}},
			{ID: a.ID, IfVersion: a.Version, Raster: adapters.Raster{Due: utc("2027-02-01T08:00:00Z")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, res[0].Err, adapters.CodeNotFound)
		wantCode(t, res[1].Err, adapters.CodeNotFound)
		if res[2].Err != nil || res[2].Version != "2" {
			t.Fatalf("third change = %+v", res[2])
		}
	})
}

func TestUpdateTimesWithSameRasterKeepsVersion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		a := upsertOne(t, s, meeting("ical:same", "alice")).Activity
		r := updateOne(t, s, adapters.TimeChange{ID: a.ID, IfVersion: a.Version, Raster: a.Raster})
		if r.Err != nil || r.Version != a.Version {
			t.Fatalf("no-op write = %+v, want version %s kept", r, a.Version)
		}
	})
}

func TestPlainSQLUpdateBumpsVersionAndCausesConflict(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		a := upsertOne(t, s, meeting("ical:t", "alice")).Activity
		db := rawDB(t, path)

		// Editing the subject is no raster change: the version stays.
		mustExec(t, db, `UPDATE activities SET subject = 'renamed' WHERE id = ?`, a.ID)
		if got := listAll(t, s, adapters.ActivityQuery{})[0]; got.Version != "1" || got.Subject != "renamed" {
			t.Fatalf("after subject edit: version %s subject %q", got.Version, got.Subject)
		}

		// A person moves the meeting by an hour with plain SQL.
		mustExec(t, db, `UPDATE activities
	    SET start_at = `+b.plusHour("start_at")+`,
	        end_at   = `+b.plusHour("end_at")+`
	    WHERE id = ?`, a.ID)
		got := listAll(t, s, adapters.ActivityQuery{})[0]
		if got.Version != "2" {
			t.Fatalf("version after a plain UPDATE = %s, want 2", got.Version)
		}
		if !got.Raster.Start.Equal(utc("2026-12-03T10:00:00Z")) || !got.Raster.End.Equal(utc("2026-12-03T11:00:00Z")) {
			t.Fatalf("raster after the edit = %v", got.Raster)
		}
		r := updateOne(t, s, adapters.TimeChange{ID: a.ID, IfVersion: a.Version, Raster: a.Raster})
		wantCode(t, r.Err, adapters.CodeConflict)

		// A second store (another process) sees the edit as well.
		other := openStore(t, path)
		seen, err := other.AllActivities(context.Background())
		if err != nil || len(seen) != 1 || seen[0].Version != "2" || !seen[0].Raster.Equal(got.Raster) {
			t.Fatalf("second store sees %+v, %v", seen, err)
		}
		// And a write by the second store is seen by the first.
		r = updateOne(t, other, adapters.TimeChange{ID: a.ID, IfVersion: "2", Raster: a.Raster})
		if r.Err != nil || r.Version != "3" {
			t.Fatalf("second store's write = %+v", r)
		}
		if got := listAll(t, s, adapters.ActivityQuery{})[0]; got.Version != "3" || !got.Raster.Equal(a.Raster) {
			t.Fatalf("first store after the second's write: %+v", got)
		}
	})
}
