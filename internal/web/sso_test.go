package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/testutil/oidctest"
)

// TestSSOSignIn signs an existing user in with the test provider: the
// first time by the verified address, which links the account; the next
// time by the link alone, whatever address the provider gives.
func TestSSOSignIn(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSSOTest(t, d)
			ctx := context.Background()
			ana := s.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)

			b := body(s.get("/login"))
			if !strings.Contains(b, `<a class="button" href="/login/sso/test">Sign in with Test ID</a>`) {
				t.Fatalf("the login page has no button:\n%s", b)
			}

			// The start: PKCE with S256, state, nonce, this client, the
			// registered redirect URI, and the secrets in a cookie only
			// the callback gets.
			u, c := s.start("/login/sso/test")
			q := u.Query()
			for k, want := range map[string]string{"client_id": s.idp.ClientID, "redirect_uri": ssoCallbackURL,
				"response_type": "code", "scope": "openid email", "code_challenge_method": "S256"} {
				if q.Get(k) != want {
					t.Errorf("authorization %s = %q, want %q", k, q.Get(k), want)
				}
			}
			if len(q.Get("state")) < 40 || len(q.Get("nonce")) < 40 || len(q.Get("code_challenge")) != 43 {
				t.Errorf("state, nonce or challenge too short: %v", q)
			}
			if strings.Contains(c.Value, q.Get("code_challenge")) || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode ||
				c.Path != "/login/sso/" || c.MaxAge != 600 {
				t.Errorf("flow cookie %+v", c)
			}

			// Two failed passwords, then the first sign-on.
			for range 2 {
				s.do("POST", "/login", login("ana@example.com", "wrong password!"), "")
			}
			s.as("ana-sub", "Ana@Example.com")
			resp := s.get(s.authorize(u), c)
			sess := sessionOf(resp)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app" || sess == nil {
				t.Fatalf("sign-on: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
			}
			if fc := cookieOf(resp, flowCookie); fc == nil || fc.MaxAge >= 0 {
				t.Errorf("the callback did not clear the flow cookie: %+v", fc)
			}
			if b := body(s.do("GET", "/app", nil, sess.Value)); !strings.Contains(b, "ana@example.com") || !strings.Contains(b, "Acme") {
				t.Errorf("GET /app after the sign-on:\n%s", b)
			}
			if ids := s.identities(ana); len(ids) != 1 || ids[0] != "ana-sub" {
				t.Errorf("ana's identities %q", ids)
			}
			if got, _ := s.st.UserByID(ctx, ana.ID); got.FailedLogins != 0 {
				t.Errorf("failed sign-ins after the sign-on: %d", got.FailedLogins)
			}

			// The link decides now: another (even unverified) address at
			// the provider is still ana.
			s.idp.SetUser(oidctest.User{Subject: "ana-sub", Email: "ana.silva@example.org"})
			resp = s.signOn("/login/sso/test")
			if sess := sessionOf(resp); resp.StatusCode != http.StatusSeeOther || sess == nil {
				t.Fatalf("second sign-on: %d\n%s", resp.StatusCode, body(resp))
			} else if b := body(s.do("GET", "/app", nil, sess.Value)); !strings.Contains(b, "ana@example.com") {
				t.Errorf("the second sign-on is not ana's:\n%s", b)
			}
			if ids := s.identities(ana); len(ids) != 1 {
				t.Errorf("ana's identities after the second sign-on: %q", ids)
			}
			// A user only of single sign-on has no password to sign in with.
			if u, _ := s.st.UserByID(ctx, ana.ID); u.PasswordHash == "" {
				t.Errorf("the sign-on removed ana's password")
			}
		})
	}
}

