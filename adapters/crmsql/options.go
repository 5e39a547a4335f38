package crmsql

import (
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// Options are the crmsql adapter's `options:` block.
type Options struct {
	// DSN names the database file: "sqlite:PATH" or a bare PATH.
	DSN string `json:"dsn"`
	// CreateContacts makes Upsert create a contact for an address the CRM
	// does not know. The default (false) links only contacts that exist,
	// so that importing mail does not flood the CRM with every sender.
	CreateContacts bool `json:"create_contacts"`
}

// pathFromDSN turns a dsn option into a file path. It accepts "sqlite:PATH",
// "sqlite://PATH" and a bare PATH. Errors: InvalidConfig naming the option
// when the dsn is empty or names no file, because an empty path would make
// SQLite open a throw-away temporary database and lose everything written.
func pathFromDSN(dsn string) (string, error) {
	p := strings.TrimSpace(dsn)
	if rest, ok := strings.CutPrefix(p, "sqlite:"); ok {
		p = strings.TrimPrefix(rest, "//")
	}
	switch {
	case dsn == "":
		return "", adapters.Errorf(adapters.CodeInvalidConfig, "crmsql: option dsn is required (\"sqlite:PATH\" or a file path)")
	case p == "" || p == ":memory:" || strings.HasPrefix(p, "file:"):
		return "", adapters.Errorf(adapters.CodeInvalidConfig, "crmsql: option dsn %q must name a database file (\"sqlite:PATH\" or a file path)", dsn)
	}
	return p, nil
}
