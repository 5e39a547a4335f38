package crmsql

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/gwsync/gwsync/adapters"
)

// UpdateTimes changes only the raster (start_at, end_at, due_at, all_day,
// time_zone) of existing activities, in one transaction. The version bump
// comes from the schema's trigger, so gwsync's writes and a person's
// sqlite3 edits count alike. Results are one per change, in order, with the
// version after the write (unchanged when the raster already matched).
//
// Per-item errors: NotFound for an id that is not an activity of this
// store; Conflict, naming both versions, when IfVersion is set and differs
// from the stored version. Call errors: the batch is rolled back;
// Temporary when the database stays locked, Unknown otherwise.
func (s *Store) UpdateTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []adapters.ChangeResult
	var failedID string
	err = inTx(ctx, s.dialect, db, func(tx *batchTx) error {
		out = make([]adapters.ChangeResult, len(changes))
		for i, c := range changes {
			out[i].ID = c.ID
			version, err := updateOneRaster(ctx, tx, c)
			if adapters.CodeOf(err) != adapters.CodeUnknown {
				out[i].Err = err
				continue
			}
			if err != nil {
				failedID = c.ID
				return err
			}
			out[i].Version = version
		}
		failedID = ""
		return nil
	})
	if err != nil {
		op := "update times"
		if failedID != "" {
			op += " of activity " + failedID
		}
		return nil, s.dbError(op, err)
	}
	return out, nil
}

// updateOneRaster applies one change and returns the new version. Errors:
// NotFound, Conflict, or the database's error (code Unknown).
func updateOneRaster(ctx context.Context, tx *batchTx, c adapters.TimeChange) (string, error) {
	id, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil {
		return "", adapters.Errorf(adapters.CodeNotFound, "crmsql: activity %q not found (ids are numbers)", c.ID)
	}
	current, err := activityVersion(ctx, tx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", adapters.Errorf(adapters.CodeNotFound, "crmsql: activity %d not found", id)
	}
	if err != nil {
		return "", err
	}
	if c.IfVersion != "" && c.IfVersion != current {
		return "", adapters.Errorf(adapters.CodeConflict,
			"crmsql: activity %d changed in the CRM (version %s, expected %s)", id, current, c.IfVersion)
	}
	r := c.Raster.Normalized()
	if err := tx.exec(ctx,
		`UPDATE activities SET start_at = ?, end_at = ?, due_at = ?, all_day = ?, time_zone = ? WHERE id = ?`,
		timeText(r.Start), timeText(r.End), timeText(r.Due), boolInt(r.AllDay), r.TimeZone, id); err != nil {
		return "", err
	}
	return activityVersion(ctx, tx, id)
}

// activityVersion reads the version as the wire shows it. Errors:
// sql.ErrNoRows for a missing activity.
func activityVersion(ctx context.Context, b *batchTx, id int64) (string, error) {
	var v string
	err := b.queryRow(ctx, `SELECT CAST(version AS TEXT) FROM activities WHERE id = ?`, id).Scan(&v)
	return v, err
}
