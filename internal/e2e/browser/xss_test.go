package browser_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/ipdata"
)

// Hostile values. Each one, if the browser ran it, would set window.__xss
// to its name and open an alert naming it.
func run(name string) string { return fmt.Sprintf("window.__xss='%s';alert('%s')", name, name) }

func imgPayload(name string) string    { return `<img src=x onerror="` + run(name) + `">` }
func scriptPayload(name string) string { return `<script>` + run(name) + `</script>` }
func svgPayload(name string) string    { return `"><svg onload="` + run(name) + `">` }
func jsURL(name string) string         { return "javascript:" + run(name) + "//" }

var (
	xssWorkspace = svgPayload("workspace") + " Workspace"
	xssSite      = scriptPayload("site") + "Shop"
	xssTitle     = imgPayload("title") + "Pricing"
	xssSource    = scriptPayload("utm_source")
	xssMedium    = svgPayload("utm_medium")
	xssCampaign  = `<a href="` + jsURL("utm_campaign") + `">win</a>`
	xssCompany   = imgPayload("company") + " Evil GmbH"
	xssIndustry  = `<b onmouseover="` + run("industry") + `">Retail</b>`
	xssCompany2  = svgPayload("company2") + " Hostile AG"
	xssTitle2    = `<iframe src="` + jsURL("title2") + `"></iframe>`
	xssReferrer  = jsURL("referrer")
	xssReferrer2 = `https://ref.example/"><img src=x onerror="` + run("referrer2") + `">`
	xssContact   = imgPayload("contact") + " Mallory"
	xssRole      = svgPayload("role") + " Buyer"
)

// TestHostileTextInBrowser: page titles, referrers, UTM values, company,
// workspace and site names that carry HTML and script are shown by the
// app's pages as text. In Chromium, with the pages' security policy and
// again with the policy bypassed (so that escaping alone must hold), each
// page shows the values literally, holds no element they would inject,
// runs none of their script (no dialog, no window.__xss) and links nowhere
// with javascript:. The values arrive as a real visit through the tracker
// and the collector (title, UTM, company from the IP data) and as visits
// appended to the store (referrers the collector would not let through).
// Contacts' names and roles, shown by Persona Insights, likewise.
// Screenshots: xss-feed, xss-company, xss-company2, xss-activity,
// xss-contact, xss-overview, xss-sites.
func TestHostileTextInBrowser(t *testing.T) {
	t.Parallel()
	res := hostileIPData(t)
	f := startFoyerWith(t, res, "203.0.113.9")
	st := f.app.Store
	ctx := context.Background()
	ws := &foyer.Workspace{Name: xssWorkspace}
	if err := st.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	site := &foyer.Site{WorkspaceID: ws.ID, Key: "xss", Name: xssSite, Hostnames: []string{"localhost"}}
	if err := st.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}

	// A visit through the tracker, from the hostile company's network.
	w := startWeb(t, f.URL, map[string]pageSpec{"xss": {Title: xssTitle, Site: "xss", Next: "/xss/two"}})
	browser := newBrowser(t)
	visitor := newTab(t, browser)
	q := fmt.Sprintf("?utm_source=%s&utm_medium=%s&utm_campaign=%s", url.QueryEscape(xssSource), url.QueryEscape(xssMedium), url.QueryEscape(xssCampaign))
	do(t, visitor, "visit the site", chromedp.Navigate(w.Site+"/xss/start"+q))
	waitTracker(t, visitor)
	evs := f.waitEvents(t, ctx, site, "the page view", func(evs []*foyer.StoredEvent) bool { return len(evs) > 0 })
	if e := evs[0]; e.Title != xssTitle || e.UTMSource != xssSource || e.UTMMedium != xssMedium || e.UTMCampaign != xssCampaign || e.Company != xssCompany {
		t.Fatalf("the collector did not store the values as sent: %+v", e)
	}

	// Visits with referrers a browser would not send, the first one
	// identified (Persona Insights) as a contact whose name and role are
	// hostile.
	if err := st.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	mallory := &foyer.Contact{WorkspaceID: ws.ID, Email: "mallory@hostile.example", FirstName: xssContact, Role: xssRole}
	if err := st.CreateContact(ctx, mallory, "test"); err != nil {
		t.Fatal(err)
	}
	hostile2 := foyer.Origin{Country: "CH", Org: foyer.Org{Name: xssCompany2, Domain: "hostile.example", Type: foyer.OrgBusiness}}
	at := time.Now().Add(-time.Minute)
	if err := st.Append(ctx, []foyer.Hit{
		{SiteID: site.ID, VisitorUID: "visitor-xss-0000001", Time: at, Kind: foyer.KindPageview, Host: "localhost",
			Path: "/direct", Title: xssTitle2, Referrer: xssReferrer, Origin: hostile2},
		{SiteID: site.ID, VisitorUID: "visitor-xss-0000001", Time: at.Add(time.Second), Kind: foyer.KindIdentify, Host: "localhost",
			ContactID: mallory.ID, Via: foyer.ViaForm, Origin: hostile2},
		{SiteID: site.ID, VisitorUID: "visitor-xss-0000002", Time: at, Kind: foyer.KindPageview, Host: "localhost",
			Path: "/direct", Title: "Plain", Referrer: xssReferrer2, Origin: hostile2},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: at.Add(-time.Hour), To: time.Now().Add(time.Hour)})
	if err != nil || len(rows) != 2 {
		t.Fatalf("feed: %+v, %v", rows, err)
	}
	companyID := map[string]int64{}
	for _, r := range rows {
		companyID[r.Name] = r.ID
	}

	u := f.member(t, "ana@example.com", ws.ID, foyer.RoleOwner)

	app := fmt.Sprintf("%s/app/w/%d", f.URL, ws.ID)
	pages := []struct {
		name, url string
		shows     []string // text the page must show literally
		title     string   // the document's title, when it names hostile text
	}{
		{"app", f.URL + "/app", []string{xssWorkspace}, ""},
		{"feed", app, []string{xssWorkspace, xssCompany, xssIndustry, xssCompany2}, xssWorkspace + " · Foyer"},
		{"company", fmt.Sprintf("%s/c/%d", app, companyID[xssCompany]),
			[]string{xssCompany, xssIndustry, xssTitle, "from " + xssSource + " (" + xssMedium + "), campaign " + xssCampaign}, xssCompany + " · Foyer"},
		{"company2", fmt.Sprintf("%s/c/%d", app, companyID[xssCompany2]),
			[]string{xssCompany2, xssTitle2, "from " + xssReferrer, "from " + xssReferrer2, xssContact + ", " + xssRole}, xssCompany2 + " · Foyer"},
		{"activity", app + "/activity", []string{xssSite, xssCompany, xssCompany2, xssTitle2, xssContact + ", " + xssRole}, ""},
		{"contact", fmt.Sprintf("%s/contacts/%d", app, mallory.ID), []string{xssContact, xssRole, xssCompany2, "on " + xssSite}, xssContact + " · Foyer"},
		{"overview", fmt.Sprintf("%s/sites/%d", app, site.ID),
			// A javascript: referrer is the source "javascript" here: sources
			// are normalised; the company page shows the referrer itself.
			[]string{xssSite, xssSource, "javascript", "ref.example"}, ""},
		{"sites", app + "/sites", []string{xssSite, xssWorkspace}, ""},
	}
	for _, bypass := range []bool{false, true} {
		tab := newTab(t, browser)
		dialogs := watchDialogs(t, tab)
		if bypass {
			if _, err := chromedp.Call(tab, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
				t.Fatalf("bypass the policy: %v", err)
			}
		}
		do(t, tab, "open sign-in", chromedp.Navigate(f.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), u.Email),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
		clickAndLoad(t, tab, `button[type=submit]`)
		for _, p := range pages {
			what := p.name
			if bypass {
				what += " (policy bypassed)"
			}
			do(t, tab, "open "+what, chromedp.Navigate(p.url), chromedp.WaitReady(chromedp.CSS(`main`)))
			checkInert(t, tab, what, p.shows, p.title)
			if d := dialogs(); len(d) > 0 {
				t.Errorf("%s: script ran and opened dialogs %q", what, d)
			}
			if !bypass && p.name != "app" {
				screenshot(t, tab, "xss-"+p.name)
			}
		}
	}
}

