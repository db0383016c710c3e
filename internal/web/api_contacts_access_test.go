package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// TestAPIContactAccess: a read token reads and changes nothing (403 with
// a clear message); no token of another workspace reaches a contact, by
// any method, and no answer carries its data; and no call changes a thing.
func TestAPIContactAccess(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	acmeWrite, acmeRead := w.token("Acme", foyer.ScopeWrite), w.token("Acme", foyer.ScopeRead)
	initechWrite, initechRead := w.token("Initech", foyer.ScopeWrite), w.token("Initech", foyer.ScopeRead)
	_, ana := w.call("POST", "/api/v1/contacts", acmeWrite, `{"email":"ana@secret.example","first_name":"Anasecret",
		"tracking_consent":"accepted","tracking_consent_at":"2026-01-01"}`)
	a := fmt.Sprintf("/api/v1/contacts/%v", ana["id"])
	ctx := context.Background()
	state := func() string {
		var b strings.Builder
		for _, ws := range []int64{w.wsID("Acme"), w.wsID("Initech")} {
			list, err := w.st.SearchContacts(ctx, ws, foyer.ContactQuery{})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				h, _ := w.st.ConsentHistory(ctx, ws, c.ID)
				fmt.Fprintf(&b, "%d %s %s %v %v %d\n", ws, c.Email, c.FirstName, c.Attrs, c.Consent, len(h))
			}
		}
		return b.String()
	}
	before := state()

	type call struct{ method, path, body string }
	reads := []call{{"GET", a, ""}, {"GET", a + "/consent", ""}, {"GET", a + "/consent?format=csv", ""}}
	writes := []call{
		{"POST", "/api/v1/contacts", `{"email":"new@example.com"}`},
		{"PATCH", a, `{"first_name":"X"}`},
		{"DELETE", a, ""},
		{"POST", a + "/consent", `{"status":"refused","at":"2026-05-01"}`},
		{"POST", "/api/v1/contacts/bulk", `{"contacts":[{"email":"ana@secret.example","first_name":"X"}]}`},
	}
	// Acme's read token reads, but changes nothing.
	for _, c := range reads {
		if code, _, _ := w.callRaw(c.method, c.path, acmeRead, c.body); code != http.StatusOK {
			t.Errorf("%s %s with a read token: %d", c.method, c.path, code)
		}
	}
	for _, c := range writes {
		code, out := w.call(c.method, c.path, acmeRead, c.body)
		if code != http.StatusForbidden || errCode(out) != foyer.EFORBIDDEN || !strings.Contains(errMessage(out), "write scope") {
			t.Errorf("%s %s with a read token: %d %v", c.method, c.path, code, out)
		}
	}
	// Initech's tokens, read or write, find no contact of Acme's.
	for _, tok := range []string{initechRead, initechWrite} {
		for _, c := range append(reads, writes[1:4]...) {
			code, b, _ := w.callRaw(c.method, c.path, tok, c.body)
			want := http.StatusNotFound
			if tok == initechRead && c.method != "GET" {
				want = http.StatusForbidden
			}
			if code != want || strings.Contains(string(b), "secret") {
				t.Errorf("%s %s from Initech: %d %s, want %d", c.method, c.path, code, b, want)
			}
		}
		if _, out := w.call("GET", "/api/v1/contacts", tok, ""); len(out["data"].([]any)) != 0 {
			t.Errorf("Initech's list: %v", out)
		}
		if _, out := w.call("GET", "/api/v1/contacts?query=anasecret", tok, ""); len(out["data"].([]any)) != 0 {
			t.Errorf("Initech's search: %v", out)
		}
		if _, b, _ := w.callRaw("GET", "/api/v1/consent/history?format=ndjson", tok, ""); strings.Contains(string(b), "secret") ||
			strings.Contains(string(b), "accepted") {
			t.Errorf("Initech's history: %s", b)
		}
	}
	if after := state(); after != before {
		t.Errorf("refused calls changed the contacts:\n%s\nto\n%s", before, after)
	}
	// No token, or a bad one: 401.
	for _, tok := range []string{"", "not-a-token"} {
		if code, _ := w.call("GET", a, tok, ""); code != http.StatusUnauthorized {
			t.Errorf("token %q: %d", tok, code)
		}
	}
	// Path IDs that are not IDs are not found.
	for _, p := range []string{"/api/v1/contacts/abc", "/api/v1/contacts/-1", "/api/v1/contacts/0/consent"} {
		if code, _ := w.call("GET", p, acmeRead, ""); code != http.StatusNotFound {
			t.Errorf("%s: %d", p, code)
		}
	}
}

