package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestFeedTotalsMatchDays checks the feed of periods that do not end today,
// read from running totals, against the same summed from every
// company_days row of the period and counted from the raw events: for
// random periods, filters, orders, pages and sites, after migration 13
// filled the totals of half a history, and after late events for earlier
// days, on the first and last day of a period.
func TestFeedTotalsMatchDays(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, site1 := testutil.NewSite(t, s, "Acme", "acme-web", "localhost")
		site2 := &foyer.Site{WorkspaceID: ws.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"localhost"}}
		if err := s.CreateSite(ctx, site2); err != nil {
			t.Fatal(err)
		}
		_, other := testutil.NewSite(t, s, "Initech", "initech", "localhost")
		now := time.Now().UTC()
		rollup := func() { // in runs of uneven size, which end in the middle of a day
			t.Helper()
			for {
				n, err := s.Rollup(ctx, 611)
				if err != nil {
					t.Fatal(err)
				}
				if n < 611 {
					return
				}
			}
		}
		checkTotals := func(when string) {
			t.Helper()
			if n, err := store.TotalsDiff(ctx, s); err != nil || n != 0 {
				t.Fatalf("%s: %d rows of the running totals differ from company_days and company_sources (%v)", when, n, err)
			}
		}
		for i, site := range []*foyer.Site{site1, site2, other} {
			h := loadgen.History{Events: 12_000 / (i + 1), Days: 40, Companies: 600, End: now, Seed: uint64(i + 7), Batch: 500}
			if _, err := loadgen.WriteHistory(ctx, s, site, h, nil); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				// Migration 13 fills company_totals from what the roll-up
				// has read: here half of a site's history.
				if _, err := s.Rollup(ctx, 3_333); err != nil {
					t.Fatal(err)
				}
				if err := store.RedoMigration(ctx, s, 13); err != nil {
					t.Fatal(err)
				}
				checkTotals("after migration 13")
			}
			rollup()
		}
		checkTotals("after the history")

		// Late events: visits of known companies and a new one on earlier
		// days, some rolled up alone and some in one run with today's.
		known, err := store.DaysFeed(s, ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: now.AddDate(0, 0, -39), To: now, Limit: 500})
		if err != nil || len(known) < 100 {
			t.Fatalf("history: %d companies, %v", len(known), err)
		}
		lateDays := []int{-31, -17, -17, -9, -3, 0}
		late := func(i, ago int, site *foyer.Site, c foyer.Company, path, utm string) foyer.Hit {
			return foyer.Hit{SiteID: site.ID, VisitorUID: fmt.Sprintf("late-visitor-%06d", i),
				Time: now.AddDate(0, 0, ago).Truncate(24 * time.Hour).Add(time.Duration(i%23) * time.Hour),
				Kind: foyer.KindPageview, Host: "localhost", Path: path, UTM: foyer.UTM{Source: utm},
				Origin: foyer.Origin{Country: c.Country, Org: foyer.Org{Name: c.Name, Domain: c.Domain, Type: foyer.OrgBusiness}}}
		}
		newcomer := foyer.Company{Name: "Latecomer BV", Domain: "latecomer.example", Country: "NL"}
		for i, ago := range lateDays {
			site := []*foyer.Site{site1, site2}[i%2]
			appendHits(t, s, late(i, ago, site, known[i*7].Company, "/pricing/late", ""),
				late(100+i, ago, site, newcomer, "/late", "late-campaign"))
			if i%2 == 0 {
				rollup()
			}
		}
		rollup()
		checkTotals("after late events")

		sites := map[int64][]*foyer.Site{0: {site1, site2}, site1.ID: {site1}, site2.ID: {site2}}
		rng := rand.New(rand.NewPCG(13, uint64(len(d))))
		compared := 0
		// compare checks the page of q (with Limit and Offset) against the
		// feed summed from company_days, and now and then against events.
		compare := func(i int, q foyer.FeedQuery, events bool) {
			t.Helper()
			all := q
			all.Offset, all.Limit = 0, 10_000
			want, err := store.DaysFeed(s, ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == all.Limit {
				t.Fatalf("%+v: %d rows, a page too small to hold the feed", q, all.Limit)
			}
			want = want[min(q.Offset, len(want)):min(q.Offset+q.Limit, len(want))]
			// Steps as the feed takes them, and of a few companies each,
			// which stop early even on a history this small.
			// The steps never sum the period's days here; that way is
			// checked on its own below.
			store.SetFeedSums(s, -1)
			got, err := store.PeriodFeed(s, ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			store.SetFeedBatch(s, 1+i%5)
			small, err := store.PeriodFeed(s, ctx, q)
			store.SetFeedBatch(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(small) != len(got) {
				t.Fatalf("query %d %+v: %d rows in small steps, %d in the feed's", i, q, len(small), len(got))
			}
			// Summing the period's days, as the score order of a short
			// period does, gives the same page.
			store.SetFeedSums(s, 1)
			summed, err := store.PeriodFeed(s, ctx, q)
			store.SetFeedSums(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(summed) != len(got) {
				t.Fatalf("query %d %+v: %d rows summed, %d in steps", i, q, len(summed), len(got))
			}
			// And through Feed, with each row's top source.
			feed, err := s.Feed(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for j := range min(len(feed), len(want)) {
				if f, w := feed[j], want[j]; f.ID != w.ID || f.Visits != w.Visits || f.TopSource != w.TopSource {
					t.Fatalf("query %d %+v, row %d through Feed: %d, %d visits, from %q; company_days: %d, %d visits, from %q",
						i, q, q.Offset+j, f.ID, f.Visits, f.TopSource, w.ID, w.Visits, w.TopSource)
				}
			}
			if len(feed) != len(want) {
				t.Fatalf("query %d %+v: %d rows through Feed, company_days %d", i, q, len(feed), len(want))
			}
			got = append(append(got, small...), summed...)
			want = append(append(want, want...), want...)
			if len(got) != len(want) {
				t.Fatalf("query %d %+v: %d rows, company_days %d", i, q, len(got), len(want))
			}
			for j := range got {
				g, w := got[j], want[j]
				if g.ID != w.ID || g.Name != w.Name || g.Visits != w.Visits || g.Pageviews != w.Pageviews ||
					g.EngagedMS != w.EngagedMS || !g.LastAt.Equal(w.LastAt) || g.Score != w.Score {
					t.Fatalf("query %d %+v, row %d:\n%+v\ncompany_days:\n%+v", i, q, q.Offset+j, g, w)
				}
			}
			if events && q.Page == "" && q.Source == "" && q.Country == "" {
				// And against the raw events, with the filters on sums.
				ref := referenceFeed(t, s, ws.ID, sites[q.SiteID], q.From, q.To)
				for _, g := range got {
					c := ref[g.Name]
					if c == nil || g.Visits != c.visits || g.Pageviews != c.pageviews || g.EngagedMS != c.engaged || !g.LastAt.Equal(c.last.Truncate(time.Millisecond)) {
						t.Fatalf("query %d %+v: %s: %+v; counted from events %+v", i, q, g.Name, g, c)
					}
				}
				n := 0
				for _, c := range ref {
					if c.visits+c.pageviews > 0 && c.pageviews >= q.MinPages && c.engaged >= q.MinEngagedMS {
						n++
					}
				}
				if all := allPeriod(t, s, q); len(all) != n {
					t.Fatalf("query %d %+v: %d companies, counted %d from events", i, q, len(all), n)
				}
			}
			compared += len(got)
		}
		for i := range 160 {
			end := -rng.IntN(42)
			if i%3 == 0 { // a period that begins or ends on a day with late events
				end = lateDays[rng.IntN(len(lateDays))] + rng.IntN(2)*rng.IntN(25)
			}
			length := 1 + rng.IntN(40)
			if i%5 == 0 {
				length = 1
			}
			q := foyer.FeedQuery{WorkspaceID: ws.ID, SiteID: []int64{0, site1.ID, site2.ID}[rng.IntN(3)],
				From: now.AddDate(0, 0, min(end, 0)-length+1), To: now.AddDate(0, 0, min(end, 0)),
				Sort: []foyer.FeedSort{foyer.SortRecent, foyer.SortScore}[rng.IntN(2)]}
			switch rng.IntN(8) {
			case 0:
				q.Page = []string{"pricing", "/doc", "late", "a"}[rng.IntN(4)]
			case 1:
				q.Source = []string{"direct", "late-campaign", "partner.example.net"}[rng.IntN(3)]
			case 2:
				q.MinPages = int64(1 + rng.IntN(8))
			case 3:
				q.MinEngagedMS = int64(rng.IntN(10)) * 30_000
			case 4:
				q.Page, q.Source, q.MinPages = "a", "direct", 2
			case 5:
				q.Country = "de"
			}
			// Pages small beside the feed, which the fast path answers
			// without making every company exact, and now and then a large one.
			q.Offset, q.Limit = rng.IntN(20), 1+rng.IntN(30)
			if i%10 == 0 {
				q.Limit = 1 + rng.IntN(400)
			}
			compare(i, q, i%8 == 0)
		}
		// Newest first, periods that end in the past, pages around the
		// number of companies that visited on the period's last day: the
		// rest visited later, and earlier in the period.
		for _, end := range []int{-5, -12, -19} {
			for limit := 4; limit <= 80; limit += 4 {
				compare(limit, foyer.FeedQuery{WorkspaceID: ws.ID, From: now.AddDate(0, 0, end-9), To: now.AddDate(0, 0, end), Limit: limit}, false)
			}
		}
		if compared < 1000 {
			t.Errorf("only %d rows compared: the history is too thin to test anything", compared)
		}
	})
}

// allPeriod pages through the whole feed of q on the path of periods that
// do not end today.
func allPeriod(t *testing.T, s *store.Store, q foyer.FeedQuery) []foyer.FeedRow {
	t.Helper()
	return allPages(t, s, q, 97, store.PeriodFeed)
}
