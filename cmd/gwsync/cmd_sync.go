package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
	"github.com/gwsync/gwsync/engine/state"
	"github.com/gwsync/gwsync/plugins"
)

// exitHelp is the exit-code paragraph of the help of plan and sync.
const exitHelp = `--areas asks only the sources (and kinds of items) of those areas.
Exit codes: 0 done; 1 failed; 2 usage error; 3 a source could not be read
(each printed once as a problem), or, for sync, an item failed or could not
be read for the first time (items that keep failing unchanged are listed by
'gwsync status' and retried every run); 4 declined at the prompt; 5 (sync) a
user was being synced by another process (another 'gwsync sync', the web
client or a worker) and was skipped: --wait waits for it instead.`

// syncFlags are the flags of plan and sync.
type syncFlags struct {
	user    string
	areas   string
	exclude string
	asJSON  bool
	wide    bool // plan table: nothing cut (see planWidth)
	dryRun  bool
	yes     bool
	wait    bool
	full    bool // list the CRM in full (the consistency check)
	// cpuProfile is --cpuprofile's file: where time goes in this run.
	cpuProfile string
	utc        bool
	// loc is where the current user's times are shown (userLocation).
	loc *time.Location
}

func runPlan(ctx context.Context, args []string) error {
	fs, c := newFlagSet("plan", "plan [--user NAME] [--areas LIST] [--exclude IDS] [--full] [--json]\n\n"+exitHelp)
	f := &syncFlags{dryRun: true}
	fs.StringVar(&f.user, "user", "", "plan only this user (default: every user)")
	fs.StringVar(&f.areas, "areas", "", "comma-separated areas: emails,tasks,appointments,resync (default: the user's)")
	fs.StringVar(&f.exclude, "exclude", "", "comma-separated action `ids` to deselect")
	fs.BoolVar(&f.asJSON, "json", false, "print the plan as JSON")
	fs.BoolVar(&f.wide, "wide", false, "print the plan table without cutting subjects and notes to 100 columns")
	fs.BoolVar(&f.full, "full", false, "list the CRM in full, which finds activities deleted there (else done every defaults.crm_full_check)")
	cpuProfileFlag(fs, &f.cpuProfile)
	fs.BoolVar(&f.utc, "utc", false, "print times in UTC instead of the user's time zone")
	if err := parse(fs, args); err != nil {
		return err
	}
	return syncUsers(ctx, c, f)
}

func runSync(ctx context.Context, args []string) error {
	fs, c := newFlagSet("sync", "sync [--user NAME] [--areas LIST] [--exclude IDS] [--full] [--dry-run] [--yes] [--wait]\n\n"+exitHelp)
	f := &syncFlags{}
	fs.StringVar(&f.user, "user", "", "sync only this user (default: every user)")
	fs.StringVar(&f.areas, "areas", "", "comma-separated areas: emails,tasks,appointments,resync (default: the user's)")
	fs.StringVar(&f.exclude, "exclude", "", "comma-separated action `ids` to deselect (see 'gwsync plan')")
	fs.BoolVar(&f.dryRun, "dry-run", false, "show the plan, apply nothing")
	fs.BoolVar(&f.yes, "yes", false, "apply without asking (needed when stdin is not a terminal)")
	fs.BoolVar(&f.wait, "wait", false, "when a user is being synced by another process, wait for it instead of skipping the user")
	fs.BoolVar(&f.asJSON, "json", false, "print plans and results as JSON (results list failures and skips; done actions and streamed creates are counted)")
	fs.BoolVar(&f.wide, "wide", false, "print the plan table without cutting subjects and notes to 100 columns")
	fs.BoolVar(&f.full, "full", false, "list the CRM in full, which finds activities deleted there (else done every defaults.crm_full_check)")
	cpuProfileFlag(fs, &f.cpuProfile)
	fs.BoolVar(&f.utc, "utc", false, "print times in UTC instead of the user's time zone")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !f.dryRun && !f.yes && !isTerminal(os.Stdin) {
		return usageError{"sync: stdin is not a terminal, so there is nobody to confirm the plan: pass --yes to apply, or --dry-run"}
	}
	return syncUsers(ctx, c, f)
}

