package crmsql

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// Upsert creates one activity per request, idempotently by Key, in one
// transaction for the whole batch. When an activity with the Key exists (a
// retry after a crash, the same e-mail in another user's mailbox, or an
// earlier request of this batch), the request's owners and contacts are
// added to it, nothing else on it changes, and it comes back with
// Created=false. Results are one per request, in order, each with the
// activity as stored (id, version, owners, contacts, attachments).
//
// Per-item errors (in the result, InvalidItem): an empty Key, the type
// FOLLOWUP (legacy, never created by gwsync) or an unknown type; an
// existing activity whose time text was mangled by hand (named by id and
// column; its owners and contacts are still added).
// Call errors: the batch is rolled back and nothing is written; Temporary
// when the database stays locked, Unknown otherwise.
func (s *Store) Upsert(ctx context.Context, activities []adapters.Activity) ([]adapters.UpsertResult, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := beginBatch(ctx, db)
	if err != nil {
		return nil, dbError("crmsql: upsert", err)
	}
	defer tx.rollback()
	out := make([]adapters.UpsertResult, len(activities))
	for i, a := range activities {
		out[i].Key = a.Key
		if err := checkCreatable(a); err != nil {
			out[i].Err = err
			continue
		}
		stored, created, err := s.upsertOne(ctx, tx, a)
		if adapters.CodeOf(err) == adapters.CodeInvalidItem {
			out[i].Err = err // the existing row was mangled by hand; the rest of the batch goes on
			continue
		}
		if err != nil {
			return nil, dbError("crmsql: upsert "+a.Key, err)
		}
		out[i].Activity, out[i].Created = stored, created
	}
	if err := tx.commit(); err != nil {
		return nil, dbError("crmsql: upsert", err)
	}
	return out, nil
}

// checkCreatable refuses what gwsync must never create. Errors: InvalidItem.
func checkCreatable(a adapters.Activity) error {
	switch {
	case a.Key == "":
		return adapters.Errorf(adapters.CodeInvalidItem, "crmsql: activity %q has no key", a.Subject)
	case a.Type == adapters.TypeFollowUp:
		return adapters.Errorf(adapters.CodeInvalidItem, "crmsql: %s: gwsync does not create FOLLOWUP activities", a.Key)
	case !a.Type.Valid():
		return adapters.Errorf(adapters.CodeInvalidItem, "crmsql: %s: unknown activity type %q", a.Key, a.Type)
	}
	return nil
}

// upsertOne inserts a, or finds the activity with its key, then adds the
// owners and contacts. A created activity is returned as built from the
// request and the row's generated columns (reading it back was half of an
// import's CRM time); an existing one is read back, since earlier owners
// and contacts come with it.
func (s *Store) upsertOne(ctx context.Context, tx *batchTx, a adapters.Activity) (adapters.Activity, bool, error) {
	row, created, err := insertActivity(ctx, tx, a, true)
	if err != nil {
		return adapters.Activity{}, false, err
	}
	id := row.id
	if !created {
		if err := tx.queryRow(ctx, `SELECT id FROM activities WHERE ext_key = ?`, a.Key).Scan(&id); err != nil {
			return adapters.Activity{}, false, err
		}
	}
	owners, err := addOwners(ctx, tx, id, a.Owners)
	if err != nil {
		return adapters.Activity{}, false, err
	}
	contacts, err := s.linkContacts(ctx, tx, id, a.Contacts, s.createContacts)
	if err != nil {
		return adapters.Activity{}, false, err
	}
	if !created {
		stored, err := loadActivity(ctx, tx, id)
		return stored, false, err
	}
	if err := insertAttachments(ctx, tx, id, a.Attachments); err != nil {
		return adapters.Activity{}, false, err
	}
	return row.stored(a, owners, contacts), true, nil
}

// insertedRow is what the database generated for a new activity row.
type insertedRow struct {
	id       int64
	version  string
	modified time.Time
}

// stored is activity a as loadActivity would read it back right after
// its insert: times at the stored precision, empty lists nil, attachments
// with the listed fields only. TestUpsertResultMatchesStoredActivity keeps
// the two in step.
func (r insertedRow) stored(a adapters.Activity, owners, contacts []string) adapters.Activity {
	out := adapters.Activity{
		ID: strconv.FormatInt(r.id, 10), Version: r.version, Type: a.Type,
		Subject: a.Subject, Body: a.Body, Location: a.Location, Busy: a.Busy,
		Raster: a.Raster.Normalized(), // the stored precision
		Owners: owners, Contacts: contacts,
		Key: a.Key, Source: a.Source, SourceItem: a.SourceItem, Modified: r.modified,
	}
	for _, f := range a.Attachments {
		out.Attachments = append(out.Attachments, adapters.Attachment{Name: f.Name, Type: f.Type, Size: f.Size})
	}
	return out
}

// insertActivity writes the activity's own row (not owners, contacts or
// attachments). With ignoreExistingKey an existing ext_key is not an error:
// created is then false and the row zero.
func insertActivity(ctx context.Context, b *batchTx, a adapters.Activity, ignoreExistingKey bool) (row insertedRow, created bool, err error) {
	r := a.Raster.Normalized()
	var key any
	if a.Key != "" {
		key = a.Key
	}
	query := `INSERT INTO activities
	    (type, subject, body, location, start_at, end_at, due_at, all_day, time_zone, busy, ext_key, source, source_item)
	    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	if ignoreExistingKey {
		query += ` ON CONFLICT (ext_key) DO NOTHING`
	}
	var modified string
	err = b.queryRow(ctx, query+` RETURNING id, CAST(version AS TEXT), updated_at`,
		string(a.Type), a.Subject, a.Body, a.Location,
		timeText(r.Start), timeText(r.End), timeText(r.Due), boolInt(r.AllDay), r.TimeZone,
		string(a.Busy), key, a.Source, a.SourceItem).Scan(&row.id, &row.version, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return insertedRow{}, false, nil
	}
	if err != nil {
		return insertedRow{}, false, err
	}
	row.modified, err = parseTimeText(row.id, "updated_at", &modified)
	return row, err == nil, err
}

// insertAttachments stores the attachments' metadata (never their bytes).
func insertAttachments(ctx context.Context, b *batchTx, activityID int64, files []adapters.Attachment) error {
	for _, f := range files {
		if err := b.exec(ctx, `INSERT INTO attachments (activity_id, name, type, size) VALUES (?, ?, ?, ?)`,
			activityID, f.Name, f.Type, f.Size); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
