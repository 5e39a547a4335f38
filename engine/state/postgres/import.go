package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gwsync/gwsync/engine/state"
)

// ErrNotEmpty is returned (wrapped) by Import when the database already
// holds state: an import merges nothing, it moves a whole state.
var ErrNotEmpty = errors.New("the PostgreSQL state is not empty")

// Importer writes a copied state, keeping what the Store methods would
// stamp anew: run ids, start and finish times, result order, the dates
// failures were first seen. It is valid only inside Import's function.
type Importer struct {
	s  *Store
	tx pgx.Tx
}

// Import runs fn in one transaction on an empty store and commits what fn
// wrote: a failed or interrupted import leaves the store empty, so it can
// simply be run again. It fails with an error wrapping ErrNotEmpty when
// any links, cursors, runs, failures or preferences exist. The tables are locked for
// the import, so a process that starts using the store meanwhile waits.
func (s *Store) Import(ctx context.Context, fn func(*Importer) error) error {
	return s.inTx(ctx, "import", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE links, cursors, runs, run_items, failures, user_preferences, preference_changes IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("import: lock: %w", err)
		}
		var nonEmpty bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM links) OR EXISTS (SELECT 1 FROM cursors)
			OR EXISTS (SELECT 1 FROM runs) OR EXISTS (SELECT 1 FROM failures)
			OR EXISTS (SELECT 1 FROM user_preferences) OR EXISTS (SELECT 1 FROM preference_changes)`).Scan(&nonEmpty); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if nonEmpty {
			return fmt.Errorf("import: %w (it holds links, cursors, runs, failures or preferences)", ErrNotEmpty)
		}
		if err := fn(&Importer{s: s, tx: tx}); err != nil {
			return err
		}
		// Run ids go on after the highest imported one.
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('runs', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM runs`); err != nil {
			return fmt.Errorf("import: run ids: %w", err)
		}
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('preference_changes', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM preference_changes`); err != nil {
			return fmt.Errorf("import: preference change ids: %w", err)
		}
		return nil
	})
}

// PutLinks writes links as Store.PutLinks does (same checks, UpdatedAt
// kept when set).
func (im *Importer) PutLinks(ctx context.Context, links []state.Link) error {
	if len(links) == 0 {
		return nil
	}
	return im.s.putLinks(ctx, im.tx, links)
}

// SetCursor stores one cursor; an empty user, source or cursor is an error.
func (im *Importer) SetCursor(ctx context.Context, user, source, cursor string) error {
	if user == "" || source == "" || cursor == "" {
		return fmt.Errorf("import cursor: empty user (%q), source (%q) or cursor", user, source)
	}
	if _, err := im.tx.Exec(ctx, `INSERT INTO cursors (user_name, source, cursor) VALUES ($1, $2, $3)`, user, source, cursor); err != nil {
		return fmt.Errorf("import cursor of user %q, source %q: %w", user, source, err)
	}
	return nil
}

// PutRun writes one journal entry with its id, times, status and counts,
// and its results in the given order (their RunID is ignored).
func (im *Importer) PutRun(ctx context.Context, r state.Run, items []state.ItemResult) error {
	if r.ID <= 0 || r.User == "" || r.Started.IsZero() {
		return fmt.Errorf("import run %d: needs an id, a user and a start time", r.ID)
	}
	counts := r.Counts
	if counts == nil {
		counts = map[string]int{}
	}
	countsJSON, err := json.Marshal(counts)
	if err != nil {
		return fmt.Errorf("import run %d: %w", r.ID, err)
	}
	status := r.Status
	if status == "" {
		status = state.StatusRunning
	}
	if _, err := im.tx.Exec(ctx, `INSERT INTO runs (id, user_name, started, finished, dry_run, status, counts, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.User, second(r.Started), timeArg(r.Finished), r.DryRun, status, string(countsJSON), r.Error); err != nil {
		return fmt.Errorf("import run %d: %w", r.ID, err)
	}
	if len(items) == 0 {
		return nil
	}
	for i := range items {
		items[i].RunID = r.ID
		if items[i].At.IsZero() {
			items[i].At = r.Started // keep recordItems from stamping the import's time
		}
	}
	if err := im.s.recordItems(ctx, im.tx, items); err != nil {
		return fmt.Errorf("import run %d: %w", r.ID, err)
	}
	return nil
}

// PutFailures writes outstanding failures with their dates and attempts.
func (im *Importer) PutFailures(ctx context.Context, failures []state.Failure) error {
	for _, f := range failures {
		if f.User == "" || f.Source == "" || f.Kind == "" || f.Attempts < 1 || f.FirstSeen.IsZero() {
			return fmt.Errorf("import failure of user %q, %s %q: needs user, source, kind, attempts and first seen", f.User, f.Source, f.ItemID)
		}
		last := f.LastSeen
		if last.IsZero() {
			last = f.FirstSeen
		}
		if _, err := im.tx.Exec(ctx, `INSERT INTO failures (user_name, source, item_id, kind, reason, first_seen, last_seen, attempts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			f.User, f.Source, f.ItemID, f.Kind, f.Reason, second(f.FirstSeen), second(last), f.Attempts); err != nil {
			return fmt.Errorf("import failure of user %q, %s %q: %w", f.User, f.Source, f.ItemID, err)
		}
	}
	return nil
}

// PutPreferences writes a user's stored preferences and their journal
// (changes with their ids, authors and times). A value's time of last
// change is that of the newest journalled change to it; a value the
// journal does not explain gets the import's time.
func (im *Importer) PutPreferences(ctx context.Context, user string, values map[string]string, changes []state.PreferenceChange) error {
	if user == "" {
		return errors.New("import preferences: empty user")
	}
	setAt := map[string]time.Time{}
	for _, c := range changes {
		if c.ID <= 0 || c.Key == "" || c.At.IsZero() {
			return fmt.Errorf("import preference change %d of user %q, key %q: needs an id, a key and a time", c.ID, user, c.Key)
		}
		if _, err := im.tx.Exec(ctx, `INSERT INTO preference_changes (id, user_name, key, old_value, new_value, changed_by, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, user, c.Key, c.Old, c.New, c.By, c.At); err != nil {
			return fmt.Errorf("import preference change %d of user %q, key %q: %w", c.ID, user, c.Key, err)
		}
		if c.New == values[c.Key] && c.At.After(setAt[c.Key]) {
			setAt[c.Key] = c.At
		}
	}
	for key, v := range values {
		at := setAt[key]
		if at.IsZero() {
			at = time.Now()
		}
		if _, err := im.tx.Exec(ctx, `INSERT INTO user_preferences (user_name, key, value, updated_at) VALUES ($1, $2, $3, $4)`,
			user, key, v, at); err != nil {
			return fmt.Errorf("import preference of user %q, key %q: %w", user, key, err)
		}
	}
	return nil
}
