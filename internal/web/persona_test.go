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
	"github.com/foyerhq/foyer/internal/hubspot/hubspottest"
	"github.com/foyerhq/foyer/internal/store"
)

// TestAPIContactVisitsAndTokens: a token made by POST …/links identifies
// the contact; its identified visit is listed by GET …/visits with the
// pages from the identification on, and DELETE unlinks it.
func TestAPIContactVisitsAndTokens(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	ctx := context.Background()
	acme := w.wsID("Acme")
	site := w.site("Acme", "acme")
	jane := &foyer.Contact{WorkspaceID: acme, Email: "jane@client.example", FirstName: "Jane", Role: "CTO"}
	if err := w.st.CreateContact(ctx, jane, "test"); err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetPersonaBasis(ctx, acme, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	write, read := w.token("Acme", foyer.ScopeWrite), w.token("Acme", foyer.ScopeRead)
	base := fmt.Sprintf("/api/v1/contacts/%d", jane.ID)

	for body, msg := range map[string]string{
		`{"days":0}`:                    "days",
		`{"days":400}`:                  "days",
		`{"url":"javascript:alert(1)"}`: "url",
		`{"colour":"red"}`:              "unknown field",
	} {
		if code, out := w.call("POST", base+"/links", write, body); code != http.StatusBadRequest || !strings.Contains(errMessage(out), msg) {
			t.Errorf("POST links %s: %d %v", body, code, out)
		}
	}
	code, out := w.call("POST", base+"/links", write, `{"days":7,"url":"https://www.example.com/offer?plan=pro#top"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST links: %d %v", code, out)
	}
	token, _ := out["token"].(string)
	link, _ := out["url"].(string)
	if len(token) < 22 || !strings.Contains(link, "fy_t="+token) || !strings.Contains(link, "plan=pro") || out["param"] != "fy_t" {
		t.Fatalf("token answer %v", out)
	}
	if exp, _ := time.Parse(time.RFC3339, out["expires_at"].(string)); !exp.Equal(w.clock.Now().Add(7 * 24 * time.Hour).Truncate(time.Millisecond)) {
		t.Errorf("expires_at %v", out["expires_at"])
	}
	id, err := w.st.MatchIdentifiers(ctx, acme, &foyer.Identifiers{Via: foyer.ViaToken, Token: token})
	if err != nil || id != jane.ID {
		t.Fatalf("the token matches %d, %v", id, err)
	}

	now := w.clock.Now()
	pv := func(at time.Duration, path string) foyer.Hit {
		return foyer.Hit{SiteID: site.ID, VisitorUID: "visitor-api-00000001", Time: now.Add(at), Kind: foyer.KindPageview,
			Host: "www.example.com", Path: path}
	}
	ident := pv(time.Minute, "/offer")
	ident.Kind, ident.ContactID, ident.Via = foyer.KindIdentify, jane.ID, foyer.ViaToken
	if err := w.st.Append(ctx, []foyer.Hit{pv(0, "/before"), ident, pv(2*time.Minute, "/offer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	code, out = w.call("GET", base+"/visits", read, "")
	data, _ := out["data"].([]any)
	if code != http.StatusOK || len(data) != 1 {
		t.Fatalf("GET visits: %d %v", code, out)
	}
	v := data[0].(map[string]any)
	pages, _ := v["pages"].([]any)
	if v["via"] != "token" || len(pages) != 1 || pages[0].(map[string]any)["path"] != "/offer" || out["next_before"] != nil {
		t.Errorf("visit %v (next_before %v): want via token and only /offer", v, out["next_before"])
	}
	if code, _ := w.call("GET", base+"/visits?limit=0", read, ""); code != http.StatusBadRequest {
		t.Errorf("limit=0: %d", code)
	}
	visitID := int64(v["id"].(float64))
	if code, _ := w.call("DELETE", fmt.Sprintf("%s/visits/%d", base, visitID), read, ""); code != http.StatusForbidden {
		t.Errorf("unlink with a read token: %d", code)
	}
	if code, _ := w.call("DELETE", fmt.Sprintf("%s/visits/%d", base, visitID), write, ""); code != http.StatusNoContent {
		t.Errorf("unlink: %d", code)
	}
	if _, out := w.call("GET", base+"/visits", read, ""); len(out["data"].([]any)) != 0 {
		t.Errorf("after unlinking: %v", out)
	}
	if code, out := w.call("DELETE", base+"/visits", write, ""); code != http.StatusOK || out["unlinked"] != float64(0) {
		t.Errorf("unlink all: %d %v", code, out)
	}
}

// TestPersonaSettings: an owner switches Persona Insights on only after
// confirming the privacy statement, connects HubSpot with a token that
// works, and sees a revoked token's problem after a check.
func TestPersonaSettings(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	ctx := context.Background()
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	owner := w.signIn("owner@example.com")
	acme := w.wsID("Acme")
	settings := fmt.Sprintf("/app/w/%d/settings", acme)
	hs := hubspottest.New(t, "pat-good")
	w.srv.cfg.HubSpotAPI = hs.URL()

	page := body(w.do("GET", settings, nil, owner))
	for _, want := range []string{"Persona Insights", "<strong>Off</strong>", "Text for the privacy statement", "legitimate interest", "Not connected"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	resp := w.do("POST", settings+"/persona", url.Values{"basis": {"consent"}}, owner)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body(resp), "privacy statement") {
		t.Errorf("on without confirming: %d", resp.StatusCode)
	}
	resp = w.do("POST", settings+"/persona", url.Values{"basis": {"consent"}, "understood": {"on"}}, owner)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "persona-on") {
		t.Fatalf("on: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	p, err := w.st.PersonaSettings(ctx, acme)
	if err != nil || p.Basis != foyer.PersonaConsent || p.By != "owner@example.com" {
		t.Errorf("stored %+v, %v", p, err)
	}
	if page := body(w.do("GET", settings, nil, owner)); !strings.Contains(page, "<strong>Consent</strong>") || !strings.Contains(page, "your consent, which you can withdraw") {
		t.Errorf("the page after switching on lacks the basis or its statement")
	}

	resp = w.do("POST", settings+"/hubspot", url.Values{"token": {"pat-wrong"}}, owner)
	if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "HubSpot refused the token") || strings.Contains(b, "pat-wrong") {
		t.Errorf("a wrong token: %d", resp.StatusCode)
	}
	if tok, _ := w.st.HubSpotToken(ctx, acme); tok != "" {
		t.Errorf("a wrong token was stored")
	}
	resp = w.do("POST", settings+"/hubspot", url.Values{"token": {"pat-good"}}, owner)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "hubspot-saved") {
		t.Fatalf("connect: %d %s", resp.StatusCode, body(resp))
	}
	if tok, _ := w.st.HubSpotToken(ctx, acme); tok != "pat-good" {
		t.Errorf("stored token %q", tok)
	}
	if page := body(w.do("GET", settings, nil, owner)); !strings.Contains(page, "Connected") || strings.Contains(page, "pat-good") {
		t.Errorf("the page after connecting does not say connected, or shows the token")
	}
	hs.Revoke()
	resp = w.do("POST", settings+"/hubspot/check", url.Values{}, owner)
	if !strings.Contains(resp.Header.Get("Location"), "hubspot-failed") {
		t.Errorf("check after revoking: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if page := body(w.do("GET", settings, nil, owner)); !strings.Contains(page, "Problem:") || !strings.Contains(page, "Recognition goes on without HubSpot") {
		t.Errorf("the page after a failed check does not show the problem")
	}
	resp = w.do("POST", settings+"/hubspot", url.Values{"remove": {"on"}}, owner)
	if !strings.Contains(resp.Header.Get("Location"), "hubspot-removed") {
		t.Errorf("remove: %s", resp.Header.Get("Location"))
	}
	if tok, _ := w.st.HubSpotToken(ctx, acme); tok != "" {
		t.Errorf("a removed token stays")
	}
	resp = w.do("POST", settings+"/persona", url.Values{"basis": {""}}, owner)
	if !strings.Contains(resp.Header.Get("Location"), "persona-off") {
		t.Errorf("off: %s", resp.Header.Get("Location"))
	}
}

// TestHubSpotCompanyImport: an analyst imports the HubSpot contacts of a
// company's domain, and only those, with their HubSpot IDs.
func TestHubSpotCompanyImport(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	ctx := context.Background()
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	analyst, viewer := w.signIn("ana@example.com"), w.signIn("vic@example.com")
	acme := w.wsID("Acme")
	site := w.site("Acme", "acme")
	w.visitFrom(site, 0, foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness}, w.clock.Now().Add(-time.Hour))
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := w.st.Feed(ctx, foyer.FeedQuery{WorkspaceID: acme, From: w.clock.Now().Add(-48 * time.Hour), To: w.clock.Now()})
	if err != nil || len(rows) != 1 {
		t.Fatalf("feed: %v, %v", rows, err)
	}
	company := rows[0].ID
	path := fmt.Sprintf("/app/w/%d/c/%d/hubspot-import", acme, company)

	resp := w.do("POST", path, url.Values{}, analyst)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body(resp), "HubSpot is not connected") {
		t.Errorf("without a token: %d", resp.StatusCode)
	}
	hs := hubspottest.New(t, "pat-import")
	w.srv.cfg.HubSpotAPI = hs.URL()
	hs.PageSize(1)
	ida := hs.AddContact(hubspottest.Contact{Email: "ida@globex.example", FirstName: "Ida", JobTitle: "CFO", Consent: "accepted",
		ConsentAt: w.clock.Now().Add(-24 * time.Hour)})
	hs.AddContact(hubspottest.Contact{Email: "max@globex.example", FirstName: "Max"})
	hs.AddContact(hubspottest.Contact{Email: "eve@elsewhere.example", FirstName: "Eve"})
	if err := w.st.SetHubSpotToken(ctx, acme, "pat-import", "test"); err != nil {
		t.Fatal(err)
	}
	if resp := w.do("POST", path, url.Values{}, viewer); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer imports: %d", resp.StatusCode)
	}
	resp = w.do("POST", path, url.Values{}, analyst)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "done=hubspot-imported") || !strings.Contains(loc, "new=2") {
		t.Fatalf("import: %d %s %s", resp.StatusCode, loc, body(resp))
	}
	page := body(w.do("GET", resp.Header.Get("Location"), nil, analyst))
	for _, want := range []string{"From HubSpot: 2 new, 0 updated, 0 unchanged.", "Import its HubSpot contacts", "ida@globex.example"} {
		if !strings.Contains(page, want) && !(want == "ida@globex.example" && strings.Contains(page, "Ida")) {
			t.Errorf("the company page after the import lacks %q", want)
		}
	}
	if page := body(w.do("GET", fmt.Sprintf("/app/w/%d/c/%d", acme, company), nil, viewer)); strings.Contains(page, "Import its HubSpot contacts") {
		t.Error("a viewer is offered the import")
	}
	got, err := w.st.CompanyContacts(ctx, acme, company, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("the company's contacts: %d, %v", len(got), err)
	}
	ida2, err := w.st.ContactByEmail(ctx, acme, "ida@globex.example")
	if err != nil || ida2.CRMID != ida || ida2.Consent.Status != foyer.ConsentAccepted || ida2.Role != "CFO" {
		t.Errorf("Ida: %+v, %v", ida2, err)
	}
	if _, err := w.st.ContactByEmail(ctx, acme, "eve@elsewhere.example"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("a contact of another domain was imported: %v", err)
	}
}
