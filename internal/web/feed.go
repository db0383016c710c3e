package web

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/foyerhq/foyer"
)

// feedView is what the feed page shows.
type feedView struct {
	layout
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
	Start                  *startView // when the workspace has had no visit at all
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
	d := feedView{layout: layout{Title: m.WorkspaceName, User: u, Error: cmp.Or(periodNotice(perr), problemOf(r)), Workspace: m,
		Notice: noticeOf(r)},
		Period: p, Periods: periodLinks(p), HasPrev: offset > 0, PrevOffset: max(0, offset-feedPageSize),
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
	if len(rows) == 0 && offset == 0 {
		if d.Start, err = s.startOf(r, m); err != nil {
			s.serverError(w, "feed", err)
			return
		}
	}
	s.render(w, http.StatusOK, "feed", d)
}

// companyView is what the company page shows.
type companyView struct {
	layout
	Period                                feedPeriod
	Periods                               []period
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
	cd := companyView{layout: layout{Title: c.Name, User: u, Error: periodNotice(perr), Workspace: m},
		Period: p, Periods: periodLinks(p), Company: c, Chart: visitsChart(series), EngagedChart: engagedChart(series), Visits: visits}
	for _, d := range series {
		cd.TotalVisits += d.Visits
		cd.TotalPages += d.Pageviews
		cd.TotalEngaged += d.EngagedMS
	}
	s.render(w, http.StatusOK, "company", cd)
}
