package sqlite

import (
	"testing"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/statetest"
)

// The store-agnostic contract lives in statetest; this package's own tests
// keep what is SQLite's alone (the file, pragmas, migrations, processes).
func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return openTest(t) })
}
