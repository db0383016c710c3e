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
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestContactPages: an analyst adds a contact by the form, finds it in the
// list by a word of its name, opens its profile, whose Profile ends with
// the tracking status, and records a refusal that the Consents section
// lists; a viewer reads but cannot change; an older answer shows as not
// applied; an owner's switch to opt-in mode shows on the list as "not
// tracked" for an unanswered contact; the chain's status shows, and a
// tampered history shows as broken.
func TestContactPages(t *testing.T) {
	w := newWebTest(t)
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("analyst@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("viewer@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	ws := w.workspace("Acme")
	analyst, viewer, owner := w.signIn("analyst@example.com"), w.signIn("viewer@example.com"), w.signIn("owner@example.com")
	list := fmt.Sprintf("/app/w/%d/contacts", ws)

	resp := w.do("POST", list, url.Values{"email": {" Ana.Lopez@Globex.example "}, "first_name": {"Ana"}, "last_name": {"López"},
		"company": {"Globex"}, "phone": {"+33 1 23 45 67 89"}, "attrs": {"plan = gold\nsize=12"}, "consent": {"accepted"}}, analyst)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", resp.StatusCode, body(resp))
	}
	profile := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	if resp := w.do("POST", list, url.Values{"email": {"ana.lopez@globex.example"}}, analyst); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(body(resp), "exists") {
		t.Errorf("the same email again: %d", resp.StatusCode)
	}
	if resp := w.do("POST", list, url.Values{"email": {"eve@globex.example"}, "attrs": {"no equals sign"}}, analyst); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad attribute line: %d", resp.StatusCode)
	}
	if resp := w.do("POST", list, url.Values{"email": {"eve@globex.example"}}, viewer); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer adds a contact: %d", resp.StatusCode)
	}
	w.do("POST", list, url.Values{"email": {"bob@initrode.example"}, "first_name": {"Bob"}}, analyst)

	page := body(w.do("GET", list+"?q=lopez", nil, viewer))
	if !strings.Contains(page, "ana.lopez@globex.example") || strings.Contains(page, "bob@initrode.example") {
		t.Errorf("searching lopez:\n%s", page)
	}
	page = body(w.do("GET", list+"?consent=unanswered", nil, viewer))
	if strings.Contains(page, "ana.lopez@globex.example") || !strings.Contains(page, "bob@initrode.example") {
		t.Errorf("the unanswered ones:\n%s", page)
	}
	if page := body(w.do("GET", list+"?consent=maybe", nil, viewer)); !strings.Contains(page, "not a consent status") {
		t.Errorf("an unknown filter says nothing:\n%s", page)
	}

	page = body(w.do("GET", profile, nil, viewer))
	for _, want := range []string{"Profile", "1 23 45 67 89", "gold", "Tracking status", "<strong>Accepted</strong>", "Consents",
		"consent history verifies: no entry was edited"} {
		if !strings.Contains(page, want) {
			t.Errorf("the profile lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "Edit the profile") || strings.Contains(page, "/consent\"") {
		t.Error("a viewer is offered the edit forms")
	}
	if resp := w.do("POST", profile+"/consent", url.Values{"status": {"refused"}}, viewer); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer changes a consent: %d", resp.StatusCode)
	}
	if resp := w.do("POST", profile+"/consent", url.Values{"status": {"cleared"}}, analyst); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst clears a consent: %d", resp.StatusCode)
	}
	resp = w.do("POST", profile+"/consent", url.Values{"status": {"refused"}, "reason": {"asked by phone, ticket 4711"}}, analyst)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=consent-saved") {
		t.Fatalf("refuse: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	page = body(w.do("GET", profile, nil, viewer))
	if !strings.Contains(page, "<strong>Refused</strong>") || !strings.Contains(page, "ticket 4711") || !strings.Contains(page, "not tracked") {
		t.Errorf("after the refusal:\n%s", page)
	}

	// The edit form replaces the fields, and the change is recorded.
	resp = w.do("POST", profile, url.Values{"email": {"ana.lopez@globex.example"}, "first_name": {"Anna"}, "last_name": {"López"}}, analyst)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", resp.StatusCode, body(resp))
	}
	page = body(w.do("GET", profile, nil, viewer))
	if !strings.Contains(page, "<h1>Anna López</h1>") || !strings.Contains(page, "updated: first_name, phone, company, attributes") {
		t.Errorf("after the edit:\n%s", page)
	}

	// Opt-in mode: bob, unanswered, is no longer tracked.
	if strings.Contains(body(w.do("GET", list+"?q=bob", nil, viewer)), "not tracked") {
		t.Error("an unanswered contact is not tracked in opt-out mode")
	}
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/settings/tracking-mode", ws), url.Values{"mode": {"opt-in"}}, analyst); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst switches the mode: %d", resp.StatusCode)
	}
	resp = w.do("POST", fmt.Sprintf("/app/w/%d/settings/tracking-mode", ws), url.Values{"mode": {"opt-in"}, "reason": {"legal review"}}, owner)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=mode-saved") {
		t.Fatalf("switch: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if page := body(w.do("GET", list+"?q=bob", nil, viewer)); !strings.Contains(page, "not tracked") || !strings.Contains(page, "Opt-in mode") {
		t.Errorf("an unanswered contact in opt-in mode:\n%s", page)
	}

	// A tampered history shows as broken on the owner's settings page.
	// A verification runs in the background; a page waits a moment for it.
	checked := func() string {
		for range 100 {
			page := body(w.do("GET", fmt.Sprintf("/app/w/%d/settings", ws), nil, owner))
			if !strings.Contains(page, "being verified") && !strings.Contains(page, "a new check runs") {
				return page
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("the consent history is never verified")
		return ""
	}
	settings := checked()
	if !strings.Contains(settings, "The consent history verifies") || !strings.Contains(settings, `value="opt-in" checked`) {
		t.Errorf("the settings page:\n%s", settings)
	}
	db := testutil.OpenDB(t, w.dsn)
	if _, err := db.ExecContext(context.Background(), `UPDATE consent_history SET actor = 'someone else' WHERE id = (SELECT MIN(id) FROM consent_history)`); err != nil {
		t.Fatal(err)
	}
	settings = checked()
	if !strings.Contains(settings, "does not verify") || !strings.Contains(settings, "edited") {
		t.Errorf("a tampered history on the settings page:\n%s", settings)
	}
}

// TestEraseFromProfile: an owner erases a contact from its profile; the
// profile is gone, and a contact added later with the same email says
// that an erasure came before it.
func TestEraseFromProfile(t *testing.T) {
	w := newWebTest(t)
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ws := w.workspace("Acme")
	owner := w.signIn("owner@example.com")
	list := fmt.Sprintf("/app/w/%d/contacts", ws)
	add := func() string {
		t.Helper()
		resp := w.do("POST", list, url.Values{"email": {"ana@globex.example"}, "first_name": {"Ana"}}, owner)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d %s", resp.StatusCode, body(resp))
		}
		return strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	}
	profile := add()
	page := body(w.do("GET", profile, nil, owner))
	if !strings.Contains(page, "Erase this contact") || strings.Contains(page, "was erased on") {
		t.Errorf("the first profile:\n%s", page)
	}
	resp := w.do("POST", profile+"/delete", url.Values{}, owner)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=contact-deleted") {
		t.Fatalf("erase: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := w.do("GET", profile, nil, owner); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the erased profile: %d", resp.StatusCode)
	}
	again := add()
	if again == profile {
		t.Fatalf("the new contact has the erased one's address %s", again)
	}
	if page := body(w.do("GET", again, nil, owner)); !strings.Contains(page, "A contact with this email was erased on") {
		t.Errorf("the new profile does not tell of the erasure:\n%s", page)
	}
}
