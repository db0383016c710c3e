package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestShowOrganisation: "this is a company" for an organisation the IP data
// left out. A carrier and a company visit alike; once the workspace says
// the carrier is a company, its feed rows, pages and sources are the
// company twin's in every path of the feed: the visits the roll-up had
// read (moved into the aggregates at once), those it had not, those after,
// and a visit that goes on across the change. The site's overview counts
// them as company visits. Another workspace keeps the carrier left out,
// and cannot show it by ID. Undo takes it all back, and later visits are
// left out again.
func TestShowOrganisation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(t0.Add(time.Hour))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		wsA, a := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		wsB, b := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		day := 24 * time.Hour
		telco := foyer.Origin{Country: "DE", City: "Berlin", Org: foyer.Org{Name: "Telco Netz AG", ASN: 64510, Type: foyer.OrgISP}}
		globex := foyer.Origin{Country: "DE", City: "Berlin", Org: foyer.Org{Name: "Globex AG", ASN: 64511, Type: foyer.OrgBusiness}}
		// visit appends a visit of the origin: two pages, an engagement,
		// from a referrer; its twin of the other origin is the same.
		visit := func(site *foyer.Site, visitor string, at time.Duration, o foyer.Origin) {
			uid := visitor + strings.Repeat("0", 24-len(visitor))
			p1 := pageview(site.ID, uid, at, "/pricing")
			p1.Referrer = "https://news.example/story"
			p2 := pageview(site.ID, uid, at+time.Minute, "/team")
			e := pageview(site.ID, uid, at+2*time.Minute, "/team")
			e.Kind, e.EngagedMS = foyer.KindEngagement, 42_000
			for _, h := range []*foyer.Hit{&p1, &p2, &e} {
				h.Origin = o
			}
			appendHits(t, s, p1, p2, e)
		}
		twins := func(visitor string, at time.Duration) {
			visit(a, "t-"+visitor, at, telco)
			visit(a, "g-"+visitor, at, globex)
		}
		twins("old", -2*day)
		twins("today", 0)
		visit(b, "b-today", 0, telco)
		rollupAll(t, s, 100)
		twins("unrolled", 10*time.Minute) // stored, not rolled up yet

		leftOut := func(ws *foyer.Workspace) map[string]foyer.LeftOutOrg {
			t.Helper()
			list, err := s.LeftOut(ctx, ws.ID, t0.Add(-30*day), 10)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]foyer.LeftOutOrg{}
			for _, o := range list {
				out[o.Name] = o
			}
			return out
		}
		before := leftOut(wsA)
		tel, ok := before["Telco Netz AG"]
		if len(before) != 1 || !ok || tel.Type != foyer.OrgISP || tel.ASN != 64510 || tel.Visits != 3 {
			t.Fatalf("left out of A = %+v, want Telco Netz AG, isp, AS64510, 3 visits", before)
		}
		inB := leftOut(wsB)["Telco Netz AG"]
		if inB.Visits != 1 || inB.ID == tel.ID {
			t.Fatalf("left out of B = %+v", inB)
		}
		_, err := s.ShowOrg(ctx, wsA.ID, inB.ID, nil)
		wantCode(t, err, foyer.ENOTFOUND)

		admin := &foyer.User{Email: "ada@example.com", Name: "Ada"}
		if err := s.CreateUser(ctx, admin); err != nil {
			t.Fatal(err)
		}
		o, err := s.ShowOrg(ctx, wsA.ID, tel.ID, admin)
		if err != nil {
			t.Fatal(err)
		}
		if o.Kind != foyer.ShowCompany || o.OrgKey != "org:64510:telco netz ag" || o.CompanyID == 0 || o.ASN != 64510 || o.CreatedByName != "Ada" {
			t.Errorf("override = %+v", o)
		}
		visit(a, "t-today", 5*time.Minute, telco) // the visit goes on
		visit(a, "g-today", 5*time.Minute, globex)
		twins("after", 20*time.Minute)
		rollupAll(t, s, 100)

		queries := map[string]foyer.FeedQuery{
			"ending today":     {From: t0.Add(-29 * day), To: t0},
			"ending yesterday": {From: t0.Add(-29 * day), To: t0.Add(-day)},
			"by score":         {From: t0.Add(-29 * day), To: t0, Sort: foyer.SortScore},
			"by score, summed": {From: t0.Add(-3 * day), To: t0.Add(-day), Sort: foyer.SortScore},
			"today":            {From: t0, To: t0},
		}
		feed := func(ws *foyer.Workspace, q foyer.FeedQuery) map[string]foyer.FeedRow {
			t.Helper()
			q.WorkspaceID = ws.ID
			rows, err := s.Feed(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]foyer.FeedRow{}
			for _, r := range rows {
				out[r.Name] = r
			}
			return out
		}
		sums := func(r foyer.FeedRow) string {
			return fmt.Sprintf("visits %d, pages %d, engaged %d ms, last %v, source %s, score %d",
				r.Visits, r.Pageviews, r.EngagedMS, r.LastAt.UTC(), r.TopSource, r.Score)
		}
		for name, q := range queries {
			rows := feed(wsA, q)
			tr, ok := rows["Telco Netz AG"]
			if !ok {
				t.Errorf("%s: the feed leaves the carrier out after it was said to be a company: %v", name, rows)
				continue
			}
			if got, want := sums(tr), sums(rows["Globex AG"]); got != want {
				t.Errorf("%s: the carrier shown as a company has %s; its twin %s", name, got, want)
			}
			if tr.Type != foyer.OrgBusiness || tr.Country != "DE" {
				t.Errorf("%s: the carrier's row = %+v", name, tr.Company)
			}
			if _, ok := feed(wsB, q)["Telco Netz AG"]; ok {
				t.Errorf("%s: the carrier shows in the other workspace's feed", name)
			}
		}
		ids := companyIDs(t, s, wsA.ID)
		actT, err := s.CompanyActivity(ctx, wsA.ID, ids["Telco Netz AG"], t0.Add(-29*day), t0)
		if err != nil {
			t.Fatal(err)
		}
		actG, err := s.CompanyActivity(ctx, wsA.ID, ids["Globex AG"], t0.Add(-29*day), t0)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(actT, actG) || len(actT.TopPages) == 0 {
			t.Errorf("the carrier's activity = %+v, its twin's %+v", actT, actG)
		}
		ov, err := s.SiteOverview(ctx, wsA.ID, a.ID, t0.Add(-29*day), t0)
		if err != nil {
			t.Fatal(err)
		}
		if ov.CompanyVisits != 8 || ov.AnonymousVisits != 0 || ov.Visits != 8 {
			t.Errorf("overview: %d visits, %d of companies, %d anonymous; want 8, 8, 0", ov.Visits, ov.CompanyVisits, ov.AnonymousVisits)
		}
		if got := leftOut(wsA); len(got) != 0 {
			t.Errorf("left out after it was shown = %+v", got)
		}
		list, err := s.OrgOverrides(ctx, wsA.ID)
		if err != nil || len(list) != 1 || list[0].Kind != foyer.ShowCompany || list[0].CompanyID != ids["Telco Netz AG"] {
			t.Errorf("overrides = %+v, %v", list, err)
		}

		// Undo: the carrier leaves the feed with every visit, and its
		// visits are anonymous again.
		if err := s.Unhide(ctx, wsA.ID, o.OrgKey); err != nil {
			t.Fatal(err)
		}
		for name, q := range queries {
			if _, ok := feed(wsA, q)["Telco Netz AG"]; ok {
				t.Errorf("%s: the carrier is still in the feed after the undo", name)
			}
		}
		_, err = s.Company(ctx, wsA.ID, ids["Telco Netz AG"])
		wantCode(t, err, foyer.ENOTFOUND)
		ov, err = s.SiteOverview(ctx, wsA.ID, a.ID, t0.Add(-29*day), t0)
		if err != nil {
			t.Fatal(err)
		}
		if ov.CompanyVisits != 4 || ov.AnonymousVisits != 4 || ov.Visits != 8 {
			t.Errorf("overview after the undo: %d visits, %d of companies, %d anonymous; want 8, 4, 4", ov.Visits, ov.CompanyVisits, ov.AnonymousVisits)
		}
		visit(a, "t-later", 30*time.Minute, telco)
		rollupAll(t, s, 100)
		if got := leftOut(wsA)["Telco Netz AG"]; got.Visits != 5 {
			t.Errorf("left out after the undo = %+v, want its 5 visits", got)
		}
		if _, ok := feed(wsA, queries["today"])["Telco Netz AG"]; ok {
			t.Error("a visit after the undo brings the carrier back")
		}
		wantCode(t, s.Unhide(ctx, wsA.ID, o.OrgKey), foyer.ENOTFOUND)
	})
}
