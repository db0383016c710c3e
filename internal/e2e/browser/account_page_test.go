package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestAccountPageInBrowser: a user signed in on two browsers opens the
// account page from the header on one, sees both sessions with their
// browsers, this one marked, and revokes the other, which is then signed
// out; after signing in there again, a password change on the first
// signs the second out and keeps the first. Screenshot: account.
func TestAccountPageInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	u := f.member(t, "ana@example.com", 0, "")
	browser := newBrowser(t)
	signIn := func(tab context.Context, password string) {
		t.Helper()
		do(t, tab, "open sign-in", chromedp.Navigate(f.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), u.Email),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password))
		clickAndLoad(t, tab, `button[type=submit]`)
		check(t, "signed in", eval[string](t, tab, `location.pathname`), "/app")
	}
	signedOut := func(tab context.Context) bool {
		do(t, tab, "open the app", chromedp.Navigate(f.URL+"/app"), chromedp.WaitReady(chromedp.CSS(`main`)))
		return eval[string](t, tab, `location.pathname`) == "/login"
	}
	rows := func(tab context.Context) []string {
		return eval[[]string](t, tab, `[...document.querySelectorAll('table.sessions tbody tr')].map((r) => r.cells[0].textContent.trim())`)
	}

	here := newTab(t, browser)
	errs := watchErrors(t, here)
	signIn(here, "correct horse battery")
	other := newTab(t, browser)
	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	if _, err := chromedp.Call(other, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: firefox}); err != nil {
		t.Fatal(err)
	}
	signIn(other, "correct horse battery")

	clickAndLoad(t, here, `header a.who`)
	check(t, "account page", eval[string](t, here, `location.pathname`), "/account")
	got := rows(here)
	if len(got) != 2 || !strings.Contains(strings.Join(got, "|"), "Chrome on Linux this session") || !strings.Contains(strings.Join(got, "|"), "Firefox on Linux") {
		t.Fatalf("sessions listed: %q", got)
	}
	check(t, "marked", eval[string](t, here, `document.querySelector('tr.current td').textContent.trim()`), "Chrome on Linux this session")
	screenshot(t, here, "account")

	clickAndLoad(t, here, `table.sessions tr:not(.current) form button`)
	check(t, "notice", eval[string](t, here, `document.querySelector('.notice').textContent`), "That session is signed out.")
	check(t, "sessions left", len(rows(here)), 1)
	check(t, "the other browser signed out", signedOut(other), true)

	signIn(other, "correct horse battery")
	do(t, here, "reload", chromedp.Navigate(f.URL+"/account"), chromedp.WaitVisible(chromedp.CSS(`input[name=current]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=current]`), "wrong password!"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a brand new password"),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm]`), "a brand new password"))
	clickAndLoad(t, here, `form[action="/account/password"] button`)
	check(t, "wrong current password", eval[string](t, here, `document.querySelector('.error').textContent`), "Your current password is wrong.")
	do(t, here, "change the password",
		chromedp.SendKeys(chromedp.CSS(`input[name=current]`), "correct horse battery"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a brand new password"),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm]`), "a brand new password"))
	clickAndLoad(t, here, `form[action="/account/password"] button`)
	check(t, "changed", strings.HasPrefix(eval[string](t, here, `document.querySelector('.notice').textContent`), "Your password is changed."), true)
	check(t, "the other browser signed out by the change", signedOut(other), true)
	check(t, "this browser still signed in", signedOut(here), false)
	signIn(other, "a brand new password")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}
