package xchg

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/mailmsg"
)

func TestShowAsTable(t *testing.T) {
	for in, want := range map[string]adapters.BusyStatus{
		"free": adapters.BusyFree, "tentative": adapters.BusyTentative, "busy": adapters.BusyBusy,
		"oof": adapters.BusyOutOfOffice, "workingElsewhere": adapters.BusyWorkingElsewhere, "unknown": adapters.BusyUnknown,
	} {
		if got, ok := ShowAs(in); got != want || !ok {
			t.Errorf("ShowAs(%q) = %q, %v; want %q, true", in, got, ok, want)
		}
	}
	if got, ok := ShowAs("veryBusy"); ok || got != adapters.BusyUnknown {
		t.Errorf("ShowAs of an unknown value = %q, %v", got, ok)
	}
	if got, ok := LegacyFreeBusy("OOF"); got != adapters.BusyOutOfOffice || !ok {
		t.Errorf("LegacyFreeBusy(OOF) = %q", got)
	}
	if got, ok := LegacyFreeBusy("NoData"); got != adapters.BusyUnknown || !ok {
		t.Errorf("LegacyFreeBusy(NoData) = %q", got)
	}
}

func TestBodyCutsAtRuneBoundary(t *testing.T) {
	body, warn := Body("a"+strings.Repeat("€", mailmsg.MaxBodyBytes/3+5), "text")
	if len(body) > mailmsg.MaxBodyBytes || !utf8.ValidString(body) || len(warn) != 1 {
		t.Errorf("cut body: %d bytes, valid %v, warnings %v", len(body), utf8.ValidString(body), warn)
	}
}

func TestZoneNames(t *testing.T) {
	for name, want := range map[string]string{"W. Europe Standard Time": "Europe/Berlin", "Europe/Berlin": "Europe/Berlin", "UTC": "", "": ""} {
		if _, iana, ok := Zone(name); !ok || iana != want {
			t.Errorf("Zone(%q) = %q, %v; want %q", name, iana, ok, want)
		}
	}
	if _, _, ok := Zone("Mars Standard Time"); ok {
		t.Error("Zone knows Mars")
	}
	got, warn, err := WallTime("2026-03-10T09:00:00.0000000", "W. Europe Standard Time")
	if err != nil || warn != "" || !got.Equal(time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("WallTime = %v %q %v", got, warn, err)
	}
}

// TestRetryAfterDate: Retry-After as an HTTP date is honoured too.
func TestRetryAfterDate(t *testing.T) {
	h := http.Header{"Retry-After": {time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)}}
	if d := RetryAfter(h); d < time.Second || d > 3*time.Second {
		t.Errorf("RetryAfter(date) = %v", d)
	}
}

// TestRetryBounded: a server that is always down costs exactly Attempts
// requests and yields Temporary; a 4xx is returned at once.
func TestRetryBounded(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	p := Retry{Attempts: 4, BaseDelay: time.Millisecond}
	get := func(path string) func(context.Context) (*http.Request, error) {
		return func(ctx context.Context) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		}
	}
	_, err := p.Do(context.Background(), srv.Client(), get("/down"), nil)
	if adapters.CodeOf(err) != adapters.CodeTemporary || calls.Load() != 4 {
		t.Errorf("always-down server: %v after %d calls, want Temporary after 4", err, calls.Load())
	}
	calls.Store(0)
	resp, err := p.Do(context.Background(), srv.Client(), get("/missing"), nil)
	if err != nil || resp.Status != 404 || calls.Load() != 1 {
		t.Errorf("404: %v %v after %d calls", resp.Status, err, calls.Load())
	}
}

// TestResumePage: a Temporary failure is asked for again, bounded by the
// rounds; other codes and a disabled policy return at once.
func TestResumePage(t *testing.T) {
	ctx := context.Background()
	failing := func(n int, code adapters.Code) (func() error, *int) {
		calls := 0
		return func() error {
			calls++
			if calls <= n {
				return adapters.Errorf(code, "failure %d", calls)
			}
			return nil
		}, &calls
	}
	r := Resume{Rounds: 2, Delay: time.Millisecond}
	fetch, calls := failing(2, adapters.CodeTemporary)
	if err := r.Page(ctx, nil, "p", fetch); err != nil || *calls != 3 {
		t.Errorf("two failures, two rounds: err %v after %d calls, want success after 3", err, *calls)
	}
	fetch, calls = failing(3, adapters.CodeTemporary)
	if err := r.Page(ctx, nil, "p", fetch); adapters.CodeOf(err) != adapters.CodeTemporary || *calls != 3 {
		t.Errorf("three failures, two rounds: err %v after %d calls, want Temporary after 3", err, *calls)
	}
	fetch, calls = failing(1, adapters.CodeCursorInvalid)
	if err := r.Page(ctx, nil, "p", fetch); adapters.CodeOf(err) != adapters.CodeCursorInvalid || *calls != 1 {
		t.Errorf("CursorInvalid: err %v after %d calls, want it at once", err, *calls)
	}
	fetch, calls = failing(1, adapters.CodeTemporary)
	if err := (Resume{Rounds: -1}).Page(ctx, nil, "p", fetch); err == nil || *calls != 1 {
		t.Errorf("resume off: err %v after %d calls", err, *calls)
	}
	if d := (Resume{}).OrDefault(); d != DefaultResume {
		t.Errorf("zero Resume defaults to %+v", d)
	}
}
