// Package all links every built-in adapter into a binary: import it for its
// side effect (each adapter registers itself in init).
package all

import (
	_ "github.com/gwsync/gwsync/adapters/caldav"
	_ "github.com/gwsync/gwsync/adapters/crmsql"
	_ "github.com/gwsync/gwsync/adapters/exchange"
	_ "github.com/gwsync/gwsync/adapters/files"
	_ "github.com/gwsync/gwsync/adapters/imap"
	_ "github.com/gwsync/gwsync/adapters/memory"
)
