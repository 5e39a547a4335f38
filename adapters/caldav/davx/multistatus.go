package davx

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// Namespaces.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
)

// Response is one <response> of a multistatus, with the properties that
// came back with status 200.
type Response struct {
	Href string // as the server wrote it, percent-decoded path
	// Status is the response-level status (404 for a member removed in a
	// sync-collection answer, 507 for a truncated one), or 200 when the
	// response has propstats.
	Status int
	Props  Props
	// Bad says why the response could not be read as the server meant
	// it (characters XML cannot carry, replaced by U+FFFD), "" when
	// clean. Its href is still known, so the object can be named and
	// asked for again by itself.
	Bad string
}

// Props are the properties gwsync reads. ETag is kept verbatim: weak
// (W/"x") and unquoted values are accepted and sent back as they came.
type Props struct {
	ETag         string
	CalendarData string
	HasData      bool
	SyncToken    string
	CTag         string
	DisplayName  string
	Principal    string // current-user-principal href
	HomeSet      string // calendar-home-set href
	IsCalendar   bool
	IsCollection bool
	Components   []string // supported-calendar-component-set, upper case
}

type xmlResponse struct {
	Hrefs    []string      `xml:"DAV: href"`
	Status   string        `xml:"DAV: status"`
	Propstat []xmlPropstat `xml:"DAV: propstat"`
}

type xmlPropstat struct {
	Status string  `xml:"DAV: status"`
	Prop   xmlProp `xml:"DAV: prop"`
}

type xmlHref struct {
	Href string `xml:"DAV: href"`
}

type xmlProp struct {
	ETag         *string  `xml:"DAV: getetag"`
	CalendarData *string  `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	SyncToken    *string  `xml:"DAV: sync-token"`
	CTag         *string  `xml:"http://calendarserver.org/ns/ getctag"`
	DisplayName  *string  `xml:"DAV: displayname"`
	Principal    *xmlHref `xml:"DAV: current-user-principal"`
	HomeSet      *xmlHref `xml:"urn:ietf:params:xml:ns:caldav calendar-home-set"`
	ResourceType *struct {
		Types []struct {
			XMLName xml.Name
		} `xml:",any"`
	} `xml:"DAV: resourcetype"`
	CompSet *struct {
		Comps []struct {
			Name string `xml:"name,attr"`
		} `xml:"urn:ietf:params:xml:ns:caldav comp"`
	} `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
}

// DecodeMultistatus reads a multistatus body one <response> at a time,
// calling fn for each, so that a 20,000-object answer never sits in memory
// as a tree. It returns the top-level sync-token, if any. An error from fn
// stops decoding and is returned; a malformed body is an error (a
// connection dropped mid-answer is one too, so nothing is concluded from a
// partial listing).
func DecodeMultistatus(r io.Reader, fn func(Response) error) (string, error) {
	safe := newXMLSafeReader(r)
	dec := xml.NewDecoder(safe)
	token := ""
	sawRoot := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !sawRoot {
				return "", fmt.Errorf("multistatus: empty body")
			}
			return token, nil
		}
		if err != nil {
			return "", fmt.Errorf("multistatus: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Space == nsDAV && se.Name.Local == "multistatus":
			sawRoot = true
		case se.Name.Space == nsDAV && se.Name.Local == "sync-token":
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				return "", fmt.Errorf("multistatus: sync-token: %w", err)
			}
			token = strings.TrimSpace(s)
		case se.Name.Space == nsDAV && se.Name.Local == "response":
			var xr xmlResponse
			before := safe.replaced
			if err := dec.DecodeElement(&xr, &se); err != nil {
				return "", fmt.Errorf("multistatus: response: %w", err)
			}
			bad := ""
			if n := safe.replaced - before; n > 0 {
				bad = fmt.Sprintf("the server's answer holds %d control character(s) that XML cannot carry", n)
			}
			for _, resp := range xr.responses() {
				resp.Bad = bad
				if err := fn(resp); err != nil {
					return "", err
				}
			}
		}
	}
}

// responses flattens one <response> (which may name several hrefs).
func (xr xmlResponse) responses() []Response {
	var props Props
	status := parseStatus(xr.Status)
	for _, ps := range xr.Propstat {
		st := parseStatus(ps.Status)
		if st/100 != 2 {
			continue
		}
		if status == 0 {
			status = st
		}
		p := ps.Prop
		if p.ETag != nil {
			props.ETag = strings.TrimSpace(*p.ETag)
		}
		if p.CalendarData != nil {
			props.CalendarData, props.HasData = *p.CalendarData, true
		}
		if p.SyncToken != nil {
			props.SyncToken = strings.TrimSpace(*p.SyncToken)
		}
		if p.CTag != nil {
			props.CTag = strings.TrimSpace(*p.CTag)
		}
		if p.DisplayName != nil {
			props.DisplayName = strings.TrimSpace(*p.DisplayName)
		}
		if p.Principal != nil {
			props.Principal = strings.TrimSpace(p.Principal.Href)
		}
		if p.HomeSet != nil {
			props.HomeSet = strings.TrimSpace(p.HomeSet.Href)
		}
		if p.ResourceType != nil {
			for _, t := range p.ResourceType.Types {
				props.IsCalendar = props.IsCalendar || (t.XMLName.Space == nsCalDAV && t.XMLName.Local == "calendar")
				props.IsCollection = props.IsCollection || (t.XMLName.Space == nsDAV && t.XMLName.Local == "collection")
			}
		}
		if p.CompSet != nil {
			for _, c := range p.CompSet.Comps {
				props.Components = append(props.Components, strings.ToUpper(c.Name))
			}
		}
	}
	if status == 0 && len(xr.Propstat) > 0 {
		status = parseStatus(xr.Propstat[0].Status)
	}
	out := make([]Response, 0, len(xr.Hrefs))
	for _, h := range xr.Hrefs {
		out = append(out, Response{Href: cleanHref(h), Status: status, Props: props})
	}
	return out
}

// parseStatus reads "HTTP/1.1 404 Not Found" as 404; 0 when unreadable.
func parseStatus(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// cleanHref returns the path of an href (servers write paths or full
// URLs), percent-decoded, so hrefs compare equal however they are written.
func cleanHref(h string) string {
	h = strings.TrimSpace(h)
	u, err := url.Parse(h)
	if err != nil {
		return h
	}
	return u.Path
}
