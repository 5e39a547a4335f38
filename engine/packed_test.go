package engine

import (
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func TestPackedMatchesRasterEqual(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cases := []adapters.Raster{
		{},
		{Start: s},
		{Start: s, End: s.Add(time.Hour)},
		{Start: s.In(berlin), End: s.Add(time.Hour).In(berlin), TimeZone: "Europe/Berlin"},
		{Start: s.Add(500 * time.Millisecond), End: s.Add(time.Hour)},
		{Due: s},
		{Start: s, End: s.Add(24 * time.Hour), AllDay: true},
		{Start: time.Unix(0, 0)},
	}
	for i, a := range cases {
		if !pack(a).raster().Equal(a) {
			t.Errorf("case %d: round trip changed %v to %v", i, a, pack(a).raster())
		}
		for j, b := range cases {
			if (pack(a) == pack(b)) != a.Equal(b) {
				t.Errorf("cases %d, %d: packed equality %v, Raster.Equal %v", i, j, pack(a) == pack(b), a.Equal(b))
			}
		}
	}
}
