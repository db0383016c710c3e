package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestDeleteSite deletes a site with rolled-up and not yet rolled-up
// visits and checks that nothing of it is left, that the workspace's feed
// (by last visit and by score) no longer counts it, that the other site
// and the other workspace keep theirs, and that hits for it are dropped.
func TestDeleteSite(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		day := 24 * time.Hour
		clock := testutil.NewClock(t0.Add(day + time.Hour))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		wsA, a1 := testutil.NewSite(t, s, "Acme", "acme-web", "www.example.com")
		a2 := &foyer.Site{WorkspaceID: wsA.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"www.example.com"}}
		if err := s.CreateSite(ctx, a2); err != nil {
			t.Fatal(err)
		}
		wsB, b1 := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		globex := foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness}}
		hooli := foyer.Origin{Country: "US", Org: foyer.Org{Name: "Hooli Inc", ASN: 64501, Type: foyer.OrgBusiness}}
		hit := func(site *foyer.Site, visitor string, at time.Duration, o foyer.Origin) foyer.Hit {
			h := pageview(site.ID, visitor, at, "/p")
			h.Origin = o
			return h
		}
		// Globex visits a2, then a1 later; Hooli only a1; Globex also B.
		appendHits(t, s,
			hit(a2, "visitor-g2-000000000000", 0, globex),
			hit(a2, "visitor-g2-000000000000", time.Minute, globex),
			hit(b1, "visitor-b1-000000000000", day, globex),
			hit(a1, "visitor-g1-000000000000", day, globex),
			hit(a1, "visitor-h1-000000000000", day, hooli), // the roll-up's mark, below
		)
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		// And a1's last events, not rolled up yet, on top of the events table.
		appendHits(t, s,
			hit(a1, "visitor-g1-000000000000", day+time.Minute, globex),
			hit(a1, "visitor-n1-000000000000", day+2*time.Minute, globex))

		wantCode(t, s.DeleteSite(ctx, wsB.ID, a1.ID), foyer.ENOTFOUND) // another workspace's site
		if err := s.DeleteSite(ctx, wsA.ID, a1.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		wantCode(t, s.DeleteSite(ctx, wsA.ID, a1.ID), foyer.ENOTFOUND)
		_, err := s.SiteByKey(ctx, "acme-web")
		wantCode(t, err, foyer.ENOTFOUND)

		for _, table := range []string{"sessions", "visitors", "pages", "links", "company_days", "company_sites",
			"company_totals", "company_pages", "company_sources", "company_source_weeks", "site_days", "page_days", "source_days"} {
			var n int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE site_id = `+strconv.FormatInt(a1.ID, 10)).Scan(&n); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			if n != 0 {
				t.Errorf("%d rows of the deleted site left in %s", n, table)
			}
		}
		// Events: only those of a2 and b1 (3), and no row joins a missing visit
		// but SQLite's placeholder of the top ID.
		var events, orphans int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM events e JOIN sessions s ON s.id = e.session_id`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM events e WHERE session_id <> 0
			AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.session_id)`).Scan(&orphans); err != nil {
			t.Fatal(err)
		}
		if events != 3 || orphans != 0 {
			t.Errorf("%d events of visits and %d of no visit left, want 3 and 0", events, orphans)
		}

		type want struct {
			name   string
			visits int64
			last   time.Time
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
				if r := rows[i]; r.Name != w.name || r.Visits != w.visits || !r.LastAt.Equal(w.last) {
					t.Errorf("%s row %d: %s visits %d last %v; want %+v", what, i, r.Name, r.Visits, r.LastAt, w)
				}
			}
		}
		period := foyer.FeedQuery{WorkspaceID: wsA.ID, From: t0.Add(-29 * day), To: clock.Now()}
		// Globex keeps a2's one visit and its last activity there; Hooli,
		// seen on a1 only, is gone.
		check("recent", period, want{"Globex GmbH", 1, t0.Add(time.Minute)})
		byScore := period
		byScore.Sort = foyer.SortScore
		check("by score", byScore, want{"Globex GmbH", 1, t0.Add(time.Minute)})
		check("site a2", foyer.FeedQuery{WorkspaceID: wsA.ID, SiteID: a2.ID, From: period.From, To: period.To},
			want{"Globex GmbH", 1, t0.Add(time.Minute)})
		check("workspace B", foyer.FeedQuery{WorkspaceID: wsB.ID, From: period.From, To: period.To},
			want{"Globex GmbH", 1, t0.Add(day)})
		_, err = s.Feed(ctx, foyer.FeedQuery{WorkspaceID: wsA.ID, SiteID: a1.ID, From: period.From, To: period.To})
		wantCode(t, err, foyer.ENOTFOUND)

		// A hit the collector accepted just before the delete is dropped,
		// and the batch's other hits are stored and counted; a new site
		// (which SQLite may give the deleted one's ID) is counted too.
		a3 := &foyer.Site{WorkspaceID: wsA.ID, Key: "acme-shop", Name: "Shop", Hostnames: []string{"www.example.com"}}
		late := hit(a1, "visitor-g1-000000000000", day+3*time.Minute, globex)
		appendHits(t, s, late, hit(a2, "visitor-g3-000000000000", day+4*time.Minute, globex))
		if err := s.CreateSite(ctx, a3); err != nil {
			t.Fatal(err)
		}
		appendHits(t, s, hit(a3, "visitor-h3-000000000000", day+5*time.Minute, hooli))
		if a3.ID != a1.ID {
			appendHits(t, s, late) // still dropped
		}
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		check("after new hits", period,
			want{"Hooli Inc", 1, t0.Add(day + 5*time.Minute)}, want{"Globex GmbH", 2, t0.Add(day + 4*time.Minute)})
		if got := len(readEvents(t, s, wsA.ID, a3.ID, t0.Add(-day))); got != 1 {
			t.Errorf("%d events on the new site, want 1", got)
		}
	})
}

// TestDeleteSiteSeenByAnotherStore: a store on the same database that did
// not delete the site (another process), and still holds its visitor in
// its ingest cache, stores a batch with hits of the deleted site without
// them, and then stores its other hits as before.
func TestDeleteSiteSeenByAnotherStore(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		dsn := testutil.NewDSN(t, d)
		open := func() *store.Store {
			t.Helper()
			s, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		a, b := open(), open()
		ws, gone := testutil.NewSite(t, a, "Acme", "gone", "www.example.com")
		kept := &foyer.Site{WorkspaceID: ws.ID, Key: "kept", Name: "Kept", Hostnames: []string{"www.example.com"}}
		if err := a.CreateSite(ctx, kept); err != nil {
			t.Fatal(err)
		}
		appendHits(t, b, pageview(gone.ID, "visitor-cached-00000000", 0, "/a"))
		if err := a.DeleteSite(ctx, ws.ID, gone.ID); err != nil {
			t.Fatal(err)
		}
		appendHits(t, b,
			pageview(gone.ID, "visitor-cached-00000000", time.Minute, "/b"), // a cached visitor and visit
			pageview(kept.ID, "visitor-kept-0000000000", time.Minute, "/k"),
			pageview(gone.ID, "visitor-new-00000000000", time.Minute, "/c")) // a new visitor
		appendHits(t, b, pageview(gone.ID, "visitor-new-00000000000", 2*time.Minute, "/d"),
			pageview(kept.ID, "visitor-kept-0000000000", 2*time.Minute, "/l"))
		if _, err := b.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, e := range readEvents(t, b, ws.ID, kept.ID, t0.Add(-time.Hour)) {
			paths = append(paths, e.Path)
		}
		if strings.Join(paths, ",") != "/k,/l" {
			t.Errorf("the kept site's events: %v, want /k,/l", paths)
		}
		var n int
		if err := b.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE site_id = `+strconv.FormatInt(gone.ID, 10)).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d visits of the deleted site (%v)", n, err)
		}
	})
}
