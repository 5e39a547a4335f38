package crmsql

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgInsertNew is insertNew on PostgreSQL: the new activities, their
// owners, contact links and attachments in one statement, whatever the
// batch holds. Each table's rows come as arrays (unnest), so the
// statement's text never changes and the connection's statement cache
// parses it once; data-modifying CTEs join the owners, links and files
// to the ids the activities' INSERT returned. One round trip instead of
// one per table (issue 12: a worker's users import a few mails each, and
// round trips were most of what PostgreSQL spent on them).
//
// Activities are inserted in key order, as insertNew does (two writers
// take overlapping key locks in one order). Of repeated keys only the
// first request's row is sent; later requests find it existing.
func (s *Store) pgInsertNew(ctx context.Context, b *batchTx, acts []adapters.Activity, idx []int) (map[int]adapters.Activity, error) {
	now := time.Now().UTC().Truncate(time.Second)
	nowText := now.Format(storedTimeLayout)
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(x, y int) int { return strings.Compare(acts[x].Key, acts[y].Key) })
	order = slices.CompactFunc(order, func(x, y int) bool { return acts[x].Key == acts[y].Key })

	var r pgRows
	owners := make(map[int][]string, len(order))
	emails := make(map[int][]string, len(order))
	for _, i := range order {
		a := acts[i]
		r.activity(a)
		owners[i] = ownerNames(a.Owners)
		for _, o := range owners[i] {
			r.ownerKeys, r.owners = append(r.ownerKeys, a.Key), append(r.owners, o)
		}
		linked, ids, err := s.resolveContacts(ctx, b, a.Key, a.Contacts, s.createContacts)
		if err != nil {
			return nil, err
		}
		emails[i] = linked
		for _, id := range ids {
			r.linkKeys, r.linkContacts = append(r.linkKeys, a.Key), append(r.linkContacts, id)
		}
		for _, f := range a.Attachments {
			var data []byte // NULL unless the activity carries the content
			if f.Data != nil {
				data = f.Data
			}
			r.fileKeys, r.fileNames, r.fileTypes = append(r.fileKeys, a.Key), append(r.fileNames, f.Name), append(r.fileTypes, f.Type)
			r.fileSizes, r.fileData = append(r.fileSizes, f.Size), append(r.fileData, data)
		}
	}
	ids := make(map[string]int64, len(order))
	err := b.queryEach(ctx, pgInsertStatement, r.args(nowText), collectIDs(ids))
	if err != nil {
		return nil, err
	}
	created := make(map[int]adapters.Activity, len(ids))
	for _, i := range order {
		if id, ok := ids[acts[i].Key]; ok {
			created[i] = storedActivity(id, now, acts[i], owners[i], emails[i])
		}
	}
	return created, nil
}

// pgRows are the columns of pgInsertStatement's arrays.
type pgRows struct {
	types, subjects, bodies, locations []string
	starts, ends, dues                 []pgtype.Text
	allDays                            []int32
	zones, busy, keys, sources, items  []string
	ownerKeys, owners                  []string
	linkKeys                           []string
	linkContacts                       []int64
	fileKeys, fileNames, fileTypes     []string
	fileSizes                          []int64
	fileData                           [][]byte
}

func (r *pgRows) activity(a adapters.Activity) {
	t := a.Raster.Normalized()
	r.types, r.subjects, r.bodies, r.locations = append(r.types, string(a.Type)), append(r.subjects, a.Subject),
		append(r.bodies, a.Body), append(r.locations, a.Location)
	r.starts, r.ends, r.dues = append(r.starts, pgTime(t.Start)), append(r.ends, pgTime(t.End)), append(r.dues, pgTime(t.Due))
	r.allDays = append(r.allDays, int32(boolInt(t.AllDay)))
	r.zones, r.busy, r.keys = append(r.zones, t.TimeZone), append(r.busy, string(a.Busy)), append(r.keys, a.Key)
	r.sources, r.items = append(r.sources, a.Source), append(r.items, a.SourceItem)
}

func (r *pgRows) args(now string) []any {
	return []any{r.types, r.subjects, r.bodies, r.locations, r.starts, r.ends, r.dues, r.allDays,
		r.zones, r.busy, r.keys, r.sources, r.items, now, now,
		r.ownerKeys, r.owners, r.linkKeys, r.linkContacts,
		r.fileKeys, r.fileNames, r.fileTypes, r.fileSizes, r.fileData}
}

// pgTime is a time column's value: NULL for the zero time.
func pgTime(t time.Time) pgtype.Text {
	if s, ok := timeText(t).(string); ok {
		return pgtype.Text{String: s, Valid: true}
	}
	return pgtype.Text{}
}

// pgInsertStatement takes pgRows.args. The ORDER BY of each INSERT's
// SELECT keeps the order rows were given in: key order for activities,
// and the seq columns number owners and links in the order of the
// request, as the multi-row VALUES of insertNew do.
const pgInsertStatement = `
WITH new AS (
  SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::integer[],
                       ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
    AS v(type, subject, body, location, start_at, end_at, due_at, all_day, time_zone, busy, ext_key, source, source_item, n)
), ins AS (
  INSERT INTO activities (type, subject, body, location, start_at, end_at, due_at, all_day,
                          time_zone, busy, ext_key, source, source_item, created_at, updated_at)
  SELECT type, subject, body, location, start_at, end_at, due_at, all_day,
         time_zone, busy, ext_key, source, source_item, ?::text, ?::text
    FROM new ORDER BY n
  ON CONFLICT (ext_key) DO NOTHING
  RETURNING id, ext_key, change_seq
), own AS (
  INSERT INTO activity_owners (activity_id, owner, change_seq)
  SELECT ins.id, o.owner, ins.change_seq FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS o(ext_key, owner, n)
    JOIN ins ON ins.ext_key = o.ext_key ORDER BY o.n
  ON CONFLICT DO NOTHING
), links AS (
  INSERT INTO activity_contacts (activity_id, contact_id)
  SELECT ins.id, l.contact_id FROM unnest(?::text[], ?::bigint[]) WITH ORDINALITY AS l(ext_key, contact_id, n)
    JOIN ins ON ins.ext_key = l.ext_key ORDER BY l.n
  ON CONFLICT DO NOTHING
), files AS (
  INSERT INTO attachments (activity_id, name, type, size, data)
  SELECT ins.id, f.name, f.type, f.size, f.data FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bytea[])
    WITH ORDINALITY AS f(ext_key, name, type, size, data, n)
    JOIN ins ON ins.ext_key = f.ext_key ORDER BY f.n
)
SELECT id, ext_key FROM ins`
