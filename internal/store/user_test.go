package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// clock is a settable time source for a store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// wantCodeOf is wantCode that names the case and goes on.
func wantCodeOf(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := foyer.ErrorCode(err); got != code {
		t.Errorf("%s: code %q (%v), want %q", what, got, err, code)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		u := &foyer.User{Email: "  Ana@Example.COM ", Name: " Ana Silva ", PasswordHash: "$argon2id$x"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Email != "ana@example.com" || u.Name != "Ana Silva" || u.CreatedAt.IsZero() {
			t.Errorf("created %+v", u)
		}
		wantCodeOf(t, "same email", s.CreateUser(ctx, &foyer.User{Email: "ANA@example.com"}), foyer.ECONFLICT)
		for _, bad := range []string{"", "ana", "Ana <ana@example.com>", "ana@", "a b@example.com"} {
			wantCodeOf(t, "email "+bad, s.CreateUser(ctx, &foyer.User{Email: bad}), foyer.EINVALID)
		}
		got, err := s.UserByEmail(ctx, "ANA@example.com")
		if err != nil || got.ID != u.ID || got.PasswordHash != "$argon2id$x" {
			t.Errorf("by email: %+v, %v", got, err)
		}
		if got, err := s.UserByID(ctx, u.ID); err != nil || got.Email != u.Email {
			t.Errorf("by ID: %+v, %v", got, err)
		}
		_, err = s.UserByEmail(ctx, "bob@example.com")
		wantCodeOf(t, "unknown email", err, foyer.ENOTFOUND)
		_, err = s.UserByID(ctx, u.ID+100)
		wantCodeOf(t, "unknown ID", err, foyer.ENOTFOUND)

		// Failed sign-ins count up and lock at the third; a success clears them.
		for i := 1; i <= 3; i++ {
			n, until, err := s.LoginFailed(ctx, u.ID, 3, time.Hour)
			if err != nil || n != i || (i < 3) != until.IsZero() {
				t.Errorf("failure %d: %d, %v, %v", i, n, until, err)
			}
		}
		if got, _ := s.UserByID(ctx, u.ID); got.FailedLogins != 3 || got.LockedUntil.IsZero() {
			t.Errorf("after 3 failures: %+v", got)
		}
		if err := s.LoginSucceeded(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
			t.Errorf("after a success: %+v", got)
		}
		_, _, err = s.LoginFailed(ctx, u.ID+100, 3, time.Hour)
		wantCodeOf(t, "unknown user's failure", err, foyer.ENOTFOUND)
	})
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		wsA, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		wsB, _ := testutil.NewSite(t, s, "Globex", "globex", "globex.com")
		u := &foyer.User{Email: "ana@example.com"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: wsA.ID, UserID: u.ID, Role: foyer.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: wsA.ID, UserID: u.ID, Role: foyer.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Role(ctx, wsA.ID, u.ID); err != nil || r != foyer.RoleAdmin {
			t.Errorf("role in A: %q, %v; want admin (changed from viewer)", r, err)
		}
		_, err := s.Role(ctx, wsB.ID, u.ID)
		wantCodeOf(t, "role in B", err, foyer.ENOTFOUND)
		wantCodeOf(t, "bad role", s.SetMembership(ctx, foyer.Membership{WorkspaceID: wsB.ID, UserID: u.ID, Role: "root"}), foyer.EINVALID)
		wantCodeOf(t, "unknown workspace", s.SetMembership(ctx, foyer.Membership{WorkspaceID: wsB.ID + 100, UserID: u.ID, Role: foyer.RoleViewer}), foyer.ENOTFOUND)
		wantCodeOf(t, "unknown user", s.SetMembership(ctx, foyer.Membership{WorkspaceID: wsB.ID, UserID: u.ID + 100, Role: foyer.RoleViewer}), foyer.ENOTFOUND)
		ms, err := s.Memberships(ctx, u.ID)
		if err != nil || len(ms) != 1 || ms[0].WorkspaceID != wsA.ID || ms[0].Role != foyer.RoleAdmin || ms[0].WorkspaceName != "Acme" {
			t.Errorf("memberships %+v, %v", ms, err)
		}
	})
}

func TestAuthSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		c := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		s := testutil.NewStore(t, d, store.Options{Now: c.now})
		ctx := context.Background()
		ana, bob := &foyer.User{Email: "ana@example.com"}, &foyer.User{Email: "bob@example.com"}
		for _, u := range []*foyer.User{ana, bob} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		newSession := func(u *foyer.User, life time.Duration) []byte {
			_, h := auth.NewToken()
			if err := s.CreateSession(ctx, h, foyer.AuthSession{UserID: u.ID, CreatedAt: c.now(), ExpiresAt: c.now().Add(life)}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		a1, a2, short, b1 := newSession(ana, 24*time.Hour), newSession(ana, 24*time.Hour), newSession(ana, time.Minute), newSession(bob, 24*time.Hour)

		c.add(30 * time.Second)
		got, err := s.Session(ctx, a1)
		if err != nil || got.UserID != ana.ID || !got.LastSeenAt.Equal(got.CreatedAt) { // Session only reads: see TestTouch
			t.Fatalf("live session: %+v, %v", got, err)
		}
		_, err = s.Session(ctx, make([]byte, 32))
		wantCodeOf(t, "unknown token", err, foyer.EUNAUTHORIZED)

		c.add(time.Minute)
		_, err = s.Session(ctx, short)
		wantCodeOf(t, "expired", err, foyer.EUNAUTHORIZED)

		if err := s.RevokeSession(ctx, a1); err != nil {
			t.Fatal(err)
		}
		_, err = s.Session(ctx, a1)
		wantCodeOf(t, "revoked", err, foyer.EUNAUTHORIZED)
		if _, err := s.Session(ctx, a2); err != nil {
			t.Errorf("ana's other session: %v", err)
		}

		// A new password ends every session of the user, and only hers.
		if err := s.SetPassword(ctx, ana.ID, "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Session(ctx, a2)
		wantCodeOf(t, "after a password change", err, foyer.EUNAUTHORIZED)
		if _, err := s.Session(ctx, b1); err != nil {
			t.Errorf("bob's session after ana's password change: %v", err)
		}
		if u, _ := s.UserByID(ctx, ana.ID); u.PasswordHash != "$argon2id$new" || !u.PasswordChangedAt.Equal(c.now()) {
			t.Errorf("after SetPassword: %+v", u)
		}
		wantCodeOf(t, "unknown user's password", s.SetPassword(ctx, bob.ID+100, "x"), foyer.ENOTFOUND)

		if err := s.RevokeUserSessions(ctx, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Session(ctx, b1)
		wantCodeOf(t, "bob after revoking all", err, foyer.EUNAUTHORIZED)
		wantCodeOf(t, "short hash", s.CreateSession(ctx, []byte("x"), foyer.AuthSession{UserID: bob.ID}), foyer.EINVALID)
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		tok, hash := auth.NewToken()
		if err := s.CreateAPIToken(ctx, hash, foyer.APIToken{WorkspaceID: ws.ID, Name: " nightly export ", Scope: foyer.ScopeRead}); err != nil {
			t.Fatal(err)
		}
		got, err := s.APIToken(ctx, auth.TokenHash(tok))
		if err != nil || got.WorkspaceID != ws.ID || got.Scope != foyer.ScopeRead || got.Name != "nightly export" {
			t.Errorf("token: %+v, %v", got, err)
		}
		_, err = s.APIToken(ctx, auth.TokenHash("another"))
		wantCodeOf(t, "unknown token", err, foyer.EUNAUTHORIZED)
		_, h2 := auth.NewToken()
		wantCodeOf(t, "bad scope", s.CreateAPIToken(ctx, h2, foyer.APIToken{WorkspaceID: ws.ID, Scope: "admin"}), foyer.EINVALID)
		wantCodeOf(t, "unknown workspace", s.CreateAPIToken(ctx, h2, foyer.APIToken{WorkspaceID: ws.ID + 100, Scope: foyer.ScopeRead}), foyer.ENOTFOUND)

		list, err := s.APITokens(ctx, ws.ID)
		if err != nil || len(list) != 1 || list[0].ID != got.ID || !list[0].LastUsedAt.IsZero() || list[0].Revoked { // APIToken only reads: see TestTouch
			t.Fatalf("tokens: %+v, %v", list, err)
		}
		other, _ := testutil.NewSite(t, s, "Initech", "initech", "initech.com")
		wantCodeOf(t, "revoke from another workspace", s.RevokeAPIToken(ctx, other.ID, got.ID), foyer.ENOTFOUND)
		if err := s.RevokeAPIToken(ctx, ws.ID, got.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.APIToken(ctx, auth.TokenHash(tok))
		wantCodeOf(t, "a revoked token", err, foyer.EUNAUTHORIZED)
		if list, _ := s.APITokens(ctx, ws.ID); len(list) != 1 || !list[0].Revoked {
			t.Errorf("after revoking: %+v", list)
		}
		wantCodeOf(t, "revoked twice", s.RevokeAPIToken(ctx, ws.ID, got.ID), foyer.ENOTFOUND)
	})
}

func TestLinks(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		c := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		s := testutil.NewStore(t, d, store.Options{Now: c.now})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		_, inv := auth.NewToken()
		if err := s.CreateLink(ctx, inv, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: " New@Example.com", Role: foyer.RoleViewer, ExpiresAt: c.now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		l, err := s.Link(ctx, inv)
		if err != nil || l.Kind != foyer.LinkInvite || l.Email != "new@example.com" || l.Role != foyer.RoleViewer || l.WorkspaceID != ws.ID {
			t.Fatalf("link: %+v, %v", l, err)
		}
		if err := s.UseLink(ctx, inv); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "used twice", s.UseLink(ctx, inv), foyer.ENOTFOUND)
		_, err = s.Link(ctx, inv)
		wantCodeOf(t, "a used link", err, foyer.ENOTFOUND)

		_, short := auth.NewToken()
		shortUser := &foyer.User{Email: "short@example.com"}
		if err := s.CreateUser(ctx, shortUser); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateLink(ctx, short, foyer.AuthLink{Kind: foyer.LinkReset, WorkspaceID: ws.ID, UserID: shortUser.ID, ExpiresAt: c.now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		c.add(2 * time.Minute)
		_, err = s.Link(ctx, short)
		wantCodeOf(t, "an expired link", err, foyer.ENOTFOUND)
		wantCodeOf(t, "using an expired link", s.UseLink(ctx, short), foyer.ENOTFOUND)

		_, h := auth.NewToken()
		wantCodeOf(t, "bad kind", s.CreateLink(ctx, h, foyer.AuthLink{Kind: "magic", WorkspaceID: ws.ID}), foyer.EINVALID)
		wantCodeOf(t, "bad email", s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: "x", Role: foyer.RoleViewer}), foyer.EINVALID)
		wantCodeOf(t, "bad role", s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: "x@example.com", Role: "god"}), foyer.EINVALID)

		u := &foyer.User{Email: "ana@example.com", Name: "Ana"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: foyer.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		if ms, err := s.Members(ctx, ws.ID); err != nil || len(ms) != 1 || ms[0].User.Email != "ana@example.com" || ms[0].Role != foyer.RoleOwner {
			t.Errorf("members: %+v, %v", ms, err)
		}
		if w, err := s.WorkspaceByID(ctx, ws.ID); err != nil || w.Name != "Acme" {
			t.Errorf("workspace by ID: %+v, %v", w, err)
		}
		_, err = s.WorkspaceByID(ctx, ws.ID+100)
		wantCodeOf(t, "unknown workspace", err, foyer.ENOTFOUND)
	})
}
