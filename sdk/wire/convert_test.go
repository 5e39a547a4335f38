package wire

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// fillEveryField sets every field of the struct v points to (recursively)
// to a distinct non-zero value. It fails on a field type it does not know,
// so a new kind of field forces this test (and a converter) to be updated.
func fillEveryField(t *testing.T, v reflect.Value, path string, seq *int) {
	t.Helper()
	*seq++
	n := *seq
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", path, n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(1000 + n))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // []byte
			v.SetBytes([]byte(fmt.Sprintf("%s-%d\x00\xff", path, n)))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fillEveryField(t, s.Index(i), fmt.Sprintf("%s[%d]", path, i), seq)
		}
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			// Distinct instants with nanoseconds, far apart in the range
			// groupware uses (Exchange writes 1601 and 4501 dates).
			v.Set(reflect.ValueOf(time.Date(1601+n*37, time.Month(1+n%12), 1+n%28, n%24, n%60, n%60, n*1000+7, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Type == reflect.TypeOf((*error)(nil)).Elem() {
				continue // per-item errors are tested with statuses
			}
			fillEveryField(t, v.Field(i), path+"."+f.Name, seq)
		}
	default:
		t.Fatalf("fillEveryField: %s has kind %s; teach the test (and the converters) about it", path, v.Kind())
	}
}

// requireNoZeroField fails when any field of v is still zero, proving the
// filler reached it.
func requireNoZeroField(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.Kind() == reflect.Struct && v.Type() != reflect.TypeOf(time.Time{}) {
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Type == reflect.TypeOf((*error)(nil)).Elem() {
				continue
			}
			requireNoZeroField(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
		return
	}
	if v.IsZero() {
		t.Fatalf("%s is zero after filling", path)
	}
}

func filled[T any](t *testing.T) T {
	var v T
	seq := 0
	fillEveryField(t, reflect.ValueOf(&v).Elem(), reflect.TypeOf(v).Name(), &seq)
	requireNoZeroField(t, reflect.ValueOf(v), reflect.TypeOf(v).Name())
	return v
}

// changedFields lists the paths of the fields in which a and b differ.
func changedFields(a, b reflect.Value, path string) []string {
	if a.Kind() == reflect.Struct && a.Type() != reflect.TypeOf(time.Time{}) {
		var out []string
		for i := 0; i < a.NumField(); i++ {
			out = append(out, changedFields(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
		}
		return out
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return []string{fmt.Sprintf("%s: sent %v, received %v", path, a.Interface(), b.Interface())}
	}
	return nil
}

func TestItemRoundTripKeepsEveryField(t *testing.T) {
	in := filled[adapters.Item](t)
	out := ItemFromWire(ItemToWire(&in))
	for _, d := range changedFields(reflect.ValueOf(in), reflect.ValueOf(out), "Item") {
		t.Error(d)
	}
}

func TestActivityRoundTripKeepsEveryField(t *testing.T) {
	in := filled[adapters.Activity](t)
	out := ActivityFromWire(ActivityToWire(&in))
	for _, d := range changedFields(reflect.ValueOf(in), reflect.ValueOf(out), "Activity") {
		t.Error(d)
	}
}

func TestCallTypesRoundTripKeepEveryField(t *testing.T) {
	info := filled[adapters.Info](t)
	if got := InfoFromWire(InfoToWire(info)); !reflect.DeepEqual(got, info) {
		t.Errorf("Info: %+v, want %+v", got, info)
	}
	req := filled[adapters.SnapshotRequest](t)
	if got := SnapshotRequestFromWire(SnapshotRequestToWire(req)); !reflect.DeepEqual(got, req) {
		t.Errorf("SnapshotRequest: %+v, want %+v", got, req)
	}
	end := filled[adapters.SnapshotEnd](t)
	if got := SnapshotEndFromWire(SnapshotEndToWire(end)); !reflect.DeepEqual(got, end) {
		t.Errorf("SnapshotEnd: %+v, want %+v", got, end)
	}
	q := filled[adapters.ActivityQuery](t)
	if got := ActivityQueryFromWire(ActivityQueryToWire(q)); !reflect.DeepEqual(got, q) {
		t.Errorf("ActivityQuery: %+v, want %+v", got, q)
	}
	changes := []adapters.TimeChange{filled[adapters.TimeChange](t), filled[adapters.TimeChange](t)}
	if got := TimeChangesFromWire(TimeChangesToWire(changes)); !reflect.DeepEqual(got, changes) {
		t.Errorf("TimeChange: %+v, want %+v", got, changes)
	}
}

func TestResultsRoundTripKeepFieldsAndErrors(t *testing.T) {
	fail := adapters.Errorf(adapters.CodeConflict, "item changed")

	change := []adapters.ChangeResult{filled[adapters.ChangeResult](t), {ID: "b", Err: fail}}
	gotChange := ChangeResultsFromWire(ChangeResultsToWire(change))
	export := []adapters.ExportResult{filled[adapters.ExportResult](t), {ActivityID: "b", Err: fail}}
	gotExport := ExportResultsFromWire(ExportResultsToWire(export))
	upsert := []adapters.UpsertResult{filled[adapters.UpsertResult](t), {Key: "b", Err: fail}}
	gotUpsert := UpsertResultsFromWire(UpsertResultsToWire(upsert))

	if !reflect.DeepEqual(gotChange[0], change[0]) {
		t.Errorf("ChangeResult: %+v, want %+v", gotChange[0], change[0])
	}
	if !reflect.DeepEqual(gotExport[0], export[0]) {
		t.Errorf("ExportResult: %+v, want %+v", gotExport[0], export[0])
	}
	if !reflect.DeepEqual(gotUpsert[0], upsert[0]) {
		t.Errorf("UpsertResult: %+v, want %+v", gotUpsert[0], upsert[0])
	}
	for name, err := range map[string]error{"change": gotChange[1].Err, "export": gotExport[1].Err, "upsert": gotUpsert[1].Err} {
		if adapters.CodeOf(err) != adapters.CodeConflict || err.Error() != fail.Error() {
			t.Errorf("%s result error = %v (%s), want %v (conflict)", name, err, adapters.CodeOf(err), fail)
		}
	}
	if gotChange[0].Err != nil || gotExport[0].Err != nil || gotUpsert[0].Err != nil {
		t.Error("a successful result came back with an error")
	}
}

func TestZeroTimesStayZero(t *testing.T) {
	in := adapters.Item{ID: "x", Raster: adapters.Raster{Due: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}}
	wire := ItemToWire(&in)
	if wire.GetRaster().GetStart() != nil || wire.GetDate() != nil {
		t.Fatal("zero times were sent as timestamps")
	}
	out := ItemFromWire(wire)
	if !out.Raster.Start.IsZero() || !out.Date.IsZero() || !out.Raster.Due.Equal(in.Raster.Due) {
		t.Fatalf("times after round trip: %+v", out.Raster)
	}
}

func TestTimesComeBackAsTheSameInstantInUTC(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	in := time.Date(2026, 3, 10, 9, 0, 0, 123, berlin)
	out := TimeFromWire(TimeToWire(in))
	if !out.Equal(in) || out.Location() != time.UTC {
		t.Fatalf("got %v, want %v in UTC", out, in)
	}
}
