//go:build race

package imap_test

// raceEnabled: go-imap v2.0.0-beta.8 reads a literal from two goroutines
// when the connection dies in the middle of it (FetchItemDataBodySection's
// discard after its EOF released the decoder), which the race detector
// reports. TestDroppedConnection provokes exactly that, so it skips under
// -race.
const raceEnabled = true
