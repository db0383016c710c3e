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
}

// FeedQuery asks for the companies that visited in a period.
type FeedQuery struct {
	WorkspaceID int64
	SiteID      int64 // 0: every site of the workspace
	// From and To are the first and last UTC day of the period.
	From, To time.Time
	Limit    int // 50 when 0, at most 500
	Offset   int
	// Filters on the company; empty ones do not filter.
	Country, Industry, Size string
	Type                    OrgType
	Search                  string // in the name or the domain, any case
}

// FeedRow is one company of the feed, with what it did in the period.
type FeedRow struct {
	Company
	Visits, Pageviews, EngagedMS int64
	LastAt                       time.Time
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
	// Feed returns the companies that visited in the period, the most
	// recent visitor first. ENOTFOUND when the site is not the workspace's.
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
