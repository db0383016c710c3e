package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// feedData is what the feed page shows.
type feedData struct {
	Workspace              foyer.Membership
	Filter                 foyer.FeedQuery // its filter fields
	FilterQS               template.URL    // the same, as a query string for links
	Types                  []foyer.OrgType
	CanExport              bool
	Days                   int
	Periods                []period
	Feed                   []foyer.FeedRow
	HasPrev, HasNext       bool
	PrevOffset, NextOffset int
}

type period struct {
	Days    int
	Label   string
	Current bool
}

// feedPageSize is how many companies one page of the feed lists.
const feedPageSize = 50

var funcs = template.FuncMap{"duration": duration, "ago": ago, "count": count, "percent": percent, "badges": siteBadges}

// count writes a number of things: "1 visit", "2 visits".
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// duration writes milliseconds of engaged time as "2 min 5 s".
func duration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d <= 0:
		return "–"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}

// now is the clock of the pages; tests replace it.
var now = time.Now

// ago writes how long ago t was, or its date when that is long ago.
func ago(t time.Time) string {
	d := now().Sub(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return t.UTC().Format("2 Jan 2006")
}

// workspaceOf returns the user's membership of the workspace in the path,
// or writes a 404: another workspace's ID looks like one that does not exist.
func (s *Server) workspaceOf(w http.ResponseWriter, r *http.Request, u *foyer.User) (foyer.Membership, bool) {
	id, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
	if err == nil {
		ms, err := s.memberships(r, u)
		if err != nil {
			s.serverError(w, "memberships", err)
			return foyer.Membership{}, false
		}
		for _, m := range ms {
			if m.WorkspaceID == id {
				return m, true
			}
		}
	}
	s.render(w, http.StatusNotFound, "notfound", pageData{Title: "Not found", User: u})
	return foyer.Membership{}, false
}

// filterOf reads the feed's filter from the query string.
func filterOf(r *http.Request) foyer.FeedQuery {
	qs := r.URL.Query()
	f := foyer.FeedQuery{
		Country: strings.TrimSpace(qs.Get("country")), Industry: strings.TrimSpace(qs.Get("industry")),
		Size: strings.TrimSpace(qs.Get("size")), Search: strings.TrimSpace(qs.Get("q")),
	}
	if t := foyer.OrgType(qs.Get("type")); t.IsCompany() {
		f.Type = t
	}
	return f
}

// periodOf reads ?days= (1, 7 or 30, the default) and returns the period
// that ends today, and the links to the others.
func periodOf(r *http.Request) (days int, from, to time.Time, periods []period) {
	days = 30
	switch r.URL.Query().Get("days") {
	case "1":
		days = 1
	case "7":
		days = 7
	}
	to = now().UTC()
	from = to.AddDate(0, 0, -(days - 1))
	for _, p := range []period{{1, "Today", false}, {7, "7 days", false}, {30, "30 days", false}} {
		p.Current = p.Days == days
		periods = append(periods, p)
	}
	return days, from, to, periods
}

// workspaceRole is workspaceOf for what needs at least a role: a member
// with less gets a 403 page.
func (s *Server) workspaceRole(w http.ResponseWriter, r *http.Request, u *foyer.User, min foyer.Role) (foyer.Membership, bool) {
	m, ok := s.workspaceOf(w, r, u)
	if ok && !m.Role.AtLeast(min) {
		s.render(w, http.StatusForbidden, "forbidden", pageData{Title: "Not allowed", User: u})
		return m, false
	}
	return m, ok
}

func (s *Server) feedPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	days, from, to, periods := periodOf(r)
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(0, offset)
	filter := filterOf(r)
	keep := url.Values{}
	for k, v := range map[string]string{"country": filter.Country, "industry": filter.Industry, "size": filter.Size,
		"q": filter.Search, "type": string(filter.Type)} {
		if v != "" {
			keep.Set(k, v)
		}
	}
	q := filter
	q.WorkspaceID, q.From, q.To, q.Limit, q.Offset = m.WorkspaceID, from, to, feedPageSize+1, offset
	rows, err := s.cfg.Store.Feed(r.Context(), q)
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	d := feedData{Workspace: m, Days: days, HasPrev: offset > 0, PrevOffset: max(0, offset-feedPageSize),
		CanExport: m.Role.AtLeast(foyer.RoleAnalyst),
		Filter:    filter, FilterQS: template.URL(keep.Encode()),
		Types: []foyer.OrgType{foyer.OrgBusiness, foyer.OrgEducation, foyer.OrgGovernment, foyer.OrgNonprofit}}
	if len(rows) > feedPageSize {
		rows, d.HasNext, d.NextOffset = rows[:feedPageSize], true, offset+feedPageSize
	}
	d.Feed, d.Periods = rows, periods
	s.render(w, http.StatusOK, "feed", pageData{Title: m.WorkspaceName, User: u, feedData: d})
}

// companyData is what the company page shows.
type companyData struct {
	Company                               *foyer.Company
	Chart                                 template.HTML
	Visits                                []foyer.Visit
	TotalVisits, TotalPages, TotalEngaged int64
}

func (s *Server) companyPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("company"), 10, 64)
	notFound := func() { s.render(w, http.StatusNotFound, "notfound", pageData{Title: "Not found", User: u}) }
	if err != nil {
		notFound()
		return
	}
	days, from, to, periods := periodOf(r)
	ctx := r.Context()
	c, err := s.cfg.Store.Company(ctx, m.WorkspaceID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		notFound()
		return
	}
	if err != nil {
		s.serverError(w, "company", err)
		return
	}
	series, err := s.cfg.Store.CompanyDays(ctx, m.WorkspaceID, id, from, to)
	if err != nil {
		s.serverError(w, "company days", err)
		return
	}
	visits, err := s.cfg.Store.CompanyVisits(ctx, m.WorkspaceID, id, from, to, 50)
	if err != nil {
		s.serverError(w, "company visits", err)
		return
	}
	cd := companyData{Company: c, Chart: visitsChart(series), Visits: visits}
	for _, d := range series {
		cd.TotalVisits += d.Visits
		cd.TotalPages += d.Pageviews
		cd.TotalEngaged += d.EngagedMS
	}
	s.render(w, http.StatusOK, "company", pageData{Title: c.Name, User: u,
		feedData: feedData{Workspace: m, Days: days, Periods: periods}, companyData: cd})
}
