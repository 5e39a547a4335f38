package crmsql

import (
	"context"
	"database/sql"
	"errors"

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
// owners and contacts and reads the result back.
func (s *Store) upsertOne(ctx context.Context, tx *batchTx, a adapters.Activity) (adapters.Activity, bool, error) {
	id, created, err := insertActivity(ctx, tx, a, true)
	if err != nil {
		return adapters.Activity{}, false, err
	}
	if !created {
		if err := tx.queryRow(ctx, `SELECT id FROM activities WHERE ext_key = ?`, a.Key).Scan(&id); err != nil {
			return adapters.Activity{}, false, err
		}
	}
	if err := addOwners(ctx, tx, id, a.Owners); err != nil {
		return adapters.Activity{}, false, err
	}
	if err := s.linkContacts(ctx, tx, id, a.Contacts, s.createContacts); err != nil {
		return adapters.Activity{}, false, err
	}
	if created {
		if err := insertAttachments(ctx, tx, id, a.Attachments); err != nil {
			return adapters.Activity{}, false, err
		}
	}
	stored, err := loadActivity(ctx, tx, id)
	return stored, created, err
}

// insertActivity writes the activity's own row (not owners, contacts or
// attachments). With ignoreExistingKey an existing ext_key is not an error:
// created is then false and id 0.
func insertActivity(ctx context.Context, b *batchTx, a adapters.Activity, ignoreExistingKey bool) (id int64, created bool, err error) {
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
	err = b.queryRow(ctx, query+` RETURNING id`,
		string(a.Type), a.Subject, a.Body, a.Location,
		timeText(r.Start), timeText(r.End), timeText(r.Due), boolInt(r.AllDay), r.TimeZone,
		string(a.Busy), key, a.Source, a.SourceItem).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// insertAttachments stores the attachments' metadata, and their content
// when the activity carries it (data stays NULL otherwise).
func insertAttachments(ctx context.Context, b *batchTx, activityID int64, files []adapters.Attachment) error {
	for _, f := range files {
		var data any
		if f.Data != nil {
			data = f.Data
		}
		if err := b.exec(ctx, `INSERT INTO attachments (activity_id, name, type, size, data) VALUES (?, ?, ?, ?, ?)`,
			activityID, f.Name, f.Type, f.Size, data); err != nil {
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
