package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// SourceSuite describes a groupware source under test.
type SourceSuite struct {
	// Adapter is the registered adapter name.
	Adapter string
	// Backend prepares a fresh backend holding fx (written in the
	// adapter's native format) and returns the options JSON, an object,
	// that point the adapter at it. It is called once per transport, so
	// the transports do not see each other's writes.
	Backend func(t *testing.T, fx Fixture) json.RawMessage
	// Kinds are the kinds this adapter serves; fixture items of other
	// kinds are not expected in its snapshots.
	Kinds []adapters.Kind
}

// RunSource runs the source checks over every transport. The checks of
// one transport run in order on one backend: the read-only ones first,
// then write-back, then export, each relying on the state the previous
// left behind.
func RunSource(t *testing.T, s SourceSuite) {
	if s.Adapter == "" || s.Backend == nil || len(s.Kinds) == 0 {
		t.Fatal("SourceSuite needs Adapter, Backend and Kinds")
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			runSource(testingT{t}, tr, s.Adapter, s.Kinds, func(_ T, fx Fixture) json.RawMessage { return s.Backend(t, fx) })
		})
	}
}

// runSource runs the source checks over one transport on one backend;
// RunSource and RunPlugin share it.
func runSource(t T, tr transport, adapter string, kinds []adapters.Kind, backend func(T, Fixture) json.RawMessage) {
	fx := StandardFixture()
	c := &sourceChecks{adapter: adapter, kinds: kinds, tr: tr, fx: fx}
	c.opts = backend(t, fx)
	c.src = c.open(t, c.opts)
	if len(c.kinds) == 0 { // a plugin under test: it says what it serves
		info, err := c.src.Info(callCtx(t))
		if err != nil {
			t.Fatalf("Info: %v", err)
		}
		c.kinds = info.Kinds
		if len(c.kinds) == 0 {
			c.kinds = adapters.Kinds
		}
	}
	c.run(t)
}

type sourceChecks struct {
	adapter string
	// kinds are the kinds the source serves (SourceSuite.Kinds).
	kinds []adapters.Kind
	tr    transport
	fx    Fixture
	opts  json.RawMessage
	src   adapters.Source
	caps  adapters.Capabilities
}

func (c *sourceChecks) open(t T, opts json.RawMessage) adapters.Source {
	t.Helper()
	src, err := c.tr.openSource(t, c.adapter, suiteConfig(opts))
	if err != nil {
		t.Fatalf("open source %s: %v", c.adapter, err)
	}
	closeAtEnd(t, src)
	return src
}

func (c *sourceChecks) run(t T) {
	t.Run("info", c.info)
	t.Run("snapshot", c.snapshotMatchesFixture)
	t.Run("snapshot-by-kind", c.snapshotByKind)
	t.Run("read-attachment", c.readAttachment)
	t.Run("committed", c.committed)
	t.Run("emit-error-stops", c.emitErrorStops)
	t.Run("cancelled-context", c.cancelledContext)
	t.Run("unknown-option", c.unknownOption)
	t.Run("put-times", c.putTimes)
	t.Run("export", c.export)
	t.Run("close-twice", func(t T) {
		if err := c.src.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := c.src.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})
}

// expected is the fixture's items of the adapter's kinds.
func (c *sourceChecks) expected() []adapters.Item {
	var out []adapters.Item
	for _, it := range c.fx.Items {
		if hasKind(c.kinds, it.Kind) {
			out = append(out, it)
		}
	}
	return out
}

func (c *sourceChecks) info(t T) {
	info, err := c.src.Info(callCtx(t))
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	c.caps = info.Capabilities
	if info.Name == "" {
		t.Error("Info.Name is empty")
	}
	for _, k := range c.kinds {
		if len(info.Kinds) > 0 && !hasKind(info.Kinds, k) {
			t.Errorf("Info.Kinds = %v lacks %q, which the suite says it serves", info.Kinds, k)
		}
	}
}

// snapshotMatchesFixture: exactly the fixture items of the adapter's
// kinds, each once, with the right kind, raster and subject.
func (c *sourceChecks) snapshotMatchesFixture(t T) {
	got := snapshot(t, c.src, adapters.SnapshotRequest{})
	checkItems(t, got, c.expected())
}

