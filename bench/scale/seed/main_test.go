package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// startDovecot starts a private Dovecot in many-users mode with the
// project's script and returns its exported variables. It skips without
// Dovecot, unless GWSYNC_REQUIRE_SERVERS=1.
func startDovecot(t *testing.T, users int) map[string]string {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/dovecot"); err != nil {
		if os.Getenv("GWSYNC_REQUIRE_SERVERS") == "1" {
			t.Fatal("Dovecot is required (GWSYNC_REQUIRE_SERVERS=1) and missing")
		}
		t.Skip("no Dovecot (scripts/servers/dovecot.sh install)")
	}
	// Not t.TempDir: its parent is 0700, which Dovecot's unprivileged
	// processes could not traverse when the test runs as root.
	dir, err := os.MkdirTemp("", "seed-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("../../../scripts/servers/dovecot.sh")
	t.Cleanup(func() {
		exec.Command("bash", script, "stop", dir).Run()
		os.RemoveAll(dir)
	})
	// Output to a file, not a pipe: the daemonized Dovecot inherits it,
	// and a pipe would never reach its end.
	exports := filepath.Join(dir, "exports")
	f, err := os.Create(exports)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script, "start", dir)
	cmd.Env = append(os.Environ(), fmt.Sprintf("GWSYNC_DOVECOT_USERS=%d", users))
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	f.Close()
	out, _ := os.ReadFile(exports)
	if err != nil {
		t.Fatalf("dovecot.sh start: %v\n%s", err, out)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if ok {
			env[k] = v
		}
	}
	return env
}

// TestSeededMailboxesServe checks that what seed writes is what Dovecot
// serves: each user's "Import Folder" holds the user's messages with
// their Message-IDs, and a second seed keeps them as they are.
func TestSeededMailboxesServe(t *testing.T) {
	env := startDovecot(t, 4)
	uid, gid, err := parseOwner(env["GWSYNC_TEST_DOVECOT_MAIL_OWNER"])
	if err != nil {
		t.Fatal(err)
	}
	w := writer{uid: uid, gid: gid}
	for pass := 0; pass < 2; pass++ {
		for i := 1; i <= 4; i++ {
			n, fresh, err := w.user(env["GWSYNC_TEST_DOVECOT_MAIL_DIR"], i)
			if err != nil {
				t.Fatal(err)
			}
			if n != Messages(i) || fresh != (pass == 0) {
				t.Errorf("pass %d, user %d: %d messages, written %t", pass, i, n, fresh)
			}
			if got := messageIDs(t, env["GWSYNC_TEST_DOVECOT_ADDR"], UserName(i)); len(got) != n {
				t.Errorf("pass %d: %s serves %v, want %d messages", pass, UserName(i), got, n)
			} else {
				for k, id := range got {
					if want := fmt.Sprintf("%s.%d@scale.example.com", UserName(i), k); id != want {
						t.Errorf("%s message %d: Message-ID %q, want %q", UserName(i), k, id, want)
					}
				}
			}
		}
	}
}

// messageIDs lists the Message-IDs of user's "Import Folder" in UID order.
func messageIDs(t *testing.T, addr, user string) []string {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, "secret").Wait(); err != nil {
		t.Fatalf("%s: LOGIN: %v", user, err)
	}
	if _, err := c.Select(Folder, nil).Wait(); err != nil {
		t.Fatalf("%s: SELECT: %v", user, err)
	}
	msgs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatalf("%s: FETCH: %v", user, err)
	}
	var ids []string
	for _, m := range msgs {
		ids = append(ids, m.Envelope.MessageID)
	}
	return ids
}
