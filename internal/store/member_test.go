package store_test

import (
	"context"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// member makes a user with the address and gives them a role in ws.
func member(t *testing.T, s *store.Store, ws int64, email string, role foyer.Role) *foyer.User {
	t.Helper()
	ctx := context.Background()
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		u = &foyer.User{Email: email}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: ws, UserID: u.ID, Role: role}); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestLastOwner: a role changes and a member goes, but a workspace never
// loses its last owner, and another workspace's member is not found.
func TestLastOwner(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		other, _ := testutil.NewSite(t, s, "Initech", "initech", "initech.com")
		ana := member(t, s, ws.ID, "ana@example.com", foyer.RoleOwner)
		bob := member(t, s, ws.ID, "bob@example.com", foyer.RoleViewer)
		eve := member(t, s, other.ID, "eve@example.com", foyer.RoleOwner)
		role := func(ws, user int64) foyer.Role {
			t.Helper()
			r, err := s.Role(ctx, ws, user)
			if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
				t.Fatal(err)
			}
			return r
		}

		wantCodeOf(t, "demote the last owner", s.ChangeRole(ctx, ws.ID, ana.ID, foyer.RoleAdmin), foyer.ECONFLICT)
		wantCodeOf(t, "remove the last owner", s.RemoveMember(ctx, ws.ID, ana.ID), foyer.ECONFLICT)
		wantCodeOf(t, "another workspace's member", s.ChangeRole(ctx, ws.ID, eve.ID, foyer.RoleViewer), foyer.ENOTFOUND)
		wantCodeOf(t, "remove another workspace's member", s.RemoveMember(ctx, ws.ID, eve.ID), foyer.ENOTFOUND)
		wantCodeOf(t, "an unknown role", s.ChangeRole(ctx, ws.ID, bob.ID, "king"), foyer.EINVALID)
		if role(ws.ID, ana.ID) != foyer.RoleOwner || role(other.ID, eve.ID) != foyer.RoleOwner || role(ws.ID, bob.ID) != foyer.RoleViewer {
			t.Fatal("a refused change changed a role")
		}

		// Bob becomes owner; then Ana may step down, and leave.
		if err := s.ChangeRole(ctx, ws.ID, bob.ID, foyer.RoleOwner); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeRole(ctx, ws.ID, ana.ID, foyer.RoleAnalyst); err != nil || role(ws.ID, ana.ID) != foyer.RoleAnalyst {
			t.Fatalf("demote ana with bob owner: %v, %q", err, role(ws.ID, ana.ID))
		}
		wantCodeOf(t, "remove bob, now the last owner", s.RemoveMember(ctx, ws.ID, bob.ID), foyer.ECONFLICT)

		// Ana goes: her reset link from Acme is spent, her session and her
		// other membership stay.
		member(t, s, other.ID, "ana@example.com", foyer.RoleViewer)
		_, reset := auth.NewToken()
		if err := s.CreateLink(ctx, reset, foyer.AuthLink{Kind: foyer.LinkReset, WorkspaceID: ws.ID, UserID: ana.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, sess := auth.NewToken()
		if err := s.CreateSession(ctx, sess, foyer.AuthSession{UserID: ana.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveMember(ctx, ws.ID, ana.ID); err != nil {
			t.Fatal(err)
		}
		if role(ws.ID, ana.ID) != "" || role(other.ID, ana.ID) != foyer.RoleViewer {
			t.Errorf("after removal: acme %q, initech %q", role(ws.ID, ana.ID), role(other.ID, ana.ID))
		}
		if _, err := s.Link(ctx, reset); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("ana's reset link from acme stands: %v", err)
		}
		if _, err := s.Session(ctx, sess); err != nil {
			t.Errorf("ana's session ended: %v", err)
		}
		wantCodeOf(t, "remove ana again", s.RemoveMember(ctx, ws.ID, ana.ID), foyer.ENOTFOUND)
	})
}

