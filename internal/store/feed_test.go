package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestFeed checks the company feed against hand-counted visits: per
// workspace, per site, in the period only, each visit counted once however
// the roll-up splits its events.
func TestFeed(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		wsA, a1 := testutil.NewSite(t, s, "Acme", "acme-web", "www.example.com")
		a2 := &foyer.Site{WorkspaceID: wsA.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"www.example.com"}}
		if err := s.CreateSite(ctx, a2); err != nil {
			t.Fatal(err)
		}
		wsB, b1 := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		globex := foyer.Origin{Country: "DE", City: "Hamburg", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example",
			Type: foyer.OrgBusiness, Industry: "Manufacturing", Size: "200-499"}}
		hooli := foyer.Origin{Country: "US", Org: foyer.Org{Name: "Hooli Inc", ASN: 64501, Type: foyer.OrgBusiness}}
		carrier := foyer.Origin{Country: "FR", Org: foyer.Org{Name: "Example Telecom", Type: foyer.OrgISP}}
		hit := func(site *foyer.Site, visitor string, at time.Duration, kind foyer.EventKind, o foyer.Origin) foyer.Hit {
			h := pageview(site.ID, visitor, at, "/p")
			h.Kind, h.Origin = kind, o
			if kind == foyer.KindEngagement {
				h.EngagedMS = 5000
			}
			return h
		}
		day := 24 * time.Hour
		// Globex: one visit on a1 (two page views, engagement, split over
		// roll-ups), one on a2 the next day; one on B's site.
		appendHits(t, s, hit(a1, "visitor-g1-000000000000", 0, foyer.KindPageview, globex))
		if _, err := s.Rollup(ctx, 1); err != nil {
			t.Fatal(err)
		}
		appendHits(t, s,
			hit(a1, "visitor-g1-000000000000", time.Minute, foyer.KindPageview, globex),
			hit(a1, "visitor-g1-000000000000", 2*time.Minute, foyer.KindEngagement, globex),
			hit(a2, "visitor-g2-000000000000", day, foyer.KindPageview, globex),
			hit(b1, "visitor-b1-000000000000", day, foyer.KindPageview, globex),
			// Hooli: 40 days earlier, outside a 30-day period.
			hit(a1, "visitor-h1-000000000000", -40*day, foyer.KindPageview, hooli),
			// A carrier's visit is no company's.
			hit(a1, "visitor-c1-000000000000", 2*time.Hour, foyer.KindPageview, carrier),
		)
		for {
			n, err := s.Rollup(ctx, 2)
			if err != nil {
				t.Fatal(err)
			}
			if n < 2 {
				break
			}
		}
		period := func(ws int64, site int64) foyer.FeedQuery {
			return foyer.FeedQuery{WorkspaceID: ws, SiteID: site, From: t0.Add(-29 * day), To: t0.Add(day)}
		}
		type want struct {
			name                 string
			visits, pvs, engaged int64
			last                 time.Time
		}
		check := func(what string, q foyer.FeedQuery, wants ...want) {
			t.Helper()
			rows, err := s.Feed(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if len(rows) != len(wants) {
				t.Fatalf("%s: %d rows %+v, want %d", what, len(rows), rows, len(wants))
			}
			for i, w := range wants {
				r := rows[i]
				if r.Name != w.name || r.Visits != w.visits || r.Pageviews != w.pvs || r.EngagedMS != w.engaged || !r.LastAt.Equal(w.last) {
					t.Errorf("%s row %d: %s visits %d pvs %d engaged %d last %v; want %+v", what, i, r.Name, r.Visits, r.Pageviews, r.EngagedMS, r.LastAt, w)
				}
				if r.WorkspaceID != q.WorkspaceID {
					t.Errorf("%s: a row of workspace %d", what, r.WorkspaceID)
				}
			}
		}
		check("workspace A", period(wsA.ID, 0), want{"Globex GmbH", 2, 3, 5000, t0.Add(day)})
		check("site a1", period(wsA.ID, a1.ID), want{"Globex GmbH", 1, 2, 5000, t0.Add(2 * time.Minute)})
		check("workspace B", period(wsB.ID, 0), want{"Globex GmbH", 1, 1, 0, t0.Add(day)})
		long := period(wsA.ID, 0)
		long.From = t0.Add(-60 * day)
		check("60 days", long, want{"Globex GmbH", 2, 3, 5000, t0.Add(day)}, want{"Hooli Inc", 1, 1, 0, t0.Add(-40 * day)})
		long.Offset = 1
		check("second page", long, want{"Hooli Inc", 1, 1, 0, t0.Add(-40 * day)})
		if rows, _ := s.Feed(ctx, period(wsA.ID, 0)); len(rows) == 1 && (rows[0].Domain != "globex.example" || rows[0].Industry != "Manufacturing" || rows[0].City != "Hamburg") {
			t.Errorf("company fields: %+v", rows[0].Company)
		}
		_, err := s.Feed(ctx, period(wsA.ID, b1.ID))
		wantCodeOf(t, "another workspace's site", err, foyer.ENOTFOUND)

		if last, err := s.LastVisit(ctx, a2.ID); err != nil || !last.Equal(t0.Add(day)) {
			t.Errorf("last visit of a2: %v, %v", last, err)
		}
		empty := &foyer.Site{WorkspaceID: wsA.ID, Key: "acme-empty", Hostnames: []string{"www.example.com"}}
		if err := s.CreateSite(ctx, empty); err != nil {
			t.Fatal(err)
		}
		if last, err := s.LastVisit(ctx, empty.ID); err != nil || !last.IsZero() {
			t.Errorf("last visit of a site without visits: %v, %v", last, err)
		}

		// The site overview of a1 over the three days: Globex's visit with
		// two page views, the carrier's visit (anonymous), Hooli is outside.
		o, err := s.SiteOverview(ctx, wsA.ID, a1.ID, t0.Add(-day), t0.Add(day))
		if err != nil {
			t.Fatal(err)
		}
		if o.Visits != 2 || o.CompanyVisits != 1 || o.AnonymousVisits != 1 || o.Pageviews != 3 || o.Companies != 1 {
			t.Errorf("overview %+v", o)
		}
		if len(o.TopPages) != 1 || o.TopPages[0] != (foyer.Count{Name: "/p", N: 3}) || len(o.TopSources) != 1 || o.TopSources[0] != (foyer.Count{Name: "direct", N: 2}) {
			t.Errorf("overview tops %+v %+v", o.TopPages, o.TopSources)
		}
		_, err = s.SiteOverview(ctx, wsB.ID, a1.ID, t0.Add(-day), t0.Add(day))
		wantCodeOf(t, "another workspace's site overview", err, foyer.ENOTFOUND)

		// The company page's reads.
		rows, _ := s.Feed(ctx, period(wsA.ID, 0))
		id := rows[0].ID
		c, err := s.Company(ctx, wsA.ID, id)
		if err != nil || c.Name != "Globex GmbH" || c.Domain != "globex.example" {
			t.Fatalf("company: %+v, %v", c, err)
		}
		_, err = s.Company(ctx, wsB.ID, id)
		wantCodeOf(t, "another workspace's company", err, foyer.ENOTFOUND)
		_, err = s.CompanyVisits(ctx, wsB.ID, id, t0.Add(-day), t0.Add(day), 10, 0)
		wantCodeOf(t, "another workspace's company visits", err, foyer.ENOTFOUND)
		_, err = s.CompanyDays(ctx, wsB.ID, id, t0.Add(-day), t0.Add(day))
		wantCodeOf(t, "another workspace's company days", err, foyer.ENOTFOUND)

		days, err := s.CompanyDays(ctx, wsA.ID, id, t0.Add(-day), t0.Add(day))
		if err != nil || len(days) != 3 {
			t.Fatalf("days: %+v, %v", days, err)
		}
		for i, want := range [][3]int64{{0, 0, 0}, {1, 2, 5000}, {1, 1, 0}} {
			if got := [3]int64{days[i].Visits, days[i].Pageviews, days[i].EngagedMS}; got != want {
				t.Errorf("day %d (%v): %v, want %v", i, days[i].Day, got, want)
			}
		}
		visits, err := s.CompanyVisits(ctx, wsA.ID, id, t0.Add(-day), t0.Add(day), 10, 0)
		if err != nil || len(visits) != 2 {
			t.Fatalf("visits: %+v, %v", visits, err)
		}
		if v := visits[0]; v.SiteID != a2.ID || !v.StartedAt.Equal(t0.Add(day)) || len(v.Pages) != 1 {
			t.Errorf("newest visit: %+v", v)
		}
		if v := visits[1]; v.SiteID != a1.ID || v.Pageviews != 2 || v.EngagedMS != 5000 || len(v.Pages) != 2 ||
			v.Pages[1].EngagedMS != 5000 || v.Pages[0].EngagedMS != 0 || v.Pages[0].Path != "/p" || !v.Pages[0].Time.Equal(t0) {
			t.Errorf("older visit: %+v", v)
		}
	})
}

