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

// TestHideOrganisations: a workspace's corrections take a company out of
// its feed at once, in every path of the feed (the period ending today,
// one ending before, the score order), and undoing brings it back with
// its past visits; an organisation hidden by domain before its first
// visit stays hidden when it comes; hidden types leave a whole type out;
// another workspace with the same organisation keeps it.
func TestHideOrganisations(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(t0.Add(time.Hour))
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		ctx := context.Background()
		wsA, a := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		wsB, b := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		day := 24 * time.Hour
		org := func(name, domain string, asn uint32, typ foyer.OrgType) foyer.Origin {
			return foyer.Origin{Country: "DE", Org: foyer.Org{Name: name, Domain: domain, ASN: asn, Type: typ}}
		}
		globex := org("Globex GmbH", "globex.example", 64500, foyer.OrgBusiness)
		hooli := org("Hooli Inc", "", 64501, foyer.OrgBusiness)
		uni := org("Example University", "uni.example", 64502, foyer.OrgEducation)
		initrode := org("Initrode Ltd", "initrode.co.uk", 64503, foyer.OrgBusiness)
		visit := func(site *foyer.Site, visitor string, at time.Duration, o foyer.Origin) {
			h := pageview(site.ID, visitor+strings.Repeat("0", 24-len(visitor)), at, "/p")
			h.Origin = o
			appendHits(t, s, h)
		}
		for i, o := range []foyer.Origin{globex, hooli, uni} {
			v := string(rune('a' + i))
			visit(a, "a-"+v+"-old", -2*day, o)
			visit(a, "a-"+v+"-new", 0, o)
			visit(b, "b-"+v+"-old", -2*day, o)
		}
		rollupAll(t, s, 100)

		queries := map[string]foyer.FeedQuery{
			"ending today":     {From: t0.Add(-29 * day), To: t0},
			"ending yesterday": {From: t0.Add(-29 * day), To: t0.Add(-day)},
			"by score":         {From: t0.Add(-29 * day), To: t0, Sort: foyer.SortScore},
			"by score, summed": {From: t0.Add(-3 * day), To: t0.Add(-day), Sort: foyer.SortScore},
		}
		check := func(what string, ws *foyer.Workspace, want ...string) {
			t.Helper()
			slices.Sort(want)
			for name, q := range queries {
				q.WorkspaceID = ws.ID
				rows, err := s.Feed(ctx, q)
				if err != nil {
					t.Fatalf("%s, %s: %v", what, name, err)
				}
				var got []string
				for _, r := range rows {
					got = append(got, r.Name)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s, %s: %s's feed = %q, want %q", what, name, ws.Name, got, want)
				}
			}
		}
		all := []string{"Example University", "Globex GmbH", "Hooli Inc"}
		check("before", wsA, all...)

		admin := &foyer.User{Email: "ada@example.com", Name: "Ada"}
		if err := s.CreateUser(ctx, admin); err != nil {
			t.Fatal(err)
		}
		ids := companyIDs(t, s, wsA.ID)
		o, err := s.HideCompany(ctx, wsA.ID, ids["Globex GmbH"], foyer.HideISP, admin)
		if err != nil {
			t.Fatal(err)
		}
		if o.OrgKey != "domain:globex.example" || o.Kind != foyer.HideISP || o.CreatedByName != "Ada" || o.CreatedBy != admin.ID ||
			!o.CreatedAt.Equal(clock.Now().Truncate(time.Millisecond)) || o.ASN != 64500 {
			t.Errorf("override = %+v", o)
		}
		check("Globex hidden", wsA, "Example University", "Hooli Inc")
		check("Globex hidden in A", wsB, all...)
		if c, err := s.Company(ctx, wsA.ID, ids["Globex GmbH"]); err != nil || c.Hidden != foyer.HideISP {
			t.Errorf("hidden company = %+v, %v", c, err)
		}
		if got, err := s.CompanyOverride(ctx, wsA.ID, ids["Globex GmbH"]); err != nil || got.CreatedByName != "Ada" || got.CompanyID != ids["Globex GmbH"] {
			t.Errorf("company override = %+v, %v", got, err)
		}
		_, err = s.CompanyOverride(ctx, wsA.ID, ids["Hooli Inc"])
		wantCode(t, err, foyer.ENOTFOUND)
		// A second correction replaces the first.
		clock.Add(time.Minute)
		if _, err := s.HideCompany(ctx, wsA.ID, ids["Hooli Inc"], foyer.HideVPN, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.HideCompany(ctx, wsA.ID, ids["Hooli Inc"], foyer.HideHosting, nil); err != nil {
			t.Fatal(err)
		}
		check("Hooli hidden", wsA, "Example University")
		list, err := s.OrgOverrides(ctx, wsA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].OrgKey != "org:64501:hooli inc" || list[0].Kind != foyer.HideHosting || list[0].CreatedBy != 0 ||
			list[1].OrgKey != "domain:globex.example" || list[1].CompanyID != ids["Globex GmbH"] {
			t.Errorf("overrides = %+v", list)
		}

		// Undo: back with its past visits.
		if err := s.Unhide(ctx, wsA.ID, "domain:globex.example"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.Unhide(ctx, wsA.ID, "domain:globex.example"), foyer.ENOTFOUND)
		wantCode(t, s.Unhide(ctx, wsB.ID, "org:64501:hooli inc"), foyer.ENOTFOUND) // A's, not B's
		check("Globex back", wsA, "Example University", "Globex GmbH")
		rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: wsA.ID, From: t0.Add(-29 * day), To: t0})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Name == "Globex GmbH" && r.Visits != 2 {
				t.Errorf("Globex back with %d visits, want 2", r.Visits)
			}
		}
		if err := s.Unhide(ctx, wsA.ID, "org:64501:hooli inc"); err != nil {
			t.Fatal(err)
		}

		// Hidden by domain before its first visit: hidden when it comes,
		// in A only.
		o, err = s.HideDomain(ctx, wsA.ID, " https://WWW.Initrode.co.uk/about ", foyer.HideCompetitor, admin)
		if err != nil {
			t.Fatal(err)
		}
		if o.OrgKey != "domain:initrode.co.uk" || o.Name != "initrode.co.uk" || o.CompanyID != 0 {
			t.Errorf("domain override = %+v", o)
		}
		visit(a, "a-i-old", -2*day+10*time.Minute, initrode)
		visit(b, "b-i-old", -2*day+10*time.Minute, initrode)
		rollupAll(t, s, 100)
		check("Initrode hidden before its visit", wsA, all...)
		check("Initrode in B", wsB, append(all, "Initrode Ltd")...)
		ids = companyIDs(t, s, wsA.ID)
		if c, err := s.Company(ctx, wsA.ID, ids["Initrode Ltd"]); err != nil || c.Hidden != foyer.HideCompetitor {
			t.Errorf("Initrode = %+v, %v", c, err)
		}
		if got, err := s.CompanyOverride(ctx, wsA.ID, ids["Initrode Ltd"]); err != nil || got.ASN != 64503 {
			t.Errorf("Initrode's override = %+v, %v", got, err)
		}
		for _, bad := range []string{"", "com", "co.uk", "not a domain", "exa_mple.com"} {
			_, err := s.HideDomain(ctx, wsA.ID, bad, foyer.HideOwn, admin)
			wantCode(t, err, foyer.EINVALID)
		}
		_, err = s.HideDomain(ctx, wsA.ID, "example.com", "friend", admin)
		wantCode(t, err, foyer.EINVALID)
		_, err = s.HideCompany(ctx, wsA.ID, ids["Globex GmbH"], "", admin)
		wantCode(t, err, foyer.EINVALID)
		_, err = s.HideCompany(ctx, wsB.ID, ids["Globex GmbH"], foyer.HideOwn, admin) // A's company
		wantCode(t, err, foyer.ENOTFOUND)

		// Hidden types.
		if err := s.SetHiddenTypes(ctx, wsA.ID, []foyer.OrgType{foyer.OrgNonprofit, foyer.OrgEducation}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.HiddenTypes(ctx, wsA.ID); err != nil || !slices.Equal(got, []foyer.OrgType{foyer.OrgEducation, foyer.OrgNonprofit}) {
			t.Errorf("hidden types = %v, %v", got, err)
		}
		check("education hidden", wsA, "Globex GmbH", "Hooli Inc")
		check("education hidden in A", wsB, append(all, "Initrode Ltd")...)
		wantCode(t, s.SetHiddenTypes(ctx, wsA.ID, []foyer.OrgType{foyer.OrgBusiness}), foyer.EINVALID)
		if err := s.SetHiddenTypes(ctx, wsA.ID, nil); err != nil {
			t.Fatal(err)
		}
		check("types shown", wsA, all...)
	})
}

// companyIDs maps the names of a workspace's companies to their IDs.
func companyIDs(t *testing.T, s *store.Store, workspaceID int64) map[string]int64 {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), store.Rebind(s, `SELECT id, name FROM companies WHERE workspace_id = ?`), workspaceID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		out[name] = id
	}
	return out
}
