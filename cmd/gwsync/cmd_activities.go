package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
)

// activityJSON is the documented shape of `gwsync activities --json`.
type activityJSON struct {
	ID           string                `json:"id"`
	Type         adapters.ActivityType `json:"type"`
	Subject      string                `json:"subject"`
	Body         string                `json:"body"`
	Start        *time.Time            `json:"start"`
	End          *time.Time            `json:"end"`
	Due          *time.Time            `json:"due"`
	AllDay       bool                  `json:"all_day"`
	TimeZone     string                `json:"time_zone,omitempty"`
	Busy         adapters.BusyStatus   `json:"busy,omitempty"`
	Owners       []string              `json:"owners"`
	Contacts     []string              `json:"contacts"`
	Source       string                `json:"source"`
	SourceItemID string                `json:"source_item_id"`
	Key          string                `json:"key,omitempty"`
	Attachments  []adapters.Attachment `json:"attachments,omitempty"`
}

func runActivities(ctx context.Context, args []string) error {
	fs, c := newFlagSet("activities", "activities [--user NAME] [--type TYPES] [--json] [--utc]")
	user := fs.String("user", "", "only this user's activities (default: every user's)")
	types := fs.String("type", "", "comma-separated types: MAILIN,TASK,APPOINTMENT,MEETING,FOLLOWUP")
	asJSON := fs.Bool("json", false, "print a JSON array (times in RFC 3339 with their offset)")
	utc := utcFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	var q adapters.ActivityQuery
	for _, t := range splitList(strings.ToUpper(*types)) {
		if !adapters.ActivityType(t).Valid() {
			return usageError{fmt.Sprintf("unknown --type %q (MAILIN, TASK, APPOINTMENT, MEETING, FOLLOWUP)", t)}
		}
		q.Types = append(q.Types, adapters.ActivityType(t))
	}
	logger, cfg, err := c.setup()
	if err != nil {
		return err
	}
	list, err := users(cfg, *user)
	if err != nil {
		return err
	}
	op := &opener{cfg: cfg, logger: logger}
	defer op.close()
	crm, err := op.sink(ctx)
	if err != nil {
		return err
	}
	// Each activity's times show in the zone of the user it is listed
	// for (the one rule of zone.go); JSON keeps RFC 3339 with offsets.
	zoneOf := func(*config.User) *time.Location { return time.UTC }
	if !*utc && !*asJSON {
		st, err := openState(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		zoneOf = func(cu *config.User) *time.Location {
			u, err := effectiveUser(ctx, cfg, st, cu.Name)
			if err != nil {
				logger.Warn("times in the config's zone: the user's preferences cannot be read", "user", cu.Name, "error", err)
				u = cu
			}
			return userLocation(u, false)
		}
	}
	seen := map[string]bool{} // an activity of two users is listed once
	out := []activityJSON{}
	var locs []*time.Location
	for _, u := range list {
		q.Owner = u.Name
		loc := zoneOf(u)
		if _, err := crm.ListActivities(ctx, q, func(a adapters.Activity) error {
			if !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, toActivityJSON(a))
				locs = append(locs, loc)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("listing activities of %s: %w", u.Name, err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tSUBJECT\tSTART\tEND/DUE\tCONTACTS\tSOURCE")
	for i, a := range out {
		loc := locs[i]
		endDue := a.End
		if endDue == nil {
			endDue = a.Due
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", termSafe(a.ID), a.Type, clip(a.Subject, 40), when(a.Start, a.AllDay, loc),
			when(endDue, a.AllDay, loc), clip(strings.Join(a.Contacts, ", "), 40), termSafe(a.Source))
	}
	tw.Flush()
	fmt.Printf("%d activities\n", len(out))
	return nil
}

func toActivityJSON(a adapters.Activity) activityJSON {
	t := func(v time.Time) *time.Time {
		if v.IsZero() {
			return nil
		}
		u := v.UTC()
		return &u
	}
	contacts := a.Contacts
	if contacts == nil {
		contacts = []string{}
	}
	return activityJSON{ID: a.ID, Type: a.Type, Subject: a.Subject, Body: a.Body,
		Start: t(a.Raster.Start), End: t(a.Raster.End), Due: t(a.Raster.Due), AllDay: a.Raster.AllDay,
		TimeZone: a.Raster.TimeZone, Busy: a.Busy, Owners: a.Owners, Contacts: contacts,
		Source: a.Source, SourceItemID: a.SourceItem, Key: a.Key, Attachments: a.Attachments}
}

// when writes an activity's time in loc ("Z" marks UTC, another zone its
// abbreviation); an all-day date is a date in no zone.
func when(t *time.Time, allDay bool, loc *time.Location) string {
	switch {
	case t == nil:
		return "-"
	case allDay:
		return t.UTC().Format("2006-01-02")
	case loc == nil || loc == time.UTC:
		return t.UTC().Format("2006-01-02 15:04Z")
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

func clip(s string, n int) string {
	s = termSafe(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
