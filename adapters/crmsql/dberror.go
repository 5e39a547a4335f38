package crmsql

import (
	"errors"

	"github.com/gwsync/gwsync/adapters"
	"modernc.org/sqlite"
)

// SQLite primary result codes that mean "another writer holds the lock".
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// dbError gives a database error its code: Temporary when the database
// stayed locked past the busy timeout (another process was writing; worth
// retrying), Unknown otherwise (a cancelled context keeps its identity for
// errors.Is). dbError(op, nil) is nil.
func dbError(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		if c := se.Code() & 0xff; c == sqliteBusy || c == sqliteLocked {
			return adapters.Wrap(adapters.CodeTemporary, err, op+": database is locked")
		}
	}
	return adapters.Wrap(adapters.CodeUnknown, err, op)
}
