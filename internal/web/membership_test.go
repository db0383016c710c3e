package web

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// TestChangeRoleAndRemove: an owner changes a role and removes a member,
// after which the page confirms it; the last owner is neither demoted nor
// removed; another workspace's member is not found; a removed member's
// session stays.
func TestChangeRoleAndRemove(t *testing.T) {
	w := newWebTest(t)
	olga := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	bob := w.user("bob@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	eve := w.user("eve@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	ws := w.site("Acme", "acme").WorkspaceID
	ctx := context.Background()
	cookie, bobCookie := w.signIn("olga@example.com"), w.signIn("bob@example.com")
	same := []string{"Sec-Fetch-Site", "same-origin"}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		return w.do("POST", fmt.Sprintf("/app/w/%d/members/%s", ws, path), form, cookie, same...)
	}
	role := func(id int64) foyer.Role { r, _ := w.st.Role(ctx, ws, id); return r }

	resp := post(fmt.Sprintf("%d/role", bob.ID), url.Values{"role": {"analyst"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/app/w/%d/members?done=role", ws) {
		t.Fatalf("change role: %d %s", resp.StatusCode, loc)
	}
	if role(bob.ID) != foyer.RoleAnalyst {
		t.Errorf("bob is %q", role(bob.ID))
	}
	if b := body(w.do("GET", fmt.Sprintf("/app/w/%d/members?done=role", ws), nil, cookie)); !strings.Contains(b, "The role was changed.") ||
		!strings.Contains(b, "What each role may do") {
		t.Errorf("the members page after a change:\n%s", b)
	}
	if resp := post(fmt.Sprintf("%d/role", bob.ID), url.Values{"role": {"king"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown role: %d", resp.StatusCode)
	}

	// The last owner.
	resp = post(fmt.Sprintf("%d/role", olga.ID), url.Values{"role": {"admin"}})
	if b := body(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(b, "last owner") {
		t.Errorf("demote the last owner: %d\n%s", resp.StatusCode, b)
	}
	resp = post(fmt.Sprintf("%d/remove", olga.ID), nil)
	if b := body(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(b, "last owner") {
		t.Errorf("remove the last owner: %d\n%s", resp.StatusCode, b)
	}
	if role(olga.ID) != foyer.RoleOwner {
		t.Fatalf("olga is %q", role(olga.ID))
	}

	// Another workspace's member, and nonsense.
	for _, path := range []string{fmt.Sprintf("%d/role", eve.ID), fmt.Sprintf("%d/remove", eve.ID), "x/remove", "0/role"} {
		if resp := post(path, url.Values{"role": {"viewer"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	if r, _ := w.st.Role(ctx, w.workspace("Initech"), eve.ID); r != foyer.RoleOwner {
		t.Errorf("eve is %q", r)
	}

	// Bob goes; his session stays, Acme answers him 404.
	resp = post(fmt.Sprintf("%d/remove", bob.ID), nil)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=removed") {
		t.Fatalf("remove bob: %d %s", resp.StatusCode, loc)
	}
	if role(bob.ID) != "" || !w.signedInNow(bobCookie) {
		t.Errorf("bob: role %q, signed in %v", role(bob.ID), w.signedInNow(bobCookie))
	}
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d", ws), nil, bobCookie); resp.StatusCode != http.StatusNotFound {
		t.Errorf("acme for bob after removal: %d", resp.StatusCode)
	}

	// With a second owner, Olga steps down, and is sent to the feed.
	if err := w.st.SetMembership(ctx, foyer.Membership{WorkspaceID: ws, UserID: bob.ID, Role: foyer.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	resp = post(fmt.Sprintf("%d/role", olga.ID), url.Values{"role": {"viewer"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/app/w/%d", ws) || role(olga.ID) != foyer.RoleViewer {
		t.Errorf("olga steps down: %d %s %q", resp.StatusCode, loc, role(olga.ID))
	}

	// Bob, the last owner now, cannot leave; with Olga owner again he can,
	// and is sent to his workspaces.
	leave := func() *http.Response {
		return w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/remove", ws, bob.ID), nil, bobCookie, same...)
	}
	if resp := leave(); resp.StatusCode != http.StatusConflict {
		t.Errorf("the last owner leaves: %d", resp.StatusCode)
	}
	if err := w.st.SetMembership(ctx, foyer.Membership{WorkspaceID: ws, UserID: olga.ID, Role: foyer.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	if resp := leave(); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app" || role(bob.ID) != "" {
		t.Errorf("bob leaves: %d %s %q", resp.StatusCode, resp.Header.Get("Location"), role(bob.ID))
	}
}

// TestPendingInvitations: the members page lists pending invitations with
// who made them, and an owner revokes one, after which its link answers
// 404; another workspace's invitation is not found.
func TestPendingInvitations(t *testing.T) {
	w := newWebTest(t)
	olga := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	gone := w.user("gone@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("eve@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	ws := w.site("Acme", "acme").WorkspaceID
	ctx := context.Background()
	invite := func(ws, by int64, email string) (string, []byte) {
		token, h := auth.NewToken()
		if err := w.st.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws, Email: email, Role: foyer.RoleAnalyst,
			CreatedBy: by, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return token, h
	}
	bobToken, bobHash := invite(ws, olga.ID, "bob@example.com")
	invite(ws, gone.ID, "cy@example.com")
	_, theirs := invite(w.workspace("Initech"), 0, "dee@example.com")
	if _, err := w.st.DB().Exec(fmt.Sprintf(`DELETE FROM users WHERE id = %d`, gone.ID)); err != nil {
		t.Fatal(err)
	}
	cookie := w.signIn("olga@example.com")
	same := []string{"Sec-Fetch-Site", "same-origin"}

	b := body(w.do("GET", fmt.Sprintf("/app/w/%d/members", ws), nil, cookie))
	for _, want := range []string{"Pending invitations", "bob@example.com", "cy@example.com", "someone no longer here", "/invites/" + hex.EncodeToString(bobHash) + "/revoke"} {
		if !strings.Contains(b, want) {
			t.Errorf("the members page lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(b, "dee@example.com") {
		t.Error("the members page shows another workspace's invitation")
	}
	revoke := func(id []byte) *http.Response {
		return w.do("POST", fmt.Sprintf("/app/w/%d/invites/%s/revoke", ws, hex.EncodeToString(id)), url.Values{}, cookie, same...)
	}
	if resp := revoke(theirs); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoke another workspace's: %d", resp.StatusCode)
	}
	if _, err := w.st.Link(ctx, theirs); err != nil {
		t.Errorf("another workspace's invitation was spent: %v", err)
	}
	resp := revoke(bobHash)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=revoked") {
		t.Fatalf("revoke: %d %s", resp.StatusCode, loc)
	}
	if resp := w.do("GET", "/invite/"+bobToken, nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a revoked invitation's link: %d", resp.StatusCode)
	}
	if resp := revoke(bobHash); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoke again: %d", resp.StatusCode)
	}
	b = body(w.do("GET", fmt.Sprintf("/app/w/%d/members?done=revoked", ws), nil, cookie))
	if strings.Contains(b, "bob@example.com") || !strings.Contains(b, "The invitation was revoked") {
		t.Errorf("the members page after revoking:\n%s", b)
	}
}
