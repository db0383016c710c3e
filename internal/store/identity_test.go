package store_test

import (
	"context"
	"fmt"
	"strings"
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
		c := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.NewStore(t, d, store.Options{Now: c.Now})
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
		if !id.CreatedAt.Equal(c.Now()) || !id.LastUsedAt.Equal(c.Now()) {
			t.Errorf("linked: %+v", id)
		}
		c.Add(time.Hour)
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
			!list[0].LastUsedAt.Equal(c.Now()) || !list[0].CreatedAt.Equal(c.Now().Add(-time.Hour)) || list[1].Issuer != corp {
			t.Errorf("ana's identities: %+v, %v", list, err)
		}
		if list, err := s.Identities(ctx, bob.ID+100); err != nil || len(list) != 0 {
			t.Errorf("an unknown user's identities: %+v, %v", list, err)
		}
	})
}

// TestUnlinkIdentity checks that a user unlinks their own accounts only,
// and never the last way they can sign in.
func TestUnlinkIdentity(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		const google, corp, gone = "https://accounts.google.com", "https://id.corp.example", "https://old.example"
		signIn := []string{google, corp} // the issuers configured now
		ana := &foyer.User{Email: "ana@example.com", PasswordHash: "$argon2id$x"}
		carol := &foyer.User{Email: "carol@example.com"} // no password: single sign-on only
		bob := &foyer.User{Email: "bob@example.com"}
		link := func(u *foyer.User, issuer, subject string) foyer.Identity {
			t.Helper()
			id := foyer.Identity{Issuer: issuer, Subject: subject, UserID: u.ID, Provider: "p"}
			if err := s.LinkIdentity(ctx, &id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		for _, u := range []*foyer.User{ana, carol, bob} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		linked := func(u *foyer.User) int {
			t.Helper()
			ids, err := s.Identities(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(ids)
		}

		// A user with a password unlinks their only account.
		anaGoogle := link(ana, google, "a1")
		bobGoogle := link(bob, google, "b1")
		if anaGoogle.PublicID() == bobGoogle.PublicID() || len(anaGoogle.PublicID()) != 32 || strings.Contains(anaGoogle.PublicID(), "a1") {
			t.Errorf("public IDs %q, %q", anaGoogle.PublicID(), bobGoogle.PublicID())
		}

		// Another user's link, an unknown ID, an unknown user: not found,
		// and nothing is removed.
		_, err := s.UnlinkIdentity(ctx, ana.ID, bobGoogle.PublicID(), signIn)
		wantCodeOf(t, "bob's link, by ana", err, foyer.ENOTFOUND)
		_, err = s.UnlinkIdentity(ctx, ana.ID, strings.Repeat("0", 32), signIn)
		wantCodeOf(t, "an unknown link", err, foyer.ENOTFOUND)
		_, err = s.UnlinkIdentity(ctx, bob.ID+100, bobGoogle.PublicID(), signIn)
		wantCodeOf(t, "an unknown user", err, foyer.ENOTFOUND)
		if linked(bob) != 1 || linked(ana) != 1 {
			t.Fatalf("a refused unlink removed a link: ana %d, bob %d", linked(ana), linked(bob))
		}
		got, err := s.UnlinkIdentity(ctx, ana.ID, anaGoogle.PublicID(), signIn)
		if err != nil || got.Issuer != google || got.Subject != "a1" || got.Provider != "p" {
			t.Fatalf("ana unlinking her account: %+v, %v", got, err)
		}
		if linked(ana) != 0 || linked(bob) != 1 {
			t.Errorf("after unlinking: ana %d, bob %d", linked(ana), linked(bob))
		}
		_, err = s.UnlinkIdentity(ctx, ana.ID, anaGoogle.PublicID(), signIn)
		wantCodeOf(t, "unlinking again", err, foyer.ENOTFOUND)

		// Without a password: never the last account one can sign in with.
		_, err = s.UnlinkIdentity(ctx, bob.ID, bobGoogle.PublicID(), signIn)
		wantCodeOf(t, "bob's only way to sign in", err, foyer.ECONFLICT)
		link(bob, gone, "b2") // at a provider no longer configured: no way to sign in
		_, err = s.UnlinkIdentity(ctx, bob.ID, bobGoogle.PublicID(), signIn)
		wantCodeOf(t, "bob's only way to sign in, beside an unusable link", err, foyer.ECONFLICT)
		if linked(bob) != 2 {
			t.Errorf("bob has %d links, want 2", linked(bob))
		}
		link(bob, corp, "b3")
		if _, err := s.UnlinkIdentity(ctx, bob.ID, bobGoogle.PublicID(), signIn); err != nil {
			t.Errorf("bob unlinking google, with corp left: %v", err)
		}
		if linked(bob) != 2 {
			t.Errorf("bob has %d links, want 2", linked(bob))
		}

		// Two unlinks at once of carol's two accounts: one wins, the
		// other finds it is the last, again and again.
		for round := range 10 {
			a, b := link(carol, google, fmt.Sprint("c", round)), link(carol, corp, fmt.Sprint("c", round))
			errs := make(chan error, 2)
			for _, id := range []foyer.Identity{a, b} {
				go func() {
					_, err := s.UnlinkIdentity(ctx, carol.ID, id.PublicID(), signIn)
					errs <- err
				}()
			}
			e1, e2 := <-errs, <-errs
			if (e1 == nil) == (e2 == nil) || foyer.ErrorCode(e1)+foyer.ErrorCode(e2) != foyer.ECONFLICT {
				t.Fatalf("round %d: two unlinks at once: %v; %v", round, e1, e2)
			}
			if linked(carol) != 1 {
				t.Fatalf("round %d: carol has %d links, want 1", round, linked(carol))
			}
			if _, err := s.DB().ExecContext(ctx, store.Rebind(s, "DELETE FROM identities WHERE user_id = ?"), carol.ID); err != nil {
				t.Fatal(err)
			}
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
