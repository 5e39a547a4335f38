package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/engine/state/stores"
)

const migrateStateHelp = `migrate-state --from DSN [--config FILE]

Copies the state of an embedded deployment (--from sqlite:PATH) into the
state the config names (state: postgres://…), for every user of the config:
links with the times both sides last agreed on, pending writes, cursors and
outstanding failures. The target must be empty. The run journal is not
copied (gwsync status starts a new history), and an outstanding failure's
"since" date restarts. Stop every gwsync process on the old state first.`

// migrateBatch is how many links go in one PutLinks.
const migrateBatch = 1000

func runMigrateState(ctx context.Context, args []string) error {
	fs, c := newFlagSet("migrate-state", migrateStateHelp)
	from := fs.String("from", "", "the `DSN` of the state to copy from (sqlite:PATH)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"migrate-state: --from is required (the old state, e.g. sqlite:/var/lib/gwsync/state.db)"}
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	src, err := stores.Open(ctx, *from)
	if err != nil {
		return fmt.Errorf("--from %s: %w", redactURLs(*from), err)
	}
	defer src.Close()
	dst, err := openState(ctx, cfg)
	if err != nil {
		return err
	}
	defer dst.Close()
	names := make([]string, len(cfg.Users))
	for i, u := range cfg.Users {
		names[i] = u.Name
	}
	if err := checkEmpty(ctx, dst, names); err != nil {
		return fmt.Errorf("%s: state %s: %w", cfg.File, redactURLs(cfg.State), err)
	}
	for _, user := range names {
		n, err := migrateUser(ctx, src, dst, user)
		if err != nil {
			return fmt.Errorf("user %s: %w", user, err)
		}
		fmt.Printf("%s: %d links, %d cursors, %d outstanding failures copied\n", termSafe(user), n.links, n.cursors, n.failures)
	}
	return warnUncopiedUsers(ctx, src, names)
}

// checkEmpty refuses a target that holds anything of the config's users,
// or any journal: copying into it would mix two histories.
func checkEmpty(ctx context.Context, st state.Store, users []string) error {
	runs, err := st.Runs(ctx, "", 1)
	if err != nil {
		return err
	}
	if len(runs) > 0 {
		return fmt.Errorf("not empty: it has a run journal (user %s); migrate into a new database", runs[0].User)
	}
	for _, u := range users {
		cursors, err := st.Cursors(ctx, u)
		if err != nil {
			return err
		}
		links := 0
		if err := st.Links(ctx, u, func(state.Link) error { links++; return errStopWalk }); err != nil && !errors.Is(err, errStopWalk) {
			return err
		}
		if len(cursors) > 0 || links > 0 {
			return fmt.Errorf("not empty: it holds the state of user %s; migrate into a new database", u)
		}
	}
	return nil
}

var errStopWalk = errors.New("stop")

type migrated struct{ links, cursors, failures int }

func migrateUser(ctx context.Context, src, dst state.Store, user string) (migrated, error) {
	var n migrated
	batch := make([]state.Link, 0, migrateBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := dst.PutLinks(ctx, batch)
		n.links += len(batch)
		batch = batch[:0]
		return err
	}
	err := src.Links(ctx, user, func(l state.Link) error {
		batch = append(batch, l)
		if len(batch) == migrateBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return n, fmt.Errorf("links: %w", err)
	}
	cursors, err := src.Cursors(ctx, user)
	if err != nil {
		return n, err
	}
	for source, cursor := range cursors {
		if err := dst.SetCursor(ctx, user, source, cursor); err != nil {
			return n, err
		}
		n.cursors++
	}
	failures, err := src.Failures(ctx, user)
	if err != nil {
		return n, err
	}
	if len(failures) > 0 {
		if _, err := dst.SettleFailures(ctx, user, failures, nil); err != nil {
			return n, err
		}
		n.failures = len(failures)
	}
	return n, nil
}

// warnUncopiedUsers names users the old journal knows that the config
// does not: their state stays behind.
func warnUncopiedUsers(ctx context.Context, src state.Store, copied []string) error {
	runs, err := src.Runs(ctx, "", 100000)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, u := range copied {
		seen[u] = true
	}
	var left []string
	for _, r := range runs {
		if !seen[r.User] {
			seen[r.User] = true
			left = append(left, r.User)
		}
	}
	sort.Strings(left)
	for _, u := range left {
		fmt.Printf("warning: user %s has runs in the old state but is not in the config: not copied\n", termSafe(u))
	}
	return nil
}
