package exchange_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/graph/graphfake"
)

// TestOptions: misconfigurations are InvalidConfig at construction.
func TestOptions(t *testing.T) {
	for name, opts := range map[string]string{
		"no api":           `{}`,
		"unknown api":      `{"api":"mapi"}`,
		"graph with ews":   `{"api":"graph","tenant_id":"t","client_id":"c","client_secret":"s","mailbox":"m@x","url":"https://x/EWS/Exchange.asmx"}`,
		"ews with graph":   `{"api":"ews","url":"https://x/EWS/Exchange.asmx","username":"u","password":"p","tenant_id":"t"}`,
		"ews kerberos":     `{"api":"ews","url":"https://x/EWS/Exchange.asmx","username":"u","password":"p","auth":"kerberos"}`,
		"graph ntlm":       `{"api":"graph","tenant_id":"t","client_id":"c","client_secret":"s","mailbox":"m@x","auth":"ntlm"}`,
		"graph no mailbox": `{"api":"graph","tenant_id":"t","client_id":"c","client_secret":"s"}`,
		"missing secret":   `{"api":"graph","tenant_id":"t","client_id":"c","client_secret_file":"does-not-exist","mailbox":"m@x"}`,
		"missing ca_file":  `{"api":"ews","url":"https://x/EWS/Exchange.asmx","username":"u","password":"p","ca_file":"does-not-exist"}`,
		"misspelt key":     `{"api":"graph","tennant_id":"t"}`,
	} {
		_, err := adapters.NewSource("exchange", adapters.Config{Name: name, Options: json.RawMessage(opts)})
		if adapters.CodeOf(err) != adapters.CodeInvalidConfig {
			t.Errorf("%s: %v, want InvalidConfig", name, err)
		}
	}
}

// TestSecretFile: client_secret_file's first line is the secret.
func TestSecretFile(t *testing.T) {
	fake := graphfake.New(t)
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(graphfake.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := fake.Options()
	delete(opts, "client_secret")
	opts["client_secret_file"] = file
	raw, _ := json.Marshal(opts)
	src, err := adapters.NewSource("exchange", adapters.Config{Name: "secret-file", Options: raw})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Info(t.Context()); err != nil {
		t.Errorf("Info with client_secret_file: %v", err)
	}
}
