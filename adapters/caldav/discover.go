package caldav

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"

	"github.com/emersion/go-webdav/caldav"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
	"github.com/gwsync/gwsync/adapters/netx"
)

// collection is one calendar collection and what it feeds.
type collection struct {
	Path       string
	Name       string
	Components []string
	Kinds      []adapters.Kind
}

// homeSet finds the calendar home set once: current-user-principal at the
// configured URL, else at /.well-known/caldav (redirects followed by
// davx), else at the root; then the principal's calendar-home-set. The
// configured URL may itself be a home set or a collection: then the
// principal's home is used all the same.
func (s *Source) homeSet(ctx context.Context) (string, error) {
	s.mu.Lock()
	home := s.home
	s.mu.Unlock()
	if home != "" {
		return home, nil
	}
	dav, err := s.client()
	if err != nil {
		return "", err
	}
	var principal string
	var lastErr error
	for _, start := range s.discoveryURLs() {
		cl, err := caldav.NewClient(dav, start)
		if err != nil {
			lastErr = err
			continue
		}
		p, err := cl.FindCurrentUserPrincipal(ctx)
		if err != nil {
			// A server that does not answer (or bad credentials) gives
			// the same result at the other discovery URLs: stop here.
			if c := adapters.CodeOf(err); c == adapters.CodeUnauthorized || ctx.Err() != nil {
				return "", err
			}
			if davx.IsStall(err) {
				return "", adapters.Wrap(adapters.CodeTemporary, err, "caldav: discovery")
			}
			// Nothing answers at all (refused, no such host, a
			// certificate problem): the other URLs are on the same
			// server, and "no principal found" would hide the reason.
			var nf *netx.Failure
			if errors.As(err, &nf) {
				return "", adapters.Wrap(adapters.CodeOf(err), nf, "caldav "+s.set.base.Redacted())
			}
			lastErr = err
			continue
		}
		if p != "" {
			principal = p
			break
		}
	}
	if principal == "" {
		return "", adapters.Wrap(codeOr(lastErr, adapters.CodeInvalidConfig), lastErr, "caldav: no current-user-principal found from "+s.set.base.Redacted())
	}
	cl, err := caldav.NewClient(dav, s.set.base.String())
	if err != nil {
		return "", adapters.Wrap(adapters.CodeInvalidConfig, err, "caldav")
	}
	home, err = cl.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		return "", adapters.Wrap(codeOr(err, adapters.CodeUnknown), err, "caldav: calendar-home-set of "+principal)
	}
	s.mu.Lock()
	s.home = home
	s.mu.Unlock()
	return home, nil
}

// discoveryURLs are where the principal is looked for, in order.
func (s *Source) discoveryURLs() []string {
	root := *s.set.base
	root.Path, root.RawPath, root.RawQuery = "/", "", ""
	wk := root
	wk.Path = "/.well-known/caldav"
	return []string{s.set.base.String(), wk.String(), root.String()}
}

// codeOr returns err's code, or def when it has none.
func codeOr(err error, def adapters.Code) adapters.Code {
	if c := adapters.CodeOf(err); c != adapters.CodeUnknown {
		return c
	}
	return def
}

// abs makes a server path absolute against the configured URL.
func (s *Source) abs(path string) string {
	u := url.URL{Scheme: s.set.base.Scheme, Host: s.set.base.Host, Path: path}
	return u.String()
}

// collections lists the calendar collections under the home set (one
// PROPFIND) and picks those the options select. It asks for no sync-token
// or ctag: Radicale computes those over every member of every collection
// (0.3 s for 2,000 events), and the snapshot asks only the collections it
// reads. Errors: as Request; InvalidConfig when a configured calendar or
// task list does not exist.
func (s *Source) collections(ctx context.Context, home string) ([]collection, error) {
	dav, err := s.client()
	if err != nil {
		return nil, err
	}
	var all []collection
	err = dav.PropFind(ctx, s.abs(home), "1",
		[]string{davx.PropResourceType, davx.PropDisplayName, davx.PropComponents},
		func(r davx.Response) error {
			if r.Status/100 == 2 && r.Props.IsCalendar {
				all = append(all, collection{Path: ensureSlash(r.Href), Name: r.Props.DisplayName,
					Components: r.Props.Components})
			}
			return nil
		})
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeOf(err), err, "caldav: listing calendars")
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	if err := pick(all, s.set.Calendars, s.set.allCalendars, "VEVENT", adapters.KindEvent, "calendar"); err != nil {
		return nil, err
	}
	if err := pick(all, s.set.TaskLists, s.set.allTask, "VTODO", adapters.KindTask, "task list"); err != nil {
		return nil, err
	}
	var out []collection
	for _, c := range all {
		if len(c.Kinds) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// pick marks collections as feeding kind: every collection offering comp
// (or not saying) when all is set, else those named (display name or
// path, with or without the trailing slash).
func pick(all []collection, names []string, everything bool, comp string, kind adapters.Kind, what string) error {
	if everything {
		for i := range all {
			if len(all[i].Components) == 0 || contains(all[i].Components, comp) {
				all[i].Kinds = append(all[i].Kinds, kind)
			}
		}
		return nil
	}
	for _, n := range names {
		found := false
		for i := range all {
			c := &all[i]
			if c.Name == n || strings.TrimSuffix(c.Path, "/") == strings.TrimSuffix(n, "/") || strings.HasSuffix(strings.TrimSuffix(c.Path, "/"), "/"+strings.Trim(n, "/")) {
				found = true
				if !containsKind(c.Kinds, kind) {
					c.Kinds = append(c.Kinds, kind)
				}
			}
		}
		if !found {
			return adapters.Errorf(adapters.CodeInvalidConfig, "caldav: %s %q not found on the server", what, n)
		}
	}
	return nil
}

func ensureSlash(p string) string {
	if strings.HasSuffix(p, "/") {
		return p
	}
	return p + "/"
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func containsKind(list []adapters.Kind, k adapters.Kind) bool {
	for _, x := range list {
		if x == k {
			return true
		}
	}
	return false
}
