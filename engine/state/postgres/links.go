package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/engine/state"
)

// linksPerStatement is how many links one upsert statement writes: the
// rows travel as one array per column (unnest), so a batch of 500 links
// is one round trip instead of 500.
const linksPerStatement = 1000

// linksPerPage is how many links a Links walk reads per query. The walk
// holds no connection while fn runs, so fn may write to the store even
// when pool_max_conns is 1, and memory stays bounded for a million links.
const linksPerPage = 2000

const upsertLinksSQL = `INSERT INTO links (user_name, source, item_id, key, kind, activity_id,
	base_start, base_end, base_due, all_day, time_zone, item_version, activity_version, updated_at,
	pending_side, pending_start, pending_end, pending_due, pending_all_day, created_run)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
	$7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::boolean[], $11::text[], $12::text[], $13::text[], $14::timestamptz[],
	$15::text[], $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::boolean[], $20::bigint[])
ON CONFLICT (user_name, source, item_id) DO UPDATE SET
	key = excluded.key, kind = excluded.kind, activity_id = excluded.activity_id,
	base_start = excluded.base_start, base_end = excluded.base_end, base_due = excluded.base_due,
	all_day = excluded.all_day, time_zone = excluded.time_zone,
	item_version = excluded.item_version, activity_version = excluded.activity_version,
	updated_at = excluded.updated_at, pending_side = excluded.pending_side,
	pending_start = excluded.pending_start, pending_end = excluded.pending_end,
	pending_due = excluded.pending_due, pending_all_day = excluded.pending_all_day,
	created_run = CASE excluded.created_run WHEN 0 THEN links.created_run ELSE excluded.created_run END`

const selectLinksSQL = `SELECT user_name, source, item_id, key, kind, activity_id,
	base_start, base_end, base_due, all_day, time_zone, item_version, activity_version, updated_at,
	pending_side, pending_start, pending_end, pending_due, pending_all_day, created_run
FROM links WHERE user_name = $1 AND (source, item_id) > ($2, $3)
ORDER BY source, item_id LIMIT $4`

