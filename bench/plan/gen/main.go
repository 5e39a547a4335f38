// Command gen fills a gwsync state and an embedded CRM (crmsql, SQLite)
// with N linked items of one user's source, as if they had been synced,
// and then moves the times of CHANGED of the activities in the CRM (a
// CRM-side edit): the input of bench/plan/run.sh. Rows go in by bulk
// INSERT, not through a sync. Both databases must exist already (a first
// `gwsync sync` made them, and stored the source's and the CRM's cursor);
// gen sets the CRM cursor to just before the moves.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

func main() {
	state := flag.String("state", "", "the state database (SQLite file)")
	crm := flag.String("crm", "", "the crmsql database (SQLite file)")
	user := flag.String("user", "alice", "the user")
	source := flag.String("source", "cal", "the source's config name")
	n := flag.Int("n", 1_000_000, "links (and activities)")
	changed := flag.Int("changed", 10_000, "activities whose times move in the CRM")
	body := flag.Int("body", 2000, "bytes of body per activity")
	flag.Parse()
	if *state == "" || *crm == "" {
		log.Fatal("gen: -state and -crm are required")
	}
	ctx := context.Background()
	cdb := open(*crm)
	sdb := open(*state)
	var first int64
	if err := cdb.QueryRow(`SELECT coalesce(max(id), 0) + 1 FROM activities`).Scan(&first); err != nil {
		log.Fatalf("gen: %s: %v", *crm, err)
	}
	start := time.Now()
	// The change-numbering triggers cost two UPDATEs a row: they are set
	// aside for the bulk insert, which numbers the rows itself, and made
	// again from their stored SQL.
	triggers := setAsideTriggers(cdb, *crm)
	fill(ctx, cdb, *crm, *n, func(b *batch, i int) {
		id := first + int64(i)
		b.add(`(?, ?, 'APPOINTMENT', ?, ?, ?, ?, ?, ?, ?)`, id, id, fmt.Sprintf("Meeting %d", i), strings.Repeat("x", *body),
			stamp(at(i)), stamp(at(i).Add(time.Hour)), key(i), *source, item(i))
	}, `INSERT INTO activities (change_seq, id, type, subject, body, start_at, end_at, ext_key, source, source_item) VALUES `)
	fill(ctx, cdb, *crm, *n, func(b *batch, i int) { b.add(`(?, ?)`, first+int64(i), *user) },
		`INSERT INTO activity_owners (activity_id, owner) VALUES `)
	for _, q := range append([]string{`UPDATE change_counter SET last = (SELECT max(change_seq) FROM activities)`}, triggers...) {
		if _, err := cdb.Exec(q); err != nil {
			log.Fatalf("gen: %s: %v", *crm, err)
		}
	}
	log.Printf("gen: %d activities in %s", *n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	now := time.Now().UTC().Format(time.RFC3339)
	fill(ctx, sdb, *state, *n, func(b *batch, i int) {
		b.add(`(?, ?, ?, ?, 'event', ?, ?, ?, ?, 'etag', '1', ?)`, *user, *source, item(i), key(i),
			fmt.Sprint(first+int64(i)), stamp(at(i)), stamp(at(i).Add(time.Hour)), "", now)
	}, `INSERT INTO links (user, source, item_id, key, kind, activity_id, base_start, base_end, time_zone, item_version, activity_version, updated_at) VALUES `)
	log.Printf("gen: %d links in %s", *n, time.Since(start).Round(time.Millisecond))
	var counter int64
	if err := cdb.QueryRow(`SELECT last FROM change_counter`).Scan(&counter); err != nil {
		log.Fatalf("gen: %s: %v", *crm, err)
	}
	cursor := fmt.Sprintf("v1 %d %d", counter, time.Now().Unix())
	if _, err := sdb.Exec(`INSERT INTO cursors (user, source, cursor) VALUES (?, ':crm', ?)
		ON CONFLICT (user, source) DO UPDATE SET cursor = excluded.cursor`, *user, cursor); err != nil {
		log.Fatalf("gen: %s: %v", *state, err)
	}
	// The CRM-side edits, spread over the activities.
	step := max(1, *n/max(1, *changed))
	if _, err := cdb.Exec(`UPDATE activities SET start_at = strftime('%Y-%m-%dT%H:%M:%SZ', start_at, '+30 minutes'),
		end_at = strftime('%Y-%m-%dT%H:%M:%SZ', end_at, '+30 minutes') WHERE id >= ? AND (id - ?) % ? = 0`, first, first, step); err != nil {
		log.Fatalf("gen: %s: moving times: %v", *crm, err)
	}
	for _, db := range []*sql.DB{cdb, sdb} {
		if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			log.Fatalf("gen: checkpoint: %v", err)
		}
		db.Close()
	}
	log.Printf("gen: moved every %dth activity in the CRM; CRM cursor %s", step, cursor)
}

// setAsideTriggers drops the change-numbering triggers and returns the
// statements that make them again.
func setAsideTriggers(db *sql.DB, path string) []string {
	rows, err := db.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'activities_change_%'`)
	if err != nil {
		log.Fatalf("gen: %s: %v", path, err)
	}
	var names, stmts []string
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			log.Fatalf("gen: %s: %v", path, err)
		}
		names, stmts = append(names, name), append(stmts, stmt)
	}
	rows.Close()
	if len(names) != 3 {
		log.Fatalf("gen: %s: found triggers %v, want the 3 of crmsql's migration 0004", path, names)
	}
	for _, name := range names {
		if _, err := db.Exec(`DROP TRIGGER ` + name); err != nil {
			log.Fatalf("gen: %s: %v", path, err)
		}
	}
	return stmts
}

func open(path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		log.Fatalf("gen: %s: %v", path, err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func at(i int) time.Time {
	return time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i%20000) * time.Hour)
}
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
func key(i int) string         { return fmt.Sprintf("ical:bench-%d", i) }
func item(i int) string        { return fmt.Sprintf("bench-%d.ics", i) }

// batch is one multi-row INSERT being built.
type batch struct {
	rows []string
	args []any
}

func (b *batch) add(row string, args ...any) {
	b.rows = append(b.rows, row)
	b.args = append(b.args, args...)
}

// fill inserts n rows, 100 per statement, in one transaction.
func fill(ctx context.Context, db *sql.DB, path string, n int, row func(*batch, int), insert string) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatalf("gen: %s: %v", path, err)
	}
	b := &batch{}
	flush := func() {
		if len(b.rows) == 0 {
			return
		}
		if _, err := tx.Exec(insert+strings.Join(b.rows, ", "), b.args...); err != nil {
			log.Fatalf("gen: %s: %v", path, err)
		}
		b.rows, b.args = b.rows[:0], b.args[:0]
	}
	for i := range n {
		row(b, i)
		if len(b.rows) == 100 {
			flush()
		}
	}
	flush()
	if err := tx.Commit(); err != nil {
		log.Fatalf("gen: %s: %v", path, err)
	}
}
