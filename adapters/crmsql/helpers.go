package crmsql

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/gwsync/gwsync/adapters"
	"github.com/hashicorp/go-hclog"
)

// This file is the store as a CRM user and the CLI see it: opening a file
// directly, creating activities and contacts by hand, reading everything.
// Tests use it to play the CRM side.

// OpenStore opens the store at dsn ("sqlite:PATH", a path, or
// "postgres://...") at once, with create_contacts off, and migrates it.
// Errors: InvalidConfig for a bad dsn, an unopenable database or a
// too-new schema; Temporary when locked or unreachable.
func OpenStore(ctx context.Context, dsn string) (*Store, error) {
	return OpenStoreOptions(ctx, Options{DSN: dsn})
}

// OpenStoreOptions is OpenStore with the whole options block (a schema,
// create_contacts). Errors as for OpenStore.
func OpenStoreOptions(ctx context.Context, o Options) (*Store, error) {
	t, err := parseTarget(o.DSN, o.Schema)
	if err != nil {
		return nil, err
	}
	s := &Store{target: t, createContacts: o.CreateContacts, logger: hclog.NewNullLogger()}
	if _, err := s.conn(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// CreateActivity creates an activity as a CRM user would: any valid type,
// FOLLOWUP included, with ext_key NULL unless a.Key is set (a test may
// pretend an import). Owners are added, contacts are linked and created
// when unknown (a user picks or adds them), attachments are stored. It
// returns the activity as stored. Errors: InvalidItem for an unknown type;
// the database's error, for instance when a.Key is taken.
func (s *Store) CreateActivity(ctx context.Context, a adapters.Activity) (adapters.Activity, error) {
	if !a.Type.Valid() {
		return adapters.Activity{}, adapters.Errorf(adapters.CodeInvalidItem, "crmsql: unknown activity type %q", a.Type)
	}
	db, err := s.conn(ctx)
	if err != nil {
		return adapters.Activity{}, err
	}
	a = s.dialect.clean(a)
	var stored adapters.Activity
	err = inTx(ctx, s.dialect, db, func(tx *batchTx) error {
		id, err := insertActivity(ctx, tx, a)
		if err == nil {
			err = addOwners(ctx, tx, id, a.Owners)
		}
		if err == nil {
			_, err = s.linkContacts(ctx, tx, id, a.Contacts, true)
		}
		if err == nil {
			err = insertAttachments(ctx, tx, id, a.Attachments)
		}
		if err == nil {
			stored, err = loadActivity(ctx, tx, id)
		}
		return err
	})
	if err != nil {
		return adapters.Activity{}, s.dbError("create activity "+strconv.Quote(a.Subject), err)
	}
	return stored, nil
}

// AddContact adds a contact. An e-mail the CRM knows already (compared
// case-insensitively) is left as it is, so calling it twice is harmless.
// Errors: InvalidItem when email is no address; the database's error.
func (s *Store) AddContact(ctx context.Context, name, email string) error {
	addr, _, ok := parseContact(email)
	if !ok {
		return adapters.Errorf(adapters.CodeInvalidItem, "crmsql: contact %q: %q is not an e-mail address", name, email)
	}
	db, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, s.dialect.bind(`INSERT INTO contacts (name, email) VALUES (?, ?) ON CONFLICT DO NOTHING`), name, addr)
	return s.dbError("add contact "+addr, err)
}

// AllActivities returns every activity, ordered by id. Errors as for
// ListActivities.
func (s *Store) AllActivities(ctx context.Context) ([]adapters.Activity, error) {
	var out []adapters.Activity
	_, err := s.ListActivities(ctx, adapters.ActivityQuery{}, func(a adapters.Activity) error {
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AttachmentData returns the stored content of the i-th attachment (from
// 0, in listing order) of an activity; listings only say Stored. Errors:
// NotFound when the activity has no such attachment or its content is not
// stored; Temporary when the database stays locked.
func (s *Store) AttachmentData(ctx context.Context, activityID string, i int) ([]byte, error) {
	db, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(activityID, 10, 64)
	if err != nil || i < 0 {
		return nil, adapters.Errorf(adapters.CodeNotFound, "crmsql: no attachment %d of activity %q", i, activityID)
	}
	var data []byte
	var null bool
	err = db.QueryRowContext(ctx, s.dialect.bind(`SELECT data, data IS NULL FROM attachments WHERE activity_id = ? ORDER BY id LIMIT 1 OFFSET ?`), id, i).Scan(&data, &null)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, adapters.Errorf(adapters.CodeNotFound, "crmsql: activity %s has no attachment %d", activityID, i)
	case err != nil:
		return nil, s.dbError("attachment data", err)
	case null:
		return nil, adapters.Errorf(adapters.CodeNotFound, "crmsql: attachment %d of activity %s has no stored content", i, activityID)
	case data == nil:
		data = []byte{} // stored, and empty
	}
	return data, nil
}
