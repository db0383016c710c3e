package store_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/referrer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// refCompany is what a company did in a period, counted from raw events.
type refCompany struct {
	visits, pageviews, engaged int64
	last                       time.Time
	pages                      map[string]bool
	sources                    map[string]int64
}

// referenceFeed counts the feed of the period [from, to] (UTC days) of the
// sites from their raw events, by company name: visits on the day they
// started, page views and engaged time on the day they happened.
func referenceFeed(t *testing.T, s *store.Store, ws int64, sites []*foyer.Site, from, to time.Time) map[string]*refCompany {
	t.Helper()
	first, last := from.UTC().Truncate(24*time.Hour), to.UTC().Truncate(24*time.Hour).Add(24*time.Hour)
	in := func(at time.Time) bool { return !at.Before(first) && at.Before(last) }
	out := map[string]*refCompany{}
	get := func(name string) *refCompany {
		c := out[name]
		if c == nil {
			c = &refCompany{pages: map[string]bool{}, sources: map[string]int64{}}
			out[name] = c
		}
		return c
	}
	for _, site := range sites {
		seen := map[int64]bool{}
		err := s.Events(context.Background(), ws, site.ID, time.Time{}, func(e *foyer.StoredEvent) error {
			if e.Company == "" {
				return nil
			}
			if !seen[e.VisitID] { // a visit's first event: when it started
				seen[e.VisitID] = true
				if in(e.Time) {
					c := get(e.Company)
					c.visits++
					c.sources[referrer.Of(e.UTMSource, e.Referrer).Name]++
					c.last = maxTime(c.last, e.Time)
				}
			}
			if !in(e.Time) {
				return nil
			}
			c := get(e.Company)
			c.engaged += e.EngagedMS
			c.last = maxTime(c.last, e.Time)
			if e.Type == "pageview" {
				c.pageviews++
				c.pages[e.Path] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// viewed reports whether the company viewed a page whose path contains s.
func (c *refCompany) viewed(s string) bool {
	for p := range c.pages {
		if strings.Contains(strings.ToLower(p), s) {
			return true
		}
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// allFeed pages through the whole feed of q.
func allFeed(t *testing.T, s *store.Store, q foyer.FeedQuery) []foyer.FeedRow {
	t.Helper()
	return allPages(t, s, q, 37, (*store.Store).Feed)
}

// allPages reads every page of q's feed from feed, size rows a page.
func allPages(t *testing.T, s *store.Store, q foyer.FeedQuery, size int,
	feed func(*store.Store, context.Context, foyer.FeedQuery) ([]foyer.FeedRow, error)) []foyer.FeedRow {
	t.Helper()
	var out []foyer.FeedRow
	for q.Limit, q.Offset = size, 0; ; q.Offset += q.Limit {
		rows, err := feed(s, context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
		if len(rows) < q.Limit {
			return out
		}
	}
}

// TestFeedFiltersMatchEvents checks the feed's filters, its score order and
// each row's top source against the same counted from the raw events, for
// a period ending today and one ending earlier, per site and in all.
func TestFeedFiltersMatchEvents(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, site1 := testutil.NewSite(t, s, "Acme", "acme-web", "localhost")
		site2 := &foyer.Site{WorkspaceID: ws.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"localhost"}}
		if err := s.CreateSite(ctx, site2); err != nil {
			t.Fatal(err)
		}
		// Another workspace with the same companies and pages: nothing of it
		// may show up in Acme's feed.
		_, other := testutil.NewSite(t, s, "Initech", "initech", "localhost")
		now := time.Now()
		for i, site := range []*foyer.Site{site1, site2, other} {
			h := loadgen.History{Events: 9_000 / (i + 1), Days: 40, Companies: 250, End: now, Seed: uint64(i + 1), Batch: 500}
			if _, err := loadgen.WriteHistory(ctx, s, site, h, nil); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				// The tables of the filters came with migration 12, which
				// fills them from what the roll-up had read: here half of a
				// site's history, cutting visits in two.
				if _, err := s.Rollup(ctx, 4_321); err != nil {
					t.Fatal(err)
				}
				if err := store.RedoMigration(ctx, s, 12); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Campaign visits, whose source is their utm_source.
		for i := range 6 {
			appendHits(t, s, foyer.Hit{SiteID: site1.ID, VisitorUID: fmt.Sprintf("campaign-visitor-%06d", i), Time: now.Add(-time.Duration(i) * time.Hour),
				Kind: foyer.KindPageview, Host: "localhost", Path: "/webinar", UTM: foyer.UTM{Source: "newsletter"},
				Origin: foyer.Origin{Country: "NL", Org: foyer.Org{Name: "Campaign Reader BV", Type: foyer.OrgBusiness}}})
		}
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		sites := map[int64][]*foyer.Site{0: {site1, site2}, site1.ID: {site1}, site2.ID: {site2}}
		compared := 0
		for _, period := range []struct{ from, to time.Time }{
			{now.AddDate(0, 0, -29), now}, {now.AddDate(0, 0, -20), now.AddDate(0, 0, -6)},
		} {
			for _, siteID := range []int64{0, site1.ID, site2.ID} {
				ref := referenceFeed(t, s, ws.ID, sites[siteID], period.from, period.to)
				// The commonest referrer host of the period is the source to filter on.
				counts := map[string]int64{}
				for _, c := range ref {
					for src, n := range c.sources {
						if src != "direct" {
							counts[src] += n
						}
					}
				}
				source := slices.MaxFunc(slices.Collect(maps.Keys(counts)), func(a, b string) int { return cmp.Compare(counts[a], counts[b]) })
				for _, f := range []struct {
					name string
					q    foyer.FeedQuery
					want func(*refCompany) bool
				}{
					{"score", foyer.FeedQuery{Sort: foyer.SortScore}, func(*refCompany) bool { return true }},
					{"page", foyer.FeedQuery{Page: "PRICING"}, func(c *refCompany) bool { return c.viewed("pricing") }},
					{"source", foyer.FeedQuery{Source: source}, func(c *refCompany) bool { return c.sources[source] > 0 }},
					{"utm source", foyer.FeedQuery{Source: "newsletter"}, func(c *refCompany) bool { return c.sources["Email"] > 0 }},
					{"source by another name", foyer.FeedQuery{Source: "www.LinkedIn.com"}, func(c *refCompany) bool { return c.sources["LinkedIn"] > 0 }},
					{"min pages", foyer.FeedQuery{MinPages: 6}, func(c *refCompany) bool { return c.pageviews >= 6 }},
					{"min engaged", foyer.FeedQuery{MinEngagedMS: 5 * 60_000, Sort: foyer.SortScore},
						func(c *refCompany) bool { return c.engaged >= 5*60_000 }},
					{"all", foyer.FeedQuery{Page: "/doc", Source: "direct", MinPages: 2, Sort: foyer.SortScore},
						func(c *refCompany) bool { return c.viewed("/doc") && c.sources["direct"] > 0 && c.pageviews >= 2 }},
					{"no match", foyer.FeedQuery{Page: "%"}, func(*refCompany) bool { return false }},
				} {
					q := f.q
					q.WorkspaceID, q.SiteID, q.From, q.To = ws.ID, siteID, period.from, period.to
					got := allFeed(t, s, q)
					var want []string
					for name, c := range ref {
						if c.visits+c.pageviews > 0 && f.want(c) {
							want = append(want, name)
						}
					}
					names := make([]string, len(got))
					for i, r := range got {
						names[i] = r.Name
					}
					slices.Sort(want)
					if sorted := slices.Sorted(slices.Values(names)); !slices.Equal(sorted, want) {
						t.Fatalf("%s, site %d, %s: %d companies, want %d\ngot  %v\nwant %v", f.name, siteID,
							period.to.Format("Jan 2"), len(sorted), len(want), sorted, want)
					}
					for i, r := range got {
						c := ref[r.Name]
						if r.Visits != c.visits || r.Pageviews != c.pageviews || r.EngagedMS != c.engaged {
							t.Fatalf("%s: %s: %d visits, %d pages, %d ms; counted %d, %d, %d", f.name, r.Name,
								r.Visits, r.Pageviews, r.EngagedMS, c.visits, c.pageviews, c.engaged)
						}
						if c.visits > 0 && c.sources[r.TopSource] != slices.Max(slices.Collect(maps.Values(c.sources))) {
							t.Fatalf("%s: %s: top source %q, counted %v", f.name, r.Name, r.TopSource, c.sources)
						}
						if want := foyer.Score(r.Visits, r.Pageviews, r.EngagedMS, r.LastAt, time.Now()); r.Score != want {
							t.Fatalf("%s: %s: score %d, want %d", f.name, r.Name, r.Score, want)
						}
						if i == 0 {
							continue
						}
						p := got[i-1]
						if q.Sort == foyer.SortScore && (p.Score < r.Score || p.Score == r.Score && p.LastAt.Before(r.LastAt)) ||
							q.Sort != foyer.SortScore && p.LastAt.Before(r.LastAt) {
							t.Fatalf("%s: %s (score %d, %v) before %s (score %d, %v)", f.name, p.Name, p.Score, p.LastAt, r.Name, r.Score, r.LastAt)
						}
					}
					compared += len(got)
				}
			}
		}
		if compared < 1000 {
			t.Errorf("only %d rows compared: the history is too thin to test the filters", compared)
		}
	})
}