// TestFeedRecentMatchesPeriod checks the fast path of periods that end
// today against the reference path, on synthetic history over two sites.
func TestFeedRecentMatchesPeriod(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, site1 := testutil.NewSite(t, s, "Acme", "acme-web", "localhost")
		site2 := &foyer.Site{WorkspaceID: ws.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"localhost"}}
		if err := s.CreateSite(ctx, site2); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for i, site := range []*foyer.Site{site1, site2} {
			h := loadgen.History{Events: 12_000 / (i + 1), Days: 40, Companies: 400, End: now, Seed: uint64(i + 1), Batch: 500}
			if _, err := loadgen.WriteHistory(ctx, s, site, h, nil); err != nil {
				t.Fatal(err)
			}
			for {
				n, err := s.Rollup(ctx, 700)
				if err != nil {
					t.Fatal(err)
				}
				if n < 700 {
					break
				}
			}
		}
		compared := 0
		filters := []foyer.FeedQuery{{}, {Country: "de"}, {Industry: "Software", Size: "10-49"}, {Search: "ACME"},
			{Search: "company-1"}, {Search: "%"}, {Type: foyer.OrgBusiness}}
		for _, days := range []int{1, 7, 30} {
			for _, siteID := range []int64{0, site1.ID, site2.ID} {
				for fi, offset := range []int{0, 50, 250, 0, 0, 0, 0} {
					f := filters[fi]
					q := foyer.FeedQuery{WorkspaceID: ws.ID, SiteID: siteID, From: now.AddDate(0, 0, -(days - 1)), To: now, Limit: 50, Offset: offset,
						Country: f.Country, Industry: f.Industry, Size: f.Size, Search: f.Search, Type: f.Type}
					fast, err := s.Feed(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					slow, err := store.PeriodFeed(s, ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if len(fast) != len(slow) {
						t.Fatalf("%d days, site %d, offset %d: %d rows, reference %d", days, siteID, offset, len(fast), len(slow))
					}
					for i := range fast {
						f, r := fast[i], slow[i]
						if f.ID != r.ID || f.Visits != r.Visits || f.Pageviews != r.Pageviews || f.EngagedMS != r.EngagedMS || !f.LastAt.Equal(r.LastAt) {
							t.Fatalf("%d days, site %d, offset %d, row %d: %+v, reference %+v", days, siteID, offset, i, f, r)
						}
						if (q.Country != "" && f.Country != "DE") || (q.Industry != "" && (f.Industry != q.Industry || f.Size != q.Size)) ||
							(q.Search == "ACME" && !strings.Contains(strings.ToLower(f.Name), "acme")) ||
							(q.Search == "company-1" && !strings.HasPrefix(f.Domain, "company-1")) {
							t.Fatalf("filter %+v let through %+v", f, q)
						}
					}
					if q.Search == "%" && len(fast) != 0 {
						t.Errorf("a search for %%%% matched %d companies: the wildcard is not escaped", len(fast))
					}
					compared += len(fast)
				}
			}
		}
		if compared < 500 {
			t.Errorf("only %d rows compared: the history is too thin to test anything", compared)
		}
	})
}
