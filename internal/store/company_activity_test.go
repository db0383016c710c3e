package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestCompanyActivity checks what the company page reads besides the days:
// the count and pages of its visits, its top pages and sources, on both
// dialects, and nothing of another workspace's.
func TestCompanyActivity(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		wsA, a1 := testutil.NewSite(t, s, "Acme", "acme-web", "www.example.com")
		a2 := &foyer.Site{WorkspaceID: wsA.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"www.example.com"}}
		if err := s.CreateSite(ctx, a2); err != nil {
			t.Fatal(err)
		}
		wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		globex := foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness}}
		var hits []foyer.Hit
		// 7 visits: visitor i on day i, the first three from a newsletter,
		// visits 5 and 6 on the docs site; each views /pricing, and the
		// even ones /about too.
		for i := range 7 {
			site := a1
			if i >= 5 {
				site = a2
			}
			visitor := "visitor-" + string(rune('a'+i)) + "-0000000000000000"
			at := time.Duration(i) * 24 * time.Hour
			h := pageview(site.ID, visitor, at, "/pricing")
			h.Origin = globex
			if i < 3 {
				h.UTM.Source = "newsletter"
			}
			hits = append(hits, h)
			if i%2 == 0 {
				h2 := pageview(site.ID, visitor, at+time.Minute, "/about")
				h2.Origin = globex
				hits = append(hits, h2)
			}
		}
		appendHits(t, s, hits...)
		rollupAll(t, s, 100)
		rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: wsA.ID, From: t0, To: t0.Add(7 * 24 * time.Hour)})
		if err != nil || len(rows) != 1 {
			t.Fatalf("feed: %v %+v", err, rows)
		}
		id := rows[0].ID
		from, to := t0, t0.Add(6*24*time.Hour)

		n, err := s.CompanyVisitCount(ctx, wsA.ID, id, from, to)
		if err != nil || n != 7 {
			t.Fatalf("visit count %d, %v; want 7", n, err)
		}
		if n, _ := s.CompanyVisitCount(ctx, wsA.ID, id, t0.Add(24*time.Hour), t0.Add(2*24*time.Hour)); n != 2 {
			t.Errorf("visit count of days 1 and 2: %d, want 2", n)
		}
		// Paging through the visits by threes gives each once, newest first.
		var started []time.Time
		for off := 0; ; off += 3 {
			page, err := s.CompanyVisits(ctx, wsA.ID, id, from, to, 3, off)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range page {
				started = append(started, v.StartedAt)
			}
			if len(page) < 3 {
				break
			}
		}
		if len(started) != 7 || !slices.IsSortedFunc(started, func(a, b time.Time) int { return b.Compare(a) }) || !started[0].Equal(t0.Add(6*24*time.Hour)) {
			t.Errorf("paged visits started %v", started)
		}

		a, err := s.CompanyActivity(ctx, wsA.ID, id, from, to)
		if err != nil {
			t.Fatal(err)
		}
		wantPages := []foyer.PageCount{{SiteID: a1.ID, Path: "/pricing", N: 5}, {SiteID: a1.ID, Path: "/about", N: 3},
			{SiteID: a2.ID, Path: "/pricing", N: 2}, {SiteID: a2.ID, Path: "/about", N: 1}}
		if !slices.Equal(a.TopPages, wantPages) {
			t.Errorf("top pages %+v, want %+v", a.TopPages, wantPages)
		}
		if len(a.Sources) != 2 || a.Sources[0].N != 4 || a.Sources[1].N != 3 || a.Sources[0].Name != "direct" ||
			a.Sources[1].Name != "Email" || a.Sources[1].Kind == "" {
			t.Errorf("sources %+v, want direct 4 and the newsletter (Email, with its kind) 3", a.Sources)
		}

		for what, err := range map[string]error{
			"count":    second(s.CompanyVisitCount(ctx, wsB.ID, id, from, to)),
			"activity": second(s.CompanyActivity(ctx, wsB.ID, id, from, to)),
			"visits":   second(s.CompanyVisits(ctx, wsB.ID, id, from, to, 10, 0)),
		} {
			wantCodeOf(t, "another workspace's company "+what, err, foyer.ENOTFOUND)
		}
	})
}

func second[T any](_ T, err error) error { return err }

