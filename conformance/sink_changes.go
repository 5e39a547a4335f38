package conformance

import (
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// listChanges: a sink that declares ListChanges lists every activity of
// an owner from cursor 0, nothing new from the cursor that returned, and
// the activity whose times change after it (adapters.ChangeLister). A
// listing may emit again, unchanged, what an earlier one emitted above
// its cursor (a change of an older transaction could still commit); once
// nothing else writes, a listing from the last cursor emits nothing. It
// runs after update-times, on what the earlier checks created.
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
		if end.Cursor < since {
			t.Fatalf("ListChanges(since %d) returned cursor %d, below it", since, end.Cursor)
		}
		return got, end
	}
	all, end := list(0)
	if want := listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner}); len(all) != len(want) {
		t.Fatalf("ListChanges(since 0) gave %d activities, ListActivities %d", len(all), len(want))
	}
	seen := map[string]adapters.Activity{}
	for _, a := range all {
		if a.Change <= 0 || a.ID == "" || a.Version == "" {
			t.Errorf("%s: change %d, version %q: want a change above 0 and a version", a.ID, a.Change, a.Version)
		}
		seen[a.ID] = a
	}
	end = settle(t, list, end, seen)
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
	changed, _ := list(end.Cursor)
	if len(changed) != 1 || changed[0].ID != target.ID || !changed[0].Raster.Equal(moved) || changed[0].Change <= end.Cursor {
		t.Fatalf("after moving %s: listed %+v from cursor %d, want it alone, moved and numbered above the cursor", target.ID, changed, end.Cursor)
	}
}

// settleTimeout bounds how long listings from the last cursor may keep
// emitting unchanged activities: as long as an older transaction (of
// anything else on the same database server) stays open.
const settleTimeout = 10 * time.Second

// settle lists from end's cursor until a listing emits nothing, checking
// that each one emits only activities seen before, unchanged, and never
// moves the cursor back; it returns the last listing's end.
func settle(t T, list func(int64) ([]adapters.Activity, adapters.ChangeEnd), end adapters.ChangeEnd, seen map[string]adapters.Activity) adapters.ChangeEnd {
	t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for {
		again, next := list(end.Cursor)
		for _, a := range again {
			if before, ok := seen[a.ID]; !ok || before.Version != a.Version {
				t.Fatalf("nothing changed since cursor %d, but %s is listed at version %q (seen: %t, at %q)", end.Cursor, a.ID, a.Version, ok, before.Version)
			}
		}
		end = next
		if len(again) == 0 {
			return end
		}
		if time.Now().After(deadline) {
			t.Fatalf("listings from cursor %d still emit %d unchanged activities after %s: the cursor does not move past them", end.Cursor, len(again), settleTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shift moves a time set an hour later; an unset one stays unset.
func shift(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(time.Hour)
}
