package crmsql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/internal/testenv/pgtest"
)

// newSchemaSink opens a crmsql sink on schema of the database at dsn.
func newSchemaSink(t *testing.T, dsn, schema string) adapters.Sink {
	t.Helper()
	opts, _ := json.Marshal(map[string]any{"dsn": dsn, "schema": schema})
	s, err := adapters.NewSink("crmsql", adapters.Config{Name: "crm", Options: opts})
	if err != nil {
		t.Fatalf("NewSink: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// An operator points crmsql at a schema of an existing database: the
// tables go there (created with the schema), the database's own tables
// of the same names are left alone, and two schemas are two CRMs.
func TestPostgresSchemaInAnExistingDatabase(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db := rawDB(t, dsn)
	// Another application's tables, with names crmsql uses too.
	mustExec(t, db, `CREATE TABLE activities (id serial PRIMARY KEY, what text)`)
	mustExec(t, db, `INSERT INTO activities (what) VALUES ('theirs')`)
	mustExec(t, db, `CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL)`)
	mustExec(t, db, `INSERT INTO schema_migrations VALUES (1, 'create_invoices')`)

	sales := newSchemaSink(t, dsn, "crm_sales")
	support := newSchemaSink(t, dsn, "crm_support")
	upsertOne(t, sales, meeting("ical:a", "alice"))
	upsertOne(t, sales, meeting("ical:b", "alice"))
	upsertOne(t, support, meeting("ical:a", "bob"))
	if n := len(listAll(t, sales, adapters.ActivityQuery{})); n != 2 {
		t.Fatalf("schema crm_sales lists %d activities, want 2", n)
	}
	if got := listAll(t, support, adapters.ActivityQuery{}); len(got) != 1 || got[0].Owners[0] != "bob" {
		t.Fatalf("schema crm_support lists %+v", got)
	}
	var tables int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'crm_sales'
		AND table_name IN ('activities', 'activity_owners', 'contacts', 'activity_contacts', 'attachments', 'schema_migrations')`).Scan(&tables); err != nil || tables != 6 {
		t.Fatalf("crm_sales holds %d of the 6 tables (%v)", tables, err)
	}
	var theirs string
	if err := db.QueryRow(`SELECT string_agg(what, ',') FROM public.activities`).Scan(&theirs); err != nil || theirs != "theirs" {
		t.Fatalf("the database's own activities table: %q, %v", theirs, err)
	}

	// Without a schema, crmsql would share public with the other
	// application: it recognises the foreign schema_migrations and says
	// what to do instead of writing into it.
	_, err := crmsql.OpenStore(context.Background(), dsn)
	wantCode(t, err, adapters.CodeInvalidConfig)
	if !strings.Contains(err.Error(), "option schema") || !strings.Contains(err.Error(), "create_invoices") {
		t.Fatalf("error %q does not say why and what to do", err)
	}
}

// Replicas starting together on a new schema migrate it once: the
// advisory lock makes the others wait and then find nothing to do.
func TestPostgresReplicasStartingTogetherMigrateOnce(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	const replicas = 6
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := 0; i < replicas; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st, err := crmsql.OpenStoreOptions(context.Background(), crmsql.Options{DSN: dsn, Schema: "crm"})
			if err == nil {
				err = st.Close()
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	var n int
	if err := rawDB(t, dsn).QueryRow(`SELECT count(*) FROM crm.schema_migrations`).Scan(&n); err != nil || n != latestMigration(t, "postgres") {
		t.Fatalf("crm.schema_migrations has %d rows (%v), want one per migration", n, err)
	}
}

// Errors name the database as host:port/db and never carry the password,
// whatever pgx put into its own message.
func TestPostgresErrorsNameTheDatabaseWithoutPassword(t *testing.T) {
	good, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	hostPort, db := good.Host, strings.TrimPrefix(good.Path, "/")
	const secret = "Sup3r-Secret"
	withPassword := func(u url.URL, pw string) string {
		u.User = url.UserPassword(u.User.Username(), pw)
		return u.String()
	}
	closed := func() string { // a port nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}()
	for _, c := range []struct {
		name, dsn, where string
		code             adapters.Code
	}{
		{"wrong password", withPassword(*good, secret), hostPort + "/" + db, adapters.CodeInvalidConfig},
		{"no such database", func() string { u := *good; u.Path = "/no_such_db"; return withPassword(u, secret) }(),
			hostPort + "/no_such_db", adapters.CodeInvalidConfig},
		{"server down", func() string { u := *good; u.Host = closed; return withPassword(u, secret) }(),
			closed + "/" + db, adapters.CodeTemporary},
		{"unparsable", "postgres://gwsync:" + secret + "@127.0.0.1:notaport/x", "dsn", adapters.CodeInvalidConfig},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := crmsql.OpenStore(context.Background(), c.dsn)
			wantCode(t, err, c.code)
			msg := err.Error()
			if strings.Contains(msg, secret) || strings.Contains(msg, url.QueryEscape(secret)) {
				t.Fatalf("error carries the password: %s", msg)
			}
			if !strings.Contains(msg, c.where) {
				t.Fatalf("error %q does not name %q", msg, c.where)
			}
		})
	}
}

// Two workers (or more) import the same items at once, in different
// orders and with shared new contacts: every key becomes exactly one
// activity, exactly one Upsert reports it created, and every worker's
// owner is on it. On PostgreSQL the batches deadlock now and then; the
// loser runs again instead of failing the batch.
func TestConcurrentBatchesCreateEachKeyOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		first, dsn := newSink(t, b, true)
		const workers, keys = 4, 300
		sinks := []adapters.Sink{first}
		for len(sinks) < workers {
			opts, _ := json.Marshal(map[string]any{"dsn": dsn, "create_contacts": true})
			s, err := adapters.NewSink("crmsql", adapters.Config{Name: "crm", Options: opts})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			sinks = append(sinks, s)
		}
		created := make([]map[string]string, workers) // key -> id, per worker
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for w := range sinks {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				order := rand.New(rand.NewSource(int64(w))).Perm(keys)
				created[w] = map[string]string{}
				for start := 0; start < keys; start += 100 {
					var batch []adapters.Activity
					for _, k := range order[start : start+100] {
						a := meeting(fmt.Sprintf("ical:k%03d", k), fmt.Sprintf("user%d", w))
						a.Contacts = []string{fmt.Sprintf("c%d@example.com", k%13), fmt.Sprintf("w%d@example.com", w)}
						batch = append(batch, a)
					}
					res, err := sinks[w].Upsert(context.Background(), batch)
					if err != nil {
						errs[w] = err
						return
					}
					for _, r := range res {
						if r.Err != nil {
							errs[w] = r.Err
							return
						}
						if r.Created {
							created[w][r.Key] = r.Activity.ID
						}
					}
				}
			}(w)
		}
		wg.Wait()
		for w, err := range errs {
			if err != nil {
				t.Fatalf("worker %d: %v", w, err)
			}
		}
		all := listAll(t, first, adapters.ActivityQuery{})
		if len(all) != keys {
			t.Fatalf("%d activities for %d keys", len(all), keys)
		}
		creations := 0
		for _, m := range created {
			creations += len(m)
		}
		if creations != keys {
			t.Fatalf("%d Upserts reported Created for %d keys", creations, keys)
		}
		for _, a := range all {
			if len(a.Owners) != workers || len(a.Contacts) != 1+workers {
				t.Fatalf("activity %s (%s): owners %v, contacts %v", a.ID, a.Key, a.Owners, a.Contacts)
			}
		}
		var contacts int
		if err := rawDB(t, dsn).QueryRow(`SELECT count(*) FROM contacts`).Scan(&contacts); err != nil || contacts != 13+workers {
			t.Fatalf("%d contacts (%v), want %d", contacts, err, 13+workers)
		}
	})
}

// PostgreSQL's text cannot hold NUL or invalid UTF-8, which a broken
// e-mail may carry; such text is stored with U+FFFD in its place instead
// of failing the whole batch, and the result says what was stored.
func TestPostgresStoresUnstorableTextAsReplacement(t *testing.T) {
	s, _ := newSink(t, backends[1], false)
	bad := meeting("mid:<broken\x00@x>", "al\xffice")
	bad.Type = adapters.TypeMailIn
	bad.Subject = "caf\xe9 \x00menu"
	bad.Body = "line\x00two"
	bad.Attachments = []adapters.Attachment{{Name: "r\xe9sum\xe9.pdf", Size: 1}}
	res, err := s.Upsert(context.Background(), []adapters.Activity{bad, meeting("ical:fine", "alice")})
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	got := res[0].Activity
	if got.Subject != "caf\uFFFD \uFFFDmenu" || got.Body != "line\uFFFDtwo" || got.Key != "mid:<broken\uFFFD@x>" ||
		got.Owners[0] != "al\uFFFDice" || got.Attachments[0].Name != "r\uFFFDsum\uFFFD.pdf" {
		t.Fatalf("stored %+v", got)
	}
	listed := listAll(t, s, adapters.ActivityQuery{Owner: "al\uFFFDice"})
	if len(listed) != 1 || listed[0].Subject != got.Subject || listed[0].Key != got.Key {
		t.Fatalf("listed %+v", listed)
	}
	// The same broken item again is the same activity.
	if again := upsertOne(t, s, bad); again.Created || again.Activity.ID != got.ID {
		t.Fatalf("re-import: %+v", again)
	}
	if bad.Subject != "caf\xe9 \x00menu" || bad.Owners[0] != "al\xffice" {
		t.Fatal("Upsert changed the caller's activity")
	}
}

// A connection the server dropped (a restart, an administrator) costs at
// most one Temporary failure; the next call works on a new connection.
func TestPostgresDroppedConnectionsHeal(t *testing.T) {
	s, dsn := newSink(t, backends[1], false)
	upsertOne(t, s, meeting("ical:before", "alice"))
	mustExec(t, rawDB(t, pgtest.ServerDSN(t)), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = ? AND pid <> pg_backend_pid()`, strings.TrimPrefix(mustURL(t, dsn).Path, "/"))
	_, err := s.Upsert(context.Background(), []adapters.Activity{meeting("ical:during", "alice")})
	if err != nil && adapters.CodeOf(err) != adapters.CodeTemporary {
		t.Fatalf("Upsert on a dropped connection: %v (code %v), want success or Temporary", err, adapters.CodeOf(err))
	}
	upsertOne(t, s, meeting("ical:during", "alice"))
	if n := len(listAll(t, s, adapters.ActivityQuery{})); n != 2 {
		t.Fatalf("%d activities, want 2", n)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// An import writes each new activity's row once: its number comes with
// the insert, and the owners inserted with it (migration 0003) leave it
// alone. A row written twice leaves a second tuple behind, which moves
// the live row's ctid past the inserts.
func TestPostgresImportWritesEachActivityOnce(t *testing.T) {
	s, dsn := newSink(t, backends[1], true)
	batch := []adapters.Activity{meeting("ical:a", "alice", "bob"), meeting("ical:b", "alice"), meeting("ical:c", "carol")}
	batch[0].Contacts = []string{"x@example.com"}
	if _, err := s.Upsert(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	var last float64
	if err := rawDB(t, dsn).QueryRow(`SELECT max((ctid::text::point)[1]) FROM activities`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if last != float64(len(batch)) {
		t.Fatalf("the last activity's tuple is number %v of the page, want %d: a new row was written again", last, len(batch))
	}
	changes := map[string]int64{}
	_, err := s.(adapters.ChangeLister).ListChanges(context.Background(), adapters.ChangeQuery{Owner: "alice"}, func(a adapters.Activity) error {
		changes[a.Key] = a.Change
		return nil
	})
	if err != nil || len(changes) != 2 || changes["ical:a"] == 0 || changes["ical:a"] != changes["ical:b"] {
		t.Fatalf("alice's changes %v (%v), want ical:a and ical:b, numbered by their one transaction", changes, err)
	}
}

// Every owner row carries its activity's change number (migration 0004),
// whichever way the activity was written or renumbered: Upsert's one
// statement, an owner added to an existing activity by a later batch or
// by hand, a time update, an edit with psql. A copy that fell behind
// would hide the change from that owner's listing.
func TestPostgresOwnerRowsCarryTheChangeNumber(t *testing.T) {
	s, dsn := newSink(t, backends[1], true)
	db := rawDB(t, dsn)
	stale := func(step string) {
		t.Helper()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM activity_owners o JOIN activities a ON a.id = o.activity_id
			WHERE o.change_seq <> a.change_seq`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("after %s: %d owner rows with another change number than their activity", step, n)
		}
	}
	a := upsertOne(t, s, meeting("ical:a", "alice", "bob")).Activity
	stale("an import")
	upsertOne(t, s, meeting("ical:a", "carol"))
	stale("an owner added by a later batch")
	if _, err := s.Upsert(context.Background(), []adapters.Activity{meeting("ical:b", "alice"), meeting("ical:b", "dave")}); err != nil {
		t.Fatal(err)
	}
	stale("an owner added in the batch that created the activity")
	updateOne(t, s, adapters.TimeChange{ID: a.ID, Raster: adapters.Raster{Start: utc("2027-01-01T08:00:00Z")}})
	stale("a time update")
	mustExec(t, db, `UPDATE activities SET subject = 'by hand' WHERE id = ?`, a.ID)
	mustExec(t, db, `INSERT INTO activity_owners (activity_id, owner) VALUES (?, 'erin')`, a.ID)
	stale("an edit and an owner added with psql")
	got, _ := listChanges(t, s, adapters.ChangeQuery{Owner: "erin"})
	if len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("erin's listing = %v, want [%s]", ids(got), a.ID)
	}
}
