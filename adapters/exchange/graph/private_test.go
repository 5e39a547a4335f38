package graph_test

import (
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
)

func TestPrivateSensitivityMarksTheItemPrivate(t *testing.T) {
	fake := graphfake.New(t)
	at := time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC)
	event := func(uid string, private bool) adapters.Item {
		return adapters.Item{Key: "ical:" + uid, Kind: adapters.KindEvent, Subject: uid, Private: private,
			Raster: adapters.Raster{Start: at, End: at.Add(time.Hour)}, Busy: adapters.BusyBusy}
	}
	fake.SeedItems("Import Folder", []adapters.Item{event("private-1", true), event("public-1", false)})
	items, _ := mustSnapshot(t, newSource(t, fake, nil), adapters.SnapshotRequest{Kinds: []adapters.Kind{adapters.KindEvent}})
	got := map[string]bool{}
	for _, it := range items {
		got[it.Key] = it.Private
	}
	if len(got) != 2 || !got["ical:private-1"] || got["ical:public-1"] {
		t.Errorf("private flags by key %v, want only private-1 private", got)
	}
}
