package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// SinkSuite describes a CRM sink under test.
type SinkSuite struct {
	// Adapter is the registered adapter name.
	Adapter string
	// Backend prepares a fresh CRM holding fx.Activities (created "in the
	// CRM", owned by FixtureOwner) and returns the options JSON, an
	// object, that point the adapter at it. Called once per transport.
	Backend func(t *testing.T, fx Fixture) json.RawMessage
}

// RunSink runs the sink checks over every transport, in order, on one
// backend per transport.
func RunSink(t *testing.T, s SinkSuite) {
	if s.Adapter == "" || s.Backend == nil {
		t.Fatal("SinkSuite needs Adapter and Backend")
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			runSink(testingT{t}, tr, s.Adapter, func(_ T, fx Fixture) json.RawMessage { return s.Backend(t, fx) })
		})
	}
}

// runSink runs the sink checks over one transport on one backend; RunSink
// and RunPlugin share it.
func runSink(t T, tr transport, adapter string, backend func(T, Fixture) json.RawMessage) {
	fx := StandardFixture()
	c := &sinkChecks{adapter: adapter, tr: tr, fx: fx}
	c.opts = backend(t, fx)
	c.sink = c.open(t, c.opts)
	c.run(t)
}

type sinkChecks struct {
	adapter string
	tr      transport
	fx      Fixture
	opts    json.RawMessage
	sink    adapters.Sink
	// created is the activity the upsert checks created.
	created adapters.Activity
}

// secondOwner is the user whose Upsert of an existing Key adds them.
const secondOwner = "bob"

func (c *sinkChecks) open(t T, opts json.RawMessage) adapters.Sink {
	t.Helper()
	sink, err := c.tr.openSink(t, c.adapter, suiteConfig(opts))
	if err != nil {
		t.Fatalf("open sink %s: %v", c.adapter, err)
	}
	closeAtEnd(t, sink)
	return sink
}

// readChecks are the checks that only read the seeded fixture: what
// every transport runs, the pooled one of RunPlugin included.
func (c *sinkChecks) readChecks(t T) {
	t.Run("info", func(t T) {
		if _, err := c.sink.Info(callCtx(t)); err != nil {
			t.Fatalf("Info: %v", err)
		}
	})
	t.Run("lists-crm-activities", c.listsFixture)
	t.Run("emit-error-stops", c.emitErrorStops)
	t.Run("cancelled-context", c.cancelledContext)
	t.Run("unknown-option", c.unknownOption)
}

func (c *sinkChecks) run(t T) {
	c.readChecks(t)
	t.Run("upsert-creates", c.upsertCreates)
	t.Run("upsert-same-key", c.upsertSameKey)
	t.Run("update-times", c.updateTimes)
	t.Run("followup-refused", c.followUpRefused)
	t.Run("list-changes", c.listChanges)
}

// listsFixture: the activities created in the CRM are listed for their
// owner, with their type, subject and raster.
func (c *sinkChecks) listsFixture(t T) {
	got := listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner})
	for _, want := range c.fx.Activities {
		n := 0
		for _, a := range got {
			if a.Type != want.Type || a.Subject != want.Subject {
				continue
			}
			n++
			if !a.Raster.Equal(want.Raster) {
				t.Errorf("%q: raster %v, want %v", want.Subject, a.Raster, want.Raster)
			}
			if a.ID == "" || a.Version == "" {
				t.Errorf("%q: id %q version %q, want both set", want.Subject, a.ID, a.Version)
			}
		}
		if n != 1 {
			t.Errorf("%s %q listed %d times, want once", want.Type, want.Subject, n)
		}
	}
	if typed := listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner, Types: []adapters.ActivityType{adapters.TypeTask}}); len(typed) != 1 || typed[0].Type != adapters.TypeTask {
		t.Errorf("listing TASK only returned %d activities: %v", len(typed), typed)
	}
}

