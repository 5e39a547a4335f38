package crmsql

import (
	"context"
	"slices"
	"strconv"
	"strings"
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
// Text PostgreSQL cannot store (NUL, invalid UTF-8) is stored with
// U+FFFD in its place, and the result says so.
// Call errors: the batch is rolled back and nothing is written; Temporary
// when the database stays locked or unreachable, or (PostgreSQL) the batch
// lost a deadlock with another writer on every attempt; Unknown otherwise.
func (s *Store) Upsert(ctx context.Context, activities []adapters.Activity) ([]adapters.UpsertResult, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []adapters.UpsertResult
	var failedKey string
	err = inTx(ctx, s.dialect, db, func(tx *batchTx) error {
		out, failedKey, err = s.upsertBatch(ctx, tx, activities)
		return err
	})
	if err != nil {
		op := "upsert"
		if failedKey != "" {
			op += " " + failedKey
		}
		return nil, s.dbError(op, err)
	}
	return out, nil
}

// upsertBatch is Upsert's transaction: all new keys are inserted with
// multi-row statements first, then the requests whose key existed get
// their owners and contacts added. failedKey names the request whose
// statement failed, when one did.
func (s *Store) upsertBatch(ctx context.Context, tx *batchTx, activities []adapters.Activity) (out []adapters.UpsertResult, failedKey string, err error) {
	out = make([]adapters.UpsertResult, len(activities))
	valid := make([]int, 0, len(activities))
	cleaned := make([]adapters.Activity, len(activities))
	for i, a := range activities {
		out[i].Key = a.Key
		if err := checkCreatable(a); err != nil {
			out[i].Err = err
			continue
		}
		cleaned[i] = s.dialect.clean(a)
		valid = append(valid, i)
	}
	if err := tx.lookupContacts(ctx, cleaned, valid); err != nil {
		return nil, "", err
	}
	if s.createContacts {
		if err := s.createContactsInOrder(ctx, tx, cleaned, valid); err != nil {
			return nil, "", err
		}
	}
	insert := s.insertNew
	if s.dialect.insertInOneStatement {
		insert = s.pgInsertNew
	}
	created, err := insert(ctx, tx, cleaned, valid)
	if err != nil {
		return nil, "", err
	}
	// Existing activities gain their owners in key order, as new ones are
	// inserted (insertNew): adding an owner renumbers the activity row
	// (a row lock held to the commit), so two writers adding owners to the
	// same activities take those locks in one order instead of
	// deadlocking and running the batch again.
	byKey := slices.Clone(valid)
	slices.SortStableFunc(byKey, func(x, y int) int { return strings.Compare(cleaned[x].Key, cleaned[y].Key) })
	for _, i := range byKey {
		if a, ok := created[i]; ok {
			out[i].Activity, out[i].Created = a, true
			continue
		}
		stored, err := s.addToExisting(ctx, tx, cleaned[i])
		if adapters.CodeOf(err) == adapters.CodeInvalidItem {
			out[i].Err = err // the existing row was mangled by hand; the rest of the batch goes on
			continue
		}
		if err != nil {
			return nil, activities[i].Key, err
		}
		out[i].Activity = stored
	}
	return out, "", nil
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

// addToExisting adds a's owners and contacts to the activity that has
// its key already and reads that back, earlier owners and contacts included.
func (s *Store) addToExisting(ctx context.Context, tx *batchTx, a adapters.Activity) (adapters.Activity, error) {
	var id int64
	if err := tx.queryRow(ctx, `SELECT id FROM activities WHERE ext_key = ?`, a.Key).Scan(&id); err != nil {
		return adapters.Activity{}, err
	}
	if err := addOwners(ctx, tx, id, a.Owners); err != nil {
		return adapters.Activity{}, err
	}
	if _, err := s.linkContacts(ctx, tx, id, a.Contacts, s.createContacts); err != nil {
		return adapters.Activity{}, err
	}
	return loadActivity(ctx, tx, id)
}

// storedActivity is activity a as loadActivity reads it back right after
// its insert as id at modified: times at the stored precision, empty lists
// nil, attachments with the listed fields only.
// TestUpsertResultMatchesStoredActivity keeps the two in step.
func storedActivity(id int64, modified time.Time, a adapters.Activity, owners, contacts []string) adapters.Activity {
	out := adapters.Activity{
		ID: strconv.FormatInt(id, 10), Version: "1", Type: a.Type,
		Subject: a.Subject, Body: a.Body, Location: a.Location, Busy: a.Busy,
		Raster: a.Raster.Normalized(), // the stored precision
		Owners: owners, Contacts: contacts,
		Key: a.Key, Source: a.Source, SourceItem: a.SourceItem, Modified: modified,
	}
	for _, f := range a.Attachments {
		// Listings say whether content is stored; they never carry it.
		out.Attachments = append(out.Attachments, adapters.Attachment{Name: f.Name, Type: f.Type, Size: f.Size, Stored: f.Data != nil})
	}
	return out
}

// insertActivity writes one activity's own row (not owners, contacts or
// attachments); a taken key is an error.
func insertActivity(ctx context.Context, b *batchTx, a adapters.Activity) (id int64, err error) {
	now := time.Now().UTC().Format(storedTimeLayout)
	err = b.queryRow(ctx, activitiesInsert+valuesList(1, activityColumns)+` RETURNING id`,
		appendActivityRow(nil, a, now, 0)...).Scan(&id)
	return id, err
}

// activitiesInsert, with activityColumns values per row as
// appendActivityRow writes them, stores activities' own rows.
const (
	activitiesInsert = `INSERT INTO activities (type, subject, body, location, start_at, end_at, due_at, all_day,
	    time_zone, busy, ext_key, source, source_item, created_at, updated_at, change_seq) VALUES `
	activityColumns = 16
)

// appendActivityRow appends the row of a, created and updated at now and
// numbered change (0: the database's trigger numbers it); an empty key is
// stored as NULL (an activity made in the CRM).
func appendActivityRow(args []any, a adapters.Activity, now string, change int64) []any {
	r := a.Raster.Normalized()
	var key any
	if a.Key != "" {
		key = a.Key
	}
	return append(args, string(a.Type), a.Subject, a.Body, a.Location,
		timeText(r.Start), timeText(r.End), timeText(r.Due), boolInt(r.AllDay), r.TimeZone,
		string(a.Busy), key, a.Source, a.SourceItem, now, now, change)
}

// insertAttachments stores the attachments' metadata, and their content
// when the activity carries it (data stays NULL otherwise).
func insertAttachments(ctx context.Context, b *batchTx, activityID int64, files []adapters.Attachment) error {
	return insertFlat(ctx, b, attachmentsInsert, attachmentColumns, appendAttachmentRows(nil, activityID, files))
}

// attachmentsInsert, with attachmentColumns values per row as
// appendAttachmentRows writes them, stores attachments.
const (
	attachmentsInsert = `INSERT INTO attachments (activity_id, name, type, size, data) VALUES `
	attachmentColumns = 5
)

func appendAttachmentRows(rows []any, activityID int64, files []adapters.Attachment) []any {
	for _, f := range files {
		var data any // NULL unless the activity carries the content
		if f.Data != nil {
			data = f.Data
		}
		rows = append(rows, activityID, f.Name, f.Type, f.Size, data)
	}
	return rows
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
