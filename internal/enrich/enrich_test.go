package enrich_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/enrich"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/wikidata"
	"github.com/foyerhq/foyer/internal/wikidata/wikidatatest"
)

const visitor = "visitor-enrich-secret-1"

func fakeWikidata(t *testing.T) (*wikidatatest.Server, *wikidata.Client) {
	f := wikidatatest.New(t)
	f.Add(wikidatatest.Item{ID: "Q183", Label: "Germany", ISO: "DE"})
	f.Add(wikidatatest.Item{ID: "Q11016", Label: "industrial machinery"})
	f.Add(wikidatatest.Item{ID: "Q880", Label: "software industry"})
	f.Add(wikidatatest.Item{ID: "Q81230", Label: "Siemens", Website: "https://www.siemens.com/", Industry: "Q11016",
		Country: "Q183", Employees: "+311000", LinkedIn: "siemens"})
	f.Add(wikidatatest.Item{ID: "Q552581", Label: "SAP", Website: "https://www.sap.com/", Industry: "Q880", Country: "Q183",
		Aliases: []string{"SAP SE"}})
	c := wikidata.New(f.URL())
	c.Interval = time.Millisecond
	return f, c
}

// visitFrom stores a visit of the organisation to the site.
func visitFrom(t *testing.T, s *store.Store, site int64, org foyer.Org) {
	t.Helper()
	h := foyer.Hit{SiteID: site, VisitorUID: visitor + strings.ReplaceAll(org.Name, " ", ""), Time: time.Now(), Kind: foyer.KindPageview, Host: "www.example.com",
		Path: "/pricing-secret-path", Origin: foyer.Origin{Org: org, Country: "DE"}}
	if err := s.Append(context.Background(), []foyer.Hit{h}); err != nil {
		t.Fatal(err)
	}
}

// TestEnrich: companies are found by domain and by name, one is found
// nowhere; what is found shows on the company; a second round asks
// nothing, also after a restart; Wikidata is sent names and domains only.
func TestEnrich(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	visitFrom(t, s, site.ID, foyer.Org{Name: "SIEMENS AG", Domain: "siemens.com", ASN: 1, Type: foyer.OrgBusiness})
	visitFrom(t, s, site.ID, foyer.Org{Name: "SAP SE", ASN: 2, Type: foyer.OrgBusiness})
	visitFrom(t, s, site.ID, foyer.Org{Name: "NOBODY KNOWN GMBH", ASN: 3, Type: foyer.OrgBusiness})
	f, c := fakeWikidata(t)
	e := &enrich.Enricher{Store: s, Source: c}
	n, err := e.Round(ctx)
	if err != nil || n != 3 {
		t.Fatalf("round: %d, %v", n, err)
	}
	if _, err := s.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: time.Now().Add(-24 * time.Hour), To: time.Now()})
	if err != nil || len(rows) != 3 {
		t.Fatalf("feed: %d, %v", len(rows), err)
	}
	got := map[string]foyer.FeedRow{}
	for _, r := range rows {
		got[r.Name] = r
	}
	sie := got["SIEMENS AG"]
	if sie.DisplayName() != "Siemens" || sie.DisplayIndustry() != "industrial machinery" || sie.DisplaySize() != "311,000" ||
		sie.Profile.Website != "https://www.siemens.com/" || sie.Profile.LinkedInURL() != "https://www.linkedin.com/company/siemens" {
		t.Errorf("Siemens: %+v (%+v)", sie.Company, sie.Profile)
	}
	if sap := got["SAP SE"]; sap.Profile == nil || sap.Profile.QID != "Q552581" || sap.DisplayName() != "SAP" {
		t.Errorf("SAP by name: %+v", sap.Profile)
	}
	if no := got["NOBODY KNOWN GMBH"]; no.Profile != nil || no.DisplayName() != "Nobody Known GmbH" {
		t.Errorf("Nobody: %+v, %q", no.Profile, no.DisplayName())
	}
	company, err := s.Company(ctx, ws.ID, sie.ID)
	if err != nil || company.Profile == nil || company.Profile.Country != "DE" {
		t.Errorf("the company page's company: %+v, %v", company, err)
	}
	asked := len(f.Requests())
	if n, err := e.Round(ctx); err != nil || n != 0 {
		t.Errorf("a second round: %d, %v", n, err)
	}
	s.Close()
	s2, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n, err := (&enrich.Enricher{Store: s2, Source: c}).Round(ctx); err != nil || n != 0 {
		t.Errorf("a round after a restart: %d, %v", n, err)
	}
	if len(f.Requests()) != asked {
		t.Errorf("Wikidata was asked again: %d requests, then %d", asked, len(f.Requests()))
	}
	for _, q := range f.Requests() {
		all := q.Encode()
		for _, secret := range []string{visitor, "pricing-secret-path", "www.example.com", "acme"} {
			if strings.Contains(all, secret) {
				t.Errorf("Wikidata was sent %q: %s", secret, all)
			}
		}
		if s := q.Get("search"); s != "" && s != "siemens" && s != "SAP SE" && s != "NOBODY KNOWN GMBH" && s != "SIEMENS AG" {
			t.Errorf("searched %q", s)
		}
	}
}

// TestEnrichTimeout: a Wikidata that does not answer stores nothing and
// is tried again later.
func TestEnrichTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testutil.NewStore(t, store.SQLite, store.Options{})
	_, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	visitFrom(t, s, site.ID, foyer.Org{Name: "SIEMENS AG", Domain: "siemens.com", ASN: 1, Type: foyer.OrgBusiness})
	f, c := fakeWikidata(t)
	f.Delay(2 * time.Second)
	c.HTTP.Timeout = 100 * time.Millisecond
	if n, err := (&enrich.Enricher{Store: s, Source: c}).Round(ctx); err == nil || n != 0 {
		t.Fatalf("a round with a slow Wikidata: %d, %v", n, err)
	}
	if left, err := s.OrgsToEnrich(ctx, 10); err != nil || len(left) != 1 {
		t.Errorf("after a timeout, %d organisations wait, %v; want 1", len(left), err)
	}
}