// checkInert checks the page in the tab: the hostile text shows literally,
// nothing it carries became an element, ran, or became a javascript: link.
func checkInert(t *testing.T, tab context.Context, what string, shows []string, title string) {
	t.Helper()
	text := eval[string](t, tab, `document.body.textContent`)
	for _, s := range shows {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not show %q as text", what, s)
		}
	}
	if title != "" {
		check(t, what+": document title", eval[string](t, tab, `document.title`), title)
	}
	injected := eval[[]string](t, tab, `[...document.querySelectorAll(
		'script, img, iframe, object, embed, svg:not(.chart), b, [onerror], [onload], [onmouseover], [onclick], [src^="javascript:" i]'
	)].map((e) => e.outerHTML)`)
	if len(injected) > 0 {
		t.Errorf("%s holds injected elements: %q", what, injected)
	}
	if v := eval[string](t, tab, `String(window.__xss)`); v != "undefined" {
		t.Errorf("%s ran the script of %q", what, v)
	}
	links := eval[[]string](t, tab, `[...document.querySelectorAll('a[href], area[href], form[action]')]
		.map((e) => (e.getAttribute('href') ?? e.getAttribute('action')).trim())
		.filter((h) => /^(javascript|data|vbscript):/i.test(h.replace(/[\u0000-\u0020]/g, '')))`)
	if len(links) > 0 {
		t.Errorf("%s links to script: %q", what, links)
	}
}

// watchDialogs dismisses every JavaScript dialog the tab opens and
// returns a func that lists the messages of those opened since its last
// call.
func watchDialogs(t *testing.T, tab context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var msgs []string
	err := chromedp.Listen(tab, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			msgs = append(msgs, ev.Message)
			mu.Unlock()
			go chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err != nil {
		t.Fatalf("listen for dialogs: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := msgs
		msgs = nil
		return out
	}
}

// hostileIPData is IP data in which 203.0.113.0/24 belongs to a company
// whose name and industry are hostile.
func hostileIPData(t *testing.T) *ipdata.Resolver {
	t.Helper()
	csvField := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	b := ipdata.NewBuilder()
	line := fmt.Sprintf("203.0.113.0/24,%s,evil.example,%s,50-199,DE\n", csvField(xssCompany), csvField(xssIndustry))
	if err := b.AddCompaniesCSV(strings.NewReader(line), ipdata.Source{Name: "companies.csv"}); err != nil {
		t.Fatal(err)
	}
	return resolverOf(t, b)
}

// resolverOf writes the builder's table to a file and puts it in service,
// the way Foyer loads its IP data.
func resolverOf(t *testing.T, b *ipdata.Builder) *ipdata.Resolver {
	t.Helper()
	tab, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), ipdata.FileName)
	if err := tab.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	res := ipdata.NewResolver(path)
	if _, err := res.Load(); err != nil {
		t.Fatal(err)
	}
	return res
}