func checkItems(t T, got, want []adapters.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("snapshot has %d items, want %d", len(got), len(want))
	}
	ids := map[string]bool{}
	for _, it := range got {
		if it.ID == "" {
			t.Errorf("item %q has no ID", it.Key)
		}
		if ids[it.ID] {
			t.Errorf("ID %q emitted twice", it.ID)
		}
		ids[it.ID] = true
		if it.Unreadable != "" {
			t.Errorf("item %s unreadable: %s", it.ID, it.Unreadable)
		}
		for _, a := range it.Attachments {
			if a.Data != nil || a.Stored {
				t.Errorf("item %s: attachment %q carries content or Stored in a snapshot", it.ID, a.Name)
			}
		}
	}
	for _, w := range want {
		it, n := itemByKey(got, w.Key)
		if n != 1 {
			t.Errorf("key %s: emitted %d times, want once", w.Key, n)
			continue
		}
		checkItem(t, it, w)
	}
}

func checkItem(t T, got, want adapters.Item) {
	t.Helper()
	if got.Kind != want.Kind {
		t.Errorf("%s: kind %q, want %q", want.Key, got.Kind, want.Kind)
	}
	if got.Subject != want.Subject {
		t.Errorf("%s: subject %q, want %q", want.Key, got.Subject, want.Subject)
	}
	if want.Kind == adapters.KindMessage {
		if !got.Date.Equal(want.Date) {
			t.Errorf("%s: date %v, want %v", want.Key, got.Date, want.Date)
		}
	} else if !got.Raster.Equal(want.Raster) {
		t.Errorf("%s: raster %v, want %v", want.Key, got.Raster, want.Raster)
	}
	if len(want.Attendees) > 0 && !sameAddresses(got.Attendees, want.Attendees) {
		t.Errorf("%s: attendees %v, want %v", want.Key, got.Attendees, want.Attendees)
	}
}

// snapshotByKind: asking for one kind returns only that kind.
func (c *sourceChecks) snapshotByKind(t T) {
	for _, k := range c.kinds {
		var want []adapters.Item
		for _, it := range c.expected() {
			if it.Kind == k {
				want = append(want, it)
			}
		}
		got := snapshot(t, c.src, adapters.SnapshotRequest{Kinds: []adapters.Kind{k}})
		checkItems(t, got, want)
	}
}

// emitErrorStops: an error from emit stops the snapshot and comes back.
func (c *sourceChecks) emitErrorStops(t T) {
	stop := errors.New("conformance: stop here")
	calls := 0
	_, err := c.src.Snapshot(callCtx(t), adapters.SnapshotRequest{}, func(adapters.Item) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Snapshot returned %v, want the emit error", err)
	}
	if calls != 1 {
		t.Fatalf("emit called %d times after returning an error, want 1", calls)
	}
}

// cancelledContext: a cancelled context fails the snapshot.
func (c *sourceChecks) cancelledContext(t T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.src.Snapshot(ctx, adapters.SnapshotRequest{}, func(adapters.Item) error { return nil })
	if err == nil {
		t.Fatal("Snapshot with a cancelled context succeeded")
	}
}

// unknownOption: a misspelt option is InvalidConfig, at construction or at
// the latest on the first call.
func (c *sourceChecks) unknownOption(t T) {
	src, err := c.tr.openSource(t, c.adapter, suiteConfig(withUnknownOption(t, c.opts)))
	if err == nil {
		defer src.Close()
		_, err = src.Info(callCtx(t))
	}
	requireCode(t, "unknown option "+unknownOptionKey, err, adapters.CodeInvalidConfig)
}

