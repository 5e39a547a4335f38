package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// asyncTx runs the statements fill queues as one transaction in one round
// trip (BEGIN, the statements, COMMIT, pipelined), committing without
// waiting for the WAL to reach the disk (synchronous_commit off for this
// transaction only). Only for writes whose loss in a database crash
// (never in a clean restart) is harmless: see where it is used. read
// reads the results of fill's statements, in order. On an error the
// transaction is rolled back and the connection goes back to the pool
// clean.
func (s *Store) asyncTx(ctx context.Context, fill func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	return s.oneTripTx(ctx, false, fill, read)
}

// durableTx is asyncTx with a commit that waits for the disk, as every
// other write: for writes that must survive a database crash.
func (s *Store) durableTx(ctx context.Context, fill func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	return s.oneTripTx(ctx, true, fill, read)
}

// oneTripTx is asyncTx and durableTx.
func (s *Store) oneTripTx(ctx context.Context, durable bool, fill func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if !durable {
		// SET LOCAL: set_config(..., true) outside an explicit block
		// outlives the statement's implicit transaction on the connection.
		b.Queue("SET LOCAL synchronous_commit = off")
	}
	fill(b)
	b.Queue("COMMIT")
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec() // BEGIN
	if err == nil && !durable {
		_, err = br.Exec() // SET LOCAL
	}
	if err == nil {
		err = read(br)
	}
	if err == nil {
		_, err = br.Exec() // COMMIT
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil && conn.Conn().PgConn().TxStatus() != 'I' {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	return err
}
