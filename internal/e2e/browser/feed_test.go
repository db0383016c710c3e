package browser_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/ipdata"
)

// TestFeedInBrowser: a visitor browses the customer's site from a
// company's network (through a trusted proxy); the customer's analyst signs
// in, opens the workspace, finds the company in the feed and opens its
// page: a chart and the visit with its page. Screenshots: feed, company.
func TestFeedInBrowser(t *testing.T) {
	t.Parallel()
	b := ipdata.NewBuilder()
	if err := b.AddASNCSV(strings.NewReader("198.51.100.0,198.51.100.255,64502,Example Broadband Telecom\n"), ipdata.Source{Name: "asn.csv"}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddCompaniesCSV(strings.NewReader("203.0.113.0/24,Acme Widgets GmbH,acme-widgets.example,Manufacturing,50-199,DE\n"), ipdata.Source{Name: "companies.csv"}); err != nil {
		t.Fatal(err)
	}
	res := resolverOf(t, b)

	f := startFoyerWith(t, res, "203.0.113.9")
	site := f.newSite(t, "feed")
	w := startWeb(t, f.URL, map[string]pageSpec{"feed": {Title: "Pricing", Site: "feed", Next: "/feed/two"}})
	browser := newBrowser(t)
	visitor := newTab(t, browser)
	do(t, visitor, "visit the site", chromedp.Navigate(w.Site+"/feed/start"))
	waitTracker(t, visitor)
	ctx := context.Background()
	f.waitEvents(t, ctx, site, "the page view", func(evs []*foyer.StoredEvent) bool { return len(evs) > 0 })
	if _, err := f.app.Store.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}

	f.member(t, "ana@example.com", site.WorkspaceID, foyer.RoleAnalyst)
	tab2 := newTab(t, browser)
	errs := watchErrors(t, tab2)
	do(t, tab2, "open sign-in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, tab2, `button[type=submit]`)
	clickAndLoad(t, tab2, `ul.plain a`)
	do(t, tab2, "wait for the feed", chromedp.WaitVisible(chromedp.CSS(`table.companies tbody tr`)))
	check(t, "feed URL", eval[string](t, tab2, `location.pathname`), fmt.Sprintf("/app/w/%d", site.WorkspaceID))
	check(t, "the company", eval[string](t, tab2, `document.querySelector('table.companies tbody tr td strong').textContent`), "Acme Widgets GmbH")
	check(t, "its domain", eval[string](t, tab2, `document.querySelector('table.companies tbody tr td .muted').textContent`), "acme-widgets.example")
	check(t, "rows", eval[int](t, tab2, `document.querySelectorAll('table.companies tbody tr').length`), 1)
	screenshot(t, tab2, "feed")

	// A filter that matches nothing, then one that matches the company.
	do(t, tab2, "search for nothing", chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "no such company"))
	clickAndLoad(t, tab2, `form.filters button`)
	check(t, "rows for nothing", eval[int](t, tab2, `document.querySelectorAll('table.companies tbody tr').length`), 0)
	check(t, "empty message", strings.Contains(eval[string](t, tab2, `document.querySelector('main').textContent`), "matches the filter"), true)
	do(t, tab2, "search for acme", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d", site.WorkspaceID)),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "ACME"),
		chromedp.SendKeys(chromedp.CSS(`input[name=industry]`), "Manufacturing"))
	clickAndLoad(t, tab2, `form.filters button`)
	check(t, "rows for acme", eval[int](t, tab2, `document.querySelectorAll('table.companies tbody tr').length`), 1)
	screenshot(t, tab2, "feed-filtered")
	// The export link, fetched with the browser's session cookie (the
	// page's policy lets no script fetch), is the CSV of what the feed shows.
	href := eval[string](t, tab2, `document.querySelector('a.export').href`)
	req, _ := http.NewRequest("GET", href, nil)
	req.AddCookie(&http.Cookie{Name: "foyer_session", Value: cookies(t, tab2, f.URL)["foyer_session"].Value})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("fetch the export: %v", err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); resp.StatusCode != 200 || len(lines) != 2 ||
		!strings.HasPrefix(lines[1], "Acme Widgets GmbH,acme-widgets.example,DE,Manufacturing,50-199,business,1,1,") {
		t.Errorf("export %s: %d\n%s", href, resp.StatusCode, csv)
	}
	// The highest score first among visitors of a page, saved as a feed
	// that the page then lists, marked as the one shown.
	do(t, tab2, "order by score, visited page", chromedp.SetValue(chromedp.CSS(`select[name=sort]`), "score"),
		chromedp.SendKeys(chromedp.CSS(`input[name=page]`), "/FEED/"))
	clickAndLoad(t, tab2, `form.filters button`)
	check(t, "rows by score", eval[int](t, tab2, `document.querySelectorAll('table.companies tbody tr').length`), 1)
	check(t, "score shown", eval[string](t, tab2, `document.querySelector('.score').textContent`), "21") // 4 + 2 + 0 + 15, see foyer.ScoreParts
	do(t, tab2, "name the feed", chromedp.SendKeys(chromedp.CSS(`form.save-feed input[name=name]`), "Widgets <by score>"))
	clickAndLoad(t, tab2, `form.save-feed button`)
	check(t, "saved feed listed", eval[string](t, tab2, `document.querySelector('nav.saved a.current').textContent`), "Widgets <by score>")
	check(t, "saved feed's order", eval[string](t, tab2, `document.querySelector('select[name=sort]').value`), "score")
	screenshot(t, tab2, "feed-saved")
	clickAndLoad(t, tab2, `table.companies tbody tr td a`)
	do(t, tab2, "wait for the company page", chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	check(t, "company page", eval[string](t, tab2, `document.querySelector('h1').textContent`), "Acme Widgets GmbH")
	check(t, "visit listed", eval[int](t, tab2, `document.querySelectorAll('ol.timeline > li').length`), 1)
	check(t, "bars", eval[int](t, tab2, `document.querySelectorAll('svg.chart[aria-label="Visits per day"] rect').length`), 1)
	check(t, "first seen", strings.HasPrefix(eval[string](t, tab2, `document.querySelector('.seen').textContent`), "First seen"), true)
	check(t, "page of the visit", eval[string](t, tab2, `document.querySelector('.pages-list .path').textContent`), "/feed/start")
	screenshot(t, tab2, "company")
	do(t, tab2, "today", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d?days=1", site.WorkspaceID)), chromedp.WaitVisible(chromedp.CSS(`.periods a.current`)))
	check(t, "period", eval[string](t, tab2, `document.querySelector('.periods a.current').textContent`), "Today")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}
