package web

import (
	"sync"
	"time"
)

// loginLimiter counts failed logins per key (a client address, a user
// name) in a sliding window. Both keys are limited: the address stops one
// client from trying many names, the name stops many clients from trying
// one account.
type loginLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	fails  map[string][]time.Time
	now    func() time.Time
}

func newLoginLimiter(limit int, window time.Duration) *loginLimiter {
	return &loginLimiter{limit: limit, window: window, fails: map[string][]time.Time{}, now: time.Now}
}

// blocked reports whether any key reached the limit, and for how long.
func (l *loginLimiter) blocked(keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		list := l.recentLocked(k, now)
		if len(list) >= l.limit {
			return true, list[0].Add(l.window).Sub(now)
		}
	}
	return false, 0
}

// fail records a failed attempt for every key.
func (l *loginLimiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		l.fails[k] = append(l.recentLocked(k, now), now)
	}
}

// recentLocked drops the attempts of k that left the window.
func (l *loginLimiter) recentLocked(k string, now time.Time) []time.Time {
	list := l.fails[k]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= l.window {
		i++
	}
	list = list[i:]
	if len(list) == 0 {
		delete(l.fails, k)
		return nil
	}
	l.fails[k] = list
	return list
}
