package browser_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
)

// TestSiteSettingsInBrowser: an owner makes a site require consent,
// excludes a path and keeps the query parameter "page" on its settings page;
// the snippet then says data-consent="required". A page with that snippet
// sends and stores nothing until foyer.consent(true), then stores its page
// views, except on the excluded path (also when written "//…;x"), with only
// the kept query parameter and an e-mail address in the title replaced by
// ":email"; a page still carrying the old snippet sends without
// consent, and the collector refuses and stores none of it. Screenshots:
// site-settings, site-settings-saved.
func TestSiteSettingsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	st := f.app.Store
	ctx0 := context.Background()
	site := f.newSite(t, "settings")
	owner := f.member(t, "olga@example.com", site.WorkspaceID, foyer.RoleOwner)
	browser := newBrowser(t)

	// The owner changes the settings.
	o := newTab(t, browser)
	oerrs := watchErrors(t, o)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)
	settings := fmt.Sprintf("/app/w/%d/sites/%d/settings", site.WorkspaceID, site.ID)
	do(t, o, "the sites page", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d/sites", site.WorkspaceID)), chromedp.WaitVisible(chromedp.CSS(`.badges`)))
	clickAndLoad(t, o, `.badges a[href$="/settings"]`)
	check(t, "settings page", eval[string](t, o, `location.pathname`), settings)
	check(t, "tracks without asking", eval[bool](t, o, `document.querySelector('input[name=consent][value=none]').checked`), true)
	do(t, o, "require consent", chromedp.Click(chromedp.CSS(`input[name=consent][value=required]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=excluded_paths]`), "/consent/private/"),
		chromedp.SendKeys(chromedp.CSS(`input[name=keep_params]`), "Page"))
	screenshot(t, o, "site-settings")
	clickAndLoad(t, o, `form.settings button[type=submit]`)
	check(t, "saved", strings.Contains(eval[string](t, o, `document.querySelector('.notice') ? document.querySelector('.notice').textContent : ''`), "Settings saved."), true)
	check(t, "consent required", eval[bool](t, o, `document.querySelector('input[name=consent][value=required]').checked`), true)
	snippet := eval[string](t, o, `document.querySelector('textarea[readonly]').value`)
	m := regexp.MustCompile(`data-site="settings" data-consent="(\w+)"></script>$`).FindStringSubmatch(snippet)
	if m == nil {
		t.Fatalf("the snippet after saving: %s", snippet)
	}
	screenshot(t, o, "site-settings-saved")
	stored, err := st.SiteByKey(ctx0, "settings")
	if err != nil || stored.Consent != foyer.ConsentRequired || strings.Join(stored.ExcludedPaths, ",") != "/consent/private/" ||
		strings.Join(stored.KeepParams, ",") != "page" {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	w := startWeb(t, f.URL, map[string]pageSpec{
		"consent": {Title: "Consent", Site: "settings", Consent: m[1], Next: "/consent/step2"}, // the new snippet
		"stale":   {Title: "Stale", Site: "settings", Next: "/stale/step2"},                    // the snippet from before
	})

	// The page with the new snippet: nothing before consent.
	c := newTab(t, browser)
	cerrs := watchErrors(t, c)
	do(t, c, "open the page", chromedp.Navigate(w.Site+"/consent/start"))
	waitTracker(t, c)
	beActive(t, c, 300*time.Millisecond)
	do(t, c, "click the pushState button", chromedp.Click(chromedp.CSS("#next")))
	f.expectQuiet(t, c, site, 0, "before consent")
	if evs := f.events(t, ctx0, site); len(evs) > 0 {
		t.Errorf("stored events before consent:\n%s", dumpEvents(evs))
	}
	checkNoFoyerCookies(t, c, w.Site)

	// After consent: stored, flagged, but not on the excluded path.
	do(t, c, "give consent", chromedp.Evaluate[chromedp.Void]("foyer.consent(true)"))
	do(t, c, "an excluded page", chromedp.Evaluate[chromedp.Void](`history.pushState({}, '', '/consent/private/account')`))
	// The excluded path written to sidestep the pattern.
	do(t, c, "the excluded page again", chromedp.Evaluate[chromedp.Void](`history.pushState({}, '', '/consent//private;x/account2')`))
	// A page reached from a tracked email: an address in the title, the
	// names and an email tool's ID in parameters the site does not keep.
	do(t, c, "a page after it", chromedp.Evaluate[chromedp.Void](`document.title = 'Inbox – quincella.vandersloot@example.com';
		history.pushState({}, '', '/consent/step3?fy_fn=Quincella&page=2&fy_ln=Vandersloot&mc_eid=zq4711')`))
	evs := f.waitEvents(t, ctx0, site, "the page views after consent", func(evs []*foyer.StoredEvent) bool {
		return find(evs, "pageview", "/consent/step2") != nil && find(evs, "pageview", "/consent/step3?page=2") != nil
	})
	for _, e := range evs {
		if strings.Contains(e.Path, "private") {
			t.Errorf("an event of the excluded path was stored: %+v", e)
		}
	}
	if e := find(evs, "pageview", "/consent/step3?page=2"); e.Title != "Inbox – :email" {
		t.Errorf("the title was stored as %q, want %q", e.Title, "Inbox – :email")
	}
	reqs := f.answered(t, "settings", 2)
	private := 0
	for _, r := range reqs {
		if !r.Payload.Consent || r.Status != 202 && r.Status != 204 {
			t.Errorf("a request after consent: %d, consent %v: %s", r.Status, r.Payload.Consent, r.Body)
		}
		if strings.Contains(r.Body, "/consent/private/account") || strings.Contains(r.Body, "/consent//private;x/account2") {
			private++
		}
	}
	if private < 2 {
		t.Errorf("the tracker never sent the excluded page's view, so its exclusion was not tested:\n%s", dumpRequests(reqs))
	}

	// A page that still carries the old snippet sends without asking: the
	// collector refuses it and stores nothing of it.
	s := newTab(t, browser)
	do(t, s, "open the stale page", chromedp.Navigate(w.Site+"/stale/start"))
	waitTracker(t, s)
	var stale []collectRequest
	for deadline := time.Now().Add(waitFor); len(stale) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, r := range f.answered(t, "settings", 0) {
			if strings.Contains(r.Body, "/stale/") {
				stale = append(stale, r)
			}
		}
	}
	if len(stale) == 0 {
		t.Fatal("the stale page sent nothing")
	}
	for _, r := range stale {
		if r.Status != 403 || r.Payload.Consent {
			t.Errorf("the stale page's request: %d, consent %v; want 403 without consent: %s", r.Status, r.Payload.Consent, r.Body)
		}
	}
	for _, e := range f.events(t, ctx0, site) {
		if strings.HasPrefix(e.Path, "/stale") {
			t.Errorf("an event of the stale page was stored: %+v", e)
		}
	}
	if e := append(oerrs(), cerrs()...); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}
