package postgres

import (
	"testing"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/statetest"
)

// Every subtest gets a database of its own on the test server.
func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return openTest(t) })
}
