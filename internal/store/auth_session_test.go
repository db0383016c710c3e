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

func TestAccountSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		c := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.NewStore(t, d, store.Options{Now: c.Now})
		ctx := context.Background()
		ana, bob := &foyer.User{Email: "ana@example.com"}, &foyer.User{Email: "bob@example.com"}
		for _, u := range []*foyer.User{ana, bob} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		newSession := func(u *foyer.User, device string, life time.Duration) []byte {
			_, h := auth.NewToken()
			if err := s.CreateSession(ctx, h, foyer.AuthSession{UserID: u.ID, CreatedAt: c.Now(), ExpiresAt: c.Now().Add(life),
				Device: device, ID: "chosen by the caller"}); err != nil {
				t.Fatal(err)
			}
			c.Add(time.Second)
			return h
		}
		long := strings.Repeat("é", 60)
		a1, a2 := newSession(ana, "Firefox on Linux", time.Hour), newSession(ana, long, time.Hour)
		short, a3 := newSession(ana, "", time.Minute), newSession(ana, "Safari on iOS", time.Hour)
		b1 := newSession(bob, "Chrome on Windows", time.Hour)
		c.Add(2 * time.Minute) // short has expired
		cur, err := s.Session(ctx, a2)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.TouchSession(ctx, a2, c.Now()); err != nil { // as the web app records the visit
			t.Fatal(err)
		}
		if len(cur.ID) != 32 || cur.ID == "chosen by the caller" || cur.Device != strings.Repeat("é", 32) {
			t.Errorf("session as read: ID %q, device %q", cur.ID, cur.Device)
		}
		_ = short

		// Live sessions only, the last seen first; IDs unique.
		list, err := s.Sessions(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 || list[0].ID != cur.ID || list[1].Device != "Safari on iOS" || list[2].Device != "Firefox on Linux" {
			t.Fatalf("ana's sessions: %+v", list)
		}
		ids := map[string]bool{}
		for _, a := range list {
			ids[a.ID] = true
			if a.UserID != ana.ID || a.CreatedAt.IsZero() || a.LastSeenAt.Before(a.CreatedAt) {
				t.Errorf("session %+v", a)
			}
		}
		if len(ids) != 3 {
			t.Errorf("IDs repeat: %v", ids)
		}
		bobs, _ := s.Sessions(ctx, bob.ID)
		if len(bobs) != 1 {
			t.Fatalf("bob's sessions: %+v", bobs)
		}

		// One's own session by ID; another user's is not found and stays.
		wantCodeOf(t, "bob's session revoked by ana", s.RevokeUserSession(ctx, ana.ID, bobs[0].ID), foyer.ENOTFOUND)
		if _, err := s.Session(ctx, b1); err != nil {
			t.Errorf("bob's session after ana tried to revoke it: %v", err)
		}
		wantCodeOf(t, "empty ID", s.RevokeUserSession(ctx, ana.ID, ""), foyer.ENOTFOUND)
		if err := s.RevokeUserSession(ctx, ana.ID, list[1].ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Session(ctx, a3)
		wantCodeOf(t, "revoked by ID", err, foyer.EUNAUTHORIZED)
		wantCodeOf(t, "revoked twice", s.RevokeUserSession(ctx, ana.ID, list[1].ID), foyer.ENOTFOUND)

		// A password change keeps the current session and ends the others.
		a4 := newSession(ana, "Edge on Windows", time.Hour)
		if err := s.ChangePassword(ctx, ana.ID, "$argon2id$changed", a2); err != nil {
			t.Fatal(err)
		}
		for what, h := range map[string][]byte{"a1": a1, "a4": a4} {
			_, err := s.Session(ctx, h)
			wantCodeOf(t, what+" after a password change", err, foyer.EUNAUTHORIZED)
		}
		if _, err := s.Session(ctx, a2); err != nil {
			t.Errorf("the current session after a password change: %v", err)
		}
		if _, err := s.Session(ctx, b1); err != nil {
			t.Errorf("bob's session after ana's password change: %v", err)
		}
		if u, _ := s.UserByID(ctx, ana.ID); u.PasswordHash != "$argon2id$changed" || !u.PasswordChangedAt.Equal(c.Now()) {
			t.Errorf("after ChangePassword: %+v", u)
		}
		wantCodeOf(t, "unknown user", s.ChangePassword(ctx, bob.ID+100, "x", a2), foyer.ENOTFOUND)
		wantCodeOf(t, "no session to keep", s.ChangePassword(ctx, ana.ID, "x", nil), foyer.EINVALID)

		// Sign out everywhere else.
		a5, a6 := newSession(ana, "", time.Hour), newSession(ana, "", time.Hour)
		if err := s.RevokeOtherSessions(ctx, ana.ID, a5); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.Sessions(ctx, ana.ID); len(list) != 1 {
			t.Errorf("after signing out elsewhere: %+v", list)
		}
		for what, h := range map[string][]byte{"a2": a2, "a6": a6} {
			_, err := s.Session(ctx, h)
			wantCodeOf(t, what+" after signing out elsewhere", err, foyer.EUNAUTHORIZED)
		}
		if _, err := s.Session(ctx, a5); err != nil {
			t.Errorf("the kept session: %v", err)
		}
		if _, err := s.Session(ctx, b1); err != nil {
			t.Errorf("bob's session: %v", err)
		}
	})
}

func TestAuthSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		c := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.NewStore(t, d, store.Options{Now: c.Now})
		ctx := context.Background()
		ana, bob := &foyer.User{Email: "ana@example.com"}, &foyer.User{Email: "bob@example.com"}
		for _, u := range []*foyer.User{ana, bob} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		newSession := func(u *foyer.User, life time.Duration) []byte {
			_, h := auth.NewToken()
			if err := s.CreateSession(ctx, h, foyer.AuthSession{UserID: u.ID, CreatedAt: c.Now(), ExpiresAt: c.Now().Add(life)}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		a1, a2, short, b1 := newSession(ana, 24*time.Hour), newSession(ana, 24*time.Hour), newSession(ana, time.Minute), newSession(bob, 24*time.Hour)

		c.Add(30 * time.Second)
		got, err := s.Session(ctx, a1)
		if err != nil || got.UserID != ana.ID || !got.LastSeenAt.Equal(got.CreatedAt) { // Session only reads: see TestTouch
			t.Fatalf("live session: %+v, %v", got, err)
		}
		_, err = s.Session(ctx, make([]byte, 32))
		wantCodeOf(t, "unknown token", err, foyer.EUNAUTHORIZED)

		c.Add(time.Minute)
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
		if u, _ := s.UserByID(ctx, ana.ID); u.PasswordHash != "$argon2id$new" || !u.PasswordChangedAt.Equal(c.Now()) {
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
