package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// TestAccountsInBrowser walks through accounts in Chromium: an owner signs
// in with a TOTP code, requires two-factor authentication of the workspace
// and invites a viewer by link; the viewer accepts, is made to set up
// two-factor authentication, makes new recovery codes (but may not turn it
// off), and then reads the feed but cannot export or manage members; the
// owner then makes the viewer an analyst and revokes another invitation.
// Screenshots: 2fa, members, enrol, recovery, 2fa-on, recovery-renewed,
// viewer-feed, members-role, members-revoked.
func TestAccountsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	st := f.app.Store
	ctx := context.Background()
	site := f.newSite(t, "accounts")
	owner := f.member(t, "olga@example.com", site.WorkspaceID, foyer.RoleOwner)
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	_, hashes := auth.NewRecoveryCodes(2)
	if err := st.SetTOTP(ctx, owner.ID, secret, 0, hashes); err != nil {
		t.Fatal(err)
	}
	totp := func(secret string) string {
		c, err := auth.TOTPCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	browser := newBrowser(t)
	path := func(ctx context.Context) string { return eval[string](t, ctx, `location.pathname`) }

	// The owner: password, then the code.
	o := newTab(t, browser)
	errs := watchErrors(t, o)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)
	check(t, "second step", path(o), "/login/2fa")
	screenshot(t, o, "2fa")
	do(t, o, "type the code", chromedp.SendKeys(chromedp.CSS(`input[name=code]`), totp(secret)))
	clickAndLoad(t, o, `form[action="/login/2fa"] button`)
	check(t, "signed in", path(o), "/app")

	// Require 2FA, invite a viewer.
	do(t, o, "members", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d/members", site.WorkspaceID)), chromedp.WaitVisible(chromedp.CSS(`input[name=require]`)))
	do(t, o, "require 2FA", chromedp.Click(chromedp.CSS(`input[name=require]`)))
	clickAndLoad(t, o, `form[action$="/require-2fa"] button`)
	check(t, "required", eval[bool](t, o, `document.querySelector('input[name=require]').checked`), true)
	do(t, o, "invite", chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "vic@example.com"),
		chromedp.SetValue(chromedp.CSS(`form[action$="/invites"] select[name=role]`), "viewer"))
	clickAndLoad(t, o, `form[action$="/invites"] button`)
	link := strings.TrimSpace(eval[string](t, o, `document.querySelector('textarea').value`))
	if !strings.Contains(link, "/invite/") {
		t.Fatalf("invitation link %q", link)
	}
	screenshot(t, o, "members")

	// The viewer, in a browser context of their own.
	v := newTab(t, browser)
	verrs := watchErrors(t, v)
	do(t, v, "open the invitation", chromedp.Navigate(link),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Vic"),
		chromedp.SendKeys(chromedp.CSS(`form[action^="/invite/"] input[name=password]`), "a long enough password"))
	screenshot(t, v, "invitation")
	clickAndLoad(t, v, `form[action^="/invite/"] button`)
	check(t, "made to set up 2FA", path(v), "/account/2fa")
	screenshot(t, v, "enrol")
	vsecret := eval[string](t, v, `document.querySelector('code.secret').textContent`)
	do(t, v, "first code", chromedp.SendKeys(chromedp.CSS(`input[name=code]`), totp(vsecret)))
	clickAndLoad(t, v, `form[action="/account/2fa"] button`)
	check(t, "recovery codes", len(strings.Fields(eval[string](t, v, `document.querySelector('textarea.codes').value`))), 10)
	screenshot(t, v, "recovery")
	// Acme requires it, so the viewer may not turn it off, but makes new
	// recovery codes with one of the first ones.
	first := strings.Fields(eval[string](t, v, `document.querySelector('textarea.codes').value`))[0]
	renew := `form[action="/account/2fa/recovery-codes"]`
	do(t, v, "the 2FA page", chromedp.Navigate(f.URL+"/account/2fa"), chromedp.WaitVisible(chromedp.CSS(renew)))
	check(t, "no turning off", eval[int](t, v, `document.querySelectorAll('form[action="/account/2fa/off"]').length`), 0)
	do(t, v, "a recovery code", chromedp.SendKeys(chromedp.CSS(renew+` input[name=code]`), first))
	screenshot(t, v, "2fa-on")
	clickAndLoad(t, v, renew+` button`)
	check(t, "new recovery codes", len(strings.Fields(eval[string](t, v, `document.querySelector('textarea.codes').value`))), 10)
	check(t, "renewal said", eval[string](t, v, `document.querySelector('p.notice[role=status]').textContent`),
		"You have new recovery codes: the old ones no longer work.")
	screenshot(t, v, "recovery-renewed")
	do(t, v, "the feed", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d", site.WorkspaceID)), chromedp.WaitVisible(chromedp.CSS(`form.filters`)))
	check(t, "viewer on the feed", path(v), fmt.Sprintf("/app/w/%d", site.WorkspaceID))
	check(t, "no export link", eval[int](t, v, `document.querySelectorAll('a.export').length`), 0)
	check(t, "no members link", eval[int](t, v, `document.querySelectorAll('a[href$="/members"]').length`), 0)
	screenshot(t, v, "viewer-feed")
	do(t, v, "the export anyway", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d/export.csv", site.WorkspaceID)), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	check(t, "export refused", eval[string](t, v, `document.querySelector('h1').textContent`), "Not allowed")
	do(t, v, "the sites page", chromedp.Navigate(f.URL+fmt.Sprintf("/app/w/%d/sites", site.WorkspaceID)), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	check(t, "no add-site form", eval[int](t, v, `document.querySelectorAll('textarea[name=hostnames]').length`), 0)
	// Foyer runs without --public-url on 127.0.0.1: the snippet's address is
	// one no visitor can reach, and the page says so.
	check(t, "loopback warning", eval[int](t, v, `document.querySelectorAll('p.warning').length`), 1)
	screenshot(t, v, "sites-loopback")

	// The owner makes the viewer an analyst and revokes another
	// invitation, each confirmed on the members page.
	members := f.URL + fmt.Sprintf("/app/w/%d/members", site.WorkspaceID)
	do(t, o, "invite another", chromedp.Navigate(members), chromedp.WaitVisible(chromedp.CSS(`table.members`)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/invites"] input[name=email]`), "temp@example.com"))
	clickAndLoad(t, o, `form[action$="/invites"] button`)
	vic, err := st.UserByEmail(ctx, "vic@example.com")
	if err != nil {
		t.Fatal(err)
	}
	vicRole := fmt.Sprintf(`form[action$="/members/%d/role"]`, vic.ID)
	do(t, o, "make vic an analyst", chromedp.Navigate(members), chromedp.WaitVisible(chromedp.CSS(vicRole)),
		chromedp.SetValue(chromedp.CSS(vicRole+` select`), "analyst"))
	clickAndLoad(t, o, vicRole+` button`)
	check(t, "role confirmed", eval[string](t, o, `document.querySelector('p.notice[role=status]').textContent`), "The role was changed.")
	if r, _ := st.Role(ctx, site.WorkspaceID, vic.ID); r != foyer.RoleAnalyst {
		t.Errorf("vic is %q", r)
	}
	check(t, "one pending invitation", eval[int](t, o, `document.querySelectorAll('form[action*="/invites/"][action$="/revoke"]').length`), 1)
	screenshot(t, o, "members-role")
	clickAndLoad(t, o, `form[action*="/invites/"][action$="/revoke"] button`)
	check(t, "revoke confirmed", eval[string](t, o, `document.querySelector('p.notice[role=status]').textContent`),
		"The invitation was revoked: its link works no more.")
	check(t, "no pending invitation", eval[int](t, o, `document.querySelectorAll('form[action*="/invites/"][action$="/revoke"]').length`), 0)
	screenshot(t, o, "members-revoked")
	if e := append(errs(), verrs()...); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}
