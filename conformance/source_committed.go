package conformance

import (
	"github.com/gwsync/gwsync/adapters"
)

// committed: a source that declares Committed accepts the end cursor of a
// snapshot, as the engine hands it over once that cursor is stored, and a
// snapshot from that cursor still works afterwards (acting on the items
// must not void the cursor). Over the wire an undeclared Committed is
// Unsupported.
func (c *sourceChecks) committed(t T) {
	cm, implements := c.src.(adapters.Committer)
	if !c.caps.Committed {
		if c.tr.wire && implements {
			err := cm.Committed(callCtx(t), "conformance-cursor")
			requireCode(t, "Committed on a source without Committed", err, adapters.CodeUnsupported)
		}
		t.Skip("source does not declare Committed")
	}
	if !implements {
		t.Fatal("Info declares Committed but the source is not a Committer")
	}
	end, err := c.src.Snapshot(callCtx(t), adapters.SnapshotRequest{}, func(adapters.Item) error { return nil })
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if err := cm.Committed(callCtx(t), end.Cursor); err != nil {
		t.Fatalf("Committed(end cursor of a snapshot): %v", err)
	}
	if end.Cursor == "" || !c.caps.Incremental {
		return
	}
	if _, err := c.src.Snapshot(callCtx(t), adapters.SnapshotRequest{Cursor: end.Cursor}, func(adapters.Item) error { return nil }); err != nil {
		t.Fatalf("Snapshot from a committed cursor: %v", err)
	}
}
