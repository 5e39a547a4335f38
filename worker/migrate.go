package worker

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLockKey is the advisory lock Migrate holds: rivermigrate itself
// does not serialise concurrent migrators, and N replicas starting at once
// would otherwise race on CREATE TABLE. (River's migrations cannot run in
// one transaction: one adds an enum value and uses it.)
const migrateLockKey = 0x67777379_6e63 // "gwsync"

// Migrate brings River's tables in pool's database up to date. It is safe
// to call from many processes at once: one migrates, the others wait for
// it and then find nothing to do. The lock is held on a connection of its
// own, outside the pool, so a small pool cannot starve the migration.
// Errors: the database cannot be reached, or a migration failed.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrateLockKey)); err != nil {
		return fmt.Errorf("river migrations: lock: %w", err)
	}
	// Closing the connection releases the lock too, whatever happens.
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}
