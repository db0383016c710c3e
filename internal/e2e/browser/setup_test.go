package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	foyerweb "github.com/foyerhq/foyer/internal/web"
)

// TestFirstOwnerInBrowser signs up the first owner of a new installation
// in Chromium: the login page says how to begin, the setup link's form
// refuses two different passwords and then creates the owner and the
// workspace, and the owner adds the first site and gets its snippet.
// It begins where a new user does, at /: the landing page says where the
// setup link is, and its Sign in button leads to the login page.
// Screenshots: home-empty, login-empty, setup, first-site.
func TestFirstOwnerInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	ctx := context.Background()
	browser := newBrowser(t)
	tab := newTab(t, browser)
	errs := watchErrors(t, tab)
	path := func() string { return eval[string](t, tab, `location.pathname`) }
	text := func(sel string) string {
		return eval[string](t, tab, `(document.querySelector(`+"`"+sel+"`"+`) || {}).textContent || ''`)
	}

	do(t, tab, "landing page", chromedp.Navigate(f.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if n := text(".notice"); !strings.Contains(n, "Nobody can sign in yet") || !strings.Contains(n, "setup_url="+f.URL+"/setup/") {
		t.Errorf("the landing page's notice: %q", n)
	}
	screenshot(t, tab, "home-empty")
	clickAndLoad(t, tab, `a.button.primary`)
	check(t, "Sign in leads to the login page", path(), "/login")
	do(t, tab, "login page", chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if n := text(".notice"); !strings.Contains(n, "no accounts yet") || !strings.Contains(n, "/setup/") {
		t.Errorf("the login page's notice: %q", n)
	}
	screenshot(t, tab, "login-empty")

	link, err := foyerweb.NewSetupLink(ctx, f.app.Store) // what `foyer serve` logs
	if err != nil || link == "" {
		t.Fatalf("setup link %q, %v", link, err)
	}
	fill := func(confirm string) {
		do(t, tab, "fill the setup form", chromedp.Navigate(f.URL+link),
			chromedp.WaitVisible(chromedp.CSS(`input[name=workspace]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=workspace]`), "Acme <Corp>"),
			chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Olga Owner"),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "olga@example.com"),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"),
			chromedp.SendKeys(chromedp.CSS(`input[name=confirm]`), confirm))
	}
	fill("correct horse batteries")
	screenshot(t, tab, "setup")
	clickAndLoad(t, tab, `button[type=submit]`)
	if e := text(".error"); !strings.Contains(e, "differ") {
		t.Fatalf("two different passwords: error %q on %s", e, path())
	}
	if has, _ := f.app.Store.HasUsers(ctx); has {
		t.Fatal("a refused form made a user")
	}
	check(t, "the form keeps the workspace name", eval[string](t, tab, `document.querySelector('input[name=workspace]').value`), "Acme <Corp>")

	fill("correct horse battery")
	clickAndLoad(t, tab, `button[type=submit]`)
	ws, err := f.app.Store.WorkspaceByName(ctx, "Acme <Corp>")
	if err != nil {
		t.Fatalf("the workspace (page %s, error %q): %v", path(), text(".error"), err)
	}
	check(t, "lands on the sites page", path(), fmt.Sprintf("/app/w/%d/sites", ws.ID))
	u, err := f.app.Store.UserByEmail(ctx, "olga@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if role, err := f.app.Store.Role(ctx, ws.ID, u.ID); err != nil || role != foyer.RoleOwner {
		t.Errorf("role %q, %v", role, err)
	}
	if h := text("h1"); h != "Sites" {
		t.Errorf("heading %q", h)
	}

	do(t, tab, "add the first site",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Acme website"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=hostnames]`), "www.acme.example"))
	clickAndLoad(t, tab, `form[action$="/sites"] button`)
	snippet := eval[string](t, tab, `(document.querySelector('section.site textarea') || {}).value || ''`)
	if !strings.Contains(snippet, "/t.js") || !strings.Contains(snippet, "data-site=") {
		t.Errorf("the new site's snippet: %q", snippet)
	}
	screenshot(t, tab, "first-site")

	// The link is spent.
	do(t, tab, "the link again", chromedp.Navigate(f.URL+link), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	check(t, "the spent link's page", text("h1"), "Not found")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}

// TestSetupDemoChoiceInBrowser: on a demo installation the setup page asks
// how to start, with the demo site chosen; the owner types their own
// workspace name, keeps that choice, and lands on the demo's feed under
// their name. Screenshot: setup-demo.
func TestSetupDemoChoiceInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	ctx := context.Background()
	demo := &foyer.Workspace{Name: "Demo"}
	if err := f.app.Store.CreateWorkspace(ctx, demo); err != nil {
		t.Fatal(err)
	}
	if err := f.app.Store.CreateSite(ctx, &foyer.Site{WorkspaceID: demo.ID, Key: "demo", Name: "Demo site", Hostnames: []string{"localhost"}}); err != nil {
		t.Fatal(err)
	}
	link, err := foyerweb.NewSetupLink(ctx, f.app.Store)
	if err != nil || link == "" {
		t.Fatalf("setup link %q, %v", link, err)
	}
	tab := newTab(t, newBrowser(t))
	do(t, tab, "fill the setup form", chromedp.Navigate(f.URL+link),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.start`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("input[name=workspace]").value = ""`),
		chromedp.SendKeys(chromedp.CSS(`input[name=workspace]`), "Acme"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Olga Owner"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "olga@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm]`), "correct horse battery"))
	check(t, "the demo site is chosen", eval[bool](t, tab, `document.querySelector('input[name=start][value=demo]').checked`), true)
	screenshot(t, tab, "setup-demo")
	clickAndLoad(t, tab, `button[type=submit]`)
	check(t, "lands on the demo's feed", eval[string](t, tab, `location.pathname`), fmt.Sprintf("/app/w/%d", demo.ID))
	ws, err := f.app.Store.WorkspaceByID(ctx, demo.ID)
	if err != nil || ws.Name != "Acme" {
		t.Errorf("the demo's workspace: %+v, %v", ws, err)
	}
}
