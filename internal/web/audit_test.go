package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// auditOf returns the workspace's log (0: the installation's), newest
// first, selected by f.
func (w *webTest) auditOf(ws int64, f foyer.AuditFilter) []foyer.AuditEntry {
	w.t.Helper()
	f.Limit = 1000
	es, _, err := w.st.AuditLog(context.Background(), ws, f)
	if err != nil {
		w.t.Fatal(err)
	}
	return es
}

// doFrom serves one request from the client address addr (host:port).
func (w *webTest) doFrom(addr, method, path string, form url.Values, ua string) *http.Response {
	w.t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.RemoteAddr = addr
	r.Header.Set("User-Agent", ua)
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, r)
	return rec.Result()
}

// TestAuditRecords: a sign-in, a failed one (of a member and of an
// unknown address), a role change, a contact's profile view, an export
// and an API token's uses are each recorded, with who, what, which object
// and the browser, in a log that verifies; on both dialects.
func TestAuditRecords(t *testing.T) {
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) { testAuditRecords(t, d) })
	}
}

func testAuditRecords(t *testing.T, d store.Dialect) {
	w := newWebTestOn(t, d)
	ctx := context.Background()
	owner := w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	bob := w.user("bob@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	w.user("other@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	ws := w.wsID("Acme")

	// Sign-ins: a failure, then a success, in the user's workspace only.
	w.doFrom("203.0.113.9:5000", "POST", "/login", login("owner@example.com", "wrong"), firefoxLinux)
	resp := w.doFrom("203.0.113.77:5001", "POST", "/login", login("owner@example.com", "correct horse battery"), firefoxLinux)
	cookie := sessionOf(resp)
	if cookie == nil {
		t.Fatal("no session")
	}
	fails := w.auditOf(ws, foyer.AuditFilter{Action: foyer.AuditSignInFailed})
	ins := w.auditOf(ws, foyer.AuditFilter{Action: foyer.AuditSignIn})
	if len(fails) != 1 || len(ins) != 1 {
		t.Fatalf("%d failures, %d sign-ins", len(fails), len(ins))
	}
	e := ins[0]
	if e.ActorID != owner.ID || e.ActorKind != foyer.ActorUser || !strings.Contains(e.Actor, "owner@example.com") ||
		e.UserAgent != firefoxLinux || e.ObjectType != "user" || e.ObjectID != idOf(owner.ID) || e.Detail != "password" {
		t.Errorf("sign-in: %+v", e)
	}
	if fails[0].Detail != "wrong password" || fails[0].Network == "" || fails[0].Network != e.Network {
		t.Errorf("failure: %+v (the same /24 as the sign-in: %q)", fails[0], e.Network)
	}
	if other := w.auditOf(w.wsID("Initech"), foyer.AuditFilter{}); len(other) != 0 {
		t.Errorf("another workspace got %d entries", len(other))
	}
	// An address without an account: the installation's log, hashed.
	w.doFrom("[2001:db8:1:2::5]:5002", "POST", "/login", login("Nobody@Example.com", "guess"), chromeWindows)
	nobody := w.auditOf(0, foyer.AuditFilter{})
	if len(nobody) != 1 || nobody[0].ActorKind != foyer.ActorNobody || strings.Contains(strings.ToLower(nobody[0].Actor), "nobody") ||
		nobody[0].Network == "" || nobody[0].Network == e.Network {
		t.Errorf("unknown address: %+v", nobody)
	}

	// A role change.
	token := cookie.Value
	resp = w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/role", ws, bob.ID), url.Values{"role": {"analyst"}}, token, "User-Agent", chromeWindows)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("role change: %d", resp.StatusCode)
	}
	roles := w.auditOf(ws, foyer.AuditFilter{Action: foyer.AuditRoleChanged})
	if len(roles) != 1 || roles[0].ObjectID != idOf(bob.ID) || roles[0].Detail != "to analyst" || roles[0].ActorID != owner.ID ||
		roles[0].UserAgent != chromeWindows {
		t.Errorf("role change: %+v", roles)
	}

	// A contact's profile, viewed twice: two entries.
	c := &foyer.Contact{WorkspaceID: ws, Email: "ana@globex.example"}
	if err := w.st.CreateContact(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if resp := w.do("GET", fmt.Sprintf("/app/w/%d/contacts/%d", ws, c.ID), nil, token); resp.StatusCode != http.StatusOK {
			t.Fatalf("contact page: %d", resp.StatusCode)
		}
	}
	if views := w.auditOf(ws, foyer.AuditFilter{Action: foyer.AuditContactViewed, ObjectType: "contact", ObjectID: idOf(c.ID)}); len(views) != 2 {
		t.Errorf("%d views recorded, want 2", len(views))
	}

	// An export of the feed.
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d/export.csv", ws), nil, token); resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	if ex := w.auditOf(ws, foyer.AuditFilter{Action: foyer.AuditExport}); len(ex) != 1 || ex[0].ObjectID != "feed" {
		t.Errorf("export: %+v", ex)
	}

	// An API token's calls: one entry however many calls in the hour.
	api := w.token("Acme", foyer.ScopeRead)
	for range 5 {
		if code, _ := w.api("/api/v1/sites", api); code != http.StatusOK {
			t.Fatalf("api: %d", code)
		}
	}
	w.srv.lastUsed.wg.Wait()
	w.clock.Add(2 * lastUsedEvery) // past this process's own mark: the store's hour decides
	for range 3 {
		w.api("/api/v1/sites", api)
	}
	w.srv.lastUsed.wg.Wait()
	uses := w.auditOf(ws, foyer.AuditFilter{Action: foyer.AuditTokenUsed})
	if len(uses) != 1 || uses[0].ActorKind != foyer.ActorToken || uses[0].ObjectType != "token" {
		t.Errorf("token uses: %+v", uses)
	}

	for _, l := range []int64{0, ws} {
		if b, err := w.st.VerifyAudit(ctx, l); err != nil || b != nil {
			t.Errorf("log %d: %v, %v", l, b, err)
		}
	}
	w.noAddressIn("203.0.113.", "2001:db8", "nobody@example.com", "Nobody@Example.com")
}