// TestSSORefused goes through what refuses a sign-on, each without a
// session and without linking anyone.
func TestSSORefused(t *testing.T) {
	t.Parallel()
	s := newSSOTest(t, store.SQLite)
	ctx := context.Background()
	ana := s.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	noLinks := func(what string) {
		t.Helper()
		if ids := s.identities(ana); len(ids) != 0 {
			t.Fatalf("%s linked ana to %q", what, ids)
		}
	}

	s.idp.SetUser(oidctest.User{Subject: "x-1", Email: "ana@example.com", EmailVerified: false})
	wantRefused(t, "an unverified address", s.signOn("/login/sso/test"), http.StatusForbidden, "Test ID has not verified your address ana@example.com")
	noLinks("an unverified address")
	s.idp.SetUser(oidctest.User{Subject: "x-1"})
	wantRefused(t, "no address", s.signOn("/login/sso/test"), http.StatusForbidden, "Test ID did not tell Foyer your email address")
	s.idp.SetUser(oidctest.User{Subject: "x-1", Email: "not an address", EmailVerified: true})
	wantRefused(t, "a bad address", s.signOn("/login/sso/test"), http.StatusForbidden, "did not tell Foyer your email address")

	s.as("x-2", "nobody@example.com")
	wantRefused(t, "an unknown address", s.signOn("/login/sso/test"), http.StatusForbidden,
		"There is no Foyer account for nobody@example.com. Ask an owner of your workspace for an invitation.")
	if _, err := s.st.UserByEmail(ctx, "nobody@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("an unknown address made a user: %v", err)
	}
	var users int
	s.st.DB().QueryRow(`SELECT COUNT(*) FROM users`).Scan(&users)
	var ids int
	s.st.DB().QueryRow(`SELECT COUNT(*) FROM identities`).Scan(&ids)
	if users != 1 || ids != 0 {
		t.Errorf("after the refusals: %d users, %d identities; want 1 and 0", users, ids)
	}

	// The state: no cookie, another flow's cookie, another state.
	s.as("ana-sub", "ana@example.com")
	u, _ := s.start("/login/sso/test")
	wantRefused(t, "no flow cookie", s.get(s.authorize(u)), http.StatusBadRequest, "could not be matched to your browser")
	u1, c1 := s.start("/login/sso/test")
	u2, _ := s.start("/login/sso/test")
	s.authorize(u1)
	wantRefused(t, "another flow's cookie", s.get(s.authorize(u2), c1), http.StatusBadRequest, "could not be matched to your browser")
	u, c := s.start("/login/sso/test")
	back := s.authorize(u)
	wantRefused(t, "another state", s.get(strings.Replace(back, "state=", "state=x", 1), c), http.StatusBadRequest, "could not be matched")
	wantRefused(t, "a bad cookie", s.get(back, &http.Cookie{Name: flowCookie, Value: "e30"}), http.StatusBadRequest, "could not be matched")
	noLinks("state refusals")

	// Bad ID tokens.
	for _, f := range []oidctest.Fault{oidctest.WrongNonce, oidctest.WrongAudience, oidctest.Expired, oidctest.WrongKey,
		oidctest.WrongIssuer, oidctest.Unsigned, oidctest.OtherParty} {
		s.idp.SetFault(f)
		wantRefused(t, string(f), s.signOn("/login/sso/test"), http.StatusUnauthorized, "The sign-in with Test ID could not be verified.")
		noLinks(string(f))
	}
	s.idp.SetFault(oidctest.Deny)
	wantRefused(t, "denied", s.signOn("/login/sso/test"), http.StatusUnauthorized, "Test ID did not sign you in")
	s.idp.SetFault(oidctest.Good)

	// A code and its cookie work once.
	u, c = s.start("/login/sso/test")
	back = s.authorize(u)
	if resp := s.get(back, c); resp.StatusCode != http.StatusSeeOther || sessionOf(resp) == nil {
		t.Fatalf("a good sign-on: %d\n%s", resp.StatusCode, body(resp))
	}
	wantRefused(t, "the callback again", s.get(back, c), http.StatusUnauthorized, "could not be verified")

	if resp := s.get("/login/sso/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown provider: %d", resp.StatusCode)
	}
	if resp := s.get("/login/sso/nope/callback?code=x&state=y", c); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown provider's callback: %d", resp.StatusCode)
	}

	// An account linked to another subject at the same issuer.
	s.as("ana-other-sub", "ana@example.com")
	wantRefused(t, "a second account at the provider", s.signOn("/login/sso/test"), http.StatusConflict,
		"Your Foyer account is linked to another Test ID account.")
}

