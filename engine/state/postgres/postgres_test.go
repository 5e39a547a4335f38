package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

func TestEmbeddedMigrationsAreNumberedWithoutGaps(t *testing.T) {
	list, err := migrations()
	if err != nil || len(list) == 0 {
		t.Fatalf("migrations() = %d, %v", len(list), err)
	}
}

// Replicas that start together on a new database migrate it once: every
// Open succeeds and each version is recorded once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	stores := make([]*Store, 6)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, dsn)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	list, _ := migrations()
	var rows, max int
	if err := stores[0].pool.QueryRow(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &max); err != nil {
		t.Fatal(err)
	}
	if rows != len(list) || max != len(list) {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d", rows, max, len(list))
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', now())`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(ctx, dsn)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer schema = %v, want ErrSchemaTooNew", err)
	}
	u, _ := url.Parse(dsn)
	if !strings.Contains(err.Error(), u.Host+u.Path) {
		t.Errorf("error %q does not name the database %s%s", err, u.Host, u.Path)
	}
	if p, _ := u.User.Password(); p != "" && strings.Contains(err.Error(), p) {
		t.Errorf("error %q shows the password", err)
	}
}

// A failing migration leaves nothing behind: not its tables, not its
// version row.
func TestFailingMigrationRollsBack(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, _ := migrations()
	list = append(list, migration{Version: len(list) + 1, Name: "bad.sql", SQL: `CREATE TABLE extra (x int); SELECT no_such_column FROM links;`})
	if err := applyMigrations(ctx, s.pool, list, time.Now()); err == nil || !strings.Contains(err.Error(), "bad.sql") {
		t.Fatalf("bad migration: %v, want an error naming it", err)
	}
	var n int
	s.pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'extra'`).Scan(&n)
	var v int
	s.pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if n != 0 || v != len(list)-1 {
		t.Errorf("after a failed migration: extra table %d, version %d", n, v)
	}
}

// search_path in the DSN puts the tables into the operator's schema; two
// schemas in one database are two separate states.
func TestSearchPathKeepsStatesApart(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	base, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	if _, err := base.pool.Exec(ctx, `CREATE SCHEMA team_a; CREATE SCHEMA team_b`); err != nil {
		t.Fatal(err)
	}
	open := func(schema string) *Store {
		u, _ := url.Parse(dsn)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		s, err := Open(ctx, u.String())
		if err != nil {
			t.Fatalf("Open with search_path=%s: %v", schema, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open("team_a"), open("team_b")
	if err := a.SetCursor(ctx, "u", "src", "a"); err != nil {
		t.Fatal(err)
	}
	if c, _ := b.Cursor(ctx, "u", "src"); c != "" {
		t.Errorf("team_b sees team_a's cursor %q", c)
	}
	var n int
	if err := base.pool.QueryRow(ctx, `SELECT count(*) FROM team_a.cursors`).Scan(&n); err != nil || n != 1 {
		t.Errorf("team_a.cursors has %d rows (%v), want 1", n, err)
	}
}

// openOneConnection opens a store on a new database with a pool of one
// connection, and a context that ends with the test (or after a minute).
func openOneConnection(t *testing.T) (*Store, context.Context) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	s, err := Open(ctx, dsn+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, ctx
}

// With pool_max_conns=1 the engine's habit of writing links from inside a
// walk still works: the walk holds no connection while its callback runs.
func TestOneConnectionPoolWalksAndWrites(t *testing.T) {
	s, ctx := openOneConnection(t)
	if got := s.Pool().Config().MaxConns; got != 1 {
		t.Fatalf("MaxConns = %d, want the DSN's 1", got)
	}
	var links []state.Link
	for i := range 2*linksPerPage + 10 {
		links = append(links, state.Link{User: "u", Source: "s", ItemID: fmt.Sprint(i), Kind: adapters.KindTask, ActivityID: "A"})
	}
	if err := s.PutLinks(ctx, links); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.Links(ctx, "u", func(l state.Link) error {
		n++
		l.ActivityVersion = "v2"
		return s.PutLinks(ctx, []state.Link{l})
	}); err != nil {
		t.Fatalf("walk with writes on one connection: %v", err)
	}
	if n != len(links) {
		t.Errorf("walked %d links, want %d", n, len(links))
	}
}

// FindLinks runs its look-ups with the kept plan (genericPlanSQL), and only
// them: on its one connection the session's plan_cache_mode, which River's
// queries run with, is PostgreSQL's default again afterwards, also after a
// look-up that failed.
func TestFindLinksKeepsTheSessionsPlanMode(t *testing.T) {
	s, ctx := openOneConnection(t)
	if err := s.PutLinks(ctx, []state.Link{
		{User: "u", Source: "s", ItemID: "1", Key: "k1", Kind: adapters.KindTask, ActivityID: "A1"},
		{User: "u", Source: "s", ItemID: "2", Key: "k2", Kind: adapters.KindTask, ActivityID: "A2"},
	}); err != nil {
		t.Fatal(err)
	}
	mode := func() string {
		t.Helper()
		var m string
		if err := s.pool.QueryRow(ctx, `SHOW plan_cache_mode`).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	want := mode()
	var got []string
	q := state.LinkQuery{Items: []state.ItemRef{{Source: "s", ItemID: "1"}}, Keys: []string{"k2"}, ActivityIDs: []string{"A1", "A9"}}
	if err := s.FindLinks(ctx, "u", q, func(l state.Link) error {
		got = append(got, l.ItemID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2]" {
		t.Errorf("found items %v, want [1 2]", got)
	}
	if m := mode(); m != want {
		t.Errorf("plan_cache_mode after FindLinks = %q, want the session's %q", m, want)
	}
	stop := errors.New("stop")
	if err := s.FindLinks(ctx, "u", q, func(state.Link) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("FindLinks = %v, want the callback's error", err)
	}
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if err := s.FindLinks(cctx, "u", q, func(state.Link) error { return nil }); err == nil {
		t.Fatal("FindLinks with a cancelled context: no error")
	}
	if m := mode(); m != want {
		t.Errorf("plan_cache_mode after failed look-ups = %q, want %q", m, want)
	}
}
