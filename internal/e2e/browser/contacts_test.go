package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
)

// TestContactsInBrowser: an analyst adds a contact by the form, finds it
// in the list by a word of its last name written without its accent,
// opens its profile, records a refusal with a reason and sees the tracking
// status and the Consents section change; an owner switches the workspace
// to opt-in mode and the list marks an unanswered contact as not tracked.
// Screenshots: contacts-list, contact-refused, contacts-opt-in.
func TestContactsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "contacts")
	ws := site.WorkspaceID
	f.member(t, "ana@example.com", ws, foyer.RoleAnalyst)
	f.member(t, "olga@example.com", ws, foyer.RoleOwner)
	if err := f.app.Store.CreateContact(context.Background(), &foyer.Contact{WorkspaceID: ws, Email: "bob@initrode.example", FirstName: "Bob"}, "test"); err != nil {
		t.Fatal(err)
	}
	tab := newTab(t, newBrowser(t))
	errs := watchErrors(t, tab)
	signIn := func(email string) {
		do(t, tab, "sign in as "+email, chromedp.Navigate(f.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
		clickAndLoad(t, tab, `button[type=submit]`)
	}
	signIn("ana@example.com")
	list := fmt.Sprintf("%s/app/w/%d/contacts", f.URL, ws)
	do(t, tab, "open the list", chromedp.Navigate(list))
	clickAndLoad(t, tab, `nav.links a[href$="/contacts/new"]`)
	do(t, tab, "fill the form",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "Hana.Nowak@Globex.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name=first_name]`), "Hana"),
		chromedp.SendKeys(chromedp.CSS(`input[name=last_name]`), "Nowák"),
		chromedp.SendKeys(chromedp.CSS(`input[name=company]`), "Globex"),
		chromedp.SetValue(chromedp.CSS(`select[name=consent]`), "accepted"))
	clickAndLoad(t, tab, `form.contact-form button[type=submit]`)
	check(t, "added", strings.HasPrefix(eval[string](t, tab, `document.querySelector('.notice').textContent`), "The contact is added"), true)

	do(t, tab, "search", chromedp.Navigate(list), chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "nowak"))
	clickAndLoad(t, tab, `form.contact-search button`)
	check(t, "one match", eval[int](t, tab, `document.querySelectorAll('table.contacts tbody tr').length`), 1)
	check(t, "the match", eval[string](t, tab, `document.querySelector('table.contacts tbody td.email').textContent`), "hana.nowak@globex.example")
	screenshot(t, tab, "contacts-list")
	clickAndLoad(t, tab, `table.contacts tbody a`)
	check(t, "the profile", eval[string](t, tab, `document.querySelector('h1').textContent`), "Hana Nowák")
	check(t, "accepted", eval[string](t, tab, `document.querySelector('dd.tracking-status strong').textContent`), "Accepted")

	do(t, tab, "refuse", chromedp.SetValue(chromedp.CSS(`form.consent-form select[name=status]`), "refused"),
		chromedp.SendKeys(chromedp.CSS(`form.consent-form input[name=reason]`), "asked by phone, ticket 4711"))
	clickAndLoad(t, tab, `form.consent-form button`)
	check(t, "refused", eval[string](t, tab, `document.querySelector('dd.tracking-status strong').textContent`), "Refused")
	check(t, "not tracked", eval[bool](t, tab, `document.querySelector('dd.tracking-status').textContent.includes('not tracked')`), true)
	check(t, "two entries", eval[int](t, tab, `document.querySelectorAll('ol.history li').length`), 2)
	check(t, "the reason", eval[bool](t, tab, `document.querySelector('ol.history li').textContent.includes('ticket 4711')`), true)
	screenshot(t, tab, "contact-refused")

	do(t, tab, "sign out", chromedp.Navigate(f.URL+"/app"))
	clickAndLoad(t, tab, `form[action="/logout"] button`)
	signIn("olga@example.com")
	do(t, tab, "settings", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/settings", f.URL, ws)),
		chromedp.Click(chromedp.CSS(`input[name=mode][value=opt-in]`)))
	clickAndLoad(t, tab, `form[action$="/tracking-mode"] button`)
	check(t, "switched", strings.HasPrefix(eval[string](t, tab, `document.querySelector('.notice').textContent`), "The tracking mode is saved"), true)
	do(t, tab, "the list again", chromedp.Navigate(list+"?q=bob"))
	check(t, "bob not tracked", eval[bool](t, tab, `document.querySelector('table.contacts tbody tr').textContent.includes('not tracked')`), true)
	screenshot(t, tab, "contacts-opt-in")
	if e := errs(); len(e) > 0 {
		t.Errorf("browser errors: %v", e)
	}
}
