package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// visitFrom appends a page view of a new visitor from the organisation.
func (w *webTest) visitFrom(site *foyer.Site, i int, org foyer.Org, at time.Time) {
	w.t.Helper()
	w.visit(site, i, org, at, "", "/pricing")
}

func (w *webTest) site(workspace, key string) *foyer.Site {
	w.t.Helper()
	ctx := context.Background()
	ws, err := w.st.WorkspaceByName(ctx, workspace)
	if err != nil {
		w.t.Fatal(err)
	}
	s := &foyer.Site{WorkspaceID: ws.ID, Key: key, Name: key, Hostnames: []string{"www.example.com"}, HonorGPC: true}
	if err := w.st.CreateSite(ctx, s); err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *webTest) signIn(email string) string {
	w.t.Helper()
	return w.signInAs(email, "correct horse battery", "")
}

func TestFeedPage(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	at := time.Now().Add(-2 * time.Hour)
	hostile := foyer.Org{Name: `<b onmouseover="x()">Evil & Co</b> GmbH`, Domain: "evil.example", Type: foyer.OrgBusiness, Industry: "Retail"}
	w.visitFrom(acme, 0, hostile, at)
	w.visitFrom(acme, 1, hostile, at.Add(time.Minute))
	w.visitFrom(initech, 2, foyer.Org{Name: "Secret Initech Customer GmbH", Type: foyer.OrgBusiness}, at)
	w.visitFrom(acme, 3, foyer.Org{Name: "Example Telecom", Type: foyer.OrgISP}, at)
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	var acmeID, initechID int64 = acme.WorkspaceID, initech.WorkspaceID

	resp := w.do("GET", fmt.Sprintf("/app/w/%d", acmeID), nil, ana)
	b := body(resp)
	if resp.StatusCode != 200 {
		t.Fatalf("feed: %d\n%s", resp.StatusCode, b)
	}
	for _, want := range []string{"&lt;b onmouseover=&#34;x()&#34;&gt;Evil &amp; Co&lt;/b&gt; GmbH", "evil.example", "Retail",
		`<td class="num" data-label="Visits">2</td>`, "1 h ago", `class="current" aria-current="page">30 days`} {
		if !strings.Contains(b, want) {
			t.Errorf("the feed lacks %q", want)
		}
	}
	for _, never := range []string{"<b onmouseover", "Example Telecom", "Secret Initech"} {
		if strings.Contains(b, never) {
			t.Errorf("the feed shows %q", never)
		}
	}
	// Another workspace's feed, or none, is not found.
	for _, path := range []string{fmt.Sprintf("/app/w/%d", initechID), "/app/w/999999", "/app/w/x"} {
		resp := w.do("GET", path, nil, ana)
		if b := body(resp); resp.StatusCode != http.StatusNotFound || strings.Contains(b, "Secret Initech") {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d", acmeID), nil, ""); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", resp.StatusCode)
	}

	// The company page.
	ctx := context.Background()
	evil, err := w.st.Feed(ctx, foyer.FeedQuery{WorkspaceID: acmeID, From: at, To: time.Now()})
	if err != nil || len(evil) != 1 {
		t.Fatalf("feed: %+v, %v", evil, err)
	}
	secret, _ := w.st.Feed(ctx, foyer.FeedQuery{WorkspaceID: initechID, From: at, To: time.Now()})
	page := fmt.Sprintf("/app/w/%d/c/%d", acmeID, evil[0].ID)
	if !strings.Contains(b, `href="`+page+`?days=30"`) {
		t.Errorf("the feed does not link to %s", page)
	}
	resp = w.do("GET", page, nil, ana)
	b = body(resp)
	if resp.StatusCode != 200 {
		t.Fatalf("company page: %d\n%s", resp.StatusCode, b)
	}
	for _, want := range []string{"&lt;b onmouseover=&#34;x()&#34;&gt;Evil &amp; Co&lt;/b&gt; GmbH", `<svg class="chart"`,
		"2 visits, 2 pages", "Anonymous visitor", `<span class="path">/pricing</span>`} {
		if !strings.Contains(b, want) {
			t.Errorf("the company page lacks %q", want)
		}
	}
	if strings.Contains(b, "<b onmouseover") || strings.Contains(b, "<script") || strings.Contains(b, " style=") {
		t.Error("the company page holds markup it should not")
	}
	for _, path := range []string{
		fmt.Sprintf("/app/w/%d/c/%d", acmeID, secret[0].ID),    // another workspace's company
		fmt.Sprintf("/app/w/%d/c/%d", initechID, secret[0].ID), // another workspace
		fmt.Sprintf("/app/w/%d/c/%d", initechID, evil[0].ID),   // a workspace she is not in
		fmt.Sprintf("/app/w/%d/c/x", acmeID),
	} {
		resp := w.do("GET", path, nil, ana)
		if b := body(resp); resp.StatusCode != http.StatusNotFound || strings.Contains(b, "Secret Initech") {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

func TestFeedPages(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	acme := w.site("Acme", "acme")
	base := time.Now().Add(-time.Hour)
	for i := range feedPageSize + 5 {
		w.visitFrom(acme, i, foyer.Org{Name: fmt.Sprintf("Company %02d GmbH", i), Type: foyer.OrgBusiness}, base.Add(time.Duration(i)*time.Second))
	}
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	path := fmt.Sprintf("/app/w/%d", acme.WorkspaceID)
	first := body(w.do("GET", path, nil, ana))
	if n := strings.Count(first, "<tr>") - 1; n != feedPageSize || !strings.Contains(first, "Company 54 GmbH") ||
		strings.Contains(first, "Company 04 GmbH") || !strings.Contains(first, "offset=50\">Next") {
		t.Errorf("first page: %d rows", n)
	}
	second := body(w.do("GET", path+"?"+url.Values{"days": {"30"}, "offset": {"50"}}.Encode(), nil, ana))
	if n := strings.Count(second, "<tr>") - 1; n != 5 || !strings.Contains(second, "Company 00 GmbH") ||
		!strings.Contains(second, "Previous") || strings.Contains(second, "Next") {
		t.Errorf("second page: %d rows", n)
	}
}

func TestDurationAndAgo(t *testing.T) {
	for ms, want := range map[int64]string{0: "–", 4_000: "4 s", 125_000: "2 min 5 s", 3_780_000: "1 h 3 min"} {
		if got := duration(ms); got != want {
			t.Errorf("duration(%d) = %q, want %q", ms, got, want)
		}
	}
	fixed := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	now = func() time.Time { return fixed }
	defer func() { now = time.Now }()
	for d, want := range map[time.Duration]string{12 * time.Second: "12 s ago", 5 * time.Minute: "5 min ago", 3 * time.Hour: "3 h ago", 72 * time.Hour: "20 Nov 2026"} {
		if got := ago(fixed.Add(-d)); got != want {
			t.Errorf("ago(-%v) = %q, want %q", d, got, want)
		}
	}
}

func TestVisitsChart(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var days []foyer.CompanyDay
	for i, v := range []int64{0, 3, 0, 6, 1} {
		days = append(days, foyer.CompanyDay{Day: day.AddDate(0, 0, i), Visits: v, Pageviews: 2 * v})
	}
	svg := string(visitsChart(days))
	if n := strings.Count(svg, "<rect"); n != 3 {
		t.Errorf("%d bars, want 3 (days with visits)", n)
	}
	for _, want := range []string{`<svg class="chart"`, ">6</text>", "Wed 4 Nov: 6 visits, 12 pages", "1 Nov", "5 Nov"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
		t.Error("the chart holds style or script")
	}
	for i := range days {
		days[i].EngagedMS = 30_000 * days[i].Visits
	}
	engaged := string(engagedChart(days))
	for _, want := range []string{`aria-label="Engaged time per day"`, ">3 min 0 s</text>", "Wed 4 Nov: 3 min 0 s engaged"} {
		if !strings.Contains(engaged, want) {
			t.Errorf("the engaged-time chart lacks %q:\n%s", want, engaged)
		}
	}
	if n := strings.Count(engaged, "<rect"); n != 3 {
		t.Errorf("%d bars of engaged time, want 3", n)
	}
	if visitsChart(nil) != "" {
		t.Error("a chart of no days")
	}
	if count(1, "visit", "visits") != "1 visit" || count(0, "visit", "visits") != "0 visits" {
		t.Error("count")
	}
}

func TestFeedFilters(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	acme := w.site("Acme", "acme")
	at := time.Now().Add(-time.Hour)
	orgs := []foyer.Org{
		{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness, Industry: "Software", Size: "50-199"},
		{Name: "Hooli Inc", Domain: "hooli.example", Type: foyer.OrgBusiness, Industry: "Retail", Size: "1000+"},
		{Name: "Example University", Type: foyer.OrgEducation},
	}
	for i, o := range orgs {
		w.visitFrom(acme, i, o, at.Add(time.Duration(i)*time.Minute))
	}
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	path := fmt.Sprintf("/app/w/%d?", acme.WorkspaceID)
	for qs, want := range map[string][]string{
		"":                       {"Globex GmbH", "Hooli Inc", "Example University"},
		"q=GLOBEX":               {"Globex GmbH"},
		"q=hooli.example":        {"Hooli Inc"},
		"industry=Retail":        {"Hooli Inc"},
		"type=education":         {"Example University"},
		"type=isp":               {"Globex GmbH", "Hooli Inc", "Example University"}, // not a company type: ignored
		"country=de&size=50-199": {"Globex GmbH"},
		"q=%25":                  {},
		"q=nothing+matches+this": {},
	} {
		b := body(w.do("GET", path+qs, nil, ana))
		for _, o := range orgs {
			shown := strings.Contains(b, ">"+o.Name+"<")
			if shown != slices.Contains(want, o.Name) {
				t.Errorf("%q: %s shown %v", qs, o.Name, shown)
			}
		}
		if len(want) == 0 && !strings.Contains(b, "No company in this period matches the filter.") {
			t.Errorf("%q: no empty-filter message", qs)
		}
	}
	// The filter stays in the period links.
	b := body(w.do("GET", path+"industry=Retail", nil, ana))
	if !strings.Contains(b, `href="?days=7&amp;industry=Retail"`) || !strings.Contains(b, `value="Retail"`) {
		t.Error("the filter is not kept in the period links and the form")
	}
}

func TestFeedExport(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	at := time.Now().Add(-time.Hour)
	w.visitFrom(acme, 0, foyer.Org{Name: `=HYPERLINK("http://evil.example","click")`, Type: foyer.OrgBusiness, Industry: "Retail"}, at)
	w.visitFrom(acme, 1, foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness, Industry: "Software"}, at.Add(time.Minute))
	w.visitFrom(acme, 2, foyer.Org{Name: "Société Générale Zürich", Type: foyer.OrgBusiness, Industry: "Banking"}, at.Add(-time.Minute))
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/app/w/%d/export.csv", acme.WorkspaceID)

	ana := w.signIn("ana@example.com")
	resp := w.do("GET", path+"?days=7", nil, ana)
	b := body(resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "companies-"+time.Now().UTC().AddDate(0, 0, -6).Format(time.DateOnly)+"-") {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	// By default a UTF-8 byte-order mark, for Excel, then the CSV.
	csvText, ok := strings.CutPrefix(b, "\xEF\xBB\xBF")
	if !ok {
		t.Fatalf("the export does not start with a byte-order mark: % x", b[:min(len(b), 8)])
	}
	records, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil {
		t.Fatalf("export after the byte-order mark: %v\n%s", err, b)
	}
	if len(records) != 4 || strings.Join(records[0], ",") != "company,domain,country,industry,size,type,visits,pages,engaged_seconds,last_visit_utc,score,top_source,tags,display_name,website,linkedin" ||
		!strings.HasPrefix(strings.Join(records[1], ","), "Globex GmbH,globex.example,DE,Software,,business,1,1,0,") ||
		records[3][0] != "Société Générale Zürich" {
		t.Errorf("export:\n%s", b)
	}
	if !strings.Contains(b, `"'=HYPERLINK(""http://evil.example"",""click"")"`) {
		t.Errorf("a formula was not neutralised:\n%s", b)
	}
	// bom=0: the same CSV without the mark.
	plain := body(w.do("GET", path+"?days=7&bom=0", nil, ana))
	if plain != csvText || !strings.HasPrefix(plain, "company,") {
		t.Errorf("export with bom=0:\n%q", plain)
	}
	if b := body(w.do("GET", path+"?industry=Software&bom=0", nil, ana)); strings.Count(b, "\n") != 2 || !strings.HasPrefix(b, "company,") {
		t.Errorf("filtered export:\n%s", b)
	}
	feed := body(w.do("GET", fmt.Sprintf("/app/w/%d?days=7", acme.WorkspaceID), nil, ana))
	if !strings.Contains(feed, "Export CSV") || !strings.Contains(feed, fmt.Sprintf(`href="/app/w/%d/export.csv?days=7&bom=0"`, acme.WorkspaceID)) {
		t.Error("no export links for an analyst")
	}

	vic := w.signIn("vic@example.com")
	if resp := w.do("GET", path, nil, vic); resp.StatusCode != http.StatusForbidden || strings.Contains(body(resp), "Globex") {
		t.Errorf("a viewer's export: %d", resp.StatusCode)
	}
	if strings.Contains(body(w.do("GET", fmt.Sprintf("/app/w/%d", acme.WorkspaceID), nil, vic)), "Export CSV") {
		t.Error("an export link for a viewer")
	}
	bob := w.signIn("bob@example.com")
	if resp := w.do("GET", path, nil, bob); resp.StatusCode != http.StatusNotFound || strings.Contains(body(resp), "Globex") {
		t.Errorf("another workspace's owner: %d", resp.StatusCode)
	}
}