// TestConcurrentDemotions: two owners demote each other at once; exactly
// one demotion succeeds and the workspace keeps an owner.
func TestConcurrentDemotions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		for round := range 10 {
			a := member(t, s, ws.ID, "a@example.com", foyer.RoleOwner)
			b := member(t, s, ws.ID, "b@example.com", foyer.RoleOwner)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, u := range []*foyer.User{a, b} {
				wg.Go(func() {
					<-start
					if round%2 == 0 {
						errs[i] = s.ChangeRole(ctx, ws.ID, u.ID, foyer.RoleViewer)
					} else {
						errs[i] = s.RemoveMember(ctx, ws.ID, u.ID)
					}
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch foyer.ErrorCode(err) {
				case "":
					ok++
				case foyer.ECONFLICT:
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			var owners int
			if err := s.DB().QueryRow(store.Rebind(s, `SELECT COUNT(*) FROM memberships WHERE role = 'owner' AND workspace_id = ?`), ws.ID).Scan(&owners); err != nil {
				t.Fatal(err)
			}
			if ok != 1 || owners != 1 {
				t.Fatalf("round %d: %d succeeded (%v), %d owners left; want 1 and 1", round, ok, errs, owners)
			}
		}
	})
}

// TestInvitations: pending invitations are listed with their inviter, and
// one revoked is gone and its link no more; another workspace's is not
// found.
func TestInvitations(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		other, _ := testutil.NewSite(t, s, "Initech", "initech", "initech.com")
		ana := member(t, s, ws.ID, "ana@example.com", foyer.RoleOwner)
		gone := &foyer.User{Email: "gone@example.com"}
		if err := s.CreateUser(ctx, gone); err != nil {
			t.Fatal(err)
		}
		invite := func(ws, by int64, email string, expires time.Time) []byte {
			_, h := auth.NewToken()
			if err := s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws, Email: email, Role: foyer.RoleAnalyst,
				CreatedBy: by, ExpiresAt: expires}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		later := time.Now().Add(time.Hour)
		toBob := invite(ws.ID, ana.ID, "bob@example.com", later)
		invite(ws.ID, gone.ID, "cy@example.com", later)
		invite(ws.ID, ana.ID, "old@example.com", time.Now().Add(-time.Minute))
		used := invite(ws.ID, ana.ID, "used@example.com", later)
		if err := s.UseLink(ctx, used); err != nil {
			t.Fatal(err)
		}
		theirs := invite(other.ID, 0, "dee@example.com", later)
		if _, err := s.DB().Exec(`DELETE FROM users WHERE email = 'gone@example.com'`); err != nil {
			t.Fatal(err)
		}

		list, err := s.Invitations(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]foyer.Invitation{}
		for _, inv := range list {
			got[inv.Email] = inv
		}
		if len(list) != 2 || got["bob@example.com"].InvitedBy != "ana@example.com" || got["cy@example.com"].InvitedBy != "" ||
			got["bob@example.com"].Role != foyer.RoleAnalyst || got["bob@example.com"].ExpiresAt.Unix() != later.Unix() ||
			got["bob@example.com"].ID != hex.EncodeToString(toBob) {
			t.Fatalf("invitations: %+v", list)
		}

		wantCodeOf(t, "revoke another workspace's", s.RevokeInvitation(ctx, ws.ID, hex.EncodeToString(theirs)), foyer.ENOTFOUND)
		wantCodeOf(t, "revoke a used one", s.RevokeInvitation(ctx, ws.ID, hex.EncodeToString(used)), foyer.ENOTFOUND)
		wantCodeOf(t, "revoke nonsense", s.RevokeInvitation(ctx, ws.ID, "zz"), foyer.ENOTFOUND)
		if _, err := s.Link(ctx, theirs); err != nil {
			t.Errorf("another workspace's invitation was spent: %v", err)
		}
		if err := s.RevokeInvitation(ctx, ws.ID, got["bob@example.com"].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Link(ctx, toBob); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("a revoked invitation's link: %v", err)
		}
		if list, _ := s.Invitations(ctx, ws.ID); len(list) != 1 || list[0].Email != "cy@example.com" {
			t.Errorf("after revoking: %+v", list)
		}
		wantCodeOf(t, "revoke it again", s.RevokeInvitation(ctx, ws.ID, got["bob@example.com"].ID), foyer.ENOTFOUND)
	})
}

// TestInvitationKeepsAnOwner: the last owner who accepts an invitation of
// their own workspace for another role stays owner, and the link stands;
// with another owner, the invitation's role is taken.
func TestInvitationKeepsAnOwner(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		ana := member(t, s, ws.ID, "ana@example.com", foyer.RoleOwner)
		_, h := auth.NewToken()
		if err := s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: ana.Email, Role: foyer.RoleViewer,
			ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, err := s.AcceptInvite(ctx, h, ana, nil)
		wantCodeOf(t, "the last owner accepts a viewer's invitation", err, foyer.ECONFLICT)
		if r, _ := s.Role(ctx, ws.ID, ana.ID); r != foyer.RoleOwner {
			t.Fatalf("ana is %q", r)
		}
		if _, err := s.Link(ctx, h); err != nil {
			t.Fatalf("the refused invitation was spent: %v", err)
		}
		member(t, s, ws.ID, "bob@example.com", foyer.RoleOwner)
		if _, err := s.AcceptInvite(ctx, h, ana, nil); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.Role(ctx, ws.ID, ana.ID); r != foyer.RoleViewer {
			t.Errorf("ana is %q", r)
		}
	})
}
