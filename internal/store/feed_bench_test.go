package store_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// feedWorkspace opens the workspace the feed benchmarks read: the one
// `foyer seed` filled in the database FOYER_FEED_DSN names (workspace
// "Seeded"), or else a new SQLite file with 300,000 events of history.
func feedWorkspace(b *testing.B) (*store.Store, *foyer.Workspace) {
	ctx := context.Background()
	if dsn := os.Getenv("FOYER_FEED_DSN"); dsn != "" {
		s, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		ws, err := s.WorkspaceByName(ctx, "Seeded")
		if err != nil {
			b.Fatal(err)
		}
		return s, ws
	}
	s := testutil.NewStore(b, store.SQLite, store.Options{})
	ws, site := testutil.NewSite(b, s, "Seeded", "seeded", "localhost")
	if _, err := loadgen.WriteHistory(ctx, s, site, loadgen.History{Events: 300_000, Days: 90, Companies: 2000, Seed: 1}, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := s.RollupAll(ctx); err != nil {
		b.Fatal(err)
	}
	return s, ws
}

// BenchmarkFeed reads the first and a later page of a 30-day feed, a
// period that does not end today, the score order and each filter on what
// companies did, and reports p50 and p95 per query.
func BenchmarkFeed(b *testing.B) {
	s, ws := feedWorkspace(b)
	ctx := context.Background()
	to := time.Now().UTC()
	for _, c := range []struct {
		name string
		q    foyer.FeedQuery
		days int
		end  time.Time
	}{
		{"30d-page1", foyer.FeedQuery{}, 30, to},
		{"30d-page10", foyer.FeedQuery{Offset: 450}, 30, to},
		// The rest read the running totals of the period's companies.
		{"30d-ending-yesterday", foyer.FeedQuery{}, 30, to.AddDate(0, 0, -1)},
		{"90d-ending-yesterday", foyer.FeedQuery{}, 90, to.AddDate(0, 0, -1)},
		{"30d-by-score", foyer.FeedQuery{Sort: foyer.SortScore}, 30, to},
		{"today-by-score", foyer.FeedQuery{Sort: foyer.SortScore}, 1, to},
		{"7d-by-score", foyer.FeedQuery{Sort: foyer.SortScore}, 7, to},
		{"30d-page-pricing", foyer.FeedQuery{Page: "pricing"}, 30, to},
		{"30d-source", foyer.FeedQuery{Source: "partner.example.net"}, 30, to},
		{"30d-min-5-pages-by-score", foyer.FeedQuery{MinPages: 5, Sort: foyer.SortScore}, 30, to},
		// Past periods, whose companies mostly came back since: bounds from
		// totals to date are loosest there, and loosest of all for a short
		// period by score, where most companies' bounds reach the score's
		// caps and few companies' sums do.
		{"30d-ending-30d-ago-by-score", foyer.FeedQuery{Sort: foyer.SortScore}, 30, to.AddDate(0, 0, -30)},
		{"30d-ending-30d-ago", foyer.FeedQuery{}, 30, to.AddDate(0, 0, -30)},
		{"1d-30d-ago-by-score", foyer.FeedQuery{Sort: foyer.SortScore}, 1, to.AddDate(0, 0, -30)},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			q.WorkspaceID, q.From, q.To, q.Limit = ws.ID, c.end.AddDate(0, 0, -(c.days-1)), c.end, 50
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				rows, err := s.Feed(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				if len(rows) == 0 {
					b.Fatal("an empty feed")
				}
			}
			reportPercentiles(b, times)
		})
	}
}

// BenchmarkCompanyPage reads what the company page shows for the feed's
// busiest company over 30 days: the company, its days, the count of its
// visits, its latest 50 visits with their pages, and its top pages and
// sources. It reports p50 and p95 per page.
func BenchmarkCompanyPage(b *testing.B) {
	s, ws := feedWorkspace(b)
	ctx := context.Background()
	to := time.Now().UTC()
	from := to.AddDate(0, 0, -29)
	top, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: from, To: to, Limit: 500})
	if err != nil || len(top) == 0 {
		b.Fatalf("feed: %v", err)
	}
	// The company with the most visits is the heaviest page.
	id, most := top[0].ID, top[0].Visits
	for _, r := range top {
		if r.Visits > most {
			id, most = r.ID, r.Visits
		}
	}
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := s.Company(ctx, ws.ID, id); err != nil {
			b.Fatal(err)
		}
		if _, err := s.CompanyDays(ctx, ws.ID, id, from, to); err != nil {
			b.Fatal(err)
		}
		if _, err := s.CompanyVisitCount(ctx, ws.ID, id, from, to); err != nil {
			b.Fatal(err)
		}
		v, err := s.CompanyVisits(ctx, ws.ID, id, from, to, 50, 0)
		if err != nil || len(v) == 0 {
			b.Fatalf("visits: %d, %v", len(v), err)
		}
		if a, err := s.CompanyActivity(ctx, ws.ID, id, from, to); err != nil || len(a.TopPages) == 0 {
			b.Fatalf("activity: %v", err)
		}
		times = append(times, time.Since(start))
	}
	reportPercentiles(b, times)
}

