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
}

// FeedRow is one company of the feed, with what it did in the period.
type FeedRow struct {
	Company
	Visits, Pageviews, EngagedMS int64
	LastAt                       time.Time
}

// FeedService answers the company feed from the roll-ups.
type FeedService interface {
	// Feed returns the companies that visited in the period, the most
	// recent visitor first. ENOTFOUND when the site is not the workspace's.
	Feed(ctx context.Context, q FeedQuery) ([]FeedRow, error)
}
