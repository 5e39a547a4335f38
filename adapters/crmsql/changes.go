package crmsql

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// ListChanges emits the activities of q.Owner changed since q.Since (see
// adapters.ChangeLister): those whose change_seq, set by the triggers of
// migrations 0004 and 0005 (SQLite, where Upsert numbers the rows it
// inserts itself, see insertNew) / 0002, 0003 and 0005 (PostgreSQL), is
// greater. The rows come from one statement, narrow for activities
// imported from groupware (no body, location, owners, contacts or
// attachments are read) and whole for those created in the CRM, which
// may be exported. The same statement reads the change counter (a row
// with id 0) and, on PostgreSQL, the horizon (id -1): one round trip, and
// one snapshot, for a CRM in which nothing changed.
//
// The cursor returned is the horizon: every change numbered at or below
// it was visible to the statement. On SQLite that is the counter (one
// writer at a time numbers and commits in order). On PostgreSQL a change
// is numbered by its transaction, and the horizon stops below the oldest
// transaction still open: a change it commits later is listed next time,
// and what this listing emitted above the horizon is emitted again.
//
// Errors as for ListActivities, and CursorInvalid when q.Since is beyond
// the store's change counter (another or a restored database).
func (s *Store) ListChanges(ctx context.Context, q adapters.ChangeQuery, emit func(adapters.Activity) error) (adapters.ChangeEnd, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return adapters.ChangeEnd{}, err
	}
	query, args := changesQuery(s.dialect, q)
	rows, err := db.QueryContext(ctx, s.dialect.bind(query), args...)
	if err != nil {
		return adapters.ChangeEnd{}, s.dbError("list changes", err)
	}
	defer rows.Close()
	end := adapters.ChangeEnd{Cursor: q.Since}
	counter, horizon := int64(-1), int64(-1) // until their rows are read
	for rows.Next() {
		var change int64
		a, err := scanActivity(rows, &change)
		if err != nil {
			if adapters.CodeOf(err) == adapters.CodeUnknown {
				err = s.dbError("list changes", err)
			}
			return adapters.ChangeEnd{}, err
		}
		switch a.ID { // ids start at 1
		case "0":
			counter = change
			continue
		case "-1":
			horizon = change
			continue
		}
		a.Change = change
		if err := emit(a); err != nil {
			return adapters.ChangeEnd{}, err
		}
		end.Count++
	}
	if err := rows.Err(); err != nil {
		return adapters.ChangeEnd{}, s.dbError("list changes", err)
	}
	// Every row the statement saw has a number at most the counter's, so
	// with q.Since beyond it nothing was emitted above.
	if q.Since > counter {
		return adapters.ChangeEnd{}, adapters.Wrap(adapters.CodeCursorInvalid,
			fmt.Errorf("change cursor %d is beyond this database's counter %d (another or a restored database)", q.Since, counter), "crmsql")
	}
	if s.dialect.changeHorizon == "" {
		horizon = counter
	}
	end.Cursor = max(end.Cursor, horizon)
	return end, nil
}

// changesQuery builds the narrow listing: the columns of activitySelect,
// with the body and related rows of imported activities left empty, and
// change_seq last.
func changesQuery(d *dialect, q adapters.ChangeQuery) (string, []any) {
	whole := func(col, empty string) string {
		return "CASE WHEN a.ext_key IS NULL THEN " + col + " ELSE " + empty + " END"
	}
	query := `
SELECT a.id, CAST(a.version AS TEXT), a.type,
       COALESCE(a.subject, ''), ` + whole("COALESCE(a.body, '')", "''") + `, ` + whole("COALESCE(a.location, '')", "''") + `,
       a.start_at, a.end_at, a.due_at, a.all_day,
       COALESCE(a.time_zone, ''), COALESCE(a.busy, ''),
       a.ext_key, COALESCE(a.source, ''), COALESCE(a.source_item, ''), a.updated_at,
       ` + whole(d.ownersJSON, "'[]'") + `,
       ` + whole(d.contactsJSON, "'[]'") + `,
       ` + whole(d.attachmentsJSON, "'[]'") + `,
       a.change_seq`
	var args []any
	switch {
	case q.Owner != "" && d.ownerChanges:
		// The range of the owner's rows in activity_owners_by_change:
		// only this owner's changes are read, however many other users
		// wrote since q.Since. The copy of change_seq there equals the
		// activity's in every snapshot (0004_owner_changes.sql).
		//
		// Each activity is then read by its id, in a LATERAL subquery
		// that OFFSET 0 keeps from being merged into a join: the plan a
		// connection caches must not depend on statistics. Planned as a
		// join while the table was new (no statistics yet), the cached
		// plan read every activity into a hash on every listing, 4,000
		// rows and 9 ms per user by the end of the scale benchmark's
		// first cycle, until an ANALYZE happened to replace it.
		query += `
  FROM activity_owners ao
  CROSS JOIN LATERAL (SELECT * FROM activities WHERE id = ao.activity_id OFFSET 0) a
 WHERE ao.owner = ? AND ao.change_seq > ?`
		args = []any{q.Owner, q.Since}
	case q.Owner != "":
		// EXISTS, not IN: with IN, SQLite walks every row of the owner
		// (a million) and looks each activity up; EXISTS keeps the
		// range scan of activities_by_change and checks the owner per
		// changed row.
		query += `
  FROM activities a
 WHERE a.change_seq > ? AND EXISTS (SELECT 1 FROM activity_owners o WHERE o.activity_id = a.id AND o.owner = ?)`
		args = []any{q.Since, q.Owner}
	default:
		query += `
  FROM activities a
 WHERE a.change_seq > ?`
		args = []any{q.Since}
	}
	if len(q.Types) > 0 {
		marks := make([]string, len(q.Types))
		for i, t := range q.Types {
			marks[i] = "?"
			args = append(args, string(t))
		}
		query += ` AND a.type IN (` + strings.Join(marks, ", ") + `)`
	}
	// The counter's row, and the horizon's, shaped so that scanActivity
	// reads them: ids 0 and -1, no times, empty lists.
	query += numberRow(0, d.changeCounter)
	if d.changeHorizon != "" {
		query += numberRow(-1, d.changeHorizon)
	}
	return query + `
 ORDER BY change_seq`, args
}

// numberRow is a row of the change listing that carries a number (the
// value of query) instead of an activity.
func numberRow(id int, query string) string {
	return `
UNION ALL
SELECT ` + strconv.Itoa(id) + `, '', '', '', '', '', NULL, NULL, NULL, 0, '', '', NULL, '', '', NULL, '[]', '[]', '[]', (` + query + `)`
}
