package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// TestCompanyPageComplete: the company page pages through every visit of
// the period, each with its site, and shows the company's top pages, its
// sources and its score.
func TestCompanyPageComplete(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	web, docs := w.site("Acme", "acme-web"), w.site("Acme", "acme-docs")
	globex := foyer.Org{Name: "Globex", Type: foyer.OrgBusiness}
	start := time.Now().Add(-48 * time.Hour)
	for i := range 60 {
		site, ref := web, ""
		if i%3 == 0 {
			site, ref = docs, "https://www.linkedin.example/feed"
		}
		paths := []string{"/pricing"}
		if i%2 == 0 {
			paths = append(paths, "/docs/setup")
		}
		w.visit(site, i, globex, start.Add(time.Duration(i)*time.Minute), ref, paths...)
	}
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	rows, err := w.st.Feed(context.Background(), foyer.FeedQuery{WorkspaceID: web.WorkspaceID, From: start.AddDate(0, 0, -1), To: time.Now()})
	if err != nil || len(rows) != 1 {
		t.Fatalf("feed: %v %v", rows, err)
	}
	page := fmt.Sprintf("/app/w/%d/c/%d", web.WorkspaceID, rows[0].ID)
	get := func(query string) string {
		t.Helper()
		resp := w.do("GET", page+"?"+query, nil, ana)
		b := body(resp)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", query, resp.StatusCode)
		}
		return b
	}
	visitTimes := regexp.MustCompile(`<strong><time datetime="([^"]+)">`)
	first := get("")
	for _, want := range []string{"1–50 of 60", "offset=50\">Older visits", "on acme-docs", "on acme-web",
		`<span class="path">/pricing</span> <span class="muted">on acme-web</span> <span class="n">40 views</span>`,
		`<span class="path">/pricing</span> <span class="muted">on acme-docs</span> <span class="n">20 views</span>`,
		`<span class="path">/docs/setup</span>`, "linkedin.example <span class=\"n\">20 visits</span>", "direct <span class=\"n\">40 visits</span>",
		fmt.Sprintf(`Score <span class="score">%d</span>`, rows[0].Score)} {
		if !strings.Contains(first, want) {
			t.Errorf("the first page lacks %q", want)
		}
	}
	if strings.Contains(first, "Newer visits") {
		t.Errorf("the first page links to newer visits")
	}
	second := get("days=30&offset=50")
	for _, want := range []string{"51–60 of 60", "Newer visits"} {
		if !strings.Contains(second, want) {
			t.Errorf("the second page lacks %q", want)
		}
	}
	if strings.Contains(second, "Older visits") {
		t.Errorf("the last page links to older visits")
	}
	// Every visit once, over both pages, newest first.
	seen := map[string]bool{}
	var all []string
	for _, b := range []string{first, second} {
		for _, m := range visitTimes.FindAllStringSubmatch(b, -1) {
			all = append(all, m[1])
			seen[m[1]] = true
		}
	}
	if len(all) != 60 || len(seen) != 60 {
		t.Errorf("%d visits listed, %d different, want 60", len(all), len(seen))
	}
	// Past the end: the last page.
	if b := get("offset=5000"); !strings.Contains(b, "51–60 of 60") {
		t.Errorf("an offset past the end does not show the last page")
	}
}

// TestCompanyPagePeriodProblem: a period the company page cannot show is
// said on the page, which shows the last 30 days.
func TestCompanyPagePeriodProblem(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	site := w.site("Acme", "acme-web")
	w.visitFrom(site, 0, foyer.Org{Name: "Globex", Type: foyer.OrgBusiness}, time.Now().Add(-time.Hour))
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	rows, err := w.st.Feed(context.Background(), foyer.FeedQuery{WorkspaceID: site.WorkspaceID, From: time.Now().AddDate(0, 0, -1), To: time.Now()})
	if err != nil || len(rows) != 1 {
		t.Fatalf("feed: %v %v", rows, err)
	}
	for query, want := range map[string]string{
		"days=90":                       "there is no period of &#34;90&#34; days",
		"from=2026-11-10&to=2026-11-01": "ends (2026-11-01) before it starts (2026-11-10)",
	} {
		b := body(w.do("GET", fmt.Sprintf("/app/w/%d/c/%d?%s", site.WorkspaceID, rows[0].ID, query), nil, ana))
		if !strings.Contains(b, want) || !strings.Contains(b, "Showing the last 30 days.") || !strings.Contains(b, "Visits <span class=\"muted\">1</span>") {
			t.Errorf("%s: the page does not say %q and show the last 30 days", query, want)
		}
	}
}
