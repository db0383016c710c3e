package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// feedView is what the feed page shows.
type feedView struct {
	layout
	Filter   foyer.FeedQuery // its filter fields
	FilterQS template.URL    // the same, as a query string for links
	QS       template.URL    // the period, filter and order: the feed's query string
	// In is what the reader typed in each of the filter form's fields,
	// kept as it was when it cannot be used; Problems say why not.
	In                     map[string]string
	Problems               []string
	Choices                *foyer.FeedChoices // the filters' choices, the workspace's own values
	CountryNames           []string           // Choices.Countries by name
	Sites                  []*foyer.Site      // the site filter's choices
	Site                   *foyer.Site        // the site filtered on, or nil
	Trend                  *foyer.Trend       // the period's days, of the site filtered on or all
	TrendChart             template.HTML
	CanExport, CanSave     bool
	CanHide                bool // may correct the feed: the hidden organisations page
	Period                 feedPeriod
	Periods                []period
	Feed                   []foyer.FeedRow
	Sources                []foyer.Count // the period's sources, for the filter's choices
	SavedFeeds             []savedFeedLink
	Alert                  *alertControl  // the member's alert on the saved feed shown, if one is
	Members                []memberOption // for the filter by assignee
	Assigned               string         // the filter's assigned parameter
	HasPrev, HasNext       bool
	PrevOffset, NextOffset int
	Start                  *startView // when the workspace has had no visit at all
}

// Share is n as a whole percentage of the trend's visits.
func (v feedView) Share(n int64) int64 {
	if v.Trend == nil || v.Trend.Visits == 0 {
		return 0
	}
	return (100*n + v.Trend.Visits/2) / v.Trend.Visits
}

