package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
	"github.com/foyerhq/foyer/internal/vault"
)

// formTest is a webTest whose store seals contacts, with Ana, a contact of
// Acme (sites on www.example.com and shop.example.com), and Bob, of Initech.
type formTest struct {
	*webTest
	acme, initech int64
	ana, bob      *foyer.Contact
}

func newFormTest(t *testing.T) *formTest {
	t.Helper()
	w := newWebTest(t)
	keys, err := vault.New(bytes.Repeat([]byte{9}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	w.st.UseKeys(keys)
	w.user("own@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	shop := &foyer.Site{WorkspaceID: acme.WorkspaceID, Key: "shop", Name: "Shop", Hostnames: []string{"shop.example.com", "*.example.org", "www.example.com"}}
	if err := w.st.CreateSite(context.Background(), shop); err != nil {
		t.Fatal(err)
	}
	initech := w.site("Initech", "initech")
	f := &formTest{webTest: w, acme: acme.WorkspaceID, initech: initech.WorkspaceID,
		ana: &foyer.Contact{WorkspaceID: acme.WorkspaceID, Email: "ana@example.com", FirstName: "Ana", Company: "Globex"},
		bob: &foyer.Contact{WorkspaceID: initech.WorkspaceID, Email: "bob@example.com"}}
	for _, c := range []*foyer.Contact{f.ana, f.bob} {
		if err := w.st.CreateContact(context.Background(), c, "user test"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// link is the path of c's form of kind, valid for life from the server's now.
func (f *formTest) link(c *foyer.Contact, kind formlink.Kind, life time.Duration) string {
	l := formlink.Link{Workspace: c.WorkspaceID, Contact: c.ID, Kind: kind, Expires: f.clock.Now().Add(life)}
	return formPath(l, f.srv.cfg.FormLinks.Sign(l))
}

// history is c's consent history as "source/action/actor" lines.
func (f *formTest) history(c *foyer.Contact) []string {
	f.t.Helper()
	h, err := f.st.ConsentHistory(context.Background(), c.WorkspaceID, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		out = append(out, fmt.Sprintf("%s/%s/%s", e.Source, e.Action, e.Actor))
	}
	return out
}

func (f *formTest) contact(c *foyer.Contact) *foyer.Contact {
	f.t.Helper()
	got, err := f.st.Contact(context.Background(), c.WorkspaceID, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

func TestContactLinksAPI(t *testing.T) {
	f := newFormTest(t)
	read, write, other := f.token("Acme", foyer.ScopeRead), f.token("Acme", foyer.ScopeWrite), f.token("Initech", foyer.ScopeRead)
	path := fmt.Sprintf("/api/v1/contacts/%d/links", f.ana.ID)
	for _, tok := range []string{read, write} {
		code, out := f.api(path, tok)
		if code != http.StatusOK {
			t.Fatalf("%d %v", code, out)
		}
		exp, err := time.Parse(time.RFC3339, fmt.Sprint(out["expires_at"]))
		if want := f.clock.Now().Add(formlink.DefaultLife); err != nil || exp.Sub(want).Abs() > time.Second {
			t.Errorf("expires_at %v (%v), want %v", out["expires_at"], err, want)
		}
		for key, kind := range map[string]formlink.Kind{"profile": formlink.Profile, "optout": formlink.OptOut, "unsubscribe": formlink.Unsubscribe} {
			u, err := url.Parse(fmt.Sprint(out[key]))
			if err != nil || u.Scheme != "https" || u.Host != "example.com" {
				t.Fatalf("%s: %v (%v)", key, out[key], err)
			}
			parts := strings.Split(u.Path, "/") // "", forms, ws, kind, token
			if len(parts) != 5 || parts[2] != fmt.Sprint(f.acme) || parts[3] != kind.String() {
				t.Fatalf("%s: path %s", key, u.Path)
			}
			l, err := f.srv.cfg.FormLinks.Verify(parts[4], f.acme, kind, f.clock.Now())
			if err != nil || l.Contact != f.ana.ID || !l.Expires.Equal(exp) {
				t.Errorf("%s: %+v, %v", key, l, err)
			}
			if resp := f.do("GET", u.Path, nil, ""); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: the link's page answers %d", key, resp.StatusCode)
			}
		}
	}
	// Another workspace's contact, an unknown one, no token.
	for _, c := range []struct {
		path, token string
		want        int
	}{
		{path, other, http.StatusNotFound},
		{fmt.Sprintf("/api/v1/contacts/%d/links", f.bob.ID), read, http.StatusNotFound},
		{"/api/v1/contacts/999999/links", read, http.StatusNotFound},
		{"/api/v1/contacts/x/links", read, http.StatusNotFound},
		{path, "", http.StatusUnauthorized},
	} {
		if code, out := f.api(c.path, c.token); code != c.want {
			t.Errorf("%s: %d %v, want %d", c.path, code, out, c.want)
		}
	}
	// The document describes exactly what the API answers.
	_, doc := f.api("/api/v1/openapi.json", "")
	props := doc["paths"].(map[string]any)["/contacts/{id}/links"].(map[string]any)["get"].(map[string]any)["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["properties"].(map[string]any)
	_, out := f.api(path, read)
	if len(props) != len(out) {
		t.Errorf("openapi.json has %d properties, the API sends %d", len(props), len(out))
	}
	for name := range out {
		if props[name] == nil {
			t.Errorf("openapi.json lacks %q", name)
		}
	}
	// With a public URL, the links are at it.
	f.srv.cfg.PublicURL = "https://foyer.example.net"
	if _, out := f.api(path, read); !strings.HasPrefix(fmt.Sprint(out["optout"]), "https://foyer.example.net/forms/") {
		t.Errorf("with a public URL: %v", out["optout"])
	}
}

func TestProfileForm(t *testing.T) {
	f := newFormTest(t)
	path := f.link(f.ana, formlink.Profile, time.Hour)
	// The browser's language, then the contact's own.
	for _, c := range []struct{ accept, lang, want string }{
		{"", "", `lang="en"`}, {"fr-CA,fr;q=0.9,en;q=0.8", "", `lang="fr"`}, {"de, en;q=0.5, fr;q=0.7", "", `lang="fr"`},
		{"fr", "en", `lang="en"`}, {"en", "fr", `lang="fr"`},
	} {
		if _, err := f.st.UpdateContactProfile(context.Background(), f.acme, f.ana.ID, foyer.ContactProfile{FirstName: "Ana", Company: "Globex", Language: c.lang}, nil); err != nil {
			t.Fatal(err)
		}
		resp := f.do("GET", path, nil, "", "Accept-Language", c.accept)
		page := body(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, c.want) || !strings.Contains(page, "Acme") ||
			!strings.Contains(page, `value="Globex"`) || !strings.Contains(page, "ana@example.com") {
			t.Errorf("Accept-Language %q, language %q: %d, want %s:\n%s", c.accept, c.lang, resp.StatusCode, c.want, page)
		}
	}
	// Ticked: accepted; fields saved; then unticked: refused.
	form := url.Values{"first_name": {"Ana"}, "last_name": {"Lima"}, "role": {"CTO"}, "phone": {"+33 1 23 45 67 89"},
		"company": {"Globex SA"}, "language": {"fr"}, "consent_shown": {"1"}, "consent": {"yes"}}
	resp := f.do("POST", path, form, "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?saved=1" {
		t.Fatalf("POST: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got := f.contact(f.ana)
	if got.LastName != "Lima" || got.Role != "CTO" || got.Company != "Globex SA" || got.Language != "fr" || got.Consent.Status != foyer.ConsentAccepted {
		t.Errorf("after the form: %+v", got)
	}
	if page := body(f.do("GET", path+"?saved=1", nil, "")); !strings.Contains(page, formTexts["fr"].ProfileSaved) {
		t.Errorf("the saved page, in French:\n%s", page)
	}
	form.Del("consent")
	f.do("POST", path, form, "")
	if got := f.contact(f.ana); got.Consent.Status != foyer.ConsentRefused {
		t.Errorf("unticked: %+v", got.Consent)
	}
	want := []string{"form/accepted/contact", "form/refused/contact"}
	if h := f.history(f.ana); strings.Join(h, " ") != strings.Join(want, " ") {
		t.Errorf("history %q, want %q", h, want)
	}
	// A form without the box (not shown) changes no consent; a bad
	// language is refused and changes nothing.
	form.Del("consent_shown")
	f.do("POST", path, form, "")
	form.Set("language", "de")
	form.Set("role", "CEO")
	if resp := f.do("POST", path, form, ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("language de: %d", resp.StatusCode)
	}
	if h := f.history(f.ana); len(h) != 2 {
		t.Errorf("history %q", h)
	}
	if got := f.contact(f.ana); got.Role != "CTO" {
		t.Errorf("a refused form changed the role: %+v", got)
	}
}

func TestOptOutForm(t *testing.T) {
	f := newFormTest(t)
	path := f.link(f.ana, formlink.OptOut, time.Hour)
	if resp := f.do("GET", path+"/done", nil, ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Errorf("the confirmation before the opt-out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := body(f.do("GET", path, nil, "", "Accept-Language", "fr"))
	if !strings.Contains(page, formTexts["fr"].OptOutButton) || strings.Contains(page, `name="via"`) {
		t.Errorf("the form in French:\n%s", page)
	}
	resp := f.do("POST", path, url.Values{}, "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"/done" {
		t.Fatalf("POST: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := f.contact(f.ana); got.Consent.Status != foyer.ConsentRefused {
		t.Errorf("after the opt-out: %+v", got.Consent)
	}
	if h := f.history(f.ana); strings.Join(h, " ") != "optout-form/refused/contact" {
		t.Errorf("history %q", h)
	}
	// The confirmation: a hop through each of the sites' hosts, patterns
	// left out.
	page = body(f.do("GET", path+"/done", nil, ""))
	for _, host := range []string{"www.example.com", "shop.example.com"} {
		if !strings.Contains(page, `href="https://`+host+`/?foyer_optout=`) {
			t.Errorf("no hop to %s:\n%s", host, page)
		}
	}
	if strings.Contains(page, "example.org") || strings.Count(page, "www.example.com/?foyer_optout") != 2 { // the list and "every site"
		t.Errorf("the hops:\n%s", page)
	}
	// Reached from the unsubscribe form: that source.
	f.do("POST", path, url.Values{"via": {"unsubscribe"}}, "")
	if h := f.history(f.ana); h[len(h)-1] != "unsubscribe-form/refused/contact" {
		t.Errorf("history %q", h)
	}
}

func TestUnsubscribeForm(t *testing.T) {
	f := newFormTest(t)
	ctx := context.Background()
	path := f.link(f.ana, formlink.Unsubscribe, time.Hour)
	if page := body(f.do("GET", path, nil, "")); !strings.Contains(page, "Stop receiving emails from Acme") {
		t.Errorf("the form:\n%s", page)
	}
	resp := f.do("POST", path, url.Values{}, "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"/done" {
		t.Fatalf("POST: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if at, err := f.st.Unsubscribed(ctx, f.acme, f.ana.ID); err != nil || at.IsZero() {
		t.Fatalf("unsubscribed: %v, %v", at, err)
	}
	page := body(f.do("GET", path+"/done", nil, "", "Accept-Language", "fr"))
	i := strings.Index(page, `href="/forms/`)
	if !strings.Contains(page, formTexts["fr"].UnsubOfferLink) || i < 0 {
		t.Fatalf("the confirmation offers no opt-out:\n%s", page)
	}
	optout := strings.ReplaceAll(page[i+6:i+strings.Index(page[i+6:], `"`)+6], "&amp;", "&")
	if !strings.HasSuffix(optout, "?via=unsubscribe") || !strings.Contains(optout, "/optout/") {
		t.Fatalf("the offered link %q", optout)
	}
	if page := body(f.do("GET", optout, nil, "")); !strings.Contains(page, `name="via" value="unsubscribe"`) {
		t.Errorf("the opt-out form from the unsubscribe form:\n%s", page)
	}
	f.do("POST", strings.TrimSuffix(optout, "?via=unsubscribe"), url.Values{"via": {"unsubscribe"}}, "")
	if h := f.history(f.ana); strings.Join(h, " ") != "unsubscribe-form/refused/contact" {
		t.Errorf("history %q", h)
	}
	// The workspace turns the offer off.
	if err := f.st.SetContactForms(ctx, f.acme, foyer.ContactForms{}); err != nil {
		t.Fatal(err)
	}
	if page := body(f.do("GET", path+"/done", nil, "")); strings.Contains(page, "/optout/") || !strings.Contains(page, "no more emails") {
		t.Errorf("the confirmation without the offer:\n%s", page)
	}
}

// TestFormLinksRefused: an expired, forged, other workspace's, wrong-kind
// or deleted contact's link gets its error page and changes nothing, on
// GET and POST.
func TestFormLinksRefused(t *testing.T) {
	f := newFormTest(t)
	ctx := context.Background()
	expired := f.link(f.ana, formlink.OptOut, time.Hour)
	f.clock.Add(2 * time.Hour)
	good := f.link(f.ana, formlink.OptOut, time.Hour)
	forged := []byte(good)
	forged[len(forged)-3] ^= 1
	otherKey := formlink.NewSigner(bytes.Repeat([]byte{3}, 32))
	l := formlink.Link{Workspace: f.acme, Contact: f.ana.ID, Kind: formlink.OptOut, Expires: f.clock.Now().Add(time.Hour)}
	token := strings.TrimPrefix(good, fmt.Sprintf("/forms/%d/optout/", f.acme))
	gone := &foyer.Contact{WorkspaceID: f.acme, Email: "gone@example.com"}
	if err := f.st.CreateContact(ctx, gone, "test"); err != nil {
		t.Fatal(err)
	}
	deleted := f.link(gone, formlink.OptOut, time.Hour)
	if err := f.st.DeleteContact(ctx, f.acme, gone.ID, "test"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		want       int
		text       string
	}{
		{"expired", expired, http.StatusGone, "This link has expired"},
		{"forged", string(forged), http.StatusNotFound, "This link does not work"},
		{"another key's", formPath(l, otherKey.Sign(l)), http.StatusNotFound, "This link does not work"},
		{"other workspace", fmt.Sprintf("/forms/%d/optout/%s", f.initech, token), http.StatusForbidden, "This link does not work"},
		{"wrong kind", fmt.Sprintf("/forms/%d/unsubscribe/%s", f.acme, token), http.StatusNotFound, "This link does not work"},
		{"wrong kind's page", fmt.Sprintf("/forms/%d/profile/%s", f.acme, token), http.StatusNotFound, "This link does not work"},
		{"deleted contact", deleted, http.StatusNotFound, "This link does not work"},
		{"bad workspace", "/forms/x/optout/" + token, http.StatusNotFound, "This link does not work"},
		{"garbage", fmt.Sprintf("/forms/%d/optout/AAAA", f.acme), http.StatusNotFound, "This link does not work"},
	} {
		for _, method := range []string{"GET", "POST"} {
			form := url.Values{"consent_shown": {"1"}, "first_name": {"Eve"}}
			if method == "GET" {
				form = nil
			}
			resp := f.do(method, c.path, form, "", "Accept-Language", "en")
			page := body(resp)
			if resp.StatusCode != c.want || !strings.Contains(page, c.text) || !strings.Contains(page, "Nothing was changed") {
				t.Errorf("%s, %s: %d, want %d with %q:\n%s", c.name, method, resp.StatusCode, c.want, c.text, page)
			}
			if c.name == "expired" && !strings.Contains(page, "from Acme") {
				t.Errorf("the expired page does not name the workspace:\n%s", page)
			}
			if c.name != "expired" && strings.Contains(page, "Acme") {
				t.Errorf("%s: a link not to be trusted shows a workspace's name:\n%s", c.name, page)
			}
		}
	}
	if h := f.history(f.ana); len(h) != 0 {
		t.Errorf("refused links changed the history: %q", h)
	}
	if got := f.contact(f.ana); got.FirstName != "Ana" {
		t.Errorf("refused links changed the contact: %+v", got)
	}
	// In French, for a French browser.
	if page := body(f.do("GET", expired, nil, "", "Accept-Language", "fr")); !strings.Contains(page, "Ce lien a expiré") {
		t.Errorf("the expired page in French:\n%s", page)
	}
}

// TestBrowserHop: each site sends the browser back with from=HOST; Foyer
// sends it to the next site, and after the last shows where it has been.
func TestBrowserHop(t *testing.T) {
	f := newFormTest(t)
	l := formlink.Link{Workspace: f.acme, Contact: f.ana.ID, Kind: formlink.Browser, Expires: f.clock.Now().Add(time.Minute)}
	tok := f.srv.cfg.FormLinks.Sign(l)
	resp := f.do("GET", "/forms/browser/"+tok+"?from=www.example.com", nil, "")
	if want := "https://shop.example.com/?foyer_optout=" + tok; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("after the first site: %d to %q, want %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	resp = f.do("GET", "/forms/browser/"+tok+"?from=shop.example.com", nil, "")
	page := body(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<li>www.example.com</li><li>shop.example.com</li>") {
		t.Errorf("after the last site: %d\n%s", resp.StatusCode, page)
	}
	// An opt-out form's token is not a hop's; an expired hop says so.
	l.Kind = formlink.OptOut
	if resp := f.do("GET", "/forms/browser/"+f.srv.cfg.FormLinks.Sign(l)+"?from=www.example.com", nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an opt-out token as a hop's: %d", resp.StatusCode)
	}
	f.clock.Add(2 * time.Minute)
	if resp := f.do("GET", "/forms/browser/"+tok+"?from=www.example.com", nil, ""); resp.StatusCode != http.StatusGone {
		t.Errorf("an expired hop: %d", resp.StatusCode)
	}
}

func TestAcceptedLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"": "en", "fr": "fr", "fr-CA": "fr", "FR-ca, en;q=0.9": "fr", "en-GB,fr;q=0.9": "en", "de,fr;q=0.5,en;q=0.4": "fr",
		"fr;q=0.2, en;q=0.3": "en", "fr;q=x": "en", "es, it": "en", "en;q=0, fr;q=0": "en", "fr;q=0": "en",
	} {
		if got := acceptedLanguage(header); got != want {
			t.Errorf("acceptedLanguage(%q) = %q, want %q", header, got, want)
		}
	}
}
