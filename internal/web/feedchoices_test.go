package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// hitFrom appends a page view of a new visitor from the origin.
func (w *webTest) hitFrom(site *foyer.Site, i int, o foyer.Origin, at time.Time) {
	w.t.Helper()
	h := foyer.Hit{SiteID: site.ID, VisitorUID: fmt.Sprintf("visitor-%016d", i), Time: at,
		Kind: foyer.KindPageview, Host: "www.example.com", Path: "/", Origin: o}
	if err := w.st.Append(context.Background(), []foyer.Hit{h}); err != nil {
		w.t.Fatal(err)
	}
}

// TestFeedChoicesAndProblems: the feed's filters offer the workspace's own
// values, countries by name, match in any case, filter by site, and a
// value that cannot be used is said, kept in its field, and filters
// nothing; the API and the export refuse it.
func TestFeedChoicesAndProblems(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	web, docs, other := w.site("Acme", "acme-web"), w.site("Acme", "acme-docs"), w.site("Initech", "initech")
	at := time.Now().Add(-time.Hour)
	w.hitFrom(web, 0, foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex", Type: foyer.OrgBusiness, Industry: "Software", Size: "200-499"}}, at)
	w.hitFrom(docs, 1, foyer.Origin{Country: "US", Org: foyer.Org{Name: "Hooli", Type: foyer.OrgBusiness, Industry: "software", Size: "1000+"}}, at)
	w.hitFrom(web, 2, foyer.Origin{Country: "FR", Org: foyer.Org{Name: "Carrier", Type: foyer.OrgISP, Industry: "Telecom"}}, at)
	w.hitFrom(web, 3, foyer.Origin{}, at)
	w.hitFrom(other, 4, foyer.Origin{Country: "JP", Org: foyer.Org{Name: "Umbrella", Type: foyer.OrgGovernment, Industry: "Pharma"}}, at)
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	feed := fmt.Sprintf("/app/w/%d", web.WorkspaceID)
	get := func(query string) string {
		t.Helper()
		resp := w.do("GET", feed+"?"+query, nil, ana)
		b := body(resp)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d\n%s", query, resp.StatusCode, b)
		}
		return b
	}

	b := get("")
	for _, want := range []string{`<option value="Germany">`, `<option value="United States">`, `<option value="Software">`,
		`<option value="200-499">`, `<option value="1000&#43;">`, fmt.Sprintf(`<option value="%d">acme-docs</option>`, docs.ID),
		`<td data-label="Country">Germany</td>`, "<strong>2 organisations</strong> identified in 4 visits", "50% from identified organisations",
		"25% unidentified", "25% anonymous"} {
		if !strings.Contains(b, want) {
			t.Errorf("the feed lacks %q", want)
		}
	}
	for _, never := range []string{"Japan", "Pharma", "Telecom", `<option value="software">`, "France"} {
		if strings.Contains(b, never) {
			t.Errorf("the feed's choices offer %q, which no company of the workspace has", never)
		}
	}
	if strings.Contains(b, `role="alert"`) {
		t.Errorf("a plain feed shows a problem")
	}

	for query, want := range map[string][]string{
		"country=germany":                     {"Globex"},
		"country=us":                          {"Hooli"},
		"country=United+States":               {"Hooli"},
		"industry=SOFTWARE":                   {"Globex", "Hooli"},
		"size=1000%2B":                        {"Hooli"},
		"type=Business":                       {"Globex", "Hooli"},
		fmt.Sprintf("site=%d", docs.ID):       {"Hooli"},
		fmt.Sprintf("site=%d", web.ID):        {"Globex"},
		fmt.Sprintf("site=%d", other.ID):      {"Globex", "Hooli"}, // another workspace's: said, and every site shown
		"min_pages=abc":                       {"Globex", "Hooli"},
		"country=Atlantis":                    {"Globex", "Hooli"},
		"days=90":                             {"Globex", "Hooli"},
		"from=2026-11-10&to=2026-11-01&q=glo": {"Globex"},
	} {
		got := companiesListed(get(query))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	if b := get(fmt.Sprintf("site=%d", docs.ID)); !strings.Contains(b, "acme-docs, 30 days") || !strings.Contains(b, "in 1 visit:") {
		t.Errorf("the trend of one site is not that site's")
	}

	// What cannot be used is said, and stays in its field.
	for query, want := range map[string][]string{
		"min_pages=abc":                  {`&#34;abc&#34; is not a number of pages`, `name="min_pages" inputmode="numeric" value="abc"`},
		"min_minutes=-3":                 {`&#34;-3&#34; is not a number of minutes engaged`, `value="-3"`},
		"country=Atlantis":               {`There is no country &#34;Atlantis&#34;`, `name="country" value="Atlantis"`},
		"type=castle":                    {`There is no type of organisation &#34;castle&#34;`},
		"sort=alphabet":                  {`There is no order &#34;alphabet&#34;`},
		"days=90":                        {`there is no period of &#34;90&#34; days`, "Showing the last 30 days."},
		"from=2026-11-10&to=2026-11-01":  {"ends (2026-11-01) before it starts (2026-11-10)", `name="from" value="2026-11-10"`, `name="to" value="2026-11-01"`},
		fmt.Sprintf("site=%d", other.ID): {fmt.Sprintf("There is no site %d in this workspace", other.ID)},
		"country=de":                     {`name="country" value="Germany"`},
	} {
		b := get(query)
		for _, s := range want {
			if !strings.Contains(b, s) {
				t.Errorf("%s: the page lacks %q", query, s)
			}
		}
		if query != "country=de" && !strings.Contains(b, `role="alert"`) {
			t.Errorf("%s: no problem is shown", query)
		}
		if strings.Contains(b, "Umbrella") {
			t.Errorf("%s: another workspace's company shows", query)
		}
	}

	// The API and the export refuse what the page only warns about.
	token := w.token("Acme", foyer.ScopeRead)
	for _, q := range []string{"min_pages=abc", "days=90", "country=Atlantis", "sort=x", fmt.Sprintf("site=%s", "x")} {
		if status, _ := w.api("/api/v1/companies?"+q, token); status != 400 {
			t.Errorf("API ?%s: %d, want 400", q, status)
		}
		if resp := w.do("GET", feed+"/export.csv?"+q, nil, ana); resp.StatusCode != 400 {
			t.Errorf("export ?%s: %d, want 400", q, resp.StatusCode)
		}
	}
	if status, out := w.api("/api/v1/companies?country=germany", token); status != 200 || len(out["data"].([]any)) != 1 {
		t.Errorf("API country=germany: %d %v", status, out)
	}
	// A saved feed keeps the site filter, and refuses a filter it cannot use.
	ws := url.Values{"name": {"Docs"}, "query": {fmt.Sprintf("site=%d&days=7", docs.ID)}}
	if resp := w.do("POST", feed+"/feeds", ws, ana); resp.StatusCode != 303 {
		t.Errorf("save a feed of one site: %d", resp.StatusCode)
	}
	if b := get(""); !strings.Contains(b, fmt.Sprintf("days=7&amp;site=%d", docs.ID)) {
		t.Errorf("the saved feed lost its site")
	}
	bad := url.Values{"name": {"Bad"}, "query": {"min_pages=abc"}}
	if resp := w.do("POST", feed+"/feeds", bad, ana); resp.StatusCode != 400 {
		t.Errorf("save a feed with an unusable filter: %d, want 400", resp.StatusCode)
	}
}

// TestFeedChoicesKeptAMinute: the filter choices are read again a minute
// after they were last read, not on every page, and a new country shows
// then.
func TestFeedChoicesKeptAMinute(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	site := w.site("Acme", "acme-web")
	at := time.Now().Add(-time.Hour)
	w.hitFrom(site, 0, foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex", Type: foyer.OrgBusiness}}, at)
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	feed := fmt.Sprintf("/app/w/%d", site.WorkspaceID)
	if b := body(w.do("GET", feed, nil, ana)); !strings.Contains(b, `<option value="Germany">`) {
		t.Fatal("no Germany to choose")
	}
	w.hitFrom(site, 1, foyer.Origin{Country: "FR", Org: foyer.Org{Name: "Initech", Type: foyer.OrgBusiness}}, at)
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := body(w.do("GET", feed, nil, ana))
	if !strings.Contains(b, "Initech") || strings.Contains(b, `<option value="France">`) {
		t.Errorf("within the minute: the feed should list Initech and keep the choices it read")
	}
	w.clock.Add(choicesLife + time.Second)
	if b := body(w.do("GET", feed, nil, ana)); !strings.Contains(b, `<option value="France">`) {
		t.Errorf("after a minute the choices lack France")
	}
}
