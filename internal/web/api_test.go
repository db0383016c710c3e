package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

func (w *webTest) token(workspace string, scope foyer.Scope) string {
	w.t.Helper()
	ws, err := w.st.WorkspaceByName(context.Background(), workspace)
	if err != nil {
		w.t.Fatal(err)
	}
	tok, hash := auth.NewToken()
	if err := w.st.CreateAPIToken(context.Background(), hash, foyer.APIToken{WorkspaceID: ws.ID, Scope: scope}); err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// api sends a GET with a bearer token and decodes the JSON answer.
func (w *webTest) api(path, token string) (int, map[string]any) {
	w.t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, r)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		w.t.Fatalf("%s: not JSON (%v): %s", path, err, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		w.t.Errorf("%s: Content-Type %q", path, ct)
	}
	return rec.Code, out
}

func TestAPI(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	at := time.Now().Add(-time.Hour)
	if today := time.Now().UTC().Truncate(24 * time.Hour); at.Before(today) {
		at = today // "from today" below must find them, also just after midnight
	}
	for i := range 3 {
		w.visitFrom(acme, i, foyer.Org{Name: fmt.Sprintf("Company %d GmbH", i), Type: foyer.OrgBusiness, Industry: "Retail"}, at.Add(time.Duration(i)*time.Minute))
	}
	w.visitFrom(initech, 9, foyer.Org{Name: "Secret Initech Customer GmbH", Type: foyer.OrgBusiness}, at)
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok := w.token("Acme", foyer.ScopeRead)

	for _, bad := range []string{"", "not-a-token", strings.Repeat("A", 43)} {
		code, out := w.api("/api/v1/companies", bad)
		if code != http.StatusUnauthorized || out["error"].(map[string]any)["code"] != foyer.EUNAUTHORIZED {
			t.Errorf("token %q: %d %v", bad, code, out)
		}
	}

	code, out := w.api("/api/v1/companies?limit=2", tok)
	data := out["data"].([]any)
	if code != 200 || len(data) != 2 || out["next_offset"] != float64(2) || out["days"] != float64(30) {
		t.Fatalf("first page: %d %v", code, out)
	}
	first := data[0].(map[string]any)
	if first["name"] != "Company 2 GmbH" || first["visits"] != float64(1) || first["type"] != "business" {
		t.Errorf("first company %v", first)
	}
	code, out = w.api("/api/v1/companies?limit=2&offset=2", tok)
	if data := out["data"].([]any); code != 200 || len(data) != 1 || out["next_offset"] != nil {
		t.Errorf("last page: %d %v", code, out)
	}
	if _, out := w.api("/api/v1/companies?q=company+1", tok); len(out["data"].([]any)) != 1 {
		t.Errorf("search: %v", out)
	}
	if code, _ := w.api("/api/v1/companies?limit=0", tok); code != http.StatusBadRequest {
		t.Errorf("limit=0: %d", code)
	}
	// Filters, order and a chosen period.
	if _, out := w.api("/api/v1/companies?sort=score&min_pages=1&page=pricing&source=direct", tok); len(out["data"].([]any)) != 3 ||
		out["data"].([]any)[0].(map[string]any)["score"] != float64(21) || out["data"].([]any)[0].(map[string]any)["top_source"] != "direct" {
		t.Errorf("filtered by score: %v", out)
	}
	if _, out := w.api("/api/v1/companies?page=/careers", tok); len(out["data"].([]any)) != 0 {
		t.Errorf("a page nobody viewed: %v", out)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	if code, out := w.api("/api/v1/companies?from="+today, tok); code != 200 || len(out["data"].([]any)) != 3 ||
		out["from"] != today || out["to"] != today || out["days"] != nil {
		t.Errorf("from today: %d %v", code, out)
	}
	for _, bad := range []string{"from=2026-02-30", "from=2026-11-10&to=2026-11-01", "from=2020-01-01&to=2026-01-01"} {
		if code, out := w.api("/api/v1/companies?"+bad, tok); code != http.StatusBadRequest || out["error"].(map[string]any)["code"] != foyer.EINVALID {
			t.Errorf("%s: %d %v", bad, code, out)
		}
	}
	if _, out := w.api("/api/v1/companies", tok); strings.Contains(fmt.Sprint(out), "Secret Initech") {
		t.Error("another workspace's company in the API")
	}

	id := int64(first["id"].(float64))
	code, out = w.api(fmt.Sprintf("/api/v1/companies/%d/visits", id), tok)
	if visits := out["data"].([]any); code != 200 || len(visits) != 1 || len(visits[0].(map[string]any)["pages"].([]any)) != 1 {
		t.Errorf("visits: %d %v", code, out)
	}
	secret, _ := w.st.Feed(context.Background(), foyer.FeedQuery{WorkspaceID: initech.WorkspaceID, From: at, To: time.Now()})
	for _, path := range []string{fmt.Sprintf("/api/v1/companies/%d/visits", secret[0].ID), "/api/v1/companies/x/visits"} {
		if code, out := w.api(path, tok); code != http.StatusNotFound || strings.Contains(fmt.Sprint(out), "Secret") {
			t.Errorf("%s: %d %v", path, code, out)
		}
	}
	code, out = w.api("/api/v1/sites", tok)
	if sites := out["data"].([]any); code != 200 || len(sites) != 1 || sites[0].(map[string]any)["key"] != "acme" {
		t.Errorf("sites: %d %v", code, out)
	}

	code, out = w.api("/api/v1/openapi.json", "")
	paths, _ := out["paths"].(map[string]any)
	if code != 200 || out["openapi"] != "3.1.0" || paths["/companies"] == nil || paths["/companies/{id}/visits"] == nil || paths["/sites"] == nil {
		t.Errorf("openapi: %d %v", code, out)
	}
}

func TestTokensInTheApp(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	olga := w.signIn("olga@example.com")
	same := []string{"Sec-Fetch-Site", "same-origin"}
	b := body(w.do("POST", fmt.Sprintf("/app/w/%d/tokens", acme.WorkspaceID), url.Values{"name": {"<sync>"}, "scope": {"read"}}, olga, same...))
	_, tok, _ := strings.Cut(b, `class="token">`)
	tok, _, _ = strings.Cut(tok, "</textarea>")
	if len(tok) < 40 || !strings.Contains(b, "&lt;sync&gt;") {
		t.Fatalf("new token %q", tok)
	}
	if code, _ := w.api("/api/v1/sites", tok); code != 200 {
		t.Fatalf("the new token: %d", code)
	}
	list, _ := w.st.APITokens(context.Background(), acme.WorkspaceID)
	if len(list) != 1 {
		t.Fatalf("%d tokens", len(list))
	}
	revoke := fmt.Sprintf("/app/w/%d/tokens/%d/revoke", acme.WorkspaceID, list[0].ID)
	bob := w.signIn("bob@example.com")
	if resp := w.do("POST", revoke, url.Values{}, bob, same...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another workspace's owner revoking: %d", resp.StatusCode)
	}
	if code, _ := w.api("/api/v1/sites", tok); code != 200 {
		t.Fatalf("the token after a refused revocation: %d", code)
	}
	if resp := w.do("POST", revoke, url.Values{}, olga, same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if code, _ := w.api("/api/v1/sites", tok); code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", code)
	}
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/tokens", acme.WorkspaceID), url.Values{"scope": {"admin"}}, olga, same...); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad scope: %d", resp.StatusCode)
	}

	// Sign out everywhere ends every session of the user.
	other := w.signIn("olga@example.com")
	if resp := w.do("POST", "/account/sign-out-everywhere", url.Values{}, olga, same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", resp.StatusCode)
	}
	for _, c := range []string{olga, other} {
		if resp := w.do("GET", "/app", nil, c); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a session after signing out everywhere: %d", resp.StatusCode)
		}
	}
	if resp := w.do("GET", "/app", nil, bob); resp.StatusCode != 200 {
		t.Errorf("another user's session: %d", resp.StatusCode)
	}
}