// TestWorkspaceTrend checks the workspace's days against its sites'
// overviews: the same visits, split the same way, and the period's
// distinct companies, counted from the index of last visits for a period
// that ends today and from the days for an earlier one; one site alone,
// and nothing of another workspace.
func TestWorkspaceTrend(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(t0.Add(2*24*time.Hour + 3*time.Hour)) // "today" is day 2
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		wsA, a1 := testutil.NewSite(t, s, "Acme", "acme-web", "www.example.com")
		a2 := &foyer.Site{WorkspaceID: wsA.ID, Key: "acme-docs", Name: "Docs", Hostnames: []string{"www.example.com"}}
		if err := s.CreateSite(ctx, a2); err != nil {
			t.Fatal(err)
		}
		wsB, b1 := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		org := func(name string, typ foyer.OrgType) foyer.Origin {
			return foyer.Origin{Country: "DE", Org: foyer.Org{Name: name, Type: typ}}
		}
		day := 24 * time.Hour
		hit := func(site *foyer.Site, visitor string, at time.Duration, o foyer.Origin) foyer.Hit {
			h := pageview(site.ID, visitor+"-00000000000000000", at, "/")
			h.Origin = o
			return h
		}
		appendHits(t, s,
			// day 0: Globex on both sites (one company), Hooli on a1, a carrier on a2.
			hit(a1, "v1", 0, org("Globex", foyer.OrgBusiness)),
			hit(a2, "v2", time.Hour, org("Globex", foyer.OrgBusiness)),
			hit(a1, "v3", 2*time.Hour, org("Hooli", foyer.OrgBusiness)),
			hit(a2, "v4", 3*time.Hour, org("Carrier", foyer.OrgISP)),
			// day 2: a visit without data, and Hooli again.
			hit(a1, "v5", 2*day, foyer.Origin{}),
			hit(a1, "v6", 2*day+time.Hour, org("Hooli", foyer.OrgBusiness)),
			// Another workspace's visits never count.
			hit(b1, "v7", 0, org("Globex", foyer.OrgBusiness)),
			hit(b1, "v8", 2*day, org("Umbrella", foyer.OrgBusiness)),
		)
		rollupAll(t, s, 100)
		from, to := t0, t0.Add(2*day)
		tr, err := s.WorkspaceTrend(ctx, wsA.ID, 0, from, to)
		if err != nil {
			t.Fatal(err)
		}
		type day3 struct{ visits, company, anonymous, unidentified int64 }
		var got []day3
		for _, d := range tr.Days {
			got = append(got, day3{d.Visits, d.CompanyVisits, d.AnonymousVisits, d.UnidentifiedVisits})
		}
		want := []day3{{4, 3, 1, 0}, {0, 0, 0, 0}, {2, 1, 0, 1}}
		if !slices.Equal(got, want) {
			t.Errorf("days %+v, want %+v", got, want)
		}
		if !tr.Days[0].Day.Equal(t0.Truncate(day)) || !tr.Days[2].Day.Equal(t0.Truncate(day).Add(2*day)) {
			t.Errorf("days run %v to %v", tr.Days[0].Day, tr.Days[2].Day)
		}
		if tr.Companies != 2 || tr.Visits != 6 || tr.CompanyVisits != 4 || tr.AnonymousVisits != 1 || tr.UnidentifiedVisits != 1 {
			t.Errorf("sums %+v", tr)
		}
		// The sites' overviews add up to the workspace's days.
		var visits, company, anonymous int64
		for _, site := range []*foyer.Site{a1, a2} {
			o, err := s.SiteOverview(ctx, wsA.ID, site.ID, from, to)
			if err != nil {
				t.Fatal(err)
			}
			visits, company, anonymous = visits+o.Visits, company+o.CompanyVisits, anonymous+o.AnonymousVisits
		}
		if visits != tr.Visits || company != tr.CompanyVisits || anonymous != tr.AnonymousVisits {
			t.Errorf("overviews sum %d/%d/%d, trend %d/%d/%d", visits, company, anonymous, tr.Visits, tr.CompanyVisits, tr.AnonymousVisits)
		}
		one, err := s.WorkspaceTrend(ctx, wsA.ID, a2.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if one.Visits != 2 || one.Companies != 1 || one.Days[2].Visits != 0 {
			t.Errorf("site a2's trend %+v", one)
		}
		// Both ways of counting the period's companies.
		for _, c := range []struct {
			what     string
			from, to time.Time
			site     int64
			want     int64
		}{
			{"days 1 to 2, ending today", t0.Add(day), t0.Add(2 * day), 0, 1},
			{"days 0 to 1, ended yesterday", t0, t0.Add(day), 0, 2},
			{"day 0 alone", t0, t0, 0, 2},
			{"day 1 alone, without visits", t0.Add(day), t0.Add(day), 0, 0},
			{"site a2, ending today", t0, t0.Add(2 * day), a2.ID, 1},
			{"site a1, days 1 to 2, ending today", t0.Add(day), t0.Add(2 * day), a1.ID, 1},
			{"site a2, day 0 alone", t0, t0, a2.ID, 1},
		} {
			tr, err := s.WorkspaceTrend(ctx, wsA.ID, c.site, c.from, c.to)
			if err != nil || tr.Companies != c.want {
				t.Errorf("%s: %v companies, %v; want %d", c.what, tr, err, c.want)
			}
		}
		_, err = s.WorkspaceTrend(ctx, wsA.ID, b1.ID, from, to)
		wantCodeOf(t, "another workspace's site", err, foyer.ENOTFOUND)
		_, err = s.WorkspaceTrend(ctx, wsA.ID, 0, to, from)
		wantCodeOf(t, "a period that ends before it starts", err, foyer.EINVALID)
		_ = wsB
	})
}

