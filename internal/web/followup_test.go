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
)

// TestCompanyFollowUp: analysts note, tag and assign a company on its page,
// viewers read it; a note is deleted by its author or an admin; the feed
// filters by tag and assignee, keeps the filters in saved feeds and shows
// the tags, and the export lists them.
func TestCompanyFollowUp(t *testing.T) {
	w := newWebTest(t)
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ana := w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	bob := w.user("bob@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("vera@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	olga := w.user("olga@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	now := time.Now()
	w.visitFrom(acme, 1, foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}, now.Add(-time.Hour))
	w.visitFrom(acme, 2, foyer.Org{Name: "Hooli Inc", Type: foyer.OrgBusiness}, now.Add(-2*time.Hour))
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ws := acme.WorkspaceID
	ids := map[string]int64{}
	rows, err := w.st.Feed(context.Background(), foyer.FeedQuery{WorkspaceID: ws, From: now.AddDate(0, 0, -1), To: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	globex := fmt.Sprintf("/app/w/%d/c/%d", ws, ids["Globex GmbH"])
	anaC, bobC, veraC, ownerC := w.signIn(ana.Email), w.signIn(bob.Email), w.signIn("vera@example.com"), w.signIn("owner@example.com")
	post := func(cookie, path string, form url.Values, status int, notice string) string {
		t.Helper()
		resp := w.do("POST", path, form, cookie)
		b := body(resp)
		if resp.StatusCode != status {
			t.Fatalf("POST %s %v: %d, want %d\n%s", path, form, resp.StatusCode, status, b)
		}
		if notice != "" && resp.Header.Get("Location") != globex+"?done="+notice {
			t.Fatalf("POST %s: to %q", path, resp.Header.Get("Location"))
		}
		return b
	}
	post(anaC, globex+"/notes", url.Values{"body": {"Called <b>Hans</b>.\nCall back in May."}}, http.StatusSeeOther, "note")
	post(bobC, globex+"/notes", url.Values{"body": {"Sent the offer."}}, http.StatusSeeOther, "note")
	if b := post(anaC, globex+"/notes", url.Values{"body": {strings.Repeat("x", foyer.MaxNoteLength+1)}}, http.StatusBadRequest, ""); !strings.Contains(b, "at most 4000 characters") {
		t.Errorf("a long note's error: %s", b)
	}
	post(anaC, globex+"/tags", url.Values{"tag": {"  Hot   lead "}}, http.StatusSeeOther, "tagged")
	post(bobC, globex+"/tags", url.Values{"tag": {"HOT LEAD"}}, http.StatusSeeOther, "tagged")
	post(bobC, globex+"/tags", url.Values{"tag": {"Partner"}}, http.StatusSeeOther, "tagged")
	post(bobC, globex+"/tags/remove", url.Values{"tag": {"partner"}}, http.StatusSeeOther, "untagged")
	post(anaC, globex+"/assignee", url.Values{"user": {fmt.Sprint(ana.ID)}}, http.StatusSeeOther, "assigned")
	if b := post(anaC, globex+"/assignee", url.Values{"user": {fmt.Sprint(olga.ID)}}, http.StatusBadRequest, ""); !strings.Contains(b, "not a member of this workspace") {
		t.Errorf("assigning a non-member: %s", b)
	}
	post(veraC, globex+"/notes", url.Values{"body": {"viewer's"}}, http.StatusForbidden, "")
	post(veraC, globex+"/tags", url.Values{"tag": {"viewer's"}}, http.StatusForbidden, "")

	// Every member reads it, newest note first, with author and time.
	resp := w.do("GET", globex+"?done=note", nil, veraC)
	b := body(resp)
	offer, called := strings.Index(b, "Sent the offer."), strings.Index(b, "Called &lt;b&gt;Hans&lt;/b&gt;.\nCall back in May.")
	if resp.StatusCode != http.StatusOK || offer < 0 || called < 0 || offer > called {
		t.Fatalf("the notes, newest first, escaped:\n%s", b)
	}
	for _, want := range []string{"ana@example.com · <time", "bob@example.com · <time", ">Hot lead</a>", "ana@example.com</p>", notices["note"]} {
		if !strings.Contains(b, want) {
			t.Errorf("the viewer's company page lacks %q", want)
		}
	}
	for _, never := range []string{"Partner", `action="` + globex + `/notes"`, "/delete", "HOT LEAD"} {
		if strings.Contains(b, never) {
			t.Errorf("the viewer's company page shows %q", never)
		}
	}
	notes, _ := w.st.Notes(context.Background(), ws, ids["Globex GmbH"])
	if len(notes) != 2 {
		t.Fatalf("notes: %+v", notes)
	}
	bobsNote, anasNote := notes[0].ID, notes[1].ID
	// Ana may delete her note, not Bob's; the owner may delete Bob's.
	post(anaC, fmt.Sprintf("%s/notes/%d/delete", globex, bobsNote), nil, http.StatusForbidden, "")
	post(anaC, fmt.Sprintf("%s/notes/%d/delete", globex, anasNote), nil, http.StatusSeeOther, "note-deleted")
	post(ownerC, fmt.Sprintf("%s/notes/%d/delete", globex, bobsNote), nil, http.StatusSeeOther, "note-deleted")
	post(ownerC, fmt.Sprintf("%s/notes/%d/delete", globex, bobsNote), nil, http.StatusNotFound, "")
	// Another company's path for a note of Globex is not found.
	w.do("POST", fmt.Sprintf("/app/w/%d/c/%d/notes", ws, ids["Hooli Inc"]), url.Values{"body": {"Hooli's"}}, anaC)
	notes, _ = w.st.Notes(context.Background(), ws, ids["Hooli Inc"])
	post(ownerC, fmt.Sprintf("%s/notes/%d/delete", globex, notes[0].ID), nil, http.StatusNotFound, "")

	// The feed: tags as chips, the filters, and saved feeds that keep them.
	feed := func(cookie, query string) string {
		t.Helper()
		resp := w.do("GET", fmt.Sprintf("/app/w/%d?%s", ws, query), nil, cookie)
		b := body(resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("feed ?%s: %d", query, resp.StatusCode)
		}
		return strings.Join(companiesListed(b), ",")
	}
	if b := body(w.do("GET", fmt.Sprintf("/app/w/%d", ws), nil, veraC)); !strings.Contains(b, `class="tag" href="?days=30&amp;tag=Hot%20lead">Hot lead</a>`) {
		t.Errorf("the feed shows no tag chip:\n%s", b)
	}
	for _, c := range []struct{ cookie, query, want string }{
		{veraC, "", "Globex GmbH,Hooli Inc"},
		{veraC, "tag=hot+LEAD", "Globex GmbH"},
		{veraC, "tag=hot", ""},
		{veraC, "tag=" + strings.Repeat("x", foyer.MaxTagLength+1), ""},
		{veraC, "tag=hot+lead&sort=score", "Globex GmbH"},
		{anaC, "assigned=me", "Globex GmbH"},
		{anaC, "assigned=me&sort=score", "Globex GmbH"},
		{bobC, "assigned=me", ""},
		{bobC, fmt.Sprintf("assigned=%d", ana.ID), "Globex GmbH"},
		{bobC, "assigned=nobody", "Globex GmbH,Hooli Inc"},
		{bobC, "assigned=none", "Hooli Inc"},
		{bobC, "assigned=none&sort=score", "Hooli Inc"},
	} {
		if got := feed(c.cookie, c.query); got != c.want {
			t.Errorf("feed ?%s: %q, want %q", c.query, got, c.want)
		}
	}
	post(anaC, fmt.Sprintf("/app/w/%d/feeds", ws), url.Values{"name": {"Mine, hot"}, "query": {"days=7&tag=Hot+lead&assigned=me"}}, http.StatusSeeOther, "")
	saved, err := w.st.SavedFeeds(context.Background(), ws)
	if err != nil || len(saved) != 1 {
		t.Fatalf("saved: %+v, %v", saved, err)
	}
	q, _ := url.ParseQuery(saved[0].Query)
	if q.Get("tag") != "Hot lead" || q.Get("assigned") != "me" {
		t.Fatalf("the saved feed keeps %q", saved[0].Query)
	}
	if got := feed(bobC, saved[0].Query); got != "" { // Bob's own companies: none
		t.Errorf("Bob's saved feed: %q", got)
	}
	// The export lists the tags, and filters like the page.
	resp = w.do("GET", fmt.Sprintf("/app/w/%d/export.csv?assigned=me&bom=0", ws), nil, anaC)
	csv := body(resp)
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 2 || !strings.HasSuffix(lines[0], ",tags,display_name,website,linkedin") ||
		!strings.HasPrefix(lines[1], "Globex GmbH,") || !strings.HasSuffix(lines[1], ",Hot lead,Globex GmbH,,") {
		t.Errorf("export:\n%s", csv)
	}
	// The API filters by tag and assignee too, and lists the tags; a
	// token is no user to be "me".
	token := w.token("Acme", foyer.ScopeRead)
	code, out := w.api(fmt.Sprintf("/api/v1/companies?tag=HOT+lead&assigned=%d", ana.ID), token)
	data, _ := out["data"].([]any)
	if code != http.StatusOK || len(data) != 1 || fmt.Sprint(data[0].(map[string]any)["tags"]) != "[Hot lead]" {
		t.Errorf("API by tag and assignee: %d %v", code, out)
	}
	if code, out := w.api("/api/v1/companies?assigned=me", token); code != http.StatusBadRequest {
		t.Errorf("API assigned=me: %d %v", code, out)
	}
	_, doc := w.api("/api/v1/openapi.json", "")
	if doc["components"].(map[string]any)["schemas"].(map[string]any)["Company"].(map[string]any)["properties"].(map[string]any)["tags"] == nil {
		t.Error("openapi.json: Company lacks tags")
	}
	// Removing Ana from the workspace clears her assignment.
	if err := w.st.RemoveMember(context.Background(), ws, ana.ID); err != nil {
		t.Fatal(err)
	}
	if got := feed(bobC, fmt.Sprintf("assigned=%d", ana.ID)); got != "" {
		t.Errorf("after Ana left, her companies: %q", got)
	}
}
