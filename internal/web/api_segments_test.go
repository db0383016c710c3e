package web

import (
	"fmt"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// TestAPISegments: a segment made through the API is evaluated at once
// (the refused CTO counted as left out of a behavioural segment, kept in
// an attribute one), lists with its counts and pages its members; a bad
// definition is 400, another workspace's segment 404; openapi.json has
// exactly the fields answered.
func TestAPISegments(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	for _, body := range []string{
		`{"email":"ana@example.com","role":"CTO","tracking_consent":"accepted"}`,
		`{"email":"rob@example.com","role":"CTO","tracking_consent":"refused"}`,
	} {
		if code, _ := w.call("POST", "/api/v1/contacts", tok, body); code != 201 {
			t.Fatalf("contact: %d", code)
		}
	}
	code, seg := w.call("POST", "/api/v1/segments", tok,
		`{"name":"CTOs","definition":{"match":"all","conditions":[{"kind":"contact","field":"role","op":"is","value":"cto"}]}}`)
	if code != 201 || seg["members"] != float64(2) || seg["excluded_untracked"] != float64(0) {
		t.Fatalf("create: %d %v", code, seg)
	}
	code, beh := w.call("POST", "/api/v1/segments", tok,
		`{"name":"CTOs who opened","definition":{"match":"all","conditions":[{"kind":"contact","field":"role","op":"is","value":"cto"},{"kind":"opened","days":30}]}}`)
	if code != 201 || beh["members"] != float64(0) || beh["excluded_untracked"] != float64(1) {
		t.Fatalf("behavioural: %d %v", code, beh)
	}
	if code, _ := w.call("POST", "/api/v1/segments", tok, `{"name":"Bad","definition":{"match":"all","conditions":[{"kind":"contact","field":"tracking_consent","op":"is","value":"refused"}]}}`); code != 400 {
		t.Errorf("a consent condition: %d", code)
	}
	if code, _ := w.call("POST", "/api/v1/segments", tok, `{"name":"CTOs"}`); code != 409 {
		t.Errorf("a name in use: %d", code)
	}
	code, list := w.call("GET", "/api/v1/segments", tok, "")
	if code != 200 || len(list["data"].([]any)) != 2 {
		t.Errorf("list: %d %v", code, list)
	}
	path := fmt.Sprintf("/api/v1/segments/%v/members?limit=1", seg["id"])
	code, page := w.call("GET", path, tok, "")
	if code != 200 || len(page["data"].([]any)) != 1 || page["next_before"] == nil {
		t.Fatalf("members: %d %v", code, page)
	}
	other := w.token("Initech", foyer.ScopeRead)
	if code, _ := w.call("GET", path, other, ""); code != 404 {
		t.Errorf("another workspace's members: %d", code)
	}
	_, doc := w.api("/api/v1/openapi.json", "")
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, got := range map[string]map[string]any{"Segment": seg, "SegmentMember": page["data"].([]any)[0].(map[string]any)} {
		props := schemas[name].(map[string]any)["properties"].(map[string]any)
		for k := range got {
			if props[k] == nil {
				t.Errorf("openapi.json: %s lacks %q", name, k)
			}
		}
		for k := range props {
			if _, ok := got[k]; !ok {
				t.Errorf("openapi.json: %s has %q, which the API does not send", name, k)
			}
		}
	}
}
