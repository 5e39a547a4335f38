package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
)

// An adapter error that echoes an option the adapter declares secret
// reaches no output with it, whatever its code; what is not secret stays.
func TestAdapterErrorsHideDeclaredSecrets(t *testing.T) {
	o := &opener{cfg: &config.Config{File: "gw.yaml"}}
	p := config.Plugin{Name: "inbox", Plugin: "imap", Line: 3,
		Options: json.RawMessage(`{"url": "imaps://127.0.0.1", "username": "sam", "password": "s3cret-pw"}`)}
	for _, code := range []adapters.Code{adapters.CodeUnauthorized, adapters.CodeInvalidConfig} {
		err := o.explain(p, adapters.Errorf(code, "login sam/s3cret-pw refused"))
		if msg := err.Error(); strings.Contains(msg, "s3cret-pw") || !strings.Contains(msg, "login sam/[redacted] refused") {
			t.Errorf("%s: %q, want the password redacted", code, msg)
		}
	}
}

func TestRedactURLs(t *testing.T) {
	for in, want := range map[string]string{
		"caldav https://alice:hunter2@127.0.0.1:5232/cal/: 401": "caldav https://xxxxx@127.0.0.1:5232/cal/: 401",
		"redirected to HTTP://bob:pw@127.0.0.1/x and back":      "redirected to HTTP://xxxxx@127.0.0.1/x and back",
		"dsn postgres://crm:s3cret$@127.0.0.1/crm":              "dsn postgres://xxxxx@127.0.0.1/crm",
		"mail from mailto:alice@example.com, https://host/a@b":  "mail from mailto:alice@example.com, https://host/a@b",
	} {
		if got := redactURLs(in); got != want {
			t.Errorf("redactURLs(%q) = %q, want %q", in, got, want)
		}
	}
}

// A source error that quotes a URL with its password is printed with the
// userinfo replaced, in the table and in the JSON.
func TestPrintedPlanCarriesNoURLPassword(t *testing.T) {
	plan := &engine.Plan{User: "alice",
		Sources:  []engine.SourceReport{{Name: "cal", Error: "caldav https://alice:hunter2@127.0.0.1:5232/cal/: 401 Unauthorized"}},
		Problems: []engine.Problem{{Source: "cal", Reason: "caldav https://alice:hunter2@127.0.0.1:5232/cal/: 401 Unauthorized"}}}
	var table, js bytes.Buffer
	safe := redactPlan(plan)
	if err := termSafePlan(safe).WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := safe.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	const wantTable = "Plan for alice\nproblem: cal (source): caldav https://xxxxx@127.0.0.1:5232/cal/: 401 Unauthorized\n"
	if !strings.HasPrefix(table.String(), wantTable) {
		t.Errorf("table:\n%s\nwant it to start with:\n%s", table.String(), wantTable)
	}
	if strings.Contains(js.String(), "hunter2") || !strings.Contains(js.String(), `"error": "caldav https://xxxxx@127.0.0.1:5232/cal/: 401 Unauthorized"`) {
		t.Errorf("json:\n%s", js.String())
	}
	if !strings.Contains(plan.Sources[0].Error, "hunter2") {
		t.Error("redactPlan changed the plan itself")
	}
}
