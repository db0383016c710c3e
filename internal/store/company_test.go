package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestCompanies checks that visits from organisations of a company type
// are linked to one company per workspace, and that carriers and hosting
// networks leave only their type.
func TestCompanies(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		wsA, siteA := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		wsB, siteB := testutil.NewSite(t, s, "Initech", "initech", "initech.com")
		globex := foyer.Origin{Country: "DE", City: "Hamburg", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", ASN: 64500,
			Type: foyer.OrgBusiness, Industry: "Manufacturing", Size: "200-499"}}
		uni := foyer.Origin{Country: "NL", Org: foyer.Org{Name: "Example University", ASN: 64501, Type: foyer.OrgEducation}}
		carrier := foyer.Origin{Country: "FR", Org: foyer.Org{Name: "Example Telecom", ASN: 64502, Type: foyer.OrgISP}}
		with := func(h foyer.Hit, o foyer.Origin) foyer.Hit { h.Origin = o; return h }

		appendHits(t, s,
			with(pageview(siteA.ID, "visitor-a1-000000000000", 0, "/a1"), globex),
			with(pageview(siteA.ID, "visitor-a2-000000000000", time.Second, "/a2"), globex),
			with(pageview(siteA.ID, "visitor-a3-000000000000", 2*time.Second, "/a3"), carrier),
			with(pageview(siteB.ID, "visitor-b1-000000000000", 3*time.Second, "/b1"), globex),
		)
		// A later transaction finds the company again (the cache, then the
		// database after the cache is gone).
		appendHits(t, s, with(pageview(siteA.ID, "visitor-a4-000000000000", 4*time.Second, "/a4"), uni))
		store.SetCacheLimit(s, 1)
		appendHits(t, s, with(pageview(siteA.ID, "visitor-a5-000000000000", 5*time.Second, "/a5"), globex))
		// New IP data renames the company in workspace B: its one row follows.
		renamed := globex
		renamed.Org.Name = "Globex AG"
		appendHits(t, s, with(pageview(siteB.ID, "visitor-b2-000000000000", 6*time.Second, "/b2"), renamed))

		want := map[string][3]string{ // path: company, domain, org type
			"/a1": {"Globex GmbH", "globex.example", "business"},
			"/a2": {"Globex GmbH", "globex.example", "business"},
			"/a3": {"", "", "isp"},
			"/a4": {"Example University", "", "education"},
			"/a5": {"Globex GmbH", "globex.example", "business"},
			"/b1": {"Globex AG", "globex.example", "business"},
			"/b2": {"Globex AG", "globex.example", "business"},
		}
		for _, site := range []struct{ ws, site int64 }{{wsA.ID, siteA.ID}, {wsB.ID, siteB.ID}} {
			for _, e := range readEvents(t, s, site.ws, site.site, time.Time{}) {
				got := [3]string{e.Company, e.CompanyDomain, e.OrgType}
				if got != want[e.Path] {
					t.Errorf("%s: %q, want %q", e.Path, got, want[e.Path])
				}
			}
		}

		// One Globex per workspace, the carrier nowhere.
		rows, err := s.DB().QueryContext(ctx, `SELECT workspace_id, name, type, industry, size, country, city FROM companies ORDER BY workspace_id, name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var ws int64
			var name, typ, industry, size, country, city string
			if err := rows.Scan(&ws, &name, &typ, &industry, &size, &country, &city); err != nil {
				t.Fatal(err)
			}
			owner := map[int64]string{wsA.ID: "A", wsB.ID: "B"}[ws]
			got = append(got, owner+" "+name+" "+typ+" "+industry+" "+size+" "+country+" "+city)
		}
		wantRows := []string{
			"A Example University education   NL ",
			"A Globex GmbH business Manufacturing 200-499 DE Hamburg",
			"B Globex AG business Manufacturing 200-499 DE Hamburg",
		}
		if len(got) != len(wantRows) {
			t.Fatalf("companies %q, want %q", got, wantRows)
		}
		for i := range got {
			if got[i] != wantRows[i] {
				t.Errorf("company %d: %q, want %q", i, got[i], wantRows[i])
			}
		}
	})
}
