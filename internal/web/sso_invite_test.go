package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/testutil/oidctest"
)

// invitation makes an invitation to the workspace and returns its path.
func (s *ssoTest) invitation(workspace int64, email string, role foyer.Role) string {
	s.t.Helper()
	token, hash := auth.NewToken()
	if err := s.st.CreateLink(context.Background(), hash, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: workspace,
		Email: email, Role: role, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		s.t.Fatal(err)
	}
	return "/invite/" + token
}

// TestSSOInvitation accepts invitations with the test provider: only for
// the verified invited address, creating the account (without a password)
// with the invited role, or joining the user who has the address.
func TestSSOInvitation(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSSOTest(t, d)
			ctx := context.Background()
			s.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
			acme := s.workspace("Acme")
			inv := s.invitation(acme, "new@example.com", foyer.RoleAnalyst)

			b := body(s.get(inv))
			for _, want := range []string{`<form method="post" action="` + inv + `">`,
				`<a class="button" href="` + inv + `/sso/test">Accept with Test ID</a>`} {
				if !strings.Contains(b, want) {
					t.Fatalf("the invitation page lacks %s:\n%s", want, b)
				}
			}
			users := func() int {
				var n int
				s.st.DB().QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n)
				return n
			}

			// Another address, or the right one unverified: refused, on
			// the invitation's page, and nothing is made.
			s.as("new-sub", "someone.else@example.com")
			wantRefused(t, "another address", s.signOn(inv+"/sso/test"), http.StatusForbidden,
				"This invitation is for new@example.com, but Test ID signed you in as someone.else@example.com.")
			s.idp.SetUser(oidctest.User{Subject: "new-sub", Email: "new@example.com"})
			resp := s.signOn(inv + "/sso/test")
			b = body(resp)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "has not verified your address") ||
				!strings.Contains(b, "Join Acme") || !strings.Contains(b, `action="`+inv+`"`) {
				t.Errorf("unverified: %d\n%s", resp.StatusCode, b)
			}
			if n := users(); n != 1 {
				t.Fatalf("refused invitations made users: %d", n)
			}

			// The invited address, in another case: a new user, the
			// invited role, the link used up.
			s.as("new-sub", "New@Example.COM")
			resp = s.signOn(inv + "/sso/test")
			sess := sessionOf(resp)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/app/w/%d", acme) || sess == nil {
				t.Fatalf("accept: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
			}
			nu, err := s.st.UserByEmail(ctx, "new@example.com")
			if err != nil || nu.PasswordHash != "" {
				t.Fatalf("the new user: %+v, %v", nu, err)
			}
			if r, err := s.st.Role(ctx, acme, nu.ID); err != nil || r != foyer.RoleAnalyst {
				t.Errorf("the new user's role: %q, %v", r, err)
			}
			if ids := s.identities(nu); len(ids) != 1 || ids[0] != "new-sub" {
				t.Errorf("the new user's identities %q", ids)
			}
			if resp := s.do("GET", fmt.Sprintf("/app/w/%d", acme), nil, sess.Value); resp.StatusCode != http.StatusOK {
				t.Errorf("the new user's workspace: %d", resp.StatusCode)
			}
			if resp := s.get(inv); resp.StatusCode != http.StatusNotFound {
				t.Errorf("the invitation after use: %d", resp.StatusCode)
			}
			if resp := s.get(inv + "/sso/test"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a sign-on for a used invitation: %d", resp.StatusCode)
			}
			// No password signs the new user in; single sign-on does.
			for _, pw := range []string{"", "correct horse battery"} {
				if resp := s.do("POST", "/login", login("new@example.com", pw), ""); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("a password %q for a user without one: %d", pw, resp.StatusCode)
				}
			}
			if resp := s.signOn("/login/sso/test"); resp.Header.Get("Location") != "/app" || sessionOf(resp) == nil {
				t.Errorf("the new user's sign-on: %d", resp.StatusCode)
			}

			// A user who has the address joins another workspace, and is
			// linked.
			bob := s.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
			inv2 := s.invitation(acme, "bob@example.com", foyer.RoleViewer)
			s.as("bob-sub", "bob@example.com")
			if resp := s.signOn(inv2 + "/sso/test"); resp.StatusCode != http.StatusSeeOther || sessionOf(resp) == nil {
				t.Fatalf("bob accepts: %d\n%s", resp.StatusCode, body(resp))
			}
			if r, _ := s.st.Role(ctx, acme, bob.ID); r != foyer.RoleViewer {
				t.Errorf("bob's role in Acme: %q", r)
			}
			if ids := s.identities(bob); len(ids) != 1 || ids[0] != "bob-sub" {
				t.Errorf("bob's identities %q", ids)
			}

			// An account at the provider linked to bob cannot accept carol's
			// invitation, even with carol's verified address.
			inv3 := s.invitation(acme, "carol@example.com", foyer.RoleAdmin)
			s.as("bob-sub", "carol@example.com")
			wantRefused(t, "bob's account for carol", s.signOn(inv3+"/sso/test"), http.StatusConflict,
				"This Test ID account is linked to another Foyer account.")
			if _, err := s.st.UserByEmail(ctx, "carol@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
				t.Errorf("carol was created: %v", err)
			}
			// The refusals left the invitation standing: carol's own
			// account accepts it.
			s.as("carol-sub", "carol@example.com")
			if resp := s.signOn(inv3 + "/sso/test"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("carol accepts: %d\n%s", resp.StatusCode, body(resp))
			}

			// The password form still works beside the buttons.
			inv4 := s.invitation(acme, "dan@example.com", foyer.RoleViewer)
			resp = s.do("POST", inv4, url.Values{"name": {"Dan"}, "password": {"a new long password"}}, "", "Sec-Fetch-Site", "same-origin")
			if resp.StatusCode != http.StatusSeeOther || sessionOf(resp) == nil {
				t.Errorf("a password acceptance: %d", resp.StatusCode)
			}
		})
	}
}

// TestSSOInvitationRefusals: a locked user, a user linked to another account
// at the provider, an unknown invitation.
func TestSSOInvitationRefusals(t *testing.T) {
	t.Parallel()
	s := newSSOTest(t, store.SQLite)
	ctx := context.Background()
	ana := s.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	s.user("ivy@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	initech := s.workspace("Initech")

	if _, _, err := s.st.LoginFailed(ctx, ana.ID, 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	inv := s.invitation(initech, "ana@example.com", foyer.RoleViewer)
	s.as("ana-sub", "ana@example.com")
	wantRefused(t, "locked", s.signOn(inv+"/sso/test"), http.StatusTooManyRequests, "this account is locked until")
	if err := s.st.LoginSucceeded(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.st.LinkIdentity(ctx, &foyer.Identity{Issuer: s.idp.URL, Subject: "ana-old-sub", UserID: ana.ID}); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "linked elsewhere", s.signOn(inv+"/sso/test"), http.StatusConflict, "Your Foyer account is linked to another Test ID account.")
	if _, err := s.st.Role(ctx, initech, ana.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("a refused acceptance made ana a member: %v", err)
	}
	if resp := s.get(inv); resp.StatusCode != http.StatusOK {
		t.Errorf("the invitation after refusals: %d", resp.StatusCode)
	}
	if resp := s.get("/invite/not-a-token/sso/test"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown invitation: %d", resp.StatusCode)
	}
	if resp := s.get(inv + "/sso/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown provider: %d", resp.StatusCode)
	}
}