// feedFields are the filter form's fields whose input the page keeps.
var feedFields = []string{"q", "type", "country", "industry", "size", "page", "source", "min_pages", "min_minutes", "from", "to", "sort", "site", "tag", "assigned"}

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
	filter, problems := filterOf(r)
	if perr != nil {
		problems = append([]string{periodNotice(perr)}, problems...)
	}
	ctx := r.Context()
	sites, err := s.cfg.Store.Sites(ctx, m.WorkspaceID)
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	var site *foyer.Site
	if filter.SiteID != 0 {
		if i := slices.IndexFunc(sites, func(x *foyer.Site) bool { return x.ID == filter.SiteID }); i >= 0 {
			site = sites[i]
		} else {
			problems = append(problems, fmt.Sprintf("There is no site %d in this workspace: showing every site.", filter.SiteID))
			filter.SiteID = 0
		}
	}
	choices, err := s.feedChoices(ctx, m.WorkspaceID)
	if err != nil {
		s.serverError(w, "feed choices", err)
		return
	}
	trend, err := s.cfg.Store.WorkspaceTrend(ctx, m.WorkspaceID, filter.SiteID, p.From, p.To)
	if err != nil {
		s.serverError(w, "trend", err)
		return
	}
	keep := url.Values{}
	filterValues(filter, keep)
	q := forUser(filter, u.ID)
	q.WorkspaceID, q.From, q.To, q.Limit, q.Offset = m.WorkspaceID, p.From, p.To, feedPageSize+1, offset
	rows, err := s.cfg.Store.Feed(ctx, q)
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	saved, err := s.cfg.Store.SavedFeeds(ctx, m.WorkspaceID)
	if err != nil {
		s.serverError(w, "saved feeds", err)
		return
	}
	members, err := s.memberOptions(r, m.WorkspaceID)
	if err != nil {
		s.serverError(w, "members", err)
		return
	}
	current := feedQueryString(p, filter)
	in := map[string]string{}
	for _, k := range feedFields {
		in[k] = strings.TrimSpace(r.URL.Query().Get(k))
	}
	if in["country"] != "" && filter.Country != "" {
		in["country"] = countryName(filter.Country) // "de" reads as Germany
	}
	d := feedView{layout: layout{Title: m.WorkspaceName, User: u, Workspace: m, Notice: noticeOf(r), AskZone: askZone(r, u),
		Error: problemOf(r)},
		In: in, Problems: problems, Choices: choices, Sites: sites, Site: site, Trend: trend, TrendChart: trendChart(trend.Days),
		Members: members, Assigned: assignedValue(filter),
		Period: p, Periods: periodLinks(p), HasPrev: offset > 0, PrevOffset: max(0, offset-feedPageSize),
		CanExport: m.Role.AtLeast(foyer.RoleAnalyst), CanSave: m.Role.AtLeast(foyer.RoleAnalyst), CanHide: m.Role.AtLeast(foyer.RoleAdmin),
		Filter: filter, FilterQS: template.URL(keep.Encode()), QS: template.URL(current)}
	for _, c := range choices.Countries {
		d.CountryNames = append(d.CountryNames, countryName(c))
	}
	slices.Sort(d.CountryNames)
	for _, f := range saved {
		d.SavedFeeds = append(d.SavedFeeds, savedFeedLink{SavedFeed: f, Current: f.Query == current,
			CanDelete: f.CreatedBy == u.ID || m.Role.AtLeast(foyer.RoleAdmin)})
		if f.Query == current && d.Alert == nil {
			if d.Alert, err = s.alertOf(r, m, u, f); err != nil {
				s.serverError(w, "feed alert", err)
				return
			}
		}
	}
	if len(rows) > feedPageSize {
		rows, d.HasNext, d.NextOffset = rows[:feedPageSize], true, offset+feedPageSize
	}
	if d.Sources, err = s.cfg.Store.WorkspaceSources(ctx, m.WorkspaceID, p.From, p.To); err != nil {
		s.serverError(w, "feed sources", err)
		return
	}
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
	Visits                                []visitLine
	TotalVisits, TotalPages, TotalEngaged int64
	Score                                 foyer.ScoreBreakdown
	RulesScore                            int64                // by the workspace's scoring rules, in whole points
	ScoreMax                              foyer.ScoreBreakdown // the most points of each part
	LastVisit                             time.Time            // the period's last visit, zero when none
	// VisitCount counts the period's visits, of which Visits shows those
	// from the First-th (1-based) on; the older and newer pages' offsets.
	VisitCount, First, Last  int64
	HasOlder, HasNewer       bool
	OlderOffset, NewerOffset int
	TopPages                 []companyPage
	Sources                  []foyer.Count
	MultiSite                bool // the workspace has more than one site: name each visit's
	// What the team does with the company: notes, newest first, tags, the
	// member it is assigned to (0: nobody) and who may be; CanEdit for
	// analysts and above.
	Notes    []noteRow
	Tags     []string
	Assignee int64
	Members  []memberOption
	CanEdit  bool
	// The workspace's contacts at the company, for those who may read
	// contacts (CanReadContacts), each tracked or not in Mode.
	CanReadContacts bool
	KnownContacts   []contactRow
	// CanImportHubSpot says whether the member may import the company's
	// HubSpot contacts now (an analyst or above, HubSpot connected, the
	// company's domain known); Imported is what the last import did.
	CanImportHubSpot bool
	Imported         *hubspotImported
	Mode             foyer.TrackingMode
	// CanHide says whether the member may hide the company from the feed
	// or undo that (admins and owners), as HideKinds; Hidden is the
	// correction that hides it, nil when none does.
	CanHide   bool
	HideKinds []foyer.HideKind
	Hidden    *foyer.OrgOverride
}

// companyPage is one of a company's top pages, with its site.
type companyPage struct {
	foyer.PageCount
	Site string
}

