package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// TestRetentionSettings: an owner sees and saves the workspace's
// retention, bad numbers are refused with a clear error and nothing
// changes, and after a run of the job the page lists what it did and
// links to the contacts to review, which the contact list filters.
func TestRetentionSettings(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	ctx := context.Background()
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	owner := w.signIn("owner@example.com")
	acme := w.wsID("Acme")
	settings := fmt.Sprintf("/app/w/%d/settings", acme)

	page := body(w.do("GET", settings, nil, owner))
	for _, want := range []string{"Retention", `name="event_days" min="30" max="3650" value="395"`, `name="review_months" min="1" max="120" value="24"`,
		"No contact to review", "The job has not run yet"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	for _, bad := range []url.Values{
		{"event_days": {"10"}, "link_days": {"395"}, "review_months": {"24"}},
		{"event_days": {"395"}, "link_days": {"4000"}, "review_months": {"24"}},
		{"event_days": {"395"}, "link_days": {"395"}, "review_months": {"0"}},
		{"event_days": {"a year"}, "link_days": {"395"}, "review_months": {"24"}},
	} {
		resp := w.do("POST", settings+"/retention", bad, owner)
		if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "Not saved:") {
			t.Errorf("%v: %d", bad, resp.StatusCode)
		}
	}
	if r, _ := w.st.Retention(ctx, acme); r != foyer.DefaultRetention {
		t.Errorf("after refused changes: %+v", r)
	}
	resp := w.do("POST", settings+"/retention", url.Values{"event_days": {"90"}, "link_days": {"60"}, "review_months": {"12"}}, owner)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if r, _ := w.st.Retention(ctx, acme); r != (foyer.Retention{EventDays: 90, LinkDays: 60, ReviewMonths: 12}) {
		t.Errorf("saved %+v", r)
	}

	for _, email := range []string{"ana@client.example", "bo@client.example"} {
		if err := w.st.CreateContact(ctx, &foyer.Contact{WorkspaceID: acme, Email: email, FirstName: strings.Split(email, "@")[0]}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	// Both were last changed 13 months ago.
	old := w.clock.Now().AddDate(0, -13, 0).UnixMilli()
	if _, err := w.st.DB().ExecContext(ctx, fmt.Sprintf(`UPDATE contacts SET created_at = %d, updated_at = %d`, old, old)); err != nil {
		t.Fatal(err)
	}
	if err := w.st.CreateContact(ctx, &foyer.Contact{WorkspaceID: acme, Email: "new@client.example", FirstName: "New"}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.EnforceRetention(ctx, store.RetentionOptions{}); err != nil {
		t.Fatal(err)
	}
	resp = w.do("GET", settings, nil, owner)
	page = body(resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("settings after a run: %d %s", resp.StatusCode, page)
	}
	for _, want := range []string{fmt.Sprintf(`href="/app/w/%d/contacts?review=1">2 contacts to review</a>`, acme),
		"inactive contacts flagged for review", "raw events deleted", "browser links deleted", "visits unlinked from their contact"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page after a run lacks %q", want)
		}
	}
	list := body(w.do("GET", fmt.Sprintf("/app/w/%d/contacts?review=1", acme), nil, owner))
	if !strings.Contains(list, "ana@client.example") || !strings.Contains(list, "bo@client.example") ||
		strings.Contains(list, "new@client.example") || strings.Count(list, ">to review</span>") != 2 {
		t.Errorf("contacts to review: %s", list)
	}
	if all := body(w.do("GET", fmt.Sprintf("/app/w/%d/contacts", acme), nil, owner)); !strings.Contains(all, "new@client.example") {
		t.Error("the whole list lacks the new contact")
	}

	// Keeping one: it is no longer to review, and its changes say so.
	flagged, err := w.st.SearchContacts(ctx, acme, foyer.ContactQuery{Review: true})
	if err != nil || len(flagged) != 2 {
		t.Fatalf("flagged %d, %v", len(flagged), err)
	}
	profile := fmt.Sprintf("/app/w/%d/contacts/%d", acme, flagged[0].ID)
	if p := body(w.do("GET", profile, nil, owner)); !strings.Contains(p, "To review:") || !strings.Contains(p, "Keep this contact") {
		t.Error("the profile of a contact to review does not say so")
	}
	if resp := w.do("POST", profile+"/keep", url.Values{}, owner); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("keep: %d", resp.StatusCode)
	}
	p := body(w.do("GET", profile, nil, owner))
	if strings.Contains(p, "To review:") || !strings.Contains(p, "kept after review") {
		t.Error("the profile after keeping it")
	}
	if n, _ := w.st.ContactsToReview(ctx, acme); n != 1 {
		t.Errorf("%d contacts to review after keeping one, want 1", n)
	}
	if _, err := w.st.EnforceRetention(ctx, store.RetentionOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.st.ContactsToReview(ctx, acme); n != 1 {
		t.Errorf("%d contacts to review after the next run, want 1 (the kept one is active)", n)
	}
}
