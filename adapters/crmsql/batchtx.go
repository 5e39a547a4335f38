package crmsql

import (
	"context"
	"database/sql"
)

// batchTx is one write transaction that parses each distinct statement
// once. An import batch runs the same few statements hundreds of times,
// and parsing them again each time was most of Upsert's cost. On SQLite
// the transaction prepares them; on PostgreSQL pgx's statement cache of
// the connection does (see dialect.cachesStatements), so a statement is
// parsed once per connection rather than prepared and deallocated, two
// round trips, in every transaction.
type batchTx struct {
	d        *dialect
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	bound    map[string]string     // query -> d.bind(query), where statements are not prepared here
	contacts map[string]contactRef // by nocaseKey(email); see contact
	parsed   map[string]parsedContact
}

// beginBatch starts a write transaction. On SQLite it is IMMEDIATE (the
// DSN's _txlock), so a batch holds the write lock from its start and two
// writers queue up on the busy timeout instead of deadlocking on a lock
// upgrade. On PostgreSQL it is READ COMMITTED: a statement sees what
// others committed before it, which is how Upsert finds a key another
// writer created meanwhile.
func beginBatch(ctx context.Context, d *dialect, db *sql.DB) (*batchTx, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &batchTx{d: d, tx: tx, stmts: map[string]*sql.Stmt{}, bound: map[string]string{},
		contacts: map[string]contactRef{}, parsed: map[string]parsedContact{}}, nil
}

// maxTxAttempts is how often inTx runs a transaction that lost a
// deadlock or serialization race (PostgreSQL, two workers writing the
// same rows in different orders). Every batch is idempotent, so running
// it again is safe; past this the error is Temporary.
const maxTxAttempts = 4

// inTx runs fn in a write transaction and commits it, running it again
// (from scratch, in a new transaction) when the database aborted it to
// break a deadlock. Errors: fn's or the commit's, as they are (the caller
// gives them their code with dbError).
func inTx(ctx context.Context, d *dialect, db *sql.DB, fn func(*batchTx) error) error {
	for attempt := 1; ; attempt++ {
		err := runTx(ctx, d, db, fn)
		if err == nil || !isRetryable(err) || attempt == maxTxAttempts || ctx.Err() != nil {
			return err
		}
	}
}

func runTx(ctx context.Context, d *dialect, db *sql.DB, fn func(*batchTx) error) error {
	tx, err := beginBatch(ctx, d, db)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.commit()
}

// stmt prepares query (written with '?' placeholders) once per
// transaction.
func (b *batchTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(ctx, b.d.bind(query)) // closed with the transaction
	if err != nil {
		return nil, err
	}
	b.stmts[query] = st
	return st, nil
}

// bind is query for the database, rewritten once per transaction.
func (b *batchTx) bind(query string) string {
	q, ok := b.bound[query]
	if !ok {
		q = b.d.bind(query)
		b.bound[query] = q
	}
	return q
}

// queryRow runs a query expected to return at most one row. A failure to
// prepare surfaces from Scan, as with *sql.Row.
func (b *batchTx) queryRow(ctx context.Context, query string, args ...any) scanner {
	if b.d.cachesStatements {
		return b.tx.QueryRowContext(ctx, b.bind(query), args...)
	}
	st, err := b.stmt(ctx, query)
	if err != nil {
		return failedRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// queryEach runs a query and passes each row to fn.
func (b *batchTx) queryEach(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	var rows *sql.Rows
	var err error
	if b.d.cachesStatements {
		rows, err = b.tx.QueryContext(ctx, b.bind(query), args...)
	} else {
		var st *sql.Stmt
		if st, err = b.stmt(ctx, query); err == nil {
			rows, err = st.QueryContext(ctx, args...)
		}
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exec runs a statement that returns no rows.
func (b *batchTx) exec(ctx context.Context, query string, args ...any) error {
	if b.d.cachesStatements {
		_, err := b.tx.ExecContext(ctx, b.bind(query), args...)
		return err
	}
	st, err := b.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func (b *batchTx) commit() error { return b.tx.Commit() }

// rollback ends the transaction unless it was committed; it is deferred
// right after beginBatch.
func (b *batchTx) rollback() { _ = b.tx.Rollback() }

// failedRow is a row whose query could not even be prepared.
type failedRow struct{ err error }

func (r failedRow) Scan(...any) error { return r.err }
