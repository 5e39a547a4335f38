// Package caldavtest is an in-memory CalDAV server for fast tests: go-webdav's
// caldav.Handler over a map, with principal /alice/, home
// /alice/calendars/, and conditional PUT (If-Match, If-None-Match) honoured.
// It has no sync-collection and no ctag, so it exercises the adapter's
// ETag-listing path.
package caldavtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
)

// Principal and Home are the fixed paths of the one user.
const (
	Principal = "/alice/"
	Home      = "/alice/calendars/"
)

type object struct {
	cal  *ical.Calendar
	etag string
	mod  time.Time
}

// Backend is an in-memory caldav.Backend.
type Backend struct {
	mu        sync.Mutex
	calendars map[string]caldav.Calendar // path → calendar
	objects   map[string]object          // path → object
	seq       int
}

// NewBackend returns a backend with the given calendars (path under Home,
// e.g. "work", and the component, VEVENT or VTODO).
func NewBackend() *Backend {
	return &Backend{calendars: map[string]caldav.Calendar{}, objects: map[string]object{}}
}

// AddCalendar adds a collection Home+name+"/" offering comp.
func (b *Backend) AddCalendar(name, display, comp string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := Home + name + "/"
	b.calendars[p] = caldav.Calendar{Path: p, Name: display, SupportedComponentSet: []string{comp}}
	return p
}

// Put stores iCalendar text at path (bypassing HTTP) and returns its ETag.
func (b *Backend) Put(p string, data []byte) (string, error) {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.store(p, cal), nil
}

func (b *Backend) store(p string, cal *ical.Calendar) string {
	b.seq++
	etag := fmt.Sprintf("v%d", b.seq)
	b.objects[p] = object{cal: cal, etag: etag, mod: time.Now().UTC()}
	return etag
}

// Delete removes an object.
func (b *Backend) Delete(p string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objects, p)
}

// Serve starts an httptest server on 127.0.0.1 and returns it.
func (b *Backend) Serve() *httptest.Server {
	return httptest.NewServer(&caldav.Handler{Backend: b})
}

// CurrentUserPrincipal implements webdav.UserPrincipalBackend.
func (b *Backend) CurrentUserPrincipal(ctx context.Context) (string, error) { return Principal, nil }

// CalendarHomeSetPath implements caldav.Backend.
func (b *Backend) CalendarHomeSetPath(ctx context.Context) (string, error) { return Home, nil }

// CreateCalendar implements caldav.Backend.
func (b *Backend) CreateCalendar(ctx context.Context, c *caldav.Calendar) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calendars[c.Path] = *c
	return nil
}

// ListCalendars implements caldav.Backend.
func (b *Backend) ListCalendars(ctx context.Context) ([]caldav.Calendar, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []caldav.Calendar
	for _, c := range b.calendars {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// GetCalendar implements caldav.Backend.
func (b *Backend) GetCalendar(ctx context.Context, p string) (*caldav.Calendar, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.calendars[dir(p)]
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("no calendar %s", p))
	}
	return &c, nil
}

func dir(p string) string {
	if strings.HasSuffix(p, "/") {
		return p
	}
	return p + "/"
}

func (b *Backend) co(p string, o object) caldav.CalendarObject {
	var buf bytes.Buffer
	_ = ical.NewEncoder(&buf).Encode(o.cal)
	return caldav.CalendarObject{Path: p, ModTime: o.mod, ETag: o.etag, Data: o.cal, ContentLength: int64(buf.Len())}
}

// GetCalendarObject implements caldav.Backend.
func (b *Backend) GetCalendarObject(ctx context.Context, p string, req *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[p]
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("no object %s", p))
	}
	co := b.co(p, o)
	return &co, nil
}

// ListCalendarObjects implements caldav.Backend.
func (b *Backend) ListCalendarObjects(ctx context.Context, p string, req *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []caldav.CalendarObject
	for op, o := range b.objects {
		if path.Dir(op)+"/" == dir(p) {
			out = append(out, b.co(op, o))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// QueryCalendarObjects implements caldav.Backend.
func (b *Backend) QueryCalendarObjects(ctx context.Context, p string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	all, err := b.ListCalendarObjects(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	return caldav.Filter(q, all)
}

// PutCalendarObject implements caldav.Backend, honouring If-Match and
// If-None-Match with 412.
func (b *Backend) PutCalendarObject(ctx context.Context, p string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, exists := b.objects[p]
	if opts.IfNoneMatch.IsWildcard() && exists {
		return nil, webdav.NewHTTPError(http.StatusPreconditionFailed, fmt.Errorf("%s exists", p))
	}
	if opts.IfMatch.IsSet() {
		want, err := opts.IfMatch.ETag()
		if !exists || err != nil || want != o.etag {
			return nil, webdav.NewHTTPError(http.StatusPreconditionFailed, fmt.Errorf("%s changed", p))
		}
	}
	b.store(p, cal)
	co := b.co(p, b.objects[p])
	return &co, nil
}

// DeleteCalendarObject implements caldav.Backend.
func (b *Backend) DeleteCalendarObject(ctx context.Context, p string) error {
	b.Delete(p)
	return nil
}

var _ caldav.Backend = (*Backend)(nil)
