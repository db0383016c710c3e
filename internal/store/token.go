package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

var _ foyer.TokenService = (*Store)(nil)

// CreateAPIToken stores a token for a workspace.
func (s *Store) CreateAPIToken(ctx context.Context, tokenHash []byte, t foyer.APIToken) error {
	if t.Scope != foyer.ScopeRead && t.Scope != foyer.ScopeWrite {
		return foyer.Errorf(foyer.EINVALID, "scope %q: want read or write", t.Scope)
	}
	if len(tokenHash) != 32 {
		return foyer.Errorf(foyer.EINVALID, "a token hash has 32 bytes")
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.CreateAPIToken */
		INSERT INTO api_tokens (token_hash, workspace_id, name, scope, created_at)
		SELECT ?, id, ?, ?, ? FROM workspaces WHERE id = ?`),
		tokenHash, strings.TrimSpace(t.Name), string(t.Scope), ms(s.now()), t.WorkspaceID)
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", t.WorkspaceID)
	}
	return nil
}

// APIToken returns the live token of a hash. It only reads: TouchAPIToken
// records its use.
func (s *Store) APIToken(ctx context.Context, tokenHash []byte) (*foyer.APIToken, error) {
	var t foyer.APIToken
	var scope string
	var created, used int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.APIToken */
		SELECT id, workspace_id, name, scope, created_at, last_used_at FROM api_tokens
		WHERE token_hash = ? AND revoked_at IS NULL`), tokenHash).Scan(&t.ID, &t.WorkspaceID, &t.Name, &scope, &created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.EUNAUTHORIZED, "unknown or revoked API token")
	}
	if err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	t.Scope, t.CreatedAt = foyer.Scope(scope), fromMS(created)
	if used > 0 {
		t.LastUsedAt = fromMS(used)
	}
	return &t, nil
}

// TouchAPIToken records that the token of a hash was used at at, unless
// it was used later already. An unknown or revoked token is no error.
func (s *Store) TouchAPIToken(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.TouchAPIToken */
		UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ? AND last_used_at < ? AND revoked_at IS NULL`),
		ms(at), tokenHash, ms(at)); err != nil {
		return fmt.Errorf("store: touch token: %w", err)
	}
	return nil
}

// APITokens lists a workspace's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, workspaceID int64) ([]foyer.APIToken, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.APITokens */
		SELECT id, name, scope, created_at, last_used_at, revoked_at IS NOT NULL FROM api_tokens
		WHERE workspace_id = ? ORDER BY id DESC`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []foyer.APIToken
	for rows.Next() {
		t := foyer.APIToken{WorkspaceID: workspaceID}
		var scope string
		var created, used int64
		if err := rows.Scan(&t.ID, &t.Name, &scope, &created, &used, &t.Revoked); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		t.Scope, t.CreatedAt = foyer.Scope(scope), fromMS(created)
		if used > 0 {
			t.LastUsedAt = fromMS(used)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken ends a token of the workspace.
func (s *Store) RevokeAPIToken(ctx context.Context, workspaceID, id int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.RevokeAPIToken */
		UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL`), ms(s.now()), id, workspaceID)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "token %d not found", id)
	}
	return nil
}
