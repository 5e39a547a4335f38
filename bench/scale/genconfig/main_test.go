package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/config"
)

// TestWriteLoads checks that what genconfig writes is a configuration
// gwsync accepts, with the users and sources the benchmark counts on.
func TestWriteLoads(t *testing.T) {
	var buf bytes.Buffer
	p := Params{
		Users: 3, IMAPAddr: "127.0.0.1:1143", Password: `se"cret`,
		StateDSN: "postgres://gwsync:secret@127.0.0.1:5432/state?sslmode=disable",
		CRMDSN:   "postgres://gwsync:secret@127.0.0.1:5432/crm?sslmode=disable",
	}
	if err := Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("scale.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("gwsync rejects the generated config: %v\n%s", err, buf.String())
	}
	if cfg.State != p.StateDSN {
		t.Errorf("state = %q, want %q", cfg.State, p.StateDSN)
	}
	if len(cfg.Users) != 3 {
		t.Fatalf("%d users, want 3", len(cfg.Users))
	}
	for i, u := range cfg.Users {
		want := []string{"user00001", "user00002", "user00003"}[i]
		if u.Name != want || u.AutomaticMatching || len(u.Sources) != 1 || u.Sources[0].Plugin != "imap" {
			t.Errorf("user %d = %+v, want %s without automatic matching (the schedule must not race the cycles) and one imap source", i, u, want)
			continue
		}
		var opts map[string]string
		if err := json.Unmarshal(u.Sources[0].Options, &opts); err != nil {
			t.Fatal(err)
		}
		if opts["username"] != want || opts["password"] != p.Password || opts["url"] != "imap://127.0.0.1:1143" || opts["folder"] != "Import Folder" {
			t.Errorf("%s's imap options = %v", want, opts)
		}
	}
	var crm map[string]string
	if err := json.Unmarshal(cfg.CRM.Options, &crm); err != nil || crm["dsn"] != p.CRMDSN {
		t.Errorf("crm options = %s (%v), want dsn %q", cfg.CRM.Options, err, p.CRMDSN)
	}
}
