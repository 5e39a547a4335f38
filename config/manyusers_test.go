package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestManyUsersFit checks that the alias-expansion bound does not refuse
// a large file without aliases: a deployment with 10,000 users is one
// file (the scale benchmark's is 3 MB).
func TestManyUsersFit(t *testing.T) {
	var b strings.Builder
	b.WriteString("crm: {plugin: memory}\nusers:\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "  - name: user%05d\n    automatic_matching: true\n    sources:\n      - {name: mail, plugin: imap, options: {url: \"imap://127.0.0.1:143\", tls: none, username: user%05d, password: secret}}\n", i, i)
	}
	c, err := parse("many.yaml", "/d", []byte(b.String()), lookupGoldenEnv)
	if err != nil {
		t.Fatalf("10,000 users refused: %v", err)
	}
	if len(c.Users) != 10000 {
		t.Fatalf("%d users, want 10000", len(c.Users))
	}
	// Every job looks its user up: by index, without copying the names.
	if allocs := testing.AllocsPerRun(100, func() {
		if u, err := c.User("user09999"); err != nil || u.Name != "user09999" {
			t.Fatalf("User(user09999) = %v, %v", u, err)
		}
	}); allocs != 0 {
		t.Errorf("User allocates %v times per lookup, want 0", allocs)
	}
	if _, err := c.User("nobody"); err == nil || !strings.Contains(err.Error(), "user00000, user00001") {
		t.Errorf("User(nobody) = %v, want the configured names", err)
	}
}
