package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// newContactsTest is a webTest whose store has a master key and shares
// the server's clock, with the workspaces Acme and Initech.
func newContactsTest(t *testing.T, d store.Dialect) *webTest {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	st := testutil.NewStore(t, d, store.Options{Now: clock.Now})
	keys, err := vault.New(bytes.Repeat([]byte{7}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st.UseKeys(keys)
	srv := NewServer(Config{Store: st, Log: slog.New(slog.NewTextHandler(t.Output(), nil)), FailureDelay: func(int) time.Duration { return 0 },
		SignInLimit: clientip.NewLimiter(0, 0, nil), Now: clock.Now})
	t.Cleanup(srv.Close)
	w := &webTest{t: t, st: st, srv: srv, clock: clock}
	for _, name := range []string{"Acme", "Initech"} {
		if err := st.CreateWorkspace(context.Background(), &foyer.Workspace{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// call sends a request with a bearer token and a body, and decodes the
// JSON answer (nil for none).
func (w *webTest) call(method, path, token, body string) (int, map[string]any) {
	w.t.Helper()
	code, b, _ := w.callRaw(method, path, token, body)
	if len(b) == 0 {
		return code, nil
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		w.t.Fatalf("%s %s: not JSON (%v): %s", method, path, err, b)
	}
	return code, out
}

func (w *webTest) callRaw(method, path, token, body string) (int, []byte, http.Header) {
	w.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, r)
	return rec.Code, rec.Body.Bytes(), rec.Header()
}

// errCode is the code of an error answer.
func errCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func errMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// wsID is the ID of the named workspace.
func (w *webTest) wsID(name string) int64 {
	w.t.Helper()
	ws, err := w.st.WorkspaceByName(context.Background(), name)
	if err != nil {
		w.t.Fatal(err)
	}
	return ws.ID
}

// TestAPIContactCreate: a contact is created with every field, its consent
// recorded from the API by the token, may_track by the workspace's mode;
// the same email again is a conflict and stores nothing more.
func TestAPIContactCreate(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	code, c := w.call("POST", "/api/v1/contacts", tok, `{"email":" Ana@Example.COM ","first_name":"Ana","last_name":"Lima",
		"role":"CTO","phone":"+1 555","company":"Globex","language":"fr","crm_id":"crm-1","attrs":{"plan":"gold"},
		"tracking_consent":"refused","tracking_consent_at":"2026-05-01T10:00:00Z"}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, c)
	}
	want := map[string]any{"email": "ana@example.com", "first_name": "Ana", "last_name": "Lima", "role": "CTO", "phone": "+1 555",
		"company": "Globex", "language": "fr", "crm_id": "crm-1", "tracking_consent": "refused",
		"tracking_consent_at": "2026-05-01T10:00:00Z", "may_track": false, "company_id": nil}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	if c["attrs"].(map[string]any)["plan"] != "gold" || c["id"] == nil {
		t.Errorf("attrs %v, id %v", c["attrs"], c["id"])
	}
	id := int64(c["id"].(float64))
	stored, err := w.st.Contact(context.Background(), w.wsID("Acme"), id)
	if err != nil || stored.Consent.Status != foyer.ConsentRefused || stored.Role != "CTO" {
		t.Fatalf("stored: %+v, %v", stored, err)
	}
	h, err := w.st.ConsentHistory(context.Background(), w.wsID("Acme"), id)
	if err != nil || len(h) != 1 || h[0].Source != foyer.SourceAPI || !strings.HasPrefix(h[0].Actor, "token ") || !h[0].Applied {
		t.Fatalf("history: %+v, %v", h, err)
	}

	// No status: unanswered, tracked in opt-out mode, not in opt-in.
	code, bob := w.call("POST", "/api/v1/contacts", tok, `{"email":"bob@example.com"}`)
	if code != http.StatusCreated || bob["tracking_consent"] != "unanswered" || bob["tracking_consent_at"] != nil || bob["may_track"] != true {
		t.Errorf("bob: %d %v", code, bob)
	}
	if _, err := w.st.SetTrackingMode(context.Background(), w.wsID("Acme"), foyer.TrackingOptIn, "test", ""); err != nil {
		t.Fatal(err)
	}
	if _, got := w.call("GET", fmt.Sprintf("/api/v1/contacts/%v", bob["id"]), tok, ""); got["may_track"] != false {
		t.Errorf("bob in opt-in mode: %v", got)
	}

	// The same email, in any case: 409, and nothing changed.
	code, out := w.call("POST", "/api/v1/contacts", tok, `{"email":"ANA@example.com","first_name":"Other","tracking_consent":"accepted"}`)
	if code != http.StatusConflict || errCode(out) != foyer.ECONFLICT {
		t.Errorf("the same email: %d %v", code, out)
	}
	if list, _ := w.st.SearchContacts(context.Background(), w.wsID("Acme"), foyer.ContactQuery{}); len(list) != 2 {
		t.Errorf("%d contacts after a conflict", len(list))
	}
	if h, _ := w.st.ConsentHistory(context.Background(), w.wsID("Acme"), id); len(h) != 1 {
		t.Errorf("a conflict recorded a consent: %d entries", len(h))
	}
}

// TestAPIContactBadInput: malformed JSON, unknown fields, wrong kinds, a
// bad email, a consent date without a status, a date in the future, and a
// body over the limit are refused with the right status, and store
// nothing.
func TestAPIContactBadInput(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	for _, c := range []struct {
		body string
		code int
		msg  string
	}{
		{`{"email":"a@example.com"`, 400, "not valid JSON"},
		{`{"email":"a@example.com"} {}`, 400, "not valid JSON"},
		{`not json`, 400, "not valid JSON"},
		{``, 400, "no body"},
		{`null`, 400, "JSON object"},
		{`[]`, 400, ""},
		{`{"email":"a@example.com","nickname":"A"}`, 400, `unknown field "nickname"`},
		{`{"email":"a@example.com","first_name":3}`, 400, "first_name"},
		{`{"email":"a@example.com","attrs":["x"]}`, 400, "attrs"},
		{`{"email":"a@example.com","attrs":{"x":1}}`, 400, "attrs"},
		{`{"email":"not an address"}`, 400, ""},
		{`{"first_name":"A"}`, 400, "email"},
		{`{"email":"a@example.com","tracking_consent_at":"2026-01-01"}`, 400, "without tracking_consent"},
		{`{"email":"a@example.com","tracking_consent":"maybe"}`, 400, "maybe"},
		{`{"email":"a@example.com","tracking_consent":"accepted","tracking_consent_at":"yesterday"}`, 400, "yesterday"},
		{`{"email":"a@example.com","tracking_consent":"accepted","tracking_consent_at":"2026-09-01"}`, 400, "future"},
		{`{"email":"a@example.com","language":"de"}`, 400, "language"},
		{`{"email":"a@example.com","role":"` + strings.Repeat("x", foyer.MaxContactField+1) + `"}`, 400, "role"},
		{`{"email":"a@example.com","role":"` + strings.Repeat("x", maxBodyBytes) + `"}`, 413, "over 1 MiB"},
	} {
		code, out := w.call("POST", "/api/v1/contacts", tok, c.body)
		if code != c.code || !strings.Contains(errMessage(out), c.msg) {
			t.Errorf("%.60s: %d %v, want %d with %q", c.body, code, out, c.code, c.msg)
		}
	}
	if list, _ := w.st.SearchContacts(context.Background(), w.wsID("Acme"), foyer.ContactQuery{}); len(list) != 0 {
		t.Errorf("%d contacts stored from bad requests", len(list))
	}
}

// TestAPIContactPatch: only the fields present change; null empties a
// field; attrs merge, null deleting a key; an unknown field or a taken
// email changes nothing.
func TestAPIContactPatch(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	_, c := w.call("POST", "/api/v1/contacts", tok, `{"email":"ana@example.com","first_name":"Ana","last_name":"Lima","role":"CTO",
		"attrs":{"plan":"gold","size":"10","tier":"1"}}`)
	w.call("POST", "/api/v1/contacts", tok, `{"email":"bob@example.com"}`)
	path := fmt.Sprintf("/api/v1/contacts/%v", c["id"])
	code, p := w.call("PATCH", path, tok, `{"first_name":"Anna","role":null,"attrs":{"size":"20","tier":null,"new":"x"}}`)
	if code != http.StatusOK {
		t.Fatalf("patch: %d %v", code, p)
	}
	attrs := p["attrs"].(map[string]any)
	if p["first_name"] != "Anna" || p["last_name"] != "Lima" || p["role"] != "" || p["email"] != "ana@example.com" ||
		len(attrs) != 3 || attrs["plan"] != "gold" || attrs["size"] != "20" || attrs["new"] != "x" {
		t.Errorf("after the patch: %v", p)
	}
	if _, p = w.call("PATCH", path, tok, `{"attrs":null}`); len(p["attrs"].(map[string]any)) != 0 || p["first_name"] != "Anna" {
		t.Errorf("attrs null: %v", p)
	}
	before, _ := w.st.Contact(context.Background(), w.wsID("Acme"), int64(c["id"].(float64)))
	for _, bad := range []struct {
		body string
		code int
	}{
		{`{"first_name":"X","colour":"red"}`, 400},
		{`{"first_name":"X","email":"bob@example.com"}`, 409},
		{`{"first_name":"X","email":"nope"}`, 400},
		{`{"first_name":"X"`, 400},
		{`{"first_name":"X","tracking_consent":"accepted","tracking_consent_at":"2030-01-01"}`, 400},
	} {
		if code, out := w.call("PATCH", path, tok, bad.body); code != bad.code {
			t.Errorf("%s: %d %v, want %d", bad.body, code, out, bad.code)
		}
	}
	after, _ := w.st.Contact(context.Background(), w.wsID("Acme"), before.ID)
	if after.FirstName != "Anna" || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("a refused patch changed the contact: %+v", after)
	}
	if code, _ := w.call("PATCH", "/api/v1/contacts/999999", tok, `{"first_name":"X"}`); code != http.StatusNotFound {
		t.Errorf("patch of no contact: %d", code)
	}
}

// TestAPIContactDeleteAndList: a deleted contact is gone (its history
// stays); the list finds by words and by consent, and pages to the end.
func TestAPIContactDeleteAndList(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	for i := range 7 {
		consent := `"refused"`
		if i%2 == 0 {
			consent = `"accepted"`
		}
		if i == 6 {
			consent = "null"
		}
		code, out := w.call("POST", "/api/v1/contacts", tok, fmt.Sprintf(`{"email":"p%d@example.com","first_name":"Person%d","company":"Globex",
			"tracking_consent":%s}`, i, i, consent))
		if code != 201 {
			t.Fatalf("create %d: %d %v", i, code, out)
		}
	}
	code, out := w.call("GET", "/api/v1/contacts?query=person3", tok, "")
	if data := out["data"].([]any); code != 200 || len(data) != 1 || data[0].(map[string]any)["email"] != "p3@example.com" || out["next_offset"] != nil {
		t.Errorf("query person3: %d %v", code, out)
	}
	for consent, n := range map[string]int{"accepted": 3, "refused": 3, "unanswered": 1} {
		if _, out := w.call("GET", "/api/v1/contacts?consent="+consent, tok, ""); len(out["data"].([]any)) != n {
			t.Errorf("consent %s: %v", consent, out)
		}
	}
	if code, _ := w.call("GET", "/api/v1/contacts?consent=yes", tok, ""); code != 400 {
		t.Errorf("consent=yes: %d", code)
	}
	seen := map[string]bool{}
	for offset := 0; ; {
		code, out := w.call("GET", fmt.Sprintf("/api/v1/contacts?query=globex&limit=3&offset=%d", offset), tok, "")
		if code != 200 {
			t.Fatalf("page at %d: %d %v", offset, code, out)
		}
		for _, c := range out["data"].([]any) {
			seen[c.(map[string]any)["email"].(string)] = true
		}
		if out["next_offset"] == nil {
			if offset != 6 {
				t.Errorf("the last page at %d, want 6", offset)
			}
			break
		}
		offset = int(out["next_offset"].(float64))
	}
	if len(seen) != 7 {
		t.Errorf("paged through %d contacts, want 7", len(seen))
	}
	// A full last page: next_offset null all the same.
	if _, out := w.call("GET", "/api/v1/contacts?limit=7", tok, ""); out["next_offset"] != nil || len(out["data"].([]any)) != 7 {
		t.Errorf("a full single page: %v", out["next_offset"])
	}

	_, first := w.call("GET", "/api/v1/contacts?query=person0", tok, "")
	id := first["data"].([]any)[0].(map[string]any)["id"]
	path := fmt.Sprintf("/api/v1/contacts/%v", id)
	if code, b, _ := w.callRaw("DELETE", path, tok, ""); code != http.StatusNoContent || len(b) != 0 {
		t.Errorf("delete: %d %s", code, b)
	}
	if code, _ := w.call("GET", path, tok, ""); code != 404 {
		t.Errorf("a deleted contact: %d", code)
	}
	if code, _ := w.call("DELETE", path, tok, ""); code != 404 {
		t.Errorf("deleted twice: %d", code)
	}
	if b, err := w.st.VerifyConsent(context.Background(), w.wsID("Acme")); err != nil || b != nil {
		t.Errorf("history after a deletion: %v %v", b, err)
	}
}

// TestAPIContactsOpenAPI: openapi.json describes every contacts route
// with its methods and errors, and exactly the fields the API answers.
func TestAPIContactsOpenAPI(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	_, contact := w.call("POST", "/api/v1/contacts", tok, `{"email":"ana@example.com","tracking_consent":"accepted"}`)
	path := fmt.Sprintf("/api/v1/contacts/%v/consent", contact["id"])
	_, outcome := w.call("POST", path, tok, `{"status":"refused","at":"2026-05-01"}`)
	_, consent := w.call("GET", path, tok, "")
	_, bulk := w.call("POST", "/api/v1/contacts/bulk", tok, `{"contacts":[{"email":"x@example.com","tracking_consent":"refused"},{"email":"bad"}]}`)
	_, doc := w.api("/api/v1/openapi.json", "")
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	same := func(name string, schema map[string]any, got map[string]any) {
		t.Helper()
		props := schema["properties"].(map[string]any)
		for k := range got {
			if props[k] == nil {
				t.Errorf("openapi.json: %s lacks %q", name, k)
			}
		}
		for k := range props {
			if _, ok := got[k]; !ok && k != "error" && k != "id" { // a bulk result has either
				t.Errorf("openapi.json: %s has %q, which the API does not send", name, k)
			}
		}
	}
	same("Contact", schemas["Contact"].(map[string]any), contact)
	same("ConsentOutcome", schemas["ConsentOutcome"].(map[string]any), outcome)
	same("Consent", schemas["Consent"].(map[string]any), consent)
	same("ConsentEntry", schemas["ConsentEntry"].(map[string]any), consent["history"].([]any)[0].(map[string]any))
	same("BulkResult", schemas["BulkResult"].(map[string]any), bulk)
	item := schemas["BulkResult"].(map[string]any)["properties"].(map[string]any)["results"].(map[string]any)["items"].(map[string]any)
	results := bulk["results"].([]any)
	merged := map[string]any{}
	for _, r := range results {
		for k, v := range r.(map[string]any) {
			merged[k] = v
		}
	}
	same("BulkResult's result", item, merged)

	paths := doc["paths"].(map[string]any)
	for p, methods := range map[string][]string{
		"/contacts": {"get", "post"}, "/contacts/bulk": {"post"}, "/contacts/{id}": {"get", "patch", "delete"},
		"/contacts/{id}/consent": {"get", "post"}, "/consent/history": {"get"},
		"/contacts/{id}/visits": {"get", "delete"}, "/contacts/{id}/visits/{visit}": {"delete"}, "/contacts/{id}/links": {"get", "post"},
		"/contacts/{id}/requests": {"get", "post"}, "/contacts/{id}/requests/{request}/access": {"get"},
	} {
		ops, _ := paths[p].(map[string]any)
		for _, m := range methods {
			op, _ := ops[m].(map[string]any)
			if op == nil {
				t.Errorf("openapi.json: no %s %s", m, p)
				continue
			}
			responses := op["responses"].(map[string]any)
			if responses["401"] == nil {
				t.Errorf("openapi.json: %s %s without its 401", m, p)
			}
			if m != "get" && (responses["403"] == nil || responses["413"] == nil && m != "delete") {
				t.Errorf("openapi.json: %s %s without its 403 or 413", m, p)
			}
		}
	}
}

// TestJSONErrors: what a client is told of a bad body names the field and
// what it should be.
func TestJSONErrors(t *testing.T) {
	t.Parallel()
	var v struct {
		Contacts []json.RawMessage `json:"contacts"`
		Reason   string            `json:"reason"`
	}
	for body, want := range map[string]string{
		`{"contacts":{}}`:  "contacts: want an array, not a JSON object",
		`{"reason":1}`:     "reason: want a string, not a JSON number",
		`"x"`:              "the body is a JSON string: want an object",
		`{"other":1}`:      `unknown field "other"`,
		`{"reason":"a"`:    "the body is not valid JSON (it ends too early)",
		`{"reason":"a"} x`: "the body has more after its JSON value",
		`{"reason":"a",}`:  "the body is not valid JSON (at byte 15)",
	} {
		err := decodeStrict([]byte(body), &v)
		if foyer.ErrorCode(err) != foyer.EINVALID || !strings.HasPrefix(foyer.ErrorMessage(err), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
