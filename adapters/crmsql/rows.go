package crmsql

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// activitySelect reads whole activities in one statement: the owners,
// contact e-mails and attachments come along as JSON arrays, so a listing
// is a single consistent read (one snapshot) with no query per row.
// Attachment content is never read, only whether it is NULL, so a listing
// costs the same with gigabytes of attachments stored. Callers append a
// WHERE clause and an ORDER BY.
func (d *dialect) activitySelect() string {
	return `
SELECT a.id, CAST(a.version AS TEXT), a.type,
       COALESCE(a.subject, ''), COALESCE(a.body, ''), COALESCE(a.location, ''),
       a.start_at, a.end_at, a.due_at, a.all_day,
       COALESCE(a.time_zone, ''), COALESCE(a.busy, ''),
       a.ext_key, COALESCE(a.source, ''), COALESCE(a.source_item, ''), a.updated_at,
       ` + d.ownersJSON + `,
       ` + d.contactsJSON + `,
       ` + d.attachmentsJSON + `
  FROM activities a`
}

// scanner is *sql.Row, *sql.Rows or failedRow.
type scanner interface{ Scan(dest ...any) error }

// scanActivity reads one row of activitySelect. A time column that cannot
// be parsed is an InvalidItem error naming the activity id and the column:
// the row was edited by hand, and guessing would sync a wrong time.
// extra receives columns a caller appended after activitySelect's.
func scanActivity(row scanner, extra ...any) (adapters.Activity, error) {
	var (
		a                         adapters.Activity
		id                        int64
		typ, busy                 string
		start, end, due, modified *string
		allDay                    int64
		key                       *string
		owners, contacts, files   string
	)
	err := row.Scan(append([]any{&id, &a.Version, &typ, &a.Subject, &a.Body, &a.Location,
		&start, &end, &due, &allDay, &a.Raster.TimeZone, &busy,
		&key, &a.Source, &a.SourceItem, &modified, &owners, &contacts, &files}, extra...)...)
	if err != nil {
		return adapters.Activity{}, err
	}
	a.ID = strconv.FormatInt(id, 10)
	a.Type = adapters.ActivityType(typ)
	a.Busy = adapters.BusyStatus(busy)
	a.Raster.AllDay = allDay != 0
	if key != nil {
		a.Key = *key
	}
	for _, col := range []struct {
		name string
		text *string
		dst  *time.Time
	}{
		{"start_at", start, &a.Raster.Start},
		{"end_at", end, &a.Raster.End},
		{"due_at", due, &a.Raster.Due},
		{"updated_at", modified, &a.Modified},
	} {
		t, err := parseTimeText(id, col.name, col.text)
		if err != nil {
			return adapters.Activity{}, adapters.Wrap(adapters.CodeInvalidItem, err, "crmsql")
		}
		*col.dst = t
	}
	if err := decodeJSONList(id, owners, &a.Owners); err != nil {
		return adapters.Activity{}, err
	}
	if err := decodeJSONList(id, contacts, &a.Contacts); err != nil {
		return adapters.Activity{}, err
	}
	if err := decodeJSONList(id, files, &a.Attachments); err != nil {
		return adapters.Activity{}, err
	}
	return a, nil
}

// decodeJSONList reads one of the JSON arrays of activitySelect. An empty
// array leaves *dst nil, so an activity without owners compares equal to
// one built in Go.
func decodeJSONList[T any](activityID int64, text string, dst *[]T) error {
	var list []T
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return fmt.Errorf("crmsql: activity %d: reading its related rows: %w", activityID, err)
	}
	if len(list) > 0 {
		*dst = list
	}
	return nil
}

// loadActivity reads one activity by id inside a write transaction.
// Errors: sql.ErrNoRows when it does not exist; the errors of scanActivity.
func loadActivity(ctx context.Context, b *batchTx, id int64) (adapters.Activity, error) {
	return scanActivity(b.queryRow(ctx, b.d.activitySelect()+` WHERE a.id = ?`, id))
}
