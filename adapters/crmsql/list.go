package crmsql

import (
	"context"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// ListActivities emits the activities owned by q.Owner ("" means every
// activity) of the types in q.Types (empty means all), ordered by id, each
// with its owners, contact e-mails and attachments, then returns how many
// it emitted. The rows come from one statement, so the listing is one
// consistent snapshot even while others write.
//
// Errors: any error means the listing is incomplete. A row whose time text
// cannot be read (edited by hand) stops the listing with an InvalidItem
// error naming the activity id and column; an error from emit is returned
// as it is; a locked database is Temporary.
func (s *Store) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return adapters.ListEnd{}, err
	}
	query, args := listQuery(s.dialect, q)
	rows, err := db.QueryContext(ctx, s.dialect.bind(query), args...)
	if err != nil {
		return adapters.ListEnd{}, s.dbError("list activities", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			if adapters.CodeOf(err) == adapters.CodeUnknown {
				err = s.dbError("list activities", err)
			}
			return adapters.ListEnd{}, err
		}
		if err := emit(a); err != nil {
			return adapters.ListEnd{}, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return adapters.ListEnd{}, s.dbError("list activities", err)
	}
	return adapters.ListEnd{Count: n}, nil
}

// listQuery builds the statement for a query: activitySelect filtered by
// owner and type, ordered by id.
func listQuery(d *dialect, q adapters.ActivityQuery) (string, []any) {
	var where []string
	var args []any
	if q.Owner != "" {
		where = append(where, `a.id IN (SELECT activity_id FROM activity_owners WHERE owner = ?)`)
		args = append(args, q.Owner)
	}
	if len(q.Types) > 0 {
		marks := make([]string, len(q.Types))
		for i, t := range q.Types {
			marks[i] = "?"
			args = append(args, string(t))
		}
		where = append(where, `a.type IN (`+strings.Join(marks, ", ")+`)`)
	}
	query := d.activitySelect()
	if len(where) > 0 {
		query += "\n WHERE " + strings.Join(where, " AND ")
	}
	return query + "\n ORDER BY a.id", args
}