// BenchmarkFeedExtras reads what the feed page shows beside the feed: the
// filters' choices, the period's sources and the 30-day trend of every
// site, and a site's 30-day overview. It reports p50 and p95 of each.
func BenchmarkFeedExtras(b *testing.B) {
	s, ws := feedWorkspace(b)
	ctx := context.Background()
	to := time.Now().UTC()
	sites, err := s.Sites(ctx, ws.ID)
	if err != nil || len(sites) == 0 {
		b.Fatalf("sites: %v", err)
	}
	for name, read := range map[string]func() error{
		"overview-30d": func() error {
			o, err := s.SiteOverview(ctx, ws.ID, sites[0].ID, to.AddDate(0, 0, -29), to)
			if err == nil && o.Companies == 0 {
				b.Fatal("an overview without companies")
			}
			return err
		},
		"choices": func() error {
			c, err := s.FeedChoices(ctx, ws.ID)
			if err == nil && len(c.Countries) == 0 {
				b.Fatal("no country to choose")
			}
			return err
		},
		"sources-30d": func() error {
			_, err := s.WorkspaceSources(ctx, ws.ID, to.AddDate(0, 0, -29), to)
			return err
		},
		"trend-30d": func() error {
			t, err := s.WorkspaceTrend(ctx, ws.ID, 0, to.AddDate(0, 0, -29), to)
			if err == nil && t.Visits == 0 {
				b.Fatal("a trend without visits")
			}
			return err
		},
	} {
		b.Run(name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				if err := read(); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			reportPercentiles(b, times)
		})
	}
}

// reportPercentiles reports the p50 and p95 of a benchmark's times, in ms.
func reportPercentiles(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkFeedHidden reads feeds of a workspace that hides 50 companies
// (the first page of its 30-day feed) and education and government
// organisations, and its 30-day trend and a site's overview, which leave
// them out too, and reports p50 and p95 per query: the cost of the
// corrections beside BenchmarkFeed's and BenchmarkFeedExtras'. It undoes
// them when done.
func BenchmarkFeedHidden(b *testing.B) {
	s, ws := feedWorkspace(b)
	ctx := context.Background()
	to := time.Now().UTC()
	page, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: to.AddDate(0, 0, -29), To: to, Limit: 50})
	if err != nil || len(page) < 50 {
		b.Fatalf("the page to hide: %d rows, %v", len(page), err)
	}
	var keys []string
	for _, r := range page {
		o, err := s.HideCompany(ctx, ws.ID, r.ID, foyer.HideISP, nil)
		if err != nil {
			b.Fatal(err)
		}
		keys = append(keys, o.OrgKey)
	}
	if err := s.SetHiddenTypes(ctx, ws.ID, []foyer.OrgType{foyer.OrgEducation, foyer.OrgGovernment}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		for _, k := range keys {
			if err := s.Unhide(ctx, ws.ID, k); err != nil {
				b.Error(err)
			}
		}
		if err := s.SetHiddenTypes(ctx, ws.ID, nil); err != nil {
			b.Error(err)
		}
	})
	for _, c := range []struct {
		name string
		q    foyer.FeedQuery
		days int
		end  time.Time
	}{
		{"30d-page1", foyer.FeedQuery{}, 30, to},
		{"30d-ending-yesterday", foyer.FeedQuery{}, 30, to.AddDate(0, 0, -1)},
		{"30d-by-score", foyer.FeedQuery{Sort: foyer.SortScore}, 30, to},
		{"30d-min-5-pages-by-score", foyer.FeedQuery{MinPages: 5, Sort: foyer.SortScore}, 30, to},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			q.WorkspaceID, q.From, q.To, q.Limit = ws.ID, c.end.AddDate(0, 0, -(c.days-1)), c.end, 50
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				rows, err := s.Feed(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				for _, r := range rows {
					if r.Hidden != "" {
						b.Fatalf("a hidden company in the feed: %s", r.Name)
					}
				}
			}
			reportPercentiles(b, times)
		})
	}
	sites, err := s.Sites(ctx, ws.ID)
	if err != nil || len(sites) == 0 {
		b.Fatalf("sites: %v", err)
	}
	for name, read := range map[string]func() (hidden int64, err error){
		"trend-30d": func() (int64, error) {
			t, err := s.WorkspaceTrend(ctx, ws.ID, 0, to.AddDate(0, 0, -29), to)
			if err != nil {
				return 0, err
			}
			return t.HiddenVisits, nil
		},
		"overview-30d": func() (int64, error) {
			o, err := s.SiteOverview(ctx, ws.ID, sites[0].ID, to.AddDate(0, 0, -29), to)
			if err != nil {
				return 0, err
			}
			return o.HiddenVisits, nil
		},
	} {
		b.Run(name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				hidden, err := read()
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				if hidden == 0 {
					b.Fatal("no hidden visit")
				}
			}
			reportPercentiles(b, times)
		})
	}
}
