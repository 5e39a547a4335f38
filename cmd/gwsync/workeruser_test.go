package main

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/worker"
)

// noPreferences fails the test if the preferences are read from the
// store: the worker hands them over with the lease.
type noPreferences struct {
	state.Preferences
	t *testing.T
}

func (p noPreferences) UserPreferences(context.Context, string) (map[string]string, error) {
	p.t.Error("preferences read again from the store")
	return map[string]string{}, nil
}

// The preferences the worker read with the lease are laid over the
// config as every front-end does (editable keys only), without reading
// them again; a user not in the config is worker.ErrUnknownUser.
func TestWorkerUserUsesThePreferencesReadWithTheLease(t *testing.T) {
	cfg, err := config.Parse("gwsync.yaml", []byte(`state: sqlite:./state.db
crm: {plugin: crmsql, options: {dsn: "sqlite:./crm.db"}}
users:
  - name: sam
    email: sam@example.com
    editable: [areas]
    areas: [emails, appointments]
    sources:
      - {name: inbox, plugin: imap, options: {url: "imap://127.0.0.1:1143", username: sam, password: pw, folder: INBOX}}
`))
	if err != nil {
		t.Fatal(err)
	}
	st := noPreferences{t: t}
	ctx := context.Background()
	u, err := workerUser(ctx, cfg, st, "sam", map[string]string{config.EditAreas: "emails", config.EditImportFolder: "Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"emails"}; !slices.Equal(u.Areas, want) {
		t.Errorf("areas = %v, want the stored %v", u.Areas, want)
	}
	if got, _ := cfg.User("sam"); !slices.Equal(got.Areas, []string{"emails", "appointments"}) {
		t.Errorf("the config's entry changed: %v", got.Areas)
	}
	if _, err := workerUser(ctx, cfg, st, "zoe", map[string]string{}); !errors.Is(err, worker.ErrUnknownUser) {
		t.Errorf("unknown user: %v, want ErrUnknownUser", err)
	}
	if _, err := workerUser(ctx, cfg, st, "sam", map[string]string{config.EditAreas: "nonsense"}); err == nil {
		t.Error("a stored value that does not read: no error")
	}
}
