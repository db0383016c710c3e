package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// visitFrom is a company's one-page visit at t0+at, with a referrer or a
// campaign source.
func visitFrom(site int64, visitor string, at time.Duration, company, referrerURL, utmSource string) foyer.Hit {
	h := pageview(site, visitor, at, "/pricing")
	h.Referrer, h.UTM.Source = referrerURL, utmSource
	h.Origin = foyer.Origin{Country: "DE", Org: foyer.Org{Name: company, Domain: "", Type: foyer.OrgBusiness}}
	return h
}

// TestSourcesNormalised checks that the names of one source count as one,
// in the feed's top source and filter, the site overview, the company's
// visits and the workspace's sources: as the roll-up stores them, and as
// the rows of an earlier roll-up hold them (migration 12's backfill from
// the visits writes the raw names, and 19 their last visits).
func TestSourcesNormalised(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, raw := range []bool{false, true} {
			t.Run(fmt.Sprintf("raw=%v", raw), func(t *testing.T) {
				s := testutil.NewStore(t, d, store.Options{Now: func() time.Time { return t0.Add(2 * 24 * time.Hour) }})
				ctx := context.Background()
				ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
				appendHits(t, s,
					visitFrom(site.ID, "v1", 0, "Globex GmbH", "https://www.linkedin.com/feed/", ""),
					visitFrom(site.ID, "v2", time.Hour, "Globex GmbH", "https://lnkd.in/abc", ""),
					visitFrom(site.ID, "v3", 2*time.Hour, "Globex GmbH", "", "LinkedIn"),
					visitFrom(site.ID, "v4", 3*time.Hour, "Globex GmbH", "https://www.google.de/", ""),
					visitFrom(site.ID, "v5", 4*time.Hour, "Globex GmbH", "https://google.com/search", ""),
					visitFrom(site.ID, "v6", 5*time.Hour, "Hooli Inc", "https://www.Google.co.uk/", ""),
					visitFrom(site.ID, "v7", 6*time.Hour, "Hooli Inc", "https://blog.Example.org:8443/x", ""),
				)
				if _, err := s.RollupAll(ctx); err != nil {
					t.Fatal(err)
				}
				if raw {
					if err := store.RedoMigration(ctx, s, 12); err != nil {
						t.Fatal(err)
					}
					// The site-wide rows as the roll-up wrote them before 19.
					if err := store.Exec(ctx, s, `DELETE FROM source_days`); err != nil {
						t.Fatal(err)
					}
					for name, n := range map[string]int64{"linkedin.com": 1, "lnkd.in": 1, "LinkedIn": 1, "google.de": 1, "google.com": 1, "Google.co.uk": 1, "blog.Example.org:8443": 1} {
						if err := store.Exec(ctx, s, `INSERT INTO source_days (site_id, day, source, visits) VALUES (?, ?, ?, ?)`,
							site.ID, t0.Unix()/86400, name, n); err != nil {
							t.Fatal(err)
						}
					}
				}
				q := foyer.FeedQuery{WorkspaceID: ws.ID, From: t0.Add(-29 * 24 * time.Hour), To: t0.Add(2 * 24 * time.Hour)}
				rows, err := s.Feed(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				top := map[string]string{}
				for _, r := range rows {
					top[r.Name] = r.TopSource + "/" + r.TopSourceKind
				}
				// Globex: LinkedIn 3, Google 2. Hooli: Google and the blog
				// tie, the blog's visit is the later.
				if top["Globex GmbH"] != "LinkedIn/social" || top["Hooli Inc"] != "blog.example.org/" {
					t.Errorf("top sources %v", top)
				}
				for source, want := range map[string][]string{
					"linkedin.com": {"Globex GmbH"}, "LINKEDIN": {"Globex GmbH"}, "lnkd.in": {"Globex GmbH"},
					"google": {"Globex GmbH", "Hooli Inc"}, "www.google.fr": {"Globex GmbH", "Hooli Inc"},
					"BLOG.example.org": {"Hooli Inc"}, "bing.com": nil,
				} {
					fq := q
					fq.Source = source
					got := feedNames(t, s, fq)
					if !slices.Equal(got, want) {
						t.Errorf("source %q: %v, want %v", source, got, want)
					}
				}
				o, err := s.SiteOverview(ctx, ws.ID, site.ID, q.From, q.To)
				if err != nil {
					t.Fatal(err)
				}
				want := []foyer.Count{{Name: "Google", Kind: "search", N: 3}, {Name: "LinkedIn", Kind: "social", N: 3},
					{Name: "blog.example.org", N: 1}}
				if !slices.Equal(o.TopSources, want) {
					t.Errorf("overview sources %+v, want %+v", o.TopSources, want)
				}
				all, err := s.WorkspaceSources(ctx, ws.ID, q.From, q.To)
				if err != nil || !slices.Equal(all, want) {
					t.Errorf("workspace sources %+v, %v; want %+v", all, err, want)
				}
				if rows, _ := s.Feed(ctx, q); len(rows) > 0 {
					visits, err := s.CompanyVisits(ctx, ws.ID, rows[0].ID, q.From, q.To, 10, 0)
					if err != nil {
						t.Fatal(err)
					}
					for _, v := range visits {
						if v.Source == "" || v.Referrer == "" && v.UTMSource == "" ||
							v.Source != "blog.example.org" && v.SourceKind == "" {
							t.Errorf("visit from %q/%q: source %q (%q)", v.UTMSource, v.Referrer, v.Source, v.SourceKind)
						}
					}
				}
			})
		}
	})
}

