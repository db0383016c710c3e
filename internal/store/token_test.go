package store_test

import (
	"context"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

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
