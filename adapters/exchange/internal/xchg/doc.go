// Package xchg holds what the Graph and EWS halves of the exchange adapter
// share, so that both map Exchange data by the same rules as the other
// adapters: busy-status tables, body and key helpers (built on mailmsg),
// time-zone resolution (built on icalendar.ResolveTZID) and the bounded
// HTTP retry loop that honours throttling.
package xchg
