package crmsql_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

func TestUpsertCreatesAndStoresEverything(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, true)
		in := meeting("ical:m1", "alice")
		in.Contacts = []string{"Bob <bob@example.com>", "carol@example.com"}
		in.Attachments = []adapters.Attachment{{Name: "plan.pdf", Type: "application/pdf", Size: 1234}, {Name: "a.txt", Type: "text/plain", Size: 0}}
		r := upsertOne(t, s, in)
		if !r.Created || r.Key != "ical:m1" {
			t.Fatalf("result = %+v, want created", r)
		}
		got := r.Activity
		if got.ID == "" || got.Version != "1" || got.Modified.IsZero() {
			t.Fatalf("id/version/modified not set: %+v", got)
		}
		want := in
		want.ID, want.Version, want.Modified = got.ID, "1", got.Modified
		want.Contacts = []string{"bob@example.com", "carol@example.com"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("stored activity differs\n got %+v\nwant %+v", got, want)
		}
		listed := listAll(t, s, adapters.ActivityQuery{Owner: "alice"})
		if len(listed) != 1 || !reflect.DeepEqual(listed[0], got) {
			t.Fatalf("listing = %+v, want %+v", listed, got)
		}
	})
}

func TestUpsertIsIdempotentByKeyAndMergesOwnersAndContacts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, true)
		first := meeting("mid:<x@y>", "alice")
		first.Type = adapters.TypeMailIn
		first.Contacts = []string{"bob@example.com"}
		a := upsertOne(t, s, first)

		second := first
		second.Subject = "a different subject must not overwrite"
		second.Raster.Start = utc("2030-01-01T00:00:00Z")
		second.Owners = []string{"bob", "alice"}
		second.Contacts = []string{"BOB@example.com", "dave@example.com"}
		second.Attachments = []adapters.Attachment{{Name: "late.bin"}}
		again := upsertOne(t, s, second)

		if again.Created {
			t.Fatal("second Upsert with the same key reported Created=true")
		}
		if again.Activity.ID != a.Activity.ID {
			t.Fatalf("second Upsert made activity %s, first was %s", again.Activity.ID, a.Activity.ID)
		}
		got := again.Activity
		if got.Subject != first.Subject || !got.Raster.Equal(first.Raster) || got.Version != "1" || len(got.Attachments) != 0 {
			t.Fatalf("existing activity changed: %+v", got)
		}
		if strings.Join(got.Owners, ",") != "alice,bob" {
			t.Fatalf("owners = %v, want alice,bob", got.Owners)
		}
		if strings.Join(got.Contacts, ",") != "bob@example.com,dave@example.com" {
			t.Fatalf("contacts = %v", got.Contacts)
		}
		if n := len(listAll(t, s, adapters.ActivityQuery{})); n != 1 {
			t.Fatalf("%d activities, want 1", n)
		}
		if n := len(listAll(t, s, adapters.ActivityQuery{Owner: "bob"})); n != 1 {
			t.Fatalf("bob sees %d activities, want 1", n)
		}
	})
}

func TestUpsertSameKeyTwiceInOneBatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		res, err := s.Upsert(context.Background(), []adapters.Activity{meeting("ical:d", "alice"), meeting("ical:d", "bob")})
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].Created || res[1].Created || res[0].Activity.ID != res[1].Activity.ID {
			t.Fatalf("results = %+v", res)
		}
		if strings.Join(res[1].Activity.Owners, ",") != "alice,bob" {
			t.Fatalf("owners = %v", res[1].Activity.Owners)
		}
	})
}

func TestUpsertRefusesPerItemAndGoesOn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		noKey := meeting("", "alice")
		followUp := meeting("ical:f", "alice")
		followUp.Type = adapters.TypeFollowUp
		unknown := meeting("ical:u", "alice")
		unknown.Type = "NOTE"
		good := meeting("ical:ok", "alice")
		res, err := s.Upsert(context.Background(), []adapters.Activity{noKey, followUp, good, unknown})
		if err != nil {
			t.Fatalf("per-item problems must not fail the call: %v", err)
		}
		if len(res) != 4 {
			t.Fatalf("%d results, want 4", len(res))
		}
		for _, i := range []int{0, 1, 3} {
			wantCode(t, res[i].Err, adapters.CodeInvalidItem)
			if res[i].Created || res[i].Activity.ID != "" {
				t.Fatalf("refused item %d has an activity: %+v", i, res[i])
			}
		}
		if !strings.Contains(res[1].Err.Error(), "FOLLOWUP") {
			t.Fatalf("FOLLOWUP error %q does not say why", res[1].Err)
		}
		if res[2].Err != nil || !res[2].Created || res[2].Key != "ical:ok" {
			t.Fatalf("good item = %+v", res[2])
		}
		if n := len(listAll(t, s, adapters.ActivityQuery{})); n != 1 {
			t.Fatalf("%d activities stored, want 1", n)
		}
	})
}

