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

// TestTouch: Session and APIToken only read; TouchSession and
// TouchAPIToken record a use, never move it back, and let an unknown hash
// pass.
func TestTouch(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		c := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.NewStore(t, d, store.Options{Now: c.Now})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		ana := &foyer.User{Email: "ana@example.com"}
		if err := s.CreateUser(ctx, ana); err != nil {
			t.Fatal(err)
		}
		_, sh := auth.NewToken()
		if err := s.CreateSession(ctx, sh, foyer.AuthSession{UserID: ana.ID, CreatedAt: c.Now(), ExpiresAt: c.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, th := auth.NewToken()
		if err := s.CreateAPIToken(ctx, th, foyer.APIToken{WorkspaceID: ws.ID, Scope: foyer.ScopeRead}); err != nil {
			t.Fatal(err)
		}
		created := c.Now()
		seen := func() (session, token time.Time) {
			t.Helper()
			a, err := s.Session(ctx, sh)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.APIToken(ctx, th)
			if err != nil {
				t.Fatal(err)
			}
			return a.LastSeenAt, tok.LastUsedAt
		}
		c.Add(10 * time.Minute)
		if sess, tok := seen(); !sess.Equal(created) || !tok.IsZero() {
			t.Errorf("after reading: last seen %v, last used %v; want %v and never: a read records nothing", sess, tok, created)
		}
		later := created.Add(5 * time.Minute)
		for _, at := range []time.Time{later, created.Add(time.Minute)} { // the second is older: no effect
			if err := s.TouchSession(ctx, sh, at); err != nil {
				t.Fatal(err)
			}
			if err := s.TouchAPIToken(ctx, th, at); err != nil {
				t.Fatal(err)
			}
		}
		if sess, tok := seen(); !sess.Equal(later) || !tok.Equal(later) {
			t.Errorf("after touching: last seen %v, last used %v; want both %v", sess, tok, later)
		}
		if err := s.TouchSession(ctx, make([]byte, 32), later); err != nil {
			t.Errorf("touching an unknown session: %v", err)
		}
		if err := s.TouchAPIToken(ctx, make([]byte, 32), later); err != nil {
			t.Errorf("touching an unknown token: %v", err)
		}
	})
}
