// Package rrule is a copy of github.com/teambition/rrule-go v1.8.2 (MIT,
// see LICENSE) with a work budget added to its iterator, so that gwsync
// can bound the expansion of any rule.
//
// Upstream loops forever on rules that can never match (FREQ=HOURLY;
// INTERVAL=2;BYHOUR=1 from an even hour, FREQ=SECONDLY;INTERVAL=2;
// BYSECOND=1 from an even second) and on rules whose candidates never pass
// the BYxxx filters it walks day by day up to year 9999; a bound on the
// matches seen by the caller cannot stop it. The changes, each marked
// "gwsync": BoundedIterator and rIterator.spend, and no implicit UNTIL of
// DTSTART + 292 years. The RRule set type is left out (unused).
package rrule