// TestSSOLocked checks that a locked account cannot sign on, linked or not.
func TestSSOLocked(t *testing.T) {
	t.Parallel()
	s := newSSOTest(t, store.SQLite)
	ctx := context.Background()
	bob := s.user("bob@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	lock := func() {
		if _, _, err := s.st.LoginFailed(ctx, bob.ID, 1, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	lock()
	s.as("bob-sub", "bob@example.com")
	wantRefused(t, "locked, not linked", s.signOn("/login/sso/test"), http.StatusTooManyRequests, "this account is locked until")
	if ids := s.identities(bob); len(ids) != 0 {
		t.Errorf("a locked account was linked: %q", ids)
	}
	if err := s.st.LoginSucceeded(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	if resp := s.signOn("/login/sso/test"); sessionOf(resp) == nil {
		t.Fatalf("bob unlocked: %d", resp.StatusCode)
	}
	lock()
	wantRefused(t, "locked, linked", s.signOn("/login/sso/test"), http.StatusTooManyRequests, "this account is locked until")
}

// TestSSOSecondFactor checks that a user with TOTP still gives a code after
// a sign-on, unless the provider did multi-factor authentication, which
// also meets a workspace's requirement of two-factor authentication.
func TestSSOSecondFactor(t *testing.T) {
	t.Parallel()
	s := newSSOTest(t, store.SQLite)
	ctx := context.Background()
	olga := s.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	if err := s.st.SetTOTP(ctx, olga.ID, "JBSWY3DPEHPK3PXP", 0, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		amr  []string
		next string
	}{{nil, "/login/2fa"}, {[]string{"pwd"}, "/login/2fa"}, {[]string{"pwd", "mfa"}, "/app"}, {[]string{"hwk"}, "/app"}} {
		s.as("olga-sub", "olga@example.com", c.amr...)
		resp := s.signOn("/login/sso/test")
		sess := sessionOf(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != c.next || sess == nil {
			t.Fatalf("amr %q: %d to %q, want %q", c.amr, resp.StatusCode, resp.Header.Get("Location"), c.next)
		}
		app := s.do("GET", "/app", nil, sess.Value)
		if c.next == "/app" && app.StatusCode != http.StatusOK || c.next != "/app" && app.Header.Get("Location") != "/login/2fa" {
			t.Errorf("amr %q: GET /app %d to %q", c.amr, app.StatusCode, app.Header.Get("Location"))
		}
	}

	// Acme requires two-factor authentication: vic, without TOTP, is sent
	// to set it up, unless the provider did multi-factor authentication.
	vic := s.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	if err := s.st.SetRequire2FA(ctx, s.workspace("Acme"), true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		amr  []string
		want string
	}{{nil, "/account/2fa"}, {[]string{"otp"}, ""}} {
		s.as("vic-sub", "vic@example.com", c.amr...)
		resp := s.signOn("/login/sso/test")
		sess := sessionOf(resp)
		if sess == nil || resp.Header.Get("Location") != "/app" {
			t.Fatalf("vic, amr %q: %d to %q", c.amr, resp.StatusCode, resp.Header.Get("Location"))
		}
		app := s.do("GET", "/app", nil, sess.Value)
		if app.Header.Get("Location") != c.want || c.want == "" && app.StatusCode != http.StatusOK {
			t.Errorf("vic, amr %q: GET /app %d to %q, want %q", c.amr, app.StatusCode, app.Header.Get("Location"), c.want)
		}
	}
	if ids := s.identities(vic); len(ids) != 1 {
		t.Errorf("vic's identities %q", ids)
	}
}

func (w *webTest) workspace(name string) int64 {
	w.t.Helper()
	ws, err := w.st.WorkspaceByName(context.Background(), name)
	if err != nil {
		w.t.Fatal(err)
	}
	return ws.ID
}

// TestSSOThrottled checks that callbacks count as sign-in attempts of the
// client address.
func TestSSOThrottled(t *testing.T) {
	t.Parallel()
	s := newSSOTest(t, store.SQLite)
	s.srv.cfg.SignInLimit = clientip.NewLimiter(1.0/60, 2, nil)
	ana := s.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	s.as("ana-sub", "ana@example.com")
	for i := range 2 {
		if resp := s.get("/login/sso/test/callback?code=c&state=s"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("callback %d: %d", i+1, resp.StatusCode)
		}
	}
	wantRefused(t, "the third callback", s.signOn("/login/sso/test"), http.StatusTooManyRequests, "Too many sign-in attempts from your network")
	if ids := s.identities(ana); len(ids) != 0 {
		t.Errorf("a throttled callback linked %q", ids)
	}
}
