package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
)

// TestSiteLifeInBrowser: an owner of a workspace without a site is told
// to add one, adds it on the sites page, is told on the site's page and on
// the feed to check the snippet, sends a test visit that the server's own
// collector accepts over HTTP, reloads a page a form sent it to, opens a
// form's address by hand, and deletes the site from its danger zone, first
// with a wrong name. Screenshots: feed-no-site, sites-empty, sites-added,
// feed-no-visit, overview-empty, overview-test-visit, site-danger-zone,
// site-delete-refused, site-deleted.
func TestSiteLifeInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	ctx0 := context.Background()
	ws := &foyer.Workspace{Name: "Lifecycle"}
	if err := f.app.Store.CreateWorkspace(ctx0, ws); err != nil {
		t.Fatal(err)
	}
	owner := f.member(t, "lia@example.com", ws.ID, foyer.RoleOwner)
	o := newTab(t, newBrowser(t))
	errs := watchErrors(t, o)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)
	text := func(sel string) string {
		t.Helper()
		return eval[string](t, o, `(document.querySelector('`+sel+`') || {textContent: ''}).textContent`)
	}

	feed := fmt.Sprintf("%s/app/w/%d", f.URL, ws.ID)
	do(t, o, "the feed", chromedp.Navigate(feed))
	check(t, "the feed without a site", strings.Contains(text(`#start`), "No site yet"), true)
	screenshot(t, o, "feed-no-site")
	clickAndLoad(t, o, `#start a`)
	check(t, "the sites page", strings.Contains(text(`#no-site`), "No site yet."), true)
	screenshot(t, o, "sites-empty")
	do(t, o, "add a site", chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Lifecycle site"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=hostnames]`), "http://localhost/pricing"))
	clickAndLoad(t, o, `form[action$="/sites"] button[type=submit]`)
	check(t, "added", strings.Contains(text(`.notice`), "The site is added."), true)
	screenshot(t, o, "sites-added")
	sites, err := f.app.Store.Sites(ctx0, ws.ID)
	if err != nil || len(sites) != 1 {
		t.Fatalf("sites %v, %v", sites, err)
	}
	site := sites[0]
	// Reloading the page the form sent the browser to adds nothing.
	do(t, o, "reload", chromedp.Reload())
	if again, _ := f.app.Store.Sites(ctx0, ws.ID); len(again) != 1 {
		t.Fatalf("%d sites after a reload", len(again))
	}

	do(t, o, "the feed", chromedp.Navigate(feed))
	check(t, "the feed without a visit", strings.Contains(text(`#start`), "No visit has arrived yet"), true)
	check(t, "the feed's snippet", strings.Contains(eval[string](t, o, `document.querySelector('#start textarea').value`), `data-site="`+site.Key+`"`), true)
	screenshot(t, o, "feed-no-visit")
	do(t, o, "the sites page", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/sites", f.URL, ws.ID)))
	clickAndLoad(t, o, `.site h2 a`)
	overview := fmt.Sprintf("/app/w/%d/sites/%d", ws.ID, site.ID)
	check(t, "the site's page", eval[string](t, o, `location.pathname`), overview)
	check(t, "its empty state", strings.Contains(text(`#start`), "No visit has arrived yet"), true)
	screenshot(t, o, "overview-empty")
	clickAndLoad(t, o, `#start button[type=submit]`)
	check(t, "test visit accepted", text(`.notice`), "The collector accepted the test visit. It counts on the site's page as a visit of no company: this server's own address belongs to none.")
	check(t, "the empty state is gone", text(`#start`), "")
	screenshot(t, o, "overview-test-visit")
	if reqs := f.requests(site.Key); len(reqs) != 1 || reqs[0].Status != 202 || reqs[0].Payload.Events[0].URL != "https://localhost/" {
		t.Errorf("requests to /collect: %+v", reqs)
	}
	if evs := f.events(t, ctx0, site); len(evs) != 1 || evs[0].Title != "Foyer test visit" {
		t.Errorf("stored: %s", dumpEvents(evs))
	}
	// The test visit's address typed by hand goes to the site's page.
	do(t, o, "GET the form's path", chromedp.Navigate(f.URL+overview+"/test-visit"))
	check(t, "no 405", eval[string](t, o, `location.pathname`), overview)

	// The danger zone: a wrong name deletes nothing.
	do(t, o, "settings", chromedp.Navigate(f.URL+overview+"/settings"))
	do(t, o, "to the danger zone", chromedp.ScrollIntoView(chromedp.CSS(`#danger`)))
	screenshot(t, o, "site-danger-zone")
	do(t, o, "a wrong name", chromedp.SendKeys(chromedp.CSS(`#danger input[name=confirm]`), "Lifecycle"))
	clickAndLoad(t, o, `#danger button[type=submit]`)
	check(t, "refused", strings.Contains(text(`#danger .error`), "Nothing was deleted"), true)
	check(t, "the typed name kept", eval[string](t, o, `document.querySelector('#danger input[name=confirm]').value`), "Lifecycle")
	screenshot(t, o, "site-delete-refused")
	if _, err := f.app.Store.SiteByID(ctx0, ws.ID, site.ID); err != nil {
		t.Fatalf("a refused delete deleted: %v", err)
	}
	do(t, o, "the right name", chromedp.SetValue(chromedp.CSS(`#danger input[name=confirm]`), "Lifecycle site"))
	clickAndLoad(t, o, `#danger button[type=submit]`)
	check(t, "deleted", strings.Contains(text(`.notice`), "The site was deleted"), true)
	check(t, "no site left", strings.Contains(text(`#no-site`), "No site yet."), true)
	screenshot(t, o, "site-deleted")
	if _, err := f.app.Store.SiteByID(ctx0, ws.ID, site.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("the site after the delete: %v", err)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}
}