// Links calls fn for every link of the user, in no defined order (in fact
// by source and item id). The links are read a page at a time and no
// connection is held while fn runs, so fn may call other methods of the
// store, writes included; links fn writes behind the walk's position are
// not visited again.
//
// An error from fn stops the walk and is returned as is.
func (s *Store) Links(ctx context.Context, user string, fn func(state.Link) error) error {
	var afterSource, afterItem string // keyset position: ("", "") is before every link
	// The page grows with what the query returns: most users' walks are a
	// few links, and a page of linksPerPage links (about 1 MB, zeroed)
	// made for each of them was the worker's largest cost in the scale
	// benchmark's CPU profile.
	var page []state.Link
	for {
		page = page[:0]
		rows, err := s.pool.Query(ctx, selectLinksSQL, user, afterSource, afterItem, linksPerPage)
		if err != nil {
			return s.errorf(err, "links of %q", user)
		}
		for rows.Next() {
			l, err := scanLink(rows)
			if err != nil {
				rows.Close()
				return s.errorf(err, "links of %q", user)
			}
			page = append(page, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.errorf(err, "links of %q", user)
		}
		for _, l := range page {
			if err := fn(l); err != nil {
				return err
			}
		}
		if len(page) < linksPerPage {
			return nil
		}
		last := page[len(page)-1]
		afterSource, afterItem = last.Source, last.ItemID
	}
}

// scanLink reads one row of selectLinksSQL.
func scanLink(rows pgx.Rows) (state.Link, error) {
	var (
		l                    state.Link
		kind                 string
		start, end, due, upd pgtype.Timestamptz
		pStart, pEnd, pDue   pgtype.Timestamptz
	)
	if err := rows.Scan(&l.User, &l.Source, &l.ItemID, &l.Key, &kind, &l.ActivityID,
		&start, &end, &due, &l.Base.AllDay, &l.Base.TimeZone, &l.ItemVersion, &l.ActivityVersion, &upd,
		&l.PendingSide, &pStart, &pEnd, &pDue, &l.Pending.AllDay, &l.CreatedRun); err != nil {
		return state.Link{}, err
	}
	l.Kind = adapters.Kind(kind)
	l.Base.Start, l.Base.End, l.Base.Due, l.UpdatedAt = timeOf(start), timeOf(end), timeOf(due), timeOf(upd)
	l.Pending.Start, l.Pending.End, l.Pending.Due = timeOf(pStart), timeOf(pEnd), timeOf(pDue)
	return l, nil
}

// PutLinks inserts or replaces links in one transaction: all are written or
// none. Times are stored in UTC to the second; a zero UpdatedAt is stamped
// with the current time. Later links in the batch win over earlier ones
// with the same (User, Source, ItemID).
//
// A link with an empty User, Source, ItemID or ActivityID, an unknown Kind,
// an unknown PendingSide or a time outside years 0001–9999 fails the whole
// batch; the error names the link by its position and ids.
func (s *Store) PutLinks(ctx context.Context, links []state.Link) error {
	if len(links) == 0 {
		return nil
	}
	return s.inTx(ctx, "put links", func(tx pgx.Tx) error { return s.putLinks(ctx, tx, links) })
}

// putLinks writes links inside tx (see PutLinks).
func (s *Store) putLinks(ctx context.Context, tx pgx.Tx, links []state.Link) error {
	for i, l := range links {
		if err := validateLink(l); err != nil {
			return fmt.Errorf("put links: %s: %w; nothing written", describeLink(i, len(links), l), err)
		}
	}
	// One statement may not touch a row twice (ON CONFLICT refuses), so
	// only the last link of each key goes in.
	links = lastOfEachKey(links)
	now := s.now()
	var cols linkColumns
	for first := 0; first < len(links); first += linksPerStatement {
		chunk := links[first:min(first+linksPerStatement, len(links))]
		cols.reset(len(chunk))
		for _, l := range chunk {
			cols.add(l, now)
		}
		if _, err := tx.Exec(ctx, upsertLinksSQL, cols.args()...); err != nil {
			return fmt.Errorf("put links %d-%d of %d: %w; nothing written", first+1, first+len(chunk), len(links), err)
		}
	}
	return nil
}

// lastOfEachKey drops every link that a later link of the batch replaces;
// the order of the rest is kept.
func lastOfEachKey(links []state.Link) []state.Link {
	type key struct{ user, source, item string }
	last := make(map[key]int, len(links))
	for i, l := range links {
		last[key{l.User, l.Source, l.ItemID}] = i
	}
	if len(last) == len(links) {
		return links
	}
	out := make([]state.Link, 0, len(last))
	for i, l := range links {
		if last[key{l.User, l.Source, l.ItemID}] == i {
			out = append(out, l)
		}
	}
	return out
}

// linkColumns holds a chunk of links as one slice per column of
// upsertLinksSQL.
type linkColumns struct {
	user, source, item, key, kind, activity   []string
	start, end, due, updated                  []pgtype.Timestamptz
	allDay, pAllDay                           []bool
	zone, itemVersion, activityVersion, pSide []string
	pStart, pEnd, pDue                        []pgtype.Timestamptz
	createdRun                                []int64
}

func (c *linkColumns) reset(n int) {
	*c = linkColumns{
		user: make([]string, 0, n), source: make([]string, 0, n), item: make([]string, 0, n),
		key: make([]string, 0, n), kind: make([]string, 0, n), activity: make([]string, 0, n),
		start: make([]pgtype.Timestamptz, 0, n), end: make([]pgtype.Timestamptz, 0, n),
		due: make([]pgtype.Timestamptz, 0, n), updated: make([]pgtype.Timestamptz, 0, n),
		allDay: make([]bool, 0, n), pAllDay: make([]bool, 0, n),
		zone: make([]string, 0, n), itemVersion: make([]string, 0, n), activityVersion: make([]string, 0, n),
		pSide: make([]string, 0, n), pStart: make([]pgtype.Timestamptz, 0, n),
		pEnd: make([]pgtype.Timestamptz, 0, n), pDue: make([]pgtype.Timestamptz, 0, n),
		createdRun: make([]int64, 0, n),
	}
}

// add appends one link; a zero UpdatedAt becomes now.
func (c *linkColumns) add(l state.Link, now time.Time) {
	updated := l.UpdatedAt
	if updated.IsZero() {
		updated = now
	}
	c.user = append(c.user, l.User)
	c.source = append(c.source, l.Source)
	c.item = append(c.item, l.ItemID)
	c.key = append(c.key, l.Key)
	c.kind = append(c.kind, string(l.Kind))
	c.activity = append(c.activity, l.ActivityID)
	c.start = append(c.start, timeArg(l.Base.Start))
	c.end = append(c.end, timeArg(l.Base.End))
	c.due = append(c.due, timeArg(l.Base.Due))
	c.allDay = append(c.allDay, l.Base.AllDay)
	c.zone = append(c.zone, l.Base.TimeZone)
	c.itemVersion = append(c.itemVersion, l.ItemVersion)
	c.activityVersion = append(c.activityVersion, l.ActivityVersion)
	c.updated = append(c.updated, timeArg(updated))
	c.pSide = append(c.pSide, l.PendingSide)
	c.pStart = append(c.pStart, timeArg(l.Pending.Start))
	c.pEnd = append(c.pEnd, timeArg(l.Pending.End))
	c.pDue = append(c.pDue, timeArg(l.Pending.Due))
	c.pAllDay = append(c.pAllDay, l.Pending.AllDay)
	c.createdRun = append(c.createdRun, l.CreatedRun)
}

// args is the argument list of upsertLinksSQL, in its order.
func (c *linkColumns) args() []any {
	return []any{c.user, c.source, c.item, c.key, c.kind, c.activity,
		c.start, c.end, c.due, c.allDay, c.zone, c.itemVersion, c.activityVersion, c.updated,
		c.pSide, c.pStart, c.pEnd, c.pDue, c.pAllDay, c.createdRun}
}

// validateLink says what is wrong with a link, nil if nothing. The rules
// are the SQLite store's: a state must be movable between the two.
func validateLink(l state.Link) error {
	var problems []string
	for _, f := range []struct{ name, value string }{
		{"user", l.User}, {"source", l.Source}, {"item id", l.ItemID}, {"activity id", l.ActivityID},
	} {
		if f.value == "" {
			problems = append(problems, "empty "+f.name)
		}
	}
	if !l.Kind.Valid() {
		problems = append(problems, fmt.Sprintf("unknown kind %q", l.Kind))
	}
	if l.PendingSide != "" && l.PendingSide != state.SideCRM && l.PendingSide != state.SideGroupware {
		problems = append(problems, fmt.Sprintf("unknown pending side %q", l.PendingSide))
	}
	for _, t := range []time.Time{l.Base.Start, l.Base.End, l.Base.Due, l.UpdatedAt, l.Pending.Start, l.Pending.End, l.Pending.Due} {
		if err := checkTime(t); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, ", "))
}

// describeLink names a link of a batch for an error message.
func describeLink(i, n int, l state.Link) string {
	return fmt.Sprintf("link %d of %d (user %q, source %q, item %q)", i+1, n, l.User, l.Source, l.ItemID)
}

// DeleteLink removes one link; a missing link is not an error.
func (s *Store) DeleteLink(ctx context.Context, user, source, itemID string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM links WHERE user_name = $1 AND source = $2 AND item_id = $3`,
		user, source, itemID); err != nil {
		return s.errorf(err, "delete link (user %q, source %q, item %q)", user, source, itemID)
	}
	return nil
}