// TestAPIContactBulk: up to 1,000 contacts are created, updated or left
// unchanged by email, each with its result; one bad row is reported and
// the others go in; over 1,000 is refused with nothing written.
func TestAPIContactBulk(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	w.call("POST", "/api/v1/contacts", tok, `{"email":"ana@example.com","first_name":"Ana","tracking_consent":"accepted","tracking_consent_at":"2026-03-01"}`)
	w.call("POST", "/api/v1/contacts", tok, `{"email":"bob@example.com","first_name":"Bob"}`)
	code, out := w.call("POST", "/api/v1/contacts/bulk", tok, `{"contacts":[
		{"email":"carl@example.com","first_name":"Carl","tracking_consent":"refused","tracking_consent_at":"2026-04-01"},
		{"email":"ANA@example.com","last_name":"Lima"},
		{"email":"bob@example.com","first_name":"Bob"},
		{"email":"broken","first_name":"X"},
		{"email":"dora@example.com","shoe_size":"40"},
		{"email":"ana@example.com","tracking_consent":"refused","tracking_consent_at":"2026-02-01"},
		{"email":"bob@example.com","tracking_consent":"refused","tracking_consent_at":"2026-09-30"},
		{"email":"bob@example.com","tracking_consent":"refused"},
		"not an object"
	]}`)
	if code != http.StatusOK {
		t.Fatalf("bulk: %d %v", code, out)
	}
	results := out["results"].([]any)
	want := []string{"created", "updated", "unchanged", "error", "error", "unchanged", "error", "updated", "error"}
	if len(results) != len(want) {
		t.Fatalf("%d results: %v", len(results), results)
	}
	for i, r := range results {
		r := r.(map[string]any)
		if r["index"] != float64(i) || r["outcome"] != want[i] {
			t.Errorf("row %d: %v, want %s", i, r, want[i])
		}
		if want[i] == "error" && (r["error"] == nil || r["error"].(map[string]any)["message"] == "") {
			t.Errorf("row %d: no error message: %v", i, r)
		}
	}
	if c := results[5].(map[string]any)["consent"].(map[string]any); c["applied"] != false || !strings.Contains(c["why"].(string), "older") ||
		c["status"] != "accepted" {
		t.Errorf("an older refusal of ana: %v", c)
	}
	if out["created"] != float64(1) || out["updated"] != float64(2) || out["unchanged"] != float64(2) || out["errors"] != float64(4) {
		t.Errorf("counts: %v", out)
	}
	ctx := context.Background()
	ws := w.wsID("Acme")
	if ana, err := w.st.ContactByEmail(ctx, ws, "ana@example.com"); err != nil || ana.LastName != "Lima" || ana.FirstName != "Ana" ||
		ana.Consent.Status != foyer.ConsentAccepted {
		t.Errorf("ana: %+v %v", ana, err)
	}
	if bob, err := w.st.ContactByEmail(ctx, ws, "bob@example.com"); err != nil || bob.Consent.Status != foyer.ConsentRefused {
		t.Errorf("bob: %+v %v", bob, err)
	}
	if _, err := w.st.ContactByEmail(ctx, ws, "dora@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("dora, whose row had an unknown field, was stored: %v", err)
	}
	count := func() int {
		list, err := w.st.SearchContacts(ctx, ws, foyer.ContactQuery{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	n := count()

	// Over 1,000: nothing written. Exactly 1,000: every one.
	rows := func(k int) string {
		parts := make([]string, k)
		for i := range parts {
			parts[i] = fmt.Sprintf(`{"email":"bulk%d@example.com"}`, i)
		}
		return `{"contacts":[` + strings.Join(parts, ",") + `]}`
	}
	code, out = w.call("POST", "/api/v1/contacts/bulk", tok, rows(maxBulkContacts+1))
	if code != http.StatusBadRequest || !strings.Contains(errMessage(out), "at most 1000") || count() != n {
		t.Errorf("1,001 contacts: %d %v, %d contacts", code, out, count())
	}
	big := `{"contacts":[{"email":"big@example.com","role":"` + strings.Repeat("x", maxBulkBodyBytes) + `"}]}`
	if code, out := w.call("POST", "/api/v1/contacts/bulk", tok, big); code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(errMessage(out), "16 MiB") || count() != n {
		t.Errorf("a bulk body over the limit: %d %v", code, out)
	}
	for _, bad := range []string{`{"contacts":{}}`, `{}`, `{"contacts":[],"extra":1}`, `[{"email":"x@example.com"}]`} {
		if code, out := w.call("POST", "/api/v1/contacts/bulk", tok, bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d %v", bad, code, out)
		}
	}
	if testing.Short() {
		return
	}
	code, out = w.call("POST", "/api/v1/contacts/bulk", tok, rows(maxBulkContacts))
	if code != http.StatusOK || out["created"] != float64(maxBulkContacts) {
		t.Errorf("1,000 contacts: %d created %v errors %v", code, out["created"], out["errors"])
	}
}
