package browser_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
)

// TestInvitationForAnAccount: someone who has an account elsewhere opens an
// invitation, signs in on it (through the sign-in form's gate), comes back
// to it signed in and joins. Their forgotten password has a page of its
// own, which says that this Foyer mails nothing. Screenshots:
// invite-signed-out, invite-join, forgot.
func TestInvitationForAnAccount(t *testing.T) {
	f := startFoyer(t)
	acme, initech := f.newSite(t, "invite-acme"), f.newSite(t, "invite-initech")
	f.member(t, "olga@example.com", acme.WorkspaceID, foyer.RoleOwner)
	f.member(t, "bob@example.com", initech.WorkspaceID, foyer.RoleOwner)
	browser := newBrowser(t)

	o := newTab(t, browser)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "olga@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)
	do(t, o, "members", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d/members", acme.WorkspaceID)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/invites"] input[name=email]`), "bob@example.com"))
	clickAndLoad(t, o, `form[action$="/invites"] button`)
	link := strings.TrimSpace(eval[string](t, o, `document.querySelector('textarea').value`))

	b := newTab(t, browser)
	errs := watchErrors(t, b)
	do(t, b, "open the invitation", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	screenshot(t, b, "invite-signed-out")
	do(t, b, "forgot", chromedp.Click(chromedp.CSS(`a[href="/login/forgot"]`)), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	check(t, "no relay said", strings.Contains(eval[string](t, b, `document.querySelector('main').textContent`), "cannot send email"), true)
	screenshot(t, b, "forgot")
	do(t, b, "back to the invitation", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action="/login"] input[name=password]`), "correct horse battery"))
	clickAndLoad(t, b, `form[action="/login"] button`)
	check(t, "back on the invitation", strings.HasPrefix(eval[string](t, b, `location.pathname`), "/invite/"), true)
	check(t, "signed in as", strings.Contains(eval[string](t, b, `document.querySelector('main').textContent`), "You are signed in as bob@example.com"), true)
	screenshot(t, b, "invite-join")
	clickAndLoad(t, b, `form[action^="/invite/"] button`)
	check(t, "joined", eval[string](t, b, `location.pathname`), fmt.Sprintf("/app/w/%d", acme.WorkspaceID))
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}