func (c *sinkChecks) emitErrorStops(t T) {
	stop := errors.New("conformance: stop here")
	calls := 0
	_, err := c.sink.ListActivities(callCtx(t), adapters.ActivityQuery{Owner: FixtureOwner}, func(adapters.Activity) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("ListActivities returned %v, want the emit error", err)
	}
	if calls != 1 {
		t.Fatalf("emit called %d times after returning an error, want 1", calls)
	}
}

func (c *sinkChecks) cancelledContext(t T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.sink.ListActivities(ctx, adapters.ActivityQuery{Owner: FixtureOwner}, func(adapters.Activity) error { return nil })
	if err == nil {
		t.Fatal("ListActivities with a cancelled context succeeded")
	}
}

func (c *sinkChecks) unknownOption(t T) {
	sink, err := c.tr.openSink(t, c.adapter, suiteConfig(withUnknownOption(t, c.opts)))
	if err == nil {
		defer sink.Close()
		_, err = sink.Info(callCtx(t))
	}
	requireCode(t, "unknown option "+unknownOptionKey, err, adapters.CodeInvalidConfig)
}

func importedMail() adapters.Activity {
	return adapters.Activity{
		Type: adapters.TypeMailIn, Subject: "Contract draft", Body: "please find the draft attached",
		Raster:   adapters.Raster{Start: at(2026, 2, 1, 8, 15)},
		Owners:   []string{FixtureOwner},
		Contacts: []string{"bob@example.com"},
		Key:      "mid:contract-1@mail.example.com",
		Source:   "mail", SourceItem: "INBOX/17",
	}
}

// upsertCreates: a new Key creates an activity with an id and a version.
func (c *sinkChecks) upsertCreates(t T) {
	want := importedMail()
	results, err := c.sink.Upsert(callCtx(t), []adapters.Activity{want})
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("Upsert results = %+v, want one success", results)
	}
	r := results[0]
	if !r.Created {
		t.Error("Upsert of a new key reports Created=false")
	}
	if r.Activity.ID == "" || r.Activity.Version == "" {
		t.Fatalf("created activity has id %q version %q, want both", r.Activity.ID, r.Activity.Version)
	}
	c.created = r.Activity
	got, ok := activityByID(listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner}), r.Activity.ID)
	if !ok {
		t.Fatalf("created activity %s not listed for %s", r.Activity.ID, FixtureOwner)
	}
	if got.Type != want.Type || got.Subject != want.Subject || got.Key != want.Key {
		t.Errorf("listed %s %q key %q, want %s %q key %q", got.Type, got.Subject, got.Key, want.Type, want.Subject, want.Key)
	}
}

// upsertSameKey: the same Key again (another user's mailbox) returns the
// existing activity and adds the owner.
func (c *sinkChecks) upsertSameKey(t T) {
	if c.created.ID == "" {
		t.Skip("upsert-creates failed")
	}
	again := importedMail()
	again.Owners = []string{secondOwner}
	results, err := c.sink.Upsert(callCtx(t), []adapters.Activity{again})
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("Upsert results = %+v, want one success", results)
	}
	if results[0].Created || results[0].Activity.ID != c.created.ID {
		t.Fatalf("second Upsert = (created %v, id %q), want (false, %q)", results[0].Created, results[0].Activity.ID, c.created.ID)
	}
	for _, owner := range []string{FixtureOwner, secondOwner} {
		if _, ok := activityByID(listActivities(t, c.sink, adapters.ActivityQuery{Owner: owner}), c.created.ID); !ok {
			t.Errorf("activity %s not listed for owner %s", c.created.ID, owner)
		}
	}
}

