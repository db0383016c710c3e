package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// TestHomePage: / is a page of the app, under its strict policy, with a way
// to sign in; while there is no user it says where the setup link is (the
// server's log, at this address), and once there is one it no longer does;
// a signed-in user is offered the app.
func TestHomePage(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	resp := w.do("GET", "/", nil, "", "Host", "127.0.0.1:8080")
	b := body(resp)
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || csp != pagePolicy || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("GET /: %d, CSP %q", resp.StatusCode, csp)
	}
	for _, want := range []string{`href="/static/foyer.css"`, `<a class="button primary" href="/login">Sign in</a>`,
		"Nobody can sign in yet", "server's log", "setup_url=http://127.0.0.1:8080/setup/…", "foyer user add",
		`src="http://127.0.0.1:8080/t.js"`, `href="/about/data"`} {
		if !strings.Contains(b, want) {
			t.Errorf("GET / without users lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(b, "<script") {
		t.Errorf("GET / has a script:\n%s", b)
	}

	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	b = body(w.do("GET", "/", nil, ""))
	if !strings.Contains(b, `href="/login">Sign in`) || strings.Contains(b, "Nobody can sign in yet") {
		t.Errorf("GET / with a user:\n%s", b)
	}
	cookie := sessionOf(w.do("POST", "/login", login("ana@example.com", "correct horse battery"), ""))
	if cookie == nil {
		t.Fatal("no session")
	}
	b = body(w.do("GET", "/", nil, cookie.Value))
	if !strings.Contains(b, `href="/app">Open your workspaces`) || !strings.Contains(b, "ana@example.com") || strings.Contains(b, `href="/login"`) {
		t.Errorf("GET / signed in:\n%s", b)
	}
}
