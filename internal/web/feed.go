package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
)

// feedData is what the feed page shows.
type feedData struct {
	Workspace              foyer.Membership
	Filter                 foyer.FeedQuery // its filter fields
	FilterQS               template.URL    // the same, as a query string for links
	QS                     template.URL    // the period, filter and order: the feed's query string
	MinMinutes             int64           // Filter.MinEngagedMS in minutes
	Types                  []foyer.OrgType
	CanExport, CanSave     bool
	Period                 feedPeriod
	Periods                []period
	Feed                   []foyer.FeedRow
	Sources                []string // the page's top sources, for the filter's suggestions
	SavedFeeds             []savedFeedLink
	HasPrev, HasNext       bool
	PrevOffset, NextOffset int
}

// savedFeedLink is a saved feed as the feed page lists it.
type savedFeedLink struct {
	foyer.SavedFeed
	Current   bool // the page shows this feed
	CanDelete bool
}

// QS is the saved feed's query string, for its link.
func (l savedFeedLink) QS() template.URL { return template.URL(l.Query) }

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
	s.notFound(w, u)
	return foyer.Membership{}, false
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
	p, perr := periodOf(r)
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(0, offset)
	filter := filterOf(r)
	keep := url.Values{}
	filterValues(filter, keep)
	q := filter
	q.WorkspaceID, q.From, q.To, q.Limit, q.Offset = m.WorkspaceID, p.From, p.To, feedPageSize+1, offset
	rows, err := s.cfg.Store.Feed(r.Context(), q)
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	saved, err := s.cfg.Store.SavedFeeds(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverError(w, "saved feeds", err)
		return
	}
	current := feedQueryString(p, filter)
	d := feedData{Workspace: m, Period: p, Periods: periodLinks(p), HasPrev: offset > 0, PrevOffset: max(0, offset-feedPageSize),
		CanExport: m.Role.AtLeast(foyer.RoleAnalyst), CanSave: m.Role.AtLeast(foyer.RoleAnalyst),
		Filter: filter, FilterQS: template.URL(keep.Encode()), QS: template.URL(current), MinMinutes: filter.MinEngagedMS / 60_000,
		Types: []foyer.OrgType{foyer.OrgBusiness, foyer.OrgEducation, foyer.OrgGovernment, foyer.OrgNonprofit}}
	for _, f := range saved {
		d.SavedFeeds = append(d.SavedFeeds, savedFeedLink{SavedFeed: f, Current: f.Query == current,
			CanDelete: f.CreatedBy == u.ID || m.Role.AtLeast(foyer.RoleAdmin)})
	}
	if len(rows) > feedPageSize {
		rows, d.HasNext, d.NextOffset = rows[:feedPageSize], true, offset+feedPageSize
	}
	seen := map[string]bool{}
	for _, row := range rows {
		if row.TopSource != "" && !seen[row.TopSource] {
			seen[row.TopSource] = true
			d.Sources = append(d.Sources, row.TopSource)
		}
	}
	slices.Sort(d.Sources)
	d.Feed = rows
	s.render(w, http.StatusOK, "feed", pageData{Title: m.WorkspaceName, User: u, Error: periodNotice(perr), feedData: d})
}

// companyData is what the company page shows.
type companyData struct {
	Company                               *foyer.Company
	Chart, EngagedChart                   template.HTML
	Visits                                []foyer.Visit
	TotalVisits, TotalPages, TotalEngaged int64
}

func (s *Server) companyPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("company"), 10, 64)
	if err != nil {
		s.notFound(w, u)
		return
	}
	p, perr := periodOf(r)
	from, to := p.From, p.To
	ctx := r.Context()
	c, err := s.cfg.Store.Company(ctx, m.WorkspaceID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		s.notFound(w, u)
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
	cd := companyData{Company: c, Chart: visitsChart(series), EngagedChart: engagedChart(series), Visits: visits}
	for _, d := range series {
		cd.TotalVisits += d.Visits
		cd.TotalPages += d.Pageviews
		cd.TotalEngaged += d.EngagedMS
	}
	s.render(w, http.StatusOK, "company", pageData{Title: c.Name, User: u, Error: periodNotice(perr),
		feedData: feedData{Workspace: m, Period: p, Periods: periodLinks(p)}, companyData: cd})
}
