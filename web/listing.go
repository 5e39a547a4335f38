package web

import (
	"net/url"
	"strconv"
	"strings"
)

// pageSize is how many rows a list page shows: enough to scan, small
// enough that a folder of thousands renders at once on a phone.
const pageSize = 50

// Sort orders of the lists (dataset steps and activities).
const (
	sortNewest  = "date"     // newest first, the default
	sortOldest  = "date-asc" // oldest first
	sortSubject = "subject"  // A to Z
)

var sortOrders = []sortOrder{{sortNewest, "Newest first"}, {sortOldest, "Oldest first"}, {sortSubject, "Subject"}}

type sortOrder struct{ Value, Label string }

// listQuery is what a list shows: a search text (subject, sender or
// organizer), a sort order and a page (1-based). It lives in the URL, so
// that back and forward show the same view again.
type listQuery struct {
	Q    string
	Sort string
	Page int
}

// parseListQuery reads q, sort and page from a URL's query or a form;
// whatever is missing or not understood takes its default.
func parseListQuery(v url.Values, prefix string) listQuery {
	q := listQuery{Q: strings.TrimSpace(v.Get(prefix + "q")), Sort: v.Get(prefix + "sort"), Page: 1}
	if !validSort(q.Sort) {
		q.Sort = sortNewest
	}
	if n, err := strconv.Atoi(v.Get(prefix + "page")); err == nil && n > 0 {
		q.Page = n
	}
	return q
}

func validSort(s string) bool {
	for _, o := range sortOrders {
		if o.Value == s {
			return true
		}
	}
	return false
}

// encode is the query string of the view, defaults left out.
func (q listQuery) encode(extra url.Values) string {
	v := url.Values{}
	for k, vs := range extra {
		v[k] = vs
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Sort != sortNewest {
		v.Set("sort", q.Sort)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// matches reports whether any of the fields contains the search text,
// ignoring case; an empty search matches everything.
func (q listQuery) matches(fields ...string) bool {
	if q.Q == "" {
		return true
	}
	needle := strings.ToLower(q.Q)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}

// pager is the position of a page in a list, for the page links.
type pager struct {
	Page, Pages int
	Total       int // rows that match
	From, To    int // 1-based rows shown; 0 when none
	Prev, Next  int // 0 when there is none
}

// paginate clamps page into the list and returns the slice bounds.
func paginate(total, page int) (lo, hi int, p pager) {
	pages := max(1, (total+pageSize-1)/pageSize)
	page = min(max(page, 1), pages)
	lo = (page - 1) * pageSize
	hi = min(lo+pageSize, total)
	p = pager{Page: page, Pages: pages, Total: total}
	if total > 0 {
		p.From, p.To = lo+1, hi
	}
	if page > 1 {
		p.Prev = page - 1
	}
	if page < pages {
		p.Next = page + 1
	}
	return lo, hi, p
}
