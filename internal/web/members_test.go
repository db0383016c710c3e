package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

var linkRE = regexp.MustCompile(`https?://[^/]+/(invite|reset)/([A-Za-z0-9_-]{40,})`)

// linkIn returns the path of the one-time link a page shows.
func linkIn(t *testing.T, page string) string {
	t.Helper()
	m := linkRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no link on the page:\n%s", page)
	}
	return "/" + m[1] + "/" + m[2]
}

func TestInvitationsAndResets(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	ws := acme.WorkspaceID
	ctx := context.Background()
	olga := w.signIn("olga@example.com")
	same := []string{"Sec-Fetch-Site", "same-origin"}

	// A new person.
	b := body(w.do("POST", fmt.Sprintf("/app/w/%d/invites", ws), url.Values{"email": {"New@Example.com"}, "role": {"analyst"}}, olga, same...))
	if !strings.Contains(b, "An invitation for new@example.com as analyst.") {
		t.Fatalf("invite page:\n%s", b)
	}
	inv := linkIn(t, b)
	if resp := w.do("GET", inv, nil, ""); resp.StatusCode != 200 || !strings.Contains(body(resp), "Join Acme") {
		t.Fatalf("GET %s: %d", inv, resp.StatusCode)
	}
	if resp := w.do("POST", inv, url.Values{"name": {"Nia"}, "password": {"short"}}, "", same...); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a short password: %d", resp.StatusCode)
	}
	resp := w.do("POST", inv, url.Values{"name": {"Nia"}, "password": {"a new long password"}}, "", same...)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/app/w/%d", ws) || sessionOf(resp) == nil {
		t.Fatalf("accept: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	nia, err := w.st.UserByEmail(ctx, "new@example.com")
	if err != nil || nia.Name != "Nia" || auth.VerifyPassword("a new long password", nia.PasswordHash) != nil {
		t.Fatalf("the new user: %+v, %v", nia, err)
	}
	if r, _ := w.st.Role(ctx, ws, nia.ID); r != foyer.RoleAnalyst {
		t.Errorf("role %q", r)
	}
	if resp := w.do("GET", inv, nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a used invitation: %d", resp.StatusCode)
	}

	// Someone with an account elsewhere signs in, through /login, then
	// joins; the invitation page itself checks no password.
	inv2 := linkIn(t, body(w.do("POST", fmt.Sprintf("/app/w/%d/invites", ws), url.Values{"email": {"bob@example.com"}, "role": {"viewer"}}, olga, same...)))
	if resp := w.do("POST", inv2, url.Values{"password": {"correct horse battery"}}, "", same...); resp.StatusCode != http.StatusConflict {
		t.Errorf("a new account for an address that has one: %d", resp.StatusCode)
	}
	resp = w.do("POST", "/login", url.Values{"email": {"bob@example.com"}, "password": {"correct horse battery"}, "next": {inv2}}, "", same...)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != inv2 {
		t.Fatalf("sign in to join: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	bobSession := sessionOf(resp).Value
	if b := body(w.do("GET", inv2, nil, bobSession)); !strings.Contains(b, "You are signed in as bob@example.com") || !strings.Contains(b, `name="join"`) {
		t.Errorf("the invitation, signed in: %s", b)
	}
	if resp := w.do("POST", inv2, url.Values{"join": {"1"}}, olga, same...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another user joins with bob's invitation: %d", resp.StatusCode)
	}
	if resp := w.do("POST", inv2, url.Values{"join": {"1"}}, bobSession, same...); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != fmt.Sprintf("/app/w/%d", ws) {
		t.Errorf("bob joins: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	bob, _ := w.st.UserByEmail(ctx, "bob@example.com")
	if r, _ := w.st.Role(ctx, ws, bob.ID); r != foyer.RoleViewer {
		t.Errorf("bob's role in Acme: %q", r)
	}

	// A reset link ends the user's sessions and sets a new password.
	niaSession := w.signInWith("new@example.com", "a new long password")
	reset := linkIn(t, body(w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/reset", ws, nia.ID), url.Values{}, olga, same...)))
	if resp := w.do("POST", reset, url.Values{"password": {"the newest password"}}, "", same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp := w.do("GET", "/app", nil, niaSession); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a session after the reset: %d", resp.StatusCode)
	}
	if w.signInWith("new@example.com", "the newest password") == "" {
		t.Error("the new password does not sign in")
	}
	if resp := w.do("POST", reset, url.Values{"password": {"yet another password"}}, "", same...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a used reset link: %d", resp.StatusCode)
	}

	// Refused: an admin (not an owner); a reset for someone outside the workspace; another origin.
	ada := w.signIn("ada@example.com")
	for _, c := range []struct {
		what, method, path, cookie string
		hdr                        []string
		status                     int
	}{
		{"admin lists members", "GET", fmt.Sprintf("/app/w/%d/members", ws), ada, nil, http.StatusForbidden},
		{"admin invites", "POST", fmt.Sprintf("/app/w/%d/invites", ws), ada, same, http.StatusForbidden},
		{"reset for an outsider", "POST", fmt.Sprintf("/app/w/%d/members/%d/reset", ws, 999999), olga, same, http.StatusNotFound},
		{"cross-origin invite", "POST", fmt.Sprintf("/app/w/%d/invites", ws), olga, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"unknown link", "GET", "/invite/" + strings.Repeat("x", 43), "", nil, http.StatusNotFound},
		{"reset link used as invitation", "GET", strings.Replace(reset, "/reset/", "/invite/", 1), "", nil, http.StatusNotFound},
	} {
		resp := w.do(c.method, c.path, url.Values{"email": {"sneaky@example.com"}, "role": {"owner"}}, c.cookie, c.hdr...)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.what, resp.StatusCode, c.status)
		}
	}
	if _, err := w.st.UserByEmail(ctx, "sneaky@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Error("a refused invitation created a user")
	}
	if b := body(w.do("GET", fmt.Sprintf("/app/w/%d/members", ws), nil, olga)); !strings.Contains(b, "new@example.com") || !strings.Contains(b, "bob@example.com") {
		t.Error("the members page does not list the new members")
	}
}