// TestFeedChoices: the filters' choices are the values of the companies
// that visited the workspace, each once in any case, sizes in size order;
// and the filters match them in any case.
func TestFeedChoices(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		wsA, a1 := testutil.NewSite(t, s, "Acme", "acme-web", "www.example.com")
		_, b1 := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		org := func(name, country, industry, size string, typ foyer.OrgType) foyer.Origin {
			return foyer.Origin{Country: country, Org: foyer.Org{Name: name, Type: typ, Industry: industry, Size: size}}
		}
		var hits []foyer.Hit
		for i, o := range []foyer.Origin{
			org("Globex", "DE", "Software", "1000+", foyer.OrgBusiness),
			org("Hooli", "US", "software", "50-199", foyer.OrgBusiness),
			org("Uni", "FR", "Education", "10-49", foyer.OrgEducation),
			org("Small", "DE", "", "1-9", foyer.OrgBusiness),
			org("Carrier", "NL", "Telecom", "", foyer.OrgISP), // anonymous: no company, no choice
		} {
			h := pageview(a1.ID, "visitor-"+string(rune('a'+i))+"-0000000000000000", time.Duration(i)*time.Minute, "/")
			h.Origin = o
			hits = append(hits, h)
		}
		other := pageview(b1.ID, "visitor-z-0000000000000000", 0, "/")
		other.Origin = org("Umbrella", "JP", "Pharma", "200-499", foyer.OrgGovernment)
		appendHits(t, s, append(hits, other)...)
		rollupAll(t, s, 100)
		c, err := s.FeedChoices(ctx, wsA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"DE", "FR", "US"}; !slices.Equal(c.Countries, want) {
			t.Errorf("countries %v, want %v", c.Countries, want)
		}
		if len(c.Industries) != 2 || c.Industries[0] != "Education" || !(c.Industries[1] == "Software" || c.Industries[1] == "software") {
			t.Errorf("industries %v, want Education and Software once", c.Industries)
		}
		if want := []string{"1-9", "10-49", "50-199", "1000+"}; !slices.Equal(c.Sizes, want) {
			t.Errorf("sizes %v, want %v", c.Sizes, want)
		}
		if want := []foyer.OrgType{foyer.OrgBusiness, foyer.OrgEducation}; !slices.Equal(c.Types, want) {
			t.Errorf("types %v, want %v", c.Types, want)
		}
		// Each filter in another case finds the same companies.
		period := foyer.FeedQuery{WorkspaceID: wsA.ID, From: t0, To: t0}
		for _, q := range []foyer.FeedQuery{{Industry: "SOFTWARE"}, {Industry: "software"}, {Country: "de"}, {Size: "1000+"}, {Type: "EDUCATION"}} {
			q.WorkspaceID, q.From, q.To = period.WorkspaceID, period.From, period.To
			names := feedNames(t, s, q)
			want := map[string][]string{"SOFTWARE": {"Globex", "Hooli"}, "software": {"Globex", "Hooli"}, "de": {"Globex", "Small"},
				"1000+": {"Globex"}, "EDUCATION": {"Uni"}}[q.Industry+q.Country+q.Size+string(q.Type)]
			if !slices.Equal(names, want) {
				t.Errorf("filter %+v: %v, want %v", q, names, want)
			}
		}
		// A hidden company's values, and a hidden type, are no choices.
		rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: wsA.ID, From: t0, To: t0, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Name == "Hooli" {
				if _, err := s.HideCompany(ctx, wsA.ID, r.ID, foyer.HideCompetitor, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.SetHiddenTypes(ctx, wsA.ID, []foyer.OrgType{foyer.OrgEducation}); err != nil {
			t.Fatal(err)
		}
		if c, err = s.FeedChoices(ctx, wsA.ID); err != nil {
			t.Fatal(err)
		}
		if want := []string{"DE", "FR"}; !slices.Equal(c.Countries, want) {
			t.Errorf("with Hooli hidden, countries %v, want %v", c.Countries, want)
		}
		if want := []foyer.OrgType{foyer.OrgBusiness}; !slices.Equal(c.Types, want) {
			t.Errorf("with education hidden, types %v, want %v", c.Types, want)
		}
	})
}