// TestAPISites: each site with the settings its settings page stores, the
// defaults of a site never edited, no other workspace's site, and exactly
// the fields that openapi.json describes.
func TestAPISites(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testAPISites(t, d)
		})
	}
}

func testAPISites(t *testing.T, d store.Dialect) {
	w := newWebTestOn(t, d)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	shop, blog := w.site("Acme", "shop"), w.site("Acme", "blog")
	w.site("Initech", "initech")
	edited := &foyer.Site{ID: shop.ID, WorkspaceID: shop.WorkspaceID, Name: "Shop", Hostnames: []string{"shop.example.com", "*.shop.example.com"},
		Consent: foyer.ConsentRequired, ExcludedPaths: []string{"/admin/", "/account/*/billing"},
		KeepParams: []string{"page", "q"}, Identify: foyer.Identification{EmailLinks: true}}
	if err := w.st.UpdateSite(context.Background(), edited); err != nil {
		t.Fatal(err)
	}

	code, out := w.api("/api/v1/sites", w.token("Acme", foyer.ScopeRead))
	if code != http.StatusOK {
		t.Fatalf("sites: %d %v", code, out)
	}
	sites := out["data"].([]any)
	if len(sites) != 2 {
		t.Fatalf("%d sites, want Acme's 2: %v", len(sites), sites)
	}
	got := map[string]map[string]any{}
	for _, s := range sites {
		got[s.(map[string]any)["key"].(string)] = s.(map[string]any)
	}
	want := map[string]map[string]any{
		"shop": {"id": float64(shop.ID), "key": "shop", "name": "Shop", "hostnames": []any{"shop.example.com", "*.shop.example.com"},
			"consent": "required", "honor_gpc": false, "excluded_paths": []any{"/admin/", "/account/*/billing"},
			"keep_params": []any{"page", "q"},
			"identify": map[string]any{"forms": false, "marked_forms": false, "email_links": true,
				"params": []any{"fy_email", "fy_fn", "fy_ln"}, "hubspot": false}},
		"blog": {"id": float64(blog.ID), "key": "blog", "name": "blog", "hostnames": []any{"www.example.com"},
			"consent": "none", "honor_gpc": true, "excluded_paths": []any{}, "keep_params": []any{},
			"identify": map[string]any{"forms": false, "marked_forms": false, "email_links": false,
				"params": []any{"fy_email", "fy_fn", "fy_ln"}, "hubspot": false}},
	}
	for key, fields := range want {
		for name, v := range fields {
			if g := got[key][name]; fmt.Sprint(g) != fmt.Sprint(v) || (v != nil && g == nil) {
				t.Errorf("site %s: %s = %#v, want %#v", key, name, g, v)
			}
		}
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(got[key]["created_at"])); err != nil {
			t.Errorf("site %s: created_at %v", key, got[key]["created_at"])
		}
	}

	// The document describes exactly what the API answers.
	_, doc := w.api("/api/v1/openapi.json", "")
	schema := doc["components"].(map[string]any)["schemas"].(map[string]any)["Site"].(map[string]any)
	props := schema["properties"].(map[string]any)
	for name := range got["shop"] {
		if props[name] == nil {
			t.Errorf("openapi.json: Site lacks %q", name)
		}
	}
	for name := range props {
		if _, ok := got["shop"][name]; !ok {
			t.Errorf("openapi.json: Site has %q, which the API does not send", name)
		}
	}
	identify := props["identify"].(map[string]any)["properties"].(map[string]any)
	if len(identify) != len(got["shop"]["identify"].(map[string]any)) {
		t.Errorf("openapi.json: identify has %v, the API sends %v", identify, got["shop"]["identify"])
	}
	for name := range got["shop"]["identify"].(map[string]any) {
		if identify[name] == nil {
			t.Errorf("openapi.json: identify lacks %q", name)
		}
	}
	consent := props["consent"].(map[string]any)["enum"].([]any)
	if fmt.Sprint(consent) != fmt.Sprint([]any{string(foyer.ConsentNone), string(foyer.ConsentRequired)}) {
		t.Errorf("openapi.json: consent enum %v", consent)
	}
}
