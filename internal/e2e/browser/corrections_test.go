package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
)

// TestHideInBrowser: an owner opens a carrier that the IP data took for a
// business, says on its page that it is not a company, finds it gone from
// the feed and listed on the hidden organisations page, hides a
// competitor's domain there, and brings the carrier back with Undo; a
// hosting network the IP data left out is listed there too, and "This is
// a company" brings it into the feed.
// Screenshots: company-not-a-company, company-hidden, feed-hidden,
// overview-hidden, hidden-page, company-shown.
func TestHideInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "hide")
	ctx := context.Background()
	at := time.Now().Add(-time.Hour).Truncate(time.Minute)
	var hits []foyer.Hit
	for i, org := range []foyer.Org{
		{Name: "Example Telecom AG", ASN: 64510, Type: foyer.OrgBusiness},
		{Name: "Globex GmbH", Domain: "globex.example", ASN: 64511, Type: foyer.OrgBusiness, Industry: "Manufacturing"},
		{Name: "Example University", Domain: "uni.example", ASN: 64512, Type: foyer.OrgEducation},
		{Name: "Initrode Cloud Services Ltd", ASN: 64513, Type: foyer.OrgHosting},
	} {
		hits = append(hits, foyer.Hit{SiteID: site.ID, VisitorUID: fmt.Sprintf("visitor-%016d", i), Time: at.Add(-time.Duration(i) * time.Minute),
			Kind: foyer.KindPageview, Host: "localhost", Path: "/pricing", Origin: foyer.Origin{Country: "DE", Org: org}})
	}
	if err := f.app.Store.Append(ctx, hits); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Store.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	f.member(t, "ana@example.com", site.WorkspaceID, foyer.RoleOwner)

	tab := newTab(t, newBrowser(t))
	errs := watchErrors(t, tab)
	do(t, tab, "open sign-in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, tab, `button[type=submit]`)
	if eval[int](t, tab, `document.querySelectorAll('form.zone-ask').length`) > 0 {
		clickAndLoad(t, tab, `form.zone-ask button`)
	}
	feed := fmt.Sprintf("%s/app/w/%d", f.URL, site.WorkspaceID)
	listed := func() string {
		return eval[string](t, tab, `[...document.querySelectorAll('table.companies tbody strong')].map(e => e.textContent).sort().join(', ')`)
	}
	do(t, tab, "open the feed", chromedp.Navigate(feed))
	check(t, "the feed", listed(), "Example Telecom AG, Example University, Globex GmbH")

	clickAndLoad(t, tab, `table.companies a[href*="/c/"]`)
	check(t, "the company", eval[string](t, tab, `document.querySelector('h1').textContent`), "Example Telecom AG")
	do(t, tab, "open the control", chromedp.Click(chromedp.CSS(`details.not-company summary`)),
		chromedp.Click(chromedp.CSS(`details.not-company input[value=isp]`)))
	screenshot(t, tab, "company-not-a-company")
	clickAndLoad(t, tab, `details.not-company button[type=submit]`)
	check(t, "hidden", strings.HasPrefix(eval[string](t, tab, `document.querySelector('.hidden-note p').textContent`),
		"Hidden from the feed as Carrier (ISP or mobile) by ana@example.com"), true)
	screenshot(t, tab, "company-hidden")

	do(t, tab, "open the feed", chromedp.Navigate(feed))
	check(t, "the feed without the carrier", listed(), "Example University, Globex GmbH")
	screenshot(t, tab, "feed-hidden")
	do(t, tab, "open the site's overview", chromedp.Navigate(fmt.Sprintf("%s/sites/%d", feed, site.ID)))
	screenshot(t, tab, "overview-hidden")
	do(t, tab, "open the feed", chromedp.Navigate(feed))
	clickAndLoad(t, tab, `p.hidden-link a`)
	check(t, "the hidden page", eval[string](t, tab, `document.querySelector('h1').textContent`), "Hidden organisations")
	do(t, tab, "hide a domain", chromedp.SendKeys(chromedp.CSS(`input[name=domain]`), "www.Rival.example"),
		chromedp.Click(chromedp.CSS(`input[name=kind][value=competitor]`)))
	clickAndLoad(t, tab, `form[action$="/hidden/domain"] button`)
	do(t, tab, "hide education", chromedp.Click(chromedp.CSS(`input[name=type][value=education]`)))
	clickAndLoad(t, tab, `form[action$="/hidden/types"] button`)
	check(t, "listed", eval[string](t, tab, `[...document.querySelectorAll('table.hidden-orgs tbody tr td:first-child')].map(e => e.textContent).join(' | ')`),
		"rival.example (no visit yet) | Example Telecom AG")
	check(t, "left out", eval[string](t, tab, `[...document.querySelectorAll('table.left-out tbody tr td:first-child')].map(e => e.textContent).join(' | ')`),
		"Initrode Cloud Services Ltd AS64513")
	screenshot(t, tab, "hidden-page")

	clickAndLoad(t, tab, `table.hidden-orgs tbody tr:last-child button`)
	do(t, tab, "open the feed", chromedp.Navigate(feed))
	check(t, "the carrier back, education hidden", listed(), "Example Telecom AG, Globex GmbH")

	do(t, tab, "open the hidden page", chromedp.Navigate(feed+"/hidden"))
	clickAndLoad(t, tab, `table.left-out tbody tr:first-child button`)
	check(t, "the company shown", eval[string](t, tab, `document.querySelector('h1').textContent`), "Initrode Cloud Services Ltd")
	screenshot(t, tab, "company-shown")
	do(t, tab, "open the feed", chromedp.Navigate(feed))
	check(t, "the host shown as a company", listed(), "Example Telecom AG, Globex GmbH, Initrode Cloud Services Ltd")
	if e := errs(); len(e) > 0 {
		t.Errorf("browser errors: %q", e)
	}
}
