package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// datasetPage is one page of a dataset step (e-mails, tasks, appointments):
// the rows of the current search, sort and page, with the counts of the
// whole area, so that a folder of thousands is reviewed 50 rows at a time.
// The selection is the wizard's (server side): each page's form posts the
// boxes it showed, so it survives paging, searching and back/forward.
type datasetPage struct {
	Step        string
	Area        string
	Rows        []candidateRow
	NotImported []candidateRow
	Query       listQuery
	Sorts       []sortOrder
	Pager       pager
	Pages       []pageLink
	Total       int // candidates of the area
	Selected    int // of them selected, over all pages
	PageChecked int // selected rows on this page, for the live counter
}

// pageLink is one entry of the page navigation; Gap stands for pages left out.
type pageLink struct {
	N       int
	Current bool
	Gap     bool
}

// pageLinks are the first, last and nearby pages, with gaps between.
func pageLinks(p pager) []pageLink {
	var out []pageLink
	last := 0
	for n := 1; n <= p.Pages; n++ {
		if n != 1 && n != p.Pages && (n < p.Page-2 || n > p.Page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			out = append(out, pageLink{Gap: true})
		}
		out = append(out, pageLink{N: n, Current: n == p.Page})
		last = n
	}
	return out
}

// actionTime is the date a row is sorted by: the item's times, or the date
// a message was sent.
func actionTime(a *engine.Action) time.Time {
	if t := a.Raster.Anchor(); !t.IsZero() {
		return t
	}
	if it := a.Item(); it != nil {
		return it.Date
	}
	return time.Time{}
}

// matching are the actions the query finds (subject, sender or
// organizer), in its order.
func matching(list []*engine.Action, q listQuery) []*engine.Action {
	out := make([]*engine.Action, 0, len(list))
	for _, a := range list {
		if q.matches(a.Subject, a.From) {
			out = append(out, a)
		}
	}
	sortActions(out, q.Sort)
	return out
}

func sortActions(list []*engine.Action, order string) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if order == sortSubject {
			sa, sb := strings.ToLower(a.Subject), strings.ToLower(b.Subject)
			if sa != sb {
				return sa < sb
			}
		}
		ta, tb := actionTime(a), actionTime(b)
		if !ta.Equal(tb) {
			if order == sortOldest {
				return ta.Before(tb)
			}
			return ta.After(tb)
		}
		return a.ID < b.ID
	})
}

// datasetView builds the page of step st for the query.
func datasetView(wz *wizard, st step, q listQuery, loc *time.Location) datasetPage {
	area := steps[st].area
	cands := wz.candidates(area)
	found := matching(cands, q)
	lo, hi, pg := paginate(len(found), q.Page)
	q.Page = pg.Page
	p := datasetPage{Step: steps[st].name, Area: steps[st].title, Query: q, Sorts: sortOrders, Pager: pg,
		Pages: pageLinks(pg), Total: len(cands),
		Rows:        candidateRows(found[lo:hi], wz.deselected, loc),
		NotImported: candidateRows(wz.notImported(area), nil, loc)}
	for _, a := range cands {
		if !wz.deselected[a.ID] {
			p.Selected++
		}
	}
	for _, r := range p.Rows {
		if r.Selected {
			p.PageChecked++
		}
	}
	return p
}

// submitDataset handles a dataset step's form: it saves the boxes the page
// showed, then does what the button asked: search, sort, another page,
// select or clear everything matching (these stay on the step), or back
// and next (done is false: the wizard moves on). sess.mu is held.
func (s *Server) submitDataset(w http.ResponseWriter, r *http.Request, wz *wizard, st step) (done bool) {
	area := steps[st].area
	if err := saveSelection(r, wz, area); err != nil {
		http.Error(w, fmt.Sprintf("%s step: %v", steps[st].name, err), http.StatusBadRequest)
		return true
	}
	cur := parseListQuery(r.PostForm, "cur_")
	nav := r.PostFormValue("nav")
	switch {
	case nav == "back" || nav == "next" || nav == "":
		return false
	case nav == "search":
		cur.Q, cur.Page = strings.TrimSpace(r.PostFormValue("q")), 1
	case strings.HasPrefix(nav, "sort:"):
		if v := strings.TrimPrefix(nav, "sort:"); validSort(v) {
			cur.Sort, cur.Page = v, 1
		}
	case strings.HasPrefix(nav, "page:"):
		if n, err := strconv.Atoi(strings.TrimPrefix(nav, "page:")); err == nil && n > 0 {
			cur.Page = n
		}
	case nav == "all" || nav == "none":
		for _, a := range matching(wz.candidates(area), cur) {
			if nav == "all" {
				delete(wz.deselected, a.ID)
			} else {
				wz.deselected[a.ID] = true
			}
		}
	default:
		http.Error(w, fmt.Sprintf("%s step: unknown button %q", steps[st].name, nav), http.StatusBadRequest)
		return true
	}
	http.Redirect(w, r, "/sync/"+steps[st].name+cur.encode(nil), http.StatusSeeOther)
	return true
}

// saveSelection records which candidates of an area stay selected. A page
// names the rows it showed ("shown"); of those, the checked ones ("sel")
// stay selected and the others are deselected, and rows of other pages
// keep their state. A form without the "paged" field (a client of the
// time before paging) showed every candidate. An id
// that is not a candidate of this step is an error: it would mean the page
// and the plan disagree.
func saveSelection(r *http.Request, wz *wizard, area engine.Area) error {
	cands := wz.candidates(area)
	ids := map[string]bool{}
	for _, a := range cands {
		ids[a.ID] = true
	}
	shown := cands
	if r.PostFormValue("paged") != "" {
		shown = shown[:0:0]
		for _, id := range r.PostForm["shown"] {
			if !ids[id] {
				return fmt.Errorf("no candidate %q in this step", id)
			}
			shown = append(shown, &engine.Action{ID: id})
		}
	}
	picked := map[string]bool{}
	for _, id := range r.PostForm["sel"] {
		if !ids[id] {
			return fmt.Errorf("no candidate %q in this step", id)
		}
		picked[id] = true
	}
	for _, a := range shown {
		if picked[a.ID] {
			delete(wz.deselected, a.ID)
		} else {
			wz.deselected[a.ID] = true
		}
	}
	return nil
}

// datasetQuery is the list view a dataset step's GET asks for.
func datasetQuery(r *http.Request) listQuery { return parseListQuery(r.URL.Query(), "") }
