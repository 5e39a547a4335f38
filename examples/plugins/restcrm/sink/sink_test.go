package restcrm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/conformance"
	"github.com/gwsync/gwsync/examples/plugins/restcrm/refserver"
	restcrm "github.com/gwsync/gwsync/examples/plugins/restcrm/sink"
)

func init() { adapters.Register(restcrm.Registration()) }

func TestMain(m *testing.M) { conformance.Main(m) }

const token = "s3cret-token"

// crm starts a reference CRM holding activities created by its users
// (through its API, as any client would) and returns its URL.
func crm(t testing.TB, activities []adapters.Activity) string {
	t.Helper()
	srv := httptest.NewServer(refserver.New(token))
	t.Cleanup(srv.Close)
	for _, a := range activities {
		body, _ := json.Marshal(crmActivity(a))
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/activities", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("seeding %q: %s", a.Subject, resp.Status)
		}
	}
	return srv.URL
}

// crmActivity is a gwsync activity in the REST shape, as a CRM user
// makes it (no key).
func crmActivity(a adapters.Activity) refserver.Activity {
	ptr := func(t interface{ IsZero() bool }) bool { return !t.IsZero() }
	out := refserver.Activity{Type: string(a.Type), Subject: a.Subject, Body: a.Body, Busy: string(a.Busy), Owners: a.Owners,
		AllDay: a.Raster.AllDay, TimeZone: a.Raster.TimeZone, Location: a.Location}
	if r := a.Raster; ptr(r.Start) {
		out.Start = &r.Start
	}
	if r := a.Raster; ptr(r.End) {
		out.End = &r.End
	}
	if r := a.Raster; ptr(r.Due) {
		out.Due = &r.Due
	}
	for _, c := range a.Contacts {
		out.Contacts = append(out.Contacts, refserver.ContactRef{Email: c})
	}
	return out
}

func options(url string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"base_url": url, "token": token})
	return b
}

// TestConformance: in process, over gRPC in memory, as a subprocess and
// pooled (this test binary serving the registered adapter).
func TestConformance(t *testing.T) {
	conformance.RunSink(t, conformance.SinkSuite{
		Adapter: restcrm.Name,
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			return options(crm(t, fx.Activities))
		},
	})
}

// TestPluginExecutable: the plugin built on its own, started as gwsync
// starts any gwsync-plugin-NAME found in plugin_dir.
func TestPluginExecutable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	exe := filepath.Join(t.TempDir(), "gwsync-plugin-restcrm")
	if out, err := exec.Command("go", "build", "-o", exe, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	conformance.RunExternalSink(t, conformance.SinkSuite{
		Adapter: restcrm.Name,
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			return options(crm(t, fx.Activities))
		},
	}, func() *exec.Cmd { return exec.Command(exe) })
}

func newSink(t *testing.T, opts json.RawMessage) adapters.Sink {
	t.Helper()
	s, err := adapters.NewSink(restcrm.Name, adapters.Config{Name: "crm", Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func list(ctx context.Context, s adapters.Sink, owner string) ([]adapters.Activity, error) {
	var got []adapters.Activity
	_, err := s.ListActivities(ctx, adapters.ActivityQuery{Owner: owner}, func(a adapters.Activity) error {
		got = append(got, a)
		return nil
	})
	return got, err
}

// TestListsEveryPage: more activities than one page holds are all listed,
// once each.
func TestListsEveryPage(t *testing.T) {
	const n = 1234 // two full pages of 500 and a partial one
	var acts []adapters.Activity
	for i := 0; i < n; i++ {
		acts = append(acts, adapters.Activity{Type: adapters.TypeTask, Subject: "task", Owners: []string{"alice"}})
	}
	s := newSink(t, options(crm(t, acts)))
	got, err := list(context.Background(), s, "alice")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range got {
		seen[a.ID] = true
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("listed %d activities (%d distinct), want %d", len(got), len(seen), n)
	}
}

// TestErrorCodes: what the CRM answers becomes the code the engine acts on.
func TestErrorCodes(t *testing.T) {
	ctx := context.Background()
	url := crm(t, nil)

	wrongToken, _ := json.Marshal(map[string]string{"base_url": url, "token": "wrong"})
	if _, err := list(ctx, newSink(t, wrongToken), "alice"); adapters.CodeOf(err) != adapters.CodeUnauthorized {
		t.Errorf("wrong token: %v (code %s), want unauthorized", err, adapters.CodeOf(err))
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	if _, err := list(ctx, newSink(t, options(down.URL)), "alice"); adapters.CodeOf(err) != adapters.CodeTemporary {
		t.Errorf("503: %v (code %s), want temporary", err, adapters.CodeOf(err))
	}

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nothing listens there any more
	if _, err := list(ctx, newSink(t, options(gone.URL)), "alice"); adapters.CodeOf(err) != adapters.CodeTemporary {
		t.Errorf("connection refused: %v (code %s), want temporary", err, adapters.CodeOf(err))
	}

	for _, bad := range []string{`{}`, `{"base_url": "ftp://crm"}`, `{"base_url": "http://crm", "timeout": "soon"}`, `{"base_url": "http://crm", "tokn": "x"}`} {
		if _, err := adapters.NewSink(restcrm.Name, adapters.Config{Options: json.RawMessage(bad)}); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
			t.Errorf("options %s: %v, want invalid-config", bad, err)
		}
	}
}

// TestUpsertKeepsAttachmentsAndContacts: what an import sends arrives in
// the CRM, and the listing says the CRM holds the attachment.
func TestUpsertKeepsAttachmentsAndContacts(t *testing.T) {
	s := newSink(t, options(crm(t, nil)))
	a := adapters.Activity{Type: adapters.TypeMailIn, Subject: "Invoice", Key: "mid:inv-1@example.com",
		Owners: []string{"alice"}, Contacts: []string{"Bob@Example.com"},
		Attachments: []adapters.Attachment{{Name: "inv.pdf", Type: "application/pdf", Size: 3, Data: []byte{0, 1, 2}}}}
	res, err := s.Upsert(context.Background(), []adapters.Activity{a})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("Upsert: %v %+v", err, res)
	}
	got, err := list(context.Background(), s, "alice")
	if err != nil || len(got) != 1 {
		t.Fatalf("listed %d activities (%v), want 1", len(got), err)
	}
	if c := got[0].Contacts; len(c) != 1 || c[0] != "bob@example.com" {
		t.Errorf("contacts %v, want [bob@example.com]", c)
	}
	if at := got[0].Attachments; len(at) != 1 || !at[0].Stored || at[0].Name != "inv.pdf" || at[0].Size != 3 {
		t.Errorf("attachments %+v, want inv.pdf stored, 3 bytes", at)
	}
}