// TestTopSourceTie checks that a tie in visits goes to the source of the
// latest visit, whichever name sorts first, within a week and over whole
// weeks of the period.
func TestTopSourceTie(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, c := range []struct {
			first, later string
			gap          time.Duration
		}{
			{"https://alpha.example/", "https://zulu.example/", time.Hour},
			{"https://zulu.example/", "https://alpha.example/", time.Hour},
			{"https://alpha.example/", "https://zulu.example/", 9 * 24 * time.Hour},
			{"https://zulu.example/", "https://alpha.example/", 9 * 24 * time.Hour},
		} {
			now := t0.Add(30 * 24 * time.Hour)
			s := testutil.NewStore(t, d, store.Options{Now: func() time.Time { return now }})
			ctx := context.Background()
			ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
			appendHits(t, s,
				visitFrom(site.ID, "v1", 0, "Globex GmbH", c.first, ""),
				visitFrom(site.ID, "v2", c.gap, "Globex GmbH", c.later, ""))
			if _, err := s.RollupAll(ctx); err != nil {
				t.Fatal(err)
			}
			for _, sort := range []foyer.FeedSort{foyer.SortRecent, foyer.SortScore} {
				rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: t0.Add(-20 * 24 * time.Hour), To: now, Sort: sort})
				if err != nil {
					t.Fatal(err)
				}
				want := referrerHost(c.later)
				if len(rows) != 1 || rows[0].TopSource != want {
					t.Errorf("first %s, later %s (%v after), %s: %+v, want top source %s", c.first, c.later, c.gap, sort, rows, want)
				}
			}
		}
	})
}

func referrerHost(u string) string { return u[len("https://") : len(u)-1] }

// TestOverviewAccountsForEveryVisit checks that the overview's visits from
// companies, anonymous ones and unidentified ones add up to all visits.
func TestOverviewAccountsForEveryVisit(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		origins := []foyer.Origin{
			{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}},      // company
			{Country: "DE", Org: foyer.Org{Name: "Uni Hamburg", Type: foyer.OrgEducation}},     // company
			{Country: "DE", Org: foyer.Org{Name: "Telekom", Type: foyer.OrgISP}},               // anonymous
			{Country: "US", Org: foyer.Org{Name: "Cloud Hosting LLC", Type: foyer.OrgHosting}}, // anonymous
			{Country: "US", Org: foyer.Org{Name: "Cloud Hosting LLC", Type: foyer.OrgHosting}}, // anonymous
			{Country: "FR", Org: foyer.Org{Name: "Mystery Networks", Type: foyer.OrgUnknown}},  // unidentified
			{Country: "FR", Org: foyer.Org{Name: "", Type: foyer.OrgBusiness}},                 // unidentified: no name
			{},              // unidentified: no IP data
			{Country: "NL"}, // unidentified: a country only
		}
		for i, o := range origins {
			h := pageview(site.ID, fmt.Sprintf("visitor-%d", i), time.Duration(i)*time.Minute, "/")
			h.Origin = o
			appendHits(t, s, h)
		}
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		ov, err := s.SiteOverview(ctx, ws.ID, site.ID, t0, t0)
		if err != nil {
			t.Fatal(err)
		}
		if ov.Visits != 9 || ov.CompanyVisits != 2 || ov.AnonymousVisits != 3 || ov.UnidentifiedVisits != 4 {
			t.Errorf("overview: %d visits = %d from companies + %d anonymous + %d unidentified; want 9 = 2 + 3 + 4",
				ov.Visits, ov.CompanyVisits, ov.AnonymousVisits, ov.UnidentifiedVisits)
		}
		if ov.CompanyVisits+ov.AnonymousVisits+ov.UnidentifiedVisits != ov.Visits {
			t.Errorf("the parts do not add up: %+v", ov)
		}
	})
}
