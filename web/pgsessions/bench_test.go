package pgsessions_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/gwsync/gwsync/internal/testenv/pgtest"
	"github.com/gwsync/gwsync/web"
	"github.com/gwsync/gwsync/web/pgsessions"
)

// BenchmarkLookupSession is what every logged-in request costs the
// database: one UPDATE … RETURNING by the hashed id, among n sessions.
func BenchmarkLookupSession(b *testing.B) {
	ctx := context.Background()
	s, err := pgsessions.OpenDSN(ctx, pgtest.NewDatabase(b), pgsessions.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n = 10000
	for i := 0; i < n; i++ {
		if err := s.CreateSession(ctx, web.StoredSession{ID: "session-" + strconv.Itoa(i), User: "u", CSRF: "c"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok, err := s.LookupSession(ctx, "session-"+strconv.Itoa(i%n)); !ok || err != nil {
			b.Fatal("lookup failed", err)
		}
	}
}

// BenchmarkBeginLogin is one login attempt's throttle transaction over
// three keys (address, name from address, name).
func BenchmarkBeginLogin(b *testing.B) {
	ctx := context.Background()
	s, err := pgsessions.OpenDSN(ctx, pgtest.NewDatabase(b), pgsessions.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rule := web.ThrottleRule{Free: 1 << 30}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		keys := []web.ThrottleKey{{Key: "addr:" + strconv.Itoa(i%50), Rule: rule}, {Key: "pair:" + strconv.Itoa(i), Rule: rule}, {Key: "user:u", Rule: rule}}
		if ok, _, err := s.BeginLogin(ctx, keys); !ok || err != nil {
			b.Fatal("refused", err)
		}
	}
}
