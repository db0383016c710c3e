package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// TestFollowUpInBrowser: an owner whose browser speaks Japanese signs in
// for the first time and confirms the time zone the app guesses (Tokyo);
// then notes, tags and assigns a company on its page, finds the tags in the
// feed and filters it by tag and by "assigned to me", and sees the time
// zone on the account page and the members page. Screenshots: zone-prompt,
// company-follow-up, feed-tags, account-zone, members-zone.
func TestFollowUpInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "follow")
	ctx := context.Background()
	at := time.Now().Add(-time.Hour).Truncate(time.Minute)
	var hits []foyer.Hit
	for i, org := range []string{"Globex GmbH", "Hooli Inc"} {
		hits = append(hits, foyer.Hit{SiteID: site.ID, VisitorUID: fmt.Sprintf("visitor-%016d", i), Time: at.Add(-time.Duration(i) * time.Minute),
			Kind: foyer.KindPageview, Host: "localhost", Path: "/pricing",
			Origin: foyer.Origin{Country: "DE", Org: foyer.Org{Name: org, Type: foyer.OrgBusiness, Industry: "Manufacturing"}}})
	}
	if err := f.app.Store.Append(ctx, hits); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Store.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	f.member(t, "ana@example.com", site.WorkspaceID, foyer.RoleOwner)
	_, invHash := auth.NewToken()
	if err := f.app.Store.CreateLink(ctx, invHash, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: site.WorkspaceID,
		Email: "carl@example.com", Role: foyer.RoleViewer, ExpiresAt: time.Now().Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.member(t, "bob@example.com", site.WorkspaceID, foyer.RoleViewer)

	tab := newTab(t, newBrowser(t))
	errs := watchErrors(t, tab)
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}}); err != nil {
		t.Fatal(err)
	}
	do(t, tab, "open sign-in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, tab, `button[type=submit]`)
	check(t, "signed in", eval[string](t, tab, `location.pathname`), "/app")
	check(t, "the guess", eval[string](t, tab, `document.querySelector('form.zone-ask select').value`), "Asia/Tokyo")
	screenshot(t, tab, "zone-prompt")
	clickAndLoad(t, tab, `form.zone-ask button`)
	check(t, "confirmed", strings.HasPrefix(eval[string](t, tab, `document.querySelector('.notice').textContent`), "Your time zone is saved"), true)
	check(t, "asked no more", eval[int](t, tab, `document.querySelectorAll('form.zone-ask').length`), 0)

	clickAndLoad(t, tab, `ul.plain a`)
	check(t, "asked no more in the feed", eval[int](t, tab, `document.querySelectorAll('form.zone-ask').length`), 0)
	clickAndLoad(t, tab, `table.companies tbody tr:first-child td a`)
	check(t, "the company", eval[string](t, tab, `document.querySelector('h1').textContent`), "Globex GmbH")
	visit := eval[string](t, tab, `document.querySelector('ol.timeline strong').textContent`)
	check(t, "the visit in Tokyo's time", visit, at.In(tokyo(t)).Format("Mon 2 Jan 2006, 15:04 MST"))

	do(t, tab, "write a note", chromedp.SendKeys(chromedp.CSS(`textarea[name=body]`), "Called Hans.\nCall back in May."))
	clickAndLoad(t, tab, `form.note-form button`)
	check(t, "note saved", strings.HasPrefix(eval[string](t, tab, `document.querySelector('.notice').textContent`), "The note is saved"), true)
	for _, tag := range []string{"Hot lead", "Partner"} {
		do(t, tab, "tag "+tag, chromedp.SendKeys(chromedp.CSS(`form[action$="/tags"] input[name=tag]`), tag))
		clickAndLoad(t, tab, `form[action$="/tags"] button`)
	}
	do(t, tab, "choose Ana", chromedp.SetValue(chromedp.CSS(`select[name=user]`), eval[string](t, tab,
		`[...document.querySelectorAll('select[name=user] option')].find((o) => o.textContent === 'ana@example.com').value`)))
	clickAndLoad(t, tab, `form[action$="/assignee"] button`)
	check(t, "tags", eval[string](t, tab, `[...document.querySelectorAll('ul.tags li a')].map((a) => a.textContent).join(',')`), "Hot lead,Partner")
	check(t, "assigned", eval[string](t, tab, `document.querySelector('select[name=user] option:checked').textContent`), "ana@example.com")
	check(t, "the note", eval[string](t, tab, `document.querySelector('.note-body').innerText`), "Called Hans.\nCall back in May.")
	screenshot(t, tab, "company-follow-up")

	clickAndLoad(t, tab, `p.crumbs a`)
	check(t, "chips", eval[string](t, tab, `[...document.querySelectorAll('table.companies tbody tr:first-child .tag')].map((a) => a.textContent).join(',')`), "Hot lead,Partner")
	title := eval[string](t, tab, `document.querySelector('table.companies tbody tr:first-child time').title`)
	check(t, "last visit's tooltip in Tokyo's time", title, at.In(tokyo(t)).Format("Mon 2 Jan 2006, 15:04 MST"))
	screenshot(t, tab, "feed-tags")
	rows := func() []string {
		return eval[[]string](t, tab, `[...document.querySelectorAll('table.companies tbody tr td strong')].map((s) => s.textContent)`)
	}
	check(t, "both companies", len(rows()), 2)
	clickAndLoad(t, tab, `table.companies .tag`)
	check(t, "by tag", strings.Join(rows(), ","), "Globex GmbH")
	eval[bool](t, tab, `document.querySelector('form.filters input[name=tag]').value = '';
		document.querySelector('form.filters select[name=assigned]').value = 'me'; true`)
	clickAndLoad(t, tab, `form.filters button`)
	check(t, "assigned to me", strings.Join(rows(), ","), "Globex GmbH")
	check(t, "the filter in the address", strings.Contains(eval[string](t, tab, `location.search`), "assigned=me"), true)

	clickAndLoad(t, tab, `header a.who`)
	check(t, "the zone on the account page", eval[string](t, tab, `document.querySelector('#time-zone select').value`), "Asia/Tokyo")
	check(t, "sessions in Tokyo's time", strings.HasSuffix(eval[string](t, tab, `document.querySelector('table.sessions tbody tr td:nth-child(2)').textContent`), "JST"), true)
	screenshot(t, tab, "account-zone")
	do(t, tab, "open the members page", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/members", f.URL, site.WorkspaceID)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)))
	made := eval[string](t, tab, `document.querySelector('td[data-label=Made]').textContent`)
	check(t, "the invitation in Tokyo's time", strings.Contains(made, "JST") && !strings.Contains(made, "UTC"), true)
	screenshot(t, tab, "members-zone")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}

func tokyo(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
