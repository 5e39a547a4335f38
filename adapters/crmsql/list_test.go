package crmsql_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func TestListFiltersByOwnerAndType(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		task := meeting("ical:task", "alice")
		task.Type = adapters.TypeTask
		mail := meeting("mid:<1@x>", "alice", "bob")
		mail.Type = adapters.TypeMailIn
		upsertOne(t, s, meeting("ical:m", "bob"))
		upsertOne(t, s, task)
		upsertOne(t, s, mail)
		crm := openStore(t, path)
		if _, err := crm.CreateActivity(context.Background(), adapters.Activity{Type: adapters.TypeFollowUp, Subject: "f", Owners: []string{"alice"}}); err != nil {
			t.Fatal(err)
		}

		keys := func(q adapters.ActivityQuery) string {
			var out []string
			for _, a := range listAll(t, s, q) {
				out = append(out, string(a.Type))
			}
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			q    adapters.ActivityQuery
			want string
		}{
			{adapters.ActivityQuery{}, "MEETING,TASK,MAILIN,FOLLOWUP"},
			{adapters.ActivityQuery{Owner: "alice"}, "TASK,MAILIN,FOLLOWUP"},
			{adapters.ActivityQuery{Owner: "bob"}, "MEETING,MAILIN"},
			{adapters.ActivityQuery{Owner: "nobody"}, ""},
			{adapters.ActivityQuery{Owner: "alice", Types: []adapters.ActivityType{adapters.TypeFollowUp, adapters.TypeMailIn}}, "MAILIN,FOLLOWUP"},
			{adapters.ActivityQuery{Types: []adapters.ActivityType{adapters.TypeMeeting}}, "MEETING"},
		} {
			if got := keys(c.q); got != c.want {
				t.Errorf("query %+v: got %s, want %s", c.q, got, c.want)
			}
		}
	})
}

func TestListStopsOnEmitError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		upsertOne(t, s, meeting("ical:1", "a"))
		upsertOne(t, s, meeting("ical:2", "a"))
		stop := errors.New("stop")
		calls := 0
		_, err := s.ListActivities(context.Background(), adapters.ActivityQuery{}, func(adapters.Activity) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Fatalf("err = %v after %d calls, want the emit error after 1", err, calls)
		}
	})
}

func TestListFailsLoudlyOnGarbageTime(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, column := range []string{"start_at", "end_at", "due_at", "updated_at"} {
			t.Run(column, func(t *testing.T) {
				s, path := newSink(t, b, false)
				upsertOne(t, s, meeting("ical:ok", "a"))
				bad := upsertOne(t, s, meeting("ical:bad", "a")).Activity
				mustExec(t, rawDB(t, path), `UPDATE activities SET `+column+` = 'next tuesday' WHERE id = ?`, bad.ID)
				n := 0
				_, err := s.ListActivities(context.Background(), adapters.ActivityQuery{}, func(adapters.Activity) error { n++; return nil })
				if err == nil {
					t.Fatal("listing with a garbage time succeeded")
				}
				if msg := err.Error(); !strings.Contains(msg, "activity "+bad.ID) || !strings.Contains(msg, column) || !strings.Contains(msg, "next tuesday") {
					t.Fatalf("error %q does not name the activity, column and value", msg)
				}
			})
		}
	})
}

func TestListReadsTimesAPersonMayType(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		a := upsertOne(t, s, meeting("ical:typed", "a")).Activity
		mustExec(t, rawDB(t, path), `UPDATE activities SET start_at = '2026-12-03 11:00:00', end_at = '2026-12-03T13:00:00+01:00', due_at = '' WHERE id = ?`, a.ID)
		got := listAll(t, s, adapters.ActivityQuery{})[0]
		want := adapters.Raster{Start: utc("2026-12-03T11:00:00Z"), End: utc("2026-12-03T12:00:00Z")}
		if !got.Raster.Equal(want) || got.Raster.Start.Location() != time.UTC {
			t.Fatalf("raster = %v, want %v in UTC", got.Raster, want)
		}
	})
}

