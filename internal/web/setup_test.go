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

func setupForm(workspace, email, password, confirm string) url.Values {
	return url.Values{"workspace": {workspace}, "name": {"Ana Silva"}, "email": {email},
		"password": {password}, "confirm": {confirm}}
}

func TestFirstOwnerSetup(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			w := newWebTestOn(t, d)
			ctx := context.Background()

			if b := body(w.do("GET", "/login", nil, "")); !strings.Contains(b, "no accounts yet") {
				t.Errorf("the login page of an installation without users does not say how to begin:\n%s", b)
			}
			path, err := NewSetupLink(ctx, w.st)
			if err != nil || !strings.HasPrefix(path, "/setup/") || len(path) < len("/setup/")+40 {
				t.Fatalf("setup link %q, %v", path, err)
			}
			other, err := NewSetupLink(ctx, w.st) // a second server's start
			if err != nil || other == path || other == "" {
				t.Fatalf("second link %q, %v", other, err)
			}

			resp := w.do("GET", path, nil, "")
			if b := body(resp); resp.StatusCode != 200 || !strings.Contains(b, `name="workspace"`) || !strings.Contains(b, `action="`+path+`"`) {
				t.Fatalf("GET setup: %d\n%s", resp.StatusCode, b)
			}
			if resp := w.do("GET", "/setup/guessed", nil, ""); resp.StatusCode != http.StatusNotFound {
				t.Errorf("an unknown setup link: %d", resp.StatusCode)
			}

			// Each bad form says why, and creates nobody.
			for _, c := range []struct {
				name string
				form url.Values
				want string
			}{
				{"passwords differ", setupForm("Acme", "ana@example.com", "correct horse battery", "correct horse batterY"), "differ"},
				{"short password", setupForm("Acme", "ana@example.com", "short", "short"), "10 characters"},
				{"bad email", setupForm("Acme", "ana@", "correct horse battery", "correct horse battery"), "is not an address"},
				{"no workspace", setupForm("   ", "ana@example.com", "correct horse battery", "correct horse battery"), "Name your workspace"},
			} {
				resp := w.do("POST", path, c.form, "")
				if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, c.want) || sessionOf(resp) != nil {
					t.Errorf("%s: %d, want 400 saying %q\n%s", c.name, resp.StatusCode, c.want, b)
				}
			}
			// A form posted from another site is refused.
			resp = w.do("POST", path, setupForm("Acme", "ana@example.com", "correct horse battery", "correct horse battery"), "",
				"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("a cross-site setup: %d", resp.StatusCode)
			}
			if has, err := w.st.HasUsers(ctx); err != nil || has {
				t.Fatalf("refused forms left a user: %v, %v", has, err)
			}

			resp = w.do("POST", path, setupForm("Acme", "Ana@Example.com", "correct horse battery", "correct horse battery"), "")
			ws, err := w.st.WorkspaceByName(ctx, "Acme")
			if err != nil {
				t.Fatalf("after setup (%d): %v", resp.StatusCode, err)
			}
			cookie := sessionOf(resp)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/app/w/%d/sites", ws.ID) || cookie == nil {
				t.Fatalf("setup: %d to %q, cookie %v", resp.StatusCode, resp.Header.Get("Location"), cookie)
			}
			u, err := w.st.UserByEmail(ctx, "ana@example.com")
			if err != nil || u.Name != "Ana Silva" {
				t.Fatalf("the owner: %+v, %v", u, err)
			}
			if role, err := w.st.Role(ctx, ws.ID, u.ID); err != nil || role != foyer.RoleOwner {
				t.Errorf("role %q, %v", role, err)
			}
			if resp := w.do("GET", fmt.Sprintf("/app/w/%d/members", ws.ID), nil, cookie.Value); resp.StatusCode != 200 {
				t.Errorf("the new owner's members page: %d", resp.StatusCode)
			}
			// The password works at the login form.
			if resp := w.do("POST", "/login", login("ana@example.com", "correct horse battery"), ""); sessionOf(resp) == nil {
				t.Errorf("sign-in with the chosen password: %d", resp.StatusCode)
			}

			// Both links are spent, and no new one is made.
			for _, p := range []string{path, other} {
				if resp := w.do("GET", p, nil, ""); resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s after setup: %d", p, resp.StatusCode)
				}
				resp := w.do("POST", p, setupForm("Evil", "eve@example.com", "correct horse battery", "correct horse battery"), "")
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("POST %s after setup: %d", p, resp.StatusCode)
				}
			}
			if _, err := w.st.UserByEmail(ctx, "eve@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
				t.Errorf("a spent link made a user: %v", err)
			}
			if p, err := NewSetupLink(ctx, w.st); p != "" || err != nil {
				t.Errorf("a setup link once a user exists: %q, %v", p, err)
			}
			if b := body(w.do("GET", "/login", nil, "")); strings.Contains(b, "no accounts yet") {
				t.Errorf("the login page still says there are no accounts")
			}
		})
	}
}

