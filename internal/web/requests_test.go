package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// readZip returns the files of a ZIP by name.
func readZip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP (%v): %.200q", err, b)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(data)
	}
	return out
}

// TestAccessRequest: an admin records an access request on a contact's
// profile; it is listed on the requests page with its due date; the
// package it downloads holds every piece of the person's data the test
// put in (profile and custom attributes, consent history with its reason,
// changes, identified visit with its pages, the request itself) and
// nothing of another contact or another workspace; the request is then
// done, and the package can be downloaded again.
func TestAccessRequest(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	ctx := context.Background()
	w.user("admin@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	w.user("analyst@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	acme, initech := w.wsID("Acme"), w.wsID("Initech")
	site := w.site("Acme", "acme")
	jane := &foyer.Contact{WorkspaceID: acme, Email: "jane.doe@client.example", FirstName: "Jane", LastName: "Doe", Role: "CTO",
		Phone: "+33 6 12 34 56 78", Company: "Client SA", CRMID: "hs-4711", Attrs: map[string]string{"plan": "gold-tier"}}
	bob := &foyer.Contact{WorkspaceID: acme, Email: "bob.other@client.example", FirstName: "Bobby", LastName: "Other", Phone: "+33 1 99 99 99 99"}
	eve := &foyer.Contact{WorkspaceID: initech, Email: "eve@elsewhere.example", FirstName: "Evelyn"}
	for _, c := range []*foyer.Contact{jane, bob, eve} {
		if err := w.st.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := w.st.RecordConsent(ctx, acme, jane.ID, foyer.ConsentChange{Status: foyer.ConsentAccepted, At: w.clock.Now(),
		Source: foyer.SourceForm, Actor: "form", Reason: "webinar sign-up 2026"}); err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetPersonaBasis(ctx, acme, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	hit := func(visitor string, at time.Duration, path string) foyer.Hit {
		return foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: now.Add(at), Kind: foyer.KindPageview, Host: "www.example.com", Path: path,
			Title: "Page " + path}
	}
	ident := hit("visitor-jane-00000001", time.Minute, "/webinar")
	ident.Kind, ident.ContactID, ident.Via = foyer.KindIdentify, jane.ID, foyer.ViaForm
	bobIdent := hit("visitor-bob-000000001", time.Minute, "/x")
	bobIdent.Kind, bobIdent.ContactID, bobIdent.Via = foyer.KindIdentify, bob.ID, foyer.ViaForm
	if err := w.st.Append(ctx, []foyer.Hit{hit("visitor-jane-00000001", 0, "/before"), ident, hit("visitor-jane-00000001", 2*time.Minute, "/pricing-janes"),
		hit("visitor-bob-000000001", 0, "/b"), bobIdent, hit("visitor-bob-000000001", 2*time.Minute, "/bobs-page")}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	admin, analyst := w.signIn("admin@example.com"), w.signIn("analyst@example.com")
	profile := fmt.Sprintf("/app/w/%d/contacts/%d", acme, jane.ID)

	if b := body(w.do("GET", profile, nil, analyst)); strings.Contains(b, "Data-subject requests") {
		t.Error("an analyst is shown the requests")
	}
	if resp := w.do("POST", profile+"/requests", url.Values{"kind": {"access"}}, analyst); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst records a request: %d", resp.StatusCode)
	}
	if resp := w.do("POST", profile+"/requests", url.Values{"kind": {"everything"}}, admin); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d", resp.StatusCode)
	}
	received := now.AddDate(0, 0, -25)
	resp := w.do("POST", profile+"/requests", url.Values{"kind": {"access"}, "reference": {"ticket 991"},
		"received": {received.Format("2006-01-02")}}, admin)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=request-opened") {
		t.Fatalf("record: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	list, err := w.st.SubjectRequests(ctx, acme, foyer.RequestQuery{})
	if err != nil || len(list) != 1 {
		t.Fatalf("requests: %v, %v", list, err)
	}
	req := list[0]
	wantDue := time.Date(received.Year(), received.Month(), received.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, foyer.DefaultRequestDays)
	if req.Kind != foyer.RequestAccess || req.Status != foyer.RequestOpen || !req.DueAt.Equal(wantDue) || req.Reference != "ticket 991" {
		t.Errorf("request = %+v, want due %v", req, wantDue)
	}
	page := body(w.do("GET", fmt.Sprintf("/app/w/%d/requests", acme), nil, admin))
	if !strings.Contains(page, "Jane Doe") || !strings.Contains(page, `class="due-soon"`) || !strings.Contains(page, "Download the access package") {
		t.Errorf("the requests page does not warn of the request due in 5 days:\n%s", page)
	}
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d/requests", initech), nil, admin); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another workspace's requests page: %d", resp.StatusCode)
	}

	fulfil := fmt.Sprintf("/app/w/%d/requests/%d/fulfil", acme, req.ID)
	resp = w.do("POST", fulfil, url.Values{}, admin)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the package: %d %v", resp.StatusCode, resp.Header)
	}
	raw, _ := io.ReadAll(resp.Body)
	files := readZip(t, raw)
	for _, name := range []string{"README.txt", "data.json", "profile.csv", "consent_history.csv", "changes.csv", "visits.csv", "requests.csv", "audit.csv"} {
		if _, ok := files[name]; !ok {
			t.Errorf("the package has no %s", name)
		}
	}
	all := strings.Join([]string{files["data.json"], files["profile.csv"], files["consent_history.csv"], files["changes.csv"],
		files["visits.csv"], files["requests.csv"]}, "\n")
	for _, want := range []string{"jane.doe@client.example", "Jane", "Doe", "CTO", "+33 6 12 34 56 78", "Client SA", "hs-4711", "gold-tier",
		"webinar sign-up 2026", "/pricing-janes", "ticket 991", "access", "accepted"} {
		if !strings.Contains(all, want) {
			t.Errorf("the package lacks %q", want)
		}
	}
	for _, other := range []string{"bob.other", "Bobby", "99 99 99", "/bobs-page", "eve@elsewhere", "Evelyn", "/before"} {
		if strings.Contains(string(raw), other) || strings.Contains(all, other) {
			t.Errorf("the package holds %q, not Jane's", other)
		}
	}
	if !strings.Contains(files["audit.csv"], "request_opened") || !strings.Contains(files["audit.csv"], "access package") {
		t.Errorf("the package's audit entries:\n%s", files["audit.csv"])
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(files["data.json"]), &doc); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	if visits, _ := doc["visits"].([]any); len(visits) != 1 {
		t.Errorf("data.json has %d visits, want 1", len(visits))
	}
	if r, err := w.st.SubjectRequest(ctx, acme, req.ID); err != nil || r.Status != foyer.RequestDone || r.ClosedBy == "" {
		t.Errorf("after the package: %+v, %v", r, err)
	}
	if resp := w.do("POST", fulfil, url.Values{}, admin); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Errorf("the package again: %d", resp.StatusCode)
	}
	// Another workspace's request is not found from here.
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/requests/%d/fulfil", initech, req.ID), url.Values{}, admin); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the request from another workspace: %d", resp.StatusCode)
	}
}

