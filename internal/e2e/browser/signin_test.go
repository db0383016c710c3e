package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// TestSignInInBrowser signs in through the form in Chromium: a page behind
// sign-in sends the browser to the form, a wrong password is refused, the
// right one opens the app, whose session cookie no script can read, and
// signing out ends it. The pages run without a single script or a policy
// violation. Screenshots: signin, app.
func TestSignInInBrowser(t *testing.T) {
	f := startFoyer(t)
	st := f.app.Store
	ctx0 := context.Background()
	hash, err := auth.HashPassword("correct horse battery", auth.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	u := &foyer.User{Email: "ana@example.com", Name: "Ana", PasswordHash: hash}
	ws := &foyer.Workspace{Name: `Acme <img src=x onerror="document.title='pwned'">`}
	if err := st.CreateUser(ctx0, u); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateWorkspace(ctx0, ws); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMembership(ctx0, foyer.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: foyer.RoleOwner}); err != nil {
		t.Fatal(err)
	}

	ctx := newTab(t, newBrowser(t))
	errs := watchErrors(t, ctx)
	do(t, ctx, "open the app", chromedp.Navigate(f.URL+"/app"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)))
	check(t, "redirected to", strings.TrimPrefix(eval[string](t, ctx, `location.href`), f.URL), "/login")
	screenshot(t, ctx, "signin")

	do(t, ctx, "sign in wrongly",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "wrong password!"))
	clickAndLoad(t, ctx, `button[type=submit]`)
	check(t, "the error", eval[string](t, ctx, `document.querySelector('.error') ? document.querySelector('.error').textContent : ''`),
		"The email or the password is wrong.")
	check(t, "email kept", eval[string](t, ctx, `document.querySelector('input[name=email]').value`), "ana@example.com")

	do(t, ctx, "sign in", chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, ctx, `button[type=submit]`)
	do(t, ctx, "wait for the app", chromedp.WaitVisible(chromedp.CSS(`ul.plain li`)))
	check(t, "signed in at", strings.TrimPrefix(eval[string](t, ctx, `location.href`), f.URL), "/app")
	check(t, "workspace shown as text", eval[string](t, ctx, `document.querySelector('ul.plain li strong').textContent`), ws.Name)
	check(t, "no injected image", eval[int](t, ctx, `document.querySelectorAll('main img').length`), 0)
	check(t, "title untouched", eval[string](t, ctx, `document.title`), "Workspaces · Foyer")
	check(t, "cookie hidden from scripts", strings.Contains(eval[string](t, ctx, `document.cookie`), "foyer_session"), false)
	c := cookies(t, ctx, f.URL)["foyer_session"]
	if c == nil || !c.HTTPOnly || !c.Secure || string(c.SameSite) != "Lax" {
		t.Errorf("session cookie %+v", c)
	}
	screenshot(t, ctx, "app")

	clickAndLoad(t, ctx, `form[action="/logout"] button`)
	check(t, "after signing out", strings.TrimPrefix(eval[string](t, ctx, `location.href`), f.URL), "/login")
	do(t, ctx, "open the app again", chromedp.Navigate(f.URL+"/app"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)))
	check(t, "signed out", strings.TrimPrefix(eval[string](t, ctx, `location.href`), f.URL), "/login")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}
