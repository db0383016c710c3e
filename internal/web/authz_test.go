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

// TestAuthorizationMatrix sends every app route as every role of workspace
// Acme, as a member of another workspace only, and signed out, at Acme's
// IDs and at the other workspace's, and checks each answer; a refused
// request changes nothing.
func TestAuthorizationMatrix(t *testing.T) {
	w := newWebTest(t)
	roles := []foyer.Role{foyer.RoleOwner, foyer.RoleAdmin, foyer.RoleAnalyst, foyer.RoleViewer}
	for _, r := range roles {
		w.user(string(r)+"@example.com", "correct horse battery", "Acme", r)
	}
	outsiderID := w.user("outsider@example.com", "correct horse battery", "Initech", foyer.RoleOwner).ID
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	at := time.Now().Add(-time.Hour)
	w.visitFrom(acme, 0, foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}, at)
	w.visitFrom(initech, 1, foyer.Org{Name: "Hooli Inc", Type: foyer.OrgBusiness}, at)
	ctx := context.Background()
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	companyOf := func(ws int64) int64 {
		rows, err := w.st.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws, From: at, To: time.Now()})
		if err != nil || len(rows) != 1 {
			t.Fatalf("feed of %d: %v", ws, err)
		}
		return rows[0].ID
	}
	a, i := acme.WorkspaceID, initech.WorkspaceID
	ac, ic := companyOf(a), companyOf(i)

	cookies := map[string]string{"signed out": ""}
	for _, r := range roles {
		cookies[string(r)] = w.signIn(string(r) + "@example.com")
	}
	cookies["outsider"] = w.signIn("outsider@example.com")

	// The status each caller gets; a missing caller gets the default.
	type route struct {
		method, path string
		form         url.Values
		want         map[string]int
		def          int // for callers not in want
	}
	ok, seeOther, forbidden, notFound := http.StatusOK, http.StatusSeeOther, http.StatusForbidden, http.StatusNotFound
	members := func(status int) map[string]int {
		return map[string]int{"owner": status, "admin": status, "analyst": status, "viewer": status}
	}
	with := func(m map[string]int, k string, v int) map[string]int { m[k] = v; return m }
	addSite := url.Values{"name": {"New"}, "hostnames": {"new.example"}}
	siteSettings := url.Values{"name": {"Renamed"}, "hostnames": {"www.example.com"}, "consent": {"required"}}
	routes := []route{
		{"GET", "/app", nil, with(with(members(ok), "outsider", ok), "signed out", seeOther), ok},
		{"GET", fmt.Sprintf("/app/w/%d", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/c/%d", a, ac), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/c/%d", a, ic), nil, map[string]int{"signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/c/%d", i, ic), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/export.csv", a), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": ok, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/export.csv", i), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites", a), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d", a, acme.ID), nil, with(members(ok), "signed out", seeOther), notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d", a, initech.ID), nil, map[string]int{"signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites", a), addSite,
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites", i), addSite, map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, acme.ID), nil,
			map[string]int{"owner": ok, "admin": ok, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, initech.ID), nil,
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/sites/%d/settings", i, initech.ID), nil, map[string]int{"signed out": seeOther, "outsider": ok}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, acme.ID), siteSettings,
			map[string]int{"owner": seeOther, "admin": seeOther, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/settings", a, initech.ID), siteSettings,
			map[string]int{"analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/sites/%d/settings", i, initech.ID), siteSettings, map[string]int{"signed out": seeOther, "outsider": seeOther}, notFound},
		{"GET", fmt.Sprintf("/app/w/%d/members", a), nil,
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/invites", a), url.Values{"email": {"x@example.com"}, "role": {"owner"}},
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/tokens", a), url.Values{"scope": {"read"}},
			map[string]int{"owner": ok, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/tokens/%d/revoke", a, 999999), url.Values{},
			map[string]int{"admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/require-2fa", a), url.Values{},
			map[string]int{"owner": seeOther, "admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
		{"POST", fmt.Sprintf("/app/w/%d/members/%d/reset", a, outsiderID), nil,
			map[string]int{"admin": forbidden, "analyst": forbidden, "viewer": forbidden, "signed out": seeOther}, notFound},
	}
	// sitesOf describes a workspace's sites: how many, and each one's settings.
	sitesOf := func(ws int64) string {
		list, err := w.st.Sites(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, s := range list {
			fmt.Fprintf(&b, "%+v\n", *s)
		}
		return b.String()
	}
	for _, rt := range routes {
		for who, cookie := range cookies {
			want, ok := rt.want[who]
			if !ok {
				want = rt.def
			}
			beforeA, beforeI := sitesOf(a), sitesOf(i)
			resp := w.do(rt.method, rt.path, rt.form, cookie, "Sec-Fetch-Site", "same-origin")
			body(resp)
			if resp.StatusCode != want {
				t.Errorf("%s %s as %s: %d, want %d", rt.method, rt.path, who, resp.StatusCode, want)
			}
			if rt.method == "POST" && resp.StatusCode != seeOther || who == "signed out" {
				if sitesOf(a) != beforeA || sitesOf(i) != beforeI {
					t.Errorf("%s %s as %s was refused (%d) but changed the sites", rt.method, rt.path, who, resp.StatusCode)
				}
			}
		}
	}
}
