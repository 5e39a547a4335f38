package plugins

import "sync"

// ResetSocketSweepForTest lets a test see the sweep of newSocketDir's first
// call again.
func ResetSocketSweepForTest() { sweepOnce = sync.Once{} }
