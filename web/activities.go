package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// activitiesPage is one page of the user's activities in the CRM: of one
// type, or those one run created, searched, sorted and paged.
type activitiesPage struct {
	Filter  string
	Filters []filterLink
	All     string // the link to every type (keeping the search)
	Run     int64  // only the activities this run created; 0 = all
	AllRuns string // the link without the run filter
	Query   listQuery
	Sorts   []sortLink
	Pager   pager
	Pages   []pageLink
	Links   map[string]string // page links by "prev", "next" and number
	Rows    []activityRow
	Error   string
	Hidden  url.Values // what the search form keeps (type, run, sort)
}

type activityRow struct {
	Type     string
	Subject  string
	When     string
	Contacts string
	Source   string
}

type filterLink struct {
	Type, Href string
	Active     bool
}

type sortLink struct {
	Label, Href string
	Active      bool
}

// activityFilters are the types the activities page filters by (FOLLOWUP
// is legacy and never created, so it is not offered).
var activityFilters = []string{"MAILIN", "TASK", "APPOINTMENT", "MEETING"}

// activities lists the user's activities in the CRM, newest first,
// optionally of one type (?type=MAILIN), only those a run created
// (?run=ID), matching a search (?q=, subject or contacts), in another
// order (?sort=) and page by page (?page=).
func (s *Server) activities(w http.ResponseWriter, r *http.Request, sess *session) {
	user := sess.userName()
	params := r.URL.Query()
	p := activitiesPage{Filter: strings.ToUpper(params.Get("type")), Query: parseListQuery(params, "")}
	q := adapters.ActivityQuery{Owner: user}
	status := http.StatusOK
	fail := func(code int, msg string) {
		if p.Error == "" {
			p.Error, status = msg, code
		}
	}
	if p.Filter != "" {
		if !adapters.ActivityType(p.Filter).Valid() {
			fail(http.StatusBadRequest, "Unknown activity type "+p.Filter+".")
		} else {
			q.Types = []adapters.ActivityType{adapters.ActivityType(p.Filter)}
		}
	}
	var created map[sourceItem]bool
	if v := params.Get("run"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fail(http.StatusBadRequest, fmt.Sprintf("Unknown run %q.", v))
		} else if created, err = s.createdByRun(r.Context(), user, id); err != nil {
			fail(http.StatusNotFound, err.Error())
		} else {
			p.Run = id
		}
	}
	var list []adapters.Activity
	if p.Error == "" {
		if _, err := s.opts.CRM.ListActivities(r.Context(), q, func(a adapters.Activity) error {
			if created != nil && !created[sourceItem{a.Source, a.SourceItem}] {
				return nil
			}
			if p.Query.matches(append([]string{a.Subject}, a.Contacts...)...) {
				a.Body, a.Attachments = "", nil // a page of thousands keeps only what it shows
				list = append(list, a)
			}
			return nil
		}); err != nil {
			fail(http.StatusBadGateway, "The CRM could not be read: "+err.Error())
			list = nil
		}
	}
	sortActivities(list, p.Query.Sort)
	lo, hi, pg := paginate(len(list), p.Query.Page)
	p.Query.Page, p.Pager, p.Pages = pg.Page, pg, pageLinks(pg)
	loc := s.location(user)
	for _, a := range list[lo:hi] {
		p.Rows = append(p.Rows, activityRow{Type: string(a.Type), Subject: orDash(a.Subject),
			When: formatWhen(a.Raster, time.Time{}, loc), Contacts: orDash(strings.Join(a.Contacts, ", ")), Source: orDash(a.Source)})
	}
	p.links()
	v := s.view(sess, "Imported activities", p)
	v.Nav = "activities"
	s.render(w, status, "activities.html", v)
}

// links fills the page's hrefs, each keeping what the others choose.
func (p *activitiesPage) links() {
	keep := func(typ string, run int64) url.Values {
		v := url.Values{}
		if typ != "" {
			v.Set("type", typ)
		}
		if run != 0 {
			v.Set("run", strconv.FormatInt(run, 10))
		}
		return v
	}
	base := keep(p.Filter, p.Run)
	first := p.Query
	first.Page = 1
	p.All = "/activities" + first.encode(keep("", p.Run))
	for _, t := range activityFilters {
		p.Filters = append(p.Filters, filterLink{Type: t, Href: "/activities" + first.encode(keep(t, p.Run)), Active: t == p.Filter})
	}
	p.AllRuns = "/activities" + first.encode(keep(p.Filter, 0))
	for _, o := range sortOrders {
		q := first
		q.Sort = o.Value
		p.Sorts = append(p.Sorts, sortLink{Label: o.Label, Href: "/activities" + q.encode(base), Active: o.Value == p.Query.Sort})
	}
	p.Links = map[string]string{}
	at := func(n int) string { q := p.Query; q.Page = n; return "/activities" + q.encode(base) }
	if p.Pager.Prev > 0 {
		p.Links["prev"] = at(p.Pager.Prev)
	}
	if p.Pager.Next > 0 {
		p.Links["next"] = at(p.Pager.Next)
	}
	for _, l := range p.Pages {
		if !l.Gap {
			p.Links[strconv.Itoa(l.N)] = at(l.N)
		}
	}
	p.Hidden = base
	if p.Query.Sort != sortNewest {
		p.Hidden.Set("sort", p.Query.Sort)
	}
}

func sortActivities(list []adapters.Activity, order string) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if order == sortSubject {
			sa, sb := strings.ToLower(a.Subject), strings.ToLower(b.Subject)
			if sa != sb {
				return sa < sb
			}
		}
		ta, tb := a.Raster.Anchor(), b.Raster.Anchor()
		if !ta.Equal(tb) {
			if order == sortOldest {
				return ta.Before(tb)
			}
			return ta.After(tb)
		}
		return a.Subject < b.Subject
	})
}
