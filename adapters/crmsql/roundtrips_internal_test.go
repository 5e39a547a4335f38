package crmsql

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// Round trips to PostgreSQL are most of what a small sync costs the CRM
// (issue 12: a worker syncs thousands of users with a few new mails
// each). These are the counts of a warm connection; a statement added to
// either path fails here, and so does one saved (then lower the number).
const (
	upsertFourMailsRoundTrips      = 4 // BEGIN, contacts, the insert, COMMIT
	listChangesUnchangedRoundTrips = 1 // counter and rows in one statement
)

func TestPostgresRoundTrips(t *testing.T) {
	ctx := context.Background()
	s := newPostgresStore(t)
	var writes atomic.Int64
	s.pg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return countingConn{c, &writes}, err
	}
	db, err := s.conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection, so the warm-up warms it

	mails := func(user string) []adapters.Activity {
		out := make([]adapters.Activity, 4)
		for i := range out {
			out[i] = adapters.Activity{Type: adapters.TypeMailIn, Key: fmt.Sprintf("mid:<%d@%s>", i, user),
				Subject: "hello", Body: "text", Raster: adapters.Raster{Start: time.Date(2026, 12, 1, 9, i, 0, 0, time.UTC)},
				Owners: []string{user}, Contacts: []string{"someone@example.com", "Known <known@example.com>"},
				Source: "mail", SourceItem: fmt.Sprint(i)}
		}
		return out
	}
	if err := s.AddContact(ctx, "Known", "known@example.com"); err != nil {
		t.Fatal(err)
	}
	var cursor int64
	listChanges := func(user string) {
		end, err := s.ListChanges(ctx, adapters.ChangeQuery{Owner: user, Since: cursor}, func(adapters.Activity) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		cursor = end.Cursor
	}
	upsert := func(user string) {
		res, err := s.Upsert(ctx, mails(user))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil || !r.Created || len(r.Activity.Contacts) != 1 {
				t.Fatalf("Upsert: %+v", r)
			}
		}
	}
	upsert("warm") // statements prepared once per connection
	listChanges("warm")

	writes.Store(0)
	upsert("alice")
	if got := writes.Load(); got != upsertFourMailsRoundTrips {
		t.Errorf("an Upsert of 4 new mails took %d round trips, want %d", got, upsertFourMailsRoundTrips)
	}
	listChanges("alice")
	writes.Store(0)
	listChanges("alice")
	if got := writes.Load(); got != listChangesUnchangedRoundTrips {
		t.Errorf("ListChanges of an unchanged CRM took %d round trips, want %d", got, listChangesUnchangedRoundTrips)
	}
}

// countingConn counts writes: pgx sends each round trip's messages with
// one write.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// newPostgresStore is a crmsql Store on a fresh PostgreSQL database,
// closed when the test ends. It has not connected yet (s.conn does).
func newPostgresStore(t *testing.T) *Store {
	t.Helper()
	s, err := New(adapters.Config{Options: []byte(`{"dsn": "` + pgtest.NewDatabase(t) + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