// visitPageSize is how many visits one page of a company's lists.
const visitPageSize = 50

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
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(0, offset)
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
	n, err := s.cfg.Store.CompanyVisitCount(ctx, m.WorkspaceID, id, from, to)
	if err != nil {
		s.serverError(w, "company visits", err)
		return
	}
	offset = min(offset, max(0, int(n)-1)/visitPageSize*visitPageSize) // past the end: the last page
	visits, err := s.cfg.Store.CompanyVisits(ctx, m.WorkspaceID, id, from, to, visitPageSize, offset)
	if err != nil {
		s.serverError(w, "company visits", err)
		return
	}
	activity, err := s.cfg.Store.CompanyActivity(ctx, m.WorkspaceID, id, from, to)
	if err != nil {
		s.serverError(w, "company activity", err)
		return
	}
	sites, err := s.cfg.Store.Sites(ctx, m.WorkspaceID)
	if err != nil {
		s.serverError(w, "company sites", err)
		return
	}
	siteName := map[int64]string{}
	for _, site := range sites {
		siteName[site.ID] = site.Name
	}
	cd := companyView{layout: layout{Title: c.Name, User: u, Error: periodNotice(perr), Workspace: m, Notice: noticeOf(r)},
		Period: p, Periods: periodLinks(p), Company: c, Chart: visitsChart(series), EngagedChart: engagedChart(series),
		VisitCount: n, First: int64(offset) + 1, Last: int64(offset + len(visits)), HasNewer: offset > 0, NewerOffset: max(0, offset-visitPageSize),
		HasOlder: int64(offset+len(visits)) < n, OlderOffset: offset + visitPageSize,
		Sources: activity.Sources, MultiSite: len(sites) > 1,
		CanEdit: m.Role.AtLeast(foyer.RoleAnalyst), CanHide: m.Role.AtLeast(foyer.RoleAdmin), HideKinds: foyer.HideKinds}
	milli, err := s.cfg.Store.ScoreOf(ctx, m.WorkspaceID, foyer.TargetCompany, id)
	if err != nil {
		s.serverError(w, "company score", err)
		return
	}
	cd.RulesScore = foyer.ScoreEntry{Milli: milli}.Points()
	if c.Hidden != "" {
		if cd.Hidden, err = s.cfg.Store.CompanyOverride(ctx, m.WorkspaceID, id); err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
			s.serverError(w, "company override", err)
			return
		}
	}
	for _, v := range visits {
		cd.Visits = append(cd.Visits, newVisitLine(v, siteName[v.SiteID], m.WorkspaceID, cd.layout))
	}
	if err := s.knownContactsOf(r, m, &cd); err != nil {
		s.serverErrorOf(w, "company contacts", u, err)
		return
	}
	for _, pg := range activity.TopPages {
		cd.TopPages = append(cd.TopPages, companyPage{PageCount: pg, Site: siteName[pg.SiteID]})
	}
	var last time.Time // the period's last visit, for the score
	if err := s.followUpOf(r, u, m, &cd); err != nil {
		s.serverError(w, "company follow-up", err)
		return
	}
	for _, d := range series {
		cd.TotalVisits += d.Visits
		cd.TotalPages += d.Pageviews
		cd.TotalEngaged += d.EngagedMS
	}
	newest := visits
	if offset > 0 {
		if newest, err = s.cfg.Store.CompanyVisits(ctx, m.WorkspaceID, id, from, to, 1, 0); err != nil {
			s.serverError(w, "company visits", err)
			return
		}
	}
	if len(newest) > 0 {
		last = newest[0].LastAt
	}
	cd.ScoreMax = foyer.ScoreBreakdown{Visits: foyer.ScoreVisitPoints, Pages: foyer.ScorePagePoints,
		Engaged: foyer.ScoreEngagedPoints, Recency: foyer.ScoreRecencyPoints}
	cd.Score, cd.LastVisit = foyer.ScoreParts(cd.TotalVisits, cd.TotalPages, cd.TotalEngaged, last, now()), last
	s.render(w, http.StatusOK, "company", cd)
}
