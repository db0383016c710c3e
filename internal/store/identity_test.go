package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

func TestIdentities(t *testing.T) {
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
		const google, corp = "https://accounts.google.com", "https://id.corp.example"
		_, err := s.UserByIdentity(ctx, google, "111")
		wantCodeOf(t, "before linking", err, foyer.ENOTFOUND)

		id := &foyer.Identity{Issuer: google, Subject: "111", UserID: ana.ID, Provider: "google"}
		if err := s.LinkIdentity(ctx, id); err != nil {
			t.Fatal(err)
		}
		if !id.CreatedAt.Equal(c.now()) || !id.LastUsedAt.Equal(c.now()) {
			t.Errorf("linked: %+v", id)
		}
		c.add(time.Hour)
		got, err := s.UserByIdentity(ctx, google, "111")
		if err != nil || got.ID != ana.ID || got.Email != "ana@example.com" {
			t.Fatalf("by identity: %+v, %v", got, err)
		}
		// The subject is the account's name at its issuer: the same subject
		// at another issuer, or another subject, is not ana.
		for _, k := range [][2]string{{corp, "111"}, {google, "112"}, {google + "/", "111"}, {google, ""}} {
			_, err := s.UserByIdentity(ctx, k[0], k[1])
			wantCodeOf(t, "by "+k[0]+" "+k[1], err, foyer.ENOTFOUND)
		}

		// One user per account, one account per issuer and user.
		wantCodeOf(t, "the account again, for bob", s.LinkIdentity(ctx, &foyer.Identity{Issuer: google, Subject: "111", UserID: bob.ID}), foyer.ECONFLICT)
		wantCodeOf(t, "the account again, for ana", s.LinkIdentity(ctx, &foyer.Identity{Issuer: google, Subject: "111", UserID: ana.ID}), foyer.ECONFLICT)
		wantCodeOf(t, "a second account of ana's at google", s.LinkIdentity(ctx, &foyer.Identity{Issuer: google, Subject: "222", UserID: ana.ID}), foyer.ECONFLICT)
		wantCodeOf(t, "unknown user", s.LinkIdentity(ctx, &foyer.Identity{Issuer: google, Subject: "333", UserID: bob.ID + 100}), foyer.ENOTFOUND)
		wantCodeOf(t, "no subject", s.LinkIdentity(ctx, &foyer.Identity{Issuer: google, UserID: bob.ID}), foyer.EINVALID)
		wantCodeOf(t, "no issuer", s.LinkIdentity(ctx, &foyer.Identity{Subject: "444", UserID: bob.ID}), foyer.EINVALID)
		if err := s.LinkIdentity(ctx, &foyer.Identity{Issuer: corp, Subject: "ana", UserID: ana.ID, Provider: "corp"}); err != nil {
			t.Errorf("ana's account at another issuer: %v", err)
		}
		if err := s.LinkIdentity(ctx, &foyer.Identity{Issuer: google, Subject: "222", UserID: bob.ID, Provider: "google"}); err != nil {
			t.Errorf("bob's own account: %v", err)
		}

		list, err := s.Identities(ctx, ana.ID)
		if err != nil || len(list) != 2 || list[0].Issuer != google || list[0].Subject != "111" || list[0].Provider != "google" ||
			!list[0].LastUsedAt.Equal(c.now()) || !list[0].CreatedAt.Equal(c.now().Add(-time.Hour)) || list[1].Issuer != corp {
			t.Errorf("ana's identities: %+v, %v", list, err)
		}
		if list, err := s.Identities(ctx, bob.ID+100); err != nil || len(list) != 0 {
			t.Errorf("an unknown user's identities: %+v, %v", list, err)
		}
	})
}

// TestSessionMultiFactorAtIdP checks that a session keeps whether its
// identity provider reported multi-factor authentication.
func TestSessionMultiFactorAtIdP(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		u := &foyer.User{Email: "ana@example.com"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		for _, mfa := range []bool{false, true} {
			_, h := auth.NewToken()
			now := time.Now()
			if err := s.CreateSession(ctx, h, foyer.AuthSession{UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
				SecondFactor: mfa, MultiFactorAtIdP: mfa}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Session(ctx, h)
			if err != nil || got.MultiFactorAtIdP != mfa || got.SecondFactor != mfa {
				t.Errorf("session with mfa %v: %+v, %v", mfa, got, err)
			}
		}
	})
}