func TestUpsertLinksOnlyKnownContactsByDefault(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		crm := openStore(t, path)
		if err := crm.AddContact(context.Background(), "Bob", "Bob@Example.com"); err != nil {
			t.Fatal(err)
		}
		in := meeting("ical:c", "alice")
		in.Contacts = []string{"bob@EXAMPLE.com", "stranger@example.com", "not an address", ""}
		got := upsertOne(t, s, in).Activity
		if strings.Join(got.Contacts, ",") != "Bob@Example.com" {
			t.Fatalf("contacts = %v, want only the known one, as the CRM spells it", got.Contacts)
		}
		var n int
		if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM contacts`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("contacts table has %d rows (%v), want 1", n, err)
		}
	})
}

func TestUpsertCreatesUnknownContactsWhenAsked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, true)
		in := meeting("ical:c", "alice")
		in.Contacts = []string{"Stranger Danger <stranger@example.com>", "not an address"}
		got := upsertOne(t, s, in).Activity
		if strings.Join(got.Contacts, ",") != "stranger@example.com" {
			t.Fatalf("contacts = %v", got.Contacts)
		}
		var name string
		if err := rawDB(t, path).QueryRow(`SELECT name FROM contacts WHERE lower(email) = lower('STRANGER@example.com')`).Scan(&name); err != nil || name != "Stranger Danger" {
			t.Fatalf("created contact name = %q, %v", name, err)
		}
	})
}

func TestConcurrentUpsertSameKeyMakesOneActivity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		other := openStore(t, path) // a second process on the same file
		sinks := []adapters.Sink{s, other}
		const rounds = 5
		for round := 0; round < rounds; round++ {
			key := "ical:race-" + string(rune('a'+round))
			var wg sync.WaitGroup
			results := make([]adapters.UpsertResult, 2)
			errs := make([]error, 2)
			for g := 0; g < 2; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					res, err := sinks[g].Upsert(context.Background(), []adapters.Activity{meeting(key, "user"+string(rune('0'+g)))})
					if err == nil {
						results[g], errs[g] = res[0], res[0].Err
					} else {
						errs[g] = err
					}
				}(g)
			}
			wg.Wait()
			for g, err := range errs {
				if err != nil {
					t.Fatalf("goroutine %d: %v", g, err)
				}
			}
			if results[0].Created == results[1].Created {
				t.Fatalf("round %d: Created = %v and %v, want exactly one true", round, results[0].Created, results[1].Created)
			}
			if results[0].Activity.ID != results[1].Activity.ID {
				t.Fatalf("round %d: two activities %s and %s", round, results[0].Activity.ID, results[1].Activity.ID)
			}
		}
		all := listAll(t, s, adapters.ActivityQuery{})
		if len(all) != rounds {
			t.Fatalf("%d activities, want %d", len(all), rounds)
		}
		for _, a := range all {
			if len(a.Owners) != 2 {
				t.Fatalf("activity %s owners = %v, want both users", a.ID, a.Owners)
			}
		}
	})
}

func TestUpsertOfExistingHandEditedRowIsPerItemError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, false)
		a := upsertOne(t, s, meeting("ical:h", "alice")).Activity
		mustExec(t, rawDB(t, path), `UPDATE activities SET end_at = 'tomorrow-ish' WHERE id = ?`, a.ID)
		res, err := s.Upsert(context.Background(), []adapters.Activity{meeting("ical:h", "bob"), meeting("ical:fresh", "bob")})
		if err != nil {
			t.Fatalf("one mangled row must not fail the batch: %v", err)
		}
		wantCode(t, res[0].Err, adapters.CodeInvalidItem)
		if !strings.Contains(res[0].Err.Error(), "end_at") || !strings.Contains(res[0].Err.Error(), a.ID) {
			t.Fatalf("error %q does not name the id and column", res[0].Err)
		}
		if res[1].Err != nil || !res[1].Created {
			t.Fatalf("the rest of the batch: %+v", res[1])
		}
	})
}

func TestUpsertCancelledWritesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, false)
		if _, err := s.Info(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Upsert(ctx, []adapters.Activity{meeting("ical:x", "a")}); err == nil {
			t.Fatal("Upsert with a cancelled context succeeded")
		}
		if n := len(listAll(t, s, adapters.ActivityQuery{})); n != 0 {
			t.Fatalf("%d activities after a cancelled Upsert", n)
		}
	})
}

// Upsert builds a created activity's result without reading it back; it
// must be exactly what a listing reads, for awkward input too.
func TestUpsertResultMatchesStoredActivity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, path := newSink(t, b, true)
		crm := openStore(t, path)
		if err := crm.AddContact(context.Background(), "Bob", "Bob@Example.com"); err != nil {
			t.Fatal(err)
		}
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		odd := meeting("ical:odd", " alice ", "alice", "", "bob")
		odd.Raster = adapters.Raster{Start: time.Date(2026, 12, 3, 9, 0, 0, 700_000_000, berlin), End: time.Date(2026, 12, 3, 10, 30, 15, 1, berlin)}
		odd.Contacts = []string{"bob@example.com", "BOB@example.com", "Carol <carol@example.com>", "junk"}
		odd.Attachments = []adapters.Attachment{{Name: "x.bin", Type: "application/octet-stream", Size: 3}}
		allDay := adapters.Activity{Type: adapters.TypeAppointment, Key: "ical:day", Owners: []string{"alice"},
			Raster: adapters.Raster{Start: utc("2026-12-24T00:00:00Z"), End: utc("2026-12-25T00:00:00Z"), AllDay: true}}
		task := adapters.Activity{Type: adapters.TypeTask, Key: "ical:task", Subject: "call back",
			Raster: adapters.Raster{Due: time.Date(2026, 12, 1, 17, 0, 0, 0, berlin)}}
		res, err := s.Upsert(context.Background(), []adapters.Activity{odd, allDay, task})
		if err != nil {
			t.Fatal(err)
		}
		listed := listAll(t, s, adapters.ActivityQuery{})
		if len(listed) != 3 {
			t.Fatalf("listed %d activities, want 3", len(listed))
		}
		byID := map[string]adapters.Activity{}
		for _, a := range listed {
			byID[a.ID] = a
		}
		for _, r := range res {
			if r.Err != nil || !r.Created {
				t.Fatalf("%s: %+v", r.Key, r)
			}
			if want := byID[r.Activity.ID]; !reflect.DeepEqual(r.Activity, want) {
				t.Errorf("%s: Upsert returned\n %+v\nthe store holds\n %+v", r.Key, r.Activity, want)
			}
		}
	})
}

// A batch larger than one multi-row statement, mixing new keys, keys the
// store has, keys repeated across statement boundaries and refused items,
// gets one result per request, in order, each as the store then holds it.
func TestUpsertLargeMixedBatchKeepsOrderAndIdentity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := newSink(t, b, true)
		ctx := context.Background()
		if _, err := s.Upsert(ctx, []adapters.Activity{meeting("ical:old-1", "bob"), meeting("ical:old-2", "bob")}); err != nil {
			t.Fatal(err)
		}
		var batch []adapters.Activity
		for i := 0; i < 150; i++ {
			a := meeting(fmt.Sprintf("ical:n%03d", i), "alice")
			a.Contacts = []string{fmt.Sprintf("c%d@example.com", i%7)}
			batch = append(batch, a)
		}
		batch[10] = meeting("ical:old-1", "alice")
		batch[100] = meeting("ical:n005", "carol") // repeats a key 95 requests (a statement boundary) earlier
		batch[120] = adapters.Activity{Type: adapters.TypeFollowUp, Key: "ical:f"}
		res, err := s.Upsert(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != len(batch) {
			t.Fatalf("%d results for %d requests", len(res), len(batch))
		}
		listed := map[string]adapters.Activity{}
		for _, a := range listAll(t, s, adapters.ActivityQuery{}) {
			listed[a.ID] = a
		}
		for i, r := range res {
			if r.Key != batch[i].Key {
				t.Fatalf("result %d is for %s, want %s", i, r.Key, batch[i].Key)
			}
			switch i {
			case 120:
				wantCode(t, r.Err, adapters.CodeInvalidItem)
				continue
			case 10, 100:
				if r.Created {
					t.Errorf("result %d: created, want the existing activity", i)
				}
			default:
				if !r.Created {
					t.Errorf("result %d (%s): not created", i, r.Key)
				}
			}
			if r.Err != nil {
				t.Fatalf("result %d: %v", i, r.Err)
			}
			if i != 5 && !reflect.DeepEqual(r.Activity, listed[r.Activity.ID]) { // 5 gained carol after its result
				t.Errorf("result %d differs from the store:\n got %+v\nwant %+v", i, r.Activity, listed[r.Activity.ID])
			}
		}
		if got := strings.Join(res[10].Activity.Owners, ","); got != "bob,alice" {
			t.Errorf("existing activity owners = %s, want bob,alice", got)
		}
		if res[100].Activity.ID != res[5].Activity.ID || strings.Join(res[100].Activity.Owners, ",") != "alice,carol" {
			t.Errorf("repeated key: %+v, want activity %s with owners alice,carol", res[100].Activity, res[5].Activity.ID)
		}
		if n := len(listed); n != 2+147 {
			t.Errorf("store holds %d activities, want 149", n)
		}
	})
}
