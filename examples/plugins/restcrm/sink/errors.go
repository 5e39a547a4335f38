package restcrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gwsync/gwsync/adapters"
)

// codeOfStatus is what an HTTP status of the CRM means to the engine
// (README.md, "Errors"): retry later, ask for credentials, drop the
// write, skip the item.
func codeOfStatus(status int) adapters.Code {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return adapters.CodeUnauthorized
	case status == http.StatusNotFound:
		return adapters.CodeNotFound
	case status == http.StatusPreconditionFailed || status == http.StatusConflict:
		return adapters.CodeConflict
	case status == http.StatusUnprocessableEntity:
		return adapters.CodeInvalidItem
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return adapters.CodeTemporary
	}
	return adapters.CodeUnknown
}

// codeOfItemError is what a per-activity error code of a batch means.
func codeOfItemError(code string) adapters.Code {
	switch code {
	case "invalid_activity":
		return adapters.CodeInvalidItem
	case "not_found":
		return adapters.CodeNotFound
	case "version_mismatch", "exists":
		return adapters.CodeConflict
	}
	return adapters.CodeUnknown
}

// statusError reads the CRM's error body of a failed response into an
// error with the code of its status, naming the request.
func statusError(req *http.Request, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	what := fmt.Sprintf("restcrm: %s %s: %s", req.Method, redactedURL(req), resp.Status)
	var e apiErrorBody
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		what += ": " + e.Error.Code + ": " + e.Error.Message
	}
	return adapters.Errorf(codeOfStatus(resp.StatusCode), "%s", what)
}

// transportError is a request that got no answer: the engine retries it
// next run, unless the caller gave up (its context's error is kept, so
// errors.Is(err, context.Canceled) holds).
func transportError(ctx context.Context, req *http.Request, err error) error {
	msg := fmt.Sprintf("restcrm: %s %s", req.Method, redactedURL(req))
	if ctx.Err() != nil {
		return adapters.Wrap(adapters.CodeUnknown, ctx.Err(), msg)
	}
	var urlErr interface{ Timeout() bool }
	if errors.As(err, &urlErr) && urlErr.Timeout() {
		return adapters.Wrap(adapters.CodeTemporary, err, msg+": timed out")
	}
	return adapters.Wrap(adapters.CodeTemporary, err, msg)
}

// redactedURL names a request without its query's values, which may
// carry an owner's name but never belong in a shared log line anyway.
func redactedURL(req *http.Request) string {
	u := *req.URL
	u.RawQuery = ""
	u.User = nil
	return u.String()
}
