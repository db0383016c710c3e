package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/foyerhq/foyer"
)

// Invitations returns a workspace's unused, unexpired invitations, newest
// first, each with the email of whoever made it ("" when they are gone).
func (s *Store) Invitations(ctx context.Context, workspaceID int64) ([]foyer.Invitation, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Invitations */
		SELECT l.token_hash, l.email, l.role, u.email, l.created_at, l.expires_at
		FROM auth_links l LEFT JOIN users u ON u.id = l.created_by
		WHERE l.workspace_id = ? AND l.kind = 'invite' AND l.used_at IS NULL AND l.expires_at > ?
		ORDER BY l.created_at DESC, l.email`), workspaceID, ms(s.now()))
	if err != nil {
		return nil, fmt.Errorf("store: invitations: %w", err)
	}
	defer rows.Close()
	var out []foyer.Invitation
	for rows.Next() {
		var inv foyer.Invitation
		var hash []byte
		var role string
		var by sql.NullString
		var created, expires int64
		if err := rows.Scan(&hash, &inv.Email, &role, &by, &created, &expires); err != nil {
			return nil, fmt.Errorf("store: invitations: %w", err)
		}
		inv.ID, inv.Role, inv.InvitedBy = hex.EncodeToString(hash), foyer.Role(role), by.String
		inv.CreatedAt, inv.ExpiresAt = fromMS(created), fromMS(expires)
		out = append(out, inv)
	}
	return out, rows.Err()
}

// RevokeInvitation marks a pending invitation of the workspace used, so
// that its link answers as a used one; ENOTFOUND otherwise.
func (s *Store) RevokeInvitation(ctx context.Context, workspaceID int64, id string) error {
	hash, err := hex.DecodeString(id)
	if err != nil || len(hash) != 32 {
		return foyer.Errorf(foyer.ENOTFOUND, "no invitation %q", id)
	}
	now := ms(s.now())
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.RevokeInvitation */
		UPDATE auth_links SET used_at = ?
		WHERE token_hash = ? AND workspace_id = ? AND kind = 'invite' AND used_at IS NULL AND expires_at > ?`),
		now, hash, workspaceID, now)
	if err != nil {
		return fmt.Errorf("store: revoke invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no pending invitation %q", id)
	}
	return nil
}
