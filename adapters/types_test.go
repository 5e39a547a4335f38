package adapters

import (
	"testing"
	"time"
)

func TestRasterString(t *testing.T) {
	s := time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		r    Raster
		want string
	}{
		{Raster{}, "-"},
		{Raster{Start: s}, "2027-01-14 09:00Z"},
		{Raster{Start: s, End: s.Add(90 * time.Minute)}, "2027-01-14 09:00Z → 2027-01-14 10:30Z"},
		{Raster{Start: s, Due: s.Add(48 * time.Hour)}, "start 2027-01-14 09:00Z, due 2027-01-16 09:00Z"},
		{Raster{Due: s}, "due 2027-01-14 09:00Z"},
		{Raster{Start: s, End: s.Add(72 * time.Hour), AllDay: true}, "2027-01-14 → 2027-01-17, all-day"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestRasterEqualIgnoresZoneAndSubseconds(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	s := time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC)
	a := Raster{Start: s, End: s.Add(time.Hour)}
	b := Raster{Start: s.In(berlin).Add(300 * time.Millisecond), End: s.Add(time.Hour).In(berlin), TimeZone: "Europe/Berlin"}
	if !a.Equal(b) {
		t.Error("same instants in another zone must be equal")
	}
	if a.Equal(Raster{Start: s, End: s.Add(time.Hour), AllDay: true}) {
		t.Error("the all-day flag is part of the raster")
	}
	if a.Equal(Raster{Start: s.Add(time.Second), End: s.Add(time.Hour)}) {
		t.Error("a second apart is a change")
	}
}
