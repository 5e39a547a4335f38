package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/adapters/imap/imaptest"
	"github.com/gwsync/gwsync/adapters/memory"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state/sqlite"
	"github.com/hashicorp/go-hclog"
)

// TestServeMergesTypedPasswordIntoSourceOptions runs the web client's job
// opener against an in-memory IMAP server whose source has no password in
// the config: the typed password is what logs in, a wrong one comes back
// as Unauthorized for that source, and neither the config, the error nor
// the log holds it.
func TestServeMergesTypedPasswordIntoSourceOptions(t *testing.T) {
	srv := imaptest.StartMem(t, imaptest.MemOptions{})
	imaptest.Create(t, imaptest.Dial(t, srv.Addr, srv.Username, srv.Password), "Import")
	dir := t.TempDir()
	yaml := fmt.Sprintf(`state: sqlite:state.db
crm: {plugin: memory}
users:
  - name: sam
    sources:
      - {name: inbox, plugin: imap, in_process: true, options: {url: "imap://%s", tls: none, username: %s, folder: Import}}
      - {name: other, plugin: imap, in_process: true, options: {url: "imap://%s", tls: none, username: %s, password: %s, folder: Import}}
`, srv.Addr, srv.Username, srv.Addr, srv.Username, srv.Password)
	cfg, err := config.Parse(filepath.Join(dir, "gwsync.yaml"), []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	users, _ := webUsers(cfg)
	if len(users) != 1 || len(users[0].Logins) != 1 || users[0].Logins[0].Name != "inbox" || users[0].Logins[0].Username != srv.Username {
		t.Fatalf("users %+v: want one login source, inbox", users)
	}
	var logs bytes.Buffer
	logger := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace})
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	open := jobOpener(cfg, st, logger, memory.NewStore(), nil)

	plan := func(secret string) error {
		job, release, err := open(context.Background(), "sam", map[string]string{"inbox": secret})
		if err != nil {
			return err
		}
		defer release()
		run, err := engine.Start(context.Background(), st, job)
		var plan *engine.Plan
		if err == nil {
			plan = run.Plan()
		}
		if err == nil && len(plan.Problems) > 0 {
			err = fmt.Errorf("plan problems: %+v", plan.Problems)
		}
		return err
	}
	const wrong = "wrong-typed-pw-31337"
	err = plan(wrong)
	var se *credentials.SourceError
	if adapters.CodeOf(err) != adapters.CodeUnauthorized || !errors.As(err, &se) || se.Source != "inbox" {
		t.Fatalf("a wrong typed password: %v (code %v), want Unauthorized for inbox", err, adapters.CodeOf(err))
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("the error holds the password: %v", err)
	}
	if err := plan(srv.Password); err != nil {
		t.Fatalf("the right typed password: %v", err)
	}
	for _, pw := range []string{wrong, srv.Password} {
		if strings.Contains(string(cfg.Users[0].Sources[0].Options), pw) {
			t.Errorf("the config's options now hold %q: %s", pw, cfg.Users[0].Sources[0].Options)
		}
	}
	if strings.Contains(logs.String(), wrong) {
		t.Errorf("the log holds the password:\n%s", logs.String())
	}
}
