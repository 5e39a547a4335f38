package files

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
	"github.com/gwsync/gwsync/adapters/mailmsg"
)

// WriteFixture writes items (events/tasks as .ics, messages as .eml) into
// dir/calendar and dir/mail and returns options JSON for the files adapter.
// It is the conformance suite's backend hook: each item gets a file of its
// own, named after its Key (so the snapshot's IDs are "calendar/<name>.ics"
// and "mail/<name>.eml"), and Parse must read it back to the same item.
// Items of other kinds are an error.
func WriteFixture(dir string, items []adapters.Item) (json.RawMessage, error) {
	cal, mail := filepath.Join(dir, "calendar"), filepath.Join(dir, "mail")
	for _, d := range []string{cal, mail} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	stamp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i, it := range items {
		var path string
		var data []byte
		switch it.Kind {
		case adapters.KindEvent, adapters.KindTask:
			path, data = filepath.Join(cal, fixtureName(it, i)+".ics"), icalendar.RenderItem(it, stamp)
		case adapters.KindMessage:
			path, data = filepath.Join(mail, fixtureName(it, i)+".eml"), mailmsg.Render(it)
		default:
			return nil, fmt.Errorf("files: WriteFixture: item %d (%s) has kind %q", i, it.Key, it.Kind)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	return json.Marshal(Options{CalendarDir: cal, MailDir: mail})
}

// fixtureName makes a file name from an item's key: readable where the key
// is, with a hash so that distinct keys never share a file.
func fixtureName(it adapters.Item, i int) string {
	key := it.Key
	if key == "" {
		key = fmt.Sprintf("item-%d", i)
	}
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, key)
	if len(safe) > 40 {
		safe = safe[:40]
	}
	sum := sha256.Sum256([]byte(key))
	return safe + "-" + hex.EncodeToString(sum[:4])
}
