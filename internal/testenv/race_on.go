//go:build race

package testenv

// RaceEnabled tells tests built with -race: the race detector's shadow
// memory inflates every allocation count, so tests that measure memory
// keep their assertion for a build without it.
const RaceEnabled = true
