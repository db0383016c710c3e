package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// TestCompanyProfileShown: what open data says of a company shows on the
// feed and the company page, the registry's name beside it; /about/data
// credits Wikidata.
func TestCompanyProfileShown(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	w.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	viewer, analyst := w.signIn("vic@example.com"), w.signIn("ana@example.com")
	site := w.site("Acme", "acme")
	at := time.Now().Add(-time.Hour)
	w.visitFrom(site, 0, foyer.Org{Name: "SIEMENS AG", Domain: "siemens.com", ASN: 1, Type: foyer.OrgBusiness}, at)
	w.visitFrom(site, 1, foyer.Org{Name: "ACME WIDGETS LIMITED", ASN: 2, Type: foyer.OrgBusiness}, at)
	ctx := context.Background()
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.st.SaveOrgProfile(ctx, "domain:siemens.com", &foyer.OrgProfile{QID: "Q81230", Name: "Siemens",
		Website: "https://www.siemens.com/", Industry: "industrial machinery", Employees: 311000, LinkedIn: "siemens"}); err != nil {
		t.Fatal(err)
	}
	rows, err := w.st.Feed(ctx, foyer.FeedQuery{WorkspaceID: site.WorkspaceID, From: at, To: time.Now()})
	if err != nil || len(rows) != 2 {
		t.Fatalf("feed: %v, %v", rows, err)
	}
	var siemens int64
	for _, r := range rows {
		if r.Name == "SIEMENS AG" {
			siemens = r.ID
		}
	}
	feed := body(w.do("GET", fmt.Sprintf("/app/w/%d", site.WorkspaceID), nil, viewer))
	for _, want := range []string{"<strong>Siemens</strong>", "industrial machinery", "<strong>Acme Widgets Limited</strong>"} {
		if !strings.Contains(feed, want) {
			t.Errorf("the feed lacks %q", want)
		}
	}
	page := body(w.do("GET", fmt.Sprintf("/app/w/%d/c/%d", site.WorkspaceID, siemens), nil, viewer))
	for _, want := range []string{"<h1>Siemens</h1>", "SIEMENS AG · siemens.com", "311,000 employees", `href="https://www.siemens.com/"`,
		`href="https://www.linkedin.com/company/siemens"`, `href="https://www.wikidata.org/wiki/Q81230"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the company page lacks %q", want)
		}
	}
	// Seven days, not today: an hour ago is yesterday between midnight and
	// one o'clock UTC.
	_, api := w.api("/api/v1/companies?days=7", w.token("Acme", foyer.ScopeRead))
	found := false
	for _, c := range api["data"].([]any) {
		c := c.(map[string]any)
		if c["name"] == "SIEMENS AG" {
			found = c["display_name"] == "Siemens" && c["website"] == "https://www.siemens.com/" &&
				c["linkedin"] == "https://www.linkedin.com/company/siemens" && c["industry"] == "industrial machinery"
		}
	}
	if !found {
		t.Errorf("the API's companies: %v", api["data"])
	}
	csv := body(w.do("GET", fmt.Sprintf("/app/w/%d/export.csv?days=7&bom=0", site.WorkspaceID), nil, analyst))
	if !strings.Contains(csv, ",Siemens,https://www.siemens.com/,https://www.linkedin.com/company/siemens") {
		t.Errorf("the export:\n%s", csv)
	}
	if about := body(w.do("GET", "/about/data", nil, "")); !strings.Contains(about, "Wikidata") || !strings.Contains(about, "CC0") {
		t.Error("/about/data does not credit Wikidata")
	}
}