func TestTimesRoundTripExactly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Skip("no tz database:", err)
		}
		timed := meeting("ical:timed", "a")
		timed.Raster = adapters.Raster{
			Start: time.Date(2026, 3, 29, 1, 30, 0, 999_000_000, berlin), // sub-second dropped, zone becomes UTC
			End:   time.Date(2026, 3, 29, 3, 30, 15, 0, berlin),          // across the DST switch
			Due:   time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
		}
		allDay := meeting("ical:allday", "a")
		allDay.Type = adapters.TypeTask
		allDay.Raster = adapters.Raster{Start: utc("2026-12-24T00:00:00Z"), End: utc("2026-12-27T00:00:00Z"), AllDay: true}
		none := meeting("mid:<none@x>", "a")
		none.Type = adapters.TypeMailIn
		none.Raster = adapters.Raster{}
		for _, in := range []adapters.Activity{timed, allDay, none} {
			got := upsertOne(t, s, in).Activity
			want := in.Raster.Normalized()
			if got.Raster != want {
				t.Errorf("%s: stored %#v, want exactly %#v", in.Key, got.Raster, want)
			}
		}
		db := rawDB(t, path)
		var start, end, due string
		if err := db.QueryRow(`SELECT start_at, end_at, due_at FROM activities WHERE ext_key = 'ical:timed'`).Scan(&start, &end, &due); err != nil {
			t.Fatal(err)
		}
		if start != "2026-03-29T00:30:00Z" || end != "2026-03-29T01:30:15Z" || due != "2026-12-31T23:59:59Z" {
			t.Fatalf("stored text %s %s %s", start, end, due)
		}
		var allDayFlag int
		var nullStart any
		if err := db.QueryRow(`SELECT all_day, start_at FROM activities WHERE ext_key = 'ical:allday'`).Scan(&allDayFlag, &start); err != nil || allDayFlag != 1 || start != "2026-12-24T00:00:00Z" {
			t.Fatalf("all-day row: %d %s %v", allDayFlag, start, err)
		}
		if err := db.QueryRow(`SELECT start_at FROM activities WHERE ext_key = 'mid:<none@x>'`).Scan(&nullStart); err != nil || nullStart != nil {
			t.Fatalf("unset time stored as %v (%v), want NULL", nullStart, err)
		}
		for _, a := range listAll(t, s, adapters.ActivityQuery{}) {
			for _, tm := range []time.Time{a.Raster.Start, a.Raster.End, a.Raster.Due, a.Modified} {
				if !tm.IsZero() && (tm.Location() != time.UTC || tm.Nanosecond() != 0) {
					t.Fatalf("%s: time %v is not UTC seconds", a.Key, tm)
				}
			}
		}
	})
}

func TestDeletingWithSQLLeavesNoOrphans(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, true)
		in := meeting("ical:del", "alice")
		in.Contacts = []string{"bob@example.com"}
		in.Attachments = []adapters.Attachment{{Name: "x"}}
		a := upsertOne(t, s, in).Activity
		db := rawDB(t, path) // foreign_keys is off here, as in sqlite3
		mustExec(t, db, `DELETE FROM activities WHERE id = ?`, a.ID)
		var n int
		if err := db.QueryRow(`SELECT (SELECT count(*) FROM activity_owners) + (SELECT count(*) FROM activity_contacts) + (SELECT count(*) FROM attachments)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d orphan rows (%v)", n, err)
		}
		// The key is free again: a re-import creates a new activity.
		if r := upsertOne(t, s, in); !r.Created {
			t.Fatal("re-import after a delete did not create")
		}
	})
}

func TestWritesDuringAListingDoNotDeadlock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		for _, k := range []string{"ical:1", "ical:2", "ical:3"} {
			upsertOne(t, s, meeting(k, "a"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		n := 0
		_, err := s.ListActivities(ctx, adapters.ActivityQuery{Owner: "a"}, func(a adapters.Activity) error {
			n++
			res, err := s.UpdateTimes(ctx, []adapters.TimeChange{{ID: a.ID, IfVersion: a.Version, Raster: adapters.Raster{Start: utc("2027-01-01T00:00:00Z")}}})
			if err != nil {
				return err
			}
			if res[0].Err != nil {
				return res[0].Err
			}
			_, err = s.Upsert(ctx, []adapters.Activity{meeting("ical:new-"+a.ID, "a")})
			return err
		})
		if err != nil {
			t.Fatalf("listing with writes in emit: %v", err)
		}
		if n != 3 {
			t.Fatalf("listing emitted %d, want the 3 rows of its snapshot", n)
		}
		if got := len(listAll(t, s, adapters.ActivityQuery{})); got != 6 {
			t.Fatalf("%d activities after the listing, want 6", got)
		}
	})
}
