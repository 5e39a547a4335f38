package davx

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

const xmlHeader = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// Prop names for PropFind, as XML elements with their namespace prefixes
// d: (DAV:), c: (CalDAV) and cs: (calendarserver.org).
const (
	PropETag         = "<d:getetag/>"
	PropResourceType = "<d:resourcetype/>"
	PropDisplayName  = "<d:displayname/>"
	PropSyncToken    = "<d:sync-token/>"
	PropCTag         = "<cs:getctag/>"
	PropComponents   = "<c:supported-calendar-component-set/>"
	PropPrincipal    = "<d:current-user-principal/>"
	PropHomeSet      = "<c:calendar-home-set/>"
)

func xmlBody(root, inner string) []byte {
	return []byte(xmlHeader + "<" + root + ` xmlns:d="DAV:" xmlns:c="` + nsCalDAV + `" xmlns:cs="` + nsCS + `">` + inner + "</" + root + ">")
}

func xmlHeaders(depth string) http.Header {
	h := http.Header{"Content-Type": {"application/xml; charset=utf-8"}}
	if depth != "" {
		h.Set("Depth", depth)
	}
	return h
}

// multistatus sends a PROPFIND or REPORT and streams its answer to fn.
// Statuses other than 207 come back as StatusError codes.
func (c *Client) multistatus(ctx context.Context, method, u, depth string, body []byte, fn func(Response) error) (string, error) {
	resp, err := c.Request(ctx, method, u, xmlHeaders(depth), body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusMultiStatus {
		return "", StatusError(resp, method+" "+u)
	}
	defer resp.Body.Close()
	var fnErr error // the caller's own error goes back as it is
	tok, err := DecodeMultistatus(resp.Body, func(r Response) error {
		fnErr = fn(r)
		return fnErr
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if fnErr != nil {
			return "", fnErr
		}
		if _, ok := err.(*adapters.Error); ok {
			return "", err
		}
		return "", adapters.Wrap(adapters.CodeTemporary, err, method+" "+u+": answer broken off")
	}
	return tok, nil
}

// PropFind asks for props (PropETag …) at depth "0" or "1".
func (c *Client) PropFind(ctx context.Context, u, depth string, props []string, fn func(Response) error) error {
	_, err := c.multistatus(ctx, "PROPFIND", u, depth, xmlBody("d:propfind", "<d:prop>"+strings.Join(props, "")+"</d:prop>"), fn)
	return err
}

// SyncResult ends a sync-collection REPORT.
type SyncResult struct {
	Token string
	// Truncated is set when the server answered 507 for the collection
	// itself: more changes wait; ask again with Token.
	Truncated bool
}

// SyncCollection runs an RFC 6578 sync-collection REPORT (sync-level 1,
// getetag) from token ("" for the initial sync) and calls fn for every
// member reported: Status 404 means removed. The collection's own href is
// not passed to fn.
//
// Errors: CursorInvalid when a non-empty token is refused, whatever status
// the server uses for that (403, 409, 410, 412, 400; RFC 6578 says 403
// with DAV:valid-sync-token, servers differ); otherwise as Request.
func (c *Client) SyncCollection(ctx context.Context, u, collPath, token string, fn func(Response) error) (SyncResult, error) {
	body := xmlBody("d:sync-collection", "<d:sync-token>"+xmlEscape(token)+"</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>")
	resp, err := c.Request(ctx, "REPORT", u, xmlHeaders("0"), body)
	if err != nil {
		return SyncResult{}, err
	}
	if resp.StatusCode != http.StatusMultiStatus {
		switch resp.StatusCode {
		case 400, 403, 409, 410, 412:
			if token != "" {
				drain(resp)
				return SyncResult{}, adapters.Errorf(adapters.CodeCursorInvalid, "sync token for %s refused (%s)", u, resp.Status)
			}
		}
		return SyncResult{}, StatusError(resp, "sync-collection "+u)
	}
	defer resp.Body.Close()
	var res SyncResult
	collPath = strings.TrimSuffix(collPath, "/")
	tok, err := DecodeMultistatus(resp.Body, func(r Response) error {
		if strings.TrimSuffix(r.Href, "/") == collPath {
			if r.Status == http.StatusInsufficientStorage {
				res.Truncated = true
			}
			return nil
		}
		return fn(r)
	})
	if err != nil {
		if ctx.Err() != nil {
			return SyncResult{}, ctx.Err()
		}
		if _, ok := err.(*adapters.Error); ok {
			return SyncResult{}, err
		}
		return SyncResult{}, adapters.Wrap(adapters.CodeTemporary, err, "sync-collection "+u+": answer broken off")
	}
	res.Token = tok
	return res, nil
}

// Query runs a calendar-query REPORT for every object of the collection
// with its ETag and calendar data: one request for a whole collection, the
// fastest full listing on Radicale and Xandikos.
func (c *Client) Query(ctx context.Context, u string, fn func(Response) error) error {
	body := xmlBody("c:calendar-query", `<d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter>`)
	_, err := c.multistatus(ctx, "REPORT", u, "1", body, fn)
	return err
}

// MultiGet fetches hrefs (paths) with a calendar-multiget REPORT, chunk
// hrefs per request (servers cap it; Xandikos slows down badly on big
// ones). An href the server reports as missing comes with its status.
func (c *Client) MultiGet(ctx context.Context, u string, hrefs []string, chunk int, fn func(Response) error) error {
	if chunk <= 0 {
		chunk = 100
	}
	for len(hrefs) > 0 {
		n := min(chunk, len(hrefs))
		var b strings.Builder
		b.WriteString("<d:prop><d:getetag/><c:calendar-data/></d:prop>")
		for _, h := range hrefs[:n] {
			b.WriteString("<d:href>" + xmlEscape(EscapePath(h)) + "</d:href>")
		}
		if _, err := c.multistatus(ctx, "REPORT", u, "1", xmlBody("c:calendar-multiget", b.String()), fn); err != nil {
			return err
		}
		hrefs = hrefs[n:]
	}
	return nil
}

// Get fetches one object. Errors: NotFound; as Request.
func (c *Client) Get(ctx context.Context, u string) (data []byte, etag string, err error) {
	resp, err := c.Request(ctx, http.MethodGet, u, nil, nil)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode/100 != 2 {
		return nil, "", StatusError(resp, "GET "+u)
	}
	defer resp.Body.Close()
	data, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", adapters.Wrap(adapters.CodeTemporary, err, "GET "+u)
	}
	return data, resp.Header.Get("ETag"), nil
}

// Put writes an iCalendar object. ifMatch (an ETag exactly as the server
// gave it) makes it a conditional update, ifNoneMatch "*" a create that
// never overwrites. It returns the new ETag, "" when the server sends none
// (Radicale and others may omit it after rewriting the object).
//
// Errors: Conflict on 412 (the object changed, or exists for a create);
// NotFound; as Request.
func (c *Client) Put(ctx context.Context, u string, data []byte, ifMatch, ifNoneMatch string) (string, error) {
	h := http.Header{"Content-Type": {"text/calendar; charset=utf-8"}}
	if ifMatch != "" {
		h.Set("If-Match", ifMatch)
	}
	if ifNoneMatch != "" {
		h.Set("If-None-Match", ifNoneMatch)
	}
	resp, err := c.Request(ctx, http.MethodPut, u, h, data)
	if err != nil {
		return "", err
	}
	if resp.StatusCode/100 != 2 {
		return "", StatusError(resp, "PUT "+u)
	}
	drain(resp)
	return resp.Header.Get("ETag"), nil
}

// MkCalendar creates a calendar collection holding the given component
// (VEVENT or VTODO). Tests and fixtures use it.
func (c *Client) MkCalendar(ctx context.Context, u, displayName, component string) error {
	body := []byte(xmlHeader + `<c:mkcalendar xmlns:d="DAV:" xmlns:c="` + nsCalDAV + `"><d:set><d:prop><d:displayname>` + xmlEscape(displayName) +
		`</d:displayname><c:supported-calendar-component-set><c:comp name="` + component + `"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>`)
	resp, err := c.Request(ctx, "MKCALENDAR", u, xmlHeaders(""), body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return StatusError(resp, "MKCALENDAR "+u)
	}
	drain(resp)
	return nil
}

// Delete removes an object or collection.
func (c *Client) Delete(ctx context.Context, u string) error {
	resp, err := c.Request(ctx, http.MethodDelete, u, nil, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return StatusError(resp, "DELETE "+u)
	}
	drain(resp)
	return nil
}

func xmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

// EscapePath percent-encodes a decoded path for a URL or an href.
func EscapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }
