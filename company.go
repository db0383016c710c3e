package foyer

import (
	"context"
	"math"
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
	// Profile is what open data says of it; nil when nothing (yet).
	Profile *OrgProfile
	// Hidden is the kind of the workspace's correction that hides it from
	// the feed (CorrectionService), "" when none does.
	Hidden HideKind
}

// MaxFeedPage is the most companies one page of the feed lists, in the
// API and the CSV export's reads. Feed returns up to one more, so that a
// caller asks for a page and one row beyond it to learn whether another page
// follows.
const MaxFeedPage = 500

// MaxRulesSorted is how many of a period's most recent companies the
// feed orders by their rules score.
const MaxRulesSorted = 5000

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
	Page string // viewed a page whose path contains this, any case
	// Source: had a visit from this source (see FeedRow.TopSource), in any
	// case and by any of its names: linkedin.com finds LinkedIn.
	Source       string
	MinPages     int64 // viewed at least this many pages
	MinEngagedMS int64 // was engaged at least this long
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
	// SortRulesScore orders by the workspace's own scoring rules (see
	// ScoreRule), the highest first, then the latest, among the period's
	// MaxRulesSorted most recent companies.
	SortRulesScore FeedSort = "rules-score"
)

// The score's parts: points for visits, page views and engaged minutes,
// each with diminishing returns up to its cap, and for recency.
const (
	ScoreVisitPoints, ScoreVisitCap     = 35, 500  // visits
	ScorePagePoints, ScorePageCap       = 25, 2000 // page views
	ScoreEngagedPoints, ScoreEngagedCap = 25, 1000 // engaged minutes
	ScoreRecencyPoints                  = 15       // a visit now
	ScoreRecencyHalfLife                = 7 * 24 * time.Hour
)

// ScoreFormula is the score's formula as a reader sees it (the feed's Score
// column title).
const ScoreFormula = "0 to 100, the sum of four parts, each rounded: " +
	"visits 35 × ln(1+visits)/ln(501), " +
	"pages 25 × ln(1+pages)/ln(2001), " +
	"engaged time 25 × ln(1+minutes)/ln(1001) (each at most its points), " +
	"recency 15 × ½^(days since the last visit / 7)"

// ScoreBreakdown is the points of each part of a score; they add up to it.
type ScoreBreakdown struct {
	Visits, Pages, Engaged, Recency int
}

// Total is the score: the sum of the parts.
func (b ScoreBreakdown) Total() int { return b.Visits + b.Pages + b.Engaged + b.Recency }

// Score rates from 0 to 100 how much interest a company showed in a
// period, so that a sales team reads the feed from the top. It is the sum
// of ScoreParts:
//
//	visits   35 × ln(1+visits)  / ln(1+500)   at most 35
//	pages    25 × ln(1+pages)   / ln(1+2000)  at most 25
//	engaged  25 × ln(1+minutes) / ln(1+1000)  at most 25
//	recency  15 × ½^(days since the last visit / 7)
//
// each rounded to a whole point. The logarithms give the first visits and
// pages the most weight, so that the score spreads over the range real
// companies show (1 to some 600 visits a month) instead of saturating: 5
// visits earn 10 points, 50 earn 22, 500 the full 35. Only a company with
// hundreds of visits, thousands of pages and days of engaged time, seen
// today, reaches 100. The score never falls when visits, page views,
// engaged time or the last visit grow: the feed relies on that to bound
// what it sums (see periodFeed in internal/store).
func Score(visits, pageviews, engagedMS int64, lastAt, now time.Time) int {
	return ScoreParts(visits, pageviews, engagedMS, lastAt, now).Total()
}

// ScoreParts returns the points of each part of Score, for a page that
// explains a company's score.
func ScoreParts(visits, pageviews, engagedMS int64, lastAt, now time.Time) ScoreBreakdown {
	logPart := func(points, x, limit float64) int {
		x = max(0, min(x, limit))
		return int(math.Round(points * math.Log1p(x) / math.Log1p(limit)))
	}
	b := ScoreBreakdown{
		Visits:  logPart(ScoreVisitPoints, float64(visits), ScoreVisitCap),
		Pages:   logPart(ScorePagePoints, float64(pageviews), ScorePageCap),
		Engaged: logPart(ScoreEngagedPoints, float64(engagedMS)/60_000, ScoreEngagedCap),
	}
	if !lastAt.IsZero() {
		age := max(0, now.Sub(lastAt))
		b.Recency = int(math.Round(ScoreRecencyPoints * math.Exp2(-float64(age)/float64(ScoreRecencyHalfLife))))
	}
	return b
}

// FeedRow is one company of the feed, with what it did in the period.
type FeedRow struct {
	Company
	Visits, Pageviews, EngagedMS int64
	LastAt                       time.Time
	Score                        int   // see Score
	RulesScore                   int64 // by the workspace's scoring rules, in whole points
	// TopSource is where most of its visits in the period came from, the
	// source of the latest visit on a tie: the campaign's utm_source, else
	// the referrer's host, else "direct", normalised (internal/referrer:
	// lnkd.in and www.linkedin.com are "LinkedIn"). TopSourceKind is what
	// sort of place it is ("search", "social", "AI assistant"…), "" when
	// not a known one.
	TopSource, TopSourceKind string
	// Tags are the company's tags (see FollowUpService), by key.
	Tags []string
	// KnownContacts counts the workspace's contacts at the company (by
	// their email's domain).
	KnownContacts int64
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
	// PagesGone says that the visit's pages are no longer kept: the
	// retention deleted its raw events (its counters stay).
	PagesGone  bool
	VisitorUID string // the first-party ID; never a person
	// Source is where it came from, as in FeedRow.TopSource, and
	// SourceKind what sort of place that is.
	Source, SourceKind string
	// Person is the contact the visit is linked to (Persona Insights),
	// nil for an anonymous visit.
	Person *VisitPerson
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
	// started in the period, newest first, after the first offset, with
	// their pages.
	CompanyVisits(ctx context.Context, workspaceID, companyID int64, from, to time.Time, limit, offset int) ([]Visit, error)
	// CompanyVisitCount counts the company's visits that started in the
	// period, which CompanyVisits pages through.
	CompanyVisitCount(ctx context.Context, workspaceID, companyID int64, from, to time.Time) (int64, error)
	// CompanyActivity returns the company's top pages and sources in the
	// period.
	CompanyActivity(ctx context.Context, workspaceID, companyID int64, from, to time.Time) (*CompanyActivity, error)
	// WorkspaceTrend returns the workspace's days in the period (one site's
	// when siteID is not 0), oldest first, a row for every day.
	WorkspaceTrend(ctx context.Context, workspaceID, siteID int64, from, to time.Time) (*Trend, error)
	// FeedChoices lists the values the feed's filters can take in the
	// workspace: those of the companies that visited it.
	FeedChoices(ctx context.Context, workspaceID int64) (*FeedChoices, error)
	// WorkspaceSources lists the sources of the workspace's visits in the
	// period, normalised, with their kinds, the most visits first.
	WorkspaceSources(ctx context.Context, workspaceID int64, from, to time.Time) ([]Count, error)
	// SiteOverview sums a site's period; ENOTFOUND when the site is not the
	// workspace's.
	SiteOverview(ctx context.Context, workspaceID, siteID int64, from, to time.Time) (*SiteOverview, error)
}

// SiteOverview is what a site saw in a period. Every visit is counted
// once in CompanyVisits, HiddenVisits, AnonymousVisits or
// UnidentifiedVisits, which add up to Visits.
type SiteOverview struct {
	Visits    int64
	Pageviews int64
	// CompanyVisits came from a company the workspace's feed shows,
	// HiddenVisits from one it leaves out (a correction hides it, or the
	// workspace hides its type), AnonymousVisits from a carrier (ISP,
	// mobile) or a hosting network, UnidentifiedVisits from an organisation
	// of unknown type or an address without IP data.
	CompanyVisits, HiddenVisits, AnonymousVisits, UnidentifiedVisits int64
	// Companies counts the distinct companies that visited, as the feed
	// shows them: those it leaves out are not counted.
	Companies  int64
	TopPages   []Count
	TopSources []Count // with their kinds
}

// CompanyActivity is what a company did in a period, beyond its days.
type CompanyActivity struct {
	TopPages []PageCount // its most viewed pages, the most first
	Sources  []Count     // where its visits came from, the most first
}

// PageCount is a page of a site and its page views.
type PageCount struct {
	SiteID int64
	Path   string
	N      int64
}

// TrendDay is what a workspace's sites saw on one day.
type TrendDay struct {
	Day time.Time
	// Visits are all visits, each counted once in CompanyVisits (from
	// identified organisations the feed shows), HiddenVisits (from those
	// it leaves out), AnonymousVisits (carriers and hosting networks) or
	// UnidentifiedVisits (see SiteOverview).
	Visits, CompanyVisits, HiddenVisits, AnonymousVisits, UnidentifiedVisits int64
}

// Trend is a workspace's days in a period, and their sums.
type Trend struct {
	Days []TrendDay
	// Companies counts the distinct organisations of the whole period (not
	// the sum of the days') that the feed shows; the other sums are of the
	// days.
	Companies, Visits, CompanyVisits, HiddenVisits, AnonymousVisits, UnidentifiedVisits int64
}

// FeedChoices are the values of a workspace's companies, for the feed's
// filters: each list sorted, without empty values.
type FeedChoices struct {
	Countries  []string // ISO 3166-1 alpha-2 codes
	Industries []string
	Sizes      []string
	Types      []OrgType
}

// Count is a thing and how often; a source's Kind is what sort of place
// it is (see FeedRow.TopSourceKind).
type Count struct {
	Name string
	Kind string
	N    int64
}
