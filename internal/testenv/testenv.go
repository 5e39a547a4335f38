// Package testenv tells tests where the real servers are. scripts/test.sh
// starts Dovecot, Radicale, Xandikos … on 127.0.0.1, exports their
// addresses as GWSYNC_TEST_* variables and sets GWSYNC_REQUIRE_SERVERS=1, so
// that in CI a test against a real server fails instead of skipping when
// its server is missing. Run alone (`go test ./...`) such tests skip.
package testenv

import (
	"os"
	"testing"
)

// Var returns the environment variable GWSYNC_TEST_<name>. When it is
// unset the test is skipped, or fails when GWSYNC_REQUIRE_SERVERS=1.
func Var(t testing.TB, name string) string {
	t.Helper()
	key := "GWSYNC_TEST_" + name
	v := os.Getenv(key)
	if v != "" {
		return v
	}
	if os.Getenv("GWSYNC_REQUIRE_SERVERS") == "1" {
		t.Fatalf("%s is not set: scripts/test.sh should have started this server", key)
	}
	t.Skipf("%s not set: run scripts/test.sh to test against the real server", key)
	return ""
}
