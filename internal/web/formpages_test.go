package web

import (
	"context"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// TestEveryFormPathAnswersGet reads every POST route that server.go (and
// the files of the resources it mounts, such as automations.go) registers and sends a GET of its path, signed in: none answers "Method
// Not Allowed", and each path that only takes a POST sends the browser to
// its form's page. A new POST route without a GET page or a formPages
// entry fails here.
func TestEveryFormPathAnswersGet(t *testing.T) {
	var src []byte
	for _, f := range []string{"server.go", "automations.go", "campaign_deliveries.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	w := newWebTest(t)
	w.user("own@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	own := w.signIn("own@example.com")
	ws, site := fmt.Sprint(acme.WorkspaceID), fmt.Sprint(acme.ID)
	fill := strings.NewReplacer("{ws}", ws, "{site}", site, "{token}", "7", "{feed}", "8", "{user}", "9",
		"{invite}", "abc", "{session}", "def", "{identity}", "ghi", "{provider}", "test", "{campaign}", "12")
	// Where the GET of each path that only takes a POST goes.
	back := map[string]string{
		"/logout":                                     "/app",
		"/account/2fa/off":                            "/account",
		"/account/2fa/recovery-codes":                 "/account",
		"/account/sign-out-everywhere":                "/account",
		"/account/password":                           "/account",
		"/account/sessions/{session}/revoke":          "/account",
		"/account/sign-out-others":                    "/account",
		"/account/identities/{identity}/unlink":       "/account",
		"/app/w/{ws}/require-2fa":                     "/app/w/{ws}/members",
		"/app/w/{ws}/contact-forms":                   "/app/w/{ws}/settings",
		"/app/w/{ws}/logo":                            "/app/w/{ws}/settings",
		"/app/w/{ws}/tokens":                          "/app/w/{ws}/members",
		"/app/w/{ws}/tokens/{token}/revoke":           "/app/w/{ws}/members",
		"/app/w/{ws}/invites":                         "/app/w/{ws}/members",
		"/app/w/{ws}/invites/{invite}/revoke":         "/app/w/{ws}/members",
		"/app/w/{ws}/members/{user}/reset":            "/app/w/{ws}/members",
		"/app/w/{ws}/members/{user}/role":             "/app/w/{ws}/members",
		"/app/w/{ws}/members/{user}/remove":           "/app/w/{ws}/members",
		"/app/w/{ws}/feeds":                           "/app/w/{ws}",
		"/app/w/{ws}/feeds/{feed}/delete":             "/app/w/{ws}",
		"/app/w/{ws}/feeds/{feed}/alert":              "/app/w/{ws}",
		"/app/w/{ws}/sites/{site}/delete":             "/app/w/{ws}/sites/{site}/settings",
		"/app/w/{ws}/sites/{site}/test-visit":         "/app/w/{ws}/sites/{site}",
		"/app/w/{ws}/automations/{rule}/delete":       "/app/w/{ws}/automations",
		"/app/w/{ws}/campaigns/{campaign}/deliveries": "/app/w/{ws}/campaigns/{campaign}",
	}
	posts := regexp.MustCompile(`"POST (/[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(posts) < 25 {
		t.Fatalf("only %d POST routes found in server.go", len(posts))
	}
	for _, m := range posts {
		path := m[1]
		resp := w.do("GET", fill.Replace(path), nil, own)
		body(resp)
		if resp.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("GET %s: 405; add it to formPages", path)
			continue
		}
		if to, ok := back[path]; ok {
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != fill.Replace(to) {
				t.Errorf("GET %s: %d to %q, want 303 to %s", path, resp.StatusCode, loc, fill.Replace(to))
			}
		}
	}
	for path := range formPages {
		if !strings.Contains(string(src), `"POST `+path+`"`) {
			t.Errorf("formPages has %s, which no POST route has", path)
		}
	}
	// Signed in or not, a GET changes nothing: /logout does not sign out.
	if !w.signedInNow(own) {
		t.Error("a GET signed the user out")
	}
}

// TestFormsConfirm sends each form that changes something and shows no
// one-time secret, as it succeeds: each answers 303 to its page with a
// notice, and that page shows it.
func TestFormsConfirm(t *testing.T) {
	w := newWebTest(t)
	ctx := context.Background()
	w.user("own@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	leaver := w.user("leaver@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	acme := w.site("Acme", "acme")
	doomed := w.site("Acme", "doomed")
	own := w.signIn("own@example.com")
	other := w.signIn("own@example.com") // another session of the same user
	a := fmt.Sprintf("/app/w/%d", acme.WorkspaceID)
	_, hash := auth.NewToken()
	if err := w.st.CreateLink(ctx, hash, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: acme.WorkspaceID,
		Email: "new@example.com", Role: foyer.RoleViewer, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	w.token("Acme", foyer.ScopeRead)
	tokens, err := w.st.APITokens(ctx, acme.WorkspaceID)
	if err != nil || len(tokens) != 1 {
		t.Fatal(tokens, err)
	}
	feed := &foyer.SavedFeed{WorkspaceID: acme.WorkspaceID, Name: "Week", Query: "days=7"}
	if err := w.st.SaveFeed(ctx, feed); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		form   url.Values
		to     string // the page, without its done parameter
		notice string
	}{
		{a + "/sites", url.Values{"name": {"Docs"}, "hostnames": {"docs.example.com"}}, a + "/sites", "site-added"},
		{fmt.Sprintf("%s/sites/%d/settings", a, acme.ID), url.Values{"name": {"Acme web"}, "hostnames": {"www.example.com"}, "consent": {"none"}},
			fmt.Sprintf("%s/sites/%d/settings", a, acme.ID), "site-saved"},
		{fmt.Sprintf("%s/sites/%d/delete", a, doomed.ID), url.Values{"confirm": {"doomed"}}, a + "/sites", "site-deleted"},
		{a + "/feeds", url.Values{"name": {"Month"}, "query": {"days=30"}}, a + "?days=30", "feed-saved"},
		{fmt.Sprintf("%s/feeds/%d/alert", a, feed.ID), url.Values{"frequency": {"weekly"}}, a + "?" + feed.Query, "alert-saved"},
		{fmt.Sprintf("%s/feeds/%d/alert", a, feed.ID), url.Values{"frequency": {"off"}, "back": {"account"}}, "/account", "alert-off"},
		{fmt.Sprintf("%s/feeds/%d/delete", a, feed.ID), url.Values{}, a, "feed-deleted"},
		{fmt.Sprintf("%s/tokens/%d/revoke", a, tokens[0].ID), url.Values{}, a + "/members", "token-revoked"},
		{a + "/contact-forms", url.Values{"unsubscribe_offers_optout": {"on"}}, a + "/settings", "contact-forms"},
		{fmt.Sprintf("%s/members/%d/role", a, leaver.ID), url.Values{"role": {"analyst"}}, a + "/members", "role"},
		{fmt.Sprintf("%s/invites/%s/revoke", a, hex.EncodeToString(hash)), url.Values{}, a + "/members", "revoked"},
		{fmt.Sprintf("%s/members/%d/remove", a, leaver.ID), url.Values{}, a + "/members", "removed"},
		{a + "/require-2fa", url.Values{}, a + "/members", "2fa-not-required"},
		{"/account/sessions/" + w.sessionID(other) + "/revoke", url.Values{}, "/account", "session"},
		{"/account/sign-out-others", url.Values{}, "/account", "others"},
		{"/account/password", url.Values{"current": {"correct horse battery"}, "password": {"a brand new password"},
			"confirm": {"a brand new password"}}, "/account", "password"},
		{"/account/sign-out-everywhere", url.Values{}, "/login", "signed-out"},
	} {
		resp := w.do("POST", c.path, c.form, own, "Sec-Fetch-Site", "same-origin")
		b := body(resp)
		loc := resp.Header.Get("Location")
		if want := c.to + sep(c.to) + "done=" + c.notice; resp.StatusCode != http.StatusSeeOther || loc != want {
			t.Errorf("POST %s: %d to %q, want 303 to %q\n%s", c.path, resp.StatusCode, loc, want, b)
			continue
		}
		if c.notice == "password" { // every other session ended; this one goes on
			if cookie := sessionOf(resp); cookie != nil {
				own = cookie.Value
			}
		}
		if page := body(w.do("GET", loc, nil, own)); !strings.Contains(page, `<p class="notice" role="status">`+template.HTMLEscapeString(notices[c.notice])+`</p>`) {
			t.Errorf("POST %s: %s does not show the notice %q:\n%s", c.path, loc, c.notice, page)
		}
	}
}
