package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// cursorInvalidCodes are the Graph error codes meaning a delta token is no
// longer accepted (besides HTTP 410 Gone).
var cursorInvalidCodes = map[string]bool{
	"syncStateNotFound": true, "fullSyncRequired": true, "resyncRequired": true,
	"SyncStateNotFound": true, "syncStateInvalid": true,
}

func pathEscape(s string) string { return url.PathEscape(s) }

// call sends one authenticated request and decodes a 2xx JSON answer into
// out (when out is not nil). The token is fetched once more if Graph
// refuses it, because a revoked or rotated token must not fail a run that
// a fresh token would pass.
//
// Errors carry codes: Unauthorized (401/403 twice, naming the mailbox),
// NotFound (404), Conflict (409, 412), CursorInvalid (410 or a sync-state
// code), Temporary (throttling or 5xx after the retries), InvalidItem (400).
func (s *Source) call(ctx context.Context, method, target string, body any, header map[string]string, out any) error {
	if !strings.HasPrefix(target, s.cfg.BaseURL+"/") {
		// A next or delta link pointing elsewhere would carry the token
		// to another host: refuse it.
		return adapters.Errorf(adapters.CodeUnknown, "exchange graph: link %q is not below base_url %s", target, s.cfg.BaseURL)
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		token, err := s.tokens.token(ctx)
		if err != nil {
			return err
		}
		resp, err := s.cfg.Retry.Do(ctx, s.cfg.HTTP, func(ctx context.Context) (*http.Request, error) {
			var rd io.Reader
			if payload != nil {
				rd = bytes.NewReader(payload)
			}
			req, err := http.NewRequestWithContext(ctx, method, target, rd)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/json")
			if payload != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range header {
				req.Header.Set(k, v)
			}
			return req, nil
		}, nil)
		if err != nil {
			return adapters.Wrap(adapters.CodeOf(err), err, fmt.Sprintf("exchange graph: %s %s", method, s.redact(target)))
		}
		if resp.Status == http.StatusUnauthorized && attempt == 0 {
			s.tokens.invalidate()
			continue
		}
		if resp.Status >= 300 {
			return s.statusError(method, target, resp)
		}
		if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
			if err := json.Unmarshal(resp.Body, out); err != nil {
				return adapters.Errorf(adapters.CodeUnknown, "exchange graph: %s %s: bad JSON: %v", method, s.redact(target), err)
			}
		}
		return nil
	}
}

func (s *Source) statusError(method, target string, resp xchg.Response) error {
	var ge graphError
	_ = json.Unmarshal(resp.Body, &ge)
	what := fmt.Sprintf("exchange graph: %s %s: HTTP %d %s: %s", method, s.redact(target), resp.Status, ge.Error.Code, ge.Error.Message)
	code := adapters.CodeUnknown
	switch {
	case resp.Status == http.StatusGone || cursorInvalidCodes[ge.Error.Code]:
		code = adapters.CodeCursorInvalid
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		code = adapters.CodeUnauthorized
		what = fmt.Sprintf("exchange graph: %s: access refused (HTTP %d %s: %s)", s.cfg.who(), resp.Status, ge.Error.Code, ge.Error.Message)
	case resp.Status == http.StatusNotFound:
		code = adapters.CodeNotFound
	case resp.Status == http.StatusPreconditionFailed || resp.Status == http.StatusConflict:
		code = adapters.CodeConflict
	case resp.Status == http.StatusBadRequest:
		code = adapters.CodeInvalidItem
	case resp.Status >= 500 || resp.Status == http.StatusTooManyRequests:
		code = adapters.CodeTemporary
	}
	return adapters.Errorf(code, "%s", what)
}

// redact drops the query of a URL for messages: delta tokens are opaque
// and long, and skip tokens may carry mailbox data.
func (s *Source) redact(target string) string {
	if i := strings.IndexByte(target, '?'); i >= 0 {
		return target[:i] + "?…"
	}
	return target
}

// walk follows a delta query from link through every @odata.nextLink to
// the @odata.deltaLink, calling row for each entry, and returns the delta
// link. A page that fails past the retries is asked for again from its own
// link (cfg.Resume), so the rows already handed to row are neither lost
// nor sent twice. A page that still fails is an error: the caller never
// treats a half-read delta as complete.
func (s *Source) walk(ctx context.Context, link string, header map[string]string, row func(json.RawMessage) error) (string, error) {
	for pages := 0; ; pages++ {
		var p page
		err := s.cfg.Resume.Page(ctx, s.cfg.Logger, fmt.Sprintf("%s (page %d)", s.redact(link), pages+1), func() error {
			p = page{}
			return s.call(ctx, http.MethodGet, link, nil, header, &p)
		})
		if err != nil {
			return "", err
		}
		for _, raw := range p.Value {
			if err := row(raw); err != nil {
				return "", err
			}
		}
		switch {
		case p.NextLink != "":
			link = p.NextLink
		case p.DeltaLink != "":
			return p.DeltaLink, nil
		default:
			return "", nil // a plain (non-delta) listing ends here
		}
		if pages > 100000 {
			return "", adapters.Errorf(adapters.CodeUnknown, "exchange graph: more than 100000 pages, giving up")
		}
	}
}