// The first owner of a demo installation chooses: start with the demo
// site (its workspace, renamed to the name they type, lands on its feed) or
// start empty (a new workspace, lands on its sites page; the demo's stays).
func TestFirstOwnerTakesDemo(t *testing.T) {
	for _, tc := range []struct {
		start, name string
		refused     string // part of the refusal, or "" for a sign-up
		takesDemo   bool
	}{
		{"demo", "Acme", "", true},
		{"demo", "Demo", "", true},
		{"empty", "Acme", "", false},
		{"empty", "Demo", "A workspace named &#34;Demo&#34; exists", false},
		{"", "Acme", "Choose whether to start with the demo site or empty", false},
	} {
		t.Run(tc.start+"-"+tc.name, func(t *testing.T) {
			w := newWebTest(t)
			ctx := context.Background()
			demo := &foyer.Workspace{Name: "Demo"}
			if err := w.st.CreateWorkspace(ctx, demo); err != nil {
				t.Fatal(err)
			}
			if err := w.st.CreateSite(ctx, &foyer.Site{WorkspaceID: demo.ID, Key: "demo", Name: "Demo site", Hostnames: []string{"localhost"}}); err != nil {
				t.Fatal(err)
			}
			path, err := NewSetupLink(ctx, w.st)
			if err != nil {
				t.Fatal(err)
			}
			b := body(w.do("GET", path, nil, ""))
			if !strings.Contains(b, `name="workspace" value="Demo"`) || !strings.Contains(b, `value="demo" checked`) || !strings.Contains(b, "Start empty.") {
				t.Errorf("the form does not offer the demo site and an empty start:\n%s", b)
			}
			form := setupForm(tc.name, "ana@example.com", "correct horse battery", "correct horse battery")
			if tc.start != "" {
				form.Set("start", tc.start)
			}
			resp := w.do("POST", path, form, "")
			if tc.refused != "" {
				if b := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, tc.refused) {
					t.Fatalf("want a refusal %q: %d\n%s", tc.refused, resp.StatusCode, b)
				}
				if has, _ := w.st.HasUsers(ctx); has {
					t.Error("a refused setup created a user")
				}
				return
			}
			u, err := w.st.UserByEmail(ctx, "ana@example.com")
			if err != nil {
				t.Fatal(err)
			}
			ws, err := w.st.WorkspaceByName(ctx, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("/app/w/%d/sites", ws.ID)
			if tc.takesDemo {
				want = fmt.Sprintf("/app/w/%d", demo.ID)
				if ws.ID != demo.ID {
					t.Errorf("workspace %q is %d, not the demo's %d", tc.name, ws.ID, demo.ID)
				}
			} else if ws.ID == demo.ID {
				t.Error("starting empty took the demo's workspace")
			}
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
				t.Fatalf("setup: %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
			}
			if role, err := w.st.Role(ctx, ws.ID, u.ID); err != nil || role != foyer.RoleOwner {
				t.Errorf("role in %q: %q, %v", tc.name, role, err)
			}
			if role, err := w.st.Role(ctx, demo.ID, u.ID); tc.takesDemo != (err == nil && role == foyer.RoleOwner) {
				t.Errorf("role in the demo's workspace: %q, %v", role, err)
			}
		})
	}
}
