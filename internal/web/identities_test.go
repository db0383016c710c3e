package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

var unlinkFormRE = regexp.MustCompile(`action="/account/identities/([0-9a-f]{32})/unlink"`)

// unlinkForms returns the IDs of the unlink forms on a page.
func unlinkForms(page string) []string {
	var out []string
	for _, m := range unlinkFormRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestUnlinkIdentity lists a user's linked accounts on the account page
// and unlinks them: one's own only, never the last way to sign in.
func TestUnlinkIdentity(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testUnlinkIdentity(t, d)
		})
	}
}

func testUnlinkIdentity(t *testing.T, d store.Dialect) {
	s := newSSOTest(t, d)
	ctx := context.Background()
	same := []string{"Sec-Fetch-Site", "same-origin"}
	const gone = "https://old-idp.example"
	ana := s.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	acme := s.workspace("Acme")

	// Carol accepts an invitation with single sign-on: no password.
	s.as("carol-subject", "carol@example.com")
	resp := s.signOn(s.invitation(acme, "carol@example.com", foyer.RoleViewer) + "/sso/test")
	if resp.StatusCode != http.StatusSeeOther || sessionOf(resp) == nil {
		t.Fatalf("carol's invitation: %d\n%s", resp.StatusCode, body(resp))
	}
	carolSession := sessionOf(resp).Value
	carol := s.mustUser("carol@example.com")
	if carol.PasswordHash != "" {
		t.Fatal("a user made by single sign-on has a password")
	}
	// Ana links her account by signing in with it.
	s.as("ana-subject", "ana@example.com")
	if resp := s.signOn("/login/sso/test"); resp.StatusCode != http.StatusSeeOther || sessionOf(resp) == nil {
		t.Fatalf("ana's single sign-on: %d\n%s", resp.StatusCode, body(resp))
	}
	anaSession := s.signIn("ana@example.com")
	// Each also has a link at a provider that is no longer configured.
	for _, u := range []*foyer.User{ana, carol} {
		if err := s.st.LinkIdentity(ctx, &foyer.Identity{Issuer: gone, Subject: "old-" + u.Email, UserID: u.ID, Provider: "oldcorp"}); err != nil {
			t.Fatal(err)
		}
	}
	idsOf := func(u *foyer.User) map[string]string { // issuer → public ID
		t.Helper()
		ids, err := s.st.Identities(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, id := range ids {
			out[id.Issuer] = id.PublicID()
		}
		return out
	}
	anaIDs, carolIDs := idsOf(ana), idsOf(carol)
	if len(anaIDs) != 2 || len(carolIDs) != 2 {
		t.Fatalf("links: ana %v, carol %v", anaIDs, carolIDs)
	}
	unlink := func(id, session string, hdr ...string) *http.Response {
		return s.do("POST", "/account/identities/"+id+"/unlink", url.Values{}, session, hdr...)
	}

	// Ana's page: both links, each with its provider and an unlink form;
	// never a subject.
	b := body(s.do("GET", "/account", nil, anaSession))
	for _, want := range []string{"Single sign-on", "Test ID <span class=\"muted\">" + s.idp.URL + "</span>",
		"oldcorp <span class=\"muted\">" + gone + "</span> <span class=\"error\">no longer offered: it cannot sign you in</span>",
		"Foyer keeps which account it is, never the address the provider gave."} {
		if !strings.Contains(b, want) {
			t.Errorf("ana's account page lacks %q", want)
		}
	}
	if forms := unlinkForms(b); len(forms) != 2 || !slices.Contains(forms, anaIDs[s.idp.URL]) || !slices.Contains(forms, anaIDs[gone]) {
		t.Errorf("ana's unlink forms %v, her links %v", forms, anaIDs)
	}
	if strings.Contains(b, "ana-subject") || strings.Contains(b, "your only way to sign in") {
		t.Error("ana's page shows her subject, or calls a link her only way to sign in")
	}
	// Carol's page: her provider's link is her only way to sign in, and
	// offers no form; the other one does.
	b = body(s.do("GET", "/account", nil, carolSession))
	if forms := unlinkForms(b); !strings.Contains(b, "your only way to sign in") || len(forms) != 1 || forms[0] != carolIDs[gone] {
		t.Errorf("carol's unlink forms %v, her links %v:\n%s", forms, carolIDs, b)
	}

	// Carol's only way to sign in: refused, saying why, and kept.
	resp = unlink(carolIDs[s.idp.URL], carolSession, same...)
	if b := body(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(b, "That account is your only way to sign in to Foyer") {
		t.Errorf("carol unlinking her only way to sign in: %d\n%s", resp.StatusCode, b)
	}
	// Another user's link, or an unknown one: not found; from another
	// origin: refused. Nothing changes.
	for _, c := range []struct {
		id, session string
		hdr         []string
		want        int
	}{
		{carolIDs[gone], anaSession, same, http.StatusNotFound},
		{carolIDs[s.idp.URL], anaSession, same, http.StatusNotFound},
		{anaIDs[s.idp.URL], carolSession, same, http.StatusNotFound},
		{strings.Repeat("0", 32), anaSession, same, http.StatusNotFound},
		{"not-an-id", anaSession, same, http.StatusNotFound},
		{anaIDs[s.idp.URL], anaSession, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{anaIDs[s.idp.URL], "", same, http.StatusSeeOther}, // signed out: to the sign-in page
	} {
		if resp := unlink(c.id, c.session, c.hdr...); resp.StatusCode != c.want {
			t.Errorf("unlink %s: %d, want %d", c.id, resp.StatusCode, c.want)
		}
	}
	if got := idsOf(ana); len(got) != 2 {
		t.Fatalf("refused unlinks removed ana's links: %v", got)
	}
	if got := idsOf(carol); len(got) != 2 {
		t.Fatalf("refused unlinks removed carol's links: %v", got)
	}

	// Carol unlinks the link that cannot sign her in; ana unlinks both
	// hers (she has a password). Each stays signed in.
	for _, c := range []struct{ id, session string }{{carolIDs[gone], carolSession}, {anaIDs[s.idp.URL], anaSession}, {anaIDs[gone], anaSession}} {
		resp := unlink(c.id, c.session, same...)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=unlinked" {
			t.Fatalf("unlink %s: %d to %q\n%s", c.id, resp.StatusCode, resp.Header.Get("Location"), body(resp))
		}
		if !s.signedInNow(c.session) {
			t.Error("unlinking signed the user out")
		}
	}
	if got := idsOf(carol); len(got) != 1 || got[s.idp.URL] == "" {
		t.Errorf("carol's links after unlinking: %v", got)
	}
	if got := idsOf(ana); len(got) != 0 {
		t.Errorf("ana's links after unlinking: %v", got)
	}
	b = body(s.do("GET", "/account?done=unlinked", nil, anaSession))
	if !strings.Contains(b, "That account is unlinked: it no longer signs you in.") || len(unlinkForms(b)) != 0 ||
		!strings.Contains(b, "No account at a provider is linked. Sign in once with Test ID") {
		t.Errorf("ana's page after unlinking:\n%s", b)
	}
	if !strings.Contains(s.logs.String(), "sso: identity unlinked") {
		t.Error("the unlink is not logged")
	}

	// When no provider is configured any more, carol's link cannot sign her
	// in, but it is all she has: the page offers no button, and it stays.
	s.srv.cfg.SSO = nil
	b = body(s.do("GET", "/account", nil, carolSession))
	if !strings.Contains(b, "kept: you have no other way to sign in") || len(unlinkForms(b)) != 0 {
		t.Errorf("carol's page without providers:\n%s", b)
	}
	if resp := unlink(carolIDs[s.idp.URL], carolSession, same...); resp.StatusCode != http.StatusConflict {
		t.Errorf("carol unlinking her last link without providers: %d", resp.StatusCode)
	}
}