// TestErasureAndObjectionRequests: an objection carried out sets the
// consent to refused with the source "request"; a rejection needs a
// reason; an erasure carried out erases the contact, whose ledger entry
// names the request, and the request stays listed. The API opens an
// erasure and carries it out at once, lists requests after the contact is
// gone, serves an access package, and refuses a read token.
func TestErasureAndObjectionRequests(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	ctx := context.Background()
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	acme := w.wsID("Acme")
	mk := func(email string) *foyer.Contact {
		c := &foyer.Contact{WorkspaceID: acme, Email: email, FirstName: strings.SplitN(email, "@", 2)[0]}
		if err := w.st.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	ann, ben, cat, dan := mk("ann@client.example"), mk("ben@client.example"), mk("cat@client.example"), mk("dan@client.example")
	owner := w.signIn("owner@example.com")
	open := func(c *foyer.Contact, kind foyer.RequestKind) foyer.SubjectRequest {
		t.Helper()
		resp := w.do("POST", fmt.Sprintf("/app/w/%d/contacts/%d/requests", acme, c.ID), url.Values{"kind": {string(kind)}}, owner)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record %s: %d", kind, resp.StatusCode)
		}
		list, err := w.st.SubjectRequests(ctx, acme, foyer.RequestQuery{ContactID: c.ID})
		if err != nil || len(list) == 0 {
			t.Fatalf("requests of %s: %v", c.Email, err)
		}
		return list[0]
	}
	base := fmt.Sprintf("/app/w/%d/requests/", acme)

	obj := open(ann, foyer.RequestObjection)
	if resp := w.do("POST", base+fmt.Sprint(obj.ID)+"/fulfil", url.Values{}, owner); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("objection: %d", resp.StatusCode)
	}
	c, err := w.st.Contact(ctx, acme, ann.ID)
	if err != nil || c.Consent.Status != foyer.ConsentRefused {
		t.Fatalf("after the objection: %+v, %v", c, err)
	}
	hist, err := w.st.ConsentHistory(ctx, acme, ann.ID)
	if err != nil || len(hist) != 1 || hist[0].Source != foyer.SourceRequest || !strings.Contains(hist[0].Reason, fmt.Sprintf("request %d", obj.ID)) {
		t.Errorf("the objection's history: %+v, %v", hist, err)
	}
	if resp := w.do("POST", base+fmt.Sprint(obj.ID)+"/fulfil", url.Values{}, owner); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "request-closed") {
		t.Errorf("carrying out twice: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	rej := open(ben, foyer.RequestRectification)
	if resp := w.do("POST", base+fmt.Sprint(rej.ID)+"/reject", url.Values{}, owner); resp.StatusCode != http.StatusConflict {
		t.Errorf("a rejection without a reason: %d", resp.StatusCode)
	}
	if resp := w.do("POST", base+fmt.Sprint(rej.ID)+"/reject", url.Values{"reason": {"identity not verified"}}, owner); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a rejection: %d", resp.StatusCode)
	}
	if r, _ := w.st.SubjectRequest(ctx, acme, rej.ID); r.Status != foyer.RequestRejected || !strings.Contains(r.Outcome, "identity not verified") {
		t.Errorf("rejected request = %+v", r)
	}

	er := open(cat, foyer.RequestErasure)
	resp := w.do("POST", base+fmt.Sprint(er.ID)+"/fulfil", url.Values{}, owner)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "request-erased") {
		t.Fatalf("erasure: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := w.st.Contact(ctx, acme, cat.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("the contact after its erasure request: %v", err)
	}
	ledger, err := w.st.Erasures(ctx)
	if err != nil || len(ledger) != 1 || ledger[0].ContactID != cat.ID || ledger[0].RequestID != fmt.Sprintf("request %d", er.ID) {
		t.Errorf("ledger = %+v, %v", ledger, err)
	}
	page := body(w.do("GET", fmt.Sprintf("/app/w/%d/requests", acme), nil, owner))
	if !strings.Contains(page, fmt.Sprintf("an erased contact (#%d)", cat.ID)) || !strings.Contains(page, "identity not verified") {
		t.Errorf("the requests page:\n%s", page)
	}
	// The time to answer: owners set it, within bounds.
	if resp := w.do("POST", base+"days", url.Values{"days": {"91"}}, owner); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("91 days: %d", resp.StatusCode)
	}
	if resp := w.do("POST", base+"days", url.Values{"days": {"20"}}, owner); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("20 days: %d", resp.StatusCode)
	}

	// The API.
	write, read := w.token("Acme", foyer.ScopeWrite), w.token("Acme", foyer.ScopeRead)
	api := fmt.Sprintf("/api/v1/contacts/%d/requests", dan.ID)
	if code, _ := w.call("POST", api, read, `{"kind":"erasure"}`); code != http.StatusForbidden {
		t.Errorf("a read token opens a request: %d", code)
	}
	if code, out := w.call("POST", api, write, `{"kind":"forget-me"}`); code != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d %v", code, out)
	}
	code, out := w.call("POST", api, write, `{"kind":"access","reference":"api-1"}`)
	if code != http.StatusCreated || out["status"] != "open" || out["access_url"] == nil {
		t.Fatalf("an access request: %d %v", code, out)
	}
	code, zipped, hdr := w.callRaw("GET", out["access_url"].(string), write, "")
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/zip" || !strings.Contains(readZip(t, zipped)["data.json"], "dan@client.example") {
		t.Errorf("the access package by the API: %d %v", code, hdr)
	}
	code, out = w.call("POST", api, write, `{"kind":"erasure","reference":"api-2"}`)
	if code != http.StatusCreated || out["status"] != "done" {
		t.Fatalf("an erasure by the API: %d %v", code, out)
	}
	if _, err := w.st.Contact(ctx, acme, dan.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("the contact after the API's erasure: %v", err)
	}
	code, out = w.call("GET", api, read, "")
	if data, _ := out["data"].([]any); code != http.StatusOK || len(data) != 2 {
		t.Errorf("the requests of the erased contact: %d %v", code, out)
	}
	// Another workspace's token sees none of them.
	if code, out = w.call("GET", api, w.token("Initech", foyer.ScopeWrite), ""); code != http.StatusNotFound {
		t.Errorf("another workspace's token lists %d %v", code, out)
	}
	if code, _, _ := w.callRaw("GET", fmt.Sprintf("%s/%d/access", api, 1), w.token("Initech", foyer.ScopeWrite), ""); code != http.StatusNotFound {
		t.Errorf("another workspace's token fetches an access package: %d", code)
	}
}
