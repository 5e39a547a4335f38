package web

import (
	"net"
	"sync"
	"time"
)

// loginThrottle slows down password guessing with growing delays instead
// of a hard lock, so that a guesser cannot lock the real user out.
//
// Every login attempt is counted against several keys at once (see
// Server.throttleKeys): the user name from this address, the address
// alone, and the user name from anywhere. Each key lets a few failures
// through free, then asks for a wait that doubles with every further
// failure, up to a cap. A guesser hammering one name from one address
// slows only that pair and that address; the name as a whole trips only
// when many addresses fail on it, and even then a browser that logged in
// successfully before (its "known device" cookie) still gets through.
//
// begin counts the attempt before the password is checked, under one
// lock: parallel guesses cannot all pass the check before any failure is
// recorded. A successful login clears the attempt's keys.
type loginThrottle struct {
	mu      sync.Mutex
	entries map[string]*throttleEntry
	max     int // bound on entries, so random names and addresses cannot grow memory without end
	now     func() time.Time
	swept   time.Time
}

// ThrottleRule is how one kind of key slows down: Free failures without
// delay, then Base, 2×Base, 4×Base, … up to Cap. A key is forgotten once
// Forget has passed since its last failure.
type ThrottleRule struct {
	Free   int
	Base   time.Duration
	Cap    time.Duration
	Forget time.Duration
}

type throttleEntry struct {
	rule     ThrottleRule
	fails    int
	lastFail time.Time
	until    time.Time // no attempt on this key before
}

// ThrottleKey is one key of an attempt with the rule that applies to it.
// Key names what is counted ("pair:ADDR\x00NAME", "user:NAME", …).
type ThrottleKey struct {
	Key  string
	Rule ThrottleRule
}

// Login throttling policy; README's "Security" section describes it.
var (
	// pairRule: one name from one address. The real user mistyping a
	// few times is not slowed; a guesser is after three tries.
	pairRule = ThrottleRule{Free: 3, Base: time.Second, Cap: 15 * time.Minute, Forget: 24 * time.Hour}
	// addrRule: one address, any name; room for an office behind one NAT.
	addrRule = ThrottleRule{Free: 10, Base: time.Second, Cap: 15 * time.Minute, Forget: 24 * time.Hour}
	// nameRule: one name from any address; trips only on guessing spread
	// over many addresses.
	nameRule = ThrottleRule{Free: 20, Base: time.Second, Cap: 15 * time.Minute, Forget: 24 * time.Hour}
	// deviceRule: a browser with a known-device cookie, which skips the
	// name and pair keys; a stolen cookie still buys few guesses.
	deviceRule = ThrottleRule{Free: 5, Base: time.Second, Cap: 15 * time.Minute, Forget: 24 * time.Hour}
)

// maxThrottleEntries bounds the throttle's memory (a few MB at most).
const maxThrottleEntries = 100_000

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{entries: map[string]*throttleEntry{}, max: maxThrottleEntries, now: time.Now}
}

// Delay is the wait after fails failures under r.
func (r ThrottleRule) Delay(fails int) time.Duration {
	over := fails - r.Free
	if over < 0 {
		return 0
	}
	d := r.Base
	for i := 0; i < over && d < r.Cap; i++ {
		d *= 2
	}
	return min(d, r.Cap)
}

// begin decides whether an attempt may check its password. When it may,
// the attempt is counted as a failure on every key right away (undone by
// succeed), so that the next parallel attempt already sees it. When it may
// not, wait is how long the longest-blocked key still waits.
func (l *loginThrottle) begin(keys []ThrottleKey) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweepLocked(now)
	for _, k := range keys {
		if e := l.entries[k.Key]; e != nil && now.Before(e.until) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	if wait > 0 {
		return false, wait
	}
	for _, k := range keys {
		e := l.entries[k.Key]
		if e == nil {
			l.makeRoomLocked(now)
			e = &throttleEntry{rule: k.Rule}
			l.entries[k.Key] = e
		}
		e.fails++
		e.lastFail = now
		e.until = now.Add(k.Rule.Delay(e.fails))
	}
	return true, 0
}

// succeed clears the keys of a successful login: the real user's success
// wipes what guessers ran up on the same keys.
func (l *loginThrottle) succeed(keys []ThrottleKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.entries, k.Key)
	}
}

// sweepLocked forgets stale keys, at most once a minute, so that the work
// is spread thin whatever the request rate.
func (l *loginThrottle) sweepLocked(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, e := range l.entries {
		if now.Sub(e.lastFail) > e.rule.Forget && !now.Before(e.until) {
			delete(l.entries, k)
		}
	}
}

// makeRoomLocked keeps the map under its bound: it drops a key that is
// not holding anybody back, or, when every key is, any key. Map order is
// random, so a flood cannot aim at one victim's key.
func (l *loginThrottle) makeRoomLocked(now time.Time) {
	if len(l.entries) < l.max {
		return
	}
	var victim string
	for k, e := range l.entries {
		victim = k
		if !now.Before(e.until) {
			break
		}
	}
	delete(l.entries, victim)
}

// addrKey is the address part of a throttle key. IPv6 clients are keyed
// by their /64, which one host usually owns whole.
func addrKey(ip string) string {
	p := net.ParseIP(ip)
	if p == nil || p.To4() != nil {
		return ip
	}
	return p.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
