package conformance

import (
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// listChanges: a sink that declares ListChanges lists every activity of
// an owner from cursor 0, nothing from the cursor that returned, and the
// activity whose times change after it (adapters.ChangeLister). It runs
// after update-times, on what the earlier checks created.
func (c *sinkChecks) listChanges(t T) {
	info, err := c.sink.Info(callCtx(t))
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if !info.Capabilities.ListChanges {
		t.Skip("the sink does not declare ListChanges")
	}
	cl, ok := c.sink.(adapters.ChangeLister)
	if !ok {
		t.Fatalf("Info declares ListChanges, but %T is no adapters.ChangeLister", c.sink)
	}
	list := func(since int64) ([]adapters.Activity, adapters.ChangeEnd) {
		t.Helper()
		var got []adapters.Activity
		end, err := cl.ListChanges(callCtx(t), adapters.ChangeQuery{Owner: FixtureOwner, Since: since}, func(a adapters.Activity) error {
			got = append(got, a)
			return nil
		})
		if err != nil {
			t.Fatalf("ListChanges(since %d): %v", since, err)
		}
		if end.Count != int64(len(got)) {
			t.Fatalf("ListChanges(since %d): end says %d, %d emitted", since, end.Count, len(got))
		}
		return got, end
	}
	all, end := list(0)
	if want := listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner}); len(all) != len(want) {
		t.Fatalf("ListChanges(since 0) gave %d activities, ListActivities %d", len(all), len(want))
	}
	for _, a := range all {
		if a.Change <= 0 || a.Change > end.Cursor || a.ID == "" || a.Version == "" {
			t.Errorf("%s: change %d (cursor %d), version %q: want 0 < change ≤ cursor and a version", a.ID, a.Change, end.Cursor, a.Version)
		}
	}
	if again, end2 := list(end.Cursor); len(again) != 0 || end2.Cursor != end.Cursor {
		t.Fatalf("nothing changed since cursor %d, but %d listed (cursor now %d)", end.Cursor, len(again), end2.Cursor)
	}
	var target adapters.Activity
	for _, a := range all {
		if a.Type == adapters.TypeTask || a.Type == adapters.TypeAppointment || a.Type == adapters.TypeMeeting {
			target = a
			break
		}
	}
	if target.ID == "" {
		t.Skip("no activity with times to move")
	}
	moved := target.Raster
	moved.Start, moved.End, moved.Due = shift(moved.Start), shift(moved.End), shift(moved.Due)
	res, err := c.sink.UpdateTimes(callCtx(t), []adapters.TimeChange{{ID: target.ID, Raster: moved}})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("UpdateTimes of %s: %v %+v", target.ID, err, res)
	}
	changed, end3 := list(end.Cursor)
	if len(changed) != 1 || changed[0].ID != target.ID || !changed[0].Raster.Equal(moved) || end3.Cursor <= end.Cursor {
		t.Fatalf("after moving %s: listed %+v, cursor %d → %d", target.ID, changed, end.Cursor, end3.Cursor)
	}
}

// shift moves a time set an hour later; an unset one stays unset.
func shift(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(time.Hour)
}
