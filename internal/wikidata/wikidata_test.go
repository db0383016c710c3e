package wikidata_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/wikidata"
	"github.com/foyerhq/foyer/internal/wikidata/wikidatatest"
)

func fake(t *testing.T) (*wikidatatest.Server, *wikidata.Client) {
	f := wikidatatest.New(t)
	f.Add(wikidatatest.Item{ID: "Q183", Label: "Germany", ISO: "DE"})
	f.Add(wikidatatest.Item{ID: "Q11016", Label: "industrial machinery"})
	f.Add(wikidatatest.Item{ID: "Q81230", Label: "Siemens", Website: "https://www.siemens.com/global/en.html", Industry: "Q11016",
		Country: "Q183", Employees: "+311000", LinkedIn: "siemens", Logo: "Siemens-logo.svg", Aliases: []string{"Siemens AG"}})
	// Same name, no website nor industry: never the company.
	f.Add(wikidatatest.Item{ID: "Q999", Label: "Siemens", Aliases: []string{"Werner von Siemens"}})
	f.Add(wikidatatest.Item{ID: "Q95", Label: "Google", Website: "https://about.google/", Industry: "Q11016"})
	c := wikidata.New(f.URL())
	c.Interval = time.Millisecond
	return f, c
}

// TestByDomain: an organisation is found by its domain only when its
// official website is on that domain.
func TestByDomain(t *testing.T) {
	t.Parallel()
	f, c := fake(t)
	ctx := context.Background()
	p, err := c.ByDomain(ctx, "siemens.com")
	if err != nil {
		t.Fatal(err)
	}
	if p.QID != "Q81230" || p.Name != "Siemens" || p.Industry != "industrial machinery" || p.Country != "DE" ||
		p.Employees != 311000 || p.LinkedIn != "siemens" || p.Logo != "Siemens-logo.svg" {
		t.Errorf("profile %+v", p)
	}
	if _, err := c.ByDomain(ctx, "siemens.de"); !errors.Is(err, wikidata.ErrNotFound) {
		t.Errorf("another domain: %v", err)
	}
	if _, err := c.ByDomain(ctx, "google.com"); !errors.Is(err, wikidata.ErrNotFound) {
		t.Errorf("google.com, whose item's website is about.google: %v", err)
	}
	for _, q := range f.Requests() {
		if s := q.Get("search"); s != "" && s != "siemens" && s != "google" {
			t.Errorf("searched %q", s)
		}
	}
}

// TestByName: a name matches an item of the same name, legal form aside,
// that has a website or an industry; none matches nothing.
func TestByName(t *testing.T) {
	t.Parallel()
	_, c := fake(t)
	ctx := context.Background()
	p, err := c.ByName(ctx, "SIEMENS AG")
	if err != nil || p.QID != "Q81230" {
		t.Fatalf("SIEMENS AG: %+v, %v", p, err)
	}
	for _, name := range []string{"Siemens Healthineers GmbH", "Nobody Ltd", "", "AG"} {
		if _, err := c.ByName(ctx, name); !errors.Is(err, wikidata.ErrNotFound) {
			t.Errorf("%q: %v, want no match", name, err)
		}
	}
}

// TestTimeout: a Wikidata that does not answer in time is an error, soon.
func TestTimeout(t *testing.T) {
	t.Parallel()
	f, c := fake(t)
	f.Delay(2 * time.Second)
	c.HTTP.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := c.ByDomain(context.Background(), "siemens.com")
	if err == nil || errors.Is(err, wikidata.ErrNotFound) || time.Since(start) > time.Second {
		t.Errorf("a slow Wikidata: %v after %v", err, time.Since(start))
	}
	if strings.Contains(err.Error(), f.URL()) {
		t.Errorf("the error names the address: %v", err)
	}
}

// TestNormalName: legal forms and punctuation do not count.
func TestNormalName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"SIEMENS AG": "siemens", "SAP SE": "sap", "The Coca-Cola Company": "coca cola",
		"Nestlé S.A.": "nestlé", "Acme Holding GmbH & Co. KG": "acme"} {
		if got := wikidata.NormalName(in); got != want {
			t.Errorf("NormalName(%q) = %q, want %q", in, got, want)
		}
	}
}
