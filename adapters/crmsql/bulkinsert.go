package crmsql

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// rowsPerInsert is how many rows one multi-row INSERT carries. An import
// batch is hundreds of new activities; one statement per row was most of
// Upsert's time (each statement costs its own bind, step and reset), and
// 64 rows of 15 columns stay far below SQLite's variable limit.
const rowsPerInsert = 64

// insertNew creates, with multi-row statements, the activity of every
// request whose key is not in the store yet (the first request per key;
// later ones in the batch find it as existing), with its owners, contacts
// and attachments. idx are the requests to consider. It returns the stored
// form of each created activity by request index.
func (s *Store) insertNew(ctx context.Context, b *batchTx, acts []adapters.Activity, idx []int) (map[int]adapters.Activity, error) {
	now := time.Now().UTC().Truncate(time.Second)
	nowText := now.Format(storedTimeLayout)
	ids := make(map[string]int64, len(idx))
	// Rows go in in key order, so that two writers inserting overlapping
	// keys (the same e-mail in two users' mailboxes, on PostgreSQL where
	// writers run side by side) take the key locks in the same order and
	// cannot deadlock. The sort is stable: of repeated keys the first
	// request's row is the one inserted.
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(x, y int) int { return strings.Compare(acts[x].Key, acts[y].Key) })
	numbered, err := b.changeNumbers(ctx, len(order))
	if err != nil {
		return nil, err
	}
	err = insertRows(ctx, b, len(order), activityColumns, activitiesInsert,
		` ON CONFLICT (ext_key) DO NOTHING RETURNING id, ext_key`,
		func(args []any, n int) []any { return appendActivityRow(args, acts[order[n]], nowText, numbered.at(n)) },
		collectIDs(ids))
	if err != nil {
		return nil, err
	}
	created := make(map[int]adapters.Activity, len(ids))
	var owners, links, files []any
	for _, i := range idx {
		a := acts[i]
		id, ok := ids[a.Key]
		if !ok {
			continue
		}
		delete(ids, a.Key) // a later request with this key finds it existing
		names := ownerNames(a.Owners)
		for _, o := range names {
			owners = append(owners, id, o)
		}
		emails, contactIDs, err := s.resolveContacts(ctx, b, id, a.Contacts, s.createContacts)
		if err != nil {
			return nil, err
		}
		for _, c := range contactIDs {
			links = append(links, id, c)
		}
		files = appendAttachmentRows(files, id, a.Attachments)
		created[i] = storedActivity(id, now, a, names, emails)
	}
	for _, t := range []struct {
		head string
		cols int
		args []any
	}{
		{`INSERT INTO activity_owners (activity_id, owner) VALUES `, 2, owners},
		{`INSERT INTO activity_contacts (activity_id, contact_id) VALUES `, 2, links},
		{attachmentsInsert, attachmentColumns, files},
	} {
		tail := ` ON CONFLICT DO NOTHING`
		if t.head == attachmentsInsert {
			tail = ""
		}
		if err := insertRows(ctx, b, len(t.args)/t.cols, t.cols, t.head, tail, flatRow(t.args, t.cols), nil); err != nil {
			return nil, err
		}
	}
	// After the owners: until the counter passes them, the owner trigger
	// takes the new rows for this insert's own and leaves them alone.
	if err := numbered.raise(ctx, b); err != nil {
		return nil, err
	}
	return created, nil
}

// collectIDs reads the (id, ext_key) rows an insert of activities
// returns into ids, by key.
func collectIDs(ids map[string]int64) func(scanner) error {
	return func(sc scanner) error {
		var id int64
		var key string
		if err := sc.Scan(&id, &key); err != nil {
			return err
		}
		ids[key] = id
		return nil
	}
}

// changeRange is the change numbers an insert gives its n new rows
// itself: above from, the counter it read. The zero range numbers nothing
// (the database's trigger does).
type changeRange struct{ from, n int64 }

// changeNumbers reserves n change numbers when the dialect numbers
// inserts itself (see dialect.raiseCounter).
func (b *batchTx) changeNumbers(ctx context.Context, n int) (changeRange, error) {
	if b.d.raiseCounter == "" || n == 0 {
		return changeRange{}, nil
	}
	var last int64
	if err := b.queryRow(ctx, b.d.changeCounter).Scan(&last); err != nil {
		return changeRange{}, err
	}
	return changeRange{from: last, n: int64(n)}, nil
}

// at is the change number of row i, 0 when the database numbers it.
func (r changeRange) at(i int) int64 {
	if r.n == 0 {
		return 0
	}
	return r.from + 1 + int64(i)
}

// raise sets the counter to the last number of the range.
func (r changeRange) raise(ctx context.Context, b *batchTx) error {
	if r.n == 0 {
		return nil
	}
	return b.exec(ctx, b.d.raiseCounter, r.from+r.n, r.from+r.n)
}

// ownerNames are the owners to store: trimmed, non-empty, each once.
func ownerNames(owners []string) []string {
	var out []string
	for _, o := range owners {
		if o = strings.TrimSpace(o); o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// insertRows runs head + "(?, ...), ..." + tail for n rows of cols values,
// rowsPerInsert rows per statement; row appends the values of row i. When
// scan is set the statement returns rows (RETURNING), each passed to scan.
func insertRows(ctx context.Context, b *batchTx, n, cols int, head, tail string,
	row func(args []any, i int) []any, scan func(scanner) error) error {
	args := make([]any, 0, rowsPerInsert*cols)
	for first := 0; first < n; first += rowsPerInsert {
		count := min(rowsPerInsert, n-first)
		args = args[:0]
		for i := first; i < first+count; i++ {
			args = row(args, i)
		}
		query := head + valuesList(count, cols) + tail
		if scan == nil {
			if err := b.exec(ctx, query, args...); err != nil {
				return err
			}
			continue
		}
		if err := b.queryEach(ctx, query, args, scan); err != nil {
			return err
		}
	}
	return nil
}

// insertFlat inserts rows given as one flat list of values, cols per row.
func insertFlat(ctx context.Context, b *batchTx, head string, cols int, flat []any) error {
	return insertRows(ctx, b, len(flat)/cols, cols, head, "", flatRow(flat, cols), nil)
}

// flatRow appends row i of a flat list of values, cols per row.
func flatRow(flat []any, cols int) func(args []any, i int) []any {
	return func(args []any, i int) []any { return append(args, flat[i*cols:(i+1)*cols]...) }
}

// valuesList is "(?, ?), (?, ?)" for rows rows of cols placeholders.
func valuesList(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}
