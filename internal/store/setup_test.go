package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

func setupHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func TestSetupLinks(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		c := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.NewStore(t, d, store.Options{Now: c.Now})
		ctx := context.Background()

		if has, err := s.HasUsers(ctx); err != nil || has {
			t.Fatalf("new store has users: %v, %v", has, err)
		}
		demo := &foyer.Workspace{Name: "Demo"}
		if err := s.CreateWorkspace(ctx, demo); err != nil {
			t.Fatal(err)
		}
		a, b, old := setupHash("a"), setupHash("b"), setupHash("old")
		for _, l := range []struct {
			hash []byte
			life time.Duration
		}{{a, 24 * time.Hour}, {b, 24 * time.Hour}, {old, time.Minute}} {
			if err := s.CreateSetupLink(ctx, l.hash, c.Now().Add(l.life)); err != nil {
				t.Fatal(err)
			}
		}
		wantCodeOf(t, "short hash", s.CreateSetupLink(ctx, []byte("short"), c.Now().Add(time.Hour)), foyer.EINVALID)
		names, err := s.SetupLink(ctx, a)
		if err != nil || !slices.Equal(names, []string{"Demo"}) {
			t.Errorf("link a: %q, %v", names, err)
		}
		_, err = s.SetupLink(ctx, setupHash("guess"))
		wantCodeOf(t, "unknown link", err, foyer.ENOTFOUND)
		c.Add(2 * time.Minute)
		_, err = s.SetupLink(ctx, old)
		wantCodeOf(t, "expired link", err, foyer.ENOTFOUND)
		wantCodeOf(t, "expired link completes",
			s.CompleteSetup(ctx, old, &foyer.User{Email: "x@example.com"}, &foyer.Workspace{Name: "X"}), foyer.ENOTFOUND)

		// Bad input changes nothing and leaves the link usable.
		wantCodeOf(t, "no workspace name",
			s.CompleteSetup(ctx, a, &foyer.User{Email: "ana@example.com"}, &foyer.Workspace{Name: "  "}), foyer.EINVALID)
		wantCodeOf(t, "bad email",
			s.CompleteSetup(ctx, a, &foyer.User{Email: "ana"}, &foyer.Workspace{Name: "Acme"}), foyer.EINVALID)
		if has, _ := s.HasUsers(ctx); has {
			t.Fatal("a refused setup left a user")
		}
		if _, err := s.WorkspaceByName(ctx, "Acme"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Fatalf("a refused setup left its workspace: %v", err)
		}

		// The owner takes the demo's workspace by its name.
		u := &foyer.User{Email: "Ana@Example.com", Name: "Ana", PasswordHash: "$argon2id$x"}
		w := &foyer.Workspace{Name: " Demo "}
		if err := s.CompleteSetup(ctx, a, u, w); err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || w.ID != demo.ID {
			t.Errorf("owner %+v of workspace %+v, want workspace %d", u, w, demo.ID)
		}
		if role, err := s.Role(ctx, demo.ID, u.ID); err != nil || role != foyer.RoleOwner {
			t.Errorf("role %q, %v", role, err)
		}
		if has, err := s.HasUsers(ctx); err != nil || !has {
			t.Errorf("after setup: has users %v, %v", has, err)
		}
		// Every link is spent: the other one too, and no new one is made.
		for name, h := range map[string][]byte{"a": a, "b": b} {
			_, err := s.SetupLink(ctx, h)
			wantCodeOf(t, "after setup, link "+name, err, foyer.ENOTFOUND)
			wantCodeOf(t, "after setup, link "+name+" completes",
				s.CompleteSetup(ctx, h, &foyer.User{Email: "eve@example.com"}, &foyer.Workspace{Name: "Eve"}), foyer.ENOTFOUND)
		}
		wantCodeOf(t, "link after setup", s.CreateSetupLink(ctx, setupHash("c"), c.Now().Add(time.Hour)), foyer.ECONFLICT)
		if _, err := s.UserByEmail(ctx, "eve@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("a spent link made a user: %v", err)
		}
	})
}

// Sign-ups with two links at once (two servers' logs) make one owner.
func TestSetupRace(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		const n = 6
		for i := range n {
			if err := s.CreateSetupLink(ctx, setupHash(fmt.Sprint(i)), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = s.CompleteSetup(ctx, setupHash(fmt.Sprint(i)),
					&foyer.User{Email: fmt.Sprintf("u%d@example.com", i)}, &foyer.Workspace{Name: fmt.Sprintf("W%d", i)})
			})
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch foyer.ErrorCode(err) {
			case "":
				won++
			case foyer.ENOTFOUND:
			default:
				t.Errorf("sign-up %d: %v", i, err)
			}
		}
		var users, workspaces int
		s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users)
		s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM workspaces`).Scan(&workspaces)
		if won != 1 || users != 1 || workspaces != 1 {
			t.Errorf("%d sign-ups won, %d users, %d workspaces; want 1 of each", won, users, workspaces)
		}
	})
}

// TestSetupTakesDemo: with the demo's workspace's ID, the first owner
// takes it under the name they typed, its site and all; a name another
// workspace has is ECONFLICT and spends nothing.
func TestSetupTakesDemo(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		demo, other := &foyer.Workspace{Name: "Demo"}, &foyer.Workspace{Name: "Other"}
		for _, w := range []*foyer.Workspace{demo, other} {
			if err := s.CreateWorkspace(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateSite(ctx, &foyer.Site{WorkspaceID: demo.ID, Key: "demo", Hostnames: []string{"localhost"}}); err != nil {
			t.Fatal(err)
		}
		h := setupHash("t")
		if err := s.CreateSetupLink(ctx, h, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "another's name", s.CompleteSetup(ctx, h, &foyer.User{Email: "ana@example.com"}, &foyer.Workspace{ID: demo.ID, Name: "Other"}), foyer.ECONFLICT)
		u, w := &foyer.User{Email: "ana@example.com"}, &foyer.Workspace{ID: demo.ID, Name: " Acme "}
		if err := s.CompleteSetup(ctx, h, u, w); err != nil {
			t.Fatal(err)
		}
		if w.ID != demo.ID || w.Name != "Acme" {
			t.Errorf("took %+v, want the demo's workspace renamed Acme", w)
		}
		sites, err := s.Sites(ctx, demo.ID)
		if err != nil || len(sites) != 1 || sites[0].Key != "demo" {
			t.Errorf("the renamed workspace's sites: %v, %v", sites, err)
		}
		ms, err := s.Memberships(ctx, u.ID)
		if err != nil || len(ms) != 1 || ms[0].WorkspaceID != demo.ID || ms[0].Role != foyer.RoleOwner {
			t.Errorf("memberships: %+v, %v", ms, err)
		}
	})
}
