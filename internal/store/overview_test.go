package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestOverviewLeavesOutHidden: a site's overview and the workspace's
// trend count the companies and company visits the feed shows. Hiding a
// company, or a type, moves its visits from CompanyVisits to HiddenVisits
// and takes it out of Companies, the period ending today and an earlier
// one alike, one site and all; every visit is still in Visits. Undoing
// brings them back; another workspace with the same organisations is
// unaffected.
func TestOverviewLeavesOutHidden(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		day := 24 * time.Hour
		clock := testutil.NewClock(t0.Add(2*day + 3*time.Hour)) // "today" is day 2
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		wsA, a1 := testutil.NewSite(t, s, "Acme", "acme-web", "www.example.com")
		a2 := &foyer.Site{WorkspaceID: wsA.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"www.example.com"}}
		if err := s.CreateSite(ctx, a2); err != nil {
			t.Fatal(err)
		}
		wsB, b1 := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		org := func(name, domain string, typ foyer.OrgType) foyer.Origin {
			return foyer.Origin{Country: "DE", Org: foyer.Org{Name: name, Domain: domain, Type: typ}}
		}
		globex := org("Globex GmbH", "globex.example", foyer.OrgBusiness)
		hooli := org("Hooli Inc", "hooli.example", foyer.OrgBusiness)
		uni := org("Example University", "uni.example", foyer.OrgEducation)
		n := 0
		hit := func(site *foyer.Site, at time.Duration, o foyer.Origin) foyer.Hit {
			n++
			v := "v" + string(rune('a'+n))
			h := pageview(site.ID, v+strings.Repeat("0", 24-len(v)), at, "/")
			h.Origin = o
			return h
		}
		appendHits(t, s,
			hit(a1, 0, globex), hit(a1, time.Hour, hooli), hit(a1, 2*time.Hour, org("Carrier", "", foyer.OrgISP)),
			hit(a1, 2*day, globex), hit(a1, 2*day+time.Hour, uni), hit(a1, 2*day+2*time.Hour, foyer.Origin{}),
			hit(a2, 0, globex),
			hit(b1, 0, globex), hit(b1, 2*day, uni),
		)
		rollupAll(t, s, 100)

		type figures struct{ visits, company, hidden, companies int64 }
		overview := func(ws *foyer.Workspace, site *foyer.Site) figures {
			t.Helper()
			o, err := s.SiteOverview(ctx, ws.ID, site.ID, t0, t0.Add(2*day))
			if err != nil {
				t.Fatal(err)
			}
			if sum := o.CompanyVisits + o.HiddenVisits + o.AnonymousVisits + o.UnidentifiedVisits; sum != o.Visits {
				t.Errorf("%s's overview: its parts add up to %d of %d visits", site.Name, sum, o.Visits)
			}
			return figures{o.Visits, o.CompanyVisits, o.HiddenVisits, o.Companies}
		}
		periods := []struct {
			name     string
			from, to time.Time
		}{{"ending today", t0, t0.Add(2 * day)}, {"ended yesterday", t0, t0.Add(day)}}
		// trend checks the trend of each period against its days and the feed.
		trend := func(what string, ws *foyer.Workspace, siteID int64) map[string]figures {
			t.Helper()
			out := map[string]figures{}
			for _, p := range periods {
				tr, err := s.WorkspaceTrend(ctx, ws.ID, siteID, p.from, p.to)
				if err != nil {
					t.Fatal(err)
				}
				var days figures
				for _, d := range tr.Days {
					if sum := d.CompanyVisits + d.HiddenVisits + d.AnonymousVisits + d.UnidentifiedVisits; sum != d.Visits || d.CompanyVisits < 0 {
						t.Errorf("%s, %s, %s: a day's parts %+v", what, p.name, ws.Name, d)
					}
					days.visits, days.company, days.hidden = days.visits+d.Visits, days.company+d.CompanyVisits, days.hidden+d.HiddenVisits
				}
				if days.visits != tr.Visits || days.company != tr.CompanyVisits || days.hidden != tr.HiddenVisits {
					t.Errorf("%s, %s, %s: days sum %+v, trend %+v", what, p.name, ws.Name, days, tr)
				}
				rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, SiteID: siteID, From: p.from, To: p.to, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var visits int64
				for _, r := range rows {
					visits += r.Visits
				}
				if int64(len(rows)) != tr.Companies || visits != tr.CompanyVisits {
					t.Errorf("%s, %s, %s: the feed shows %d companies with %d visits, the trend %d with %d",
						what, p.name, ws.Name, len(rows), visits, tr.Companies, tr.CompanyVisits)
				}
				out[p.name] = figures{tr.Visits, tr.CompanyVisits, tr.HiddenVisits, tr.Companies}
			}
			return out
		}
		check := func(what string, got, want figures) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %+v, want %+v", what, got, want)
			}
		}
		checkAll := func(what string, a1Want figures, today, yesterday figures) {
			t.Helper()
			check(what+", a1's overview", overview(wsA, a1), a1Want)
			tr := trend(what, wsA, 0)
			check(what+", A's trend ending today", tr["ending today"], today)
			check(what+", A's trend ended yesterday", tr["ended yesterday"], yesterday)
			trend(what+", a1 alone", wsA, a1.ID)
			// B is never affected.
			check(what+", b1's overview", overview(wsB, b1), figures{2, 2, 0, 2})
			tr = trend(what, wsB, 0)
			check(what+", B's trend", tr["ending today"], figures{2, 2, 0, 2})
		}
		shown := figures{6, 4, 0, 3}
		checkAll("nothing hidden", shown, figures{7, 5, 0, 3}, figures{4, 3, 0, 2})

		ids := companyIDs(t, s, wsA.ID)
		o, err := s.HideCompany(ctx, wsA.ID, ids["Globex GmbH"], foyer.HideCompetitor, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkAll("Globex hidden", figures{6, 2, 2, 2}, figures{7, 2, 3, 2}, figures{4, 1, 2, 1})
		if err := s.SetHiddenTypes(ctx, wsA.ID, []foyer.OrgType{foyer.OrgEducation}); err != nil {
			t.Fatal(err)
		}
		checkAll("Globex and education hidden", figures{6, 1, 3, 1}, figures{7, 1, 4, 1}, figures{4, 1, 2, 1})
		if err := s.Unhide(ctx, wsA.ID, o.OrgKey); err != nil {
			t.Fatal(err)
		}
		if err := s.SetHiddenTypes(ctx, wsA.ID, nil); err != nil {
			t.Fatal(err)
		}
		checkAll("undone", shown, figures{7, 5, 0, 3}, figures{4, 3, 0, 2})
	})
}
