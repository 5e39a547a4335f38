package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
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
