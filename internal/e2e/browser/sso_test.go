package browser_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/sso"
	"github.com/foyerhq/foyer/internal/testutil/oidctest"
)

// TestSSOInBrowser signs in with single sign-on in Chromium: the login
// page's "Sign in with Test Identity" link goes to the test provider, which
// approves at once and sends the browser back; Foyer checks the sign-in
// and the app opens, signed in. Then an invitation is accepted the same
// way in a fresh browser context. Screenshots: signin-sso, app-sso,
// invite-sso.
func TestSSOInBrowser(t *testing.T) {
	t.Parallel()
	idp := oidctest.New(t, "foyer-browser-test", "browser-test-secret")
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	f := startFoyerConfig(t, app.Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), Log: log,
		SSO: []sso.Config{{ID: "test-idp", Name: "Test Identity", Issuer: idp.URL, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret}}}, "")
	idp.AllowRedirect(f.URL + "/login/sso/test-idp/callback")
	st := f.app.Store
	ctx0 := context.Background()
	hash, err := auth.HashPassword("correct horse battery", auth.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	ana := &foyer.User{Email: "ana@example.com", PasswordHash: hash}
	ws := &foyer.Workspace{Name: "Acme"}
	if err := st.CreateUser(ctx0, ana); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateWorkspace(ctx0, ws); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMembership(ctx0, foyer.Membership{WorkspaceID: ws.ID, UserID: ana.ID, Role: foyer.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	idp.SetUser(oidctest.User{Subject: "ana-at-idp", Email: "ana@example.com", EmailVerified: true})

	browser := newBrowser(t)
	ctx := newTab(t, browser)
	errs := watchErrors(t, ctx)
	do(t, ctx, "open the login page", chromedp.Navigate(f.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`a.button`)))
	check(t, "the button", strings.TrimSpace(eval[string](t, ctx, `document.querySelector('a.button').textContent`)), "Sign in with Test Identity")
	screenshot(t, ctx, "signin-sso")

	clickAndLoad(t, ctx, `a.button`)
	do(t, ctx, "wait for the app", chromedp.WaitVisible(chromedp.CSS(`ul.plain li`)))
	check(t, "signed in at", strings.TrimPrefix(eval[string](t, ctx, `location.href`), f.URL), "/app")
	check(t, "the workspace", eval[string](t, ctx, `document.querySelector('ul.plain li strong').textContent`), "Acme")
	check(t, "who", eval[string](t, ctx, `document.querySelector('.who').textContent`), "ana@example.com")
	jar := cookies(t, ctx, f.URL+"/login/sso/test-idp/callback")
	if c := jar["foyer_session"]; c == nil || !c.HTTPOnly || !c.Secure || string(c.SameSite) != "Lax" {
		t.Errorf("session cookie %+v", c)
	}
	if c, ok := jar["foyer_sso"]; ok {
		t.Errorf("the flow cookie outlived its callback: %+v", c)
	}
	if ids, err := st.Identities(ctx0, ana.ID); err != nil || len(ids) != 1 || ids[0].Subject != "ana-at-idp" {
		t.Errorf("ana's identities: %+v, %v", ids, err)
	}
	screenshot(t, ctx, "app-sso")

	// An invitation, accepted with the provider, in a fresh context.
	token, linkHash := auth.NewToken()
	if err := st.CreateLink(ctx0, linkHash, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: "nia@example.com",
		Role: foyer.RoleAnalyst, CreatedBy: ana.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	idp.SetUser(oidctest.User{Subject: "nia-at-idp", Email: "nia@example.com", EmailVerified: true})
	inv := newTab(t, browser)
	invErrs := watchErrors(t, inv)
	do(t, inv, "open the invitation", chromedp.Navigate(f.URL+"/invite/"+token), chromedp.WaitVisible(chromedp.CSS(`a.button`)))
	check(t, "the invitation's button", strings.TrimSpace(eval[string](t, inv, `document.querySelector('a.button').textContent`)), "Accept with Test Identity")
	screenshot(t, inv, "invite-sso")
	clickAndLoad(t, inv, `a.button`)
	check(t, "joined at", eval[string](t, inv, `location.pathname`), fmt.Sprintf("/app/w/%d", ws.ID))
	nia, err := st.UserByEmail(ctx0, "nia@example.com")
	if err != nil || nia.PasswordHash != "" {
		t.Fatalf("nia: %+v, %v", nia, err)
	}
	if r, err := st.Role(ctx0, ws.ID, nia.ID); err != nil || r != foyer.RoleAnalyst {
		t.Errorf("nia's role: %q, %v", r, err)
	}
	if e := append(errs(), invErrs()...); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}
