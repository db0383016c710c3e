package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

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

// TestRecoveryCodes: a recovery code is spent once, on both dialects (a
// millisecond time did not fit PostgreSQL's column before migration 0018).
func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		u := &foyer.User{Email: "olga@example.com"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		codes, hashes := auth.NewRecoveryCodes(2)
		if err := s.SetTOTP(ctx, u.ID, "SECRET", 0, hashes); err != nil {
			t.Fatal(err)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(codes[0])); err != nil {
			t.Fatalf("a recovery code: %v", err)
		}
		wantCodeOf(t, "the same code again", s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(codes[0])), foyer.ENOTFOUND)
		wantCodeOf(t, "not a code", s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash("xxxxx-xxxxx")), foyer.ENOTFOUND)
		if err := s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(strings.ToUpper(codes[1]))); err != nil {
			t.Errorf("the other code, typed in capitals: %v", err)
		}
	})
}

// TestClearTOTPAndNewRecoveryCodes: new recovery codes replace the old
// ones, spent or not; turning two-factor authentication off clears the
// secret, the last step and the codes, unless a workspace requires it.
func TestClearTOTPAndNewRecoveryCodes(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		u := &foyer.User{Email: "olga@example.com"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		_, hashes := auth.NewRecoveryCodes(1)
		wantCodeOf(t, "new codes while off", s.ReplaceRecoveryCodes(ctx, u.ID, hashes), foyer.ECONFLICT)
		wantCodeOf(t, "new codes of nobody", s.ReplaceRecoveryCodes(ctx, u.ID+100, hashes), foyer.ENOTFOUND)
		wantCodeOf(t, "clear nobody", s.ClearTOTP(ctx, u.ID+100), foyer.ENOTFOUND)

		old, oldHashes := auth.NewRecoveryCodes(2)
		if err := s.SetTOTP(ctx, u.ID, "SECRET", 0, oldHashes); err != nil {
			t.Fatal(err)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(old[0])); err != nil {
			t.Fatal(err)
		}
		codes, hashes := auth.NewRecoveryCodes(2)
		if err := s.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			t.Fatalf("new codes: %v", err)
		}
		wantCodeOf(t, "an old unspent code", s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(old[1])), foyer.ENOTFOUND)
		if err := s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(codes[0])); err != nil {
			t.Errorf("a new code: %v", err)
		}
		if err := s.UseTOTPStep(ctx, u.ID, 1000); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.TOTPSecret != "SECRET" {
			t.Errorf("new codes changed the secret to %q", got.TOTPSecret)
		}
		wantCodeOf(t, "new codes leave the last step", s.UseTOTPStep(ctx, u.ID, 1000), foyer.ECONFLICT)

		// A workspace that requires it keeps it on.
		ws := &foyer.Workspace{Name: "Acme"}
		if err := s.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: foyer.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRequire2FA(ctx, ws.ID, true); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "clear while required", s.ClearTOTP(ctx, u.ID), foyer.EFORBIDDEN)
		if got, _ := s.UserByID(ctx, u.ID); got.TOTPSecret != "SECRET" {
			t.Fatal("a refused clear changed the secret")
		}
		if err := s.SetRequire2FA(ctx, ws.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := s.ClearTOTP(ctx, u.ID); err != nil {
			t.Fatalf("clear: %v", err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.TOTPSecret != "" {
			t.Errorf("after clearing, the secret is %q", got.TOTPSecret)
		}
		wantCodeOf(t, "a code after clearing", s.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(codes[1])), foyer.ENOTFOUND)
		if err := s.UseTOTPStep(ctx, u.ID, 1); err != nil {
			t.Errorf("the last step was kept: %v", err)
		}
	})
}