// noAddressIn fails unless no column of the audit log holds any of the
// strings, in any case.
func (w *webTest) noAddressIn(needles ...string) {
	w.t.Helper()
	rows, err := w.st.DB().QueryContext(context.Background(), `SELECT id, actor, object_type, object_id, detail, user_agent, network FROM audit_log`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var cols [6]string
		if err := rows.Scan(&id, &cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			w.t.Fatal(err)
		}
		n++
		for _, c := range cols {
			for _, s := range needles {
				if strings.Contains(strings.ToLower(c), strings.ToLower(s)) {
					w.t.Errorf("entry %d keeps %q: %q", id, s, c)
				}
			}
		}
	}
	if n == 0 {
		w.t.Error("no entry to look at")
	}
}

// TestAuditPage: an owner sees the log, filters it by action, object,
// actor and period, pages through it and exports it as CSV (itself an
// entry); the export's cells are made safe for spreadsheets.
func TestAuditPage(t *testing.T) {
	w := newWebTest(t)
	ctx := context.Background()
	w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ws := w.wsID("Acme")
	token := w.signIn("owner@example.com")
	for i := range auditPageSize + 5 {
		e := &foyer.AuditEntry{WorkspaceID: ws, ActorKind: foyer.ActorUser, Actor: "=HYPERLINK(\"x\") <evil@example.com>",
			Action: foyer.AuditContactViewed, ObjectType: "contact", ObjectID: idOf(int64(i + 1))}
		if err := w.st.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	path := fmt.Sprintf("/app/w/%d/audit", ws)
	resp := w.do("GET", path, nil, token)
	page := body(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Older entries") || strings.Count(page, "<tr>") != auditPageSize+1 {
		t.Fatalf("page: %d, %d rows", resp.StatusCode, strings.Count(page, "<tr>"))
	}
	filtered := body(w.do("GET", path+"?action=contact_viewed&object_type=contact&object_id=7", nil, token))
	if n := strings.Count(filtered, "<tr>"); n != 2 || !strings.Contains(filtered, "contact 7") {
		t.Errorf("by object: %d rows", n)
	}
	byActor := body(w.do("GET", path+"?actor=EVIL", nil, token))
	if n := strings.Count(byActor, "<tr>"); n != auditPageSize+1 {
		t.Errorf("by actor: %d rows", n)
	}
	tomorrow := time.Now().AddDate(0, 0, 2).UTC().Format(time.DateOnly)
	if n := strings.Count(body(w.do("GET", path+"?from="+tomorrow, nil, token)), "<tr>"); n != 0 {
		t.Errorf("a period without entries: %d rows", n-1)
	}
	// The second page holds the rest.
	i := strings.Index(page, `href="/app/w/`+idOf(ws)+`/audit?before=`)
	if i < 0 {
		t.Fatal("no link to the next page")
	}
	next := page[i+len(`href="`):]
	next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
	second := body(w.do("GET", next, nil, token))
	if n := strings.Count(second, "<tr>"); n != 1+(auditPageSize+5+1-auditPageSize) {
		t.Errorf("second page: %d rows", n-1)
	}
	if !strings.Contains(second, "owner@example.com") || !strings.Contains(second, "Sign in") {
		t.Error("the owner's own sign-in, the oldest entry, is not on the last page")
	}

	resp = w.do("GET", path+".csv?bom=0&action=contact_viewed", nil, token)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(recs) != auditPageSize+5+1 || recs[0][0] != "id" {
		t.Fatalf("export: %d records, %v", len(recs), err)
	}
	if a := recs[1][4]; !strings.HasPrefix(a, "'=") {
		t.Errorf("actor cell not made safe: %q", a)
	}
	if ex := w.auditOf(ws, foyer.AuditFilter{Action: foyer.AuditExport}); len(ex) != 1 || ex[0].ObjectID != "audit" {
		t.Errorf("the export is not recorded: %+v", ex)
	}
}

// TestAuditChanges: changes of settings, tokens, contacts and consent,
// made in the app and through the API, each leave their entry, by the
// user or the token that made them.
func TestAuditChanges(t *testing.T) {
	w := newWebTest(t)
	ctx := context.Background()
	owner := w.user("owner@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ws := w.wsID("Acme")
	olga := w.signIn("owner@example.com")
	app := fmt.Sprintf("/app/w/%d", ws)
	same := []string{"Sec-Fetch-Site", "same-origin"}
	post := func(path string, form url.Values) {
		t.Helper()
		if resp := w.do("POST", app+path, form, olga, same...); resp.StatusCode >= 400 {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, body(resp))
		}
	}
	post("/settings/tracking-mode", url.Values{"mode": {"opt-in"}})
	post("/tokens", url.Values{"name": {"crm"}, "scope": {"write"}})
	toks, err := w.st.APITokens(ctx, ws)
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens: %v, %v", toks, err)
	}
	post(fmt.Sprintf("/tokens/%d/revoke", toks[0].ID), url.Values{})
	c := &foyer.Contact{WorkspaceID: ws, Email: "ana@globex.example"}
	if err := w.st.CreateContact(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	post(fmt.Sprintf("/contacts/%d/consent", c.ID), url.Values{"status": {"refused"}})
	post(fmt.Sprintf("/contacts/%d/delete", c.ID), url.Values{})
	api := w.token("Acme", foyer.ScopeWrite)
	if code, _ := w.call("POST", "/api/v1/contacts", api, `{"email":"bo@initech.example"}`); code != http.StatusCreated {
		t.Fatalf("API create: %d", code)
	}

	for _, c := range []struct {
		action  foyer.AuditAction
		kind    string
		objType string
	}{
		{foyer.AuditSettings, foyer.ActorUser, "workspace"},
		{foyer.AuditTokenCreated, foyer.ActorUser, "token"},
		{foyer.AuditTokenRevoked, foyer.ActorUser, "token"},
		{foyer.AuditConsentChanged, foyer.ActorUser, "contact"},
		{foyer.AuditContactDeleted, foyer.ActorUser, "contact"},
		{foyer.AuditContactCreated, foyer.ActorToken, "contact"},
	} {
		es := w.auditOf(ws, foyer.AuditFilter{Action: c.action})
		if len(es) != 1 || es[0].ActorKind != c.kind || es[0].ObjectType != c.objType {
			t.Errorf("%s: %+v", c.action, es)
			continue
		}
		if c.kind == foyer.ActorUser && es[0].ActorID != owner.ID {
			t.Errorf("%s: by %d", c.action, es[0].ActorID)
		}
	}
	if b, err := w.st.VerifyAudit(ctx, ws); err != nil || b != nil {
		t.Errorf("log: %v, %v", b, err)
	}
}
