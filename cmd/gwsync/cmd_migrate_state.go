package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/postgres"
	"github.com/gwsync/gwsync/engine/state/sqlite"
)

// migrateBatch is how many links go into the target per call.
const migrateBatch = 5000

const migrateStateHelp = `migrate-state --from sqlite:PATH [--to postgres://... | --config FILE]

Copies an embedded deployment's state (--from sqlite:PATH) into an empty
PostgreSQL state: --to, or else the state the config names. Every user's
links (with the times both sides last agreed on and pending writes),
cursors, outstanding failures (with the date first seen and attempts),
preferences with their journal, and the run journal (ids, times, results) go over in one transaction: a
failed copy leaves the target empty. A target that holds any state is
refused. Stop every gwsync process on the old state first.`

// runMigrateState copies an embedded SQLite state into an empty PostgreSQL
// state (see migrateStateHelp). The source is only read, apart from SQLite
// migrating it to this binary's schema.
func runMigrateState(ctx context.Context, args []string) error {
	fs, c := newFlagSet("migrate-state", migrateStateHelp)
	from := fs.String("from", "", "the `DSN` of the SQLite state to copy (sqlite:PATH)")
	to := fs.String("to", "", "the empty PostgreSQL state to fill (`postgres://...`; default: the config's state)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		cfg, err := c.load()
		if err != nil {
			return err
		}
		*to = cfg.State
	}
	path, ok := strings.CutPrefix(*from, "sqlite:")
	if !ok || path == "" {
		return usageError{"migrate-state: --from must be sqlite:PATH"}
	}
	path = strings.TrimPrefix(path, "//")
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return usageError{fmt.Sprintf("migrate-state: the target %s is not a PostgreSQL state (postgres://...)", redactURLs(*to))}
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("migrate-state: source %s: %w", path, err)
	}
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("migrate-state: %w", err)
	}
	defer src.Close()
	users, err := sqliteUsers(ctx, path) // after Open: the file is at this binary's schema
	if err != nil {
		return fmt.Errorf("migrate-state: source %s: %w", path, err)
	}
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("migrate-state: %w", err)
	}
	defer dst.Close()
	var n migrateCounts
	err = dst.Import(ctx, func(im *postgres.Importer) error { return copyState(ctx, src, im, users, &n) })
	if errors.Is(err, postgres.ErrNotEmpty) {
		return fmt.Errorf("migrate-state: %s already holds a state; give an empty database (or schema): %w", dst.Name(), err)
	}
	if err != nil {
		return fmt.Errorf("migrate-state: nothing copied: %w", err)
	}
	for _, u := range users {
		p := n.perUser[u]
		fmt.Printf("%s: %d links, %d cursors, %d outstanding failures, %d preferences copied\n", termSafe(u), p.links, p.cursors, p.failures, p.preferences)
	}
	fmt.Printf("copied %d users from %s to %s: %d links, %d cursors, %d runs with %d results, %d outstanding failures, %d preferences\n",
		len(users), termSafe(filepath.Clean(path)), dst.Name(), n.links, n.cursors, n.runs, n.results, n.failures, n.preferences)
	return nil
}

type migrateCounts struct {
	links, cursors, runs, results, failures, preferences int
	perUser                                              map[string]migrateCounts
}

// copyState copies everything of src into im.
func copyState(ctx context.Context, src state.Store, im *postgres.Importer, users []string, n *migrateCounts) error {
	n.perUser = map[string]migrateCounts{}
	for _, u := range users {
		before := *n
		batch := make([]state.Link, 0, migrateBatch)
		err := src.Links(ctx, u, func(l state.Link) error {
			batch = append(batch, l)
			if len(batch) < migrateBatch {
				return nil
			}
			n.links += len(batch)
			err := im.PutLinks(ctx, batch)
			batch = batch[:0]
			return err
		})
		if err == nil {
			n.links += len(batch)
			err = im.PutLinks(ctx, batch)
		}
		if err != nil {
			return fmt.Errorf("links of %q: %w", u, err)
		}
		cursors, err := src.Cursors(ctx, u)
		if err != nil {
			return err
		}
		for source, c := range cursors {
			if err := im.SetCursor(ctx, u, source, c); err != nil {
				return err
			}
			n.cursors++
		}
		failures, err := src.Failures(ctx, u)
		if err != nil {
			return err
		}
		if err := im.PutFailures(ctx, failures); err != nil {
			return err
		}
		n.failures += len(failures)
		values, err := src.UserPreferences(ctx, u)
		if err != nil {
			return err
		}
		changes, err := src.PreferenceChanges(ctx, u, 0)
		if err != nil {
			return err
		}
		if err := im.PutPreferences(ctx, u, values, changes); err != nil {
			return err
		}
		n.preferences += len(values)
		n.perUser[u] = migrateCounts{links: n.links - before.links, cursors: n.cursors - before.cursors, failures: n.failures - before.failures,
			preferences: n.preferences - before.preferences}
	}
	runs, err := src.Runs(ctx, "", 0)
	if err != nil {
		return err
	}
	for i := len(runs) - 1; i >= 0; i-- { // oldest first
		items, err := src.RunItems(ctx, runs[i].ID)
		if err != nil {
			return err
		}
		if err := im.PutRun(ctx, runs[i], items); err != nil {
			return err
		}
		n.runs++
		n.results += len(items)
	}
	return nil
}

// sqliteUsers lists every user the SQLite state at path knows (the Store
// interface asks per user and has no list), reading the file read-only.
func sqliteUsers(ctx context.Context, path string) ([]string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "mode=ro"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT user FROM links UNION SELECT user FROM cursors
		UNION SELECT user FROM failures UNION SELECT user FROM runs
		UNION SELECT user FROM user_preferences UNION SELECT user FROM preference_changes ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("not a gwsync state (%w)", err)
	}
	defer rows.Close()
	var users []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		users = append(users, name)
	}
	return users, rows.Err()
}