// TestIndustryFromOpenData: the industry filter and its choices read the
// industry the feed shows: the operator's data, else open data's profile
// of the organisation (none when no profile was found), in every path of
// the feed; a hidden company's is no choice. On both dialects.
func TestIndustryFromOpenData(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		day := 24 * time.Hour
		clock := testutil.NewClock(t0.Add(time.Hour))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		wsA, a1 := testutil.NewSite(t, s, "Acme", "acme-web", "www.example.com")
		org := func(name, domain, industry string) foyer.Origin {
			return foyer.Origin{Country: "DE", Org: foyer.Org{Name: name, Domain: domain, Type: foyer.OrgBusiness, Industry: industry}}
		}
		var hits []foyer.Hit
		for i, o := range []foyer.Origin{
			org("Globex", "globex.example", ""),           // open data: Software
			org("Hooli", "hooli.example", "Retail"),       // open data says Banking: the operator's wins
			org("Small", "small.example", ""),             // open data found nothing
			org("Initech", "initech.example", "software"), // no profile
			org("Uni", "uni.example", ""),                 // open data: Education, but hidden
		} {
			h := pageview(a1.ID, "visitor-"+string(rune('a'+i))+"-0000000000000000", time.Duration(i)*time.Minute, "/")
			h.Origin = o
			hits = append(hits, h)
		}
		appendHits(t, s, hits...)
		rollupAll(t, s, 100)
		for key, p := range map[string]*foyer.OrgProfile{
			"domain:globex.example": {QID: "Q1", Name: "Globex Corporation", Industry: "Software"},
			"domain:hooli.example":  {QID: "Q2", Industry: "Banking"},
			"domain:small.example":  nil,
			"domain:uni.example":    {QID: "Q3", Industry: "Education"},
		} {
			if err := s.SaveOrgProfile(ctx, key, p); err != nil {
				t.Fatal(err)
			}
		}
		ids := companyIDs(t, s, wsA.ID)
		if _, err := s.HideCompany(ctx, wsA.ID, ids["Uni"], foyer.HideOther, nil); err != nil {
			t.Fatal(err)
		}
		c, err := s.FeedChoices(ctx, wsA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Industries) != 2 || c.Industries[0] != "Retail" || !strings.EqualFold(c.Industries[1], "software") {
			t.Errorf("industries %q, want Retail and Software once", c.Industries)
		}
		paths := map[string]foyer.FeedQuery{
			"ending today":    {From: t0.Add(-6 * day), To: t0},
			"by score":        {From: t0.Add(-6 * day), To: t0, Sort: foyer.SortScore},
			"by score, sums":  {From: t0, To: t0, Sort: foyer.SortScore},
			"at least a page": {From: t0.Add(-6 * day), To: t0, MinPages: 1},
		}
		for industry, want := range map[string][]string{
			"SOFTWARE": {"Globex", "Initech"}, "retail": {"Hooli"}, "Banking": nil, "Education": nil,
		} {
			for name, q := range paths {
				q.WorkspaceID, q.Industry = wsA.ID, industry
				rows, err := s.Feed(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, r := range rows {
					names = append(names, r.Name)
					if !strings.EqualFold(r.DisplayIndustry(), industry) {
						t.Errorf("%s, industry %s: %s shows %q", name, industry, r.Name, r.DisplayIndustry())
					}
				}
				slices.Sort(names)
				if !slices.Equal(names, want) {
					t.Errorf("%s, industry %s: %q, want %q", name, industry, names, want)
				}
			}
		}
	})
}

// feedNames returns the names of the companies of the feed q, sorted.
func feedNames(t *testing.T, s *store.Store, q foyer.FeedQuery) []string {
	t.Helper()
	rows, err := s.Feed(context.Background(), q)
	if err != nil {
		t.Fatalf("feed %+v: %v", q, err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	return names
}
