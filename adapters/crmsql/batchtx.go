package crmsql

import (
	"context"
	"database/sql"
)

// batchTx is one write transaction that prepares each distinct statement
// once. An import batch runs the same few statements hundreds of times,
// and parsing them again each time was most of Upsert's cost.
type batchTx struct {
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	contacts map[string]contactRef // by nocaseKey(email); see contact
}

// beginBatch starts an IMMEDIATE transaction (the DSN's _txlock), so a
// batch holds the write lock from its start and two writers queue up on
// the busy timeout instead of deadlocking on a lock upgrade.
func beginBatch(ctx context.Context, db *sql.DB) (*batchTx, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &batchTx{tx: tx, stmts: map[string]*sql.Stmt{}, contacts: map[string]contactRef{}}, nil
}

func (b *batchTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(ctx, query) // closed with the transaction
	if err != nil {
		return nil, err
	}
	b.stmts[query] = st
	return st, nil
}

// queryRow runs a query expected to return at most one row. A failure to
// prepare surfaces from Scan, as with *sql.Row.
func (b *batchTx) queryRow(ctx context.Context, query string, args ...any) scanner {
	st, err := b.stmt(ctx, query)
	if err != nil {
		return failedRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// queryEach runs a query and passes each row to fn.
func (b *batchTx) queryEach(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	st, err := b.stmt(ctx, query)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
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
