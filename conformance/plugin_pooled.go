package conformance

import (
	"encoding/json"

	"github.com/gwsync/gwsync/adapters"
)

// The pooled half of RunPlugin: the checks that only read, run on
// instances that share one plugin process, plus "second-instance". A
// plugin served by the SDK gets instances right for free; one written by
// hand (another language, or its own server) may keep one global adapter,
// or let one instance's Release close what all of them use.

// runSinkPooled creates the fixture in an empty CRM (as runSinkSeeded
// does) and runs the sink checks that only read. It returns false when
// the fixture could not be made, so that nothing else runs against that
// CRM.
func runSinkPooled(t T, tr transport, adapter string, backend func(T, Fixture) json.RawMessage) (seeded bool) {
	fx := StandardFixture()
	c := &sinkChecks{adapter: adapter, tr: tr, fx: fx}
	c.opts = backend(t, fx)
	c.sink = c.open(t, c.opts)
	if !t.Run("seed-fixture", c.seedFixture) {
		return false
	}
	c.readChecks(t)
	t.Run("second-instance", c.secondInstance)
	return true
}

// secondInstance: another instance of the same options in the same
// process lists too, and closing it leaves the first one working.
func (c *sinkChecks) secondInstance(t T) {
	q := adapters.ActivityQuery{Owner: FixtureOwner}
	before := len(listActivities(t, c.sink, q))
	other, err := c.tr.openSink(t, c.adapter, suiteConfig(c.opts))
	if err != nil {
		t.Fatalf("open a second instance of sink %s: %v", c.adapter, err)
	}
	_ = listActivities(t, other, q)
	if err := other.Close(); err != nil {
		t.Fatalf("Close of the second instance: %v", err)
	}
	var got int
	_, err = c.sink.ListActivities(callCtx(t), q, func(adapters.Activity) error { got++; return nil })
	if err != nil {
		t.Fatalf("the first instance fails after a second instance in its process was closed: ListActivities: %v", err)
	}
	if got != before {
		t.Fatalf("the first instance lists %d activities of %s after a second instance in its process was closed, %d before", got, FixtureOwner, before)
	}
}

// runSourcePooled runs the source checks that only read.
func runSourcePooled(t T, tr transport, adapter string, backend func(T, Fixture) json.RawMessage) {
	fx := StandardFixture()
	c := &sourceChecks{adapter: adapter, tr: tr, fx: fx}
	c.opts = backend(t, fx)
	c.src = c.open(t, c.opts)
	info, err := c.src.Info(callCtx(t))
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	c.kinds = info.Kinds
	if len(c.kinds) == 0 {
		c.kinds = adapters.Kinds
	}
	t.Run("info", c.info)
	t.Run("snapshot", c.snapshotMatchesFixture)
	t.Run("snapshot-by-kind", c.snapshotByKind)
	t.Run("read-attachment", c.readAttachment)
	t.Run("emit-error-stops", c.emitErrorStops)
	t.Run("cancelled-context", c.cancelledContext)
	t.Run("unknown-option", c.unknownOption)
	t.Run("second-instance", c.secondInstance)
}

// secondInstance: as sinkChecks.secondInstance, with snapshots.
func (c *sourceChecks) secondInstance(t T) {
	count := func(src adapters.Source) int {
		t.Helper()
		n := 0
		if _, err := src.Snapshot(callCtx(t), adapters.SnapshotRequest{}, func(adapters.Item) error { n++; return nil }); err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		return n
	}
	before := count(c.src)
	other, err := c.tr.openSource(t, c.adapter, suiteConfig(c.opts))
	if err != nil {
		t.Fatalf("open a second instance of source %s: %v", c.adapter, err)
	}
	_ = count(other)
	if err := other.Close(); err != nil {
		t.Fatalf("Close of the second instance: %v", err)
	}
	if got := count(c.src); got != before {
		t.Fatalf("the first instance snapshots %d items after a second instance in its process was closed, %d before", got, before)
	}
}