func syncUsers(ctx context.Context, c *common, f *syncFlags) error {
	stopProfile, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	logger, cfg, err := c.setup()
	if err != nil {
		return err
	}
	list, err := users(cfg, f.user)
	if err != nil {
		return err
	}
	var areas []engine.Area
	if f.areas != "" {
		if areas, err = engine.ParseAreas(f.areas); err != nil {
			return usageError{err.Error()}
		}
	}
	// Plugin processes live in a pool for the whole command: the first
	// user's start now, while the state opens and the preferences are
	// read, and the next users' sources reuse them.
	pool := plugins.NewPool(plugins.PoolOptions{Logger: logger.Named("plugins"), IdleTimeout: -1})
	defer pool.Close()
	if len(list) > 0 {
		prestartSources(pool, &opener{cfg: cfg, logger: logger}, list[0])
	}
	st, err := openState(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	op := &opener{cfg: cfg, logger: logger}
	// The CRM starts while the first user's sources start.
	var crm adapters.Sink
	var crmErr error
	crmReady := make(chan struct{})
	go func() {
		defer close(crmReady)
		crm, crmErr = op.sink(ctx)
	}()
	defer func() { <-crmReady; op.close() }()
	excluded := splitList(f.exclude)
	if len(excluded) > 0 && len(list) > 1 {
		return usageError{"--exclude needs --user: action ids belong to one user's plan"}
	}
	worst := exitOK
	for _, cu := range list {
		// The user's own preferences (web client) count here too.
		u, err := effectiveUser(ctx, cfg, st, cu.Name)
		if err != nil {
			return err
		}
		f.loc = userLocation(u, f.utc)
		only := userAreas(u)
		if areas != nil {
			if only = intersectAreas(only, areas); len(only) == 0 {
				// An empty list would mean "every area" to the engine.
				fmt.Fprintf(noteOut(f), "%s: nothing to do: none of the areas asked for is among the user's (%s)\n",
					u.Name, strings.Join(u.Areas, ", "))
				continue
			}
		}
		// Each user's sources (plugin processes, server connections) end
		// with the user's run, so a sync over thousands of users holds one
		// user's at a time; the CRM stays open for all.
		userOp := &opener{cfg: cfg, logger: logger, pool: pool}
		if userOp.secrets, err = askPasswords(u, only); err != nil {
			return err
		}
		job, err := userOp.job(ctx, u, nil)
		if err != nil {
			userOp.close()
			return err
		}
		if <-crmReady; crmErr != nil {
			userOp.close()
			return crmErr
		}
		job.CRM = crm
		job.Areas = only
		job.FullCRM = f.full
		code, err := syncLocked(ctx, st, job, f, excluded)
		userOp.close()
		var busy *state.BusyError
		if errors.As(err, &busy) {
			fmt.Fprintf(os.Stderr, "gwsync: %v: skipped (--wait waits for it)\n", err)
			worst = max(worst, exitBusy)
			continue
		}
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
		worst = max(worst, code)
	}
	if worst != exitOK {
		return exitCodeError{code: worst}
	}
	return nil
}

func userAreas(u *config.User) []engine.Area {
	out := make([]engine.Area, 0, len(u.Areas))
	for _, a := range u.Areas {
		out = append(out, engine.Area(a))
	}
	return out
}

// noteOut is where a note goes: stdout, unless that carries JSON.
func noteOut(f *syncFlags) io.Writer {
	if f.asJSON {
		return os.Stderr
	}
	return os.Stdout
}

// intersectAreas keeps the areas the user has that were also asked for.
func intersectAreas(have, want []engine.Area) []engine.Area {
	out := []engine.Area{}
	for _, a := range have {
		for _, w := range want {
			if a == w {
				out = append(out, a)
			}
		}
	}
	return out
}

// syncLocked runs syncOne under the user's lease, so that no other
// process (another sync, the web client, a worker) syncs the user at the
// same time; a plan (dry run) writes nothing and takes none. The run goes
// on under the lease's context: a lease lost (the state store unreachable
// past its expiry) stops the run between two batches.
func syncLocked(ctx context.Context, st state.Store, job *engine.Job, f *syncFlags, excluded []string) (int, error) {
	if f.dryRun {
		return syncOne(ctx, st, job, f, excluded)
	}
	holder := state.CurrentHolder("gwsync sync")
	lock, runCtx, err := state.LockUser(ctx, st, job.User, holder, state.LockOptions{TakeOverDead: true})
	var busy *state.BusyError
	if f.wait && errors.As(err, &busy) {
		fmt.Fprintf(noteOut(f), "%v: waiting for it to end…\n", busy)
		lock, runCtx, err = state.LockUser(ctx, st, job.User, holder, state.LockOptions{Wait: true, TakeOverDead: true})
	}
	if err != nil {
		return exitError, err
	}
	defer lock.Unlock(context.WithoutCancel(ctx))
	return syncOne(runCtx, st, job, f, excluded)
}

func syncOne(ctx context.Context, st state.Store, job *engine.Job, f *syncFlags, excluded []string) (int, error) {
	bar := newProgressBar()
	job.Progress = bar.update
	if f.yes && !f.dryRun && len(excluded) == 0 {
		// Nobody reviews this plan: new items go to the CRM while the
		// sources are still being listed.
		plan, res, err := engine.Sync(ctx, st, job)
		bar.done()
		return reportSync(job.User, f, plan, res, err)
	}
	run, err := engine.Start(ctx, st, job)
	bar.done()
	if err != nil {
		return exitError, err
	}
	plan := run.Plan()
	if err := plan.Deselect(excluded...); err != nil {
		return exitUsage, usageError{fmt.Sprintf("--exclude: %v (see 'gwsync plan')", err)}
	}
	if f.dryRun {
		if err := printPlan(plan, f.asJSON, f.wide, f.loc); err != nil {
			return exitError, err
		}
		// Like sync: a source that could not be read is exit 3, so that a
		// script sees a wrong password before it syncs.
		return codeFor(plan, nil), nil
	}
	if plan.Writes() > 0 && !f.yes {
		if err := printPlan(plan, false, f.wide, f.loc); err != nil {
			return exitError, err
		}
		if !confirm(fmt.Sprintf("Apply %d changes for %s? [y/N] ", plan.Writes(), job.User)) {
			return exitDeclined, exitCodeError{code: exitDeclined, msg: "nothing applied"}
		}
	}
	res, err := run.Apply(ctx)
	bar.done()
	return reportSync(job.User, f, plan, res, err)
}

// reportSync prints what a run did and returns its exit code.
func reportSync(user string, f *syncFlags, plan *engine.Plan, res *engine.Result, err error) (int, error) {
	switch {
	case err != nil:
		return exitError, err
	case f.asJSON:
		return codeFor(plan, res), writeResultJSON(f, plan, res)
	case res == nil || res.Status == state.StatusIdle:
		printPlanSummary(plan)
	default:
		printResult(user, res, f.loc)
	}
	return codeFor(plan, res), nil
}

// codeFor is a run's exit code: partial when the run met a failure that is
// new (or has a new reason) or failed as a whole. A failure that keeps
// failing unchanged is reported ("still failing since …") but no longer
// turns every run into exit 3. Without a result (a plan), a source that
// could not be listed makes it partial; unreadable items are shown in the
// plan and settled by the run.
func codeFor(plan *engine.Plan, res *engine.Result) int {
	if res != nil {
		if res.Status == state.StatusFailed || res.NewFailures > 0 {
			return exitPartial
		}
		return exitOK
	}
	for _, pr := range plan.Problems {
		if pr.ItemID == "" {
			return exitPartial
		}
	}
	return exitOK
}

func printPlan(plan *engine.Plan, asJSON, wide bool, loc *time.Location) error {
	plan = redactPlan(plan)
	if asJSON {
		return plan.WriteJSON(os.Stdout)
	}
	return termSafePlan(plan).WriteTableIn(os.Stdout, planWidth(wide), loc)
}

func printPlanSummary(plan *engine.Plan) {
	fmt.Printf("%s: nothing to apply (%s)\n", plan.User, plan.Summary())
	for _, pr := range plan.Problems {
		fmt.Printf("  problem: %s %s: %s\n", pr.Source, firstNonEmpty(pr.ItemID, "(source)"), pr.Reason)
	}
}

func printResult(user string, res *engine.Result, loc *time.Location) {
	c := res.Counts
	fmt.Printf("%s: run %d %s: %d created, %d linked, %d times → CRM, %d times → groupware, %d exported, %d skipped, %d failed\n",
		user, res.RunID, res.Status, c["create"], c["link"], c["update-crm"], c["update-groupware"],
		c["export"], c["skipped"], c["failed"])
	for _, it := range res.Items {
		if it.Outcome == engine.OutcomeFailed {
			fmt.Printf("  failed: %s %s: %s%s\n", it.Source, firstNonEmpty(it.ItemID, it.ActivityID, "(source)"), it.Error, stillFailing(it, loc))
		}
		for _, w := range it.Warnings {
			fmt.Printf("  warning: %s %s: %s\n", it.Source, firstNonEmpty(it.ItemID, it.ActivityID), w)
		}
	}
}

func writeResultJSON(f *syncFlags, plan *engine.Plan, res *engine.Result) error {
	if !f.asJSON {
		return nil
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Plan   *engine.Plan   `json:"plan"`
		Result *engine.Result `json:"result,omitempty"`
	}{plan, res})
}

func confirm(prompt string) bool {
	fmt.Fprint(os.Stderr, prompt)
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// stillFailing says since when an outcome has failed the same way, when it
// is not the first time.
func stillFailing(it engine.ItemOutcome, loc *time.Location) string {
	if it.Attempts < 2 {
		return ""
	}
	return fmt.Sprintf(" (still failing since %s, %d attempts)", stampIn(it.FailingSince, loc), it.Attempts)
}