// updateTimes: a good change moves the raster and the version and nothing
// else; a stale version is a per-item Conflict; an unknown id NotFound.
func (c *sinkChecks) updateTimes(t T) {
	if c.created.ID == "" {
		t.Skip("upsert-creates failed")
	}
	before, ok := activityByID(listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner}), c.created.ID)
	if !ok {
		t.Fatalf("activity %s not listed", c.created.ID)
	}
	moved := adapters.Raster{Start: before.Raster.Start.Add(2 * time.Hour), End: before.Raster.Start.Add(3 * time.Hour)}
	results, err := c.sink.UpdateTimes(callCtx(t), []adapters.TimeChange{{ID: before.ID, IfVersion: before.Version, Raster: moved}})
	if err != nil {
		t.Fatalf("UpdateTimes: %v", err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("UpdateTimes results = %+v, want one success", results)
	}
	if results[0].Version == "" || results[0].Version == before.Version {
		t.Errorf("UpdateTimes version %q, want a new one (was %q)", results[0].Version, before.Version)
	}
	after, _ := activityByID(listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner}), c.created.ID)
	if !after.Raster.Equal(moved) {
		t.Errorf("listed raster %v after UpdateTimes, want %v", after.Raster, moved)
	}
	if after.Subject != before.Subject || after.Body != before.Body {
		t.Errorf("UpdateTimes changed subject/body: %q/%q, was %q/%q", after.Subject, after.Body, before.Subject, before.Body)
	}
	if results[0].Version != after.Version {
		t.Errorf("UpdateTimes reported version %q, listing shows %q", results[0].Version, after.Version)
	}

	results, err = c.sink.UpdateTimes(callCtx(t), []adapters.TimeChange{{ID: before.ID, IfVersion: before.Version, Raster: before.Raster}})
	if err != nil {
		t.Fatalf("UpdateTimes with stale version: whole-call error %v, want a per-item Conflict", err)
	}
	if len(results) != 1 {
		t.Fatalf("UpdateTimes returned %d results for 1 change", len(results))
	}
	requireCode(t, "UpdateTimes with stale version", results[0].Err, adapters.CodeConflict)
	if again, _ := activityByID(listActivities(t, c.sink, adapters.ActivityQuery{Owner: FixtureOwner}), c.created.ID); !again.Raster.Equal(moved) {
		t.Errorf("a refused UpdateTimes changed the raster to %v", again.Raster)
	}

	results, err = c.sink.UpdateTimes(callCtx(t), []adapters.TimeChange{{ID: "conformance-no-such-activity", Raster: moved}})
	if err != nil {
		t.Fatalf("UpdateTimes of unknown id: whole-call error %v, want a per-item NotFound", err)
	}
	if len(results) != 1 {
		t.Fatalf("UpdateTimes returned %d results for 1 change", len(results))
	}
	requireCode(t, "UpdateTimes of unknown id", results[0].Err, adapters.CodeNotFound)
}

// followUpRefused: gwsync never creates FOLLOWUP activities; a sink
// refuses one per item, and the batch's other items still go through.
func (c *sinkChecks) followUpRefused(t T) {
	follow := importedMail()
	follow.Type, follow.Key, follow.Subject = adapters.TypeFollowUp, "ical:followup@gwsync.test", "Follow up"
	ok := importedMail()
	ok.Type, ok.Key, ok.Subject = adapters.TypeAppointment, "ical:meeting@gwsync.test", "Kick-off"
	ok.Raster = adapters.Raster{Start: at(2026, 7, 1, 9, 0), End: at(2026, 7, 1, 10, 0)}
	results, err := c.sink.Upsert(callCtx(t), []adapters.Activity{follow, ok})
	if err != nil {
		t.Fatalf("Upsert: whole-call error %v, want a per-item InvalidItem", err)
	}
	if len(results) != 2 {
		t.Fatalf("Upsert returned %d results for 2 activities", len(results))
	}
	requireCode(t, "Upsert of FOLLOWUP", results[0].Err, adapters.CodeInvalidItem)
	if results[1].Err != nil || !results[1].Created {
		t.Errorf("the APPOINTMENT next to the refused FOLLOWUP: %+v, want created", results[1])
	}
}