// putTimes: write-back changes the raster and the version and nothing
// else; a stale version is a per-item Conflict that writes nothing; an
// unknown id is NotFound.
func (c *sourceChecks) putTimes(t T) {
	w, implements := c.src.(adapters.TimeWriter)
	if !c.caps.WriteTimes {
		if c.tr.wire && implements {
			_, err := w.PutTimes(callCtx(t), []adapters.TimeChange{{ID: "x", Raster: adapters.Raster{}}})
			requireCode(t, "PutTimes on a source without WriteTimes", err, adapters.CodeUnsupported)
		}
		t.Skip("source does not declare WriteTimes")
	}
	if !implements {
		t.Fatal("Info declares WriteTimes but the source is not a TimeWriter")
	}
	target, ok := c.writableItem()
	if !ok {
		t.Skip("no fixture event or task among the adapter's kinds")
	}
	before, n := itemByKey(snapshot(t, c.src, adapters.SnapshotRequest{}), target.Key)
	if n != 1 {
		t.Fatalf("key %s not in snapshot", target.Key)
	}
	moved := shifted(before.Raster, 90*time.Minute)

	results, err := w.PutTimes(callCtx(t), []adapters.TimeChange{{ID: before.ID, IfVersion: before.Version, Raster: moved}})
	if err != nil {
		t.Fatalf("PutTimes: %v", err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("PutTimes results = %+v, want one success", results)
	}
	after, _ := itemByKey(snapshot(t, c.src, adapters.SnapshotRequest{}), target.Key)
	if !after.Raster.Equal(moved) {
		t.Errorf("after PutTimes raster %v, want %v", after.Raster, moved)
	}
	if after.Subject != before.Subject {
		t.Errorf("PutTimes changed the subject from %q to %q", before.Subject, after.Subject)
	}
	if after.Version == before.Version {
		t.Errorf("version still %q after PutTimes", after.Version)
	}
	if results[0].Version != "" && results[0].Version != after.Version {
		t.Errorf("PutTimes reported version %q, snapshot shows %q", results[0].Version, after.Version)
	}

	// The engine's version is now stale: the write must be refused whole.
	results, err = w.PutTimes(callCtx(t), []adapters.TimeChange{{ID: before.ID, IfVersion: before.Version, Raster: shifted(moved, time.Hour)}})
	if err != nil {
		t.Fatalf("PutTimes with stale version: whole-call error %v, want a per-item Conflict", err)
	}
	if len(results) != 1 {
		t.Fatalf("PutTimes returned %d results for 1 change", len(results))
	}
	requireCode(t, "PutTimes with stale version", results[0].Err, adapters.CodeConflict)
	if again, _ := itemByKey(snapshot(t, c.src, adapters.SnapshotRequest{}), target.Key); !again.Raster.Equal(moved) {
		t.Errorf("a refused PutTimes changed the raster to %v", again.Raster)
	}

	results, err = w.PutTimes(callCtx(t), []adapters.TimeChange{{ID: "conformance-no-such-item", Raster: moved}})
	if err != nil {
		t.Fatalf("PutTimes of unknown id: whole-call error %v, want a per-item NotFound", err)
	}
	if len(results) != 1 {
		t.Fatalf("PutTimes returned %d results for 1 change", len(results))
	}
	requireCode(t, "PutTimes of unknown id", results[0].Err, adapters.CodeNotFound)
}

// readAttachment: a source that declares ReadAttachments lists the
// fixture's attachment with a Part and hands out exactly its bytes; the
// limit is honoured; an unknown item or part is NotFound.
func (c *sourceChecks) readAttachment(t T) {
	r, implements := c.src.(adapters.AttachmentReader)
	if !c.caps.ReadAttachments {
		if c.tr.wire && implements {
			_, err := r.ReadAttachment(callCtx(t), "x", "1", 1<<20)
			requireCode(t, "ReadAttachment on a source without ReadAttachments", err, adapters.CodeUnsupported)
		}
		t.Skip("source does not declare ReadAttachments")
	}
	if !implements {
		t.Fatal("Info declares ReadAttachments but the source is not an AttachmentReader")
	}
	want, ok := c.fixtureAttachment()
	if !ok {
		t.Skip("no fixture message among the adapter's kinds")
	}
	it, n := itemByKey(snapshot(t, c.src, adapters.SnapshotRequest{}), want.key)
	if n != 1 {
		t.Fatalf("key %s not in snapshot", want.key)
	}
	var got adapters.Attachment
	for _, a := range it.Attachments {
		if a.Name == want.att.Name {
			got = a
		}
	}
	if got.Part == "" {
		t.Fatalf("%s: attachment %q listed without a Part (attachments %+v), though ReadAttachments is declared", want.key, want.att.Name, it.Attachments)
	}
	size := int64(len(want.att.Data))
	if got.Size != size {
		t.Errorf("attachment %q: size %d, want %d", got.Name, got.Size, size)
	}
	data, err := r.ReadAttachment(callCtx(t), it.ID, got.Part, size)
	if err != nil {
		t.Fatalf("ReadAttachment(%s, %s): %v", it.ID, got.Part, err)
	}
	if !bytes.Equal(data, want.att.Data) {
		t.Errorf("ReadAttachment returned %d bytes that differ from the %d of the fixture", len(data), size)
	}
	_, err = r.ReadAttachment(callCtx(t), it.ID, got.Part, size-1)
	requireCode(t, "ReadAttachment with a limit below the content's size", err, adapters.CodeInvalidItem)
	_, err = r.ReadAttachment(callCtx(t), "conformance-no-such-item", got.Part, size)
	requireCode(t, "ReadAttachment of an unknown item", err, adapters.CodeNotFound)
	_, err = r.ReadAttachment(callCtx(t), it.ID, "99", size)
	requireCode(t, "ReadAttachment of an unknown part", err, adapters.CodeNotFound)
}

// fixtureFile is an attachment of the fixture with its message's key.
type fixtureFile struct {
	key string
	att adapters.Attachment
}

// fixtureAttachment is the fixture's attachment with content, when the
// adapter serves messages.
func (c *sourceChecks) fixtureAttachment() (fixtureFile, bool) {
	for _, it := range c.expected() {
		for _, a := range it.Attachments {
			if a.Data != nil {
				return fixtureFile{key: it.Key, att: a}, true
			}
		}
	}
	return fixtureFile{}, false
}

// writableItem is the first timed event, else the task, of the fixture.
func (c *sourceChecks) writableItem() (adapters.Item, bool) {
	for _, k := range []adapters.Kind{adapters.KindEvent, adapters.KindTask} {
		for _, it := range c.expected() {
			if it.Kind == k && !it.Raster.AllDay {
				return it, true
			}
		}
	}
	return adapters.Item{}, false
}

// export: a CRM appointment becomes a busy event that remembers its
// activity id and shows in the next snapshot; exporting it again returns
// the same item with Existed set.
func (c *sourceChecks) export(t T) {
	x, implements := c.src.(adapters.Exporter)
	if !c.caps.Export {
		if c.tr.wire && implements {
			_, err := x.Export(callCtx(t), []adapters.Activity{exportActivity()})
			requireCode(t, "Export on a source without Export", err, adapters.CodeUnsupported)
		}
		t.Skip("source does not declare Export")
	}
	if !implements {
		t.Fatal("Info declares Export but the source is not an Exporter")
	}
	act := exportActivity()
	countBefore := len(snapshot(t, c.src, adapters.SnapshotRequest{}))

	results, err := x.Export(callCtx(t), []adapters.Activity{act})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("Export results = %+v, want one success", results)
	}
	first := results[0]
	if first.Existed {
		t.Error("first Export reports Existed")
	}
	if first.ActivityID != act.ID {
		t.Errorf("ExportResult.ActivityID = %q, want %q", first.ActivityID, act.ID)
	}
	if first.Item.ID == "" {
		t.Fatal("exported item has no ID")
	}

	items := snapshot(t, c.src, adapters.SnapshotRequest{})
	if len(items) != countBefore+1 {
		t.Errorf("snapshot has %d items after one export, want %d", len(items), countBefore+1)
	}
	got, ok := itemByID(items, first.Item.ID)
	if !ok {
		t.Fatalf("exported item %s not in the next snapshot", first.Item.ID)
	}
	if got.ExportedFrom != act.ID {
		t.Errorf("exported item ExportedFrom = %q, want %q", got.ExportedFrom, act.ID)
	}
	if got.Busy != adapters.ExportBusyStatus {
		t.Errorf("exported item busy status %q, want %q", got.Busy, adapters.ExportBusyStatus)
	}
	if got.Kind != adapters.KindEvent {
		t.Errorf("exported item kind %q, want event", got.Kind)
	}
	if !got.Raster.Equal(act.Raster) {
		t.Errorf("exported item raster %v, want %v", got.Raster, act.Raster)
	}
	if got.Subject != act.Subject {
		t.Errorf("exported item subject %q, want %q", got.Subject, act.Subject)
	}

	results, err = x.Export(callCtx(t), []adapters.Activity{act})
	if err != nil {
		t.Fatalf("second Export: %v", err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("second Export results = %+v, want one success", results)
	}
	if !results[0].Existed || results[0].Item.ID != first.Item.ID {
		t.Errorf("second Export = (existed %v, id %q), want (true, %q)", results[0].Existed, results[0].Item.ID, first.Item.ID)
	}
	if n := len(snapshot(t, c.src, adapters.SnapshotRequest{})); n != countBefore+1 {
		t.Errorf("snapshot has %d items after exporting twice, want %d", n, countBefore+1)
	}
}

func exportActivity() adapters.Activity {
	return adapters.Activity{
		ID: "crm-exported-1", Version: "1", Type: adapters.TypeAppointment,
		Subject: "Site visit", Body: "Bring the safety shoes.",
		Raster: adapters.Raster{Start: at(2026, 9, 9, 13, 0), End: at(2026, 9, 9, 14, 0)},
		Busy:   adapters.BusyBusy, Owners: []string{FixtureOwner},
	}
}
