package foyer

import (
	"context"
	"time"
)

// Company is an organisation seen behind visits to a workspace's sites.
type Company struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Domain      string
	ASN         uint32
	Country     string // where it was first seen
	City        string
	Type        OrgType
	Industry    string
	Size        string
	// FirstSeen is when its first visit was stored, LastSeen when its
	// latest visit was last active (zero until the roll-up reads one);
	// only FeedService.Company fills them.
	FirstSeen, LastSeen time.Time
}

// MaxFeedPage is the most companies one page of the feed lists, in the
// API and the CSV export's reads. Feed returns up to one more, so that a
// caller asks for a page and one row beyond it to learn whether another page
// follows.
const MaxFeedPage = 500

// FeedQuery asks for the companies that visited in a period.
type FeedQuery struct {
	WorkspaceID int64
	SiteID      int64 // 0: every site of the workspace
	// From and To are the first and last UTC day of the period.
	From, To time.Time
	Limit    int // 50 when 0, at most MaxFeedPage+1
	Offset   int
	Sort     FeedSort // SortRecent when ""
	// Filters on the company; empty ones do not filter.
	Country, Industry, Size string
	Type                    OrgType
	Search                  string // in the name or the domain, any case
	// Filters on what the company did in the period; zero ones do not
	// filter.
	Page         string // viewed a page whose path contains this, any case
	Source       string // had a visit from this source (see FeedRow.TopSource)
	MinPages     int64  // viewed at least this many pages
	MinEngagedMS int64  // was engaged at least this long
	// Filters on what the team did with the company; empty ones do not
	// filter.
	Tag        string // has this tag, any case
	AssignedTo int64  // is assigned to this user
	Unassigned bool   // is assigned to nobody
}

// FeedSort orders the feed.
type FeedSort string

// The feed's orders.
const (
	SortRecent FeedSort = "recent" // the latest visitor first
	SortScore  FeedSort = "score"  // the highest score first, then the latest
)

// Score rates from 0 to 100 how much interest a company showed in a
// period, so that a sales team reads the feed from the top: up to 40 points
// for visits (8 each), 30 for pages viewed (2 each), 20 for engaged time
// (1 for every 30 seconds) and 10 for recency (a visit in the last 2 days; 5 for one in
// the last 7). Every part is capped so that one long visit or a crawler's
// hundred pages cannot make a company look hotter than steady interest.
func Score(visits, pageviews, engagedMS int64, lastAt, now time.Time) int {
	v := min(40, 8*visits)
	p := min(30, 2*pageviews)
	e := min(20, 2*engagedMS/60_000)
	r := int64(0)
	switch age := now.Sub(lastAt); {
	case age <= 48*time.Hour:
		r = 10
	case age <= 7*24*time.Hour:
		r = 5
	}
	return int(max(0, v) + max(0, p) + max(0, e) + r)
}

// FeedRow is one company of the feed, with what it did in the period.
type FeedRow struct {
	Company
	Visits, Pageviews, EngagedMS int64
	LastAt                       time.Time
	Score                        int // see Score
	// TopSource is where most of its visits in the period came from: the
	// campaign's utm_source, else the referrer's host, else "direct".
	TopSource string
	// Tags are the company's tags (see FollowUpService), by key.
	Tags []string
}

// Visit is one visit of a company, with its pages.
type Visit struct {
	ID          int64
	SiteID      int64
	StartedAt   time.Time
	LastAt      time.Time
	Pageviews   int64
	EngagedMS   int64
	Referrer    string
	UTMSource   string
	UTMMedium   string
	UTMCampaign string
	Country     string
	City        string
	Pages       []PageView
	VisitorUID  string // the first-party ID; never a person
}

// PageView is one page of a visit.
type PageView struct {
	Time      time.Time
	Host      string
	Path      string
	Title     string
	EngagedMS int64
}

// CompanyDay is what a company did on one day.
type CompanyDay struct {
	Day                          time.Time
	Visits, Pageviews, EngagedMS int64
}

// FeedService answers the company feed from the roll-ups.
type FeedService interface {
	// Feed returns the companies that visited in the period and match its
	// filters, in its order. ENOTFOUND when the site is not the workspace's.
	Feed(ctx context.Context, q FeedQuery) ([]FeedRow, error)
	// Company returns a company of the workspace, or ENOTFOUND.
	Company(ctx context.Context, workspaceID, companyID int64) (*Company, error)
	// CompanyDays returns the company's days in the period, oldest first,
	// with a row for every day (zero when it did not visit).
	CompanyDays(ctx context.Context, workspaceID, companyID int64, from, to time.Time) ([]CompanyDay, error)
	// CompanyVisits returns up to limit of the company's visits that
	// started in the period, newest first, with their pages.
	CompanyVisits(ctx context.Context, workspaceID, companyID int64, from, to time.Time, limit int) ([]Visit, error)
	// SiteOverview sums a site's period; ENOTFOUND when the site is not the
	// workspace's.
	SiteOverview(ctx context.Context, workspaceID, siteID int64, from, to time.Time) (*SiteOverview, error)
}

// SiteOverview is what a site saw in a period.
type SiteOverview struct {
	Visits, CompanyVisits, AnonymousVisits, Pageviews int64
	Companies                                         int64 // distinct companies that visited
	TopPages                                          []Count
	TopSources                                        []Count
}

// Count is a thing and how often.
type Count struct {
	Name string
	N    int64
}
